"""The rule-based extractor: from a parsed file's rows to statement or trial-balance lines, each
field with a confidence.

How it reads a document, the way a person would:

1. find the table's heading row (the first row naming enough known columns: ``Date``,
   ``Details``, ``Money out``...), matching names exactly (sure) or by words they contain (less
   sure);
2. read the rows above it as document facts (``Account number, GB29...``, ``Currency: USD``);
3. read each row below it into a line: dates with their column's day/month order, amounts with
   their separators, the side (in or out), the running balance checked row by row, and for a
   bank line the account suggested by :mod:`.chart`;
4. check the whole: opening balance plus movements must equal the closing balance; a trial
   balance's debits must equal its credits.

No network and no model: the same file always gives the same extraction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .chart import CHART, suggest_account
from .models import ExtractedLine, Extraction, HeaderField, ParsedDocument, SourceRow
from .values import Reading, day_first_evidence, money, read_amount, read_date

HEADER_SCAN_ROWS = 40
EXACT = 0.98
CONTAINED = 0.85


class DocumentNotRecognised(ValueError):
    """The file holds no table of the expected kind; the message lists what was seen."""


# ── column and fact names ────────────────────────────────────────────────────

BANK_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "transaction date",
        "posting date",
        "post date",
        "value date",
        "booking date",
        "txn date",
        "trans date",
    ),
    "description": (
        "description",
        "details",
        "narrative",
        "transaction details",
        "memo",
        "particulars",
        "transaction description",
        "payee",
    ),
    "reference": (
        "reference",
        "ref",
        "transaction reference",
        "cheque number",
        "check number",
        "reference number",
    ),
    "money_out": (
        "money out",
        "paid out",
        "withdrawals",
        "withdrawal",
        "debit",
        "debits",
        "debit amount",
        "payments",
    ),
    "money_in": (
        "money in",
        "paid in",
        "deposits",
        "deposit",
        "credit",
        "credits",
        "credit amount",
        "receipts",
    ),
    "amount": ("amount", "transaction amount", "value", "net amount"),
    "direction": ("type", "dr cr", "cr dr", "debit credit", "direction", "transaction type"),
    "balance": ("balance", "running balance", "ledger balance", "balance after"),
    "currency": ("currency", "ccy", "currency code"),
}

TB_COLUMNS: dict[str, tuple[str, ...]] = {
    "account_code": (
        "account",
        "account code",
        "code",
        "account number",
        "account no",
        "gl account",
        "gl code",
        "nominal code",
        "nominal",
        "acct",
        "account id",
    ),
    "account_name": ("account name", "name", "description", "account description", "nominal name"),
    "debit": ("debit", "debits", "dr", "debit balance"),
    "credit": ("credit", "credits", "cr", "credit balance"),
    "balance": ("balance", "closing balance", "amount", "net balance", "net"),
    "direction": ("dr cr", "type", "side"),
}

BANK_FACTS: dict[str, tuple[str, ...]] = {
    "account_name": ("account name", "account holder", "name"),
    "account_number": ("account number", "account no", "account", "iban", "account #"),
    "currency": ("currency", "ccy"),
    "period": ("statement period", "period"),
    "period_start": ("from", "start date", "period start", "date from"),
    "period_end": ("to", "end date", "period end", "statement date", "date to"),
    "opening_balance": (
        "opening balance",
        "balance brought forward",
        "brought forward",
        "start balance",
        "previous balance",
    ),
    "closing_balance": (
        "closing balance",
        "balance carried forward",
        "carried forward",
        "end balance",
        "new balance",
    ),
}

TB_FACTS: dict[str, tuple[str, ...]] = {
    "entity_name": ("entity", "entity name", "fund", "company"),
    "as_at": ("as at", "as of", "date", "period end"),
    "currency": ("currency", "ccy"),
}

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

_BANK_OUT_WORDS = ("dr", "debit", "d", "out", "withdrawal", "payment", "paid out")
_BANK_IN_WORDS = ("cr", "credit", "c", "in", "deposit", "receipt", "paid in")
_AS_AT = re.compile(r"\b(?:as at|as of|at)\s+(.+)$", re.IGNORECASE)
_CODE = re.compile(r"^\d{3,6}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def normalise(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces: ``'Dr/Cr'`` -> ``'dr cr'``."""
    return " ".join(re.sub(r"[^a-z0-9#]+", " ", text.lower()).split())


