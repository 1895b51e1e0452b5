"""Notebook widgets: the run view, the review table and the other panels (anywidget front
ends shipped in ``static/``, loaded from the installed package with no network)."""

from ntro_jupyter.widgets._datatable import DataTableWidget
from ntro_jupyter.widgets._host import IntentSink
from ntro_jupyter.widgets._panel import PanelWidget

__all__ = ["DataTableWidget", "IntentSink", "PanelWidget"]
