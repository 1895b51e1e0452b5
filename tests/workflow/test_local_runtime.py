"""The in-process runtime: same call shapes, same gates, no Temporal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ntro.workflow import (
    InvalidDecision,
    NtroWorkflow,
    RunbookDefinitionError,
    WorkflowError,
    register_workflow,
    run_local,
    runbook,
    start_local,
    ui_step,
)
from tests.fixtures.facade_runbooks import (
    ApprovalChildWorkflow,
    FacadeIngestWorkflow,
    IngestInput,
)


async def eventually(check: Callable[[], Any], timeout: float = 3.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


def pending_kind(handle: Any, kind: str) -> Callable[[], Any]:
    def check() -> Any:
        action = handle.query("current_pending_action")
        return action if action and action["kind"] == kind else None

    return check


async def test_facade_runbook_runs_in_process_end_to_end() -> None:
    register_workflow("approval-child", ApprovalChildWorkflow)
    handle = start_local(FacadeIngestWorkflow, IngestInput(), workflow_id="local-1")

    upload = await eventually(pending_kind(handle, "submit_file"))
    assert upload["args"] == {
        "source": "bank",
        "signal_name": "document_submitted",
        "signal_task_id": "local-1",
        "schema_slug": None,
        "tenant_id_or_slug": None,
        "entity_id_or_slug": None,
    }
    assert upload["display_hint"]["component"] == "FILE_UPLOAD"
    assert [s["status"] for s in handle.query("current_steps")] == [
        "waiting_for_input",
        "pending",
        "pending",
        "pending",
        "pending",
    ]

    await handle.signal("document_submitted", {"document_ref": "doc-7"})
    review = await eventually(pending_kind(handle, "interactive_review"))
    assert review["display_hint"]["config"]["confidence_warning_threshold"] == 0.8
    with pytest.raises(InvalidDecision, match="names no reviewer"):
        await handle.update("submit_action", {"action": "approve"})
    await handle.update(
        "submit_action",
        {
            "action": "correct",
            "reviewer": "ana@example.com",
            "gate_id": review["gate_id"],
            "corrections": [
                {"line_item_id": "L2", "field": "amount", "old_value": 18.5, "new_value": 19.5}
            ],
        },
    )

    drill = await eventually(pending_kind(handle, "drill_down"))
    assert drill["children"] == [
        {
            "task_id": "local-1:sign_off:approval-child",
            "step_id": "sign_off",
            "slug": "approval-child",
        }
    ]
    child = handle.cluster.get("local-1:sign_off:approval-child")
    await eventually(pending_kind(child, "interactive_review"))
    await child.signal("user_action", {"type": "approved"})

    result = await handle
    assert result["review"]["corrections"][0]["new_value"] == 19.5
    assert result["child"] == "approved"
    # args=[...] and a timeout in plain seconds both work here (published runtime: neither).
    assert result["summary"] == {
        "entity": "acme",
        "period": "2026-10",
        "activity": "demo.summarise",
    }
    assert handle.query("children_by_step_id")["sign_off"][0]["status"] == "completed"
    audit = handle.query("audit_trail")
    assert [(a["kind"], a.get("reviewer")) for a in audit] == [
        ("decision", "ana@example.com"),
        ("correction", "ana@example.com"),
    ]
    assert audit[1]["old_value"] == 18.5
    state = handle.query("current_ui_state")
    assert state["status"] == "completed"
    assert state["completed_step_ids"] == ["upload", "extract", "review", "sign_off", "summary"]


@runbook.defn
class TimedReviewWorkflow(NtroWorkflow):
    @ui_step(name="review", title="Review")
    async def review(self) -> Any:
        return await self.wait_for_action(
            payload={"x": 1}, timeout=timedelta(milliseconds=30), on_timeout="approve"
        )

    @ui_step(name="second", title="Second")
    async def second(self) -> Any:
        return await self.wait_for_action(payload={"y": 2}, timeout=0.03)

    @runbook.run
    async def run(self) -> list[Any]:
        return [await self.review(), await self.second()]


async def test_review_timeout_applies_the_default_decision() -> None:
    handle = start_local(TimedReviewWorkflow)
    first, second = await handle
    assert first["timed_out"] and first["action"] == "approve"
    assert second["action"] == "reject"
    audit = handle.query("audit_trail")
    assert [(a["kind"], a["reviewer"], a["action"]) for a in audit] == [
        ("timeout", "system:timeout", "approve"),
        ("timeout", "system:timeout", "reject"),
    ]


@runbook.defn
class FeedbackWorkflow(NtroWorkflow):
    @ui_step(name="a", title="A")
    async def a(self) -> Any:
        async def progress() -> None:
            await runbook.wait_condition(lambda: self._pending_action is not None)
            self.set_user_feedback(kind="ingest", payload={"rows": 3}, level="success")

        task = asyncio.ensure_future(progress())
        decision = await self.wait_for_action(payload=[{"id": 1, "v": 1}])
        await task
        return decision

    @ui_step(name="b", title="B")
    async def b(self) -> Any:
        return await self.wait_for_action(payload=[{"id": 2, "v": 2}])

    @runbook.run
    async def run(self) -> None:
        await self.a()
        await self.b()


async def test_feedback_belongs_to_one_gate() -> None:
    handle = start_local(FeedbackWorkflow)
    first = await eventually(lambda: (handle.query("current_pending_action") or {}).get("feedback"))
    assert first == {"kind": "ingest", "level": "success", "payload": {"rows": 3}}
    action = handle.query("current_pending_action")
    assert action["display_hint"]["config"]["feedback"] == first
    await handle.signal("user_action", {"action": "approve"})
    second = await eventually(
        lambda: (
            (handle.query("current_pending_action") or {}).get("step_id") == "b"
            and handle.query("current_pending_action")
        )
    )
    assert second["feedback"] is None
    assert "feedback" not in second["display_hint"]["config"]
    await handle.signal("user_action", {"action": "approve"})
    await handle


class BaseClose(NtroWorkflow):
    @ui_step(name="open", title="Open", icon="Calendar")
    async def open(self) -> str:
        return "opened"


@runbook.defn
class InheritingWorkflow(BaseClose):
    @ui_step(name="boom", title="Boom", icon="Bomb")
    async def boom(self) -> None:
        raise WorkflowError("the trial balance does not balance")

    @runbook.run
    async def run(self) -> None:
        await self.open()
        await self.boom()


async def test_inherited_steps_appear_and_a_failed_step_is_failed() -> None:
    handle = start_local(InheritingWorkflow)
    with pytest.raises(WorkflowError, match="does not balance"):
        await handle
    assert handle.query("current_steps") == [
        {"id": "open", "title": "Open", "status": "completed", "icon": "Calendar"},
        {"id": "boom", "title": "Boom", "status": "failed", "icon": "Bomb"},
    ]
    assert "does not balance" in handle.query("step_snapshots")["boom"]["error"]
    assert handle.query("current_ui_state")["status"] == "failed"


def test_duplicate_step_names_are_refused_when_the_class_is_defined() -> None:
    with pytest.raises(RunbookDefinitionError, match="'review' is used by both"):

        class Twice(NtroWorkflow):
            @ui_step(name="review")
            async def first(self) -> None: ...

            @ui_step(name="review")
            async def second(self) -> None: ...


def test_a_step_must_be_async() -> None:
    with pytest.raises(RunbookDefinitionError, match="must be 'async def'"):

        @ui_step(name="sync")
        def not_async(self: Any) -> None: ...


@runbook.defn
class ChildlessWorkflow(NtroWorkflow):
    @ui_step(name="fan_out")
    async def fan_out(self) -> Any:
        return await self.run_child_workflow(slug="no-such-runbook", input={})

    @runbook.run
    async def run(self) -> Any:
        return await self.fan_out()


async def test_unknown_slug_names_the_slug_and_the_registered_ones() -> None:
    register_workflow("approval-child", ApprovalChildWorkflow)
    with pytest.raises(WorkflowError) as failure:
        await run_local(ChildlessWorkflow)
    assert "'no-such-runbook'" in failure.value.message
    assert "approval-child" in failure.value.message


@runbook.defn
class BadPayloadWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> Any:
        return await self.wait_for_action(payload={"when": object()})


async def test_an_unserialisable_payload_is_named() -> None:
    with pytest.raises(WorkflowError, match="payload of gate 'workflow:1' cannot be serialised"):
        await run_local(BadPayloadWorkflow)


@runbook.defn
class FanOutWorkflow(NtroWorkflow):
    @ui_step(name="collect")
    async def collect(self) -> Any:
        return await self.run_child_workflows(slug="approval-child", inputs=["2026-09", "2026-10"])

    @runbook.run
    async def run(self) -> Any:
        return await self.collect()


async def test_fan_out_children_get_distinct_ids() -> None:
    register_workflow("approval-child", ApprovalChildWorkflow)
    handle = start_local(FanOutWorkflow, workflow_id="fan")
    drill = await eventually(pending_kind(handle, "drill_down"))
    ids = [c["task_id"] for c in drill["children"]]
    assert ids == ["fan:collect:approval-child:0", "fan:collect:approval-child:1"]
    for child_id in ids:
        child = handle.cluster.get(child_id)
        await eventually(pending_kind(child, "interactive_review"))
        await child.signal("user_action", {"kind": "reject"})
    assert await handle == ["rejected", "rejected"]


async def test_malformed_signals_leave_the_gate_open_and_are_recorded() -> None:
    register_workflow("approval-child", ApprovalChildWorkflow)
    handle = start_local(ApprovalChildWorkflow, "2026-10")
    gate = await eventually(pending_kind(handle, "interactive_review"))
    for junk in (None, [1], "approve", {"action": "maybe"}, {"kind": "row_action"}, 42):
        await handle.signal("user_action", junk)
    assert handle.query("current_pending_action")["gate_id"] == gate["gate_id"]
    refused = [a for a in handle.query("audit_trail") if a["kind"] == "refused"]
    assert len(refused) == 6 and all(a["reason"] for a in refused)
    await handle.signal("user_action", {"action": "approve", "reviewer": "ana"})
    assert await handle == "approved"
