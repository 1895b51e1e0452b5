"""The three reviews of the accountant's pass as the runbooks build them: notebook 02's bank
statement review (made by document-ingest's own functions from the sample CSV), and notebook
04's journal review and NAV sign-off (payloads and hints from month-end-close's review module,
with January's figures).

Why built, not recorded: a change to what the runbook sends (a check's wording, the chart of
accounts) shows in these tests and screenshots at once, without starting a Temporal server.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from ntro.capabilities.checks import evaluate

REPO = Path(__file__).resolve().parents[2]
RUNBOOKS = REPO / "notebooks" / "runbooks"
DATA = REPO / "notebooks" / "data"


def _templates(bundle: str, *modules: str) -> list[ModuleType]:
    """Import ``templates.<module>`` of one bundle (each bundle's package is ``templates``)."""
    for name in [n for n in sys.modules if n == "templates" or n.startswith("templates.")]:
        del sys.modules[name]
    sys.path.insert(0, str(RUNBOOKS / bundle))
    try:
        return [importlib.import_module(f"templates.{m}") for m in modules]
    finally:
        sys.path.remove(str(RUNBOOKS / bundle))
        for name in [n for n in sys.modules if n == "templates" or n.startswith("templates.")]:
            del sys.modules[name]


def _state(step: str, title: str, pending: dict[str, Any]) -> dict[str, Any]:
    return {
        "workflow_id": f"wf-{step}",
        "workflow_type": "review-pass",
        "status": "waiting",
        "current_step_id": step,
        "steps": [{"id": step, "title": title, "status": "waiting_for_input"}],
        "pending_action": {
            "kind": "interactive_review",
            "step_id": step,
            "gate_id": f"g-{step}",
            "opened_at": "2026-02-02T09:00:00Z",
            **pending,
        },
    }


def bank_review() -> dict[str, Any]:
    """Notebook 02's review gate: January's statement read by document-ingest."""
    parsing, extraction, review, checks, models = _templates(
        "document-ingest", "parsing", "extraction", "review", "checks", "models"
    )
    data = (DATA / "bank_statement_2026-01.csv").read_bytes()
    parsed = parsing.parse_document(data, "bank_statement_2026-01.csv", "text/csv")
    # in a thread of its own: a browser test's event loop may be running on this one
    with ThreadPoolExecutor(1) as pool:
        extracted = pool.submit(
            asyncio.run, extraction.extract(parsed, "bank_statement", "USD")
        ).result()
    ctx = models.DocumentIngestContext()
    payload = review.review_payload(extracted)
    # The gate's quality checks (checks_spec) as they end: ntro's rules on what the gate shows.
    with ThreadPoolExecutor(1) as pool:
        quality = [
            pool.submit(asyncio.run, evaluate(spec, payload)).result().model_dump(mode="json")
            for spec in checks.quality_checks("bank_statement")
        ]
    return _state(
        "review_extraction",
        "Review extraction",
        {
            "reason": "Review the extracted bank statement lines",
            "display_hint": review.review_hint(ctx, extracted),
            "payload": payload,
            "checks": [c.model_dump(mode="json") for c in checks.document_checks(extracted)]
            + quality,
        },
    )


def _line(journal: str, n: int, account: str, name: str, text: str, dr: str, cr: str) -> dict:
    return {
        "line_item_id": f"{journal}.{n}",
        "journal_id": journal,
        "account": account,
        "account_name": name,
        "description": text,
        "debit": dr,
        "credit": cr,
    }


def journal_review(balanced: bool = True) -> dict[str, Any]:
    """Notebook 04's journal review: month-end-close's hint over January's four journals."""
    (review,) = _templates("month-end-close", "review")
    fee = "Management fee 2026-01: 1.0% a year on NAV 49,400,000.00"
    journals = [
        (
            "J-BANK-L4",
            "Bank charges January (per bank statement)",
            [
                ("1000", "Cash at bank", "0.00", "245.00"),
                ("6300", "Bank charges", "245.00", "0.00"),
            ],
        ),
        (
            "J-BANK-L7",
            "Interest received (per bank statement)",
            [
                ("1000", "Cash at bank", "1830.55", "0.00"),
                ("4200", "Interest income", "0.00", "1830.55"),
            ],
        ),
        (
            "J-MGMT-FEE",
            fee,
            [
                ("6100", "Management fees", "41166.67", "0.00"),
                ("2100", "Accrued management fees", "0.00", "41166.67" if balanced else "41116.67"),
            ],
        ),
        (
            "J-AUDIT-FEE",
            "Audit fee accrual 2026-01",
            [
                ("6200", "Audit fees", "6250.00", "0.00"),
                ("2200", "Accrued expenses", "0.00", "6250.00"),
            ],
        ),
    ]
    shown = []
    for journal_id, text, lines in journals:
        rows = [
            _line(journal_id, n + 1, a, name, text, dr, cr)
            for n, (a, name, dr, cr) in enumerate(lines)
        ]
        shown.append(
            {
                "id": journal_id,
                "journal_id": journal_id,
                "date": "2026-01-31",
                "description": text,
                "lines": rows,
            }
        )
    ctx = _close_context()
    hint = review.journal_hint(ctx, [])
    hint["config"]["summary"] = "4 journal(s)" + (
        ", each balanced" if balanced else "; J-MGMT-FEE out by 50.00"
    )
    return _state(
        "journals",
        "Review journals",
        {
            "reason": "Approve January's journals",
            "display_hint": hint,
            "payload": {
                "period": "2026-01",
                "currency": "USD",
                "journals": shown,
                "lines": [line for j in shown for line in j["lines"]],
            },
        },
    )


class _Ctx:
    period = "2026-01"
    entity_name = "Acme Fund LP"
    currency = "USD"
    nav_tolerance_pct = Decimal(5)


def _close_context() -> Any:
    return _Ctx()


def nav_signoff() -> dict[str, Any]:
    """Notebook 04's NAV sign-off: January against December's signed-off NAV."""
    (review,) = _templates("month-end-close", "review")
    figures = [
        ("cash", "Cash", "251635.55", "1250000.00"),
        ("investments", "Investments", "49200000.00", "48200000.00"),
        ("other_assets", "Other assets", "35000.00", "35000.00"),
        ("total_assets", "Total assets", "49486635.55", "49485000.00"),
        ("total_liabilities", "Total liabilities", "132416.67", "85000.00"),
        ("nav", "Net asset value", "49683305.55", "49400000.00"),
        ("units_in_issue", "Units in issue", "401000.000", "400000.000"),
        ("nav_per_unit", "NAV per unit", "123.8985", "123.5000"),
    ]

    class Nav:
        period = "2026-01"
        prior_period = "2025-12"
        currency = "USD"

    payload = {
        "period": "2026-01",
        "prior_period": "2025-12",
        "currency": "USD",
        "figures": [
            {"key": k, "label": label, "current": cur, "prior": prior}
            for k, label, cur, prior in figures
        ],
    }
    return _state(
        "nav_signoff",
        "Sign off NAV",
        {
            "reason": "Sign off January's NAV",
            "display_hint": review.nav_hint(_close_context(), Nav()),
            "payload": payload,
        },
    )


__all__ = ["bank_review", "date", "journal_review", "nav_signoff"]