def match_name(text: str, names: dict[str, tuple[str, ...]]) -> tuple[str, float] | None:
    """The field a column or fact name stands for, and how sure: exact name, else contained."""
    key = normalise(text)
    if not key:
        return None
    for field_name, synonyms in names.items():
        if key in synonyms:
            return field_name, EXACT
    padded = f" {key} "
    best: tuple[str, float, int] | None = None
    for field_name, synonyms in names.items():
        for synonym in synonyms:
            if (
                len(synonym) > 2
                and f" {synonym} " in padded
                and (best is None or len(synonym) > best[2])
            ):
                best = (field_name, CONTAINED, len(synonym))
    return (best[0], best[1]) if best else None


@dataclass
class Fact:
    """A document-level value as found, with its confidence."""

    value: str | None
    confidence: float


@dataclass
class _Layout:
    """Where the table starts and which column holds which field."""

    header_index: int
    columns: dict[str, int]
    column_confidence: dict[str, float]


@dataclass
class _Facts:
    found: dict[str, Fact] = field(default_factory=dict)

    def offer(self, key: str, value: str | None, confidence: float) -> None:
        """Keep the surest value seen for ``key``."""
        if value in (None, ""):
            return
        current = self.found.get(key)
        if current is None or confidence > current.confidence:
            self.found[key] = Fact(value, round(confidence, 3))


# ── the table ────────────────────────────────────────────────────────────────


def find_layout(
    rows: list[SourceRow],
    names: dict[str, tuple[str, ...]],
    required: Iterable[tuple[str, ...]],
    what: str,
) -> _Layout:
    """The heading row: the first of the top rows naming one column of each ``required`` group."""
    required = list(required)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        confidence: dict[str, float] = {}
        for position, cell in enumerate(row.cells):
            matched = match_name(cell, names)
            if matched is None:
                continue
            field_name, score = matched
            if field_name not in columns or score > confidence[field_name]:
                columns[field_name] = position
                confidence[field_name] = score
        if all(any(name in columns for name in group) for group in required):
            return _Layout(index, columns, confidence)
    seen = "; ".join(" | ".join(c for c in row.cells if c) for row in rows[:5])
    wanted = " and ".join("/".join(group) for group in required)
    raise DocumentNotRecognised(
        f"no {what} table found: no row in the first {HEADER_SCAN_ROWS} names columns for "
        f"{wanted}. The file starts with: {seen[:300]}. Upload the {what} export, or check "
        f"that its heading row is present"
    )


def _cell(row: SourceRow, layout: _Layout, field_name: str) -> str:
    position = layout.columns.get(field_name)
    if position is None or position >= len(row.cells):
        return ""
    return row.cells[position].strip()


def read_preamble(rows: list[SourceRow], names: dict[str, tuple[str, ...]], facts: _Facts) -> None:
    """Facts from the rows above the table: ``name, value`` pairs or ``Name: value`` cells."""
    for row in rows:
        cells = [c for c in row.cells if c]
        pairs: list[tuple[str, str]] = []
        if len(cells) == 1 and ":" in cells[0]:
            name, _, value = cells[0].partition(":")
            pairs.append((name, value.strip()))
        elif len(cells) >= 2:
            pairs.extend((cells[i], cells[i + 1]) for i in range(0, len(cells) - 1, 2))
        elif len(cells) == 1:
            _read_title(cells[0], names, facts)
            continue
        for name, value in pairs:
            matched = match_name(name, names)
            if matched is not None:
                key, score = matched
                facts.offer(key, value, 0.95 if score == EXACT else 0.8)


def _read_title(text: str, names: dict[str, tuple[str, ...]], facts: _Facts) -> None:
    """A lone line of text: an ``as at`` date for a trial balance, else the holder's name."""
    if "as_at" in names and (match := _AS_AT.search(text)):
        facts.offer("as_at", match.group(1).strip(), 0.95)
        return
    name_key = "entity_name" if "entity_name" in names else "account_name"
    facts.offer(name_key, text.split(" - ")[0].strip(), 0.6)


def _date_fact(facts: _Facts, key: str) -> Reading:
    fact = facts.found.get(key)
    if fact is None or fact.value is None:
        return Reading(None, 0.0)
    reading = read_date(fact.value)
    return Reading(reading.value, round(min(reading.confidence, fact.confidence), 3))


