"""Where the Temporal cluster is: one reading of the environment for every part of ntro.

``TEMPORAL_HOST`` (``host:port``; ``TEMPORAL_ADDRESS``, the Temporal CLI's name, also works)
names a cluster, with ``TEMPORAL_NAMESPACE`` (default ``default``), ``TEMPORAL_API_KEY``,
``TEMPORAL_TLS`` and, for mutual TLS, ``TEMPORAL_TLS_CERT_PATH``, ``TEMPORAL_TLS_KEY_PATH``,
``TEMPORAL_TLS_CA_PATH`` and ``TEMPORAL_TLS_SERVER_NAME`` (the Temporal CLI's names). Without
an address the cluster is the local dev server ``ntro dev-server`` runs: its SQLite file is
``NTRO_DEV_DB`` (default ``.ntro/temporal.db``), its ports ``NTRO_DEV_PORT`` (7233) and
``NTRO_DEV_UI_PORT`` (8233). ``TEMPORAL_UI_URL`` is the Web UI of a remote cluster, for links.

Why one module: the kernel session, the server extension, the CLI and the worker read the same
variables and must agree on them (they used to disagree on the dev ports and the timeout).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from ntro.cluster._errors import ConfigError

__all__ = ["CALL_TIMEOUT", "CONNECT_TIMEOUT_S", "ClusterConfig", "DEFAULT_DEV_DB", "check_address"]

CONNECT_TIMEOUT_S = 10.0
"""Seconds to wait for a cluster to answer a connection (one value for every caller)."""

CALL_TIMEOUT = timedelta(seconds=10)
"""How long one request (start, signal, update, describe) may take before it is retried."""

DEFAULT_DEV_DB = Path(".ntro") / "temporal.db"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _flag(env: Mapping[str, str], name: str) -> bool | None:
    raw = env.get(name)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value: use 1/true/yes or 0/false/no")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ConfigError(f"{name} must be a port number (1-65535), got {raw!r}")
    return port


def check_address(address: str, what: str = "the cluster address") -> str:
    """``address`` stripped, or :class:`ConfigError` when it is not ``host:port``."""
    text = address.strip()
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"{what} {address!r} is not host:port; use e.g. 'temporal.example.com:7233' or "
            f"'localhost:7233'"
        )
    return text


def _read_pem(path: str | os.PathLike[str], what: str) -> bytes:
    file = Path(path).expanduser()
    try:
        return file.read_bytes()
    except OSError as err:
        raise ConfigError(
            f"{what} {str(file)!r} cannot be read ({err.strerror}); give the path of a PEM file"
        ) from None


@dataclass(frozen=True)
class ClusterConfig:
    """A Temporal cluster to connect to; ``address`` None means the local dev server.

    The API key and the TLS material never appear in ``repr`` (logs and tracebacks show
    configs).
    """

    address: str | None = None
    namespace: str = "default"
    api_key: str | None = field(default=None, repr=False)
    tls: bool = False
    tls_cert: bytes | None = field(default=None, repr=False)
    tls_key: bytes | None = field(default=None, repr=False)
    tls_ca: bytes | None = field(default=None, repr=False)
    tls_server_name: str | None = None
    dev_db: Path = DEFAULT_DEV_DB
    dev_port: int = 7233
    dev_ui_port: int = 8233
    ui_url: str | None = None

    @property
    def mode(self) -> str:
        """``remote`` (an address is configured) or ``local`` (the dev server)."""
        return "remote" if self.address else "local"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        root_dir: str | os.PathLike[str] | None = None,
    ) -> ClusterConfig:
        """Read the variables above; a relative ``NTRO_DEV_DB`` is under ``root_dir`` (cwd)."""
        env = os.environ if environ is None else environ
        raw_address = (env.get("TEMPORAL_HOST") or env.get("TEMPORAL_ADDRESS") or "").strip()
        address = check_address(raw_address, "TEMPORAL_HOST") if raw_address else None
        api_key = (env.get("TEMPORAL_API_KEY") or "").strip() or None
        tls = _flag(env, "TEMPORAL_TLS")
        db = (env.get("NTRO_DEV_DB") or "").strip()
        dev_db = Path(db).expanduser() if db else DEFAULT_DEV_DB
        if not dev_db.is_absolute():
            dev_db = (Path(root_dir) if root_dir is not None else Path.cwd()) / dev_db
        config = cls(
            address=address,
            namespace=(env.get("TEMPORAL_NAMESPACE") or "").strip() or "default",
            api_key=api_key,
            tls=bool(tls) or (tls is None and api_key is not None),
            tls_server_name=(env.get("TEMPORAL_TLS_SERVER_NAME") or "").strip() or None,
            dev_db=dev_db,
            dev_port=_port(env, "NTRO_DEV_PORT", 7233),
            dev_ui_port=_port(env, "NTRO_DEV_UI_PORT", 8233),
            ui_url=(env.get("TEMPORAL_UI_URL") or "").strip() or None,
        )
        return config.with_options(
            tls_cert_path=(env.get("TEMPORAL_TLS_CERT_PATH") or "").strip() or None,
            tls_key_path=(env.get("TEMPORAL_TLS_KEY_PATH") or "").strip() or None,
            tls_ca_path=(env.get("TEMPORAL_TLS_CA_PATH") or "").strip() or None,
        )

    def with_options(
        self,
        *,
        address: str | None = None,
        namespace: str | None = None,
        api_key: str | None = None,
        tls: bool | None = None,
        tls_cert_path: str | os.PathLike[str] | None = None,
        tls_key_path: str | os.PathLike[str] | None = None,
        tls_ca_path: str | os.PathLike[str] | None = None,
        tls_server_name: str | None = None,
    ) -> ClusterConfig:
        """This config with the options given (command-line flags) taking precedence."""
        changes: dict[str, Any] = {}
        if address:
            changes["address"] = check_address(address, "--address")
        if namespace:
            changes["namespace"] = namespace.strip()
        if api_key:
            changes["api_key"] = api_key.strip()
            changes["tls"] = True if tls is None else tls
        if tls is not None:
            changes["tls"] = tls
        if tls_cert_path:
            changes["tls_cert"] = _read_pem(tls_cert_path, "the TLS client certificate")
        if tls_key_path:
            changes["tls_key"] = _read_pem(tls_key_path, "the TLS client key")
        if tls_ca_path:
            changes["tls_ca"] = _read_pem(tls_ca_path, "the TLS CA certificate")
        if tls_server_name:
            changes["tls_server_name"] = tls_server_name.strip()
        updated = replace(self, **changes)
        if (updated.tls_cert is None) != (updated.tls_key is None):
            raise ConfigError(
                "mutual TLS needs both a client certificate and its key: set "
                "TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH (or --tls-cert and --tls-key)"
            )
        if updated.tls_cert is not None or updated.tls_ca is not None:
            updated = replace(updated, tls=True)
        return updated

    def describe(self) -> str:
        """``cluster host:port (namespace ns, TLS + API key)`` or the local dev server."""
        if not self.address:
            return f"the local dev server (database {self.dev_db}, namespace {self.namespace})"
        extras = [
            label
            for label, on in (
                ("mutual TLS", self.tls_cert is not None),
                ("TLS", self.tls and self.tls_cert is None),
                ("API key", self.api_key is not None),
            )
            if on
        ]
        more = f", {' + '.join(extras)}" if extras else ""
        return f"the Temporal cluster at {self.address} (namespace {self.namespace}{more})"
