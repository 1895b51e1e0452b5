from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, runbook

from .activities import extract
from .models import InvoiceInput

COLUMNS = [
    {"key": "id", "label": "Line", "type": "text", "editable": False},
    {"key": "description", "label": "Description", "type": "text", "editable": True},
    {"key": "amount", "label": "Amount", "type": "number", "editable": True},
]


@runbook.defn
class InvoiceReviewWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._document: dict[str, Any] | None = None

    @runbook.signal
    def invoice_uploaded(self, document: dict[str, Any]) -> None:
        self._document = document

    @runbook.step(name="upload", title="Upload invoice", icon="Upload")
    async def upload(self, ctx: InvoiceInput) -> str:
        await self.await_signal_with_action(
            predicate=lambda: self._document is not None,
            action={
                "kind": "submit_file",
                "args": {"source": "invoice", "signal_name": "invoice_uploaded"},
            },
        )
        assert self._document is not None
        return str(self._document.get("document_ref"))

    @runbook.step(name="extract", title="Extract lines", icon="ScanText")
    async def extract(self, ref: str) -> list[dict[str, Any]]:
        result = await runbook.execute_activity(
            extract, ref, start_to_close_timeout=timedelta(minutes=5)
        )
        return [line.model_dump() for line in result.lines]

    @runbook.step(name="review", title="Review lines", icon="TableProperties")
    async def review(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        decision = await self.wait_for_action(
            payload={"lines": lines},
            display_hint={
                "component": "DATA_TABLE",
                "config": {
                    "title": "Invoice lines",
                    "allow_corrections": True,
                    "datasets": [
                        {"key": "lines", "label": "Lines", "data_key": "lines", "columns": COLUMNS}
                    ],
                    "columns": COLUMNS,
                },
            },
            reason="Check the extracted lines",
        )
        if not decision.approved:
            return None
        by_id = {line["id"]: dict(line) for line in lines}
        for correction in decision.get("corrections") or []:
            by_id[correction["line_item_id"]][correction["field"]] = correction["new_value"]
        return list(by_id.values())

    @runbook.step(name="post", title="Post total", icon="Calculator")
    async def post(self, lines: list[dict[str, Any]]) -> float:
        return round(sum(float(line["amount"]) for line in lines), 2)

    @runbook.run
    async def run(self, ctx: InvoiceInput) -> dict[str, Any]:
        ref = await self.upload(ctx)
        lines = await self.review(await self.extract(ref))
        if lines is None:
            return {"vendor": ctx.vendor, "approved": False, "total": None}
        return {"vendor": ctx.vendor, "approved": True, "total": await self.post(lines)}
