"""Scenarios for ``ntro workflow test notebooks/runbooks/month-end-close --child
notebooks/runbooks/document-ingest`` (add ``--real-activities`` to run ``happy`` and
``reject_all`` on the sample files with the close's own activities and a clean tenant database).

Activities are auto-mocked, so each child commits one ``auto-mock`` line and the bank
statement's closing balance is unknown: the trial-balance check raises that exception and the
reviewer continues. The journals the close proposes are real (it computes them itself): with no
prior NAV there is no management fee, so the audit fee accrual ``J-AUDIT-FEE`` (2,000.00, lines
``J-AUDIT-FEE.1`` debit and ``J-AUDIT-FEE.2`` credit) is what these scenarios correct.

``happy`` and ``reject_all`` are the built-in ones with the files their uploads take when the
activities are real (paths relative to this bundle: the sample files in ``notebooks/data``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ntro.testing import Scenario

SAMPLE_FILES = {
    "bank_statement": "../../data/bank_statement_2026-01.csv",
    "trial_balance": "../../data/trial_balance_2026-01.csv",
}


def _signed_off(result: Any) -> None:
    assert result.status == "signed_off", result.message
    assert [d.status for d in result.documents] == ["committed", "committed"]
    assert result.posting is not None, "the approved journals were not posted"
    assert result.nav is not None and result.publication is not None, "no NAV recorded"


def _rejected(result: Any) -> None:
    assert result.status == "documents_incomplete", result.message
    assert result.posting is None and result.publication is None


def _audit_fee(result: Any) -> Any:
    return next(j for j in result.journals if j.journal_id == "J-AUDIT-FEE")


def _corrected(result: Any) -> None:
    assert result.status == "signed_off", result.message
    journal = _audit_fee(result)
    assert journal.debit == journal.credit == Decimal("2400.00"), journal
    assert result.posting is not None, "the corrected journals were not posted"
    assert result.signed_off_by == "controller@acme.example", result.signed_off_by
    liabilities = next(f for f in result.nav.figures if f.key == "total_liabilities")
    assert liabilities.current == Decimal("2400.00"), liabilities


def _unbalanced(result: Any) -> None:
    assert result.status == "journals_unbalanced", result.status
    assert result.posting is None and result.nav is None
    assert _audit_fee(result).debit == Decimal("2500.00")


def _journals_rejected(result: Any) -> None:
    assert result.status == "journals_rejected"
    assert result.posting is None and result.nav is None
    assert [j.journal_id for j in result.journals] == ["J-AUDIT-FEE"]


def _nav_rejected(result: Any) -> None:
    assert result.status == "nav_rejected"
    assert result.posting is not None and result.publication is None
    assert result.message.startswith("NAV rejected by harness")


def _documents_rejected(result: Any) -> None:
    assert result.status == "documents_incomplete"
    assert {d.source: d.status for d in result.documents} == {
        "bank_statement": "rejected",
        "trial_balance": "rejected",
    }
    assert result.trial_balance is None and result.journals == []


def _stopped(result: Any) -> None:
    assert result.status == "trial_balance_rejected"
    assert result.journals == []


happy = Scenario(
    "happy",
    files=SAMPLE_FILES,
    expect=_signed_off,
    description="approve every review: journals posted, NAV recorded, period closed",
)

reject_all = Scenario(
    "reject_all",
    approve_reviews=False,
    files=SAMPLE_FILES,
    expect=_rejected,
    description="reject every review: both documents rejected, the close stops",
)

journal_corrected = Scenario(
    "journal_corrected",
    corrections={
        "journals": [
            {
                "line_item_id": "J-AUDIT-FEE.1",
                "field": "debit",
                "old_value": "2000.00",
                "new_value": "2400",
            },
            {
                "line_item_id": "J-AUDIT-FEE.2",
                "field": "credit",
                "old_value": "2000.00",
                "new_value": "2,400.00",
            },
        ]
    },
    reviewer="controller@acme.example",
    expect=_corrected,
    description="the controller raises the audit accrual on both sides, then signs off",
)

unbalanced_correction = Scenario(
    "unbalanced_correction",
    corrections={
        "journals": [
            {
                "line_item_id": "J-AUDIT-FEE.1",
                "field": "debit",
                "old_value": "2000.00",
                "new_value": "2500",
            },
        ]
    },
    expect=_unbalanced,
    description="a correction to one side only: the review reopens until the close gives up",
)

journals_rejected = Scenario(
    "journals_rejected",
    review_overrides={"journals": "rejected"},
    expect=_journals_rejected,
    description="documents approved, journals rejected: nothing posted, no NAV",
)

nav_rejected = Scenario(
    "nav_rejected",
    review_overrides={"nav_signoff": "rejected"},
    expect=_nav_rejected,
    description="journals posted, NAV not signed off: the period stays open",
)

documents_rejected = Scenario(
    "documents_rejected",
    review_overrides={"review": "rejected"},
    expect=_documents_rejected,
    description="both document reviews rejected in their children: the close stops",
)

stopped_at_trial_balance = Scenario(
    "stopped_at_trial_balance",
    review_overrides={"check_trial_balance": "rejected"},
    expect=_stopped,
    description="the reviewer stops the close over the trial-balance exceptions",
)

SCENARIOS = [
    happy,
    reject_all,
    journal_corrected,
    unbalanced_correction,
    journals_rejected,
    nav_rejected,
    documents_rejected,
    stopped_at_trial_balance,
]