def _amount_fact(facts: _Facts, key: str) -> Reading:
    fact = facts.found.get(key)
    if fact is None or fact.value is None:
        return Reading(None, 0.0)
    reading = read_amount(fact.value)
    return Reading(reading.value, round(min(reading.confidence, fact.confidence), 3))


def _field(key: str, value: object, confidence: float) -> HeaderField:
    if isinstance(value, Decimal):
        text: str | None = str(money(value))
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = None if value is None else str(value)
    return HeaderField(
        key=key,
        label=FIELD_LABELS.get(key, key),
        value=text,
        confidence=round(confidence if text is not None else 0.0, 3),
    )


# ── bank statements ──────────────────────────────────────────────────────────


def _is_fact_row(description: str, key: str) -> bool:
    matched = match_name(description, {key: BANK_FACTS[key]})
    return matched is not None and matched[1] == EXACT


def extract_bank_statement(parsed: ParsedDocument, default_currency: str) -> Extraction:
    """Lines and facts of a bank statement."""
    layout = find_layout(
        parsed.rows,
        BANK_COLUMNS,
        [("date",), ("description",), ("amount", "money_in", "money_out")],
        "bank statement",
    )
    facts = _Facts()
    read_preamble(parsed.rows[: layout.header_index], BANK_FACTS, facts)
    body = parsed.rows[layout.header_index + 1 :]
    day_first = day_first_evidence([_cell(r, layout, "date") for r in body])
    period = facts.found.get("period")
    if period is not None and period.value:
        parts = re.split(r"\s+(?:to|-|–|until)\s+", period.value, maxsplit=1)
        if len(parts) == 2:
            facts.offer("period_start", parts[0], period.confidence)
            facts.offer("period_end", parts[1], period.confidence)
    header_currency = facts.found.get("currency")
    lines: list[ExtractedLine] = []
    warnings: list[str] = []
    opening = _amount_fact(facts, "opening_balance")
    previous_balance: Decimal | None = opening.value if isinstance(opening.value, Decimal) else None
    first_balance: tuple[Decimal, Decimal] | None = None  # (balance, signed amount) of line 1
    last_balance: Decimal | None = None
    heading = parsed.rows[layout.header_index].cells
    for row in body:
        if row.cells == heading:  # a PDF repeats the heading on every page
            continue
        description = _cell(row, layout, "description")
        balance_reading = (
            read_amount(_cell(row, layout, "balance"))
            if "balance" in layout.columns
            else Reading(None, 0.0)
        )
        has_amount = any(_cell(row, layout, k) for k in ("amount", "money_in", "money_out"))
        if not has_amount:
            for key in ("opening_balance", "closing_balance"):
                if (
                    description
                    and _is_fact_row(description, key)
                    and isinstance(balance_reading.value, Decimal)
                ):
                    facts.offer(key, str(balance_reading.value), 0.95)
                    if key == "opening_balance":
                        previous_balance = balance_reading.value
            continue
        if not _cell(row, layout, "date") and "total" in description.lower():
            continue
        line = _bank_line(
            row, layout, len(lines) + 1, description, day_first, header_currency, default_currency
        )
        signed = line.amount if line.dr_cr == "DR" else -line.amount
        if isinstance(balance_reading.value, Decimal):
            balance = balance_reading.value
            if first_balance is None:
                first_balance = (balance, signed)
            if previous_balance is not None and money(previous_balance + signed) != money(balance):
                line.validation_errors.append(
                    f"running balance is {money(balance)}, but the previous balance "
                    f"{money(previous_balance)} plus this line gives {money(previous_balance + signed)}"
                )
                line.confidence_scores["amount"] = min(line.confidence_scores.get("amount", 0), 0.5)
            previous_balance = balance
            last_balance = balance
        elif previous_balance is not None:
            previous_balance += signed
        lines.append(line)
    if not lines:
        raise DocumentNotRecognised(
            f"the bank statement table in {parsed.filename!r} has a heading row but no "
            f"transactions under it; upload the statement with its transactions"
        )
    return Extraction(
        schema_slug="bank_statement",
        filename=parsed.filename,
        header=_bank_header(facts, lines, first_balance, last_balance, default_currency, warnings),
        lines=lines,
        warnings=warnings,
    )


