"""The Jupyter server's Temporal client: :mod:`ntro.cluster`'s connection, held once, in the
words of the JupyterLab UI.

Everything about reaching a cluster (the environment read by ``ClusterConfig.from_env``, TLS,
the API key, the connect timeout, the one-line failure) is :mod:`ntro.cluster`'s, the same as
for the kernel session, the CLI and the worker. What is added here is what only a server
needs: one client shared by every request, the local dev server's address read on each call
(a server started, or restarted on another port, after JupyterLab is found without a restart),
and hints that name the "ntro: Start local Temporal server" command.

A cluster that cannot be reached is :class:`~ntro.cluster.ClusterUnreachable`
(``ClusterUnavailable`` here, the name the handlers and the inbox use): its message says where
it looked and what to do, so the inbox shows a state instead of spinning.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.client import Client

from ntro.cluster import (
    ClusterConfig,
    ClusterUnreachable,
    DevServerStatus,
    connect,
    connection_failure,
    dev_server,
    is_unreachable,
)

__all__ = ["Cluster", "ClusterConfig", "ClusterUnavailable", "is_unreachable"]

ClusterUnavailable = ClusterUnreachable
"""The server modules' name for :class:`ntro.cluster.ClusterUnreachable` (the same class)."""

_START_HINT = (
    'Start it with "ntro: Start local Temporal server" or `ntro dev-server start --detach`.'
)
_REMOTE_HINT = "Check that it is running and reachable, or change TEMPORAL_HOST."


class Cluster:
    """A lazily connected Temporal client for the configured cluster.

    One client is shared by every request. In local mode the address is read from the dev
    server's state file on each call, so a server started (or restarted on another port)
    after JupyterLab is found without a restart.
    """

    def __init__(self, config: ClusterConfig) -> None:
        self.config = config
        self.dev_server = dev_server(config)
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
                f"{_START_HINT[:-1]}, or set TEMPORAL_HOST to a cluster address and restart "
                f"JupyterLab.",
                address=status.address,
            )
        return status.address

    def ui_url(self) -> str | None:
        if self.config.address:
            return self.config.ui_url
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
    def _hint(self) -> str:
        return _REMOTE_HINT if self.config.address else _START_HINT

    async def client(self) -> Client:
        """The shared client, connecting on first use (``ntro.cluster.CONNECT_TIMEOUT_S``)."""
        address = self.address()
        async with self._lock:
            if self._client is not None and self._client_address == address:
                return self._client
            self._client = None
            try:
                # The namespace is not checked here: a request names what it could not find.
                self._client = await connect(
                    self.config, address=address, check_namespace=False, hint=self._hint()
                )
            except ClusterUnreachable as err:
                self.last_error = err.message
                raise
            self._client_address = address
            self.last_error = None
            return self._client

    def unavailable(self, detail: str) -> ClusterUnavailable:
        """A ClusterUnavailable naming the address and namespace, for an RPC failure."""
        address = self.config.address or self._client_address or self.dev_server.address
        error = connection_failure(self.config, address, detail, self._hint())
        self.last_error = error.message
        return error

    async def start_local(self, timeout: float = 30.0) -> DevServerStatus:
        """Start the embedded dev server (in a thread: it waits for the port)."""
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.dev_server.start(timeout=timeout)
        )
