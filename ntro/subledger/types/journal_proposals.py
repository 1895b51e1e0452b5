"""The ``journal_proposals`` subledger: journals proposed from other subledgers, awaiting review.

A row holds one :class:`~ntro.accounting.models.JournalProposal`: its lines, the rows it came
from, and its ``idempotency_key`` (unique per entity, so proposing the same rows again adds
nothing; see :mod:`ntro.subledger.proposals`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ntro.data import register_migrations
from ntro.subledger._registry import register_type
from ntro.subledger._row import Row
from ntro.types.currencies import CurrencyCode

__all__ = ["JournalProposalRow"]


@register_type("journal_proposals")
class JournalProposalRow(Row):
    """A proposed journal: description, currency, lines, source rows and idempotency key."""

    source_subledger: str | None = None
    description: str = ""
    currency: CurrencyCode = "GBP"
    journal_date: str | None = None
    lines: list[dict[str, Any]] = Field(default_factory=list)
    source_row_ids: list[str] = Field(default_factory=list)
    idempotency_key: str
    posted_journal_ref: str | None = None


register_migrations(
    "ledgers.journal_proposals",
    [
        (
            2,
            'CREATE UNIQUE INDEX IF NOT EXISTS "journal_proposals_idempotency" '
            'ON ledgers."journal_proposals" (entity_id, idempotency_key)',
        )
    ],
)
