"""Reading a parsed document into the lines a reviewer checks, with ``ntro.capabilities.ai``.

``ai.extract`` does the reading: with no AI provider configured it is the offline schema
extractor, driven by this bundle's ``schemas/bank_statement.yaml`` and
``schemas/trial_balance.yaml`` (the words banks and administrators put in their exports), and
it scores every value it reads. This module turns its result into the runbook's
:class:`Extraction`: each line's side in the fund's books (money in debits cash), an account
suggested by the chart's rules, checks a bank statement allows (each running balance follows
from the last; opening plus movements is the closing balance) and the trial balance's totals.
Deterministic with the schema extractor, so a replayed or rerun workflow reads the same lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ntro.capabilities import ai

from .chart import CHART, suggest_account
from .models import ExtractedLine, Extraction, HeaderField, ParsedDocument
from .values import money, read_amount

SCHEMAS = ("bank_statement", "trial_balance")

FIELD_LABELS: dict[str, str] = {
    "account_name": "Account name",
    "account_number": "Account number",
    "currency": "Currency",
    "period_start": "Period start",
    "period_end": "Period end",
    "opening_balance": "Opening balance",
    "closing_balance": "Closing balance",
    "entity_name": "Entity",
    "as_at": "As at",
    "total_debit": "Total debits",
    "total_credit": "Total credits",
}
_OUT_WORDS = ("dr", "debit", "d", "out", "withdrawal", "payment", "paid out")
_IN_WORDS = ("cr", "credit", "c", "in", "deposit", "receipt", "paid in")
_CODE = re.compile(r"^\d{3,6}$")


class DocumentNotRecognised(ValueError):
    """The file holds no table of the expected kind; the message lists what was seen."""


@dataclass(frozen=True)
class Reading:
    """A value and how sure the reading is."""

    value: Any
    confidence: float


def _decimal(text: Any) -> Decimal | None:
    return Decimal(str(text)) if text not in (None, "") else None


def _field(key: str, value: object, confidence: float) -> HeaderField:
    if isinstance(value, Decimal):
        text: str | None = str(money(value))
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = None if value in (None, "") else str(value)
    return HeaderField(
        key=key,
        label=FIELD_LABELS.get(key, key),
        value=text,
        confidence=round(confidence if text is not None else 0.0, 3),
    )


class _Read:
    """The ``ai.extract`` result of one document, with helpers to look values up."""

    def __init__(self, result: ai.ExtractionResult, parsed: ParsedDocument) -> None:
        self.result = result
        self.parsed = parsed
        self.facts = result.raw_response

    def field(self, key: str) -> Reading:
        value = self.result.fields.get(key)
        return Reading(value, self.result.confidence_scores.get(key, 0.0) if value else 0.0)

    def cell(self, index: int, column: str) -> Reading:
        item = self.result.line_items[index]
        return Reading(
            item.get(column),
            self.result.confidence_scores.get(ai.line_item_key(index, column), 0.0),
        )

    def source_row(self, index: int) -> int:
        rows = self.facts.get("source_rows") or []
        return self.parsed.rows[rows[index]].number if index < len(rows) else index + 1


def _not_recognised(parsed: ParsedDocument, what: str, wanted: str) -> DocumentNotRecognised:
    seen = "; ".join(" | ".join(c for c in row.cells if c) for row in parsed.rows[:5])
    return DocumentNotRecognised(
        f"no {what} table found: no heading row names columns for {wanted}. The file starts "
        f"with: {seen[:300]}. Upload the {what} export, or check that its heading row is present"
    )


# ── bank statements ──────────────────────────────────────────────────────────


def _bank_amount(
    read: _Read, index: int, scores: dict[str, float], errors: list[str]
) -> tuple[Decimal, str]:
    """The line's amount (positive) and side in the fund's books, scoring both."""
    cash_in, cash_out = read.cell(index, "money_in"), read.cell(index, "money_out")
    value_in, value_out = _decimal(cash_in.value), _decimal(cash_out.value)
    if value_in and value_out:
        net = value_in - value_out
        scores["amount"] = scores["dr_cr"] = 0.5
        errors.append("both money in and money out are filled in; the net is shown")
        return abs(net), ("DR" if net >= 0 else "CR")
    if value_out is not None and (value_out or value_in is None):
        scores["amount"], scores["dr_cr"] = cash_out.confidence, 0.99 if value_out else 0.7
        return abs(value_out), "CR"
    if value_in is not None:
        scores["amount"], scores["dr_cr"] = cash_in.confidence, 0.99 if value_in else 0.7
        return abs(value_in), "DR"
    signed = read.cell(index, "amount")
    value = _decimal(signed.value)
    if value is None:
        scores["amount"] = scores["dr_cr"] = 0.0
        errors.append("amount: no amount could be read")
        return Decimal(0), "DR"
    scores["amount"] = signed.confidence
    direction = " ".join(
        re.sub(r"[^a-z]+", " ", str(read.cell(index, "direction").value or "").lower()).split()
    )
    if direction in _OUT_WORDS:
        scores["dr_cr"] = 0.9
        return abs(value), "CR"
    if direction in _IN_WORDS:
        scores["dr_cr"] = 0.9
        return abs(value), "DR"
    scores["dr_cr"] = 0.95
    return abs(value), ("DR" if value >= 0 else "CR")


def _statement_balances(read: _Read) -> tuple[Reading, Reading]:
    """The statement's opening and closing balances: its header fields, overridden by any
    "balance brought/carried forward" row in the table."""
    opening, closing = read.field("opening_balance"), read.field("closing_balance")
    for row in read.facts.get("balance_rows") or []:  # "balance brought/carried forward"
        words = " ".join(row.get("cells") or []).lower()
        if "brought" in words or "opening" in words:
            opening = Reading(row["balance"], 0.95)
        elif "carried" in words or "closing" in words:
            closing = Reading(row["balance"], 0.95)
    return opening, closing


def _line_currency(
    item: dict[str, Any], header_currency: Reading, default_currency: str, scores: dict[str, float]
) -> str:
    """A transaction's currency (its own column, else the statement's, else the default),
    its score recorded in ``scores``."""
    if item.get("currency"):
        currency, scores["currency"] = str(item["currency"]), 0.99
    elif header_currency.value:
        currency, scores["currency"] = str(header_currency.value), header_currency.confidence
    else:
        currency, scores["currency"] = default_currency, 0.6
    return currency


def _statement_period(read: _Read, lines: list[ExtractedLine]) -> tuple[Reading, Reading]:
    """The statement's period: its header fields, else the first and last transaction dates."""
    dated = sorted(ln.date for ln in lines if ln.date is not None)
    start, end = read.field("period_start"), read.field("period_end")
    if start.value is None and dated:
        start = Reading(dated[0].isoformat(), 0.7)
    if end.value is None and dated:
        end = Reading(dated[-1].isoformat(), 0.7)
    return start, end


