"""Auto-mocked values: readable for plain types, valid for constrained models, reproducible."""

from __future__ import annotations

import enum
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from ntro.testing import MockValues


class Currency(enum.Enum):
    EUR = "EUR"
    USD = "USD"


class Posting(BaseModel):
    account: str = Field(pattern=r"^[0-9]{4}-[A-Z]{2}$")
    amount: float = Field(gt=0)
    memo: str = Field(max_length=3)


class Statement(BaseModel):
    entity: str
    period_end: date
    currency: Currency
    side: Literal["dr", "cr"]
    postings: list[Posting]
    lines: int = Field(ge=5, le=9)
    status: str = "draft"
    approved: bool
    total: float


def test_plain_types_get_readable_values_and_author_defaults_are_kept() -> None:
    statement = MockValues().value_for(Statement)
    assert statement.entity == "auto-mock"
    assert statement.total == 0 and statement.approved is True
    assert statement.period_end == date(2026, 1, 31)
    assert statement.currency is Currency.EUR and statement.side == "dr"
    assert statement.status == "draft"


def test_constrained_fields_satisfy_their_constraints() -> None:
    statement = MockValues(seed=3).value_for(Statement)
    posting = statement.postings[0]
    Posting.model_validate(posting.model_dump())  # would raise if a constraint were broken
    assert posting.amount > 0 and len(posting.memo) <= 3
    assert 5 <= statement.lines <= 9


def test_generation_is_deterministic_for_a_seed() -> None:
    assert MockValues(seed=7).value_for(Statement) == MockValues(seed=7).value_for(Statement)


def test_string_annotations_are_resolved() -> None:
    # This module uses `from __future__ import annotations`: every hint above is a string.
    async def activity() -> Statement: ...

    assert isinstance(MockValues().for_callable_return(activity), Statement)
