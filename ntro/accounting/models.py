"""Accounting models: trial balances, a chart of accounts, journal lines and proposals.

Pure Python plus pydantic (no general-ledger client, no optional extra): the published package
could not import ``ntro.accounting`` without its GL extra; here it always imports. Amounts are
``Decimal`` so balancing is exact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ntro.types.accounting import Period
from ntro.types.currencies import CurrencyCode

__all__ = [
    "Account",
    "AccountType",
    "ChartOfAccounts",
    "JournalLine",
    "JournalProposal",
    "PeriodMismatchError",
    "TrialBalance",
    "TrialBalanceLine",
    "UnbalancedError",
    "to_decimal",
]

AccountType = Literal["asset", "liability", "equity", "income", "expense"]
_CENT = Decimal("0.01")


class UnbalancedError(ValueError):
    """Debits and credits differ; the message gives both totals and the difference."""


class PeriodMismatchError(ValueError):
    """A document's period is not the one expected; the message names both."""


def to_decimal(value: Any, *, field: str = "amount") -> Decimal:
    """``value`` as a ``Decimal``: numbers, and text such as ``"£1,234.50"`` or ``"(12.00)"``."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{field} {value!r} is not a number")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(",", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()").lstrip("£$€")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{field} {value!r} is not a number") from None
    return -number if negative else number


class Account(BaseModel):
    """One account of a chart: its code, name and type."""

    code: str
    name: str
    type: AccountType = "expense"


class ChartOfAccounts(BaseModel):
    """The accounts journals may post to."""

    accounts: list[Account] = Field(default_factory=list)

    def get(self, code: str) -> Account | None:
        """The account with ``code``, or ``None``."""
        return next((a for a in self.accounts if a.code == str(code)), None)

    def __contains__(self, code: object) -> bool:
        return self.get(str(code)) is not None

    def unknown_codes(self, codes: Iterable[str]) -> list[str]:
        """The codes in ``codes`` that are not in this chart, in first-seen order."""
        return [c for c in dict.fromkeys(str(c) for c in codes) if c not in self]


class TrialBalanceLine(BaseModel):
    """One account's debit and credit balance."""

    model_config = ConfigDict(extra="ignore")

    account_code: str
    account_name: str | None = None
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)

    @field_validator("debit", "credit", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        return to_decimal(value)


_CODE_KEYS = ("account_code", "code", "account", "account_number", "nominal_code")
_NAME_KEYS = ("account_name", "name", "description")
_DEBIT_KEYS = ("debit", "dr", "debits")
_CREDIT_KEYS = ("credit", "cr", "credits")
_BALANCE_KEYS = ("balance", "net", "amount")
_LINE_LIST_KEYS = ("lines", "rows", "accounts", "line_items", "items")


def _first(row: Mapping[str, Any], keys: Iterable[str]) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    return next((lowered[k] for k in keys if lowered.get(k) not in (None, "")), None)


class TrialBalance(BaseModel):
    """A trial balance for one period: lines of debit and credit balances per account."""

    entity_id: str | None = None
    period: Period | None = None
    currency: CurrencyCode = "GBP"
    lines: list[TrialBalanceLine] = Field(default_factory=list)

    @classmethod
    def from_extraction(
        cls, extraction: Mapping[str, Any] | list[Mapping[str, Any]], **overrides: Any
    ) -> TrialBalance:
        """Build from an extraction payload: ``{"period": ..., "lines": [...]}`` or a row list.

        Rows may name columns ``account_code``/``code``/``account``, ``debit``/``dr``,
        ``credit``/``cr``, or one signed ``balance`` (positive = debit). A header ``{"key",
        "value"}`` list is read too.
        """
        header: dict[str, Any] = {}
        rows: Any = extraction
        if isinstance(extraction, Mapping):
            raw_header = extraction.get("header") or {}
            if isinstance(raw_header, list):
                raw_header = {
                    h.get("key"): h.get("value") for h in raw_header if isinstance(h, dict)
                }
            header = {
                **dict(raw_header),
                **{k: v for k, v in extraction.items() if k in ("period", "currency", "entity_id")},
            }
            rows = next(
                (extraction[k] for k in _LINE_LIST_KEYS if isinstance(extraction.get(k), list)), []
            )
        lines = []
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise ValueError(f"trial balance line {index + 1} is not an object: {row!r}")
            code = _first(row, _CODE_KEYS)
            if code is None:
                raise ValueError(
                    f"trial balance line {index + 1} has no account code: {dict(row)!r}"
                )
            debit, credit = _first(row, _DEBIT_KEYS), _first(row, _CREDIT_KEYS)
            if debit is None and credit is None:
                balance = to_decimal(_first(row, _BALANCE_KEYS), field="balance")
                debit, credit = (balance, 0) if balance >= 0 else (0, -balance)
            lines.append(
                TrialBalanceLine(
                    account_code=str(code),
                    account_name=_first(row, _NAME_KEYS),
                    debit=debit,
                    credit=credit,
                )
            )
        values = {k: v for k, v in header.items() if v not in (None, "")}
        return cls(**{**values, **overrides, "lines": lines})

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal(0))

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal(0))

    def assert_balanced(self, tolerance: Decimal | float | str = "0.01") -> None:
        """Raise :class:`UnbalancedError` when debits and credits differ by more than ``tolerance``."""
        difference = self.total_debit - self.total_credit
        if abs(difference) > Decimal(str(tolerance)):
            raise UnbalancedError(
                f"trial balance{f' for {self.period}' if self.period else ''} does not balance: "
                f"debits {self.total_debit:,.2f}, credits {self.total_credit:,.2f}, "
                f"difference {difference:,.2f}"
            )

    def assert_period_match(self, expected: str) -> None:
        """Raise :class:`PeriodMismatchError` unless this balance is for ``expected``."""
        if self.period != expected:
            raise PeriodMismatchError(
                f"trial balance is for period {self.period!r}, expected {expected!r}"
            )


class JournalLine(BaseModel):
    """One journal line: an account and a debit or a credit."""

    account_code: str
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    description: str | None = None

    @field_validator("debit", "credit", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        return to_decimal(value)


class JournalProposal(BaseModel):
    """A balanced journal a reviewer may approve for posting to the general ledger.

    ``source_row_ids`` names the subledger rows it came from; ``idempotency_key`` is stable for
    the same rows and amounts, so posting a proposal twice can be refused by the ledger.
    """

    entity_id: str | None = None
    period: Period | None = None
    date: str | None = None
    description: str = ""
    currency: CurrencyCode = "GBP"
    lines: list[JournalLine] = Field(default_factory=list)
    source_row_ids: list[str] = Field(default_factory=list)
    idempotency_key: str = ""

    def model_post_init(self, context: Any) -> None:
        if not self.idempotency_key:
            self.idempotency_key = self.compute_idempotency_key()

    def compute_idempotency_key(self, *, salt: str = "") -> str:
        """A hash of the source rows, accounts and amounts (independent of line order)."""
        body = {
            "salt": salt,
            "entity": self.entity_id,
            "period": self.period,
            "rows": sorted(self.source_row_ids),
            "lines": sorted(
                [x.account_code, str(x.debit.quantize(_CENT)), str(x.credit.quantize(_CENT))]
                for x in self.lines
            ),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal(0))

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal(0))

    @property
    def is_balanced(self) -> bool:
        return self.total_debit == self.total_credit and bool(self.lines)
