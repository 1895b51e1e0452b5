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


def check_rules(
    rules: Any, rows: list[RuleRow], tolerance: Decimal = Decimal("0.005")
) -> tuple[list[RuleResult], list[str]]:
    """Check every rule against ``rows`` (rejected rows already left out).

    Returns the results and the problems (rules that could not be read).
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
        rule = _normalise(raw)
        if rule is None:
            problems.append(
                f"validation rule {plain_text(raw)[:80]!r} is not understood: not checked"
            )
            continue
        dataset = rule.get("dataset")
        scoped = [r for r in rows if dataset is None or r.dataset == dataset]
        level = "warning" if str(rule.get("level", "error")).lower() == "warning" else "error"
        field_name = rule.get("field")
        kind = rule["type"]
        if kind in (
            "required",
            "range",
            "pattern",
            "one_of",
            "unique",
            "sum_equals",
        ) and not isinstance(field_name, str):
            problems.append(f"validation rule {kind!r} names no field: not checked")
            continue
        if isinstance(field_name, str):
            scoped = [r for r in scoped if field_name in r.values]
        cells: list[tuple[str, int, str]] = []
        label = rule.get("label") or field_name or ""
        default_message = ""
        if kind == "required":
            cells = [
                (r.dataset, r.index, field_name) for r in scoped if _empty(r.values.get(field_name))
            ]
            default_message = f"{label} is required ({len(cells)} empty)"
        elif kind == "range":
            low = parse_number(rule.get("min"))
            high = parse_number(rule.get("max"))
            for r in scoped:
                value = r.values.get(field_name)
                if _empty(value):
                    continue
                number = parse_number(value)
                if (
                    number is None
                    or (low is not None and number < low)
                    or (high is not None and number > high)
                ):
                    cells.append((r.dataset, r.index, field_name))
            bounds = " and ".join(
                part
                for part in (
                    f"at least {format_number(low)}" if low is not None else "",
                    f"at most {format_number(high)}" if high is not None else "",
                )
                if part
            )
            default_message = f"{label} must be {bounds or 'a number'} ({len(cells)} outside)"
        elif kind == "pattern":
            try:
                pattern = re.compile(str(rule.get("pattern", "")))
            except re.error as exc:
                problems.append(
                    f"validation rule pattern {rule.get('pattern')!r} is invalid ({exc}): not checked"
                )
                continue
            cells = [
                (r.dataset, r.index, field_name)
                for r in scoped
                if not _empty(r.values.get(field_name))
                and not pattern.fullmatch(plain_text(r.values.get(field_name)))
            ]
            default_message = f"{label} must match {pattern.pattern} ({len(cells)} do not)"
        elif kind == "one_of":
            allowed = rule.get("values") or rule.get("options") or []
            allowed_text = {plain_text(v) for v in allowed} if isinstance(allowed, list) else set()
            cells = [
                (r.dataset, r.index, field_name)
                for r in scoped
                if not _empty(r.values.get(field_name))
                and plain_text(r.values.get(field_name)) not in allowed_text
            ]
            default_message = (
                f"{label} must be one of {', '.join(sorted(allowed_text))} ({len(cells)} are not)"
            )
        elif kind == "unique":
            seen: dict[str, int] = {}
            for r in scoped:
                text = plain_text(r.values.get(field_name))
                if not text:
                    continue
                seen[text] = seen.get(text, 0) + 1
            cells = [
                (r.dataset, r.index, field_name)
                for r in scoped
                if seen.get(plain_text(r.values.get(field_name)), 0) > 1
            ]
            default_message = f"{label} must be unique ({len(cells)} rows share a value)"
        elif kind == "balanced":
            debit_key = str(rule.get("debit", "debit"))
            credit_key = str(rule.get("credit", "credit"))
            tol = parse_number(rule.get("tolerance")) or tolerance
            debit = sum(
                (parse_number(r.values.get(debit_key)) or Decimal(0) for r in scoped), Decimal(0)
            )
            credit = sum(
                (parse_number(r.values.get(credit_key)) or Decimal(0) for r in scoped), Decimal(0)
            )
            difference = debit - credit
            ok = abs(difference) <= tol
            results.append(
                RuleResult(
                    "balanced",
                    ok,
                    level,
                    plain_text(rule.get("message"))
                    if rule.get("message") and not ok
                    else (
                        f"debits {format_number(debit, 2)} and credits {format_number(credit, 2)} "
                        + ("balance" if ok else f"differ by {format_number(difference, 2)}")
                    ),
                )
            )
            continue
        elif kind == "sum_equals":
            target = parse_number(rule.get("value", 0)) or Decimal(0)
            tol = parse_number(rule.get("tolerance")) or tolerance
            total = sum(
                (parse_number(r.values.get(field_name)) or Decimal(0) for r in scoped), Decimal(0)
            )
            ok = abs(total - target) <= tol
            results.append(
                RuleResult(
                    "sum_equals",
                    ok,
                    level,
                    plain_text(rule.get("message"))
                    if rule.get("message") and not ok
                    else f"{label} totals {format_number(total, 2)}"
                    + ("" if ok else f", expected {format_number(target, 2)}"),
                )
            )
            continue
        ok = not cells
        message = (
            plain_text(rule.get("message")) if rule.get("message") and not ok else default_message
        )
        if ok:
            message = {
                "required": f"{label} is filled in on every row",
                "range": f"{label} is within range",
                "pattern": f"{label} has the expected format",
                "one_of": f"{label} uses allowed values",
                "unique": f"{label} is unique",
            }[kind]
        results.append(RuleResult(kind, ok, level, message, cells))
    return results, problems
