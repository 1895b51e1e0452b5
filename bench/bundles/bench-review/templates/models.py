"""Input and lines of the bench-review runbook."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ReviewInput(BaseModel):
    entity: str = "bench-fund"
    period: str = Field(default="2026-01", pattern=r"^\d{4}-\d{2}$")


class Line(BaseModel):
    id: str
    amount: float
