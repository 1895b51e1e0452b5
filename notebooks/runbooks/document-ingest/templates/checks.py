"""Checks on a whole document, recomputed after every correction: does the statement reconcile,
does the trial balance balance, is every line dated and posted to a real account?

Why separate from the extractor: the reviewer changes lines, and the checks must describe the
lines as they are now, not as they were read. Pure functions, run inside the workflow and shown
on the review gate (``checks`` of the pending action).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from .chart import SUSPENSE
from .models import Extraction
from .values import money, read_amount


def shown(value: Decimal) -> str:
    """A figure as the reviewer reads it: ``-892944.45`` -> ``−892,944.45`` (grouped, two
    decimals, a real minus sign)."""
    text = f"{money(value):,.2f}"
    return "\u2212" + text[1:] if text.startswith("-") else text


class Check(BaseModel):
    """One check: its name, whether it holds, how serious a failure is, and what it found."""

    name: str
    ok: bool
    level: Literal["error", "warning"] = "error"
    message: str


def header_value(extraction: Extraction, key: str) -> str | None:
    """The value of header field ``key``, or None."""
    return next((f.value for f in extraction.header if f.key == key), None)


def _amount(extraction: Extraction, key: str) -> Decimal | None:
    text = header_value(extraction, key)
    value = read_amount(text).value if text else None
    return value if isinstance(value, Decimal) else None


def movement(extraction: Extraction) -> Decimal:
    """Money in less money out (debits less credits) over the lines."""
    return sum(
        (line.amount if line.dr_cr == "DR" else -line.amount for line in extraction.lines),
        Decimal(0),
    )


def document_checks(extraction: Extraction) -> list[Check]:
    """The checks that apply to this kind of document, on its current lines."""
    checks: list[Check] = []
    undated = [line.line_item_id for line in extraction.lines if line.date is None]
    checks.append(
        Check(
            name="dated",
            ok=not undated,
            message="every line has a date"
            if not undated
            else f"lines without a date: {', '.join(undated)}",
        )
    )
    if extraction.schema_slug == "bank_statement":
        opening, closing = (
            _amount(extraction, "opening_balance"),
            _amount(extraction, "closing_balance"),
        )
        if opening is None or closing is None:
            checks.append(
                Check(
                    name="reconciles",
                    ok=False,
                    level="warning",
                    message="opening or closing balance unknown: cannot reconcile",
                )
            )
        else:
            expected = money(opening + movement(extraction))
            checks.append(
                Check(
                    name="reconciles",
                    ok=expected == money(closing),
                    message=(
                        f"opening {shown(opening)} + movements {shown(movement(extraction))} = "
                        f"closing {shown(closing)}"
                    )
                    if expected == money(closing)
                    else (
                        f"opening {shown(opening)} + movements {shown(movement(extraction))} = "
                        f"{shown(expected)}, but the closing balance is {shown(closing)}"
                    ),
                )
            )
        suspense = [line.line_item_id for line in extraction.lines if line.account_code == SUSPENSE]
        checks.append(
            Check(
                name="accounts",
                ok=not suspense,
                level="warning",
                message="every line has an account"
                if not suspense
                else f"lines in suspense ({SUSPENSE}): {', '.join(suspense)}; choose their accounts",
            )
        )
    else:
        debit = sum((line.amount for line in extraction.lines if line.dr_cr == "DR"), Decimal(0))
        credit = sum((line.amount for line in extraction.lines if line.dr_cr == "CR"), Decimal(0))
        checks.append(
            Check(
                name="balances",
                ok=money(debit) == money(credit),
                message=f"debits {shown(debit)} = credits {shown(credit)}"
                if money(debit) == money(credit)
                else f"debits {shown(debit)} and credits {shown(credit)} differ by {shown(debit - credit)}",
            )
        )
    return checks
