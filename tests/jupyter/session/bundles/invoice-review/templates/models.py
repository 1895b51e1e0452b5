from __future__ import annotations

from pydantic import BaseModel


class InvoiceInput(BaseModel):
    vendor: str
    period: str


class Line(BaseModel):
    id: str
    description: str
    amount: float


class Extraction(BaseModel):
    lines: list[Line]
