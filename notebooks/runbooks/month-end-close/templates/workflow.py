"""month-end-close: a fund's NAV monthly close (Temporal style).

Steps (breadcrumb order):

1. ``period_open``: record the period as open; read the prior period's signed-off NAV.
2. ``collect_documents``: one ``document-ingest`` child per expected document (bank statement,
   trial balance) behind one multi-upload gate; each document is reviewed in its child.
3. ``check_trial_balance``: debits equal credits, and cash agrees with the bank statement once
   the bank-only items are added. Exceptions are shown to a reviewer, who continues or stops.
4. ``journals``: bank-only items and fee accruals proposed as journals; the reviewer corrects, rejects lines or journals, and approves. Every
   journal must balance: if corrections unbalance one, the review opens again saying which.
   Approved journals are posted to the ledger.
5. ``nav_signoff``: the NAV after the journals against the prior period's, for sign-off; the
   signed-off NAV is published (next month's prior NAV) and the period closed.

Every run ends normally; the result's status says where and why a close stopped.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from ntro.workflow import NtroWorkflow, ui_step

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from .activities import open_period, post_journals, publish_nav
    from .journals import apply_journal_corrections, propose_journals, unbalanced
    from .models import (
        CloseContext,
        CloseResult,
        DocumentIngestContext,
        DocumentSummary,
        IngestedDocument,
        Journal,
        JournalCorrection,
        JournalsOutcome,
        NavOutcome,
        OpenPeriodRequest,
        PeriodOpened,
        PostJournalsRequest,
        PublishNavRequest,
        TrialBalanceCheck,
    )
    from .nav import compute_nav
    from .review import (
        collect_hint,
        journal_hint,
        journal_payload,
        nav_hint,
        nav_payload,
        trial_balance_hint,
        trial_balance_payload,
    )
    from .trial_balance import check_trial_balance

CHILD = "document-ingest"
MAX_JOURNAL_REVIEWS = 3
REVIEW_TIMEOUT = timedelta(days=3)
LEDGER_WRITES = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5)


def prior_period(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def period_end(period: str) -> date:
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def as_document(result: Any) -> IngestedDocument:
    """A child's result (its own model, or JSON) read as this runbook's view of it."""
    data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    return IngestedDocument.model_validate(data)


@workflow.defn
class MonthEndCloseWorkflow(NtroWorkflow):
    """Close a fund's month: documents, trial balance, journals, NAV sign-off."""

    def __init__(self) -> None:
        super().__init__()
        self._dropped: set[str] = set()

    async def on_row_action(self, action: dict[str, Any]) -> None:
        """In the journal review, a rejected row (a journal or a line) is not posted."""
        if action.get("action") == "reject_row":
            self._dropped.add(str(action.get("row_id")))

    @ui_step(name="period_open", title="Open period", icon="CalendarCheck")
    async def _step_period_open(self, ctx: CloseContext) -> PeriodOpened:
        return await workflow.execute_activity(
            open_period,
            OpenPeriodRequest(
                entity_slug=ctx.entity_slug,
                period=ctx.period,
                prior_period=prior_period(ctx.period),
                opened_by=workflow.info().workflow_id,
            ),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=LEDGER_WRITES,
        )

    @ui_step(name="collect_documents", title="Collect documents", icon="Files")
    async def _step_collect_documents(self, ctx: CloseContext) -> list[IngestedDocument]:
        inputs = [
            DocumentIngestContext(
                entity_slug=ctx.entity_slug,
                period=ctx.period,
                source=doc.source,
                schema_slug=doc.schema_slug,
                label=doc.label,
                currency=ctx.currency,
                ledger_dir=ctx.ledger_dir,
                document_store_dir=ctx.document_store_dir,
            )
            for doc in ctx.documents
        ]
        results = await self.collect_documents(
            expected=[doc.model_dump() for doc in ctx.documents],
            inputs=inputs,
            slug=CHILD,
            display_hint=collect_hint(ctx),
            reason=f"Upload the {len(inputs)} documents of the {ctx.period} close",
        )
        return [as_document(result) for result in results]

    @ui_step(name="check_trial_balance", title="Check trial balance", icon="Scale")
    async def _step_check_trial_balance(
        self,
        ctx: CloseContext,
        documents: list[IngestedDocument],
    ) -> TrialBalanceCheck | None:
        """The check; None when a reviewer stops the close over its exceptions."""
        trial_balance = next(d for d in documents if d.schema_slug == "trial_balance")
        bank = next((d for d in documents if d.schema_slug == "bank_statement"), None)
        check = check_trial_balance(trial_balance, bank)
        if not check.issues:
            return check
        decision = await self.wait_for_action(
            payload=trial_balance_payload(trial_balance, check),
            display_hint=trial_balance_hint(ctx, check),
            reason="Trial balance exceptions: "
            + "; ".join(check.issues)
            + ". Continue the close, or stop it",
            timeout=REVIEW_TIMEOUT,
        )
        return check if decision.approved else None

    @ui_step(name="journals", title="Review journals", icon="BookCheck")
    async def _step_journals(
        self,
        ctx: CloseContext,
        check: TrialBalanceCheck,
        opened: PeriodOpened,
    ) -> JournalsOutcome:
        """Approved journals and their posting, or why none were posted."""
        prior = ctx.prior_nav or opened.prior_nav
        journals = propose_journals(ctx, period_end(ctx.period), check, prior)
        applied: list[JournalCorrection] = []
        for _review in range(MAX_JOURNAL_REVIEWS):
            self._dropped = set()
            decision = await self.wait_for_action(
                payload=journal_payload(ctx, journals, check),
                display_hint=journal_hint(ctx, journals),
                reason=f"Approve the {len(journals)} journal(s) proposed for {ctx.period}",
                timeout=REVIEW_TIMEOUT,
            )
            if not decision.approved:
                return JournalsOutcome(status="journals_rejected", journals=journals)
            edit = apply_journal_corrections(journals, decision.corrections, self._dropped)
            journals, applied = edit.journals, applied + edit.applied
            problems = edit.errors + unbalanced(journals)
            if not problems:
                receipt = await workflow.execute_activity(
                    post_journals,
                    PostJournalsRequest(
                        entity_slug=ctx.entity_slug,
                        period=ctx.period,
                        journals=journals,
                        corrections=applied,
                        approved_by=decision.reviewer,
                    ),
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=LEDGER_WRITES,
                )
                return JournalsOutcome(status="posted", journals=journals, posting=receipt)
            self.set_user_feedback(
                "journals_refused",
                {
                    "message": "Not posted: "
                    + "; ".join(problems)
                    + ". Correct them and approve again.",
                    "errors": problems,
                },
                level="error",
            )
        return JournalsOutcome(status="journals_unbalanced", journals=journals)

    @ui_step(name="nav_signoff", title="Sign off NAV", icon="Signature")
    async def _step_nav_signoff(
        self,
        ctx: CloseContext,
        trial_balance: IngestedDocument,
        journals: list[Journal],
        opened: PeriodOpened,
    ) -> NavOutcome:
        nav = compute_nav(
            trial_balance.lines,
            journals,
            ctx.prior_nav or opened.prior_nav,
            ctx.currency,
            ctx.period,
            prior_period(ctx.period),
        )
        decision = await self.wait_for_action(
            payload=nav_payload(nav),
            display_hint=nav_hint(ctx, nav),
            reason=f"Sign off the {ctx.period} NAV of {ctx.entity_name}",
            timeout=REVIEW_TIMEOUT,
        )
        outcome = NavOutcome(
            nav=nav,
            approved=decision.approved,
            reviewer=decision.reviewer,
            on_behalf_of=decision.on_behalf_of,
            comment=decision.comment,
        )
        if not decision.approved:
            return outcome
        outcome.publication = await workflow.execute_activity(
            publish_nav,
            PublishNavRequest(
                entity_slug=ctx.entity_slug,
                nav=nav,
                signed_off_by=outcome.signed_by,
                comment=decision.comment,
            ),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=LEDGER_WRITES,
        )
        return outcome

    @workflow.run
    async def run(self, ctx: CloseContext) -> CloseResult:
        result = CloseResult(
            status="signed_off",
            entity_slug=ctx.entity_slug,
            period=ctx.period,
            prior_period=prior_period(ctx.period),
        )
        opened = await self._step_period_open(ctx)
        documents = await self._step_collect_documents(ctx)
        result.documents = [
            DocumentSummary(
                source=d.source,
                status=d.status,
                filename=d.filename,
                lines=len(d.lines),
                message=d.message,
            )
            for d in documents
        ]
        missing = [d.source for d in documents if not d.committed]
        trial_balance = next((d for d in documents if d.schema_slug == "trial_balance"), None)
        if missing or trial_balance is None:
            return self._stop(
                result,
                "documents_incomplete",
                f"not committed: {', '.join(missing) or 'no trial balance expected'}",
            )
        check = await self._step_check_trial_balance(ctx, documents)
        if check is None:
            return self._stop(
                result, "trial_balance_rejected", "stopped at the trial balance exceptions"
            )
        result.trial_balance = check
        journals = await self._step_journals(ctx, check, opened)
        result.journals, result.posting = journals.journals, journals.posting
        if journals.status != "posted":
            return self._stop(
                result,
                journals.status,
                "journals rejected"
                if journals.status == "journals_rejected"
                else f"journals still out of balance after {MAX_JOURNAL_REVIEWS} reviews",
            )
        signoff = await self._step_nav_signoff(ctx, trial_balance, journals.journals, opened)
        result.nav, result.publication = signoff.nav, signoff.publication
        if not signoff.approved:
            return self._stop(
                result,
                "nav_rejected",
                f"NAV rejected by {signoff.reviewer}"
                + (f": {signoff.comment}" if signoff.comment else ""),
            )
        result.signed_off_by = signoff.signed_by
        result.message = f"NAV {signoff.nav.value('nav') or 0:,} {ctx.currency} signed off by {signoff.signed_by}"
        return result

    @staticmethod
    def _stop(result: CloseResult, status: str, message: str) -> CloseResult:
        result.status = status  # type: ignore[assignment]
        result.message = message
        return result
