"""``ForgivingDate``: a date read from what spreadsheets and people write, ``None`` if unreadable.

ISO forms come first (``2024-03-05``, ``2024-03-05T10:00:00``), then day-first spellings common
in UK/EU exports (``05/03/2024``, ``5-3-24``, ``05.03.2024``, ``5 Mar 2024``, ``5 March 2024``),
then month-name-first (``Mar 5, 2024``) and Excel serial day numbers. An ambiguous ``03/05/2024``
is read day-first (5 is the month). Usable as a pydantic field type
(``date: ForgivingDate = None``); :func:`parse_forgiving_date` reads a value outside a model.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["ForgivingDate", "parse_forgiving_date"]

_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%d/%b/%Y",
    "%b %d %Y",
    "%B %d %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_forgiving_date(value: Any) -> date | None:
    """The date ``value`` spells, or ``None`` when it spells none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        if 20000 <= value <= 80000:  # Excel serial day numbers for 1954..2119
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace(",", " ").split())
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    head = text.split("T")[0].split(" ")[0] if ":" in text else text
    for candidate in dict.fromkeys((text, head)):
        for fmt in _FORMATS:
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None


ForgivingDate = Annotated[date | None, BeforeValidator(parse_forgiving_date)]
