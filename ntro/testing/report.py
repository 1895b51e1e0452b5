"""Scenario reports: ``human`` for a terminal, ``json`` for tools.

``human`` prints, per scenario, ``✓  happy  (0.42s)``, one line per event
(``    [ 0.08s] submit_file  <last 12 chars of the workflow id>  k=v, k=v``), and a summary line
``summary: 2 passed, 0 failed (of 2)``. A scenario that passed with warnings (corrections
delivered to rows its mocked payload lacks) says so on its own line,
``✓  fix  (0.11s)  1 warning: step 'review': correction delivered unmatched: ...``; ``json``
lists them under ``warnings``.
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable
from typing import Any

from pydantic_core import to_jsonable_python

from ntro.testing._scenario import RunResult, StepEvent


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return _json.dumps(to_jsonable_python(value, fallback=repr), separators=(",", ":"))


def event_line(event: StepEvent) -> str:
    detail = ", ".join(f"{key}={_value(value)}" for key, value in event.detail.items())
    line = f"    [{event.timestamp_s:5.2f}s] {event.kind:<11}  {event.workflow_id[-12:]}"
    return f"{line}  {detail}" if detail else line


def human_result(result: RunResult) -> str:
    """One scenario's block: the status line, its events, and the error if it failed."""
    mark = "✓" if result.passed else "✗"
    head = f"{mark}  {result.scenario}  ({result.duration_s:.2f}s)"
    if result.warnings:
        noun = "warning" if len(result.warnings) == 1 else "warnings"
        head += f"  {len(result.warnings)} {noun}: " + "; ".join(result.warnings)
    lines = [head]
    lines.extend(event_line(event) for event in result.events)
    if result.error:
        lines.append(f"    error: {result.error}")
    return "\n".join(lines)


def summary(results: Iterable[RunResult]) -> str:
    results = list(results)
    passed = sum(1 for r in results if r.passed)
    return f"summary: {passed} passed, {len(results) - passed} failed (of {len(results)})"


def human(results: Iterable[RunResult]) -> str:
    """The report a person reads after ``ntro workflow test``."""
    results = list(results)
    return "\n".join([*(human_result(r) for r in results), summary(results)])


def as_dicts(results: Iterable[RunResult]) -> list[dict[str, Any]]:
    return [
        {
            "scenario": r.scenario,
            "workflow_id": r.workflow_id,
            "status": r.status,
            "error": r.error,
            "duration_s": round(r.duration_s, 4),
            "events": [e.to_dict() for e in r.events],
            "warnings": list(r.warnings),
        }
        for r in results
    ]


def json(results: Iterable[RunResult]) -> str:
    """A JSON array: ``[{scenario, workflow_id, status, error, duration_s, events, warnings}]``."""
    return _json.dumps(as_dicts(results), indent=2)
