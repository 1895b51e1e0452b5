"""Pytest fixtures for code that uses the data plane: a real embedded PostgreSQL per test session.

Import them into a ``conftest.py``::

    from ntro.data.testing import embedded_pg, isolated_pg_dir, tenant_db  # noqa: F401

``isolated_pg_dir`` (session, autouse) points ``$NTRO_PG_DIR`` at a temporary folder for the
whole session, so anything that reaches the data plane (a document upload, a runbook activity,
a dev-server worker started as a subprocess) uses a server there and never the project's
``.ntro/pg``; at the end it stops that server if anything started it, so nothing is left
running. ``embedded_pg`` (session) starts the server there. ``tenant_db`` gives each test a fresh tenant
database (a new slug) as a :class:`~ntro.data.DataPlane` and drops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ntro.data._plane import (
    ENV_TENANT_POSTGRES_URL,
    PostgresDataPlane,
    clear_cache,
    drop_tenant,
    get_data_plane,
)
from ntro.data._server import ENV_PG_DIR, EmbeddedStatus, start_embedded, stop_embedded

__all__ = ["embedded_pg", "isolated_pg_dir", "tenant_db"]


@pytest.fixture(scope="session", autouse=True)
def isolated_pg_dir() -> Iterator[Path]:
    """``$NTRO_PG_DIR`` for this session: a temporary folder; its server stopped at the end.

    The folder is not under pytest's ``tmp_path``: pytest deletes old base folders when another
    test session starts, which would pull the data from under a running server.
    """
    root = Path(tempfile.mkdtemp(prefix="ntro-pg-"))
    folder = root / "pg"
    saved = {name: os.environ.get(name) for name in (ENV_PG_DIR, ENV_TENANT_POSTGRES_URL)}
    os.environ[ENV_PG_DIR] = str(folder)
    os.environ.pop(ENV_TENANT_POSTGRES_URL, None)
    clear_cache()
    try:
        yield folder
    finally:
        clear_cache()
        stop_embedded(folder)
        shutil.rmtree(root, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def embedded_pg(isolated_pg_dir: Path) -> EmbeddedStatus:
    """The embedded PostgreSQL of this test session (stopped by ``isolated_pg_dir``)."""
    return start_embedded(isolated_pg_dir)


@pytest.fixture
async def tenant_db(embedded_pg: EmbeddedStatus) -> AsyncIterator[PostgresDataPlane]:
    """A fresh, migrated tenant database for one test; dropped afterwards."""
    slug = f"t_{uuid.uuid4().hex[:12]}"
    plane = await get_data_plane(slug)
    assert isinstance(plane, PostgresDataPlane)
    try:
        yield plane
    finally:
        await drop_tenant(slug)
