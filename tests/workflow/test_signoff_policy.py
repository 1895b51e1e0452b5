"""Accountable sign-off in the workflow: the reviewer stays on the record under a typed
signer, the review timeout's default outcome is published, and an override of a failed check
takes a second reviewer when the gate's policy says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from ntro.testing import WorkflowHarness
from ntro.workflow import InvalidDecision, NtroWorkflow, ReviewPolicy, runbook, start_local
from tests.workflow.test_local_runtime import eventually, pending_kind

UNBALANCED = {"journals": [{"id": "J1", "debit": 100.0}, {"id": "J2", "credit": 90.0}]}
CHECKS = [{"name": "journals balance", "ok": False, "message": "out by 10.00"}]


@runbook.defn
class OverrideWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> Any:
        return await self.wait_for_action(
            payload=UNBALANCED,
            display_hint={"type": "journal_review"},
            checks=CHECKS,
            timeout=timedelta(hours=24),
            on_timeout="reject",
            policy=ReviewPolicy(second_approver_for_overrides=True),
        )


async def test_an_override_of_a_failed_check_takes_a_second_reviewer() -> None:
    handle = start_local(OverrideWorkflow)
    gate = await eventually(pending_kind(handle, "interactive_review"))
    assert gate["on_timeout"] == "reject"
    assert gate["deadline"]
    assert gate["policy"]["second_approver_for_overrides"] is True
    assert gate["policy"]["override_approvals"] == []
    first = await handle.update(
        "submit_action",
        {"action": "approve", "reviewer": "ana", "on_behalf_of": "Dana Cho, CFO"},
    )
    assert first["kind"] == "first_approval"
    # The gate is still open, and says who approved so far.
    pending = handle.query("current_pending_action")
    assert pending is not None and pending["policy"]["override_approvals"] == ["ana"]
    with pytest.raises(InvalidDecision, match="ana already approved overriding journals balance"):
        await handle.update("submit_action", {"action": "approve", "reviewer": "ana"})
    await handle.update("submit_action", {"action": "approve", "reviewer": "bo"})
    decision = await handle
    assert decision.reviewer == "bo"
    kinds = [(a["kind"], a["reviewer"], a.get("on_behalf_of")) for a in handle.query("audit_trail")]
    assert kinds == [("first_approval", "ana", "Dana Cho, CFO"), ("decision", "bo", None)]


async def test_rejecting_an_override_needs_one_reviewer() -> None:
    handle = start_local(OverrideWorkflow)
    await eventually(pending_kind(handle, "interactive_review"))
    await handle.update(
        "submit_action", {"action": "reject", "reviewer": "ana", "comment": "fix J2"}
    )
    assert (await handle).rejected


@runbook.defn
class SignedWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> Any:
        return await self.wait_for_action(payload={"nav": 105.0, "prior_nav": 100.0})


async def test_a_typed_signer_is_kept_beside_the_reviewer_never_instead() -> None:
    handle = start_local(SignedWorkflow)
    await eventually(pending_kind(handle, "interactive_review"))
    with pytest.raises(InvalidDecision, match="'on_behalf_of' must be a name"):
        await handle.update(
            "submit_action", {"action": "approve", "reviewer": "ana", "on_behalf_of": 7}
        )
    await handle.update(
        "submit_action",
        {"action": "approve", "reviewer": "ana@acme.example", "on_behalf_of": "Dana Cho, CFO"},
    )
    decision = await handle
    assert decision.reviewer == "ana@acme.example"
    assert decision.decision.on_behalf_of == "Dana Cho, CFO"
    entry = handle.query("audit_trail")[-1]
    assert (entry["reviewer"], entry["on_behalf_of"]) == ("ana@acme.example", "Dana Cho, CFO")


async def test_the_second_approver_policy_holds_on_temporal(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(OverrideWorkflow, env=time_skipping_env) as harness:
        handle = await harness.start()
        while not await handle.query("current_pending_action"):
            pass
        first = await handle.execute_update(
            "submit_action", {"action": "approve", "reviewer": "ana"}
        )
        assert first["kind"] == "first_approval"
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("submit_action", {"action": "approve", "reviewer": "ana"})
        assert "second reviewer" in str(refused.value.cause)
        await handle.execute_update("submit_action", {"action": "approve", "reviewer": "bo"})
        assert (await handle.result())["action"] == "approve"
