"""Live views and the session's Python API on the harness (in process, no kernel).

What a reviewer would notice: a change in the workflow shows in the view within 250 ms, the
view goes quiet when nothing changes and stops when the workflow ends or the view is closed,
a refused decision is shown in the view that sent it, clicks from many threads decide once,
a redefined runbook leaves running workflows on their definition, exports validate, and a
recorded review replays as a scenario.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ntro_jupyter import DecisionRefused, SessionError, WorkflowNotFound
from tests.jupyter.session.conftest import INVOICE

INPUT = {"vendor": "Acme", "period": "2026-10"}
DOC = {
    "document_ref": "doc_test",
    "filename": "invoice.csv",
    "size": 10,
    "content_type": "text/csv",
}


def kind_is(kind: str) -> Any:
    return lambda state: (state.get("pending_action") or {}).get("kind") == kind


def decisions(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in state.get("audit_trail") or [] if e.get("kind") == "decision"]


def at_review(session: Any, workflow_id: str | None = None) -> Any:
    """A run of invoice-review waiting at its table review, with its live view."""
    handle = session.run("invoice-review", INPUT, workflow_id=workflow_id)
    handle.wait_for_state(kind_is("submit_file"))
    session.loop.run(session.handle(handle.workflow_id).signal("invoice_uploaded", DOC))
    handle.wait_for_state(kind_is("interactive_review"))
    return handle


def test_a_change_in_the_workflow_shows_within_250ms(harness_session: Any) -> None:
    session = harness_session
    handle = at_review(session)
    live = handle.live
    applied: list[tuple[float, dict[str, Any]]] = []
    live.on_state.append(lambda state: applied.append((time.perf_counter(), state)))
    gate = handle.pending()["gate_id"]
    latencies = []
    for n in range(9):
        time.sleep(2.2 if n in (3, 7) else 0.2)  # some changes arrive after the view backed off
        before = len(applied)
        sent = time.perf_counter()
        # A change made outside this view (another reviewer's client): a row action.
        session.loop.run(
            session.handle(handle.workflow_id).execute_update(
                "submit_action",
                {
                    "kind": "row_action",
                    "gate_id": gate,
                    "reviewer": "bob",
                    "payload": {"action": "reject_row", "row_id": "L3"},
                },
            )
        )
        deadline = time.monotonic() + 3
        while len(applied) == before and time.monotonic() < deadline:
            time.sleep(0.002)
        assert len(applied) > before, "the view never showed the change"
        latencies.append(applied[before][0] - sent)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    assert statistics.median(latencies) < 0.25 and p95 < 0.25, latencies
    handle.stop()


def test_an_idle_view_backs_off_and_stops_when_the_workflow_ends(harness_session: Any) -> None:
    session = harness_session
    handle = at_review(session)
    live = handle.live
    time.sleep(2.5)  # let it reach the idle interval
    before = live.queries
    time.sleep(3.0)
    assert live.queries - before <= 3, "an idle view should poll about every 2 s"
    handle.approve(comment="fine")
    assert handle.wait(10)["approved"] is True
    live.join(5)
    assert not live.running and live.outcome == "completed"
    assert "completed" in live.status_line.value


def test_closing_the_view_stops_its_refreshes(harness_session: Any) -> None:
    handle = at_review(harness_session)
    handle.view.close()
    handle.live.join(5)
    assert not handle.live.running
    assert "the view was closed" in handle.live.status_line.value
    harness_session.reject(handle.workflow_id, comment="closed view test")


def test_a_refused_decision_shows_in_the_view_that_sent_it(harness_session: Any) -> None:
    handle = at_review(harness_session)
    live = handle.live
    gate = handle.pending()["gate_id"]
    live._on_decision(
        {
            "action": "correct",
            "gate_id": gate,
            "comment": None,
            "reviewer": "alice",
            "corrections": [
                {"line_item_id": "L9", "field": "amount", "old_value": 1, "new_value": 2}
            ],
        }
    )
    deadline = time.monotonic() + 5
    while "refused" not in (live.problem or "") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "decision refused" in live.problem and "L9" in live.problem
    assert "L9" in (live.run_view.panel.state["gate"]["error"] or "")
    assert decisions(handle.state()) == []  # nothing was written to history
    # The session stays usable: the same gate can still be decided.
    handle.approve(comment="second try")
    assert len(decisions(handle.state())) == 1


def test_clicks_from_many_threads_decide_once(harness_session: Any) -> None:
    handle = at_review(harness_session)
    panel = handle.live.run_view.panel
    barrier = threading.Barrier(8)
    took: list[float] = []

    def click() -> None:
        barrier.wait()
        started = time.perf_counter()
        panel.decide("approve", "all at once")
        took.append(time.perf_counter() - started)

    threads = [threading.Thread(target=click, name=f"subshell-{n}") for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert max(took) < 0.5, "a widget callback must not wait for Temporal"
    assert handle.wait(10)["approved"] is True
    assert len(decisions(handle.state())) == 1


def test_signals_from_the_view_reach_the_workflow(harness_session: Any) -> None:
    handle = harness_session.run("invoice-review", INPUT)
    handle.wait_for_state(kind_is("submit_file"))
    handle.live._on_signal(
        {"signal_task_id": handle.workflow_id, "signal_name": None, "payload": DOC}
    )
    handle.wait_for_state(kind_is("interactive_review"))
    harness_session.reject(handle.workflow_id, comment="wrong vendor")
    assert handle.wait(10) == {"vendor": "Acme", "approved": False, "total": None}


def test_mistakes_are_readable_errors_and_the_session_stays_usable(harness_session: Any) -> None:
    session = harness_session
    with pytest.raises(WorkflowNotFound, match="no workflow with id 'nope'"):
        session.attach("nope")
    with pytest.raises(SessionError, match="no runbook 'missing'"):
        session.run("missing")
    with pytest.raises(SessionError, match="does not fit InvoiceInput: period"):
        session.run("invoice-review", {"vendor": "Acme"})
    handle = session.run("invoice-review", INPUT)
    handle.wait_for_state(kind_is("submit_file"))
    with pytest.raises(SessionError, match="no open review .*submit_file"):
        session.approve(handle.workflow_id)
    with pytest.raises(SessionError, match="already running"):
        session.run("invoice-review", INPUT, workflow_id=handle.workflow_id)
    session.loop.run(session.handle(handle.workflow_id).signal("invoice_uploaded", DOC))
    handle.wait_for_state(kind_is("interactive_review"))
    with pytest.raises(DecisionRefused, match="L9"):
        session.approve(
            handle.workflow_id,
            corrections=[{"line_item_id": "L9", "field": "amount", "old_value": 0, "new_value": 1}],
        )
    result = session.approve(
        handle.workflow_id,
        corrections=[
            {"line_item_id": "L2", "field": "amount", "old_value": 250.0, "new_value": 275.0}
        ],
    )
    assert result["decision"]["action"] == "correct" and result["decision"]["reviewer"] == "alice"
    assert handle.wait(10)["total"] == 1574.0
    with pytest.raises(SessionError, match="completed: there is nothing to decide"):
        session.approve(handle.workflow_id)
    rows = session.ls()
    assert any(r.workflow_id == handle.workflow_id and r.status == "completed" for r in rows)


CELL_V1 = '''
from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class SignOffWorkflow(NtroWorkflow):
    """Sign off a period."""

    @runbook.step(name="sign", title="Sign off", icon="BadgeCheck")
    async def sign(self, period: str) -> str:
        decision = await self.wait_for_action(payload={"period": period},
                                              display_hint={"component": "APPROVAL_FORM"})
        return "signed" if decision.approved else "refused"

    @runbook.run
    async def run(self, period: str) -> dict:
        return {"version": VERSION, "outcome": await self.sign(period)}
'''


def test_a_redefined_runbook_leaves_running_workflows_on_their_definition(
    harness_session: Any,
) -> None:
    session = harness_session
    [v1] = session.define("VERSION = 1\n" + CELL_V1, namespace={"__name__": "__main__"})
    assert v1.slug == "sign-off" and v1.origin == "cell"
    old = session.run("sign-off", "2026-10")
    old.wait_for_state(kind_is("interactive_review"))
    [v2] = session.define("VERSION = 2\n" + CELL_V1, namespace={"__name__": "__main__"})
    assert v2.task_queue != v1.task_queue
    assert any("1 running workflow(s) keep the previous one" in note for note in v2.notes)
    new = session.run("sign-off", "2026-11")
    new.wait_for_state(kind_is("interactive_review"))
    session.approve(old.workflow_id)
    session.approve(new.workflow_id)
    assert old.wait(10) == {"version": 1, "outcome": "signed"}
    assert new.wait(10) == {"version": 2, "outcome": "signed"}
    # Defining the same code again is not a new definition.
    [same] = session.define("VERSION = 2\n" + CELL_V1, namespace={"__name__": "__main__"})
    assert same.task_queue == v2.task_queue and same.notes == []


def test_an_exported_notebook_runbook_validates(harness_session: Any, tmp_path: Path) -> None:
    session = harness_session
    session.define("VERSION = 3\n" + CELL_V1, namespace={"__name__": "__main__"})
    handle = session.run("sign-off", "2026-12")
    handle.wait_for_state(kind_is("interactive_review"))  # the view saw the APPROVAL_FORM gate
    session.approve(handle.workflow_id)
    handle.wait(10)
    # The cell defines VERSION outside the class; export the runbook with it in the cell.
    target = session.export("sign-off", tmp_path / "sign-off")
    text = (target / "runbook.md").read_text()
    assert "component: APPROVAL_FORM" in text and "responsibility: human" in text
    done = subprocess.run(
        [sys.executable, "-m", "ntro", "runbook", "validate", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with pytest.raises(SessionError, match="not empty"):
        session.export("sign-off", target)


def test_an_export_whose_cell_needs_other_cells_says_so(
    harness_session: Any, tmp_path: Path
) -> None:
    session = harness_session
    # TITLE comes from another cell: the exported module cannot import.
    namespace: dict[str, Any] = {"__name__": "__main__", "VERSION": 4, "TITLE": "Sign"}
    session.define(CELL_V1.replace('title="Sign off"', "title=TITLE"), namespace=namespace)
    with pytest.raises(SessionError, match="move them into the runbook cell") as err:
        session.export("sign-off", tmp_path / "broken")
    assert "validate" in str(err.value)


def test_a_recorded_review_replays_as_a_scenario(harness_session: Any, tmp_path: Path) -> None:
    session = harness_session
    bundle = tmp_path / "invoice-review"
    shutil.copytree(INVOICE, bundle)
    session.load(bundle)
    handle = at_review(session)
    gate = handle.pending()["gate_id"]
    session.loop.run(
        session.submit_action(
            handle.workflow_id,
            {
                "kind": "row_action",
                "gate_id": gate,
                "reviewer": "alice",
                "payload": {
                    "action": "edit_cell",
                    "row_id": "L2",
                    "field": "amount",
                    "value": 275.0,
                },
            },
        )
    )
    session.approve(
        handle.workflow_id,
        corrections=[
            {"line_item_id": "L2", "field": "amount", "old_value": 250.0, "new_value": 275.0}
        ],
    )
    assert handle.wait(10)["total"] == 1574.0
    saved = session.save_scenario("travel_fix", handle.workflow_id)
    assert saved.path == bundle / "tests" / "scenarios.py" and saved.replays
    # The harness auto-mocks `extract`, so row L2 is not in a replay's payload: the
    # corrections are kept beside it as data and the decision replays.
    assert "left out" in saved.note
    text = saved.path.read_text()
    assert "TRAVEL_FIX = Scenario(" in text and "'vendor': 'Acme'" in text
    assert "review_overrides={'review': 'approved'}" in text
    assert "TRAVEL_FIX_LEFT_OUT = {" in text and "'new_value': 275.0" in text
    with pytest.raises(SessionError, match="already has a scenario 'travel_fix'"):
        session.save_scenario("travel_fix", handle.workflow_id)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ntro",
            "workflow",
            "test",
            str(bundle),
            "--scenario",
            "travel_fix",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"decision": "approved"' in done.stdout
