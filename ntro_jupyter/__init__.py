"""ntro in Jupyter: the run's breadcrumb and review panels as notebook widgets.

``RunView`` draws one workflow (breadcrumb, the open gate's panel, decision history) from its
``current_ui_state`` and hands the reviewer's intents to Python callbacks; it never talks to
Temporal. The review logic lives in :mod:`ntro_jupyter.viewmodels` (no widget imports); the
widget classes are imported lazily so that importing the view-models does not load Jupyter.
"""

from __future__ import annotations

from typing import Any

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

__all__ = sorted(_WIDGETS)


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from ntro_jupyter import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'ntro_jupyter' has no attribute {name!r}")


# ── Jupyter discovery hooks (the labextension and the server extension) ──────────────────


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt labextension lives (``jupyter labextension develop`` uses it)."""
    return [{"src": "labextension", "dest": "ntro-jupyter"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The server extension with the inbox and decision endpoints (``ntro/api/``)."""
    return [{"module": "ntro_jupyter._server"}]
