"""Where a session's workflows run: the harness, the local dev server or a remote cluster.

The dev server and a remote cluster are an :class:`ntro.cluster.ClusterConfig`, read from the
environment by ``ClusterConfig.from_env`` exactly as the CLI, the worker and the JupyterLab
server extension read it (``TEMPORAL_HOST``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``,
``TEMPORAL_TLS`` and the mutual-TLS paths, ``NTRO_DEV_DB``, ``NTRO_DEV_PORT``,
``NTRO_DEV_UI_PORT``). What only a notebook has is the harness (Temporal's time-skipping test
server, in memory): with no cluster configured it is the session's target, so ``%ntro load``
then ``%ntro run`` work out of the box.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ntro.cluster import ClusterConfig, ConfigError, check_address
from ntro_jupyter._session._errors import SessionError

__all__ = ["Target", "TargetKind"]

TargetKind = Literal["harness", "dev", "remote"]


@contextmanager
def _settings() -> Iterator[None]:
    """A setting that does not parse is the session's error (one line, same words)."""
    try:
        yield
    except ConfigError as err:
        raise SessionError(str(err)) from None


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
    config: ClusterConfig = field(default_factory=ClusterConfig)

    # -- the config's parts, as the session and the magics name them ---------------------------
    @property
    def address(self) -> str | None:
        return self.config.address

    @property
    def namespace(self) -> str:
        return self.config.namespace

    @property
    def tls(self) -> bool:
        return self.config.tls

    @property
    def api_key(self) -> str | None:
        return self.config.api_key

    @property
    def db_file(self) -> Path | None:
        return self.config.dev_db if self.kind == "dev" else None

    @property
    def port(self) -> int:
        return self.config.dev_port

    @property
    def ui_port(self) -> int:
        return self.config.dev_ui_port

    # -- making one ------------------------------------------------------------------------------
    @classmethod
    def harness(cls) -> Target:
        return cls("harness")

    @classmethod
    def dev(
        cls,
        db_file: str | os.PathLike[str] | None = None,
        *,
        port: int | None = None,
        ui_port: int | None = None,
        namespace: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Target:
        """The local dev server: ``NTRO_DEV_*`` from the environment, arguments first (a cluster
        address configured beside them is not used: ``dev`` means the local server)."""
        with _settings():
            config = ClusterConfig.from_env(environ)
        changes: dict[str, Any] = {"address": None}
        if db_file is not None:
            db = Path(db_file).expanduser()
            changes["dev_db"] = db if db.is_absolute() else Path.cwd() / db
        if port:
            changes["dev_port"] = port
        if ui_port:
            changes["dev_ui_port"] = ui_port
        if namespace:
            changes["namespace"] = namespace
        return cls("dev", replace(config, **changes))

    @classmethod
    def remote(
        cls,
        address: str,
        *,
        namespace: str | None = None,
        tls: bool | None = None,
        api_key: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Target:
        """A cluster at ``address``; TLS, the API key and the namespace default to the
        environment's (``environ`` None: none of it, only the arguments)."""
        with _settings():
            base = ClusterConfig.from_env(environ) if environ is not None else ClusterConfig()
            config = base.with_options(
                address=check_address(address, "the cluster address"),
                namespace=namespace,
                tls=tls,
                api_key=api_key,
            )
        return cls("remote", config)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Target:
        """A cluster address configured (``TEMPORAL_HOST``): that cluster; otherwise the harness."""
        with _settings():
            config = ClusterConfig.from_env(environ)
        return cls("remote", config) if config.address else cls.harness()

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
            if base.kind != "remote":
                return base
            with _settings():
                return cls(
                    "remote",
                    base.config.with_options(namespace=namespace, tls=tls, api_key=api_key),
                )
        if spec in ("harness", "time-skipping", "test"):
            return cls.harness()
        if spec in ("dev", "local"):
            return cls.dev(db_file, port=port, ui_port=ui_port, namespace=namespace, environ=env)
        return cls.remote(spec, namespace=namespace, tls=tls, api_key=api_key, environ=env)

    def describe(self) -> str:
        if self.kind == "harness":
            return "harness (Temporal time-skipping test server, in memory)"
        if self.kind == "dev":
            return f"local dev server (database {self.db_file}, namespace {self.namespace})"
        return "cluster " + self.config.describe().removeprefix("the Temporal cluster at ")
