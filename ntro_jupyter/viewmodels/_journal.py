"""Journal review: journals with debit and credit columns, totals, and an imbalance that blocks
approval unless the reviewer overrides it with a reason.

Why: an unbalanced journal posted by mistake is the error an accountant fears most; the panel
shows the difference in plain sight and records why anyone chose to post it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._values import (
    currency_places,
    format_money,
    parse_dr_cr,
    parse_number,
    plain_text,
)

_ACCOUNT_KEYS = ("account", "account_code", "account_id", "gl_account", "account_number")
_NAME_KEYS = ("account_name", "name")
_MEMO_KEYS = ("description", "memo", "narration", "label")
_JOURNAL_LIST_KEYS = ("journals", "entries", "journal_entries")
_LINE_LIST_KEYS = ("lines", "journal_lines", "line_items", "postings", "rows")


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((item[k] for k in keys if item.get(k) not in (None, "")), None)


@dataclass
class JournalLine:
    """One posting: account, memo, debit and credit (zero when absent)."""

    account: str
    memo: str
    debit: Decimal
    credit: Decimal
    problem: str | None = None


@dataclass
class Journal:
    """One journal entry and its lines."""

    journal_id: str
    description: str
    date: str
    lines: list[JournalLine] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal(0))

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal(0))

    @property
    def difference(self) -> Decimal:
        return self.debit - self.credit


def _read_line(item: Any, position: int) -> JournalLine:
    if not isinstance(item, dict):
        return JournalLine(
            "", plain_text(item), Decimal(0), Decimal(0), f"line {position} is not an object"
        )
    account = plain_text(_first(item, _ACCOUNT_KEYS) or "")
    name = _first(item, _NAME_KEYS)
    if name and plain_text(name) != account:
        account = f"{account} {plain_text(name)}".strip()
    memo = plain_text(_first(item, _MEMO_KEYS) or "")
    problem = None
    debit = credit = Decimal(0)
    if "debit" in item or "credit" in item:
        for key in ("debit", "credit"):
            raw = item.get(key)
            if raw in (None, ""):
                continue
            number = parse_number(raw)
            if number is None:
                problem = f"line {position}: {key} {plain_text(raw)!r} is not a number"
                continue
            if key == "debit":
                debit = number
            else:
                credit = number
    elif "amount" in item:
        number = parse_number(item.get("amount"))
        side = parse_dr_cr(item.get("dr_cr") or item.get("side") or item.get("type"))
        if number is None:
            problem = f"line {position}: amount {plain_text(item.get('amount'))!r} is not a number"
        elif side == "CR" or (side is None and number < 0):
            credit = abs(number) if side is None else number
        else:
            debit = number
    else:
        problem = f"line {position} has no debit, credit or amount"
    return JournalLine(account, memo, debit, credit, problem)


class JournalReviewModel(PanelModel):
    """Journals, totals and the balance check; approve is blocked while they do not balance,
    unless :meth:`set_override` gave a reason."""

    panel = Panel.JOURNAL_REVIEW
    default_approve_label = "Approve journals"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tolerance = parse_number(self.config.get("tolerance"))
        self.tolerance = tolerance if tolerance is not None else Decimal("0.005")
        self.currency = (
            plain_text(self.config.get("currency")) if self.config.get("currency") else None
        )
        if (
            self.currency is None
            and isinstance(self.payload, dict)
            and isinstance(self.payload.get("currency"), str)
        ):
            self.currency = self.payload["currency"]
        self.journals = self._read_journals()
        self.override_reason: str | None = None
        for journal in self.journals:
            for line in journal.lines:
                if line.problem:
                    self._note(f"journal {journal.journal_id}: {line.problem}")

    def default_title(self) -> str:
        return "Review journals"

    def _read_journals(self) -> list[Journal]:
        payload = self.payload
        items: Any = None
        if isinstance(payload, dict):
            items = next(
                (payload[k] for k in _JOURNAL_LIST_KEYS if isinstance(payload.get(k), list)), None
            )
            if items is None:
                lines = next(
                    (payload[k] for k in _LINE_LIST_KEYS if isinstance(payload.get(k), list)), None
                )
                if lines is not None:
                    items = [{**payload, "lines": lines}]
        elif isinstance(payload, list):
            looks_like_journals = payload and all(
                isinstance(p, dict) and any(isinstance(p.get(k), list) for k in _LINE_LIST_KEYS)
                for p in payload
            )
            items = payload if looks_like_journals else [{"lines": payload}]
        if items is None:
            self._note("the payload has no journals or lines to show")
            return []
        journals = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self._note(f"journal #{index + 1} is not an object: not shown")
                continue
            lines_raw: list[Any] = next(
                (item[k] for k in _LINE_LIST_KEYS if isinstance(item.get(k), list)), []
            )
            journals.append(
                Journal(
                    journal_id=plain_text(
                        _first(item, ("journal_id", "id", "reference", "ref", "number"))
                        or f"J{index + 1}"
                    ),
                    description=plain_text(
                        _first(item, ("description", "memo", "narration", "title")) or ""
                    ),
                    date=plain_text(_first(item, ("date", "posting_date", "period")) or ""),
                    lines=[_read_line(line, n + 1) for n, line in enumerate(lines_raw)],
                )
            )
        return journals

    @property
    def total_debit(self) -> Decimal:
        return sum((j.debit for j in self.journals), Decimal(0))

    @property
    def total_credit(self) -> Decimal:
        return sum((j.credit for j in self.journals), Decimal(0))

    def unbalanced(self) -> list[Journal]:
        """Journals whose debits and credits differ by more than the tolerance."""
        return [j for j in self.journals if abs(j.difference) > self.tolerance]

    @property
    def balanced(self) -> bool:
        return not self.unbalanced() and not any(
            line.problem for j in self.journals for line in j.lines
        )

    def set_override(self, reason: str | None) -> None:
        """Approve despite the imbalance, for this reason (None or blank withdraws it)."""
        text = (reason or "").strip()
        self.override_reason = text or None

    def money(self, number: Decimal) -> str:
        """An amount with its currency, for sentences (``out by USD 2.00``)."""
        return format_money(number, self.currency)

    def figure(self, number: Decimal) -> str:
        """An amount in a table cell: the currency is in the column heading."""
        return format_money(number, None, currency_places(self.currency))

    def blockers(self, action: str) -> list[str]:
        if action != "approve" or self.balanced or self.override_reason:
            return []
        parts = [f"{j.journal_id} is out by {self.money(j.difference)}" for j in self.unbalanced()]
        if any(line.problem for j in self.journals for line in j.lines):
            parts.append("some lines have amounts that are not numbers")
        return [
            "journals do not balance ("
            + "; ".join(parts)
            + "): nothing here can be edited, so reject with a comment saying what the "
            "preparer must correct, or tick Override the imbalance and give the reason"
        ]

    def decision_comment(self, action: str, comment: str | None) -> str | None:
        if action != "approve" or self.balanced or not self.override_reason:
            return comment
        note = (
            f"Imbalance of {self.money(self.total_debit - self.total_credit)} overridden: "
            f"{self.override_reason}"
        )
        return f"{note}. {comment.strip()}" if comment and comment.strip() else note

    def body_view(self) -> dict[str, Any]:
        return {
            "journals": [
                {
                    "id": j.journal_id,
                    "description": j.description,
                    "date": j.date,
                    "lines": [
                        {
                            "account": line.account,
                            "memo": line.memo,
                            "debit": self.figure(line.debit) if line.debit else "",
                            "credit": self.figure(line.credit) if line.credit else "",
                            "problem": line.problem,
                        }
                        for line in j.lines
                    ],
                    "debit": self.figure(j.debit),
                    "credit": self.figure(j.credit),
                    "difference": self.money(j.difference),
                    "balanced": abs(j.difference) <= self.tolerance,
                }
                for j in self.journals
            ],
            "currency": self.currency,
            "total_debit": self.money(self.total_debit),
            "total_credit": self.money(self.total_credit),
            "difference": self.money(self.total_debit - self.total_credit),
            "balanced": self.balanced,
            "override_reason": self.override_reason,
        }
