"""The local (``code``) rules a quality check can name, and the ``types`` evaluator.

Each rule takes ``(submitted, baseline, params)`` and returns ``(status, detail, data)``. The
submitted data is what a review gate shows: an extraction (``{"fields": {...}, "line_items":
[...]}``), or any dict or list of rows. Amounts are compared as decimals, to the cent.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ntro.capabilities.ai._values import read_amount, read_value
from ntro.capabilities.checks._models import Status

RuleResult = tuple[Status, str, dict[str, Any]]
Rule = Callable[[Any, Any, dict[str, Any]], RuleResult]
_RULES: dict[str, Rule] = {}


def register_rule(name: str, rule: Rule) -> None:
    """Make ``rule`` available to specs with ``evaluator="code", rule=name``."""
    _RULES[name] = rule


def get_rule(name: str) -> Rule:
    """The rule named ``name``; KeyError listing the known ones."""
    try:
        return _RULES[name]
    except KeyError:
        raise KeyError(f"no quality rule {name!r}; known: {', '.join(sorted(_RULES))}") from None


def rule_names() -> list[str]:
    return sorted(_RULES)


def _plain(data: Any) -> Any:
    return data.model_dump(mode="json") if hasattr(data, "model_dump") else data


def _rows(submitted: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    data = _plain(submitted)
    if isinstance(data, list):
        return [_plain(r) for r in data]
    key = params.get("rows", "line_items")
    rows = data.get(key, data.get("lines", [])) if isinstance(data, dict) else []
    return [_plain(r) for r in rows or []]


def _value(data: Any, name: str) -> Any:
    data = _plain(data)
    if not isinstance(data, dict):
        return None
    for part_of in (data.get("fields"), data.get("header"), data):
        if isinstance(part_of, dict) and name in part_of:
            return part_of[name]
        if isinstance(part_of, list):  # [{key, value}] header lists
            for entry in part_of:
                if isinstance(entry, dict) and entry.get("key") == name:
                    return entry.get("value")
    return None


def _amount(value: Any) -> Decimal | None:
    reading = read_amount(value)
    return Decimal(reading.value) if reading.value is not None else None


def _sum(rows: list[dict[str, Any]], column: str) -> Decimal:
    return sum((_amount(r.get(column)) or Decimal(0) for r in rows), Decimal(0))


def balanced(submitted: Any, baseline: Any, params: dict[str, Any]) -> RuleResult:
    """Debits equal credits: ``debit``/``credit`` columns, or ``amount`` with ``dr_cr``."""
    rows = _rows(submitted, params)
    debit_col, credit_col = params.get("debit", "debit"), params.get("credit", "credit")
    if any("dr_cr" in r for r in rows):
        debit = sum(
            (
                _amount(r.get("amount")) or Decimal(0)
                for r in rows
                if str(r.get("dr_cr")).upper() == "DR"
            ),
            Decimal(0),
        )
        credit = sum(
            (
                _amount(r.get("amount")) or Decimal(0)
                for r in rows
                if str(r.get("dr_cr")).upper() == "CR"
            ),
            Decimal(0),
        )
    else:
        debit, credit = _sum(rows, debit_col), _sum(rows, credit_col)
    tolerance = Decimal(str(params.get("tolerance", "0.005")))
    data = {"debits": str(debit), "credits": str(credit), "difference": str(debit - credit)}
    if abs(debit - credit) <= tolerance:
        return "pass", f"debits {debit:,.2f} = credits {credit:,.2f}", data
    return (
        "fail",
        f"debits {debit:,.2f} and credits {credit:,.2f} differ by {debit - credit:,.2f}",
        data,
    )


def reconciles(submitted: Any, baseline: Any, params: dict[str, Any]) -> RuleResult:
    """Closing = opening + movements (``money_in`` less ``money_out``, or signed ``amount``)."""
    opening = _amount(_value(submitted, params.get("opening", "opening_balance")))
    closing = _amount(_value(submitted, params.get("closing", "closing_balance")))
    if opening is None or closing is None:
        return "warn", "opening or closing balance unknown: cannot reconcile", {}
    rows = _rows(submitted, params)
    money_in, money_out = params.get("money_in", "money_in"), params.get("money_out", "money_out")
    if any(r.get(money_in) not in (None, "") or r.get(money_out) not in (None, "") for r in rows):
        movement = _sum(rows, money_in) - _sum(rows, money_out)
    elif any("dr_cr" in r for r in rows):
        movement = sum(
            (
                (_amount(r.get("amount")) or Decimal(0))
                * (1 if str(r.get("dr_cr")).upper() == "DR" else -1)
                for r in rows
            ),
            Decimal(0),
        )
    else:
        movement = _sum(rows, params.get("amount", "amount"))
    expected = opening + movement
    data = {
        "opening": str(opening),
        "movements": str(movement),
        "closing": str(closing),
        "expected": str(expected),
    }
    if abs(expected - closing) <= Decimal("0.005"):
        return (
            "pass",
            f"opening {opening:,.2f} + movements {movement:,.2f} = closing {closing:,.2f}",
            data,
        )
    return (
        "fail",
        f"opening {opening:,.2f} + movements {movement:,.2f} = {expected:,.2f}, but the closing balance is {closing:,.2f}",
        data,
    )


def unique(submitted: Any, baseline: Any, params: dict[str, Any]) -> RuleResult:
    """No two rows share a value of ``column`` (default ``reference``); empty values ignored."""
    column = params.get("column", "reference")
    seen: dict[str, list[str]] = {}
    for index, row in enumerate(_rows(submitted, params)):
        value = row.get(column)
        if value in (None, ""):
            continue
        seen.setdefault(str(value), []).append(str(row.get("line_item_id") or index + 1))
    duplicates = {value: rows for value, rows in seen.items() if len(rows) > 1}
    if not duplicates:
        return "pass", f"no duplicate {column}", {}
    listed = "; ".join(f"{v} (rows {', '.join(r)})" for v, r in list(duplicates.items())[:5])
    return (
        "fail",
        f"{len(duplicates)} duplicate {column} value(s): {listed}",
        {"duplicates": duplicates},
    )


def within_baseline(submitted: Any, baseline: Any, params: dict[str, Any]) -> RuleResult:
    """``field`` is within ``pct`` percent (default 10) of the baseline's value."""
    field = params.get("field", "total")
    pct = Decimal(str(params.get("pct", 10)))
    now, before = _amount(_value(submitted, field)), _amount(_value(baseline, field))
    if baseline is None or before is None:
        return "skipped", f"no baseline value of {field} to compare with", {}
    if now is None:
        return "fail", f"{field} is missing", {}
    change = (
        (now - before) / abs(before) * 100
        if before
        else (Decimal(0) if now == before else Decimal(100))
    )
    data = {"value": str(now), "baseline": str(before), "change_pct": f"{change:.2f}"}
    verdict: Status = "pass" if abs(change) <= pct else "warn"
    return (
        verdict,
        f"{field} {now:,.2f} vs baseline {before:,.2f}: {change:+.1f}% (limit {pct}%)",
        data,
    )


