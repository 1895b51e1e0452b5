"""What the statement ingest reads and returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class DocumentIngestContext(BaseModel):
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    entity_slug: str = Field(min_length=3)
    source: str = Field(min_length=2)
    filename_pattern: str = "statement_*.csv"


class StatementLine(BaseModel):
    line_item_id: str = Field(pattern=r"^L\d{3}$")
    booked_on: date
    description: str = Field(min_length=1, max_length=140)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    confidence: float = Field(ge=0, le=1)


class StatementExtraction(BaseModel):
    iban: str = Field(pattern=r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: list[StatementLine] = Field(min_length=1, max_length=500)


class IngestOutcome(BaseModel):
    document_ref: str
    lines: int = Field(ge=0)
    approved: bool
