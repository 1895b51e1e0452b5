"""A bank statement under review, and what the review decided."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StatementLine(BaseModel):
    line_item_id: str
    date: str
    description: str
    reference: str | None = None
    money_in: str | None = None
    money_out: str | None = None


def _sample() -> list[StatementLine]:
    return [
        StatementLine(
            line_item_id="L1",
            date="2026-01-05",
            description="Customer receipt",
            reference="INV-1001",
            money_in="1200.00",
        ),
        StatementLine(
            line_item_id="L2",
            date="2026-01-09",
            description="Office rent",
            reference="SO-77",
            money_out="800.00",
        ),
    ]


class Statement(BaseModel):
    """The statement to review; by default a small one that reconciles."""

    account: str = "12-3456-7890"
    fields: dict[str, str] = Field(
        default_factory=lambda: {"opening_balance": "1000.00", "closing_balance": "1400.00"}
    )
    line_items: list[StatementLine] = Field(default_factory=_sample)


class ReviewResult(BaseModel):
    approved: bool
    reviewer: str | None = None
    #: Each check's status as the review closed: ``{"reconciles": "pass", ...}``.
    checks: dict[str, str] = Field(default_factory=dict)
    summary: str | None = None
