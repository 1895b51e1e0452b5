"""The Jupyter server extension behind the labextension: the inbox and decision endpoints.

Enabled by ``etc/jupyter/jupyter_server_config.d/ntro_jupyter.json`` (installed with the
package) through ``ntro_jupyter._jupyter_server_extension_points``. Handlers live under
``{base_url}ntro/api/`` and are described in :mod:`ntro_jupyter._server._handlers`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["_load_jupyter_server_extension", "setup"]


def setup(web_app: Any, root_dir: str | None = None, log: Any = None) -> Any:
    """Register the handlers on a Tornado application; returns the shared state."""
    from ntro.cluster import ClusterConfig
    from ntro_jupyter._server._cluster import Cluster
    from ntro_jupyter._server._handlers import NtroServerState, handlers
    from ntro_jupyter._server._identity import ReviewerDirectory
    from ntro_jupyter._server._inbox import Inbox

    config = ClusterConfig.from_env(root_dir=root_dir)
    cluster = Cluster(config)
    reviewers = ReviewerDirectory.from_env()
    state = NtroServerState(cluster=cluster, inbox=Inbox(cluster), reviewers=reviewers)
    web_app.settings["ntro"] = state
    web_app.add_handlers(".*$", handlers(web_app.settings.get("base_url", "/")))
    if log is not None and reviewers.error:
        log.error("ntro: %s", reviewers.error)
    if log is not None:
        where = config.address or f"the local dev server ({config.dev_db})"
        log.info(
            "ntro: review inbox API at %sntro/api/ on %s, namespace %s",
            web_app.settings.get("base_url", "/"),
            where,
            config.namespace,
        )
    return state


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Called by Jupyter Server when the extension is enabled."""
    setup(serverapp.web_app, root_dir=serverapp.root_dir, log=serverapp.log)
