"""Reading one cell's date or amount, with a confidence that says how it was read.

Why confidence per value: ``1,250`` is one thousand two hundred and fifty in a US export and
one and a quarter in a German one; ``03/04/2026`` is March or April. The reader picks the
likelier reading and says how sure it is, so the review shows the doubtful cells and the
reviewer checks those, not every cell. Pure functions, used by the extractor and by the
workflow when it applies a reviewer's corrections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

_MONTHS = {
    name: n
    for n, names in enumerate(
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
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_TEXT_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]{3,9})[\s\-,]+(\d{2,4})$")
_TEXT_MONTH_FIRST = re.compile(
    r"^([A-Za-z]{3,9})[\s\-]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-]+(\d{2,4})$"
)
_CURRENCY_MARKS = re.compile(r"[$£€¥]|\b[A-Z]{3}\b")


@dataclass(frozen=True)
class Reading:
    """A value read from text, and how sure the reader is (0 when it could not read it)."""

    value: object
    confidence: float
    note: str | None = None


# ── dates ────────────────────────────────────────────────────────────────────


def _year(text: str) -> tuple[int, float]:
    year = int(text)
    if len(text) == 2:
        return 2000 + year, 0.9  # a two-digit year is read in this century, not certain
    return year, 1.0


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_date(text: str, day_first: bool | None = None) -> Reading:
    """Read a date. ``day_first`` is what the rest of its column says (None: unknown)."""
    raw = text.strip()
    if not raw:
        return Reading(None, 0.0, "empty")
    if match := _ISO.match(raw):
        found = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return Reading(found, 1.0) if found else Reading(None, 0.0, f"{raw!r} is not a date")
    if match := _NUMERIC.match(raw):
        a, b, c = match.groups()
        if len(a) == 4:  # 2026/01/31
            found = _make(int(a), int(b), int(c))
            return Reading(found, 0.97) if found else Reading(None, 0.0, f"{raw!r} is not a date")
        year, year_conf = _year(c)
        first, second = int(a), int(b)
        if first > 12 >= second:
            found, conf, note = _make(year, second, first), 0.97, None
        elif second > 12 >= first:
            found, conf, note = _make(year, first, second), 0.97, None
        elif first == second:
            found, conf, note = _make(year, first, first), 0.97, None
        elif day_first is None:
            found, conf, note = (
                _make(year, second, first),
                0.6,
                "day and month could be either way round",
            )
        else:
            found = _make(year, second, first) if day_first else _make(year, first, second)
            conf, note = 0.95, None
        if found is None:
            return Reading(None, 0.0, f"{raw!r} is not a date")
        return Reading(found, round(conf * year_conf, 3), note)
    for pattern, day_index, month_index in ((_TEXT_DAY_FIRST, 1, 2), (_TEXT_MONTH_FIRST, 2, 1)):
        if match := pattern.match(raw):
            month = _MONTHS.get(match.group(month_index).lower())
            if month is None:
                break
            year, year_conf = _year(match.group(3))
            found = _make(year, month, int(match.group(day_index)))
            if found is None:
                break
            return Reading(found, round(0.95 * year_conf, 3))
    return Reading(None, 0.0, f"{raw!r} is not a date this reader knows")


# ── amounts ──────────────────────────────────────────────────────────────────


def _separators(body: str, confidence: float) -> tuple[str, float, str | None]:
    """``body`` with its thousands separators dropped and a decimal comma made a point.

    The confidence drops (with a note saying why) where a separator's role had to be guessed.
    """
    note = None
    if "," in body and "." in body:
        if body.rfind(",") > body.rfind("."):  # 1.240,55
            body = body.replace(".", "").replace(",", ".")
            confidence, note = min(confidence, 0.8), "read with a decimal comma"
        else:  # 1,240.55
            body = body.replace(",", "")
    elif "," in body:
        if re.fullmatch(r"\d{1,3}(,\d{3})+", body):  # 1,250 or 1,250,000
            body = body.replace(",", "")
            if len(body) <= 4:  # one group only: 1,250 could be 1.25 with a decimal comma
                confidence, note = min(confidence, 0.8), "',' read as a thousands separator"
        else:  # 1240,55
            body = body.replace(",", ".")
            confidence, note = min(confidence, 0.7), "read with a decimal comma"
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", body):  # 1.250.000 (dots as thousands)
        body = body.replace(".", "")
        confidence, note = min(confidence, 0.7), "'.' read as a thousands separator"
    return body, confidence, note


def read_amount(text: str) -> Reading:
    """Read a money amount, keeping its sign: ``(185.00)``, ``-185``, ``185.00 DR``, ``€1.240,55``.

    The confidence drops where the decimal separator had to be guessed.
    """
    raw = text.strip()
    if not raw:
        return Reading(None, 0.0, "empty")
    negative = False
    body = raw
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    upper = body.upper().rstrip(". ")
    for suffix, sign in (("DR", True), ("CR", False), ("-", True)):
        if upper.endswith(suffix) and len(upper) > len(suffix):
            body, negative = body.rstrip(". ")[: -len(suffix)], negative or sign
            break
    body = _CURRENCY_MARKS.sub("", body).strip()
    if body.startswith("-"):
        negative, body = not negative, body[1:].strip()
    elif body.startswith("+"):
        body = body[1:].strip()
    body = body.replace("\u00a0", " ").replace("'", "")
    confidence = 0.99
    if " " in body:
        body = body.replace(" ", "")
        confidence = min(confidence, 0.9)
    body, confidence, note = _separators(body, confidence)
    try:
        value = Decimal(body)
    except InvalidOperation:
        return Reading(None, 0.0, f"{raw!r} is not an amount")
    if not value.is_finite():
        return Reading(None, 0.0, f"{raw!r} is not an amount")
    return Reading(-value if negative else value, confidence, note)


def money(value: Decimal) -> Decimal:
    """Rounded to the cent, as the ledger keeps it."""
    return value.quantize(Decimal("0.01"))
