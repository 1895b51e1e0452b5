"""Runbooks that do things the harness must still see through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.testing import WorkflowEnvironment

from ntro.testing import HAPPY, Scenario, WorkflowHarness
from ntro.workflow import NtroWorkflow, ui_step


@workflow.defn
class ChildReview(NtroWorkflow):
    @workflow.run
    async def run(self, name: str) -> str:
        decision = await self.wait_for_action(payload={"name": name})
        return f"{name}:{decision.action}"


@workflow.defn
class EdgesWorkflow(NtroWorkflow):
    """No run input; a day-long timer; a child started with Temporal's own API."""

    def __init__(self) -> None:
        super().__init__()
        self.uploaded = False

    @workflow.signal
    def uploaded_file(self, payload: dict[str, Any]) -> None:
        self.uploaded = True

    @ui_step(name="wait_for_bank", title="Wait for the bank")
    async def wait_for_bank(self) -> None:
        await workflow.sleep(timedelta(days=1))

    @ui_step(name="raw_child", title="Child")
    async def raw_child(self) -> str:
        return await workflow.execute_child_workflow(
            ChildReview.run, "raw", id=f"{workflow.info().workflow_id}-raw"
        )

    @ui_step(name="late_upload", title="Optional upload")
    async def late_upload(self) -> bool:
        return await self.await_signal_with_action(
            predicate=lambda: self.uploaded,
            action={"kind": "submit_file", "args": {"signal_name": "uploaded_file"}},
            timeout=timedelta(hours=6),
        )

    @workflow.run
    async def run(self) -> dict[str, Any]:
        await self.wait_for_bank()
        child = await self.raw_child()
        return {"child": child, "uploaded": await self.late_upload()}


async def test_timers_raw_children_and_upload_timeouts(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(
        EdgesWorkflow, child_workflows=[ChildReview], env=time_skipping_env, timeout=20
    ) as harness:
        happy = await harness.run(scenario=HAPPY)
        late = await harness.run(scenario=Scenario("no_upload", timeouts={"late_upload"}))
    assert happy.status == "completed", happy.error
    assert happy.result == {"child": "raw:approved", "uploaded": True}
    assert late.status == "completed", late.error
    assert late.result == {"child": "raw:approved", "uploaded": False}
