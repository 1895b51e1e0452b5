"""Scenarios for ``ntro workflow test notebooks/runbooks/expenses-intake``.

Under ``ntro workflow test`` the activities are auto-mocked from their return annotations, so
nothing reaches the data plane; the scenarios drive the gates (the submitted rows travel in the
signal) and check how the run ends. With ``--real-activities`` the upload is
``march_expenses.csv`` (stored as a submitted document) and the rows are really canonicalised,
inserted and approved: ``uploaded_sheet`` checks what happened to them.
tests/data/test_expenses_intake.py runs the real activities on Temporal and checks the rows
with SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ntro.testing import Scenario

SHEET = Path(__file__).with_name("march_expenses.csv")

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
    files={"expenses/spreadsheet": str(SHEET)},
    expect=_approved,
    description="submit two rows, approve the review",
)
reviewer_rejects = Scenario(
    "reviewer_rejects",
    extra_signal_payloads={"expenses_submitted": {"rows": ROWS, "source_ref": "march"}},
    files={"expenses/spreadsheet": str(SHEET)},
    review_overrides={"review": "rejected"},
    expect=_rejected,
    description="submit two rows, reject the review: nothing is approved",
)


def _sheet_approved(result: Any) -> None:
    assert result.status == "approved", result.message
    if result.outcome.parsed_rows == 0:  # auto-mocked activities: nothing was read
        return
    assert (result.outcome.parsed_rows, result.outcome.accepted_rows) == (3, 2), result.outcome
    receipt = result.receipt
    assert receipt.approved == 2 and receipt.still_needs_attention, receipt
    assert str(receipt.total_gross) == "61.99", receipt.total_gross


uploaded_sheet = Scenario(
    "uploaded_sheet",
    files={"expenses/spreadsheet": str(SHEET)},
    expect=_sheet_approved,
    description="upload march_expenses.csv (3 rows, one without a date), approve: 2 approved, "
    "the undated one still needs attention",
)
