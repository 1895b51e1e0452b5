"""Scenarios for ``ntro workflow test notebooks/runbooks/document-ingest``.

Under ``ntro workflow test`` the activities are auto-mocked from their return annotations, so
the extraction under review holds one line whose id and text fields read ``"auto-mock"`` and
whose amount is 0. The scenarios below correct, reject and time out that review and check
what the runbook returns; tests/examples runs the same runbook on the real sample files.

``happy`` and ``reject_all`` (what ``ntro workflow test`` runs by default) name the file their
upload gets, so ``--real-activities`` runs them on January's PDF statement: parsed with
``files``, extracted with ``ai``, its quality checks run, committed to a clean tenant database
and its audit copy stored with ``storage``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ntro.testing import Scenario

MOCK_LINE = "auto-mock"


#: January's statement as the bank printed it (relative to this bundle's folder).
STATEMENT = {"bank_statement": "../../data/bank_statement_2026-01.pdf"}


def _committed(result: Any) -> None:
    assert result.status == "committed", result.message
    assert result.receipt is not None, "a committed run returns its commit's receipt"


def _rejected_by_harness(result: Any) -> None:
    assert result.status == "rejected", result.message
    assert result.receipt is None and result.lines == []


def _corrected(result: Any) -> None:
    assert result.status == "committed", result.message
    line = result.lines[0]
    assert line.amount == Decimal("1240.55"), line.amount
    assert line.account_code == "4100" and line.account_name == "Interest income", line
    assert line.dr_cr == "DR"
    assert line.confidence_scores["amount"] == 1.0
    assert result.corrections_applied == 3
    assert result.header[MOCK_LINE] == "357055.55"


def _rejected(result: Any) -> None:
    assert result.status == "rejected"
    assert result.receipt is None and result.lines == []
    assert "scenario reviewer_rejects" in (result.comment or "")


def _no_upload(result: Any) -> None:
    assert result.status == "no_document"
    assert result.receipt is None
    assert "72 hours" in (result.message or "")


def _row_rejected(result: Any) -> None:
    assert result.status == "committed"
    assert result.excluded_rows == [MOCK_LINE]
    assert result.lines == []


def _review_timed_out(result: Any) -> None:
    assert result.status == "rejected"
    assert result.message == "the review timed out: timed out"


happy = Scenario(
    "happy",
    files=STATEMENT,
    expect=_committed,
    description="upload the statement, approve the review once its checks end: committed",
)

reject_all = Scenario(
    "reject_all",
    approve_reviews=False,
    files=STATEMENT,
    expect=_rejected_by_harness,
    description="upload the statement, reject the review: nothing is committed",
)

corrected = Scenario(
    "corrected",
    corrections={
        "review": [
            {
                "line_item_id": MOCK_LINE,
                "field": "amount",
                "old_value": "0.00",
                "new_value": "1,240.55",
            },
            {
                "line_item_id": MOCK_LINE,
                "field": "account_code",
                "old_value": MOCK_LINE,
                "new_value": "4100",
            },
            {
                "line_item_id": "header:auto-mock",
                "field": "value",
                "old_value": MOCK_LINE,
                "new_value": "357055.55",
            },
        ]
    },
    expect=_corrected,
    description="approve with three corrections: an amount typed with a thousands separator, "
    "an account (its name follows), a document fact",
)

reviewer_rejects = Scenario(
    "reviewer_rejects",
    review_overrides={"review": "rejected"},
    expect=_rejected,
    description="the reviewer rejects the document: nothing is committed",
)

no_upload = Scenario(
    "no_upload",
    timeouts=["upload"],
    expect=_no_upload,
    description="nobody uploads within the upload timeout (72 h, skipped in milliseconds)",
)

row_rejected = Scenario(
    "row_rejected",
    row_actions={"review": [{"action": "reject_row", "row_id": MOCK_LINE}]},
    expect=_row_rejected,
    description="the reviewer rejects the only row, then approves: an empty commit",
)

review_timed_out = Scenario(
    "review_timed_out",
    timeouts=["review"],
    expect=_review_timed_out,
    description="nobody reviews within 48 hours: the review closes as rejected",
)

SCENARIOS = [
    happy,
    reject_all,
    corrected,
    reviewer_rejects,
    no_upload,
    row_rejected,
    review_timed_out,
]
