"""Pools and servers end when their owner ends: a plane is cached per tenant and event loop (a
second loop never orphans the first one's pool), dropping a tenant closes its pools on every
loop, and ``stop_started_within`` stops what was started inside it and nothing else. Each case
checks what a user would see: no "Failed to restore the pool connection floor" warning from
asyncpg, and no server left running."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import pytest

from ntro.data import (
    EmbeddedStatus,
    PostgresDataPlane,
    drop_tenant,
    embedded_status,
    get_data_plane,
    run_sync,
    start_embedded,
    stop_embedded,
    stop_started_within,
)

FLOOR_WARNING = "Failed to restore the pool connection floor"


def pool_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("asyncpg")]


async def test_a_tenant_used_from_two_loops_keeps_one_pool_on_each_and_drops_cleanly(
    embedded_pg: EmbeddedStatus, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="asyncpg")
    slug = f"loops_{uuid.uuid4().hex[:8]}"
    here = await get_data_plane(slug)
    # A document store's sync API runs on run_sync's background loop (from a worker thread).
    there = await asyncio.to_thread(run_sync, lambda: get_data_plane(slug))
    assert there is not here  # a pool belongs to its loop
    assert await get_data_plane(slug) is here  # ... and the first one was not replaced
    assert await asyncio.to_thread(run_sync, lambda: get_data_plane(slug)) is there
    assert isinstance(here, PostgresDataPlane) and isinstance(there, PostgresDataPlane)

    assert await drop_tenant(slug) is True
    assert here.closed and there.closed
    await asyncio.sleep(0.5)  # an orphaned pool would be retrying its floor by now
    assert not [m for m in pool_warnings(caplog) if FLOOR_WARNING in m]
    admin = await get_data_plane(f"admin_{uuid.uuid4().hex[:8]}")
    try:
        assert not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", slug)
    finally:
        await drop_tenant(admin.tenant_slug)


async def test_dropping_a_tenant_on_a_url_backend_drops_nothing(
    embedded_pg: EmbeddedStatus, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = f"url_{uuid.uuid4().hex[:8]}"
    plane = await get_data_plane(slug)
    monkeypatch.setenv(
        "NTRO_TENANT_POSTGRES_URL",
        f"postgresql://postgres@/{{tenant}}?host={embedded_pg.socket_dir}&port={embedded_pg.port}",
    )
    assert await drop_tenant(slug) is False  # a server ntro does not own
    assert plane.closed
    again = await get_data_plane(slug)
    assert await again.fetchval("SELECT current_database()") == slug
    monkeypatch.delenv("NTRO_TENANT_POSTGRES_URL")
    assert await drop_tenant(slug) is True


def test_stop_started_within_stops_what_it_started_and_closes_its_pools(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.WARNING, logger="asyncpg")
    folder = tmp_path / "pg"
    monkeypatch.setenv("NTRO_PG_DIR", str(folder))
    with pytest.raises(RuntimeError, match="boom"), stop_started_within() as stopped:
        assert start_embedded().running
        # A pool on it, on run_sync's loop, as a document store would leave behind.
        plane = run_sync(lambda: get_data_plane("lifetime"))
        raise RuntimeError("boom")  # the block fails: the server is stopped all the same
    assert stopped == [folder.absolute()]
    assert not embedded_status(folder).running
    assert isinstance(plane, PostgresDataPlane) and plane.closed
    assert not [m for m in pool_warnings(caplog) if FLOOR_WARNING in m]


def test_stop_started_within_leaves_a_server_that_was_already_running(tmp_path: Path) -> None:
    folder = tmp_path / "pg"
    start_embedded(folder)
    try:
        with stop_started_within() as stopped:
            assert start_embedded(folder).running  # attaches
        assert stopped == []
        assert embedded_status(folder).running
    finally:
        stop_embedded(folder)
    assert not embedded_status(folder).running


async def test_a_statements_session_settings_never_reach_the_next_one(
    tenant_db: PostgresDataPlane,
) -> None:
    """Statements return before their connection is reset for the next user (the reset runs in
    the background), but the reset still happens before the connection is used again."""
    default = await tenant_db.fetchval("SHOW application_name")
    for round_ in range(20):
        await tenant_db.execute(f"SET application_name = 'leaked-{round_}'")
        assert await tenant_db.fetchval("SHOW application_name") == default
