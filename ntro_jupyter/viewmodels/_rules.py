"""``validation_rules`` of a DATA_TABLE, checked on the edited values before approval.

Why: a reviewer should learn that the corrected lines no longer balance before the workflow
refuses the decision. Rules are declarative dicts, e.g.::

    {"type": "required", "field": "account"}
    {"type": "range", "field": "amount", "min": 0}
    {"type": "pattern", "field": "account", "pattern": "^[0-9]{4}$"}
    {"type": "one_of", "field": "currency", "values": ["USD", "EUR"]}
    {"type": "unique", "field": "invoice_no"}
    {"type": "balanced", "debit": "debit", "credit": "credit"}
    {"type": "sum_equals", "field": "amount", "value": 0}

Each may name a ``dataset``, a ``message`` and a ``level`` (``error`` blocks approval,
``warning`` does not). A rule that is not understood is reported, never silently passed.
Strings such as ``"required:account"`` are accepted as shorthand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ntro_jupyter.viewmodels._values import format_number, parse_number, plain_text


@dataclass
class RuleRow:
    """One row as the rules see it: its place, and its values after the reviewer's edits."""

    dataset: str
    index: int
    row_id: str
    values: dict[str, Any]
    """Only the fields the row's dataset has: a rule on a field applies where it exists."""


@dataclass
class RuleResult:
    """The outcome of one rule; ``cells`` are ``(dataset, row index, field)`` that break it."""

    rule: str
    ok: bool
    level: str
    message: str
    cells: list[tuple[str, int, str]] = field(default_factory=list)

    def to_view(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "ok": self.ok,
            "level": self.level,
            "message": self.message,
            "cells": len(self.cells),
        }


_NAMES = {
    "required": "required",
    "not_empty": "required",
    "non_empty": "required",
    "range": "range",
    "min": "range",
    "max": "range",
    "between": "range",
    "pattern": "pattern",
    "regex": "pattern",
    "matches": "pattern",
    "one_of": "one_of",
    "in": "one_of",
    "enum": "one_of",
    "allowed": "one_of",
    "unique": "unique",
    "distinct": "unique",
    "balanced": "balanced",
    "debits_equal_credits": "balanced",
    "balance": "balanced",
    "sum_equals": "sum_equals",
    "sum": "sum_equals",
    "total_equals": "sum_equals",
    "sum_zero": "sum_equals",
}


def _normalise(rule: Any) -> dict[str, Any] | None:
    if isinstance(rule, str):
        name, _, arg = rule.partition(":")
        rule = {"type": name.strip()}
        if arg:
            rule["field"] = arg.strip()
    if not isinstance(rule, dict):
        return None
    name = str(rule.get("type") or rule.get("kind") or rule.get("rule") or rule.get("name") or "")
    canonical = _NAMES.get(name.strip().lower())
    if canonical is None:
        return None
    out = dict(rule)
    out["type"] = canonical
    if "field" not in out and "column" in out:
        out["field"] = out["column"]
    if name.strip().lower() == "sum_zero":
        out.setdefault("value", 0)
    if name.strip().lower() == "min" and "value" in out:
        out.setdefault("min", out["value"])
    if name.strip().lower() == "max" and "value" in out:
        out.setdefault("max", out["value"])
    return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Scope:
    """What one rule is checked against: its rows, its column's label and its level."""

    rule: dict[str, Any]
    rows: list[RuleRow]
    field: str
    label: str
    level: str
    tolerance: Decimal

    def cell(self, row: RuleRow) -> tuple[str, int, str]:
        return (row.dataset, row.index, self.field)

    def value(self, row: RuleRow) -> Any:
        return row.values.get(self.field)

    def message(self, ok: bool, default: str) -> str:
        """The rule's own ``message`` when it fails, else ``default``."""
        own = self.rule.get("message")
        return plain_text(own) if own and not ok else default


_Outcome = tuple[bool, str, list[tuple[str, int, str]]]


def _lines(rows: list[RuleRow], cells: list[tuple[str, int, str]]) -> str:
    """``"lines L1, L3"`` for the rows of ``cells`` (at most five named)."""
    by_index = {(r.dataset, r.index): r.row_id for r in rows}
    names = [by_index.get((d, i), str(i + 1)) for d, i, _f in cells]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"line{'s' if len(names) > 1 else ''} {shown}"


def _required(scope: _Scope) -> _Outcome:
    cells = [scope.cell(r) for r in scope.rows if _empty(scope.value(r))]
    if not cells:
        return True, f"{scope.label} is filled in on every line", cells
    return False, f"{scope.label} is empty on {_lines(scope.rows, cells)}", cells


