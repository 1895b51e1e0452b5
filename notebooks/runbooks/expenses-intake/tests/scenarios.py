"""Scenarios for ``ntro workflow test notebooks/runbooks/expenses-intake``.

Under ``ntro workflow test`` the activities are auto-mocked from their return annotations, so
nothing reaches the data plane; the scenarios drive the gates (the submitted rows travel in the
signal) and check how the run ends. tests/data/test_expenses_intake.py runs the real
activities on Temporal and checks the rows with SQL.
"""

from __future__ import annotations

from typing import Any

from ntro.testing import Scenario

ROWS = [
    {"Date": "05/03/2024", "Supplier": "Rail Co", "Gross": "£42.00", "VAT": "7.00"},
    {"Date": "someday", "Supplier": "Cafe Nero", "Gross": "8.40"},
]


def _approved(result: Any) -> None:
    assert result.status == "approved", result.message
    assert result.receipt is not None and result.reviewer == "harness"


def _rejected(result: Any) -> None:
    assert result.status == "rejected"
    assert result.receipt is None


approved = Scenario(
    "approved",
    extra_signal_payloads={"expenses_submitted": {"rows": ROWS, "source_ref": "march"}},
    expect=_approved,
    description="submit two rows, approve the review",
)
reviewer_rejects = Scenario(
    "reviewer_rejects",
    extra_signal_payloads={"expenses_submitted": {"rows": ROWS, "source_ref": "march"}},
    review_overrides={"review": "rejected"},
    expect=_rejected,
    description="submit two rows, reject the review: nothing is approved",
)
