"""ntro.data on the session's embedded PostgreSQL: migrations, records, cache, backends, CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psutil
import pytest

import ntro.data._migrations as migrations_module
from ntro.cli import run
from ntro.data import (
    DataPlane,
    DataPlaneError,
    EmbeddedStatus,
    MigrationError,
    PostgresDataPlane,
    apply_migrations,
    clear_cache,
    embedded_status,
    get_data_plane,
    register_migrations,
    start_embedded,
    stop_embedded,
)
from ntro.subledger.types.expenses import ExpenseRow

OWN_TABLES = {
    "ingest.submitted_documents",
    "ingest.extracted_payloads",
    "ingest.submitted_records",
    "ledgers.periods",
    "system.cache_extract",
    "system.cache_check",
    "system.schema_migrations",
}


async def tables(db: DataPlane) -> set[str]:
    rows = await db.fetch(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables "
        "WHERE table_schema IN ('ingest', 'ledgers', 'system')"
    )
    return {r["name"] for r in rows}


async def test_a_new_tenant_database_is_migrated_on_first_connect(tenant_db: PostgresDataPlane):
    assert OWN_TABLES <= await tables(tenant_db)
    applied = await tenant_db.fetch("SELECT owner, version FROM system.schema_migrations")
    assert ("ntro.data", 1) in {(r["owner"], r["version"]) for r in applied}
    cols = await tenant_db.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'system' AND table_name = 'cache_extract' ORDER BY ordinal_position"
    )
    assert [c["column_name"] for c in cols] == [
        "key",
        "schema_slug",
        "model",
        "result",
        "created_at",
        "result_packed",
    ]


async def test_migrating_an_already_migrated_database_changes_nothing(
    tenant_db: PostgresDataPlane,
):
    before = await tenant_db.fetchval("SELECT count(*) FROM system.schema_migrations")
    async with tenant_db.connection() as conn:
        assert await apply_migrations(conn) == []
    clear_cache()  # a new process/pool connecting again
    again = await get_data_plane(tenant_db.tenant_slug)
    assert again is not tenant_db
    assert await again.fetchval("SELECT count(*) FROM system.schema_migrations") == before
    await again.close()


async def test_a_module_registers_migrations_that_connected_planes_apply_in_order(
    tenant_db: PostgresDataPlane,
):
    owner = f"tests.{uuid.uuid4().hex[:8]}"
    schema = f"s_{uuid.uuid4().hex[:8]}"
    register_migrations(
        owner,
        [
            (2, f"ALTER TABLE {schema}.things ADD COLUMN IF NOT EXISTS note text"),
            (1, f"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE {schema}.things (id int)"),
        ],
    )
    register_migrations(
        owner, [(1, f"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE {schema}.things (id int)")]
    )
    await tenant_db.execute(f"INSERT INTO {schema}.things (id, note) VALUES (1, 'x')")
    rows = await tenant_db.fetch(
        "SELECT version FROM system.schema_migrations WHERE owner = $1 ORDER BY applied_at, version",
        owner,
    )
    assert [r["version"] for r in rows] == [1, 2]


def test_changing_an_applied_migration_or_a_bad_version_is_refused():
    owner = f"tests.{uuid.uuid4().hex[:8]}"
    register_migrations(owner, [(1, "SELECT 1")])
    with pytest.raises(MigrationError, match="v1 is already registered with different SQL"):
        register_migrations(owner, [(1, "SELECT 2")])
    with pytest.raises(MigrationError, match="version 0 .* positive integer"):
        register_migrations(owner, [(0, "SELECT 1")])
    with pytest.raises(MigrationError, match="owner 'bad owner!'"):
        register_migrations("bad owner!", [(1, "SELECT 1")])


async def test_a_failing_migration_names_itself_and_records_nothing(
    tenant_db: PostgresDataPlane, monkeypatch: pytest.MonkeyPatch
):
    # a private registry copy, so the broken step never reaches other tests' databases
    monkeypatch.setattr(migrations_module, "_REGISTRY", dict(migrations_module._REGISTRY))
    monkeypatch.setattr(migrations_module, "_generation", migrations_module._generation)
    register_migrations("tests.broken", [(1, "CREATE TABLE ok_then (id int)")])
    register_migrations("tests.broken", [(2, "CREATE TABLE nowhere.t (id int)")])
    async with tenant_db.connection() as conn:
        with pytest.raises(MigrationError, match=r"'tests.broken' v2 failed: schema \"nowhere\""):
            await apply_migrations(conn)
        recorded = await conn.fetchval(
            "SELECT count(*) FROM system.schema_migrations WHERE owner = 'tests.broken'"
        )
        assert recorded == 0
        assert await conn.fetchval("SELECT to_regclass('ok_then')") is None


async def test_records_read_as_mappings_with_json_and_uuid_arrays(tenant_db: PostgresDataPlane):
    await tenant_db.execute(
        "INSERT INTO system.cache_check (key, result) VALUES ($1, $2), ($3, $4::jsonb)",
        "a",
        {"total": 12.5, "lines": [1, 2]},
        "b",
        json.dumps({"total": 1}),
    )
    row = await tenant_db.fetchrow("SELECT * FROM system.cache_check WHERE key = $1", "a")
    assert row is not None
    assert row["result"] == {"total": 12.5, "lines": [1, 2]}
    assert row.get("missing") is None and dict(row)["key"] == "a"
    assert (await tenant_db.fetchrow("SELECT * FROM system.cache_check WHERE key = 'b'"))[
        "result"
    ] == {"total": 1}
    assert await tenant_db.fetchrow("SELECT * FROM system.cache_check WHERE key = 'zzz'") is None
    ids = []
    for name in ("x.pdf", "y.pdf", "z.pdf"):
        ids.append(
            await tenant_db.fetchval(
                "INSERT INTO ingest.submitted_documents (entity_slug, source, filename, "
                "content_type, data_bytes) VALUES ('e', 's', $1, 'application/pdf', $2) "
                "RETURNING id",
                name,
                b"%PDF",
            )
        )
    status = await tenant_db.execute(
        "UPDATE ingest.submitted_documents SET period = '2024-01' WHERE id = ANY($1::uuid[])",
        [str(i) for i in ids[:2]],
    )
    assert status == "UPDATE 2"


async def test_planes_are_cached_per_slug_until_cleared(tenant_db: PostgresDataPlane):
    assert await get_data_plane(tenant_db.tenant_slug) is tenant_db
    other = await get_data_plane(f"{tenant_db.tenant_slug}-b")
    assert other is not tenant_db and other.tenant_slug == f"{tenant_db.tenant_slug}-b"
    clear_cache()
    assert await get_data_plane(tenant_db.tenant_slug) is not tenant_db
    clear_cache()


@pytest.mark.parametrize("slug", ["Acme", "", "a b", "x" * 64, "-lead"])
async def test_an_invalid_tenant_slug_is_named(slug: str, embedded_pg: EmbeddedStatus):
    with pytest.raises(ValueError, match=f"tenant slug {slug!r} is not valid"):
        await get_data_plane(slug)


async def test_a_url_backend_with_a_tenant_placeholder(
    embedded_pg: EmbeddedStatus, monkeypatch: pytest.MonkeyPatch
):
    url = f"postgresql://postgres@/{{tenant}}?host={embedded_pg.socket_dir}&port={embedded_pg.port}"
    slug = f"u_{uuid.uuid4().hex[:8]}"
    embedded = await get_data_plane(slug)  # creates the database on the embedded server
    await embedded.close()
    monkeypatch.setenv("NTRO_TENANT_POSTGRES_URL", url)
    clear_cache()
    db = await get_data_plane(slug)
    assert await db.fetchval("SELECT current_database()") == slug
    await db.close()


async def test_a_url_backend_that_is_down_says_so_in_one_line(
    embedded_pg: EmbeddedStatus, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("NTRO_TENANT_POSTGRES_URL", "postgresql://u:secret@127.0.0.1:9/acme")
    clear_cache()
    with pytest.raises(DataPlaneError) as info:
        await get_data_plane("acme")
    message = str(info.value)
    assert "127.0.0.1:9" in message and "NTRO_TENANT_POSTGRES_URL" in message
    assert "\n" not in message and "secret" not in message


def test_status_on_a_url_backend_that_is_down_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("NTRO_TENANT_POSTGRES_URL", "postgresql://u:secret@127.0.0.1:9/acme")
    assert run(["data", "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: tenant Postgres at 127.0.0.1:9 is unreachable")
    assert err.count("\n") == 1


def test_a_second_process_attaches_to_the_running_server(embedded_pg: EmbeddedStatus):
    code = (
        "import asyncio, json, time\n"
        "from ntro.data import start_embedded, get_data_plane\n"
        "t = time.perf_counter(); s = start_embedded(); dt = time.perf_counter() - t\n"
        "async def main():\n"
        "    db = await get_data_plane('attach-test')\n"
        "    return await db.fetchval('SELECT count(*) FROM system.schema_migrations')\n"
        "print(json.dumps({'pid': s.pid, 'seconds': dt, 'migrations': asyncio.run(main())}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(out.stdout)
    assert seen["pid"] == embedded_pg.pid
    assert seen["migrations"] >= 1
    assert seen["seconds"] < 0.3
    assert embedded_status().pid == embedded_pg.pid  # still the one server


@pytest.fixture
async def two_cache_rows(tenant_db: PostgresDataPlane) -> PostgresDataPlane:
    await tenant_db.execute("INSERT INTO system.cache_check (key) VALUES ('k1'), ('k2')")
    return tenant_db


def test_status_lists_tenants_tables_and_versions(
    two_cache_rows: PostgresDataPlane, capsys: pytest.CaptureFixture[str]
):
    tenant_db = two_cache_rows
    assert run(["data", "status", "--tenant", tenant_db.tenant_slug]) == 0
    out = capsys.readouterr().out
    assert "embedded PostgreSQL running" in out and "PostgreSQL 16" in out
    tenant_line = next(
        x for x in out.splitlines() if x.startswith(f"tenant {tenant_db.tenant_slug}:")
    )
    assert "ntro.data v3" in tenant_line
    assert f"ledgers.{ExpenseRow.subledger_name} v1" in tenant_line  # a subledger type's table
    line = next(x for x in out.splitlines() if "system.cache_check" in x)
    assert line.split()[-2] == "2"


def _postmasters(folder: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(folder) in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


@pytest.mark.slow
def test_two_processes_cold_starting_one_folder_share_one_server():
    folder = Path(tempfile.mkdtemp(prefix="ntro-pg-")) / "pg"  # not under pytest's rotated tmp
    code = (
        "import sys, json\nfrom ntro.data import start_embedded\n"
        "print(json.dumps(start_embedded(sys.argv[1]).pid))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        pids = {json.loads(p.communicate(timeout=60)[0]) for p in procs}
        assert len(pids) == 1
        assert len([p for p in _postmasters(folder) if p.pid in pids]) == 1
        env = {**os.environ, "NTRO_PG_DIR": str(folder)}
        out = subprocess.run(
            [sys.executable, "-c", "from ntro.cli import main; main()", "data", "stop"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert out.returncode == 0 and "Stopped the embedded PostgreSQL" in out.stdout
        assert not embedded_status(folder).running and not _postmasters(folder)
    finally:
        stop_embedded(folder)
        shutil.rmtree(folder.parent, ignore_errors=True)


@pytest.mark.slow
def test_new_folders_are_seeded_from_one_cached_cluster(monkeypatch: pytest.MonkeyPatch):
    root = Path(tempfile.mkdtemp(prefix="ntro-pg-"))
    monkeypatch.setenv("NTRO_PG_TEMPLATE_DIR", str(root / "template"))
    try:
        first = start_embedded(root / "a")  # builds the template, then copies it
        [template] = (root / "template").glob("pgserver-*")
        assert (template / "PG_VERSION").read_text().strip() == "16"
        second = start_embedded(root / "b")  # copies it
        assert first.pid != second.pid and (root / "b" / "PG_VERSION").is_file()
        assert not list(root.glob(".*seeding*"))
        assert stop_embedded(root / "a") and stop_embedded(root / "b")
    finally:
        stop_embedded(root / "a")
        stop_embedded(root / "b")
        shutil.rmtree(root, ignore_errors=True)


def test_stop_when_nothing_runs_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("NTRO_PG_DIR", str(tmp_path / "none"))
    assert stop_embedded() is False
    assert run(["data", "stop"]) == 0
    assert "No embedded PostgreSQL running" in capsys.readouterr().out
    assert run(["data", "status"]) == 3
    assert "not running" in capsys.readouterr().out