def _bank_statement(read: _Read, default_currency: str) -> Extraction:
    if "header_row" in read.facts and read.facts["header_row"] is None:
        raise _not_recognised(read.parsed, "bank statement", "date, description and amount")
    if not read.result.line_items:
        raise DocumentNotRecognised(
            f"the bank statement table in {read.parsed.filename!r} has a heading row but no "
            f"transactions under it; upload the statement with its transactions"
        )
    opening, closing = _statement_balances(read)
    header_currency = read.field("currency")
    previous = _decimal(opening.value)
    first_balance: tuple[Decimal, Decimal] | None = None
    last_balance: Decimal | None = None
    lines: list[ExtractedLine] = []
    for index, item in enumerate(read.result.line_items):
        scores: dict[str, float] = {}
        errors: list[str] = []
        day = read.cell(index, "date")
        scores["date"] = day.confidence
        amount, dr_cr = _bank_amount(read, index, scores, errors)
        description = str(item.get("description") or "")
        scores["description"] = 0.99 if description else 0.0
        if not description:
            errors.append("description is empty")
        suggestion = suggest_account(description)
        scores["account_code"] = suggestion.confidence
        currency = _line_currency(item, header_currency, default_currency, scores)
        reference = item.get("reference") or None
        if reference:
            scores["reference"] = 0.95
        signed = amount if dr_cr == "DR" else -amount
        balance = _decimal(item.get("balance"))
        if balance is not None:
            if first_balance is None:
                first_balance = (balance, signed)
            if previous is not None and money(previous + signed) != money(balance):
                errors.append(
                    f"running balance is {money(balance)}, but the previous balance "
                    f"{money(previous)} plus this line gives {money(previous + signed)}"
                )
                scores["amount"] = min(scores.get("amount", 0), 0.5)
            previous = last_balance = balance
        elif previous is not None:
            previous += signed
        lines.append(
            ExtractedLine(
                line_item_id=f"L{index + 1}",
                source_row=read.source_row(index),
                date=date.fromisoformat(day.value) if day.value else None,
                description=description,
                reference=reference,
                account_code=suggestion.account_code,
                account_name=suggestion.account_name,
                amount=money(amount),
                dr_cr=dr_cr,  # type: ignore[arg-type]
                currency=currency,
                confidence_scores={k: round(v, 3) for k, v in scores.items()},
                validation_errors=errors,
            )
        )
    warnings: list[str] = []
    opening_value, closing_value = _decimal(opening.value), _decimal(closing.value)
    opening_score, closing_score = opening.confidence, closing.confidence
    if opening_value is None and first_balance is not None:
        opening_value, opening_score = first_balance[0] - first_balance[1], 0.8
    if closing_value is None and last_balance is not None:
        closing_value, closing_score = last_balance, 0.9
    movement = sum((ln.amount if ln.dr_cr == "DR" else -ln.amount for ln in lines), Decimal(0))
    if opening_value is not None and closing_value is not None:
        expected = money(opening_value + movement)
        if expected == money(closing_value):  # every line confirms the balances
            opening_score, closing_score = max(opening_score, 0.97), max(closing_score, 0.97)
        else:
            warnings.append(
                f"opening balance {money(opening_value)} plus the movements {money(movement)} is "
                f"{expected}, not the closing balance {money(closing_value)}: a line may be "
                f"missing or misread"
            )
            closing_score = min(closing_score, 0.5)
    start, end = _statement_period(read, lines)
    currency = header_currency
    if currency.value is None:
        codes = {ln.currency for ln in lines}
        currency = Reading(codes.pop(), 0.6) if len(codes) == 1 else Reading(default_currency, 0.6)
    name, number = read.field("account_name"), read.field("account_number")
    return Extraction(
        schema_slug="bank_statement",
        filename=read.parsed.filename,
        header=[
            _field("account_name", name.value, name.confidence),
            _field("account_number", number.value, number.confidence),
            _field("currency", currency.value, currency.confidence),
            _field("period_start", start.value, start.confidence),
            _field("period_end", end.value, end.confidence),
            _field("opening_balance", opening_value, opening_score),
            _field("closing_balance", closing_value, closing_score),
        ],
        lines=lines,
        warnings=warnings,
    )


