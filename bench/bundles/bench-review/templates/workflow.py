from __future__ import annotations

from datetime import timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import post, prepare
from .models import Line, ReviewInput


@runbook.defn
class BenchReviewWorkflow(NtroWorkflow):
    @runbook.step(name="prepare", title="Prepare lines", icon="ScanText")
    async def prepare(self, ctx: ReviewInput) -> list[Line]:
        return await runbook.execute_activity(
            prepare, ctx, start_to_close_timeout=timedelta(minutes=1)
        )

    @runbook.step(name="review", title="Review lines", icon="TableProperties")
    async def review(self, lines: list[Line]) -> bool:
        decision = await self.wait_for_action(
            payload={"lines": [line.model_dump() for line in lines]},
            display_hint={"component": "DATA_TABLE", "config": {"allow_corrections": True}},
        )
        return decision.approved

    @runbook.step(name="post", title="Post", icon="BookCheck")
    async def post(self, ctx: ReviewInput, total: float) -> str:
        return await runbook.execute_activity(
            post, args=[ctx, total], start_to_close_timeout=timedelta(minutes=1)
        )

    @runbook.run
    async def run(self, ctx: ReviewInput) -> str:
        lines = await self.prepare(ctx)
        if not await self.review(lines):
            return "rejected"
        return await self.post(ctx, sum(line.amount for line in lines))
