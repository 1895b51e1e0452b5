"""Inputs and results of the NAV close. Fields carry the constraints the fund's data has."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class NavMonthlyContext(BaseModel):
    period: str = Field(pattern=PERIOD)
    entity_slug: str = Field(pattern=r"^[a-z][a-z0-9-]{2,30}$")
    source: str = Field(min_length=2, max_length=40)
    expected_pattern: str = "statement_*.csv"
    base_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")


class PeriodOpened(BaseModel):
    period: str = Field(pattern=PERIOD)
    opened_at: datetime
    open_journals: int = Field(ge=0, le=10_000)


class DocumentIngestContext(BaseModel):
    period: str
    entity_slug: str
    source: str
    filename_pattern: str


class NavLine(BaseModel):
    line_item_id: str = Field(pattern=r"^L\d{3}$")
    account: str = Field(pattern=r"^\d{4}$")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class NavComputation(BaseModel):
    lines: list[NavLine] = Field(min_length=1, max_length=50)
    nav: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


class PeriodSummaryInput(BaseModel):
    period: str
    entity: str
    approved: bool
    corrections: int = Field(ge=0)


class PeriodSummary(BaseModel):
    period: str = Field(pattern=PERIOD)
    entity: str = Field(min_length=1)
    status: Literal["closed", "reopened"]
    corrections: int = Field(ge=0)
