from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, runbook

COLUMNS = [
    {"key": "account", "label": "Account", "type": "text", "editable": False},
    {"key": "amount", "label": "Amount", "type": "number", "editable": True},
]

LINES = [
    {"id": "L1", "account": "4000 Revenue", "amount": 1250.0},
    {"id": "L2", "account": "6100 Rent", "amount": -400.0},
    {"id": "L3", "account": "6200 Travel", "amount": -75.5},
]


@runbook.defn
class CloseReviewWorkflow(NtroWorkflow):
    @runbook.step(name="extract", title="Extract lines", icon="ScanText")
    async def extract(self, ctx: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(line) for line in LINES]

    @runbook.step(name="review", title="Review lines", icon="TableProperties")
    async def review(self, ctx: dict[str, Any], lines: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        decision = await self.wait_for_action(
            payload={"entity": ctx.get("entity"), "period": ctx.get("period"), "lines": lines},
            display_hint={"component": "DATA_TABLE", "config": {
                "title": "Bank lines", "allow_corrections": True,
                "datasets": [{"key": "lines", "label": "Lines", "data_key": "lines", "columns": COLUMNS}],
                "columns": COLUMNS,
            }},
            reason="Check the extracted bank lines",
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
    async def run(self, ctx: dict[str, Any]) -> dict[str, Any]:
        lines = await self.review(ctx, await self.extract(ctx))
        if lines is None:
            return {"approved": False, "total": None, "lines": None}
        return {"approved": True, "total": await self.post(lines), "lines": lines}