# ── trial balances ───────────────────────────────────────────────────────────


def _tb_amount(
    read: _Read, index: int, scores: dict[str, float], errors: list[str]
) -> tuple[Decimal, str]:
    debit, credit = read.cell(index, "debit"), read.cell(index, "credit")
    value_debit, value_credit = _decimal(debit.value), _decimal(credit.value)
    if value_debit is not None or value_credit is not None:
        if value_debit and value_credit:
            net = value_debit - value_credit
            scores["amount"] = scores["dr_cr"] = 0.5
            errors.append("both debit and credit are filled in; the net is shown")
            return abs(net), ("DR" if net >= 0 else "CR")
        if value_credit:
            scores["amount"], scores["dr_cr"] = credit.confidence, 0.99
            return abs(value_credit), "CR"
        if value_debit:
            scores["amount"], scores["dr_cr"] = debit.confidence, 0.99
            return abs(value_debit), "DR"
        scores["amount"], scores["dr_cr"] = 0.9, 0.5
        return Decimal(0), "DR"
    balance = read.cell(index, "balance")
    value = _decimal(balance.value)
    if value is None:
        scores["amount"] = scores["dr_cr"] = 0.0
        errors.append("amount: neither debit, credit nor balance can be read")
        return Decimal(0), "DR"
    scores["amount"] = balance.confidence
    direction = str(read.cell(index, "direction").value or "").strip().lower()
    if direction in ("dr", "debit", "d"):
        scores["dr_cr"] = 0.95
        return abs(value), "DR"
    if direction in ("cr", "credit", "c"):
        scores["dr_cr"] = 0.95
        return abs(value), "CR"
    scores["dr_cr"] = 0.85
    return abs(value), ("DR" if value >= 0 else "CR")


def _reported_totals(read: _Read) -> tuple[Decimal | None, Decimal | None] | None:
    """The debit and credit of the file's own ``Total`` row, if it has one."""
    rows = read.facts.get("totals_rows") or []
    columns = {key: int(index) for index, key in (read.facts.get("columns") or {}).items()}
    if not rows or "debit" not in columns or "credit" not in columns:
        return None
    cells = rows[-1]

    def value(column: str) -> Decimal | None:
        position = columns[column]
        reading = read_amount(cells[position] if position < len(cells) else "")
        return reading.value if isinstance(reading.value, Decimal) else None

    return value("debit"), value("credit")