def _bank_amount(
    row: SourceRow, layout: _Layout, scores: dict[str, float], errors: list[str]
) -> tuple[Decimal, str]:
    """The line's amount (positive) and side in the fund's books, scoring both."""
    if "money_in" in layout.columns or "money_out" in layout.columns:
        cash_in = read_amount(_cell(row, layout, "money_in"))
        cash_out = read_amount(_cell(row, layout, "money_out"))
        value_in = cash_in.value if isinstance(cash_in.value, Decimal) else None
        value_out = cash_out.value if isinstance(cash_out.value, Decimal) else None
        for reading in (cash_in, cash_out):
            if reading.value is not None and reading.note:
                errors.append(f"amount: {reading.note}")
        if value_in and value_out:
            net = value_in - value_out
            scores["amount"] = scores["dr_cr"] = 0.5
            errors.append("both money in and money out are filled in; the net is shown")
            return abs(net), ("DR" if net >= 0 else "CR")
        if value_out is not None and (value_out or value_in is None):
            scores["amount"] = cash_out.confidence
            scores["dr_cr"] = 0.99 if value_out > 0 else 0.7
            return abs(value_out), "CR"
        if value_in is not None:
            scores["amount"] = cash_in.confidence
            scores["dr_cr"] = 0.99 if value_in > 0 else 0.7
            return abs(value_in), "DR"
        scores["amount"] = scores["dr_cr"] = 0.0
        errors.append("amount: neither money in nor money out can be read")
        return Decimal(0), "DR"
    reading = read_amount(_cell(row, layout, "amount"))
    if not isinstance(reading.value, Decimal):
        scores["amount"] = scores["dr_cr"] = 0.0
        errors.append(f"amount: {reading.note}")
        return Decimal(0), "DR"
    if reading.note:
        errors.append(f"amount: {reading.note}")
    value = reading.value
    scores["amount"] = reading.confidence
    direction = normalise(_cell(row, layout, "direction"))
    if direction in _BANK_OUT_WORDS:
        scores["dr_cr"] = 0.9
        return abs(value), "CR"
    if direction in _BANK_IN_WORDS:
        scores["dr_cr"] = 0.9
        return abs(value), "DR"
    scores["dr_cr"] = 0.95
    return abs(value), ("DR" if value >= 0 else "CR")


def _bank_line(
    row: SourceRow,
    layout: _Layout,
    number: int,
    description: str,
    day_first: bool | None,
    header_currency: Fact | None,
    default_currency: str,
) -> ExtractedLine:
    scores: dict[str, float] = {}
    errors: list[str] = []
    column_conf = layout.column_confidence

    date_reading = read_date(_cell(row, layout, "date"), day_first)
    scores["date"] = round(date_reading.confidence * column_conf.get("date", 1), 3)
    if date_reading.note:
        errors.append(f"date: {date_reading.note}")

    amount, dr_cr = _bank_amount(row, layout, scores, errors)
    amount_column = next((k for k in ("amount", "money_out", "money_in") if k in column_conf), None)
    if amount_column is not None:
        scores["amount"] = round(scores["amount"] * column_conf[amount_column], 3)

    scores["description"] = 0.99 if description else 0.0
    if not description:
        errors.append("description is empty")
    suggestion = suggest_account(description)
    scores["account_code"] = suggestion.confidence
    currency_text = _cell(row, layout, "currency").upper()
    header_code = (
        header_currency.value.strip().upper() if header_currency and header_currency.value else ""
    )
    if _CURRENCY.match(currency_text):
        currency, scores["currency"] = currency_text, 0.99
    elif header_currency is not None and _CURRENCY.match(header_code):
        currency, scores["currency"] = header_code, header_currency.confidence
    else:
        currency, scores["currency"] = default_currency, 0.6
    reference = _cell(row, layout, "reference") or None
    if reference:
        scores["reference"] = 0.95
    return ExtractedLine(
        line_item_id=f"L{number}",
        source_row=row.number,
        date=date_reading.value if isinstance(date_reading.value, date) else None,
        description=description,
        reference=reference,
        account_code=suggestion.account_code,
        account_name=suggestion.account_name,
        amount=money(amount),
        dr_cr=dr_cr,  # type: ignore[arg-type]
        currency=currency,
        confidence_scores=scores,
        validation_errors=errors,
    )


