"""ntro in Jupyter: the run's breadcrumb and review panels as notebook widgets.

``RunView`` draws one workflow (breadcrumb, the open gate's panel, decision history) from its
``current_ui_state`` and hands the reviewer's intents to Python callbacks; it never talks to
Temporal. The review logic lives in :mod:`ntro_jupyter.viewmodels` (no widget imports); the
widget classes are imported lazily so that importing the view-models does not load Jupyter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what editors and type checkers see; at run time imported on first use
    from ntro_jupyter._bridge import RunHandle
    from ntro_jupyter._session import (
        ClusterUnreachable,
        DecisionRefused,
        IdentityError,
        Session,
        SessionError,
        Target,
        WorkflowNotFound,
        get_session,
    )
    from ntro_jupyter.widgets import (
        BreadcrumbWidget,
        DataTableWidget,
        IntentSink,
        PanelWidget,
        RunView,
        default_reviewer,
        panel_widget_for,
        render_run_html,
    )

_WIDGETS = {
    "RunView",
    "DataTableWidget",
    "PanelWidget",
    "BreadcrumbWidget",
    "IntentSink",
    "render_run_html",
    "panel_widget_for",
    "default_reviewer",
}

# The kernel bridge (session, live views, %ntro magics) and its errors, imported on first use.
# ``SessionError`` is the root of the notebook side's errors (itself an ``ntro.NtroError``).
_BRIDGE = {
    "Session": "ntro_jupyter._session",
    "SessionError": "ntro_jupyter._session",
    "ClusterUnreachable": "ntro_jupyter._session",
    "DecisionRefused": "ntro_jupyter._session",
    "IdentityError": "ntro_jupyter._session",
    "WorkflowNotFound": "ntro_jupyter._session",
    "Target": "ntro_jupyter._session",
    "get_session": "ntro_jupyter._session",
    "RunHandle": "ntro_jupyter._bridge",
}

__all__ = [
    "BreadcrumbWidget",
    "ClusterUnreachable",
    "DataTableWidget",
    "DecisionRefused",
    "IdentityError",
    "IntentSink",
    "PanelWidget",
    "RunHandle",
    "RunView",
    "Session",
    "SessionError",
    "Target",
    "WorkflowNotFound",
    "default_reviewer",
    "get_session",
    "load_ipython_extension",
    "panel_widget_for",
    "render_run_html",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from ntro_jupyter import widgets

        return getattr(widgets, name)
    if name in _BRIDGE:
        import importlib

        return getattr(importlib.import_module(_BRIDGE[name]), name)
    raise AttributeError(f"module 'ntro_jupyter' has no attribute {name!r}")


# ── Jupyter discovery hooks (the labextension and the server extension) ──────────────────


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt labextension lives (``jupyter labextension develop`` uses it)."""
    return [{"src": "labextension", "dest": "ntro-jupyter"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The server extension with the inbox and decision endpoints (``ntro/api/``)."""
    return [{"module": "ntro_jupyter._server"}]


# ── %load_ext ntro_jupyter ─────────────────────────────────────────────────────────────────


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%ntro`` magics (``%load_ext ntro_jupyter``); nothing starts until used."""
    from ntro_jupyter._magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext ntro_jupyter``: stop the session's views, workers and harness server."""
    from ntro_jupyter._magics import unload_ipython_extension as unload

    unload(ipython)