def _trial_balance(read: _Read, default_currency: str) -> Extraction:
    if "header_row" in read.facts and read.facts["header_row"] is None:
        raise _not_recognised(
            read.parsed, "trial balance", "account_code/account_name and debit/credit/balance"
        )
    if not read.result.line_items:
        raise DocumentNotRecognised(
            f"the trial balance in {read.parsed.filename!r} has a heading row but no accounts under it"
        )
    as_at, currency_field = read.field("as_at"), read.field("currency")
    currency = str(currency_field.value or default_currency)
    lines: list[ExtractedLine] = []
    for index, item in enumerate(read.result.line_items):
        scores: dict[str, float] = {}
        errors: list[str] = []
        account = str(item.get("account_code") or "")
        if _CODE.match(account):
            scores["account_code"] = 0.98
        else:
            scores["account_code"] = 0.7 if account else 0.0
            errors.append(
                f"account_code: {account!r} is not 3 to 6 digits"
                if account
                else "account_code: empty"
            )
        name = str(item.get("account_name") or "")
        if name:
            scores["account_name"] = 0.98
        else:
            name = CHART.get(account, "")
            scores["account_name"] = 0.8 if name else 0.0
        amount, dr_cr = _tb_amount(read, index, scores, errors)
        scores["date"] = as_at.confidence
        scores["currency"] = currency_field.confidence if currency_field.value else 0.6
        lines.append(
            ExtractedLine(
                line_item_id=f"A{index + 1}",
                source_row=read.source_row(index),
                date=date.fromisoformat(as_at.value) if as_at.value else None,
                description=name,
                account_code=account,
                account_name=name,
                amount=money(amount),
                dr_cr=dr_cr,  # type: ignore[arg-type]
                currency=currency,
                confidence_scores=scores,
                validation_errors=errors,
            )
        )
    total_debit = sum((ln.amount for ln in lines if ln.dr_cr == "DR"), Decimal(0))
    total_credit = sum((ln.amount for ln in lines if ln.dr_cr == "CR"), Decimal(0))
    totals_confidence = 0.9
    warnings: list[str] = []
    reported = _reported_totals(read)
    if reported is not None:
        if (
            reported[0] is not None
            and reported[1] is not None
            and (
                money(reported[0]) == money(total_debit)
                and money(reported[1]) == money(total_credit)
            )
        ):
            totals_confidence = 1.0
        else:
            totals_confidence = 0.5
            warnings.append(
                f"the file's total row ({reported[0]} / {reported[1]}) differs from the sum of "
                f"its lines ({money(total_debit)} / {money(total_credit)}): a line may be misread"
            )
    if money(total_debit) != money(total_credit):
        warnings.append(
            f"debits {money(total_debit)} and credits {money(total_credit)} differ by "
            f"{money(total_debit - total_credit)}: the trial balance does not balance"
        )
    entity = read.field("entity_name")
    return Extraction(
        schema_slug="trial_balance",
        filename=read.parsed.filename,
        header=[
            _field("entity_name", entity.value, entity.confidence),
            _field("as_at", as_at.value, as_at.confidence),
            _field(
                "currency", currency, currency_field.confidence if currency_field.value else 0.6
            ),
            _field("total_debit", total_debit, totals_confidence),
            _field("total_credit", total_credit, totals_confidence),
        ],
        lines=lines,
        warnings=warnings,
    )


async def extract(parsed: ParsedDocument, schema_slug: str, default_currency: str) -> Extraction:
    """Read ``schema_slug`` (``bank_statement`` or ``trial_balance``) from a parsed file."""
    if schema_slug not in SCHEMAS:
        raise DocumentNotRecognised(
            f"no extractor for schema {schema_slug!r}; this runbook reads bank_statement and "
            f"trial_balance documents"
        )
    grid = [row.cells for row in parsed.rows]
    text = "\n".join(" ".join(cell for cell in row.cells if cell) for row in parsed.rows)
    result = await ai.extract(
        content=text, schema_slug=schema_slug, structured_context={"cell_grid": grid}
    )
    read = _Read(result, parsed)
    if schema_slug == "bank_statement":
        return _bank_statement(read, default_currency)
    return _trial_balance(read, default_currency)
