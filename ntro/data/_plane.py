"""The tenant data plane: one asyncpg pool per tenant, migrated on first connect, cached per slug.

Why: runbook activities call ``await get_data_plane(slug)`` on every run; the first call per
process opens the pool (creating the tenant's database and applying pending migrations), later
calls return it at once. Records are ``asyncpg.Record`` objects, readable as mappings
(``r["total"]``, ``r.get("period")``, ``dict(r)``). ``json``/``jsonb`` values are decoded to
Python objects, and encoded from Python objects (a ``str`` is taken as JSON text already, so
SQL written as ``$1::jsonb`` with ``json.dumps(...)`` keeps working).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from ntro._errors import NtroError
from ntro.data._migrations import apply_migrations, migrations_generation
from ntro.data._server import EmbeddedPostgresError, embedded_status, start_embedded

if TYPE_CHECKING:
    import asyncpg

__all__ = [
    "ENV_TENANT_POSTGRES_URL",
    "ENV_TENANT_SLUG",
    "DataPlane",
    "DataPlaneError",
    "PostgresDataPlane",
    "Record",
    "clear_cache",
    "close_planes",
    "default_tenant_slug",
    "drop_tenant",
    "get_data_plane",
    "terminate_planes_on",
    "validate_tenant_slug",
]

ENV_TENANT_POSTGRES_URL = "NTRO_TENANT_POSTGRES_URL"
ENV_TENANT_SLUG = "NTRO_TENANT_SLUG"
_DEFAULT_TENANT = "local"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,62}$")
_CONNECT_TIMEOUT_S = 10.0


class Record(Protocol):
    """A result row, read as a mapping (``asyncpg.Record``): ``r["total"]``, ``r.get("x")``."""

    def __getitem__(self, key: str | int) -> Any: ...

    def get(self, key: str, default: Any = None) -> Any: ...

    def keys(self) -> Iterator[str]: ...

    def values(self) -> Iterator[Any]: ...

    def items(self) -> Iterator[tuple[str, Any]]: ...

    def __len__(self) -> int: ...


class DataPlaneError(NtroError, RuntimeError):
    """The data plane could not be reached or set up; the one-line message says why and the fix."""


@runtime_checkable
class DataPlane(Protocol):
    """What runbooks use: Postgres SQL (``$1`` parameters) against one tenant's database."""

    tenant_slug: str

    async def fetch(self, sql: str, *args: Any) -> list[Record]: ...

    async def fetchrow(self, sql: str, *args: Any) -> Record | None: ...

    async def fetchval(self, sql: str, *args: Any) -> Any: ...

    async def execute(self, sql: str, *args: Any) -> str: ...

    async def executemany(self, sql: str, args: Iterable[Sequence[Any]]) -> None: ...

    async def close(self) -> None: ...


def _encode_json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


async def _init_connection(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, encoder=_encode_json, decoder=json.loads, schema="pg_catalog"
        )


class PostgresDataPlane:
    """:class:`DataPlane` on an asyncpg pool; applies newly registered migrations before queries."""

    def __init__(self, pool: asyncpg.Pool, tenant_slug: str, where: str) -> None:
        self._pool = pool
        self.tenant_slug = tenant_slug
        self.where = where
        self._generation = -1
        self._migrate_lock = asyncio.Lock()
        self._loop = asyncio.get_running_loop()
        self._releasing: set[asyncio.Future[Any]] = set()

    def __repr__(self) -> str:
        return f"PostgresDataPlane(tenant={self.tenant_slug!r}, at={self.where!r})"

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran (or the pool was terminated)."""
        return self._pool.is_closing()

    async def migrate(self) -> None:
        """Apply registered migrations this database has not recorded yet."""
        async with self._migrate_lock:
            generation = migrations_generation()
            if generation == self._generation:
                return
            async with self._pool.acquire() as connection:
                await apply_migrations(connection)
            self._generation = generation

    async def _ready(self) -> None:
        if self._generation != migrations_generation():
            await self.migrate()

    async def _statement(self, method: str, sql: str, *args: Any) -> Any:
        """Run one statement on a pooled connection and hand it back without waiting.

        Why: asyncpg resets a connection on release (one more round trip to the server, which
        ``pool.fetch`` and friends make the caller wait for); here the reset runs in the
        background, so a statement costs its own round trip only. The connection rejoins the
        pool once reset; ``close`` waits for that.
        """
        await self._ready()
        connection = await self._pool.acquire()
        try:
            return await getattr(connection, method)(sql, *args)
        finally:
            release = asyncio.ensure_future(self._pool.release(connection))
            self._releasing.add(release)
            release.add_done_callback(self._released)

    def _released(self, release: asyncio.Future[Any]) -> None:
        self._releasing.discard(release)
        if not release.cancelled():
            release.exception()  # a failed reset already terminated that connection

    async def fetch(self, sql: str, *args: Any) -> list[Record]:
        """All rows of ``sql``."""
        return await self._statement("fetch", sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Record | None:
        """The first row of ``sql``, or ``None``."""
        return await self._statement("fetchrow", sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, or ``None``."""
        return await self._statement("fetchval", sql, *args)

    async def execute(self, sql: str, *args: Any) -> str:
        """Run ``sql``; returns Postgres's status tag (``"UPDATE 3"``)."""
        return await self._statement("execute", sql, *args)

    async def executemany(self, sql: str, args: Iterable[Sequence[Any]]) -> None:
        """Run ``sql`` once per argument tuple, in one round trip batch."""
        await self._statement("executemany", sql, list(args))

    def connection(self) -> Any:
        """``async with plane.connection() as conn:`` one pooled asyncpg connection (transactions)."""
        return self._pool.acquire()

    async def close(self) -> None:
        """Close the pool and forget this plane in the cache."""
        _forget(self)
        await self._pool.close()

    def terminate(self) -> None:
        """Close the pool's connections at once, without waiting (usable from sync code)."""
        _forget(self)
        self._pool.terminate()


