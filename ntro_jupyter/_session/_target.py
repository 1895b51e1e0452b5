"""Where a session's workflows run (harness, local dev server, remote cluster) and who reviews.

A target is read from arguments or from the environment the published SDK uses
(``TEMPORAL_HOST``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS``); with
nothing configured it is the harness (Temporal's time-skipping test server, in memory), so
``%ntro load`` then ``%ntro run`` work out of the box.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

__all__ = [
    "ClusterUnreachable",
    "IdentityError",
    "WorkflowNotFound",
    "SessionError",
    "Target",
    "TargetKind",
    "resolve_reviewer",
]

TargetKind = Literal["harness", "dev", "remote"]


class SessionError(Exception):
    """Something a user did or met (bad id, cluster down, bad argument); one readable line."""


class ClusterUnreachable(SessionError):
    """The Temporal server did not answer (down, wrong address, network)."""


class WorkflowNotFound(SessionError):
    """No workflow with that id exists on the session's target."""


class IdentityError(SessionError):
    """No reviewer identity could be found; decisions are never sent anonymously."""


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _default_db(environ: Mapping[str, str]) -> Path:
    configured = (environ.get("NTRO_DEV_DB") or "").strip()
    db = Path(configured).expanduser() if configured else Path(".ntro") / "temporal.db"
    return db if db.is_absolute() else Path.cwd() / db


def _env_port(environ: Mapping[str, str], name: str, default: int) -> int:
    """The dev server's port from ``NTRO_DEV_PORT`` / ``NTRO_DEV_UI_PORT`` (what ``make demo``
    sets), else the default."""
    value = (environ.get(name) or "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SessionError(
            f"{name}={value!r} is not a port number; set it to e.g. {default}"
        ) from None


@dataclass(frozen=True)
class Target:
    """A Temporal server a session connects to.

    - ``harness``: the in-memory time-skipping test server, started by the session (its
      workflows end with the kernel).
    - ``dev``: the local ``temporal server start-dev`` with an SQLite file (``db_file``), started
      by the session when it is not running; workflows survive kernel restarts.
    - ``remote``: a cluster at ``address`` (``host:port``), with ``namespace``, TLS and an API key.
    """

    kind: TargetKind = "harness"
    address: str | None = None
    namespace: str = "default"
    tls: bool = False
    api_key: str | None = field(default=None, repr=False)
    db_file: Path | None = None
    port: int = 7233
    ui_port: int = 8233

    @classmethod
    def harness(cls) -> Target:
        return cls("harness")

    @classmethod
    def dev(
        cls,
        db_file: str | os.PathLike[str] | None = None,
        *,
        port: int = 7233,
        ui_port: int = 8233,
        namespace: str = "default",
        environ: Mapping[str, str] | None = None,
    ) -> Target:
        env = os.environ if environ is None else environ
        db = Path(db_file).expanduser() if db_file is not None else _default_db(env)
        if not db.is_absolute():
            db = Path.cwd() / db
        return cls("dev", namespace=namespace, db_file=db, port=port, ui_port=ui_port)

    @classmethod
    def remote(
        cls,
        address: str,
        *,
        namespace: str = "default",
        tls: bool | None = None,
        api_key: str | None = None,
    ) -> Target:
        address = address.strip()
        if not address or ":" not in address or address.startswith(":"):
            raise SessionError(
                f"{address!r} is not a cluster address: use host:port, e.g. "
                f"'temporal.example.com:7233'"
            )
        return cls(
            "remote",
            address=address,
            namespace=namespace or "default",
            tls=bool(tls) or api_key is not None,
            api_key=api_key or None,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Target:
        """``TEMPORAL_HOST`` set: that cluster; otherwise the harness."""
        env = os.environ if environ is None else environ
        host = (env.get("TEMPORAL_HOST") or "").strip()
        namespace = (env.get("TEMPORAL_NAMESPACE") or "").strip() or "default"
        if not host:
            return cls.harness()
        api_key = (env.get("TEMPORAL_API_KEY") or "").strip() or None
        return cls.remote(
            host, namespace=namespace, tls=_truthy(env.get("TEMPORAL_TLS")), api_key=api_key
        )

    @classmethod
    def parse(
        cls,
        spec: str | None,
        *,
        namespace: str | None = None,
        tls: bool | None = None,
        api_key: str | None = None,
        db_file: str | None = None,
        port: int | None = None,
        ui_port: int | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Target:
        """``harness``, ``dev``, a ``host:port`` address, or None (the environment's)."""
        env = os.environ if environ is None else environ
        if spec is None or spec == "":
            base = cls.from_env(env)
            if base.kind == "remote":
                return replace(
                    base,
                    namespace=namespace or base.namespace,
                    tls=base.tls if tls is None else (tls or api_key is not None),
                    api_key=api_key or base.api_key,
                )
            spec = "harness"
        if spec in ("harness", "time-skipping", "test"):
            return cls.harness()
        if spec in ("dev", "local"):
            return cls.dev(
                db_file,
                port=port or _env_port(env, "NTRO_DEV_PORT", 7233),
                ui_port=ui_port or _env_port(env, "NTRO_DEV_UI_PORT", 8233),
                namespace=namespace or "default",
                environ=env,
            )
        env_key = (env.get("TEMPORAL_API_KEY") or "").strip() or None
        return cls.remote(
            spec,
            namespace=namespace or (env.get("TEMPORAL_NAMESPACE") or "").strip() or "default",
            tls=_truthy(env.get("TEMPORAL_TLS")) if tls is None else tls,
            api_key=api_key or env_key,
        )

    def describe(self) -> str:
        if self.kind == "harness":
            return "harness (Temporal time-skipping test server, in memory)"
        if self.kind == "dev":
            return f"local dev server (database {self.db_file}, namespace {self.namespace})"
        extras = []
        if self.tls:
            extras.append("TLS")
        if self.api_key:
            extras.append("API key")
        more = f", {' + '.join(extras)}" if extras else ""
        return f"cluster {self.address} (namespace {self.namespace}{more})"


_IDENTITY_SOURCES = (
    ("NTRO_REVIEWER", "NTRO_REVIEWER"),
    ("JUPYTERHUB_USER", "the JupyterHub user (JUPYTERHUB_USER)"),
    ("USER", "the system user (USER)"),
    ("LOGNAME", "the system user (LOGNAME)"),
)


def resolve_reviewer(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """``(reviewer, where it came from)``: argument, ``NTRO_REVIEWER``, the Jupyter user.

    This is the kernel user's own claim: the kernel connects to the cluster with its own
    credentials and could send any name, so nothing here is checked against a login. A
    decision that must come from an authenticated person goes through the JupyterLab server
    extension, which takes the name from the signed-in user and the roles from the server's
    ``NTRO_REVIEWER_ROLES`` (:mod:`ntro_jupyter._server._identity`). Raises
    :class:`IdentityError` when none is found: a decision is never recorded without a reviewer.
    """
    if explicit is not None:
        if not str(explicit).strip():
            raise IdentityError(
                "the reviewer given is empty: pass a name or email, e.g. --as alice"
            )
        return str(explicit).strip(), "the argument"
    env = os.environ if environ is None else environ
    for key, label in _IDENTITY_SOURCES:
        value = (env.get(key) or "").strip()
        if value:
            return value, label
    if environ is None:
        try:
            user = getpass.getuser().strip()
        except (KeyError, OSError):
            user = ""
        if user:
            return user, "the system user"
    raise IdentityError(
        "no reviewer identity: pass one (--as NAME, or reviewer= in Python), or set "
        "NTRO_REVIEWER; decisions are not sent without a name"
    )
