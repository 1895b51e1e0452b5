"""Notebook widgets: the run view, the review table and the other panels (anywidget front
ends shipped in ``static/``, loaded from the installed package with no network)."""

from ntro_jupyter.widgets._datatable import DataTableWidget
from ntro_jupyter.widgets._host import IntentSink

__all__ = ["DataTableWidget", "IntentSink"]
