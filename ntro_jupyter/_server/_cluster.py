"""Which Temporal cluster the Jupyter server talks to, and one client for it.

Configured like the kernel session: ``TEMPORAL_HOST`` (``host:port``) names a cluster, with
``TEMPORAL_NAMESPACE`` (default ``default``), ``TEMPORAL_API_KEY`` and ``TEMPORAL_TLS``;
without ``TEMPORAL_HOST`` the cluster is the embedded local dev server (``ntro dev-server``,
SQLite file ``.ntro/temporal.db`` under the server's root directory, or ``NTRO_DEV_DB``;
ports 7233 and 8233, or ``NTRO_DEV_PORT`` and ``NTRO_DEV_UI_PORT``), which the "Start local
Temporal server" command starts. Nothing here assumes the server is
local: a remote address is used as given.

Every failure to reach the cluster becomes :class:`ClusterUnavailable`, whose message says
where it looked and what to do, so the inbox shows a state instead of spinning.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from ntro._devserver import DevServer, DevServerStatus

__all__ = ["Cluster", "ClusterConfig", "ClusterUnavailable", "is_unreachable"]

CONNECT_TIMEOUT_S = 5.0

_UNREACHABLE_CODES = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED}


class ClusterUnavailable(Exception):
    """The cluster cannot be reached (or is not running); the message says what to do."""

    def __init__(self, message: str, *, address: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.address = address
        self.detail: str | None = None


_REASONS = (
    ("connection refused", "connection refused (nothing listens on that port)"),
    ("name or service not known", "unknown host name"),
    ("dns error", "unknown host name"),
    ("no answer within", None),
    ("deadline", "no answer in time"),
    ("timed out", "no answer in time"),
    ("certificate", "TLS certificate rejected"),
    ("tls", "TLS handshake failed"),
    ("unauthenticated", "the API key or credentials were refused"),
)


def _short_reason(detail: str) -> str:
    """A transport error as a few words a person can act on (the full text stays in logs)."""
    lowered = detail.lower()
    for needle, words in _REASONS:
        if needle in lowered:
            return words or detail
    return detail if len(detail) <= 160 else detail[:157] + "..."


def is_unreachable(err: BaseException) -> bool:
    """Whether an RPC error means the cluster is down (rather than a refused request)."""
    return isinstance(err, RPCError) and err.status in _UNREACHABLE_CODES


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _port(env: dict[str, str], name: str, default: int) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ValueError(f"{name} must be a port number (1-65535), got {value!r}")
    return port


@dataclass(frozen=True)
class ClusterConfig:
    """Where the cluster is. ``address`` None means the embedded local dev server.

    The API key never appears in ``repr`` (so not in logs or tracebacks either).
    """

    address: str | None
    namespace: str = "default"
    api_key: str | None = field(default=None, repr=False)
    tls: bool = False
    dev_db: Path = Path(".ntro") / "temporal.db"
    dev_port: int = 7233
    dev_ui_port: int = 8233

    @property
    def mode(self) -> str:
        return "remote" if self.address else "local"

    @classmethod
    def from_env(
        cls, root_dir: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None
    ) -> ClusterConfig:
        env = dict(os.environ if environ is None else environ)
        address = (env.get("TEMPORAL_HOST") or "").strip() or None
        api_key = (env.get("TEMPORAL_API_KEY") or "").strip() or None
        db = env.get("NTRO_DEV_DB")
        root = Path(root_dir) if root_dir is not None else Path.cwd()
        dev_db = Path(db).expanduser() if db else Path(".ntro") / "temporal.db"
        if not dev_db.is_absolute():
            dev_db = root / dev_db
        return cls(
            address=address,
            namespace=(env.get("TEMPORAL_NAMESPACE") or "").strip() or "default",
            api_key=api_key,
            tls=_truthy(env.get("TEMPORAL_TLS")) or api_key is not None,
            dev_db=dev_db,
            dev_port=_port(env, "NTRO_DEV_PORT", 7233),
            dev_ui_port=_port(env, "NTRO_DEV_UI_PORT", 8233),
        )


class Cluster:
    """A lazily connected Temporal client for the configured cluster.

    One client is shared by every request. In local mode the address is read from the dev
    server's state file on each call, so a server started (or restarted on another port)
    after JupyterLab is found without a restart.
    """

    def __init__(self, config: ClusterConfig) -> None:
        self.config = config
        self.dev_server = DevServer(
            config.dev_db,
            port=config.dev_port,
            ui_port=config.dev_ui_port,
            namespace=config.namespace,
        )
        self._client: Client | None = None
        self._client_address: str | None = None
        self._lock = asyncio.Lock()
        self.last_error: str | None = None

    # -- where -------------------------------------------------------------------------
    def local_status(self) -> DevServerStatus:
        return self.dev_server.status()

    def address(self) -> str:
        """The gRPC address to use; raises ClusterUnavailable when the local server is down."""
        if self.config.address:
            return self.config.address
        status = self.local_status()
        if not status.running:
            raise ClusterUnavailable(
                f"The local Temporal dev server is not running (database {status.db_file}). "
                f'Start it with the command "ntro: Start local Temporal server" or '
                f"`ntro dev-server start --detach`, or set TEMPORAL_HOST to a cluster address "
                f"and restart JupyterLab.",
                address=status.address,
            )
        return status.address

    def ui_url(self) -> str | None:
        if self.config.address:
            return os.environ.get("TEMPORAL_UI_URL") or None
        status = self.local_status()
        return status.ui_url if status.running else None

    def describe(self) -> dict[str, Any]:
        """What the status endpoint reports (no network calls)."""
        info: dict[str, Any] = {"mode": self.config.mode, "namespace": self.config.namespace}
        if self.config.address:
            info.update(address=self.config.address, running=None, ui_url=self.ui_url())
        else:
            status = self.local_status()
            info.update(
                address=status.address,
                running=status.running,
                ui_url=status.ui_url if status.running else None,
                db_file=status.db_file,
            )
        return info

    # -- client ------------------------------------------------------------------------
    async def client(self) -> Client:
        """The shared client, connecting on first use (5 s at most)."""
        address = self.address()
        async with self._lock:
            if self._client is not None and self._client_address == address:
                return self._client
            try:
                from ntro.testing._harness import quiet_runtime

                self._client = await asyncio.wait_for(
                    Client.connect(
                        address,
                        namespace=self.config.namespace,
                        data_converter=pydantic_data_converter,
                        api_key=self.config.api_key,
                        tls=self.config.tls,
                        runtime=quiet_runtime(),
                    ),
                    CONNECT_TIMEOUT_S,
                )
            except TimeoutError:
                self._client = None
                raise self.unavailable(f"no answer within {CONNECT_TIMEOUT_S:g} s") from None
            except Exception as err:  # connection refused, DNS, TLS: all "cannot reach"
                self._client = None
                raise self.unavailable(str(err) or type(err).__name__) from None
            self._client_address = address
            self.last_error = None
            return self._client

    def unavailable(self, detail: str) -> ClusterUnavailable:
        """A ClusterUnavailable naming the address and namespace, for an RPC failure."""
        address = self.config.address or self._client_address or self.dev_server.address
        where = f"the Temporal cluster at {address} (namespace {self.config.namespace})"
        hint = (
            "Check that it is running and reachable, or change TEMPORAL_HOST."
            if self.config.address
            else 'Start it with "ntro: Start local Temporal server" or `ntro dev-server start '
            "--detach`."
        )
        message = f"Cannot reach {where}: {_short_reason(detail)}. {hint}"
        self.last_error = message
        error = ClusterUnavailable(message, address=address)
        error.detail = detail
        return error

    async def start_local(self, timeout: float = 30.0) -> DevServerStatus:
        """Start the embedded dev server (in a thread: it waits for the port)."""
        status = await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.dev_server.start(timeout=timeout)
        )
        return status
