"""A runbook with no gate: its result, or its failure, is what `--wait` prints."""

from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, WorkflowError, runbook

from .models import CheckInput


@runbook.defn
class QuickCheckWorkflow(NtroWorkflow):
    @runbook.step(name="check", title="Check")
    async def check(self, ctx: CheckInput) -> dict[str, Any]:
        if ctx.fail:
            raise WorkflowError(f"no ledger for entity {ctx.entity}")
        return {"entity": ctx.entity, "balanced": True}

    @runbook.run
    async def run(self, ctx: CheckInput) -> dict[str, Any]:
        return await self.check(ctx)
