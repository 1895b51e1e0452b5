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


def decimals_of(number: Decimal) -> int:
    """How many decimals ``number`` is written with (``Decimal("12.340")`` -> 3)."""
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_money(number: Decimal, currency: str | None = None, places: int | None = None) -> str:
    """``1234.5, "USD"`` -> ``"USD 1,234.50"``: the currency's decimals (``places`` when given),
    more when the value has more (``12.345`` is never shown as ``12.34``), the code in front."""
    wanted = places if places is not None else currency_places(currency)
    text = format_number(number, max(wanted, decimals_of(number)))
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


def display(
    value: Any, column_type: str, currency: str | None = None, places: int | None = None
) -> tuple[str, bool]:
    """``(text, ok)``: the value shown in a cell of ``column_type``.

    ``currency`` is put in front of an amount (None when the column heading names it);
    ``places`` is the column's precision (a value with more decimals shows them all).
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
            return format_money(number, currency, places), True
        if places is not None:
            return format_number(number, max(places, decimals_of(number))), True
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


# Symbols and the ISO codes they may stand for ("$" is several currencies' sign).
_SYMBOL_CODES: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"),
    "€": ("EUR",),
    "£": ("GBP",),
    "¥": ("JPY", "CNY"),
    "₹": ("INR",),
}
# ISO 4217 minor units that are not 2 (the rest have cents).
_MINOR_UNITS = {
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "ISK": 0,
    "VND": 0,
    "XOF": 0,
    "XAF": 0,
    "BHD": 3,
    "JOD": 3,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
    "LYD": 3,
    "IQD": 3,
}
_CODE_RE = re.compile(r"^([A-Za-z]{3})\s*(.*)$|^(.*?)\s*([A-Za-z]{3})$")
_SPACES = ("\u00a0", "\u202f", "\u2009", " ", "'")


def currency_places(currency: str | None) -> int:
    """Decimals an amount in ``currency`` has: 2, or the ISO 4217 exception (JPY 0, KWD 3)."""
    return _MINOR_UNITS.get((currency or "").upper(), 2)


def _strip_currency(text: str, currency: str | None) -> tuple[str, str | None]:
    """``(text without its currency mark, error)``; a mark must be the column's currency."""
    found: str | None = None
    named: tuple[str, ...] = ()
    for symbol, codes in _SYMBOL_CODES.items():
        if text.startswith(symbol) or text.endswith(symbol):
            found, named, text = symbol, codes, text.strip(symbol).strip()
            break
    else:
        match = _CODE_RE.match(text)
        if match:
            code = (match.group(1) or match.group(4) or "").upper()
            rest = match.group(2) if match.group(1) else match.group(3)
            if code.isalpha() and rest is not None and re.search(r"\d", rest):
                found, named, text = code, (code,), rest.strip()
    if found is None or currency is None or currency.upper() in named:
        return text, None
    what = named[0] if len(named) == 1 else f"a {found} currency"
    return text, (
        f"is in {what}, but this column is in {currency.upper()}: type the amount in "
        f"{currency.upper()} without a currency mark (e.g. 12.00), or correct the row's currency"
    )


def _plain_digits(body: str, places: int | None) -> tuple[str | None, str | None]:
    """``body`` as ``1234.56`` (digits, one point), or why its separators are ambiguous."""
    plain = body
    for space in _SPACES:
        plain = plain.replace(space, "")
    grouped = plain != body
    if "," in plain and "." in plain:
        if plain.rfind(",") > plain.rfind(".") or not re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", plain):
            return None, "ambiguous"
        plain = plain.replace(",", "")
    elif "," in plain:
        thousands = re.fullmatch(r"\d{1,3}(,\d{3})+", plain)
        if not thousands or (places is not None and places >= 3):
            return None, "ambiguous"
        plain = plain.replace(",", "")
    elif plain.count(".") > 1:
        return None, "ambiguous"
    if grouped and (
        "," in body
        or "." in body
        or not re.fullmatch(r"\d{1,3}([ \u00a0\u202f\u2009']\d{3})+", body)
    ):
        return None, "ambiguous"
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", plain):
        return None, "not a number"
    return plain, None


