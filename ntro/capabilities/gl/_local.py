"""The local general ledger: bills and journals with their lines in the tenant data plane.

Why one SQL statement per post: the same ``external_id`` posted twice must return the first
result and post nothing, two workers posting at once must not both insert, and 1,000 bills must
post in well under two seconds. Each create is a single statement (insert ``ON CONFLICT DO
NOTHING`` with its lines, or else read the row already there), so it is atomic and one round
trip. Tables live in schema ``gl``, registered as migrations of ``ntro.capabilities.gl``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ntro.capabilities.gl._models import PostedDocument, as_bill, as_journal, body_hash
from ntro.capabilities.gl.errors import IdempotencyConflictError, ValidationFailedError
from ntro.data import get_data_plane, register_migrations

OWNER = "ntro.capabilities.gl"
PROVIDER = "local"

_V1 = """
CREATE SCHEMA IF NOT EXISTS gl;
CREATE TABLE IF NOT EXISTS gl.bills (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id text NOT NULL,
    external_id text NOT NULL,
    body_hash text NOT NULL,
    supplier text NOT NULL,
    bill_date date NOT NULL,
    due_date date,
    currency text NOT NULL,
    reference text,
    total numeric(20, 2) NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (entity_id, external_id)
);
CREATE TABLE IF NOT EXISTS gl.bill_lines (
    bill_id uuid NOT NULL REFERENCES gl.bills (id) ON DELETE CASCADE,
    line_no integer NOT NULL,
    account_code text NOT NULL,
    description text NOT NULL DEFAULT '',
    amount numeric(20, 2) NOT NULL,
    tax_amount numeric(20, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (bill_id, line_no)
);
CREATE TABLE IF NOT EXISTS gl.journals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_id text NOT NULL,
    external_id text NOT NULL,
    body_hash text NOT NULL,
    journal_date date,
    period text,
    description text NOT NULL DEFAULT '',
    currency text NOT NULL,
    total numeric(20, 2) NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (entity_id, external_id)
);
CREATE TABLE IF NOT EXISTS gl.journal_lines (
    journal_id uuid NOT NULL REFERENCES gl.journals (id) ON DELETE CASCADE,
    line_no integer NOT NULL,
    account_code text NOT NULL,
    debit numeric(20, 2) NOT NULL DEFAULT 0,
    credit numeric(20, 2) NOT NULL DEFAULT 0,
    description text NOT NULL DEFAULT '',
    PRIMARY KEY (journal_id, line_no)
);
"""

register_migrations(OWNER, [(1, _V1)])

_IDLE_S = 0.05
"""A ledger idle this long gives its connection back to the pool."""

_POST_BILL = """
WITH inserted AS (
    INSERT INTO gl.bills (entity_id, external_id, body_hash, supplier, bill_date, due_date,
                          currency, reference, total, body)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
    ON CONFLICT (entity_id, external_id) DO NOTHING
    RETURNING id
), lines AS (
    INSERT INTO gl.bill_lines (bill_id, line_no, account_code, description, amount, tax_amount)
    SELECT inserted.id, l.line_no, l.account_code, l.description, l.amount, l.tax_amount
    FROM inserted, jsonb_to_recordset($11::jsonb)
        AS l(line_no integer, account_code text, description text, amount numeric,
             tax_amount numeric)
)
SELECT id::text, true AS created, $3 AS body_hash, $9::numeric AS total FROM inserted
UNION ALL
SELECT id::text, false, body_hash, total FROM gl.bills
WHERE entity_id = $1 AND external_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)
"""

_POST_JOURNAL = """
WITH inserted AS (
    INSERT INTO gl.journals (entity_id, external_id, body_hash, journal_date, period,
                             description, currency, total, body)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
    ON CONFLICT (entity_id, external_id) DO NOTHING
    RETURNING id
), lines AS (
    INSERT INTO gl.journal_lines (journal_id, line_no, account_code, debit, credit, description)
    SELECT inserted.id, l.line_no, l.account_code, l.debit, l.credit, l.description
    FROM inserted, jsonb_to_recordset($10::jsonb)
        AS l(line_no integer, account_code text, debit numeric, credit numeric,
             description text)
)
SELECT id::text, true AS created, $3 AS body_hash, $8::numeric AS total FROM inserted
UNION ALL
SELECT id::text, false, body_hash, total FROM gl.journals
WHERE entity_id = $1 AND external_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)
"""


def _external_id(external_id: Any) -> str:
    text = str(external_id or "").strip()
    if not text:
        raise ValidationFailedError(
            "external_id is empty: pass the proposal's idempotency_key (or another stable id) so "
            "a retried post cannot post twice",
            provider=PROVIDER,
        )
    return text


class _Documents:
    def __init__(self, ledger: LocalLedger) -> None:
        self._ledger = ledger

    async def _post(
        self, sql: str, args: list[Any], kind: str, external_id: str, digest: str, currency: str
    ) -> PostedDocument:
        for _attempt in range(2):  # a concurrent post of the same key may hide the row once
            row = await self._ledger.fetchrow(sql, *args)
            if row is not None:
                break
        else:
            raise IdempotencyConflictError(
                f"{kind} {external_id!r} is being posted concurrently; retry",
                provider=PROVIDER,
                external_id=external_id,
            )
        if not row["created"] and row["body_hash"] != digest:
            raise IdempotencyConflictError(
                f"{kind} {external_id!r} was already posted to the local ledger of "
                f"{self._ledger.entity_id!r} with a different body; use a new external_id for a "
                f"different {kind}",
                provider=PROVIDER,
                external_id=external_id,
            )
        return PostedDocument(
            id=row["id"],
            kind=kind,  # type: ignore[arg-type]
            external_id=external_id,
            entity_id=self._ledger.entity_id,
            provider=PROVIDER,
            created=row["created"],
            total=row["total"],
            currency=currency,
        )


class LocalBills(_Documents):
    """``bills.create`` / ``bills.get`` / ``bills.list`` on the local ledger."""

    async def create(self, proposal: Any, *, external_id: str) -> PostedDocument:
        """Post ``proposal`` once per ``external_id``; see the module docstring."""
        key = _external_id(external_id)
        bill = as_bill(proposal, key, PROVIDER)
        digest = body_hash(bill)
        lines = [
            {
                "line_no": i,
                "account_code": line.account_code,
                "description": line.description,
                "amount": str(line.amount),
                "tax_amount": str(line.tax_amount),
            }
            for i, line in enumerate(bill.lines, start=1)
        ]
        args = [
            self._ledger.entity_id,
            key,
            digest,
            bill.supplier,
            bill.bill_date,
            bill.due_date,
            bill.currency.upper(),
            bill.reference,
            bill.total,
            bill.model_dump_json(),
            lines,
        ]
        return await self._post(_POST_BILL, args, "bill", key, digest, bill.currency.upper())

    async def get(self, external_id: str) -> dict[str, Any] | None:
        """The posted bill with its lines, or None."""
        db = await self._ledger.db()
        row = await db.fetchrow(
            "SELECT id::text, external_id, supplier, bill_date, due_date, currency, reference, "
            "total, created_at, (SELECT jsonb_agg(to_jsonb(l) - 'bill_id' ORDER BY line_no) "
            "FROM gl.bill_lines l WHERE l.bill_id = b.id) AS lines "
            "FROM gl.bills b WHERE entity_id = $1 AND external_id = $2",
            self._ledger.entity_id,
            str(external_id),
        )
        return dict(row) if row is not None else None

    async def count(self) -> int:
        """How many bills the entity's ledger holds."""
        db = await self._ledger.db()
        return int(
            await db.fetchval(
                "SELECT count(*) FROM gl.bills WHERE entity_id = $1", self._ledger.entity_id
            )
        )


