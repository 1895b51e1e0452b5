"""What ``ntro data status`` reports: where the data plane is, its versions and table counts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ntro.data._plane import ENV_TENANT_POSTGRES_URL, DataPlaneError, _describe_url
from ntro.data._server import embedded_status

if TYPE_CHECKING:
    import asyncpg

__all__ = ["DataPlaneReport", "TenantReport", "inspect_data_plane"]

_SCHEMAS = ("ingest", "ledgers", "system", "gl")


@dataclass
class TenantReport:
    """One tenant database: its applied migrations and the row count of each table."""

    database: str
    migrations: dict[str, int] = field(default_factory=dict)  # owner -> highest version
    tables: dict[str, int] = field(default_factory=dict)  # schema.table -> rows


@dataclass
class DataPlaneReport:
    """Where the data plane is and what it holds; ``running`` is False when nothing answers."""

    where: str
    running: bool
    server_version: str | None = None
    tenants: list[TenantReport] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines for a terminal."""
        if not self.running:
            return [self.where]
        out = [f"{self.where}", f"PostgreSQL {self.server_version}"]
        if not self.tenants:
            out.append("no tenant databases yet (one is created on first use)")
        for tenant in self.tenants:
            versions = ", ".join(f"{o} v{v}" for o, v in tenant.migrations.items()) or "none"
            out.append(f"tenant {tenant.database}: migrations {versions}")
            for table, count in tenant.tables.items():
                out.append(f"  {table:<40} {count:>10,} row{'' if count == 1 else 's'}")
        return out


async def _tenant(conn: asyncpg.Connection, database: str) -> TenantReport:
    report = TenantReport(database=database)
    has_migrations = await conn.fetchval("SELECT to_regclass('system.schema_migrations')")
    if has_migrations:
        for r in await conn.fetch(
            "SELECT owner, max(version) AS v FROM system.schema_migrations GROUP BY owner "
            "ORDER BY min(applied_at), owner"
        ):
            report.migrations[r["owner"]] = r["v"]
    tables = await conn.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE' "
        "ORDER BY table_schema, table_name",
        list(_SCHEMAS),
    )
    for t in tables:
        name = f"{t['table_schema']}.{t['table_name']}"
        quoted = f'"{t["table_schema"]}"."{t["table_name"]}"'
        report.tables[name] = await conn.fetchval(f"SELECT count(*) FROM {quoted}")
    return report


async def inspect_data_plane(tenant_slug: str | None = None) -> DataPlaneReport:
    """Inspect the configured data plane without starting it (one tenant, or all of them)."""
    import asyncpg

    url = os.environ.get(ENV_TENANT_POSTGRES_URL)
    if url:
        where = f"tenant Postgres at {_describe_url(url)} ({ENV_TENANT_POSTGRES_URL})"
        dsn = url.replace("{tenant}", tenant_slug or "postgres")
        try:
            conn = await asyncpg.connect(dsn=dsn, timeout=10)
        except (OSError, TimeoutError, asyncpg.PostgresError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise DataPlaneError(
                f"tenant Postgres at {_describe_url(url)} is unreachable ({reason}); start that "
                f"server or fix {ENV_TENANT_POSTGRES_URL}"
            ) from None
        try:
            version = await conn.fetchval("SHOW server_version")
            database = await conn.fetchval("SELECT current_database()")
            report = DataPlaneReport(where=where, running=True, server_version=version)
            report.tenants.append(await _tenant(conn, database))
        finally:
            await conn.close()
        return report
    status = embedded_status()
    if not status.running:
        return DataPlaneReport(where=status.describe(), running=False)
    connect: dict[str, object] = {
        "host": str(status.socket_dir),
        "port": status.port or 5432,
        "user": "postgres",
    }
    admin = await asyncpg.connect(**connect, database="postgres")  # type: ignore[arg-type]
    try:
        version = await admin.fetchval("SHOW server_version")
        names = [
            r["datname"]
            for r in await admin.fetch(
                "SELECT datname FROM pg_database WHERE NOT datistemplate "
                "AND datname <> 'postgres' ORDER BY datname"
            )
        ]
    finally:
        await admin.close()
    report = DataPlaneReport(where=status.describe(), running=True, server_version=version)
    for name in names:
        if tenant_slug is None or name == tenant_slug:
            conn = await asyncpg.connect(**connect, database=name)  # type: ignore[arg-type]
            try:
                report.tenants.append(await _tenant(conn, name))
            finally:
                await conn.close()
    return report
