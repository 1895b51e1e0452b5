"""Who may decide, and how large a gate or a decision may be."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from ntro.testing import WorkflowHarness
from ntro.workflow import (
    InvalidDecision,
    NtroWorkflow,
    PayloadTooLarge,
    ReviewPolicy,
    WorkflowError,
    ensure_sendable,
    run_local,
    runbook,
    start_local,
    ui_step,
)
from tests.workflow.test_local_runtime import eventually, pending_kind

JOURNALS = {"journals": [{"id": "J1", "debit": 100.0}, {"id": "J2", "credit": 100.0}]}


@workflow.defn
class GuardedJournalsWorkflow(NtroWorkflow):
    review_policies = {
        "journals": ReviewPolicy(
            reviewers=["ana", "bo", "cy"], maker_checker=True, prepared_by=["cy"]
        ),
    }

    @ui_step(name="journals", title="Approve journals")
    async def journals(self) -> Any:
        return await self.wait_for_action(payload=JOURNALS, display_hint={"type": "journal_review"})

    @workflow.run
    async def run(self) -> Any:
        return await self.journals()


async def test_reviewers_and_maker_checker_are_enforced_in_process() -> None:
    handle = start_local(GuardedJournalsWorkflow)
    gate = await eventually(pending_kind(handle, "interactive_review"))
    assert gate["policy"] == {
        "reviewers": ["ana", "bo", "cy"],
        "roles": None,
        "maker_checker": True,
        "makers": ["cy"],
    }
    refusals = [
        ({"action": "approve", "reviewer": "eve"}, "eve may not act on this review"),
        ({"action": "approve", "reviewer": "cy"}, "cy prepared or corrected this review"),
        (
            {
                "action": "correct",
                "reviewer": "ana",
                "corrections": [{"line_item_id": "J1", "field": "debit", "new_value": 90}],
            },
            "cannot correct and approve in one decision",
        ),
    ]
    for decision, message in refusals:
        with pytest.raises(InvalidDecision, match=message):
            await handle.update("submit_action", decision)
    # ana corrects through a row action: she becomes a maker and may no longer approve.
    await handle.update(
        "submit_action",
        {
            "kind": "row_action",
            "reviewer": "ana",
            "payload": {"action": "edit_cell", "row_id": "J1", "field": "debit", "value": 90},
        },
    )
    assert handle.query("current_pending_action")["policy"]["makers"] == ["ana", "cy"]
    with pytest.raises(InvalidDecision, match="ana prepared or corrected"):
        await handle.update("submit_action", {"action": "approve", "reviewer": "ana"})
    await handle.update("submit_action", {"action": "approve", "reviewer": "bo"})
    assert (await handle).reviewer == "bo"


@runbook.defn
class RoleGatedWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> Any:
        return await self.wait_for_action(
            payload={"nav": 1.0}, policy=ReviewPolicy(roles=["controller"])
        )


async def test_roles_are_checked() -> None:
    handle = start_local(RoleGatedWorkflow)
    await eventually(pending_kind(handle, "interactive_review"))
    with pytest.raises(InvalidDecision, match="needs one of controller"):
        await handle.update(
            "submit_action", {"action": "approve", "reviewer": "ana", "roles": ["preparer"]}
        )
    await handle.update(
        "submit_action", {"action": "approve", "reviewer": "ana", "roles": ["controller"]}
    )
    assert (await handle).approved


async def test_the_policy_holds_for_any_client_on_temporal(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(GuardedJournalsWorkflow, env=time_skipping_env) as harness:
        handle = await harness.start()
        while not await handle.query("current_pending_action"):
            pass
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("submit_action", {"action": "approve", "reviewer": "cy"})
        assert "maker-checker" in str(refused.value.cause)
        # The compatibility signal is held to the same policy: refused and recorded.
        await handle.signal("user_action", {"type": "approved", "user": "cy"})
        await handle.execute_update("submit_action", {"action": "approve", "reviewer": "bo"})
        assert (await handle.result())["action"] == "approve"
        audit = await handle.query("audit_trail")
        assert [a["kind"] for a in audit] == ["refused", "decision"]
        assert "maker-checker" in audit[0]["reason"]


@runbook.defn
class HugeGateWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> Any:
        rows = [{"id": str(n), "memo": "x" * 200} for n in range(10_000)]
        return await self.wait_for_action(payload={"rows": rows})


async def test_a_gate_payload_too_large_for_temporal_is_named_before_it_is_written() -> None:
    with pytest.raises(WorkflowError, match=r"payload of gate 'workflow:1' is 2\.\d MB"):
        await run_local(HugeGateWorkflow)


def test_a_decision_too_large_is_refused_before_it_is_sent() -> None:
    corrections = [
        {"line_item_id": str(n), "field": "memo", "new_value": "y" * 500} for n in range(5_000)
    ]
    with pytest.raises(PayloadTooLarge, match="send fewer corrections at a time"):
        ensure_sendable({"action": "correct", "corrections": corrections}, "the decision")


def test_a_decision_nested_too_deeply_is_refused_with_a_message() -> None:
    nested: Any = "x"
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(PayloadTooLarge, match="nested too deeply to send"):
        ensure_sendable({"action": "correct", "comment": nested}, "the decision")
