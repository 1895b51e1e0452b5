"""A run's gate, step and audit state, driven directly (no runtime), and an author's subclass
that uses the names the base class once kept its state under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio import workflow
from temporalio.testing import WorkflowEnvironment

from ntro.testing import HAPPY, REJECT_ALL, WorkflowHarness
from ntro.types import Decision, RowAction
from ntro.workflow import (
    GATE_KINDS,
    PERSON_KINDS,
    InvalidDecision,
    NtroWorkflow,
    RunState,
    StepDefinition,
    parse_decision,
    ui_step,
)
from ntro.workflow._decisions import DecisionDict
from ntro.workflow._state import GateSpec

T0 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
ROWS = {"lines": [{"line_item_id": "l1", "amount": 100.0}, {"line_item_id": "l2", "amount": 5.0}]}
TABLE = {"component": "DATA_TABLE", "config": {"columns": [{"key": "amount"}]}}


def state_with_steps() -> RunState:
    return RunState(
        [
            StepDefinition(id="upload", title="Upload", icon="upload", method="upload"),
            StepDefinition(id="review", title="Review", icon=None, method="review"),
        ]
    )


def decide(state: RunState, raw: dict[str, Any], at: datetime) -> None:
    """Apply ``raw`` as the workflow does: check, then accept on the open gate."""
    parsed = state.check(parse_decision(raw))
    assert isinstance(parsed, Decision) and state.gate is not None
    gate = state.gate
    decision = parsed.model_copy(
        update={"decided_at": at, "gate_id": gate.gate_id, "step_id": gate.step_id}
    )
    state.accept(gate, DecisionDict(raw, decision), "update", at)


def test_gate_kinds_are_published_once() -> None:
    assert GATE_KINDS == ("submit_file", "submit_files", "interactive_review", "drill_down")
    assert set(PERSON_KINDS) == set(GATE_KINDS) - {"drill_down"}


def test_step_statuses_follow_the_run_and_the_breadcrumb_keeps_its_shape() -> None:
    state = state_with_steps()
    assert state.steps_answer() == [
        {"id": "upload", "title": "Upload", "status": "pending", "icon": "upload"},
        {"id": "review", "title": "Review", "status": "pending", "icon": None},
    ]
    state.enter_step("upload")
    state.complete_step("upload", {"rows": 2}, T0)
    state.enter_step("review")
    state.fail_step("review", "the extraction service is down", T0 + timedelta(minutes=1))
    assert [s["status"] for s in state.steps_answer()] == ["completed", "failed"]
    assert state.completed_step_ids == ["upload"]
    assert state.snapshots_answer() == {
        "upload": {
            "display_hint": None,
            "completed_at": "2026-01-31T09:00:00Z",
            "status": "completed",
            "result": {"rows": 2},
        },
        "review": {
            "display_hint": None,
            "completed_at": "2026-01-31T09:01:00Z",
            "status": "failed",
            "error": "the extraction service is down",
        },
    }


def test_a_decision_closes_the_gate_and_is_audited_with_its_corrections() -> None:
    state = state_with_steps()
    state.enter_step("review")
    gate = state.open_gate(
        "interactive_review",
        GateSpec(reason="Check the lines", display_hint=TABLE, payload=ROWS),
        now=T0,
        deadline=T0 + timedelta(hours=24),
    )
    assert gate.gate_id == "review:1"
    assert state.pending_action is not None
    assert state.pending_action["gate_id"] == "review:1"
    assert state.pending_action["deadline"] == "2026-02-01T09:00:00Z"
    assert state.steps["review"].status == "waiting_for_input"

    with pytest.raises(InvalidDecision, match="gate 'review:0' is closed"):
        state.check(parse_decision({"action": "approve", "gate_id": "review:0"}))
    with pytest.raises(InvalidDecision, match="row 'l9'"):
        state.check(
            parse_decision(
                {
                    "action": "correct",
                    "corrections": [{"line_item_id": "l9", "field": "amount", "new_value": 1}],
                }
            )
        )

    fix = {"line_item_id": "l2", "field": "amount", "new_value": 50.0}
    decide(state, {"action": "correct", "reviewer": "ana", "corrections": [fix]}, T0)
    with pytest.raises(InvalidDecision, match="already decided \\(correct\\) by ana"):
        state.check(parse_decision({"action": "approve", "reviewer": "bo"}))
    state.close_if_open(gate)
    assert state.pending_action is None and state.steps["review"].status == "active"
    state.complete_step("review", None, T0)

    assert state.audit_answer() == [
        {
            "kind": "decision",
            "step_id": "review",
            "gate_id": "review:1",
            "reviewer": "ana",
            "on_behalf_of": None,
            "at": "2026-01-31T09:00:00Z",
            "action": "correct",
            "comment": None,
            "via": "update",
        },
        {
            "kind": "correction",
            "step_id": "review",
            "gate_id": "review:1",
            "reviewer": "ana",
            "at": "2026-01-31T09:00:00Z",
            "line_item_id": "l2",
            "field": "amount",
            "old_value": 5.0,
            "new_value": 50.0,
        },
    ]
    snapshot = state.snapshots_answer()["review"]
    assert snapshot["decision"]["action"] == "correct"
    assert snapshot["payload"] == ROWS


def test_nothing_is_decided_while_no_review_is_open() -> None:
    state = state_with_steps()
    state.enter_step("upload")
    state.open_gate("submit_file", GateSpec(), now=T0, deadline=None)
    with pytest.raises(InvalidDecision, match="waiting for submit_file"):
        state.check(parse_decision({"action": "approve"}))
    state.record_refused("no review is open", {"action": "approve"}, T0)
    assert state.audit_answer() == [
        {
            "kind": "refused",
            "step_id": "upload",
            "gate_id": "upload:1",
            "at": "2026-01-31T09:00:00Z",
            "reason": "no review is open",
            "received": {"action": "approve"},
        }
    ]


def test_a_row_edit_makes_its_reviewer_a_maker_and_keeps_the_gate_open() -> None:
    state = state_with_steps()
    state.enter_step("review")
    gate = state.open_gate(
        "interactive_review", GateSpec(display_hint=TABLE, payload=ROWS), now=T0, deadline=None
    )
    edit = RowAction(action="edit_cell", row_id="l1", field="amount", value=90.0, reviewer="cy")
    state.check(edit)
    state.record_row_action(gate, edit, T0)
    assert gate.makers == {"cy"} and state.gate is gate
    assert state.audit_answer()[0]["old_value"] == 100.0
    assert state.audit_answer()[0]["new_value"] == 90.0


def test_a_timeout_takes_the_default_decision_as_the_system() -> None:
    state = state_with_steps()
    state.enter_step("review")
    gate = state.open_gate("interactive_review", GateSpec(payload=ROWS), now=T0, deadline=None)
    state.time_out(gate, "reject", T0 + timedelta(hours=24))
    assert gate.decision is not None and gate.decision.rejected
    assert state.audit_answer()[0]["kind"] == "timeout"
    assert state.audit_answer()[0]["reviewer"] == "system:timeout"


def test_feedback_belongs_to_one_gate() -> None:
    state = state_with_steps()
    state.enter_step("review")
    state.set_feedback("ingest", {"rows": 3}, "success")  # no gate yet: kept for the next one
    first = state.open_gate("interactive_review", GateSpec(), now=T0, deadline=None)
    assert state.pending_action is not None
    assert state.pending_action["feedback"]["payload"] == {"rows": 3}
    assert state.pending_action["display_hint"]["config"]["feedback"]["level"] == "success"
    state.close_if_open(first)
    state.open_gate("interactive_review", GateSpec(), now=T0, deadline=None)
    assert state.pending_action["feedback"] is None


def test_the_ui_state_answer_has_the_published_keys() -> None:
    state = state_with_steps()
    state.enter_step("upload")
    answer = state.ui_state_answer("wf-1", "MonthEnd", "month-end")
    assert set(answer) == {
        "workflow_id",
        "workflow_type",
        "slug",
        "status",
        "error",
        "current_step_id",
        "completed_step_ids",
        "steps",
        "pending_action",
        "pending_payload",
        "feedback",
        "children_by_step_id",
        "step_snapshots",
        "audit_trail",
    }
    assert answer["current_step_id"] == "upload" and answer["status"] == "running"
    assert answer["steps"][0] == {
        "id": "upload",
        "title": "Upload",
        "status": "active",
        "icon": "upload",
    }


# ── an author's subclass keeps its own namespace ─────────────────────────


@workflow.defn
class CollidingNamesWorkflow(NtroWorkflow):
    """A runbook whose own attributes use the names the base class once kept its state under."""

    _steps = ["the author's", "own list"]
    _gate = "the author's gate"

    def __init__(self) -> None:
        super().__init__()
        self._pending_action = "send the statement"
        self._pending_payload = {"mine": True}
        self._current_step_id = "not a step"
        self._steps_completed = 0
        self._state = "draft"
        self._audit: list[str] = []
        self._children: dict[str, str] = {}
        self._records = None

    @ui_step(name="review", title="Review the lines")
    async def review(self) -> bool:
        self._audit.append("asked")
        decision = await self.wait_for_action(payload=ROWS, display_hint=TABLE)
        self._steps_completed += 1
        return decision.approved

    @workflow.run
    async def run(self) -> dict[str, Any]:
        approved = await self.review()
        return {
            "approved": approved,
            "pending_action": self._pending_action,
            "pending_payload": self._pending_payload,
            "current_step_id": self._current_step_id,
            "steps_completed": self._steps_completed,
            "steps": self._steps,
            "gate": self._gate,
            "state": self._state,
            "audit": self._audit,
        }


async def test_an_author_may_use_the_names_the_base_class_once_took(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(CollidingNamesWorkflow, env=time_skipping_env) as harness:
        happy = await harness.run(scenario=HAPPY)
        rejected = await harness.run(scenario=REJECT_ALL)
        handle = harness.client.get_workflow_handle(happy.workflow_id)
        ui = await handle.query("current_ui_state")
    assert happy.status == "completed", happy.error
    assert happy.result == {
        "approved": True,
        "pending_action": "send the statement",
        "pending_payload": {"mine": True},
        "current_step_id": "not a step",
        "steps_completed": 1,
        "steps": ["the author's", "own list"],
        "gate": "the author's gate",
        "state": "draft",
        "audit": ["asked"],
    }
    assert rejected.status == "completed" and rejected.result["approved"] is False
    assert [e.kind for e in happy.events] == ["review", "done"]
    assert ui["steps"] == [
        {"id": "review", "title": "Review the lines", "status": "completed", "icon": None}
    ]
    assert ui["completed_step_ids"] == ["review"] and ui["pending_action"] is None
    assert [(a["kind"], a["action"]) for a in ui["audit_trail"]] == [("decision", "approve")]


def test_published_runbooks_still_read_the_gate_through_the_old_names() -> None:
    class Reader(NtroWorkflow):
        pass

    reader = Reader()
    reader._ntro_state.enter_step("review")
    reader._ntro_state.open_gate(
        "interactive_review", GateSpec(payload=ROWS), now=T0, deadline=None
    )
    assert reader._pending_payload == ROWS
    assert (
        reader._pending_action is not None
        and reader._pending_action["kind"] == "interactive_review"
    )
    assert reader._current_step_id == "review" and reader._steps_completed == []
