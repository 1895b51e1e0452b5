"""A live view's output as the record of its run: what a saved notebook keeps.

Why: a live view is a widget, and a widget is drawn only by a front end talking to its kernel.
A notebook executed headless (nbclient, ``jupyter nbconvert --execute``, papermill, a scheduled
close) has no such front end: it saves the widget's first state, so the saved file, and the HTML
made from it, showed an empty breadcrumb. Here each live view is displayed with a display id and
carries, beside the widget, the run's state as data (``application/vnd.ntro.run+json``, drawn by
the labextension with no kernel) and as static HTML. At the end of every cell, the output of
each view whose run moved on is replaced (``update_display_data``) by those two, at the state
the kernel last saw: the breadcrumb with each step's status, the open gate or the decisions
taken (who, when, corrections) and the outcome. nbclient applies the update to the saved output.
(The widgets' own state is not sent again: a comm message published from a cell would route the
widget's incoming messages to the main shell, where a blocked cell would hold them.)

A front end that draws widgets (JupyterLab, Notebook 7, VS Code) keeps the live widget while the
run is open: it names the cell in each execute request (``cellId``, which nbclient does not
send), it may open ipywidgets' control channel, and the breadcrumb reports that it was drawn;
once any of these happened no cell-end update is sent (JupyterLab would draw the widget again,
or replace it, on every update). When the run closes, the output becomes the record in every
front end (:meth:`LiveRecord.finish`): a widget needs its kernel, the record does not, so a
notebook saved afterwards shows the outcome with no kernel.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import ipywidgets

__all__ = ["RECORD_MIME", "LiveRecord", "flush_records", "front_end_seen", "mark_front_end"]

RECORD_MIME = "application/vnd.ntro.run+json"
"""The run's state as data; the labextension draws it at rank 40, before ``text/html``."""
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

_front_end = threading.Event()
_records: weakref.WeakSet[LiveRecord] = weakref.WeakSet()
_hooked: set[int] = set()


def mark_front_end() -> None:
    """A widget front end drew one of this kernel's views (thread-safe)."""
    _front_end.set()


def front_end_seen() -> bool:
    """True once a front end that draws widgets is known to be connected to this kernel."""
    if _front_end.is_set() or getattr(ipywidgets.Widget, "_control_comm", None) is not None:
        return True
    if _cell_sent_by_a_notebook_ui():
        _front_end.set()
        return True
    return False


def _cell_sent_by_a_notebook_ui() -> bool:
    """The running cell came from a notebook UI: JupyterLab, Notebook 7 and VS Code name the
    cell (``cellId``) in the request's metadata; nbclient and papermill send none.

    Why this first: it is known before anything is drawn, so a Run All in JupyterLab cannot
    race a live widget's first cell end.
    """
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent() if kernel is not None else None
    except Exception:  # noqa: BLE001 - no kernel, or a kernel without get_parent
        return False
    metadata = parent.get("metadata") if isinstance(parent, dict) else None
    return isinstance(metadata, dict) and "cellId" in metadata


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LiveRecord:
    """The display of one live widget and the record that replaces it in a headless run.

    ``render`` returns ``(state, html, text)`` for the run's latest state; it is called on the
    kernel's main thread at the end of a cell, only when :meth:`changed` was called since.
    """

    def __init__(
        self, widget: ipywidgets.Widget, render: Callable[[], tuple[dict[str, Any], str, str]]
    ) -> None:
        self.widget = widget
        self.render = render
        self.display_id = f"ntro-run-{uuid.uuid4().hex}"
        self._lock = threading.Lock()
        self._publishing = threading.Lock()
        self._version = 0
        self._flushed = 0
        self._displayed = False
        self._closed = False
        self.updates = 0

    def changed(self) -> None:
        """The run's state or status changed (any thread): the next cell end refreshes it."""
        with self._lock:
            self._version += 1

    def bundle(self, *, live: bool) -> dict[str, Any]:
        """The output's data: the widget (when ``live``), the state as data, HTML and text."""
        state, html, text = self.render()
        data: dict[str, Any] = {
            RECORD_MIME: {"state": state, "taken_at": _now()},
            "text/html": html,
            "text/plain": text,
        }
        if live:
            widget = self.widget._repr_mimebundle_() or {}
            if isinstance(widget, tuple):
                widget = widget[0]
            if WIDGET_MIME in widget:
                data[WIDGET_MIME] = widget[WIDGET_MIME]
        return data

    def display(self) -> None:
        """Show the widget with its record, under this record's display id."""
        from IPython.display import publish_display_data

        with self._publishing:  # a run that closes meanwhile waits for this, then replaces it
            with self._lock:
                self._flushed = self._version
            publish_display_data(  # a run already closed is shown as its record straight away
                self.bundle(live=not self._closed), transient={"display_id": self.display_id}
            )
            self._displayed = True
        _records.add(self)
        _hook_cell_ends()

    def finish(self) -> None:
        """The run closed: its output becomes the record, in every front end (thread-safe).

        The widget has nothing left to decide, and a widget needs its kernel, so from now on a
        saved notebook (JupyterLab's too) shows the run's last state with no kernel.
        """
        from IPython.display import update_display

        with self._publishing:
            self._closed = True
            if not self._displayed:
                return
            with self._lock:
                version = self._version
            update_display(self.bundle(live=False), raw=True, display_id=self.display_id)
            with self._lock:
                self._flushed = max(self._flushed, version)
            self.updates += 1

    def flush(self) -> bool:
        """Replace the output by the record of the latest state, if it changed and no front end
        draws widgets here; True when an update was sent."""
        if not self._displayed or front_end_seen():
            return False
        with self._lock:
            version = self._version
            if version == self._flushed:
                return False
        from IPython.display import update_display

        update_display(self.bundle(live=False), raw=True, display_id=self.display_id)
        with self._lock:
            self._flushed = max(self._flushed, version)
        self.updates += 1
        return True


def flush_records(*_args: Any) -> None:
    """Refresh every displayed record whose run moved on (IPython's ``post_run_cell`` hook)."""
    for record in list(_records):
        try:
            record.flush()
        except Exception:  # noqa: BLE001, S112 - a record must never fail the user's cell
            continue


def _hook_cell_ends() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets brings IPython
        return
    shell = get_ipython()
    if shell is None or id(shell) in _hooked:
        return
    shell.events.register("post_run_cell", flush_records)
    _hooked.add(id(shell))
