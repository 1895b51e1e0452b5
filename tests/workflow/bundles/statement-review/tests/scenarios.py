"""Scenarios for ``ntro workflow test tests/workflow/bundles/statement-review``.

The checks run for real under the harness (they are ntro's own activity): the default
statement reconciles and has unique references; the LLM check is skipped (no provider).
"""

from __future__ import annotations

from typing import Any

from ntro.testing import Scenario

DUPLICATED = {
    "fields": {"opening_balance": "1000.00", "closing_balance": "1400.00"},
    "line_items": [
        {
            "line_item_id": "L1",
            "date": "2026-01-05",
            "description": "Receipt",
            "reference": "INV-1001",
            "money_in": "1200.00",
        },
        {
            "line_item_id": "L2",
            "date": "2026-01-09",
            "description": "Receipt again",
            "reference": "INV-1001",
            "money_in": "1200.00",
        },
    ],
}


def _clean(result: Any) -> None:
    assert result.approved
    assert result.checks == {
        "reconciles": "pass",
        "unique-references": "pass",
        "plausible": "skipped",
    }, result.checks
    assert result.summary == "2 passed, 1 skipped"


def _duplicated(result: Any) -> None:
    assert result.approved
    assert result.checks["reconciles"] == "fail", result.checks
    assert result.checks["unique-references"] == "fail", result.checks
    assert result.summary == "2 failed, 1 skipped"


clean = Scenario("clean", expect=_clean, description="the default statement: every check passes")
duplicated = Scenario(
    "duplicated",
    input=DUPLICATED,
    expect=_duplicated,
    description="a receipt entered twice: it does not reconcile, and its reference repeats",
)
