"""The SDK on a real Temporal server: query shapes step by step, validated updates, children."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from ntro.testing import HAPPY, Scenario, WorkflowHarness
from ntro.workflow import NtroWorkflow, ui_step
from tests.fixtures.facade_runbooks import ApprovalChildWorkflow, FacadeIngestWorkflow
from tests.fixtures.temporal_runbooks import (
    DocumentIngestContext,
    DocumentIngestWorkflow,
    MonthEndWorkflow,
    NavMonthlyWorkflow,
    extract_document,
)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


def pending(handle: WorkflowHandle[Any, Any], kind: str) -> Callable[[], Awaitable[Any]]:
    async def check() -> Any:
        action = await handle.query("current_pending_action")
        return action if action and action["kind"] == kind else None

    return check


async def history_types(handle: WorkflowHandle[Any, Any]) -> list[int]:
    return [e.event_type async for e in handle.fetch_history_events()]


_WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


def assert_no_trace(before: list[int], after: list[int]) -> None:
    """A refused update adds nothing but (on the test server) workflow-task bookkeeping.

    The real server runs validators in a speculative task that leaves no event at all; the
    time-skipping test server records an ordinary task, and nothing else.
    """
    assert after[: len(before)] == before
    assert set(after[len(before) :]) <= _WORKFLOW_TASK_EVENTS
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED not in after


async def test_temporal_style_runbook_query_shapes_step_by_step(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(
        DocumentIngestWorkflow, env=time_skipping_env, extra_activities=[extract_document]
    ) as harness:
        handle = await harness.start(DocumentIngestContext(), workflow_id="ingest-shapes")

        upload = await eventually(pending(handle, "submit_file"))
        assert upload["reason"] == "awaiting_document_submission"
        # The product page's hint has no component: it is an upload, so FILE_UPLOAD.
        assert upload["display_hint"] == {
            "component": "FILE_UPLOAD",
            "config": {"source": "bank", "filename_pattern": "*.csv"},
        }
        assert upload["args"] == {
            "source": "bank",
            "schema_slug": None,
            "tenant_id_or_slug": None,
            "entity_id_or_slug": None,
            "signal_task_id": "ingest-shapes",
            # The class declares one signal of its own: that is what the upload sends.
            "signal_name": "document_submitted",
        }
        assert upload["step_id"] == "upload"
        assert await handle.query("current_steps") == [
            {
                "id": "upload",
                "title": "Upload document",
                "status": "waiting_for_input",
                "icon": "Upload",
            },
            {"id": "extract", "title": "Extract", "status": "pending", "icon": "ScanText"},
            {
                "id": "review",
                "title": "Review extraction",
                "status": "pending",
                "icon": "TableProperties",
            },
        ]

        await handle.signal("document_submitted", {"document_ref": "doc-1"})
        review = await eventually(pending(handle, "interactive_review"))
        assert review["display_hint"] == {
            "component": "review_extraction",
            "config": {"schema_slug": "bank-statement"},
        }
        assert [row["id"] for row in review["payload"]["lines"]] == ["L1", "L2"]
        state = await handle.query("current_ui_state")
        assert state["current_step_id"] == "review"
        assert state["completed_step_ids"] == ["upload", "extract"]
        assert state["pending_action"] == review
        assert state["pending_payload"] == review["payload"]
        assert [s["status"] for s in state["steps"]] == [
            "completed",
            "completed",
            "waiting_for_input",
        ]
        snapshots = await handle.query("step_snapshots")
        assert snapshots["upload"]["display_hint"]["component"] == "FILE_UPLOAD"
        assert snapshots["upload"]["completed_at"]
        assert snapshots["extract"]["result"][1]["confidence"] == 0.55

        # A malformed update is refused by the validator and leaves no trace in history.
        before = await history_types(handle)
        for bad, message in [
            (
                {
                    "action": "correct",
                    "reviewer": "ana",
                    "corrections": [{"line_item_id": "L9", "field": "amount", "new_value": 1}],
                },
                "row 'L9'",
            ),
            (
                {
                    "action": "correct",
                    "reviewer": "ana",
                    "corrections": [{"line_item_id": "L2", "field": "colour", "new_value": 1}],
                },
                "field 'colour'",
            ),
            ({"action": "archive", "reviewer": "ana"}, "unknown decision"),
            ({"action": "approve", "reviewer": "ana", "gate_id": "upload:1"}, "is closed"),
            ({"action": "approve"}, "names no reviewer"),
            (["approve"], "must be an object"),
        ]:
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update("submit_action", bad)
            assert message in str(refused.value.cause)
        assert_no_trace(before, await history_types(handle))

        # The compatibility signal with junk is refused, recorded, and the gate stays open.
        await handle.signal("user_action", None)
        await eventually(lambda: _refused(handle))
        assert (await handle.query("current_pending_action"))["gate_id"] == review["gate_id"]

        outcome = await handle.execute_update(
            "submit_action",
            {
                "action": "correct",
                "reviewer": "ana@example.com",
                "gate_id": review["gate_id"],
                "corrections": [
                    {
                        "line_item_id": "L2",
                        "field": "amount",
                        "old_value": -40.0,
                        "new_value": -45.0,
                    }
                ],
                "comment": "sign flipped",
            },
        )
        assert outcome["decision"]["reviewer"] == "ana@example.com"
        result = await handle.result()
        assert result["status"] == "approved"
        assert result["corrections"][0]["new_value"] == -45.0
        audit = await handle.query("audit_trail")
        decision, correction = [a for a in audit if a["kind"] != "refused"]
        assert decision["action"] == "correct" and decision["comment"] == "sign flipped"
        assert (
            correction["line_item_id"],
            correction["field"],
            correction["old_value"],
            correction["new_value"],
            correction["reviewer"],
        ) == ("L2", "amount", -40.0, -45.0, "ana@example.com")
        assert correction["at"]
        state = await handle.query("current_ui_state")
        assert state["status"] == "completed" and state["pending_action"] is None
        assert state["step_snapshots"]["review"]["decision"]["action"] == "correct"


async def _refused(handle: WorkflowHandle[Any, Any]) -> bool:
    return any(a["kind"] == "refused" for a in await handle.query("audit_trail"))


async def test_child_runbook_shows_as_drill_down(time_skipping_env: WorkflowEnvironment) -> None:
    async with WorkflowHarness(
        MonthEndWorkflow, child_workflows=[DocumentIngestWorkflow], env=time_skipping_env
    ) as harness:
        handle = await harness.start(workflow_id="close-oct")
        drill = await eventually(pending(handle, "drill_down"))
        child_id = "close-oct:ingest_documents:document-ingest"
        assert drill["children"] == [
            {"task_id": child_id, "step_id": "ingest_documents", "slug": "document-ingest"}
        ]
        children = await handle.query("children_by_step_id")
        assert children["ingest_documents"][0]["workflow_id"] == child_id
        assert children["ingest_documents"][0]["status"] == "running"
        assert children["ingest_documents"][0]["run_id"]

        child = harness.client.get_workflow_handle(child_id)
        await eventually(pending(child, "submit_file"))
        await child.signal("document_submitted", {"document_ref": "doc-2"})
        await eventually(pending(child, "interactive_review"))
        await child.signal("user_action", {"type": "approved", "user": "ana"})

        journals = await eventually(pending(handle, "interactive_review"))
        assert journals["feedback"] == {
            "kind": "balance",
            "level": "success",
            "payload": {"difference": 0},
        }
        assert journals["display_hint"]["config"]["feedback"] == journals["feedback"]
        assert (await handle.query("children_by_step_id"))["ingest_documents"][0][
            "status"
        ] == "completed"
        await handle.signal("user_action", {"kind": "approve", "reviewer": "bo"})
        result = await handle.result()
        assert result["ingest"]["status"] == "approved"
        assert result["journals"]["approved"] is True


async def test_the_product_page_runbook_runs_as_printed(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    # NavMonthly waits on its own tb_submitted signal with no pending action: the harness
    # sends the workflow's declared signal when nothing else can move it.
    async with WorkflowHarness(NavMonthlyWorkflow, env=time_skipping_env) as harness:
        result = await harness.run(scenario=HAPPY)
    assert result.status == "completed", result.error
    # Activities are auto-mocked from their annotations; the author's defaults are kept.
    assert result.result.model_dump() == {
        "period": "auto-mock",
        "entity": "auto-mock",
        "status": "closed",
    }
    assert [e.detail.get("signal") for e in result.events if e.kind == "submit_file"] == [
        "tb_submitted"
    ]


@workflow.defn
class DayLongReviewWorkflow(NtroWorkflow):
    @ui_step(name="review", title="Review", icon="Eye")
    async def review(self) -> dict[str, Any]:
        return await self.wait_for_action(
            payload={"lines": [{"id": "L1", "amount": 1}]},
            display_hint={"component": "DATA_TABLE"},
            timeout=timedelta(hours=24),
        )

    @workflow.run
    async def run(self) -> dict[str, Any]:
        return await self.review()


async def test_a_24_hour_review_timeout_takes_well_under_a_second() -> None:
    # Its own time-skipping server: a run of an earlier test that ended while one of its
    # activities still worked stops the shared server from skipping time (seen once in a
    # full run), and this test measures the skipping itself.
    async with WorkflowHarness(DayLongReviewWorkflow) as harness:
        started = time.perf_counter()
        result = await harness.run(scenario=Scenario("late", timeouts={"review"}))
        elapsed = time.perf_counter() - started
        audit = await harness.client.get_workflow_handle(result.workflow_id).query("audit_trail")
    assert result.status == "completed", result.error
    assert result.result["timed_out"] is True and result.result["action"] == "reject"
    assert audit[0]["kind"] == "timeout" and audit[0]["reviewer"] == "system:timeout"
    assert elapsed < 1.0


async def test_two_reviewers_racing_one_wins() -> None:
    # On the dev server: the time-skipping test server records concurrent updates in a way
    # its own replay cannot read back, so a query after completion fails there.
    async with WorkflowHarness(ApprovalChildWorkflow, server="dev") as harness:
        for _ in range(10):
            handle = await harness.start("2026-10")
            gate = await eventually(pending(handle, "interactive_review"))
            outcomes = await asyncio.gather(
                handle.execute_update(
                    "submit_action",
                    {"action": "approve", "reviewer": "ana", "gate_id": gate["gate_id"]},
                ),
                handle.execute_update(
                    "submit_action",
                    {"action": "reject", "reviewer": "bo", "gate_id": gate["gate_id"]},
                ),
                return_exceptions=True,
            )
            won = [o for o in outcomes if isinstance(o, dict)]
            lost = [o for o in outcomes if isinstance(o, BaseException)]
            assert len(won) == 1 and len(lost) == 1, outcomes
            # The loser's decision is refused: by the validator ("already decided") when both
            # reach the same workflow task, else by the server because the run has finished.
            reason = str(getattr(lost[0], "cause", None) or lost[0])
            assert any(
                m in reason
                for m in ("already decided", "aborted by closing workflow", "already completed")
            ), reason
            expected = "approved" if won[0]["decision"]["action"] == "approve" else "rejected"
            assert await handle.result() == expected
            decisions = [a for a in await handle.query("audit_trail") if a["kind"] == "decision"]
            assert len(decisions) == 1


async def test_a_refused_update_leaves_history_untouched_on_the_dev_server() -> None:
    async with WorkflowHarness(ApprovalChildWorkflow, server="dev") as harness:
        handle = await harness.start("2026-10")
        gate = await eventually(pending(handle, "interactive_review"))
        before = await history_types(handle)
        for bad in (
            {"action": "approve"},
            {"action": "nope", "reviewer": "ana"},
            {"action": "approve", "reviewer": "ana", "gate_id": "old:1"},
        ):
            with pytest.raises(WorkflowUpdateFailedError):
                await handle.execute_update("submit_action", bad)
        assert await history_types(handle) == before
        await handle.execute_update(
            "submit_action", {"action": "approve", "reviewer": "ana", "gate_id": gate["gate_id"]}
        )
        assert await handle.result() == "approved"


async def test_both_styles_pass_on_the_dev_server() -> None:
    for workflow_cls, children in [
        (MonthEndWorkflow, [DocumentIngestWorkflow]),
        (FacadeIngestWorkflow, [("approval-child", ApprovalChildWorkflow)]),
    ]:
        async with WorkflowHarness(workflow_cls, child_workflows=children, server="dev") as h:
            result = await h.run(scenario=HAPPY)
        assert result.status == "completed", result.error
