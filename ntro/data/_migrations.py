"""Versioned, idempotent schema migrations, extendable by any runtime module.

Why: every tenant database must have the same tables before a runbook's SQL runs against it,
whichever process connects first, and modules other than ``ntro.data`` (subledger types, the
capabilities' general ledger) own tables of their own. Each owner registers an ordered list of
``(version, sql)``; :func:`apply_migrations` runs the ones a database has not recorded in
``system.schema_migrations``, in registration order of owners then by version, inside one
transaction holding an advisory lock, so two processes migrating at once apply each step once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ntro._errors import NtroError

__all__ = [
    "Migration",
    "MigrationError",
    "apply_migrations",
    "migrations_generation",
    "register_migrations",
    "registered_migrations",
]

_OWNER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")
_LOCK_KEY = 0x6E74726F  # "ntro": the advisory lock that serialises migrations per database

_BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS system;
CREATE TABLE IF NOT EXISTS system.schema_migrations (
    owner text NOT NULL,
    version integer NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, version)
);
"""


class MigrationError(NtroError, RuntimeError):
    """A migration was registered inconsistently or failed to apply; the message names it."""


@dataclass(frozen=True)
class Migration:
    """One schema step: ``sql`` (one or more statements) applied once per database."""

    owner: str
    version: int
    sql: str


# owner -> version -> sql; dicts keep registration order, which is the apply order of owners.
_REGISTRY: dict[str, dict[int, str]] = {}
_generation = 0


def register_migrations(owner: str, migrations: Iterable[tuple[int, str]]) -> None:
    """Register ``owner``'s schema steps as ``(version, sql)`` pairs (positive integer versions).

    Registering the same step again (a module imported twice) is a no-op; registering a
    different SQL under an already registered version raises :class:`MigrationError`, because
    databases that applied the old SQL would silently differ. Databases already connected pick
    the new steps up on their next query.
    """
    global _generation
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise MigrationError(
            f"migration owner {owner!r} must be a name such as 'ntro.capabilities.gl' "
            "(letters, digits, '_', '.', '-')"
        )
    steps = _REGISTRY.setdefault(owner, {})
    changed = False
    for entry in migrations:
        version, sql = entry
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise MigrationError(
                f"migration version {version!r} of {owner!r} must be a positive integer"
            )
        if not isinstance(sql, str) or not sql.strip():
            raise MigrationError(f"migration {owner!r} v{version} has no SQL")
        known = steps.get(version)
        if known is not None:
            if known.strip() != sql.strip():
                raise MigrationError(
                    f"migration {owner!r} v{version} is already registered with different SQL; "
                    "add a new version instead of editing an applied one"
                )
            continue
        steps[version] = sql
        changed = True
    if changed:
        _REGISTRY[owner] = dict(sorted(steps.items()))
        _generation += 1


def registered_migrations() -> list[Migration]:
    """Every registered step in apply order."""
    return [
        Migration(owner=owner, version=version, sql=sql)
        for owner, steps in _REGISTRY.items()
        for version, sql in steps.items()
    ]


def migrations_generation() -> int:
    """A counter bumped whenever a new step is registered (lets connected planes catch up)."""
    return _generation


async def apply_migrations(connection: Any) -> list[Migration]:
    """Apply the steps ``connection``'s database has not recorded; return the ones applied.

    ``connection`` is an ``asyncpg`` connection. All pending steps run in one transaction: if
    one fails, none is recorded and the error names the owner and version.
    """
    import asyncpg

    applied: list[Migration] = []
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await connection.execute(_BOOTSTRAP)
        done = {
            (r["owner"], r["version"])
            for r in await connection.fetch("SELECT owner, version FROM system.schema_migrations")
        }
        for step in registered_migrations():
            if (step.owner, step.version) in done:
                continue
            try:
                await connection.execute(step.sql)
            except asyncpg.PostgresError as err:
                raise MigrationError(
                    f"migration {step.owner!r} v{step.version} failed: {err}"
                ) from err
            await connection.execute(
                "INSERT INTO system.schema_migrations (owner, version) VALUES ($1, $2)",
                step.owner,
                step.version,
            )
            applied.append(step)
    return applied