def required(submitted: Any, baseline: Any, params: dict[str, Any]) -> RuleResult:
    """Every field in ``params["fields"]`` has a value."""
    missing = [f for f in params.get("fields", []) if _value(submitted, f) in (None, "")]
    if missing:
        return "fail", f"missing: {', '.join(missing)}", {"missing": missing}
    return "pass", "every required field has a value", {}


def types_check(submitted: Any, schema_slug: str) -> RuleResult:
    """Every value of an extraction reads as its schema type; required values are present."""
    from ntro.capabilities.ai._schema import load_schema

    schema = load_schema(schema_slug)
    problems: list[str] = []
    for field in schema.fields:
        value = _value(submitted, field.key)
        if value in (None, ""):
            if field.required:
                problems.append(f"{field.key} is missing")
        elif read_value(value, field.type, day_first=schema.day_first).value is None:
            problems.append(f"{field.key} {value!r} is not a {field.type}")
    for index, row in enumerate(_rows(submitted, {})):
        for column in schema.line_items:
            value = row.get(column.key)
            if value in (None, ""):
                if column.required:
                    problems.append(f"row {index + 1}: {column.key} is missing")
            elif read_value(value, column.type, day_first=schema.day_first).value is None:
                problems.append(f"row {index + 1}: {column.key} {value!r} is not a {column.type}")
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        return "fail", shown, {"problems": problems}
    return "pass", f"every value reads as its {schema.title} type", {}


for _name, _rule in {
    "balanced": balanced,
    "reconciles": reconciles,
    "unique": unique,
    "within_baseline": within_baseline,
    "required": required,
}.items():
    register_rule(_name, _rule)
