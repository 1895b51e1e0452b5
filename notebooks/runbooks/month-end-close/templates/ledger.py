"""The close's records in the tenant data plane (``ntro.data``), beside its posted journals:

    ledgers.periods   one row per entity and period: open or closed, by whom and when
    ledgers.navs      the signed-off NAV per entity and period, read by next month's close

``ledgers.periods`` is the data plane's own table; this runbook's migration (owner
``month-end-close``) adds who opened and closed a period to it and creates ``ledgers.navs``.
The approved journals are posted to the general ledger (``gl``), not here.

Every write is idempotent, keyed on entity and period, so a retried activity changes nothing:
opening an open period keeps its first opening, the same sign-off twice keeps one row and its
first time, closing a closed period keeps its first closing. A period closed earlier and closed
again (a re-run of its close) is reopened, and its new sign-off replaces the old one.

The tenant is the worker's (``$NTRO_TENANT_SLUG``, as ``gl`` uses).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ntro.capabilities import config
from ntro.data import DataPlane, PostgresDataPlane, get_data_plane, register_migrations

from .models import PriorNav

MIGRATION_OWNER = "month-end-close"

_V1 = """
ALTER TABLE ledgers.periods
    ADD COLUMN IF NOT EXISTS opened_by text,
    ADD COLUMN IF NOT EXISTS closed_by text;

CREATE TABLE IF NOT EXISTS ledgers.navs (
    entity_id text NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    currency text NOT NULL,
    figures jsonb NOT NULL,
    prior_period text,
    signed_off_by text,
    signed_off_at timestamptz NOT NULL DEFAULT now(),
    comment text,
    task_id text,
    PRIMARY KEY (entity_id, period)
);
"""

register_migrations(MIGRATION_OWNER, [(1, _V1)])


async def data_plane() -> PostgresDataPlane:
    """The worker's tenant data plane (the one ``gl`` posts the journals to), migrated."""
    db = await get_data_plane(config.get().tenant_slug)
    assert isinstance(db, PostgresDataPlane)
    await db.migrate()  # before a transaction on one of its connections
    return db


async def open_period(
    db: DataPlane, entity_id: str, period: str, opened_by: str
) -> tuple[str, dt.datetime]:
    """Mark the period open (reopen it if it was closed); who opened it and when."""
    await db.execute(
        "INSERT INTO ledgers.periods (entity_id, period, status, opened_by, opened_at) "
        "VALUES ($1, $2, 'open', $3, now()) "
        "ON CONFLICT (entity_id, period) DO UPDATE SET status = 'open', "
        "opened_by = EXCLUDED.opened_by, opened_at = now(), closed_at = NULL, closed_by = NULL "
        "WHERE ledgers.periods.status <> 'open'",
        entity_id,
        period,
        opened_by,
    )
    row = await db.fetchrow(
        "SELECT opened_by, opened_at FROM ledgers.periods WHERE entity_id = $1 AND period = $2",
        entity_id,
        period,
    )
    assert row is not None  # just written
    return str(row["opened_by"] or opened_by), row["opened_at"]


async def read_nav(db: DataPlane, entity_id: str, period: str) -> PriorNav | None:
    """The NAV signed off for ``period``, or None when that close has not published one."""
    row = await db.fetchrow(
        "SELECT entity_id, period, currency, figures FROM ledgers.navs "
        "WHERE entity_id = $1 AND period = $2",
        entity_id,
        period,
    )
    if row is None:
        return None
    try:
        return PriorNav(
            entity_slug=row["entity_id"],
            period=row["period"],
            currency=row["currency"],
            figures=row["figures"],
        )
    except ValidationError:
        return None


async def publish_nav(
    db: PostgresDataPlane,
    *,
    entity_id: str,
    period: str,
    currency: str,
    figures: dict[str, Decimal],
    prior_period: str | None,
    signed_off_by: str | None,
    comment: str | None,
    task_id: str | None,
) -> dt.datetime:
    """Record the signed-off NAV and close the period, in one transaction; when it was signed
    off (the first time, if this very sign-off was recorded before)."""
    values: list[Any] = [
        entity_id,
        period,
        currency,
        {key: str(value) for key, value in figures.items()},
        prior_period,
        signed_off_by,
        comment,
        task_id,
    ]
    async with db.connection() as conn, conn.transaction():
        signed_at = await conn.fetchval(
            "INSERT INTO ledgers.navs (entity_id, period, currency, figures, prior_period, "
            "signed_off_by, comment, task_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (entity_id, period) DO UPDATE SET currency = EXCLUDED.currency, "
            "figures = EXCLUDED.figures, prior_period = EXCLUDED.prior_period, "
            "signed_off_by = EXCLUDED.signed_off_by, comment = EXCLUDED.comment, "
            "task_id = EXCLUDED.task_id, signed_off_at = now() "
            "WHERE (ledgers.navs.currency, ledgers.navs.figures, ledgers.navs.prior_period, "
            "ledgers.navs.signed_off_by, ledgers.navs.comment, ledgers.navs.task_id) "
            "IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.figures, EXCLUDED.prior_period, "
            "EXCLUDED.signed_off_by, EXCLUDED.comment, EXCLUDED.task_id) "
            "RETURNING signed_off_at",
            *values,
        )
        if signed_at is None:  # the same sign-off again: nothing changed
            signed_at = await conn.fetchval(
                "SELECT signed_off_at FROM ledgers.navs WHERE entity_id = $1 AND period = $2",
                entity_id,
                period,
            )
        await conn.execute(
            "INSERT INTO ledgers.periods (entity_id, period, status, closed_by, closed_at) "
            "VALUES ($1, $2, 'closed', $3, now()) "
            "ON CONFLICT (entity_id, period) DO UPDATE SET status = 'closed', "
            "closed_by = EXCLUDED.closed_by, closed_at = now() "
            "WHERE ledgers.periods.status <> 'closed'",
            entity_id,
            period,
            signed_off_by,
        )
    return signed_at
