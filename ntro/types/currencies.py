"""``CurrencyCode``: an ISO 4217 style code, upper-cased, then strictly three letters.

Usable as a pydantic field type (``currency: CurrencyCode = "GBP"``); :func:`parse_currency_code`
checks a value outside a model.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["CurrencyCode", "parse_currency_code"]

_CODE = re.compile(r"^[A-Z]{3}$")


def parse_currency_code(value: Any) -> str:
    """``value`` upper-cased and stripped if it is three letters, else ``ValueError`` naming it."""
    text = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(text, str) or not _CODE.match(text):
        raise ValueError(
            f"currency {value!r} is not a three-letter currency code (e.g. 'GBP', 'EUR', 'USD')"
        )
    return text


CurrencyCode = Annotated[str, BeforeValidator(parse_currency_code)]
