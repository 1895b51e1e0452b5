"""Cell values: how a payload value is shown as text, parsed from what a reviewer typed, and
which column type a list of values looks like.

Why one module: the table, the journal and the NAV panels must agree on what "1,234.50",
"(12.00)" or "DR" mean, and the front end only ever receives the text produced here.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

ColumnType = Literal["text", "number", "currency", "date", "boolean", "dr_cr"]
COLUMN_TYPES: tuple[str, ...] = ("text", "number", "currency", "date", "boolean", "dr_cr")

_TRUE = {"true", "yes", "y", "1", "t", "on"}
_FALSE = {"false", "no", "n", "0", "f", "off"}
_DEBIT = {"dr", "d", "debit", "db"}
_CREDIT = {"cr", "c", "credit"}
_CURRENCY_SYMBOLS = "$€£¥₹"
_DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
_MONEY_WORDS = (
    "amount",
    "debit",
    "credit",
    "balance",
    "total",
    "price",
    "cost",
    "value",
    "nav",
    "net",
    "gross",
    "tax",
    "vat",
    "fee",
    "payment",
    "receivable",
    "payable",
)
MAX_TEXT = 2000


def parse_number(value: Any) -> Decimal | None:
    """A number from a payload value or typed text, or None if it is not one.

    Accepts ints, floats, Decimals and text such as ``"1,234.50"``, ``"(12.00)"`` (negative),
    ``"-3"``, ``"$ 10"``. Booleans are not numbers.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = text.lstrip(_CURRENCY_SYMBOLS).rstrip(_CURRENCY_SYMBOLS)
    if text.startswith("-") and text[1:2] in _CURRENCY_SYMBOLS:
        negative, text = True, text[2:]
    if not text or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return -number if negative else number


def format_number(number: Decimal, places: int | None = None) -> str:
    """``1234.5`` -> ``"1,234.5"``; with ``places`` the number is rounded and padded."""
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}"
    if places is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_money(number: Decimal, currency: str | None = None) -> str:
    """``1234.5, "USD"`` -> ``"USD 1,234.50"`` (two places, the code in front when known)."""
    text = format_number(number, 2)
    return f"{currency} {text}" if currency else text


def parse_bool(value: Any) -> bool | None:
    """True/False from a bool or yes/no-like text; None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def parse_dr_cr(value: Any) -> Literal["DR", "CR"] | None:
    """``"DR"``/``"CR"`` from Dr, D, debit, Cr, C, credit (any case); None otherwise."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _DEBIT:
            return "DR"
        if lowered in _CREDIT:
            return "CR"
    return None


def parse_date(value: Any) -> date | None:
    """A date from a date/datetime or ISO text (``2024-03-31``, ``2024-03-31T10:00:00Z``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def plain_text(value: Any) -> str:
    """Any value as readable text (never markup: the front end puts it in a text node).

    Containers become compact JSON; very long text is cut with an ellipsis so one bad cell
    cannot make a table unusable.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        text = value
    elif isinstance(value, float | int | Decimal):
        text = str(value)
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def display(value: Any, column_type: str, currency: str | None = None) -> tuple[str, bool]:
    """``(text, ok)``: the value shown in a cell of ``column_type``.

    ``ok`` is False when the value does not fit the type (``"abc"`` in a number column); it
    is then shown as it is, and the caller flags the cell.
    """
    if value is None or value == "":
        return "", True
    if column_type in ("number", "currency"):
        number = parse_number(value)
        if number is None:
            return plain_text(value), False
        if column_type == "currency":
            return format_money(number, currency), True
        return format_number(number), True
    if column_type == "boolean":
        flag = parse_bool(value)
        return ("Yes" if flag else "No", True) if flag is not None else (plain_text(value), False)
    if column_type == "dr_cr":
        side = parse_dr_cr(value)
        return (side, True) if side else (plain_text(value), False)
    if column_type == "date":
        day = parse_date(value)
        return (day.isoformat(), True) if day else (plain_text(value), False)
    return plain_text(value), True


