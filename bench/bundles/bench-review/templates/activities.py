"""Activities of the bench-review runbook: small, so the figures measure the plumbing."""

from __future__ import annotations

from ntro.workflow import activity

from .models import Line, ReviewInput


@activity.defn(name="bench-review.prepare")
async def prepare(ctx: ReviewInput) -> list[Line]:
    return [Line(id=f"L{i}", amount=100.0 + i) for i in range(5)]


@activity.defn(name="bench-review.post")
async def post(ctx: ReviewInput, total: float) -> str:
    return f"posted {total:.2f} for {ctx.entity} {ctx.period}"
