"""``Period``: an accounting period written ``YYYY-MM`` and checked as a real month.

Usable as a pydantic field type (``period: Period | None = None``); :func:`parse_period` checks
a value outside a model. Stricter than the published type, which accepted any ``\\d{4}-\\d{2}``
(``2024-13`` passed): here the month must exist.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["Period", "parse_period"]

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(value: Any) -> str:
    """``value`` as a ``YYYY-MM`` period, or ``ValueError`` naming the value and the format."""
    if not isinstance(value, str):
        raise ValueError(f"period {value!r} must be a string written YYYY-MM, e.g. '2024-03'")
    match = _PERIOD.match(value.strip())
    if match is None:
        raise ValueError(f"period {value!r} is not written YYYY-MM (e.g. '2024-03')")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"period {value!r} is not a real month (YYYY-MM, month 01-12)")
    return f"{year:04d}-{month:02d}"


Period = Annotated[str, BeforeValidator(parse_period)]
