"""Review first (a decision to keep), then a slow activity (a worker to kill)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

from ntro.workflow import NtroWorkflow, runbook

from .activities import crunch
from .models import SlowInput


@runbook.defn
class SlowStepWorkflow(NtroWorkflow):
    @runbook.step(name="review", title="Review")
    async def review(self) -> Any:
        return await self.wait_for_action(
            payload={"rows": [{"id": "r1", "amount": 1}]},
            display_hint={"component": "APPROVAL_FORM", "config": {}},
            reason="Approve to start the slow step",
        )

    @runbook.step(name="crunch", title="Crunch")
    async def crunch(self, spec: SlowInput) -> dict[str, Any]:
        return await runbook.execute_activity(
            crunch,
            spec,
            start_to_close_timeout=timedelta(seconds=60),
            heartbeat_timeout=timedelta(seconds=1),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200)),
        )

    @runbook.run
    async def run(self, spec: SlowInput) -> dict[str, Any]:
        decision = await self.review()
        outcome = await self.crunch(spec)
        return {**outcome, "reviewer": decision.reviewer}
