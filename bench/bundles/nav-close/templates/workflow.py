"""The NAV close, in the product page's Temporal style."""

from datetime import timedelta
from typing import Any

from temporalio import workflow

from ntro.workflow import NtroWorkflow, ui_step

from .activities import compute_nav, emit_period_summary, open_period
from .models import (
    DocumentIngestContext,
    NavComputation,
    NavMonthlyContext,
    PeriodOpened,
    PeriodSummary,
    PeriodSummaryInput,
)


@workflow.defn
class NavCloseWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._submission_received = False
        self.corrections_received: list[dict[str, Any]] = []

    @workflow.signal
    def statement_submitted(self, payload: dict[str, Any] | None = None) -> None:
        """The upload service emits this once the statement is in the data plane."""
        self._submission_received = True

    @ui_step(name="period_open", title="Open period", icon="Calendar")
    async def _step_period_open(self, ctx: NavMonthlyContext) -> PeriodOpened:
        return await workflow.execute_activity(
            open_period, ctx, start_to_close_timeout=timedelta(minutes=5)
        )

    @ui_step(name="await_statement", title="Bank statement", icon="Upload")
    async def _step_await_statement(self, ctx: NavMonthlyContext) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self._submission_received,
            action="awaiting_document_submission",
            display_hint={"source": ctx.source, "filename_pattern": ctx.expected_pattern},
        )

    @ui_step(name="ingest_documents", title="Ingest statement", icon="FileInput")
    async def _step_ingest(self, ctx: NavMonthlyContext) -> Any:
        return await self.run_child_workflow(
            slug="statement-ingest",
            input=DocumentIngestContext(
                period=ctx.period,
                entity_slug=ctx.entity_slug,
                source=ctx.source,
                filename_pattern=ctx.expected_pattern,
            ),
            step_id="ingest_documents",
        )

    @ui_step(name="review", title="Review NAV lines", icon="TableProperties")
    async def _step_review(self, ctx: NavMonthlyContext) -> bool:
        computed: NavComputation = await workflow.execute_activity(
            compute_nav, ctx, start_to_close_timeout=timedelta(minutes=10)
        )
        response = await self.wait_for_action(
            payload={"lines": [line.model_dump(mode="json") for line in computed.lines]},
            display_hint={"type": "review_extraction", "schema_slug": "nav-lines"},
            reason="Awaiting accountant approval of the NAV lines",
        )
        self.corrections_received = list(response.get("corrections") or [])
        return response.action == "approved"

    @ui_step(name="summary", title="Period summary", icon="CheckCircle2")
    async def _step_summary(self, input: PeriodSummaryInput) -> PeriodSummary:
        return await workflow.execute_activity(
            emit_period_summary, input, start_to_close_timeout=timedelta(minutes=5)
        )

    @workflow.run
    async def run(self, ctx: NavMonthlyContext) -> PeriodSummary:
        await self._step_period_open(ctx)
        await self._step_await_statement(ctx)
        await self._step_ingest(ctx)
        approved = await self._step_review(ctx)
        return await self._step_summary(
            PeriodSummaryInput(
                period=ctx.period,
                entity=ctx.entity_slug,
                approved=approved,
                corrections=len(self.corrections_received),
            )
        )
