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
