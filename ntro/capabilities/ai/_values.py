"""Reading one cell as a typed value, with a confidence from how it was written.

The confidence says how sure a reader should be, not whether parsing succeeded: ``1,240.55`` is
certain, ``1.240,55`` (a decimal comma) likely, ``03/04/2026`` (day and month could swap) needs a
look. Pure functions; amounts come back as decimal strings (``"-1240.55"``) so nothing is lost to
floating point on the way to the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

CERTAIN = 0.97
LIKELY = 0.85
UNSURE = 0.6

_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
_ISO_CURRENCIES = frozenset(
    "AED AUD BRL CAD CHF CNY CZK DKK EUR GBP HKD HUF IDR ILS INR JPY KRW MXN MYR NOK NZD PHP "
    "PLN RON SAR SEK SGD THB TRY TWD USD ZAR".split()
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_TEXT_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]+)\.?,?[\s\-]+(\d{2,4})$")
_TEXT_DATE_US = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_AMOUNT = re.compile(r"^[+-]?[\d.,' ]*\d$")


@dataclass(frozen=True)
class Reading:
    """A value read from text (None when it could not be) and how sure the reading is."""

    value: Any
    confidence: float
    note: str = ""


NOTHING = Reading(None, 0.0, "empty")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def read_date(text: str, *, day_first: bool = True) -> Reading:
    """An ISO date string from ``2026-01-31``, ``31/01/2026``, ``31 Jan 2026``, ``Jan 31, 2026``."""
    raw = str(text or "").strip()
    if not raw:
        return NOTHING
    if isinstance(text, date | datetime):
        day = text.date() if isinstance(text, datetime) else text
        return Reading(day.isoformat(), CERTAIN)
    try:
        match = _NUMERIC_DATE.match(raw)
        if match:
            a, b, c = match.groups()
            if len(a) == 4:
                return Reading(date(int(a), int(b), int(c)).isoformat(), CERTAIN)
            first, second, year = int(a), int(b), _year(c)
            if first > 12:
                return Reading(date(year, second, first).isoformat(), CERTAIN)
            if second > 12:
                return Reading(date(year, first, second).isoformat(), CERTAIN)
            if first == second:
                return Reading(date(year, first, second).isoformat(), CERTAIN)
            day, month = (first, second) if day_first else (second, first)
            return Reading(
                date(year, month, day).isoformat(),
                LIKELY,
                "day and month could be either way round",
            )
        match = _TEXT_DATE.match(raw)
        if match and match.group(2).lower() in _MONTHS:
            d, m, y = match.groups()
            return Reading(date(_year(y), _MONTHS[m.lower()], int(d)).isoformat(), CERTAIN)
        match = _TEXT_DATE_US.match(raw)
        if match and match.group(1).lower() in _MONTHS:
            m, d, y = match.groups()
            return Reading(date(int(y), _MONTHS[m.lower()], int(d)).isoformat(), CERTAIN)
    except ValueError:
        return Reading(None, 0.0, f"{raw!r} is not a calendar date")
    return Reading(None, 0.0, f"{raw!r} is not a date")


def _separators(body: str) -> tuple[str, float]:
    """``body`` with its thousands separators dropped and a decimal comma made a point; and
    the confidence, LIKELY where the comma was read as the decimal separator."""
    if "," in body and "." in body:
        if body.rfind(",") > body.rfind("."):  # 1.240,55
            return body.replace(".", "").replace(",", "."), LIKELY
        return body.replace(",", ""), CERTAIN
    if "," in body:
        head, _, tail = body.rpartition(",")
        if len(tail) == 2 and body.count(",") == 1:  # 1240,55
            return f"{head}.{tail}", LIKELY
        return body.replace(",", ""), CERTAIN
    return body, CERTAIN


def read_amount(text: Any) -> Reading:
    """A decimal string from ``1,240.55``, ``(1,240.55)``, ``-£1,240.55``, ``1.240,55``,
    ``1240.55 CR``."""
    if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
        return Reading(format(Decimal(str(text)).quantize(Decimal("0.01")), "f"), CERTAIN)
    raw = str(text or "").strip()
    if not raw:
        return NOTHING
    negative = False
    body = raw
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    upper = body.upper()
    for suffix, sign in ((" CR", False), (" DR", True), ("CR", False), ("DR", True)):
        if upper.endswith(suffix):
            body, negative = body[: -len(suffix)].strip(), negative or sign
            break
    for symbol in sorted(_CURRENCY_SYMBOLS, key=len, reverse=True):
        body = body.replace(symbol, "")
    body = re.sub(r"\b[A-Z]{3}\b", "", body).strip()
    if body.endswith("-"):
        negative, body = True, body[:-1].strip()
    if body.startswith(("-", "−")):
        negative, body = not negative, body[1:].strip()
    elif body.startswith("+"):
        body = body[1:].strip()
    if not _AMOUNT.match(body):
        return Reading(None, 0.0, f"{raw!r} is not an amount")
    body, confidence = _separators(body.replace(" ", "").replace("'", ""))
    try:
        value = Decimal(body)
    except InvalidOperation:
        return Reading(None, 0.0, f"{raw!r} is not an amount")
    if negative:
        value = -value
    return Reading(format(value.quantize(Decimal("0.01")), "f"), confidence)


def read_currency(text: Any) -> Reading:
    """A three-letter code from ``GBP``, ``gbp``, ``£`` or ``Pounds sterling (GBP)``."""
    raw = str(text or "").strip()
    if not raw:
        return NOTHING
    codes = [c for c in re.findall(r"\b[A-Za-z]{3}\b", raw) if c.upper() in _ISO_CURRENCIES]
    if codes:
        return Reading(codes[0].upper(), CERTAIN if raw.upper() == codes[0].upper() else LIKELY)
    for symbol, code in _CURRENCY_SYMBOLS.items():
        if symbol in raw:
            return Reading(code, LIKELY, f"read from the symbol {symbol}")
    return Reading(None, 0.0, f"{raw!r} is not a currency")


def read_integer(text: Any) -> Reading:
    """A whole number."""
    amount = read_amount(text)
    if amount.value is None or Decimal(amount.value) % 1:
        return Reading(None, 0.0, f"{text!r} is not a whole number")
    return Reading(int(Decimal(amount.value)), amount.confidence)


def read_text(text: Any) -> Reading:
    """Text as written, trimmed and with runs of spaces collapsed."""
    raw = " ".join(str(text or "").split())
    return Reading(raw, CERTAIN) if raw else NOTHING


def read_value(text: Any, value_type: str, *, day_first: bool = True) -> Reading:
    """Read ``text`` as ``value_type`` (``text``, ``amount``, ``date``, ``currency``, ``integer``,
    ``enum``; enums are read as text and matched by the caller)."""
    if value_type == "amount":
        return read_amount(text)
    if value_type == "date":
        return read_date(text, day_first=day_first)
    if value_type == "currency":
        return read_currency(text)
    if value_type == "integer":
        return read_integer(text)
    return read_text(text)
