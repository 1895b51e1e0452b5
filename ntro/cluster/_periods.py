"""Inputs that name dates relative to the run: ``{"period": "{previous_month}"}``.

A schedule's input is fixed when the schedule is created, but a month-end close started on
3 March closes February. Placeholders in the input's strings are filled in when each run
starts, from the date of the run in the schedule's time zone:

=====================  =================================  ==============
placeholder            meaning                            on 2026-03-03
=====================  =================================  ==============
``{run_date}``         the date of the run                ``2026-03-03``
``{current_month}``    its month                          ``2026-03``
``{previous_month}``   the month before                   ``2026-02``
``{previous_month_end}`` last day of the month before     ``2026-02-28``
``{current_quarter}``  its quarter                        ``2026-Q1``
``{previous_quarter}`` the quarter before                 ``2025-Q4``
``{current_year}``     its year                           ``2026``
``{previous_year}``    the year before                    ``2025``
``{entity}``           the schedule's ``--entity``        ``acme-fund``
=====================  =================================  ==============

Pure functions of a date: the scheduled-run workflow calls them deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

__all__ = ["PLACEHOLDERS", "fill_placeholders", "placeholders_in"]

_PATTERN = re.compile(r"\{([a-z_]+)\}")


def _previous_month(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _previous_quarter(day: date) -> str:
    first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return _quarter(first - timedelta(days=1))


PLACEHOLDERS: dict[str, Callable[[date], str]] = {
    "run_date": lambda d: d.isoformat(),
    "current_month": lambda d: f"{d.year}-{d.month:02d}",
    "previous_month": lambda d: f"{_previous_month(d).year}-{_previous_month(d).month:02d}",
    "previous_month_end": lambda d: _previous_month(d).isoformat(),
    "current_quarter": _quarter,
    "previous_quarter": _previous_quarter,
    "current_year": lambda d: str(d.year),
    "previous_year": lambda d: str(d.year - 1),
}


def placeholders_in(value: Any) -> set[str]:
    """Every ``{name}`` used in the strings of ``value`` (nested dicts and lists too)."""
    if isinstance(value, str):
        return set(_PATTERN.findall(value))
    if isinstance(value, dict):
        return set().union(*(placeholders_in(v) for v in value.values()), set())
    if isinstance(value, list):
        return set().union(*(placeholders_in(v) for v in value), set())
    return set()


def fill_placeholders(value: Any, run_date: date, entity: str | None = None) -> Any:
    """``value`` with each known placeholder replaced; unknown ones raise ``ValueError``."""
    if isinstance(value, dict):
        return {k: fill_placeholders(v, run_date, entity) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_placeholders(v, run_date, entity) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "entity":
            if entity is None:
                raise ValueError("{entity} is used in the input but no --entity was given")
            return entity
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + n + "}" for n in [*PLACEHOLDERS, "entity"])
            raise ValueError(f"unknown placeholder {{{name}}} in the input; use one of {known}")
        return PLACEHOLDERS[name](run_date)

    return _PATTERN.sub(replace, value)
