"""expenses-intake: expense rows sent by signal are canonicalised into the ``expenses``
subledger, reviewed in a table, corrected and approved.

Steps: submit -> intake -> review -> approve.

- **submit** waits for the ``expenses_submitted`` signal: spreadsheet rows with their headings
  as written ("Date", "Supplier", "Gross", "VAT", ...), or an uploaded CSV's ``document_ref``.
- **intake** keeps each row as received, canonicalises it and inserts it ``PENDING``, or
  ``NEEDS_ATTENTION`` with the reasons.
- **review** shows the task's rows in a DATA_TABLE built from ``ExpenseRow`` by
  ``ntro.subledger.review.data_table_config``; the reviewer corrects cells (a missing date,
  a supplier's name), rejects rows that are not expenses, then approves or rejects.
- **approve** applies the corrections, rejects the excluded rows, moves the rest to
  ``APPROVED`` and proposes their journals. A row still missing its date, supplier or amount
  stays ``NEEDS_ATTENTION``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

from ntro.subledger.review import data_table_config
from ntro.subledger.types.expenses import ExpenseRow
from ntro.workflow import NtroWorkflow, runbook

from .activities import approve_expenses, load_review_rows, record_expenses
from .models import (
    SOURCE,
    ApprovalReceipt,
    ApproveRequest,
    ExpensesIntakeContext,
    ExpenseSubmission,
    IntakeRequest,
    IntakeResult,
    ReviewRequest,
    ReviewRows,
)

SIGNAL = "expenses_submitted"
RETRIES = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5)
REVIEW_COLUMNS = [
    "expense_date",
    "vendor",
    "amount_gross",
    "vat_amount",
    "currency",
    "category",
    "payment_method",
    "status",
]


def review_hint() -> dict[str, Any]:
    """The review table: ExpenseRow's columns, status read-only."""
    return data_table_config(ExpenseRow, title="Review expenses", columns=REVIEW_COLUMNS)


@runbook.defn
class ExpensesIntakeWorkflow(NtroWorkflow):
    """Submit, canonicalise, review and approve one batch of expense rows."""

    def __init__(self) -> None:
        super().__init__()
        self._submission: ExpenseSubmission | None = None
        self._excluded: set[str] = set()

    @runbook.signal
    def expenses_submitted(self, submission: ExpenseSubmission) -> None:
        """The rows to take in (a second submission before intake replaces the first)."""
        self._submission = submission

    async def on_row_action(self, action: dict[str, Any]) -> None:
        """A row the reviewer rejects is excluded when the review is approved."""
        if action.get("action") == "reject_row":
            self._excluded.add(str(action.get("row_id")))

    def _task(self) -> str:
        return runbook.info().workflow_id

    @runbook.step(name="submit", title="Submit expenses", icon="FileUp")
    async def submit(self, ctx: ExpensesIntakeContext) -> ExpenseSubmission | None:
        received = await self.await_signal_with_action(
            predicate=lambda: self._submission is not None,
            action={
                "kind": "submit_file",
                "args": {
                    "source": SOURCE,
                    "schema_slug": "expenses",
                    "entity_id_or_slug": ctx.entity_id,
                    "tenant_id_or_slug": ctx.tenant_slug,
                    "signal_name": SIGNAL,
                },
            },
            display_hint={
                "component": "FILE_UPLOAD",
                "config": {
                    "title": "Submit the expenses",
                    "instructions": f"Expenses of {ctx.entity_id} for {ctx.period}: one row per "
                    "receipt with its date, supplier, gross amount and VAT.",
                    "accept": [".csv", ".xlsx"],
                    "multiple": False,
                },
            },
            timeout=timedelta(hours=ctx.submit_timeout_hours),
            reason=f"Waiting for the expenses of {ctx.entity_id} for {ctx.period}",
        )
        return self._submission if received else None

    @runbook.step(name="intake", title="Canonicalise rows", icon="ListChecks")
    async def intake(self, ctx: ExpensesIntakeContext, submission: ExpenseSubmission) -> Any:
        return await runbook.execute_activity(
            record_expenses,
            IntakeRequest(
                task_id=self._task(),
                entity_id=ctx.entity_id,
                period=ctx.period,
                currency=ctx.currency,
                tenant_slug=ctx.tenant_slug,
                source_ref=submission.source_ref,
                rows=submission.rows,
                document_ref=submission.document_ref,
            ),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RETRIES,
        )

    @runbook.step(name="review", title="Review expenses", icon="Table")
    async def review(self, ctx: ExpensesIntakeContext) -> Any:
        rows: ReviewRows = await runbook.execute_activity(
            load_review_rows,
            ReviewRequest(
                task_id=self._task(), entity_id=ctx.entity_id, tenant_slug=ctx.tenant_slug
            ),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RETRIES,
        )
        attention = sum(1 for r in rows.rows if r.get("status") == "NEEDS_ATTENTION")
        return await self.wait_for_action(
            payload={"rows": rows.rows},
            display_hint=review_hint(),
            reason=f"Check {len(rows.rows)} expense rows of {ctx.entity_id} for {ctx.period}"
            + (f"; {attention} need attention" if attention else ""),
            timeout=timedelta(hours=ctx.review_timeout_hours),
        )

    @runbook.step(name="approve", title="Approve rows", icon="CheckCheck")
    async def approve(self, ctx: ExpensesIntakeContext, decision: Any) -> ApprovalReceipt:
        return await runbook.execute_activity(
            approve_expenses,
            ApproveRequest(
                task_id=self._task(),
                entity_id=ctx.entity_id,
                tenant_slug=ctx.tenant_slug,
                corrections=[dict(c) for c in decision.corrections],
                excluded_ids=sorted(self._excluded),
                approved_by=decision.reviewer,
            ),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RETRIES,
        )

    @runbook.run
    async def run(self, ctx: ExpensesIntakeContext) -> IntakeResult:
        submission = await self.submit(ctx)
        if submission is None:
            return IntakeResult(
                status="no_rows",
                entity_id=ctx.entity_id,
                period=ctx.period,
                message=f"no expenses were submitted within {ctx.submit_timeout_hours:g} hours",
            )
        outcome = await self.intake(ctx, submission)
        decision = await self.review(ctx)
        if not decision.approved:
            return IntakeResult(
                status="rejected",
                entity_id=ctx.entity_id,
                period=ctx.period,
                outcome=outcome,
                reviewer=decision.reviewer,
                comment=decision.comment,
                message="the review was rejected; the rows stay as they are",
            )
        receipt = await self.approve(ctx, decision)
        return IntakeResult(
            status="approved",
            entity_id=ctx.entity_id,
            period=ctx.period,
            outcome=outcome,
            receipt=receipt,
            reviewer=decision.reviewer,
            comment=decision.comment,
            message=f"{receipt.approved} rows approved, {receipt.rejected} rejected, "
            f"{len(receipt.still_needs_attention)} need attention",
        )