def _bounds(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"between {format_number(low)} and {format_number(high)}"
    if low is not None:
        return f"at least {format_number(low)}"
    if high is not None:
        return f"at most {format_number(high)}"
    return "a number"


def _range(scope: _Scope) -> _Outcome:
    low = parse_number(scope.rule.get("min"))
    high = parse_number(scope.rule.get("max"))
    cells = []
    found: list[Decimal] = []
    for r in scope.rows:
        if _empty(scope.value(r)):
            continue
        number = parse_number(scope.value(r))
        if number is not None:
            found.append(number)
        if (
            number is None
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            cells.append(scope.cell(r))
    bounds = _bounds(low, high)
    seen = f" (now {format_number(min(found))} to {format_number(max(found))})" if found else ""
    if not cells:
        return True, f"{scope.label} is {bounds} on every line{seen}", cells
    return (
        False,
        f"{scope.label} must be {bounds}: not on {_lines(scope.rows, cells)}{seen}",
        cells,
    )


def _pattern(scope: _Scope) -> _Outcome:
    pattern = re.compile(str(scope.rule.get("pattern", "")))
    described = plain_text(scope.rule.get("describe") or scope.rule.get("format") or "")
    cells = [
        scope.cell(r)
        for r in scope.rows
        if not _empty(scope.value(r)) and not pattern.fullmatch(plain_text(scope.value(r)))
    ]
    wanted = described or f"the format {pattern.pattern}"
    if not cells:
        return True, f"{scope.label} has {wanted} on every line", cells
    return False, f"{scope.label} must have {wanted}: not on {_lines(scope.rows, cells)}", cells


def _one_of(scope: _Scope) -> _Outcome:
    allowed = scope.rule.get("values") or scope.rule.get("options") or []
    allowed_text = [plain_text(v) for v in allowed] if isinstance(allowed, list) else []
    cells = [
        scope.cell(r)
        for r in scope.rows
        if not _empty(scope.value(r)) and plain_text(scope.value(r)) not in allowed_text
    ]
    listed = list(dict.fromkeys(allowed_text))
    choices = " or ".join(listed) if len(listed) <= 3 else f"one of {len(listed)} allowed values"
    if len(listed) > 3 and len(listed) <= 8:
        choices = "one of " + ", ".join(listed)
    if not cells:
        return True, f"{scope.label} is {choices} on every line", cells
    return False, f"{scope.label} must be {choices}: not on {_lines(scope.rows, cells)}", cells


def _unique(scope: _Scope) -> _Outcome:
    seen: dict[str, int] = {}
    for r in scope.rows:
        text = plain_text(scope.value(r))
        if text:
            seen[text] = seen.get(text, 0) + 1
    cells = [scope.cell(r) for r in scope.rows if seen.get(plain_text(scope.value(r)), 0) > 1]
    if not cells:
        return True, f"{scope.label} is different on every line", cells
    return (
        False,
        f"{scope.label} must differ on every line: {_lines(scope.rows, cells)} repeat one",
        cells,
    )


def _total(scope: _Scope, key: str) -> Decimal:
    return sum((parse_number(r.values.get(key)) or Decimal(0) for r in scope.rows), Decimal(0))


def _balanced(scope: _Scope) -> _Outcome:
    debit_key = str(scope.rule.get("debit", "debit"))
    credit_key = str(scope.rule.get("credit", "credit"))
    tol = parse_number(scope.rule.get("tolerance")) or scope.tolerance
    debit, credit = _total(scope, debit_key), _total(scope, credit_key)
    difference = debit - credit
    ok = abs(difference) <= tol
    text = f"debits {format_number(debit, 2)} and credits {format_number(credit, 2)} " + (
        "balance" if ok else f"differ by {format_number(difference, 2)}"
    )
    return ok, text, []


def _sum_equals(scope: _Scope) -> _Outcome:
    target = parse_number(scope.rule.get("value", 0)) or Decimal(0)
    tol = parse_number(scope.rule.get("tolerance")) or scope.tolerance
    total = _total(scope, scope.field)
    ok = abs(total - target) <= tol
    text = f"{scope.label} totals {format_number(total, 2)}" + (
        "" if ok else f", expected {format_number(target, 2)}"
    )
    return ok, text, []


_CHECKS: dict[str, Callable[[_Scope], _Outcome]] = {
    "required": _required,
    "range": _range,
    "pattern": _pattern,
    "one_of": _one_of,
    "unique": _unique,
    "balanced": _balanced,
    "sum_equals": _sum_equals,
}
_NEEDS_FIELD = ("required", "range", "pattern", "one_of", "unique", "sum_equals")


def _readable(raw: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``(rule, None)`` or ``(None, why it cannot be checked)``."""
    rule = _normalise(raw)
    if rule is None:
        return None, f"validation rule {plain_text(raw)[:80]!r} is not understood: not checked"
    kind = rule["type"]
    if kind in _NEEDS_FIELD and not isinstance(rule.get("field"), str):
        return None, f"validation rule {kind!r} names no field: not checked"
    if kind == "pattern":
        try:
            re.compile(str(rule.get("pattern", "")))
        except re.error as exc:
            return None, (
                f"validation rule pattern {rule.get('pattern')!r} is invalid ({exc}): not checked"
            )
    return rule, None


def check_rules(
    rules: Any,
    rows: list[RuleRow],
    tolerance: Decimal = Decimal("0.005"),
    labels: dict[str, str] | None = None,
) -> tuple[list[RuleResult], list[str]]:
    """Check every rule against ``rows`` (rejected rows already left out).

    ``labels`` maps a field to its column heading, so a rule speaks of "Dr/Cr", not
    "dr_cr". Returns the results and the problems (rules that could not be read).
    """
    if rules is None:
        return [], []
    if isinstance(rules, dict | str):
        rules = [rules]
    if not isinstance(rules, list):
        return [], [f"validation_rules is a {type(rules).__name__}, not a list: not checked"]
    results: list[RuleResult] = []
    problems: list[str] = []
    for raw in rules:
        rule, problem = _readable(raw)
        if rule is None:
            problems.append(problem or "validation rule not checked")
            continue
        field_name = rule.get("field")
        scoped = [r for r in rows if rule.get("dataset") in (None, r.dataset)]
        if isinstance(field_name, str):
            scoped = [r for r in scoped if field_name in r.values]
        label = plain_text(
            rule.get("label") or (labels or {}).get(str(field_name)) or field_name or ""
        )
        level = "warning" if str(rule.get("level", "error")).lower() == "warning" else "error"
        scope = _Scope(rule, scoped, str(field_name or ""), label, level, tolerance)
        ok, text, cells = _CHECKS[rule["type"]](scope)
        results.append(RuleResult(rule["type"], ok, level, scope.message(ok, text), cells))
    return results, problems