class LocalJournals(_Documents):
    """``journals.create`` / ``journals.get`` on the local ledger."""

    async def create(self, proposal: Any, *, external_id: str) -> PostedDocument:
        """Post a balanced journal once per ``external_id``; an unbalanced one raises
        :class:`ValidationFailedError` and posts nothing."""
        key = _external_id(external_id)
        journal = as_journal(proposal, key, PROVIDER)
        digest = body_hash(journal)
        lines = [
            {
                "line_no": i,
                "account_code": line.account_code,
                "debit": str(line.debit),
                "credit": str(line.credit),
                "description": line.description or "",
            }
            for i, line in enumerate(journal.lines, start=1)
        ]
        from datetime import date

        journal_date = date.fromisoformat(journal.date) if journal.date else None
        args = [
            self._ledger.entity_id,
            key,
            digest,
            journal_date,
            str(journal.period) if journal.period else None,
            journal.description,
            str(journal.currency),
            journal.total_debit,
            journal.model_dump_json(),
            lines,
        ]
        return await self._post(_POST_JOURNAL, args, "journal", key, digest, str(journal.currency))

    async def get(self, external_id: str) -> dict[str, Any] | None:
        """The posted journal with its lines, or None."""
        db = await self._ledger.db()
        row = await db.fetchrow(
            "SELECT id::text, external_id, journal_date, period, description, currency, total, "
            "created_at, (SELECT jsonb_agg(to_jsonb(l) - 'journal_id' ORDER BY line_no) "
            "FROM gl.journal_lines l WHERE l.journal_id = j.id) AS lines "
            "FROM gl.journals j WHERE entity_id = $1 AND external_id = $2",
            self._ledger.entity_id,
            str(external_id),
        )
        return dict(row) if row is not None else None

    async def count(self) -> int:
        """How many journals the entity's ledger holds."""
        db = await self._ledger.db()
        return int(
            await db.fetchval(
                "SELECT count(*) FROM gl.journals WHERE entity_id = $1", self._ledger.entity_id
            )
        )


class LocalLedger:
    """The local general ledger of one entity, in one tenant's data plane."""

    name = PROVIDER

    def __init__(self, entity_id: str, tenant_slug: str | None = None) -> None:
        self.entity_id = entity_id
        self.tenant_slug = tenant_slug
        self._lock = asyncio.Lock()
        self._held: tuple[Any, Any] | None = None
        self._release: asyncio.TimerHandle | None = None
        self.bills = LocalBills(self)
        self.journals = LocalJournals(self)

    def __repr__(self) -> str:
        return f"LocalLedger(entity_id={self.entity_id!r}, tenant={self.tenant_slug!r})"

    async def db(self) -> Any:
        return await get_data_plane(self.tenant_slug)

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        """One statement on the ledger's connection.

        Why not the pool per call: a pool hands a connection back with a reset round trip,
        which doubles the cost of a one-statement post. The ledger keeps one connection while
        it is busy and returns it to the pool once idle for :data:`_IDLE_S` seconds."""
        async with self._lock:
            if self._held is None:
                db = await self.db()
                context = db.connection()
                self._held = (context, await context.__aenter__())
            if self._release is not None:
                self._release.cancel()
            try:
                return await self._held[1].fetchrow(sql, *args)
            finally:
                loop = asyncio.get_running_loop()
                self._release = loop.call_later(
                    _IDLE_S, lambda: loop.create_task(self._give_back())
                )

    async def _give_back(self) -> None:
        async with self._lock:
            held, self._held, self._release = self._held, None, None
            if held is not None:
                await held[0].__aexit__(None, None, None)
