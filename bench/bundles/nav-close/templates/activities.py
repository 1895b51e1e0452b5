"""Activities of the NAV close. In tests they are auto-mocked from their return types."""

from datetime import UTC, datetime
from decimal import Decimal

from temporalio import activity

from .models import (
    NavComputation,
    NavLine,
    NavMonthlyContext,
    PeriodOpened,
    PeriodSummary,
    PeriodSummaryInput,
)


@activity.defn
async def open_period(ctx: NavMonthlyContext) -> PeriodOpened:
    return PeriodOpened(period=ctx.period, opened_at=datetime.now(UTC), open_journals=0)


@activity.defn
async def compute_nav(ctx: NavMonthlyContext) -> NavComputation:
    line = NavLine(line_item_id="L001", account="1000", amount=Decimal("1.00"), currency="EUR")
    return NavComputation(lines=[line], nav=line.amount)


@activity.defn
async def emit_period_summary(input: PeriodSummaryInput) -> PeriodSummary:
    status = "closed" if input.approved else "reopened"
    return PeriodSummary(
        period=input.period, entity=input.entity, status=status, corrections=input.corrections
    )
