"""Storing journal proposals as ``journal_proposals`` rows, once per idempotency key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ntro.accounting.models import JournalProposal
from ntro.subledger._handle import open as open_subledger
from ntro.subledger.types.journal_proposals import JournalProposalRow

__all__ = ["propose", "proposals_for"]


async def propose(
    proposals: Iterable[JournalProposal],
    *,
    entity_id: str,
    task_id: str | None,
    source_subledger: str | None = None,
    tenant_slug: str | None = None,
    db: Any = None,
) -> list[str]:
    """Store ``proposals`` as ``PENDING`` rows; returns their row ids.

    A proposal whose ``idempotency_key`` is already stored for the entity is not added again
    (its row keeps its status), so a retried activity proposes each journal once.
    """
    handle = open_subledger(
        name="journal_proposals",
        entity_id=entity_id,
        task_id=task_id,
        tenant_slug=tenant_slug,
        db=db,
    )
    rows = []
    for proposal in proposals:
        rows.append(
            await handle.row(
                period=proposal.period,
                source_ref=proposal.idempotency_key,
                source_subledger=source_subledger,
                description=proposal.description,
                currency=proposal.currency,
                journal_date=proposal.date,
                lines=[line.model_dump(mode="json") for line in proposal.lines],
                source_row_ids=proposal.source_row_ids,
                idempotency_key=proposal.idempotency_key,
            )
        )
    if not rows:
        return []
    database = await handle.db()
    existing = {
        r["idempotency_key"]: r["id"]
        for r in await database.fetch(
            'SELECT idempotency_key, id::text AS id FROM ledgers."journal_proposals" '
            "WHERE entity_id = $1 AND idempotency_key = ANY($2::text[])",
            entity_id,
            [r.idempotency_key for r in rows],
        )
    }
    fresh = [r for r in rows if r.idempotency_key not in existing]
    await handle.insert(fresh)
    return [existing.get(r.idempotency_key, r.id) for r in rows]


async def proposals_for(
    *,
    entity_id: str,
    task_id: str | None,
    status: str | None = None,
    tenant_slug: str | None = None,
    db: Any = None,
) -> list[JournalProposalRow]:
    """The task's stored proposals (optionally of one status)."""
    handle = open_subledger(
        name="journal_proposals",
        entity_id=entity_id,
        task_id=task_id,
        tenant_slug=tenant_slug,
        db=db,
    )
    return await handle.query(status)