def _ambiguous_hint(body: str) -> str:
    """How to type ``body`` unambiguously, reading its last separator as the decimal one."""
    digits = re.sub(r"[^\d,.]", "", body)
    last = max(digits.rfind(","), digits.rfind("."))
    if last < 0:
        return re.sub(r"\D", "", body)
    whole = re.sub(r"\D", "", digits[:last])
    tail = re.sub(r"\D", "", digits[last + 1 :])
    if len(tail) == 3:  # "1.234.567" or "1 234": the separators group thousands
        return whole + tail
    return f"{whole}.{tail}" if tail else whole


def parse_amount_input(
    text: str, *, currency: str | None = None, places: int | None = None
) -> tuple[Decimal | None, str | None]:
    """What a reviewer typed into an amount cell, as an exact :class:`~decimal.Decimal`.

    Returns ``(amount, None)`` or ``(None, message)``; ``("", ...)`` gives ``(None, None)``.
    Accepted: ``185.50``, ``1,234.56``, ``(12.00)``, ``-3``, and the column's own currency
    (``USD 185.50``, ``$185.50`` in a USD column). Refused, with what to type instead: a
    decimal comma or grouping that reads two ways (``1.234,56``, ``1 234,56``), another
    currency (``€12`` in a USD column), more decimals than the column has (``12.345`` where
    amounts have 2), and anything that is not a number. Why strict: a correction a thousand
    times too small must not pass review with an audit entry.
    """
    raw = text if isinstance(text, str) else plain_text(text)
    body = raw.strip()
    if not body:
        return None, None
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    if body[:1] in "-−+":
        negative, body = negative or body[0] != "+", body[1:].strip()
    body, wrong_currency = _strip_currency(body, currency)
    if wrong_currency:
        return None, f"{raw.strip()!r} {wrong_currency}"
    if body[:1] in "-−" and not negative:
        negative, body = True, body[1:].strip()
    plain, problem = _plain_digits(body, places)
    if problem == "ambiguous":
        return None, (
            f"{raw.strip()!r} can be read two ways (a comma or a point may separate thousands "
            f"or decimals): type {_ambiguous_hint(body)}, digits with a point for the decimals "
            f"and no thousands separators"
        )
    if plain is None:
        return None, f"{raw.strip()!r} is not a number (type digits, e.g. 1234.50)"
    number = Decimal(plain)
    decimals = -int(number.as_tuple().exponent)
    if places is not None and decimals > places:
        what = f"{currency.upper()} amounts" if currency else "Values in this column"
        return None, (
            f"{what} have {places} decimal{'s' if places != 1 else ''}; {raw.strip()!r} has "
            f"{decimals}. "
            + ("Type a whole number" if places == 0 else f"Type at most {places} after the point")
        )
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return (-number if negative else number), None


def coerce_input(
    text: str,
    column_type: str,
    old_value: Any = None,
    *,
    currency: str | None = None,
    places: int | None = None,
) -> tuple[Any, str | None]:
    """Turn what a reviewer typed into a value for a column, or explain why it cannot be.

    Returns ``(value, None)`` or ``(None, message)``. Amounts and numbers become decimal
    strings (``"1205.00"``): exact, never a binary float, on their way to the audit trail.
    ``currency`` and ``places`` are the cell's (see :func:`parse_amount_input`).
    """
    raw = text if isinstance(text, str) else plain_text(text)
    stripped = raw.strip()
    if column_type in ("number", "currency"):
        if column_type == "currency" and places is None:
            places = currency_places(currency)
        number, error = parse_amount_input(
            stripped, currency=currency if column_type == "currency" else None, places=places
        )
        if error is not None or number is None:
            return None, error
        return format(number, "f"), None
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
