from __future__ import annotations

from pydantic import BaseModel


class CloseInput(BaseModel):
    entity: str = "fund-a"
    period: str = "2026-10"


class Line(BaseModel):
    id: str
    amount: float
    confidence: float = 1.0


class Extraction(BaseModel):
    lines: list[Line]
