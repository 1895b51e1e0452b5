from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, runbook

from .activities import extract
from .models import CloseInput


@runbook.defn
class BenchCloseWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._ref: str | None = None

    @runbook.signal
    def document_submitted(self, payload: dict[str, Any]) -> None:
        self._ref = payload["document_ref"]

    @runbook.step(name="upload", title="Upload statement", icon="Upload")
    async def upload(self, ctx: CloseInput) -> str:
        await self.await_signal_with_action(
            predicate=lambda: self._ref is not None,
            action={
                "kind": "submit_file",
                "args": {"source": "bank", "signal_name": "document_submitted"},
            },
        )
        return str(self._ref)

    @runbook.step(name="extract", title="Extract lines", icon="ScanText")
    async def extract(self, ref: str) -> Any:
        return await runbook.execute_activity(
            extract, ref, start_to_close_timeout=timedelta(minutes=5)
        )

    @runbook.step(name="review", title="Review lines", icon="TableProperties")
    async def review(self, extraction: Any) -> bool:
        decision = await self.wait_for_action(
            payload={"lines": [line.model_dump() for line in extraction.lines]},
            display_hint={"component": "DATA_TABLE", "config": {"allow_corrections": True}},
        )
        return decision.approved

    @runbook.step(name="sign_off", title="Sign off", icon="BadgeCheck")
    async def sign_off(self, ctx: CloseInput) -> Any:
        return await self.run_child_workflow(slug="bench-signoff", input=ctx.period)

    @runbook.run
    async def run(self, ctx: CloseInput) -> dict[str, Any]:
        ref = await self.upload(ctx)
        approved = await self.review(await self.extract(ref))
        return {"approved": approved, "sign_off": await self.sign_off(ctx)}
