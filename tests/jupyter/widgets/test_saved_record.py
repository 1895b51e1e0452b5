"""A live view's output keeps the run's last state for a notebook saved without a front end:
what an nbclient execution receives at the end of each cell, and what a live front end does
not receive (its widget must stay)."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ntro_jupyter.widgets import RECORD_MIME, LiveRecord, _record, flush_records, render_run_html
from tests.jupyter import states

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def no_front_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts in a kernel no widget front end has talked to (as under nbclient)."""
    monkeypatch.setattr(_record, "_front_end", threading.Event())
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", None)
    InteractiveShell.instance()


class Run:
    """A run whose state the test moves on, and the record of its live widget."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = states.extraction_review()
        self.widget = ipywidgets.HTML()
        self.record = LiveRecord(self.widget, self.render)

    def render(self) -> tuple[dict[str, Any], str, str]:
        return self.state, render_run_html(self.state), f"{self.state['workflow_id']}"

    def move_on(self, state: dict[str, Any]) -> None:
        self.state = state
        self.record.changed()


def outputs(capture: Any) -> list[dict[str, Any]]:
    return [output.data for output in capture.outputs]


def test_the_live_view_is_shown_with_its_record_and_a_display_id() -> None:
    run = Run()
    with capture_output() as shown:
        run.record.display()
    (data,) = outputs(shown)
    assert WIDGET_MIME in data
    assert data[RECORD_MIME]["state"]["workflow_id"] == run.state["workflow_id"]
    assert "Review extraction" in data["text/html"]


def test_a_cell_end_replaces_the_output_with_the_last_state_and_no_widget() -> None:
    run = Run()
    with capture_output():
        run.record.display()
    run.move_on(states.completed_run())
    with capture_output() as updated:
        flush_records()
    (data,) = outputs(updated)
    assert WIDGET_MIME not in data  # a saved file shows the record, not an empty widget
    assert data[RECORD_MIME]["state"]["status"] == "completed"
    assert "The run completed." in data["text/html"]
    with capture_output() as again:
        flush_records()
    assert outputs(again) == []  # nothing moved on: nothing sent
    assert run.record.updates == 1


def test_a_front_end_that_draws_widgets_keeps_its_live_widget() -> None:
    run = Run()
    with capture_output():
        run.record.display()
    _record.mark_front_end()  # what the breadcrumb reports once JupyterLab drew it
    run.move_on(states.completed_run())
    with capture_output() as updated:
        flush_records()
    assert outputs(updated) == []
    assert run.record.updates == 0


def test_a_front_end_connected_to_the_kernel_counts_before_anything_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = Run()
    with capture_output():
        run.record.display()
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", object())  # JupyterLab connected
    run.move_on(states.completed_run())
    with capture_output() as updated:
        flush_records()
    assert outputs(updated) == []


def test_a_closed_run_becomes_the_record_even_where_a_front_end_draws_widgets() -> None:
    run = Run()
    with capture_output():
        run.record.display()
    _record.mark_front_end()
    run.move_on(states.completed_run())
    with capture_output() as closed:
        run.record.finish()
    (data,) = outputs(closed)
    assert WIDGET_MIME not in data  # reopened without a kernel, the outcome still shows
    assert data[RECORD_MIME]["state"]["status"] == "completed"
    with capture_output() as after:
        flush_records()
    assert outputs(after) == []  # the cell end has nothing newer to send


def test_a_run_closed_before_it_is_shown_is_shown_as_its_record() -> None:
    run = Run()  # %ntro attach to a finished run: the view sees it closed before display
    run.move_on(states.completed_run())
    run.record.finish()
    with capture_output() as shown:
        run.record.display()
    (data,) = outputs(shown)
    assert WIDGET_MIME not in data
    assert "The run completed." in data["text/html"]


def test_a_cell_sent_by_jupyterlab_counts_as_a_front_end_before_anything_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run All in JupyterLab: the first cell end comes before the widget is drawn."""

    class Kernel:
        def get_parent(self) -> dict[str, Any]:
            return {"header": {"msg_type": "execute_request"}, "metadata": {"cellId": "c-2"}}

    run = Run()
    with capture_output():
        run.record.display()
    monkeypatch.setattr(InteractiveShell.instance(), "kernel", Kernel(), raising=False)
    run.move_on(states.completed_run())
    with capture_output() as updated:
        flush_records()
    assert outputs(updated) == []  # the live widget stays