def coerce_input(text: str, column_type: str, old_value: Any = None) -> tuple[Any, str | None]:
    """Turn what a reviewer typed into a value for a column, or explain why it cannot be.

    Returns ``(value, None)`` or ``(None, message)``. Numbers keep the payload's own kind: a
    value that was text stays text (``"1234.50"``), an int stays an int when it can.
    """
    raw = text if isinstance(text, str) else plain_text(text)
    stripped = raw.strip()
    if column_type in ("number", "currency"):
        if stripped == "":
            return None, None
        number = parse_number(stripped)
        if number is None:
            return None, f"{raw!r} is not a number (use digits, e.g. 1234.50)"
        if isinstance(old_value, str):
            return format(number, "f"), None
        if number == number.to_integral_value() and not isinstance(old_value, float):
            return int(number), None
        return float(number), None
    if column_type == "boolean":
        flag = parse_bool(stripped)
        if flag is None:
            return None, f"{raw!r} is not yes or no"
        return flag, None
    if column_type == "dr_cr":
        side = parse_dr_cr(stripped)
        if side is None:
            return None, f"{raw!r} is not DR or CR"
        if isinstance(old_value, str) and old_value.strip() and old_value.strip()[0].islower():
            return side.lower(), None
        if (
            isinstance(old_value, str)
            and old_value.strip()[:1].isupper()
            and old_value[1:2].islower()
        ):
            return side.title(), None
        return side, None
    if column_type == "date":
        if stripped == "":
            return None, None
        day = parse_date(stripped)
        if day is None:
            return None, f"{raw!r} is not a date (use YYYY-MM-DD)"
        return day.isoformat(), None
    return raw, None


def same_value(a: Any, b: Any, column_type: str) -> bool:
    """Whether two values are the same for a column (``10`` equals ``"10.00"`` in a number column)."""
    if column_type in ("number", "currency"):
        left, right = parse_number(a), parse_number(b)
        if left is not None and right is not None:
            return left == right
    if column_type == "dr_cr":
        if parse_dr_cr(a) and parse_dr_cr(a) == parse_dr_cr(b):
            return True
    if column_type == "date":
        if parse_date(a) and parse_date(a) == parse_date(b):
            return True
    if (a is None or a == "") and (b is None or b == ""):
        return True
    return a == b and type(a) is type(b)


def infer_column_type(key: str, values: list[Any]) -> ColumnType:
    """Guess a column's type from its key and its non-empty values.

    dr_cr when every value is DR/CR-like (or the key says so); boolean when all are bools;
    number when all parse as numbers, currency when the key names an amount; date when all
    are ISO dates; text otherwise.
    """
    lowered = key.lower()
    present = [v for v in values if v is not None and v != ""]
    if lowered in ("dr_cr", "drcr", "side", "dc") and all(parse_dr_cr(v) for v in present):
        return "dr_cr"
    if not present:
        return "text"
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, str) and parse_dr_cr(v) and len(v.strip()) <= 6 for v in present) and (
        lowered in ("dr_cr", "drcr", "side", "dc", "type", "direction")
        or any(v.strip().lower() in ("dr", "cr") for v in present)
    ):
        return "dr_cr"
    if all(parse_number(v) is not None for v in present) and not any(
        isinstance(v, bool) for v in present
    ):
        if all(isinstance(v, str) for v in present) and (
            lowered.endswith(("_id", "id", "code", "number", "no", "account", "ref"))
            or (
                not any(word in lowered for word in _MONEY_WORDS)
                and all(re.fullmatch(r"\d+", v.strip()) for v in present)
            )
        ):
            return "text"  # account codes, references: digits kept as written
        if any(word in lowered for word in _MONEY_WORDS):
            return "currency"
        return "number"
    if all(parse_date(v) is not None for v in present):
        return "date"
    return "text"


def humanize(key: str) -> str:
    """``"line_item_id"`` -> ``"Line item id"``; ``"netAmount"`` -> ``"Net amount"``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(key)).replace("_", " ").replace("-", " ")
    spaced = " ".join(spaced.split())
    return spaced[:1].upper() + spaced[1:].lower() if spaced else str(key)
