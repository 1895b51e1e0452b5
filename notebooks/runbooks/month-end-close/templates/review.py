"""What each gate of the close shows: payloads and display hints for the document collection,
the trial-balance exceptions, the journal review and the NAV sign-off.

Kept apart from the workflow so what a reviewer sees can change without touching the
orchestration. Pure functions.
"""

from __future__ import annotations

from typing import Any

from .journals import line_id, unbalanced
from .models import CloseContext, IngestedDocument, Journal, NavStatement, TrialBalanceCheck


def collect_hint(ctx: CloseContext) -> dict[str, Any]:
    """One upload slot per expected document (``MULTI_FILE_UPLOAD``)."""
    return {
        "component": "MULTI_FILE_UPLOAD",
        "config": {
            "title": f"Documents for the {ctx.period} close of {ctx.entity_name}",
            "instructions": "Upload each document as exported (CSV or Excel); each is read and "
            "reviewed in its own document-ingest run.",
            "accept": [".csv", ".xlsx"],
            "max_size_mb": 10,
            # Each slot's file goes to its document-ingest child, on the child's upload signal.
            "signal_name": "document_submitted",
        },
    }


def trial_balance_payload(
    trial_balance: IngestedDocument, check: TrialBalanceCheck
) -> dict[str, Any]:
    return {
        "lines": [line.model_dump(mode="json") for line in trial_balance.lines],
        "check": check.model_dump(mode="json", exclude={"bank_only_items"}),
        "issues": check.issues,
    }


def trial_balance_hint(ctx: CloseContext, check: TrialBalanceCheck) -> dict[str, Any]:
    """The trial balance, read-only, with what is wrong with it as the summary."""
    return {
        "component": "DATA_TABLE",
        "config": {
            "title": f"Trial balance exceptions, {ctx.period}",
            "subtitle": f"{ctx.entity_name} · {len(check.issues)} issue(s)",
            "summary": "; ".join(check.issues),
            "datasets": [
                {
                    "key": "lines",
                    "label": "Trial balance",
                    "data_key": "lines",
                    "columns": [
                        {
                            "key": "account_code",
                            "label": "Account",
                            "type": "text",
                            "editable": False,
                        },
                        {"key": "account_name", "label": "Name", "type": "text", "editable": False},
                        {
                            "key": "amount",
                            "label": "Balance",
                            "type": "currency",
                            "editable": False,
                        },
                        {"key": "dr_cr", "label": "Dr/Cr", "type": "dr_cr", "editable": False},
                    ],
                }
            ],
            "allow_corrections": False,
            "currency": ctx.currency,
            "dr_cr_books": f"Dr/Cr are {ctx.entity_name}'s balances, as its trial balance states them",
            "actions": [
                {
                    "kind": "approve",
                    "label": "Continue the close",
                    "primary": True,
                    "icon": "check",
                },
                {"kind": "reject", "label": "Stop the close", "icon": "x"},
            ],
        },
    }


def journal_payload(
    ctx: CloseContext, journals: list[Journal], check: TrialBalanceCheck
) -> dict[str, Any]:
    """Journals with their lines (what the journal panel draws), and the same lines flat under
    ``lines`` so a correction can name one (``J-AUDIT-FEE.1``)."""
    shown = []
    flat = []
    for journal in journals:
        lines = []
        for index, line in enumerate(journal.lines):
            row = {
                "line_item_id": line_id(journal, index),
                "journal_id": journal.journal_id,
                **line.model_dump(mode="json"),
            }
            lines.append(row)
            flat.append(row)
        shown.append(
            {
                "id": journal.journal_id,
                "journal_id": journal.journal_id,
                "date": journal.date.isoformat(),
                "description": journal.description,
                "lines": lines,
            }
        )
    return {
        "period": ctx.period,
        "currency": ctx.currency,
        "journals": shown,
        "lines": flat,
        "trial_balance": {
            "total_debit": str(check.total_debit),
            "total_credit": str(check.total_credit),
            "cash_per_trial_balance": str(check.cash_per_trial_balance),
            "bank_closing_balance": None
            if check.bank_closing_balance is None
            else str(check.bank_closing_balance),
        },
    }


def journal_hint(ctx: CloseContext, journals: list[Journal]) -> dict[str, Any]:
    """The journal review panel: debits must equal credits in every journal."""
    problems = unbalanced(journals)
    summary = f"{len(journals)} journal(s)" + (
        "; out of balance: " + "; ".join(problems) if problems else ", each balanced"
    )
    return {
        "type": "journal_review",
        "config": {
            "title": f"Proposed journals, {ctx.period}",
            "subtitle": ctx.entity_name,
            "summary": summary,
            "currency": ctx.currency,
            "tolerance": "0.005",
            "approve_label": "Approve and post",
            "reject_label": "Reject journals",
        },
    }


def nav_payload(nav: NavStatement) -> dict[str, Any]:
    return {
        "period": nav.period,
        "prior_period": nav.prior_period,
        "currency": nav.currency,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "current": None if f.current is None else str(f.current),
                "prior": None if f.prior is None else str(f.prior),
            }
            for f in nav.figures
        ],
    }


def nav_hint(ctx: CloseContext, nav: NavStatement) -> dict[str, Any]:
    """The NAV sign-off panel: each figure against the prior period, movements over the
    tolerance flagged."""
    return {
        "type": "nav_signoff",
        "config": {
            "title": f"Sign off the {nav.period} NAV of {ctx.entity_name}",
            "period": nav.period,
            "prior_period": nav.prior_period,
            "currency": nav.currency,
            "tolerance_pct": str(ctx.nav_tolerance_pct),
            "approve_label": "Sign off NAV",
            "reject_label": "Reject NAV",
        },
    }
