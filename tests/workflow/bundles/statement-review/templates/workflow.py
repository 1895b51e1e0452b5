"""Review a bank statement with quality checks run on it (``checks_spec``)."""

from __future__ import annotations

from ntro.capabilities.checks import QualityCheckSpec
from ntro.workflow import NtroWorkflow, runbook

from .models import ReviewResult, Statement

CHECKS = [
    QualityCheckSpec(
        id="reconciles", title="Closing = opening + movements", evaluator="code", rule="reconciles"
    ),
    QualityCheckSpec(
        id="unique-references",
        title="No duplicate references",
        evaluator="code",
        rule="unique",
        params={"column": "reference"},
    ),
    QualityCheckSpec(
        id="plausible",
        title="Descriptions read like bank transactions",
        prompt="Do the line descriptions read like the transactions of a business bank account?",
    ),
]

COLUMNS = [
    {"key": "date", "label": "Date", "type": "date"},
    {"key": "description", "label": "Description", "type": "text"},
    {"key": "reference", "label": "Reference", "type": "text"},
    {"key": "money_in", "label": "In", "type": "currency"},
    {"key": "money_out", "label": "Out", "type": "currency"},
]


@runbook.defn
class StatementReviewWorkflow(NtroWorkflow):
    @runbook.step(name="review", title="Review the statement", icon="Table")
    async def review(self, statement: Statement) -> ReviewResult:
        decision = await self.wait_for_action(
            payload=statement.model_dump(mode="json"),
            display_hint={
                "component": "DATA_TABLE",
                "config": {
                    "title": f"Statement of account {statement.account}",
                    "datasets": [{"key": "line_items", "label": "Lines", "data_key": "line_items"}],
                    "columns": COLUMNS,
                },
            },
            reason=f"Check the {len(statement.line_items)} lines of account {statement.account}",
            checks_spec=CHECKS,
        )
        return ReviewResult(
            approved=decision.approved,
            reviewer=decision.reviewer,
            checks={str(c["id"]): str(c["status"]) for c in decision.checks},
            summary=(decision.checks_result or {}).get("summary"),
        )

    @runbook.run
    async def run(self, statement: Statement) -> ReviewResult:
        return await self.review(statement)