def _bank_header(
    facts: _Facts,
    lines: list[ExtractedLine],
    first_balance: tuple[Decimal, Decimal] | None,
    last_balance: Decimal | None,
    default_currency: str,
    warnings: list[str],
) -> list[HeaderField]:
    opening = _amount_fact(facts, "opening_balance")
    closing = _amount_fact(facts, "closing_balance")
    if opening.value is None and first_balance is not None:
        opening = Reading(first_balance[0] - first_balance[1], 0.8)
    if closing.value is None and last_balance is not None:
        closing = Reading(last_balance, 0.9)
    movement = sum(
        (line.amount if line.dr_cr == "DR" else -line.amount for line in lines), Decimal(0)
    )
    if isinstance(opening.value, Decimal) and isinstance(closing.value, Decimal):
        expected = money(opening.value + movement)
        if expected == money(closing.value):
            # The balances agree with every line: each is confirmed by the others.
            opening = Reading(opening.value, max(opening.confidence, 0.97))
            closing = Reading(closing.value, max(closing.confidence, 0.97))
        else:
            warnings.append(
                f"opening balance {money(opening.value)} plus the movements {money(movement)} is "
                f"{expected}, not the closing balance {money(closing.value)}: a line may be "
                f"missing or misread"
            )
            closing = Reading(closing.value, min(closing.confidence, 0.5))
    start = _date_fact(facts, "period_start")
    end = _date_fact(facts, "period_end")
    dated = sorted(line.date for line in lines if line.date is not None)
    if start.value is None and dated:
        start = Reading(dated[0], 0.7)
    if end.value is None and dated:
        end = Reading(dated[-1], 0.7)
    currency_fact = facts.found.get("currency")
    code = currency_fact.value.strip().upper() if currency_fact and currency_fact.value else ""
    if currency_fact is not None and _CURRENCY.match(code):
        currency = Reading(code, currency_fact.confidence)
    elif lines and len({line.currency for line in lines}) == 1:
        currency = Reading(
            lines[0].currency, min(line.confidence_scores.get("currency", 0.6) for line in lines)
        )
    else:
        currency = Reading(default_currency, 0.6)
    name = facts.found.get("account_name")
    number = facts.found.get("account_number")
    return [
        _field("account_name", name.value if name else None, name.confidence if name else 0),
        _field(
            "account_number", number.value if number else None, number.confidence if number else 0
        ),
        _field("currency", currency.value, currency.confidence),
        _field("period_start", start.value, start.confidence),
        _field("period_end", end.value, end.confidence),
        _field("opening_balance", opening.value, opening.confidence),
        _field("closing_balance", closing.value, closing.confidence),
    ]


# ── trial balances ───────────────────────────────────────────────────────────


def extract_trial_balance(parsed: ParsedDocument, default_currency: str) -> Extraction:
    """Accounts, their balances and sides, and the document's totals."""
    layout = find_layout(
        parsed.rows,
        TB_COLUMNS,
        [("account_code", "account_name"), ("debit", "credit", "balance")],
        "trial balance",
    )
    facts = _Facts()
    read_preamble(parsed.rows[: layout.header_index], TB_FACTS, facts)
    as_at = _date_fact(facts, "as_at")
    currency_fact = facts.found.get("currency")
    code = currency_fact.value.strip().upper() if currency_fact and currency_fact.value else ""
    currency = code if _CURRENCY.match(code) else default_currency
    lines: list[ExtractedLine] = []
    reported: tuple[Decimal | None, Decimal | None] | None = None
    heading = parsed.rows[layout.header_index].cells
    for row in parsed.rows[layout.header_index + 1 :]:
        if row.cells == heading:  # a PDF repeats the heading on every page
            continue
        account = _cell(row, layout, "account_code")
        name = _cell(row, layout, "account_name")
        debit = read_amount(_cell(row, layout, "debit"))
        credit = read_amount(_cell(row, layout, "credit"))
        if not account and "total" in name.lower():
            reported = (
                debit.value if isinstance(debit.value, Decimal) else None,
                credit.value if isinstance(credit.value, Decimal) else None,
            )
            continue
        if not account and not name:
            continue
        lines.append(
            _tb_line(
                row,
                layout,
                len(lines) + 1,
                account,
                name,
                debit,
                credit,
                as_at,
                currency,
                currency_fact,
            )
        )
    if not lines:
        raise DocumentNotRecognised(
            f"the trial balance in {parsed.filename!r} has a heading row but no accounts under it"
        )
    total_debit = sum((line.amount for line in lines if line.dr_cr == "DR"), Decimal(0))
    total_credit = sum((line.amount for line in lines if line.dr_cr == "CR"), Decimal(0))
    totals_confidence = 0.9
    warnings: list[str] = []
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
    entity = facts.found.get("entity_name")
    header = [
        _field("entity_name", entity.value if entity else None, entity.confidence if entity else 0),
        _field("as_at", as_at.value, as_at.confidence),
        _field("currency", currency, currency_fact.confidence if currency_fact else 0.6),
        _field("total_debit", total_debit, totals_confidence),
        _field("total_credit", total_credit, totals_confidence),
    ]
    return Extraction(
        schema_slug="trial_balance",
        filename=parsed.filename,
        header=header,
        lines=lines,
        warnings=warnings,
    )