def validate_tenant_slug(tenant_slug: str) -> str:
    """``tenant_slug`` if it is usable as a database name, else a ``ValueError`` saying the rule."""
    if not isinstance(tenant_slug, str) or not _SLUG.match(tenant_slug):
        raise ValueError(
            f"tenant slug {tenant_slug!r} is not valid: use lower-case letters, digits, '_' or '-' "
            "(starting with a letter or digit, at most 63 characters), e.g. 'acme'"
        )
    return tenant_slug


def default_tenant_slug() -> str:
    """``$NTRO_TENANT_SLUG`` if set, else ``local``."""
    return os.environ.get(ENV_TENANT_SLUG) or _DEFAULT_TENANT


@dataclass
class _Entry:
    plane: PostgresDataPlane
    loop: asyncio.AbstractEventLoop
    server: Path | None  # the embedded server's data folder; None for a URL backend


# One plane per (slug, event loop): a pool belongs to the loop that opened it, so code that runs
# on two loops (a worker's, and run_sync's background loop) keeps one pool on each instead of
# replacing (and orphaning) the other's.
_CACHE: dict[tuple[str, int], _Entry] = {}
_LOCKS: dict[tuple[str, int], tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = {}


def _forget(plane: PostgresDataPlane) -> None:
    for key, entry in list(_CACHE.items()):
        if entry.plane is plane:
            del _CACHE[key]


def _sweep_closed_loops() -> None:
    """Forget planes whose event loop has closed (their pools can no longer be used)."""
    for key, entry in list(_CACHE.items()):
        if entry.loop.is_closed():
            del _CACHE[key]
            _LOCKS.pop(key, None)


def _terminate(entry: _Entry, wait_s: float = 5.0) -> None:
    """Close ``entry``'s pool at once from any thread: on its own loop when that loop runs in
    another thread (asyncpg pools are not thread-safe), waiting up to ``wait_s`` for it."""
    if entry.loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if entry.loop.is_running() and entry.loop is not running:

        async def terminate() -> None:
            entry.plane._pool.terminate()

        future = asyncio.run_coroutine_threadsafe(terminate(), entry.loop)
        with contextlib.suppress(concurrent.futures.TimeoutError):
            future.result(wait_s)
    else:
        entry.plane._pool.terminate()


def clear_cache() -> None:
    """Forget every cached plane, closing their connections (tests, or after changing config)."""
    entries = list(_CACHE.values())
    _CACHE.clear()
    _LOCKS.clear()
    for entry in entries:
        _terminate(entry)


def terminate_planes_on(data_dir: Path) -> int:
    """Close every cached plane on the embedded server of ``data_dir``, on any loop; how many.

    Why: :func:`ntro.data.stop_embedded` calls it before stopping that server, so no pool is
    left trying to reconnect to a server that is gone.
    """
    folder = data_dir.absolute()
    doomed = [(k, e) for k, e in _CACHE.items() if e.server == folder]
    for key, entry in doomed:
        _CACHE.pop(key, None)
        _LOCKS.pop(key, None)
        _terminate(entry)
    return len(doomed)


async def close_planes(tenant_slug: str) -> int:
    """Close every cached plane of ``tenant_slug`` in this process, on whichever event loop
    opened it (a worker's, run_sync's background loop); how many were closed.

    Why: before a tenant database is dropped, every pool on it must be closed, or the pools
    left behind try to reconnect to a database that no longer exists.
    """
    running = asyncio.get_running_loop()
    entries = [(k, e) for k, e in _CACHE.items() if k[0] == tenant_slug]
    for key, entry in entries:
        _CACHE.pop(key, None)
        _LOCKS.pop(key, None)
        if entry.loop is running:
            await entry.plane._pool.close()
        elif entry.loop.is_running():
            future = asyncio.run_coroutine_threadsafe(entry.plane._pool.close(), entry.loop)
            try:
                await asyncio.wait_for(asyncio.wrap_future(future), _CONNECT_TIMEOUT_S)
            except TimeoutError:
                _terminate(entry)
        else:
            _terminate(entry)
    return len(entries)


async def drop_tenant(tenant_slug: str) -> bool:
    """Drop ``tenant_slug``'s database on the embedded server, closing every pool on it first.

    Returns ``False`` (and drops nothing) when the data plane is a server given by
    ``$NTRO_TENANT_POSTGRES_URL``, which ntro does not own, or when the embedded server is not
    running. Used by the test harness for its scenario databases and by the test fixtures.
    """
    import asyncpg

    slug = validate_tenant_slug(tenant_slug)
    await close_planes(slug)
    if os.environ.get(ENV_TENANT_POSTGRES_URL):
        return False
    status = embedded_status()
    if not status.running or status.socket_dir is None:
        return False
    admin = await asyncpg.connect(
        host=str(status.socket_dir), port=status.port or 5432, user="postgres", database="postgres"
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{slug}" WITH (FORCE)')
    finally:
        await admin.close()
    return True


def _describe_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{host}:{parts.port or 5432}"


async def _connect_pool(slug: str, **connect: Any) -> asyncpg.Pool:
    import asyncpg

    size = int(os.environ.get("NTRO_DATA_POOL_SIZE", "5"))
    return await asyncpg.create_pool(
        min_size=1,
        max_size=max(1, size),
        init=_init_connection,
        timeout=_CONNECT_TIMEOUT_S,
        **connect,
    )


async def _external_pool(slug: str, url: str) -> tuple[asyncpg.Pool, str]:
    import asyncpg

    dsn = url.replace("{tenant}", slug)
    where = _describe_url(dsn)
    try:
        pool = await _connect_pool(slug, dsn=dsn)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DataPlaneError(
            f"tenant Postgres at {where} is unreachable ({reason}); start that server or fix "
            f"{ENV_TENANT_POSTGRES_URL}"
        ) from None
    return pool, where


async def _embedded_pool(slug: str) -> tuple[asyncpg.Pool, str, Path]:
    import asyncpg

    try:
        status = await asyncio.to_thread(start_embedded)
    except EmbeddedPostgresError as err:
        raise DataPlaneError(str(err)) from err
    host, port = str(status.socket_dir), status.port or 5432
    where = f"embedded PostgreSQL in {status.data_dir}, database {slug!r}"
    try:
        return (
            await _connect_pool(slug, host=host, port=port, user="postgres", database=slug),
            where,
            status.data_dir,
        )
    except asyncpg.InvalidCatalogNameError:
        pass
    admin = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{slug}"')
    except asyncpg.DuplicateDatabaseError:
        pass  # another process created it first
    finally:
        await admin.close()
    pool = await _connect_pool(slug, host=host, port=port, user="postgres", database=slug)
    return pool, where, status.data_dir


async def get_data_plane(tenant_slug: str | None = None) -> DataPlane:
    """The data plane of ``tenant_slug`` (default :func:`default_tenant_slug`), cached per slug.

    With ``$NTRO_TENANT_POSTGRES_URL`` set, an asyncpg pool on that server (a ``{tenant}`` in the
    URL is replaced by the slug, else every tenant shares the URL's database). Otherwise the
    embedded PostgreSQL (started on first use), one database per tenant slug. Pending
    migrations are applied before the plane is returned.
    """
    slug = validate_tenant_slug(tenant_slug if tenant_slug is not None else default_tenant_slug())
    loop = asyncio.get_running_loop()
    key = (slug, id(loop))
    entry = _CACHE.get(key)
    if entry is not None and entry.loop is loop and not entry.plane.closed:
        return entry.plane
    held = _LOCKS.get(key)
    if held is None or held[0] is not loop:  # a new loop may reuse a closed one's id
        held = _LOCKS[key] = (loop, asyncio.Lock())
    async with held[1]:
        entry = _CACHE.get(key)
        if entry is not None and entry.loop is loop and not entry.plane.closed:
            return entry.plane
        _sweep_closed_loops()
        url = os.environ.get(ENV_TENANT_POSTGRES_URL)
        server: Path | None = None
        if url:
            pool, where = await _external_pool(slug, url)
        else:
            pool, where, server = await _embedded_pool(slug)
        plane = PostgresDataPlane(pool, slug, where)
        try:
            await plane.migrate()
        except BaseException:
            pool.terminate()
            raise
        _CACHE[key] = _Entry(plane=plane, loop=loop, server=server)
        return plane
