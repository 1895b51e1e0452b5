"""Auto-mocked values: readable for plain types, valid for constrained models, reproducible."""

from __future__ import annotations

import enum
import re
import subprocess
import sys
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from ntro.testing import MockValues

ROOT = Path(__file__).resolve().parents[2]


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


class Line(BaseModel):
    line_item_id: str = Field(pattern=r"^L\d{3}$")
    account: str = Field(pattern=r"^\d{4}$")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Constrained(BaseModel):
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]{2,30}$", min_length=8)
    iban: str = Field(pattern=r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
    name: str = Field(min_length=12, max_length=14)
    code: str = Field(max_length=2)
    ratio: float = Field(gt=0, lt=1)
    lots: int = Field(multiple_of=25, gt=60)
    negative: int = Field(lt=-3)
    rate: Decimal = Field(ge=Decimal("0.5"), le=Decimal("0.75"), decimal_places=2)
    lines: list[Line] = Field(min_length=3, max_length=50)
    tags: set[str] = Field(min_length=2)
    scores: list[Annotated[int, Field(ge=10)]]
    ref: uuid.UUID
    when: datetime


def test_constraints_of_every_common_kind_are_met() -> None:
    value = MockValues().value_for(Constrained)
    again = Constrained.model_validate(value.model_dump())  # every constraint holds
    assert again == value
    assert value.period == "0000-01" and value.lines[0].line_item_id == "L000"
    assert len(value.slug) >= 8 and 12 <= len(value.name) <= 14 and len(value.code) <= 2
    assert 0 < value.ratio < 1 and value.lots % 25 == 0 and value.lots > 60
    assert value.negative < -3 and Decimal("0.5") <= value.rate <= Decimal("0.75")
    assert len(value.lines) == 3 and len(value.tags) == 2
    assert len({line.amount for line in value.lines}) == 3  # rows of a table differ
    assert value.scores[0] >= 10


def test_first_use_searches_nothing() -> None:
    # The constraint-aware values are built in one pass: the search library (whose import alone
    # takes seconds) is not loaded, so the first scenario is as fast as the next.
    code = (
        "import sys\n"
        "from tests.testing.test_automock import Constrained\n"
        "from ntro.testing import MockValues\n"
        "MockValues().value_for(Constrained)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('hypothesis')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


class Password(BaseModel):
    # A look-ahead the one-pass walk cannot satisfy: the value is searched for instead.
    model_config = ConfigDict(regex_engine="python-re")

    secret: str = Field(pattern=r"^(?!a)[a-c]{3}$")


@pytest.mark.slow
def test_constraints_beyond_the_walk_fall_back_to_a_search() -> None:
    first = MockValues(seed=1).value_for(Password)
    assert first == MockValues(seed=1).value_for(Password)
    assert re.fullmatch(r"(?!a)[a-c]{3}", first.secret)