def _tb_amount(
    row: SourceRow,
    layout: _Layout,
    debit: Reading,
    credit: Reading,
    scores: dict[str, float],
    errors: list[str],
) -> tuple[Decimal, str]:
    """An account's balance (positive) and its side, scoring both."""
    if "debit" in layout.columns or "credit" in layout.columns:
        value_debit = debit.value if isinstance(debit.value, Decimal) else None
        value_credit = credit.value if isinstance(credit.value, Decimal) else None
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
        scores["amount"] = 0.9 if value_debit is not None or value_credit is not None else 0.0
        scores["dr_cr"] = 0.5
        if scores["amount"] == 0.0:
            errors.append("amount: neither debit nor credit can be read")
        return Decimal(0), "DR"
    reading = read_amount(_cell(row, layout, "balance"))
    value = reading.value if isinstance(reading.value, Decimal) else Decimal(0)
    scores["amount"] = reading.confidence
    if reading.value is None:
        errors.append(f"amount: {reading.note}")
    direction = normalise(_cell(row, layout, "direction"))
    if direction in ("dr", "debit", "d"):
        scores["dr_cr"] = 0.95
        return abs(value), "DR"
    if direction in ("cr", "credit", "c"):
        scores["dr_cr"] = 0.95
        return abs(value), "CR"
    scores["dr_cr"] = 0.85
    return abs(value), ("DR" if value >= 0 else "CR")


def _tb_line(
    row: SourceRow,
    layout: _Layout,
    number: int,
    account: str,
    name: str,
    debit: Reading,
    credit: Reading,
    as_at: Reading,
    currency: str,
    currency_fact: Fact | None,
) -> ExtractedLine:
    scores: dict[str, float] = {}
    errors: list[str] = []
    if _CODE.match(account):
        scores["account_code"] = 0.98
    else:
        scores["account_code"] = 0.7 if account else 0.0
        errors.append(
            f"account_code: {account!r} is not 3 to 6 digits" if account else "account_code: empty"
        )
    if name:
        scores["account_name"] = 0.98
    else:
        name = CHART.get(account, "")
        scores["account_name"] = 0.8 if name else 0.0
    amount, dr_cr = _tb_amount(row, layout, debit, credit, scores, errors)
    scores["date"] = as_at.confidence
    scores["currency"] = currency_fact.confidence if currency_fact else 0.6
    return ExtractedLine(
        line_item_id=f"A{number}",
        source_row=row.number,
        date=as_at.value if isinstance(as_at.value, date) else None,
        description=name,
        account_code=account,
        account_name=name,
        amount=money(amount),
        dr_cr=dr_cr,  # type: ignore[arg-type]
        currency=currency,
        confidence_scores=scores,
        validation_errors=errors,
    )


def extract(parsed: ParsedDocument, schema_slug: str, default_currency: str) -> Extraction:
    """Extract ``schema_slug`` (``bank_statement`` or ``trial_balance``) from a parsed file."""
    if schema_slug == "bank_statement":
        return extract_bank_statement(parsed, default_currency)
    if schema_slug == "trial_balance":
        return extract_trial_balance(parsed, default_currency)
    raise DocumentNotRecognised(
        f"no extractor for schema {schema_slug!r}; this runbook reads bank_statement and "
        f"trial_balance documents"
    )
