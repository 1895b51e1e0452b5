"""Notebook widgets: the run view, the review table and the other panels (anywidget front
ends shipped in ``static/``, loaded from the installed package with no network)."""

from ntro_jupyter.widgets._breadcrumb import BreadcrumbWidget
from ntro_jupyter.widgets._datatable import DataTableWidget
from ntro_jupyter.widgets._host import IntentSink
from ntro_jupyter.widgets._panel import PanelWidget
from ntro_jupyter.widgets._record import RECORD_MIME, LiveRecord, flush_records, front_end_seen
from ntro_jupyter.widgets._run_view import RunView, default_reviewer, panel_widget_for
from ntro_jupyter.widgets._standalone import standalone_page
from ntro_jupyter.widgets._static import render_run_html

__all__ = [
    "RECORD_MIME",
    "BreadcrumbWidget",
    "DataTableWidget",
    "IntentSink",
    "LiveRecord",
    "PanelWidget",
    "RunView",
    "default_reviewer",
    "flush_records",
    "front_end_seen",
    "panel_widget_for",
    "render_run_html",
    "standalone_page",
]
