"""The breadcrumb widget: steps, icons, status and children; a click opens a finished step.

Why an anywidget: the Lucide icons are drawn as SVG from the package's own data (no network)
and a step is clickable; the rest of the run view is plain ipywidgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ntro_jupyter.widgets._assets import css_source, esm_source
from ntro_jupyter.widgets._record import mark_front_end


class BreadcrumbWidget(anywidget.AnyWidget):
    """Draws a :func:`~ntro_jupyter.viewmodels.breadcrumb_view` dict; reports step clicks, and
    that a front end drew it (see :mod:`ntro_jupyter.widgets._record`)."""

    _esm = esm_source("breadcrumb.js")
    _css = css_source()

    view = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_select: list[Callable[[str | None], None]] = []
        self.on_msg(self._on_message)

    def on_select(self, callback: Callable[[str | None], None]) -> None:
        """Call ``callback(step_id)`` when a finished step is clicked (None: back to current)."""
        self._on_select.append(callback)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "rendered":
            mark_front_end()
        elif isinstance(content, dict) and content.get("type") == "select":
            step = content.get("step_id")
            for callback in self._on_select:
                callback(None if step is None else str(step))
