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
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from ntro._errors import NtroError
from ntro.data._migrations import apply_migrations, migrations_generation
from ntro.data._server import EmbeddedPostgresError, start_embedded

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
    "default_tenant_slug",
    "get_data_plane",
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

    async def fetch(self, sql: str, *args: Any) -> list[Record]:
        """All rows of ``sql``."""
        await self._ready()
        return await self._pool.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Record | None:
        """The first row of ``sql``, or ``None``."""
        await self._ready()
        return await self._pool.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, or ``None``."""
        await self._ready()
        return await self._pool.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> str:
        """Run ``sql``; returns Postgres's status tag (``"UPDATE 3"``)."""
        await self._ready()
        return await self._pool.execute(sql, *args)

    async def executemany(self, sql: str, args: Iterable[Sequence[Any]]) -> None:
        """Run ``sql`` once per argument tuple, in one round trip batch."""
        await self._ready()
        await self._pool.executemany(sql, list(args))

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


_CACHE: dict[str, _Entry] = {}
_LOCKS: dict[tuple[str, int], asyncio.Lock] = {}


def _forget(plane: PostgresDataPlane) -> None:
    entry = _CACHE.get(plane.tenant_slug)
    if entry is not None and entry.plane is plane:
        del _CACHE[plane.tenant_slug]


def clear_cache() -> None:
    """Forget every cached plane, closing their connections (tests, or after changing config)."""
    entries = list(_CACHE.values())
    _CACHE.clear()
    _LOCKS.clear()
    for entry in entries:
        if entry.loop.is_closed():
            continue
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if entry.loop.is_running() and entry.loop is not running:
            entry.loop.call_soon_threadsafe(entry.plane._pool.terminate)  # another thread's loop
        else:
            entry.plane._pool.terminate()


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


async def _embedded_pool(slug: str) -> tuple[asyncpg.Pool, str]:
    import asyncpg

    try:
        status = await asyncio.to_thread(start_embedded)
    except EmbeddedPostgresError as err:
        raise DataPlaneError(str(err)) from err
    host, port = str(status.socket_dir), status.port or 5432
    where = f"embedded PostgreSQL in {status.data_dir}, database {slug!r}"
    try:
        return await _connect_pool(
            slug, host=host, port=port, user="postgres", database=slug
        ), where
    except asyncpg.InvalidCatalogNameError:
        pass
    admin = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{slug}"')
    except asyncpg.DuplicateDatabaseError:
        pass  # another process created it first
    finally:
        await admin.close()
    return await _connect_pool(slug, host=host, port=port, user="postgres", database=slug), where


async def get_data_plane(tenant_slug: str | None = None) -> DataPlane:
    """The data plane of ``tenant_slug`` (default :func:`default_tenant_slug`), cached per slug.

    With ``$NTRO_TENANT_POSTGRES_URL`` set, an asyncpg pool on that server (a ``{tenant}`` in the
    URL is replaced by the slug, else every tenant shares the URL's database). Otherwise the
    embedded PostgreSQL (started on first use), one database per tenant slug. Pending
    migrations are applied before the plane is returned.
    """
    slug = validate_tenant_slug(tenant_slug if tenant_slug is not None else default_tenant_slug())
    loop = asyncio.get_running_loop()
    entry = _CACHE.get(slug)
    if entry is not None and entry.loop is loop and not entry.plane.closed:
        return entry.plane
    lock = _LOCKS.setdefault((slug, id(loop)), asyncio.Lock())
    async with lock:
        entry = _CACHE.get(slug)
        if entry is not None and entry.loop is loop and not entry.plane.closed:
            return entry.plane
        url = os.environ.get(ENV_TENANT_POSTGRES_URL)
        pool, where = await (_external_pool(slug, url) if url else _embedded_pool(slug))
        plane = PostgresDataPlane(pool, slug, where)
        try:
            await plane.migrate()
        except BaseException:
            pool.terminate()
            raise
        _CACHE[slug] = _Entry(plane=plane, loop=loop)
        return plane
