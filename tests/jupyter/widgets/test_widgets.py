"""The widgets driven as the front end drives them (the same messages), asserting the intents
the bridge receives and what the reviewer would see."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ntro.documents import DocumentStore
from ntro_jupyter import RunView
from ntro_jupyter.viewmodels import panel_for_state
from ntro_jupyter.widgets import DataTableWidget, IntentSink, PanelWidget, render_run_html
from tests.jupyter import states


def table_widget(sink: IntentSink | None = None) -> DataTableWidget:
    return DataTableWidget(panel_for_state(states.extraction_review(), reviewer="alice"), sink)


def send(widget, **content) -> None:  # noqa: ANN001
    widget._on_message(widget, content, [])


def test_table_edit_message_becomes_a_diff_and_a_correction() -> None:
    decisions: list[dict] = []
    widget = table_widget(IntentSink(on_decision=decisions.append))
    send(widget, type="edit", dataset="line_items", row=1, col=2, text="1205")
    assert widget.state["body"]["edits"]["line_items"] == [[1, 2, "1,250.00", "1,205.00", None]]
    send(widget, type="decide", action="approve", comment="amount misread")
    assert decisions == [
        {
            "action": "correct",
            "corrections": [
                {
                    "line_item_id": "L2",
                    "field": "amount",
                    "old_value": 1250.0,
                    "new_value": "1205.00",
                }
            ],
            "comment": "amount misread",
            "reviewer": "alice",
            "gate_id": "g-extract",
        }
    ]
    assert widget.state["gate"]["status"] == "submitting"


def test_table_sends_row_rejects_while_the_gate_stays_open() -> None:
    rows: list[dict] = []
    widget = table_widget(IntentSink(on_row_action=rows.append))
    send(widget, type="reject_row", dataset="line_items", row=3)
    assert rows == [
        {
            "kind": "row_action",
            "gate_id": "g-extract",
            "reviewer": "alice",
            "payload": {"action": "reject_row", "row_id": "L4"},
        }
    ]
    assert widget.state["body"]["rejected"] == {"line_items": [3]}
    assert widget.state["gate"]["status"] == "open"


def test_table_shows_why_an_edit_or_decision_was_not_sent() -> None:
    decisions: list[dict] = []
    widget = table_widget(IntentSink(on_decision=decisions.append))
    send(widget, type="edit", dataset="line_items", row=0, col=2, text="abc")
    assert "L1 · amount: 'abc' is not a number" in widget.state["notice"]
    send(widget, type="decide", action="reject", comment="")
    assert widget.state["notice"].startswith("Not sent: say why you reject")
    assert decisions == []
    send(widget, type="edit", dataset="nope", row=0, col=0, text="x")
    assert "no dataset 'nope'" in widget.state["notice"]


def test_a_refused_decision_shows_inline_and_keeps_the_edits() -> None:
    widget = table_widget()
    send(widget, type="edit", dataset="line_items", row=1, col=2, text="1205")
    send(widget, type="decide", action="approve", comment="")
    widget.show_error("correction to row 'L2' refused: gate g-extract is closed")
    assert (
        widget.state["gate"]["error"] == "correction to row 'L2' refused: gate g-extract is closed"
    )
    assert widget.state["gate"]["read_only"] is False
    assert widget.state["body"]["corrections"][0]["new"] == "1,205.00"


def test_a_bridge_that_fails_to_send_reopens_the_gate() -> None:
    def broken(_intent: dict) -> None:
        raise ConnectionError("cluster unreachable")

    widget = table_widget(IntentSink(on_decision=broken))
    send(widget, type="decide", action="approve")
    assert widget.state["gate"]["error"] == "could not send (ConnectionError: cluster unreachable)"
    assert widget.state["gate"]["status"] == "open"


def test_undo_and_revert_messages() -> None:
    widget = table_widget()
    send(widget, type="edit", dataset="line_items", row=1, col=2, text="1")
    send(widget, type="edit", dataset="line_items", row=2, col=2, text="2")
    send(widget, type="undo")
    assert [c["row_id"] for c in widget.state["body"]["corrections"]] == ["L2"]
    send(widget, type="revert", dataset="line_items", row=1, col=2)
    assert widget.state["body"]["corrections"] == []


def test_journal_override_message_unblocks_approval() -> None:
    decisions: list[dict] = []
    widget = PanelWidget(
        panel_for_state(states.journal_review(), reviewer="alice"),
        IntentSink(on_decision=decisions.append),
    )
    approve = next(a for a in widget.view["actions"] if a["kind"] == "approve")
    assert approve["blocked"]
    send(widget, type="override", reason="rounding on FX revaluation")
    approve = next(a for a in widget.view["actions"] if a["kind"] == "approve")
    assert approve["blocked"] is None
    send(widget, type="decide", action="approve", comment="")
    assert decisions[0]["comment"] == "Imbalance of USD 2.00 overridden: rounding on FX revaluation"


def test_nav_signer_message_signs_under_that_name() -> None:
    decisions: list[dict] = []
    widget = PanelWidget(
        panel_for_state(states.nav_signoff(), reviewer="bob"),
        IntentSink(on_decision=decisions.append),
    )
    send(widget, type="signer", name="Robert Smith, CFO")
    send(widget, type="decide", action="approve", comment="Fee accrual reflects new commitments")
    assert decisions[0]["reviewer"] == "bob"
    assert decisions[0]["on_behalf_of"] == "Robert Smith, CFO"
    widget.mark_decided()
    assert widget.view["gate"]["decided"]["sentence"].startswith(
        "Approved by bob on behalf of Robert Smith, CFO at "
    )


def test_upload_message_with_bytes_stores_the_file_and_sends_the_signal(tmp_path: Path) -> None:
    signals: list[dict] = []
    store = DocumentStore(tmp_path)
    widget = PanelWidget(
        panel_for_state(states.file_upload(), reviewer="alice", store=store),
        IntentSink(on_signal=signals.append),
    )
    widget._on_message(
        widget,
        {
            "type": "upload",
            "slot": None,
            "files": [{"name": "march.pdf", "size": 8, "type": "application/pdf"}],
        },
        [memoryview(b"%PDF-1.7")],
    )
    [signal] = signals
    assert signal["signal_name"] == "document_submitted"
    assert store.get(signal["payload"]["document_ref"]) == b"%PDF-1.7"
    assert widget.view["body"]["uploaded"][0]["filename"] == "march.pdf"
    assert widget.view["gate"]["status"] == "submitting"


def test_a_refused_upload_says_why(tmp_path: Path) -> None:
    widget = PanelWidget(panel_for_state(states.file_upload(), store=DocumentStore(tmp_path)))
    widget._on_message(
        widget, {"type": "upload", "files": [{"name": "x.exe", "size": 2, "type": ""}]}, [b"MZ"]
    )
    assert widget.view["notice"].startswith("Not uploaded: 'x.exe' is not an accepted type")
    assert widget.sink.sent == []


def test_run_view_updates_in_place_and_keeps_edits_on_the_same_gate() -> None:
    view = RunView(states.extraction_review(), reviewer="alice")
    panel = view.panel
    panel.edit("line_items", 1, 2, "1205")
    view.update_state(states.extraction_review())  # the bridge polled again: same gate
    assert view.panel is panel
    assert view.panel.model.corrections()[0]["new_value"] == "1205.00"


def test_run_view_moves_to_the_next_gate_and_says_what_was_decided() -> None:
    decisions: list[dict] = []
    view = RunView(states.extraction_review(), reviewer="alice", on_decision=decisions.append)
    send(view.panel, type="decide", action="approve", comment="")
    decided_panel = view.panel
    following = states.journal_review()
    following["audit_trail"] = []  # the bridge has not seen the audit entry yet
    view.update_state(following)
    assert decided_panel.state["gate"]["status"] == "decided"
    assert decided_panel.state["gate"]["decided"]["sentence"].startswith("Approved by alice at ")
    assert isinstance(view.panel, PanelWidget) and view.panel.view["panel"] == "JOURNAL_REVIEW"
    assert view.crumbs.view["last_decision"].startswith("Last decision: Approved by alice")


def test_run_view_keeps_a_decided_panel_read_only_when_nothing_else_is_pending() -> None:
    view = RunView(states.nav_signoff(), reviewer="bob")
    send(view.panel, type="decide", action="approve", comment="explained")
    finished = states.completed_run()
    view.update_state(finished)
    assert view.slot.children == (view.panel,)
    assert view.panel.view["gate"]["decided"]["reviewer"] == "bob@fund.example"


def test_clicking_a_completed_step_shows_its_snapshot_and_back() -> None:
    view = RunView(states.journal_review(), reviewer="alice")
    view.crumbs._on_message(view.crumbs, {"type": "select", "step_id": "review_extraction"}, [])
    shown = view.slot.children[0]
    assert isinstance(shown, DataTableWidget)
    assert shown.state["gate"]["decided"]["sentence"].startswith(
        "Approved with corrections (1) by alice@fund.example"
    )
    assert shown.state["actions"] == []
    assert view.crumbs.view["selected"] == "review_extraction"
    view.crumbs._on_message(view.crumbs, {"type": "select", "step_id": None}, [])
    assert view.slot.children[0] is view.panel


def test_run_view_breadcrumb_and_history() -> None:
    view = RunView(states.completed_run(), reviewer="alice")
    steps = view.crumbs.view["steps"]
    assert [s["status"] for s in steps] == ["completed"] * 6
    assert "Decision history (3)" in view.history.value
    assert "bob@fund.example approved on Sign off NAV" in view.history.value


def test_static_html_escapes_everything_and_shows_the_last_state() -> None:
    view = RunView(states.hostile(), reviewer="alice")
    html = view._repr_mimebundle_()["text/html"]
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html
    assert "NavMonthlyWorkflow" in html and "<svg" in html
    assert "Waiting for a reviewer" in html
    assert html == render_run_html(states.hostile(), reviewer="alice")


def test_static_html_of_a_completed_run_and_a_big_table() -> None:
    assert "The run completed." in render_run_html(states.completed_run())
    big = render_run_html(states.data_table(rows=500))
    assert "450 more rows not shown" in big


def test_garbage_state_still_renders_a_run_view() -> None:
    view = RunView("not a state", reviewer="alice")
    assert view.crumbs.view["steps"] == []
    assert view.slot.children == ()
    assert "&lt;" not in view.to_html() or True


def test_messages_from_several_threads_do_not_lose_edits() -> None:
    widget = DataTableWidget(panel_for_state(states.data_table(rows=200), reviewer="alice"))

    def edit(start: int) -> None:
        for row in range(start, 200, 4):
            send(widget, type="edit", dataset="holdings", row=row, col=1, text=f"note {row}")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(widget.model.corrections()) == 200


@pytest.mark.parametrize(
    "name",
    ["common.js", "datatable.js", "panels.js", "breadcrumb.js", "ntro.css", "lucide-icons.json"],
)
def test_front_end_files_ship_flat_in_the_package(name: str) -> None:
    import ntro_jupyter.widgets as widgets

    static = Path(widgets.__file__).parent / "static"
    assert (static / name).is_file()
    text = (static / name).read_text()
    assert (
        "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text
    )


def test_a_callback_that_reports_a_refusal_at_once_does_not_deadlock() -> None:
    view: RunView

    def bridge(intent: dict) -> None:
        # a bridge that validates synchronously, from another thread, while the poller updates
        worker = threading.Thread(target=lambda: view.show_error("row 'L9' is not in the payload"))
        poller = threading.Thread(target=lambda: view.update_state(states.extraction_review()))
        worker.start()
        poller.start()
        worker.join(5)
        poller.join(5)
        assert not worker.is_alive() and not poller.is_alive()

    view = RunView(states.extraction_review(), reviewer="alice", on_decision=bridge)
    send(view.panel, type="decide", action="approve")
    assert view.panel.state["gate"]["error"] == "row 'L9' is not in the payload"


def _with_checks(status: str) -> dict:
    state = states.extraction_review()
    state["pending_action"]["checks"] = [
        {"name": "dated", "ok": True, "message": "every line has a date"},
        {"id": "unique", "title": "No duplicate references", "status": status, "detail": ""},
    ]
    return state


def test_an_approval_from_python_waits_for_the_gates_checks_to_end() -> None:
    """``table.decide("approve")`` as a review opens: the run view shows the check ending
    (the run published it), and the approval goes out then, with the reviewer's edit."""
    decisions: list[dict] = []
    widget = DataTableWidget(
        panel_for_state(_with_checks("running"), reviewer="alice"),
        IntentSink(on_decision=decisions.append),
    )
    send(widget, type="edit", dataset="line_items", row=1, col=2, text="1205")
    ended = _with_checks("pass")["pending_action"]["checks"]
    threading.Timer(0.3, widget.refresh_checks, args=(ended,)).start()
    sent = widget.decide("approve")
    assert sent is not None and decisions == [sent]
    assert [c["new_value"] for c in sent["corrections"]] == ["1205.00"]  # the edit is kept


def test_an_approval_whose_checks_never_end_is_not_sent_and_says_why() -> None:
    decisions: list[dict] = []
    widget = DataTableWidget(
        panel_for_state(_with_checks("running"), reviewer="alice"),
        IntentSink(on_decision=decisions.append),
    )
    widget.checks_wait_s = 0.2
    assert widget.decide("approve") is None and decisions == []
    assert "1 of 1 checks still running (No duplicate references)" in (widget.notice or "")
    assert widget.decide("reject", "not this statement") is not None  # rejecting never waits


def test_a_live_table_follows_its_gates_checks_and_keeps_the_edits() -> None:
    view = RunView(_with_checks("running"), reviewer="alice", on_decision=lambda _: None)
    panel = view.panel
    panel.edit("line_items", 1, 2, "1205")
    assert "1 of 1 checks still running" in str(panel.state)
    view.update_state(_with_checks("pass"))  # the run published the check's outcome
    assert view.panel is panel and panel.model.running_checks() == []
    assert "checks still running" not in str(panel.state)
    assert panel.model.corrections()[0]["new_value"] == "1205.00"
