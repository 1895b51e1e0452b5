"""The tenant data plane: PostgreSQL per tenant, embedded by default, migrated on first connect.

Runbook activities use it with Postgres SQL::

    from ntro.data import get_data_plane

    db = await get_data_plane("acme")          # cached per slug (and event loop)
    rows = await db.fetch("SELECT * FROM ingest.submitted_records WHERE task_id = $1", task_id)
    rows[0]["kind"], rows[0].get("data")       # records read as mappings; jsonb -> Python
    await db.execute("UPDATE ... WHERE id = ANY($1::uuid[])", ids)   # -> "UPDATE 3"

API (for runtime modules such as ``ntro.subledger`` and ``ntro.capabilities``):

- ``await get_data_plane(tenant_slug=None) -> DataPlane``: ``fetch``, ``fetchrow``, ``fetchval``,
  ``execute``, ``executemany``, ``close``; :class:`PostgresDataPlane` adds ``connection()``
  (``async with db.connection() as conn: async with conn.transaction(): ...``). The default slug
  is ``$NTRO_TENANT_SLUG`` or ``local``. Planes are cached per slug and event loop (a pool
  belongs to its loop); ``clear_cache()`` drops every cached plane, ``await close_planes(slug)``
  closes a tenant's planes on every loop, ``await drop_tenant(slug)`` closes them and drops its
  database on the embedded server (scenario and test databases).
- Backends: ``$NTRO_TENANT_POSTGRES_URL`` (``{tenant}`` in it is replaced by the slug), else the
  embedded server from the ``pgserver`` wheel with its data in ``$NTRO_PG_DIR`` or ``.ntro/pg``,
  one database per tenant slug; a new folder is copied from a cluster ``initdb`` made once
  per machine (``$NTRO_PG_TEMPLATE_DIR``, default the user cache). ``start_embedded()`` / ``embedded_status()`` /
  ``stop_embedded()`` (``ntro data status`` / ``ntro data stop``) manage it; the server outlives
  the process that started it and later processes attach to it, except in a notebook: the
  kernel's session stops what ``stop_started_here()`` names when it closes; and
  ``with stop_started_within():`` stops what was started inside the block (not a server it
  attached to), as ``ntro workflow test --real-activities`` does. Stopping a server first
  closes this process's cached planes on it.
- Migrations: ``register_migrations("ntro.capabilities.gl", [(1, "CREATE TABLE gl.x (...)"),
  (2, "ALTER TABLE ...")])`` at import time of the owning module. Steps run in order (owners in
  registration order, then version), once per database, recorded in
  ``system.schema_migrations (owner, version, applied_at)``; a plane already connected applies
  newly registered steps before its next query. Write idempotent SQL (``IF NOT EXISTS``).
- ``ntro.data`` itself creates ``ingest.submitted_documents``, ``ingest.extracted_payloads``,
  ``ingest.submitted_records``, ``ledgers.periods``, ``system.cache_extract (key, schema_slug,
  model, result jsonb, created_at, result_packed bytea)`` (``result_packed``: the same result
  as zlib-compressed JSON, what a cache hit reads), ``system.cache_check (key, result jsonb, created_at)``
  and ``system.task_runs`` (finished runs, for ``ntro.workflow.task.previous``).
- ``run_sync(lambda: coro)`` runs data-plane calls from synchronous code (a background loop).
- Tests: ``ntro.data.testing`` has pytest fixtures (imported by ``tests/conftest.py``):
  ``isolated_pg_dir`` (session, autouse: ``$NTRO_PG_DIR`` is a temporary folder; a server
  anything started there is stopped at the end), ``embedded_pg`` (session: that server,
  started) and ``tenant_db`` (a fresh tenant database per test, a ``PostgresDataPlane``; its
  slug is ``tenant_db.tenant_slug``; dropped after the test).
"""

from ntro.data import _schema as _schema  # registers the data plane's own tables
from ntro.data._migrations import (
    Migration,
    MigrationError,
    apply_migrations,
    register_migrations,
    registered_migrations,
)
from ntro.data._plane import (
    ENV_TENANT_POSTGRES_URL,
    ENV_TENANT_SLUG,
    DataPlane,
    DataPlaneError,
    PostgresDataPlane,
    Record,
    clear_cache,
    close_planes,
    default_tenant_slug,
    drop_tenant,
    get_data_plane,
    validate_tenant_slug,
)
from ntro.data._server import (
    ENV_PG_DIR,
    EmbeddedPostgresError,
    EmbeddedStatus,
    default_pg_dir,
    embedded_status,
    start_embedded,
    stop_embedded,
    stop_started_here,
    stop_started_within,
)
from ntro.data._status import DataPlaneReport, TenantReport, inspect_data_plane
from ntro.data._sync import run_sync

__all__ = [
    "ENV_PG_DIR",
    "ENV_TENANT_POSTGRES_URL",
    "ENV_TENANT_SLUG",
    "DataPlane",
    "DataPlaneError",
    "DataPlaneReport",
    "EmbeddedPostgresError",
    "EmbeddedStatus",
    "Migration",
    "MigrationError",
    "PostgresDataPlane",
    "Record",
    "TenantReport",
    "apply_migrations",
    "clear_cache",
    "close_planes",
    "default_pg_dir",
    "default_tenant_slug",
    "drop_tenant",
    "embedded_status",
    "get_data_plane",
    "inspect_data_plane",
    "register_migrations",
    "registered_migrations",
    "run_sync",
    "start_embedded",
    "stop_embedded",
    "stop_started_here",
    "stop_started_within",
    "validate_tenant_slug",
]
