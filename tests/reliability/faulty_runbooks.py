"""The runbook the fault suites interrupt: one review of a payment batch."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from ntro.workflow import NtroWorkflow, ui_step


@workflow.defn
class ReviewedPaymentWorkflow(NtroWorkflow):
    @ui_step(name="approve_payments", title="Approve payments", icon="Banknote")
    async def approve(self, batch: str) -> dict[str, Any]:
        decision = await self.wait_for_action(
            payload={"payments": [{"id": "P1", "amount": 1200.0}, {"id": "P2", "amount": 80.0}]},
            display_hint={"component": "DATA_TABLE"},
            reason=f"Approve payment batch {batch}",
        )
        return {"batch": batch, "action": decision.decision.action, "reviewer": decision.reviewer}

    @workflow.run
    async def run(self, batch: str) -> dict[str, Any]:
        return await self.approve(batch)


@workflow.defn
class TwoGateReviewWorkflow(NtroWorkflow):
    """Two reviews in a row: the race suites decide the first from many clients at once."""

    @ui_step(name="prepare", title="Review the journal")
    async def prepare(self) -> str | None:
        decision = await self.wait_for_action(
            payload={"lines": [{"id": "J1", "amount": 500.0}]},
            display_hint={"component": "DATA_TABLE"},
            reason="Review the journal",
        )
        return decision.reviewer

    @ui_step(name="sign_off", title="Sign off")
    async def sign_off(self) -> str | None:
        decision = await self.wait_for_action(
            payload={"total": 500.0}, display_hint={"component": "APPROVAL_FORM"}, reason="Sign off"
        )
        return decision.reviewer

    @workflow.run
    async def run(self) -> list[str | None]:
        return [await self.prepare(), await self.sign_off()]
