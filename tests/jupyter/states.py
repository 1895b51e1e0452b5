"""Recorded ``current_ui_state`` dicts, as a month-end NAV runbook returns them.

Used by the view-model tests, the widget tests and the browser screenshots, so every panel is
exercised from the same realistic states.
"""

from __future__ import annotations

import copy
from typing import Any

WF = "nav-monthly-2024-03"

STEPS = [
    {"id": "period_open", "title": "Open period", "status": "completed", "icon": "CalendarCheck"},
    {
        "id": "collect_documents",
        "title": "Collect documents",
        "status": "completed",
        "icon": "FileUp",
    },
    {
        "id": "review_extraction",
        "title": "Review extraction",
        "status": "completed",
        "icon": "ScanText",
    },
    {"id": "journals", "title": "Approve journals", "status": "pending", "icon": "Scale"},
    {"id": "nav_signoff", "title": "Sign off NAV", "status": "pending", "icon": "Landmark"},
    {"id": "summary", "title": "Period summary", "status": "pending", "icon": "CheckCircle2"},
]


def _state(current: str, pending: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    steps = copy.deepcopy(STEPS)
    seen_current = False
    for step in steps:
        if step["id"] == current:
            step["status"] = (
                "waiting_for_input" if pending and pending["kind"] != "drill_down" else "active"
            )
            seen_current = True
        elif not seen_current:
            step["status"] = "completed"
        else:
            step["status"] = "pending"
    completed = [s["id"] for s in steps if s["status"] == "completed"]
    state: dict[str, Any] = {
        "workflow_id": WF,
        "workflow_type": "NavMonthlyWorkflow",
        "status": "running",
        "current_step_id": current,
        "completed_step_ids": completed,
        "steps": steps,
        "pending_action": pending,
        "pending_payload": pending.get("payload") if pending else None,
        "children_by_step_id": {
            "collect_documents": [
                {
                    "workflow_id": f"{WF}:collect_documents:document-ingest:bank",
                    "run_id": "r1",
                    "slug": "document-ingest",
                    "status": "completed",
                },
                {
                    "workflow_id": f"{WF}:collect_documents:document-ingest:custodian",
                    "run_id": "r2",
                    "slug": "document-ingest",
                    "status": "completed",
                },
            ]
        }
        if "collect_documents" in completed
        else {},
        "step_snapshots": {
            "period_open": {
                "display_hint": None,
                "completed_at": "2024-04-01T09:00:00Z",
                "payload": None,
                "decision": None,
                "result": {"period": "2024-03", "entity": "Fund I LP", "opened": True},
                "status": "completed",
            },
        },
        "audit_trail": [],
        "error": None,
    }
    if "review_extraction" in completed:
        state["step_snapshots"]["review_extraction"] = {
            "display_hint": {
                "component": "DATA_TABLE",
                "config": {"title": "Bank statement lines", "allow_corrections": True},
            },
            "completed_at": "2024-04-01T10:42:00Z",
            "payload": {"line_items": extraction_payload()["line_items"][:3]},
            "decision": {
                "action": "correct",
                "reviewer": "alice@fund.example",
                "decided_at": "2024-04-01T10:42:00Z",
                "comment": "Fixed one amount",
                "corrections": [
                    {
                        "line_item_id": "L2",
                        "field": "amount",
                        "old_value": 1250.0,
                        "new_value": 1205.0,
                    }
                ],
            },
            "result": None,
            "status": "completed",
        }
        state["audit_trail"] = [
            {
                "kind": "correction",
                "step_id": "review_extraction",
                "gate_id": "g-extract",
                "reviewer": "alice@fund.example",
                "at": "2024-04-01T10:42:00Z",
                "line_item_id": "L2",
                "field": "amount",
                "old_value": 1250.0,
                "new_value": 1205.0,
            },
            {
                "kind": "decision",
                "step_id": "review_extraction",
                "gate_id": "g-extract",
                "reviewer": "alice@fund.example",
                "at": "2024-04-01T10:42:00Z",
                "action": "correct",
                "comment": "Fixed one amount",
            },
        ]
    state.update(extra)
    return state


def extraction_payload() -> dict[str, Any]:
    return {
        "fields": {
            "bank": "First Example Bank",
            "account": "****4821",
            "statement_date": "2024-03-31",
            "closing_balance": "48,210.55",
        },
        "confidence_scores": {
            "bank": 0.99,
            "account": 0.97,
            "statement_date": 0.93,
            "closing_balance": 0.61,
        },
        "line_items": [
            {
                "line_item_id": "L1",
                "date": "2024-03-01",
                "description": "Opening fee",
                "amount": -25.0,
                "currency": "USD",
                "dr_cr": "DR",
                "status": "matched",
                "confidence": 0.98,
            },
            {
                "line_item_id": "L2",
                "date": "2024-03-05",
                "description": "Subscription - Investor A",
                "amount": 1250.0,
                "currency": "USD",
                "dr_cr": "CR",
                "status": "review",
                "confidence_scores": {"amount": 0.42, "description": 0.9},
            },
            {
                "line_item_id": "L3",
                "date": "2024-03-09",
                "description": "Wire to custodian",
                "amount": -10000.0,
                "currency": "USD",
                "dr_cr": "DR",
                "status": "matched",
                "confidence": 0.95,
            },
            {
                "line_item_id": "L4",
                "date": "2024-03-15",
                "description": "Management fee Q1",
                "amount": "-4,500.00",
                "currency": "USD",
                "dr_cr": "DR",
                "status": "unmatched",
                "confidence": 0.71,
                "validation_errors": [{"field": "description", "message": "no matching invoice"}],
            },
            {
                "line_item_id": "L5",
                "date": "2024-03-28",
                "description": "Interest",
                "amount": 12.34,
                "currency": "USD",
                "dr_cr": "CR",
                "status": "matched",
                "confidence": 0.99,
            },
        ],
    }


def extraction_review() -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Awaiting accountant approval of extraction",
        "display_hint": {
            "type": "review_extraction",
            "schema_slug": "bank-statement",
            "confidence_warning_threshold": 0.8,
        },
        "payload": extraction_payload(),
        "args": {},
        "tools": [],
        "children": [],
        "feedback": None,
        "checks": [],
        "step_id": "review_extraction",
        "gate_id": "g-extract",
        "opened_at": "2024-04-01T10:30:00Z",
        "deadline": None,
    }
    return _state("review_extraction", pending)


def data_table(rows: int | None = None) -> dict[str, Any]:
    payload = {
        "holdings": [
            {
                "id": "H1",
                "security": "ACME Corp 5% 2030",
                "isin": "US0000000001",
                "quantity": 1000,
                "price": 101.25,
                "market_value": 101250.0,
                "currency": "USD",
                "priced": True,
            },
            {
                "id": "H2",
                "security": "Globex Equity",
                "isin": "US0000000002",
                "quantity": 2500,
                "price": "n/a",
                "market_value": 0,
                "currency": "USD",
                "priced": False,
                "status": "stale price",
                "validation_errors": {"price": "price older than 5 days"},
            },
            {
                "id": "H3",
                "security": "Initech <b>bold</b><script>alert(1)</script>",
                "isin": "GB0000000003",
                "quantity": 300,
                "price": 55.1,
                "market_value": 16530.0,
                "currency": "GBP",
                "priced": True,
            },
        ],
        "cash": [
            {"id": "C1", "account": "Operating", "balance": 48210.55, "currency": "USD"},
            {"id": "C2", "account": "Reserve", "balance": 250000, "currency": "USD"},
        ],
    }
    if rows:
        payload = {"holdings": big_rows(rows), "cash": payload["cash"]}
    pending = {
        "kind": "interactive_review",
        "reason": "Review holdings and cash before pricing",
        "display_hint": {
            "component": "DATA_TABLE",
            "config": {
                "title": "Holdings and cash",
                "subtitle": "As at 31 March 2024",
                "datasets": [
                    {"key": "holdings", "label": "Holdings", "data_key": "holdings"},
                    {"key": "cash", "label": "Cash", "data_key": "cash"},
                ],
                "allow_corrections": True,
                "actions": [
                    {"kind": "approve", "label": "Approve holdings", "primary": True},
                    {"kind": "reject", "label": "Send back"},
                ],
                "validation_rules": [
                    {"type": "range", "field": "quantity", "min": 0},
                    {"type": "required", "field": "security"},
                ],
            },
        },
        "payload": payload,
        "step_id": "review_extraction",
        "gate_id": "g-holdings",
        "opened_at": "2024-04-01T10:30:00Z",
    }
    return _state("review_extraction", pending)


def big_rows(count: int) -> list[dict[str, Any]]:
    """``count`` rows of 8 columns, deterministic."""
    out = []
    for n in range(count):
        out.append(
            {
                "line_item_id": f"R{n:05d}",
                "date": f"2024-03-{(n % 28) + 1:02d}",
                "account": f"{4000 + n % 97}",
                "description": f"Line {n} payment ref {n * 7919 % 100000}",
                "amount": round((n * 37.31) % 10000 - 5000, 2),
                "currency": "USD" if n % 3 else "EUR",
                "dr_cr": "DR" if n % 2 else "CR",
                "reconciled": n % 5 != 0,
                "confidence": round(0.5 + (n * 13 % 50) / 100, 2),
            }
        )
    return out


def journal_review(balanced: bool = False) -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Approve month-end journals",
        "display_hint": {"type": "journal_review", "currency": "USD"},
        "payload": {
            "journals": [
                {
                    "journal_id": "JE-101",
                    "description": "Accrue management fee",
                    "date": "2024-03-31",
                    "lines": [
                        {"account": "6100", "account_name": "Management fees", "debit": 4500},
                        {"account": "2100", "account_name": "Accrued expenses", "credit": 4500},
                    ],
                },
                {
                    "journal_id": "JE-102",
                    "description": "Interest income",
                    "date": "2024-03-31",
                    "lines": [
                        {"account": "1010", "account_name": "Cash", "debit": 12.34},
                        {
                            "account": "4200",
                            "account_name": "Interest income",
                            "credit": 12.34 if balanced else 10.34,
                        },
                    ],
                },
            ]
        },
        "step_id": "journals",
        "gate_id": "g-journals",
        "opened_at": "2024-04-01T11:00:00Z",
    }
    return _state("journals", pending)


def nav_signoff() -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Sign off March NAV",
        "display_hint": {"type": "nav_signoff", "tolerance_pct": 5, "currency": "USD"},
        "payload": {
            "period": "2024-03",
            "prior_period": "2024-02",
            "figures": [
                {"label": "Net asset value", "current": 12_480_000, "prior": 12_100_000},
                {"label": "NAV per unit", "current": 104.12, "prior": 100.95},
                {"label": "Management fee accrual", "current": 4500, "prior": 3000},
                {"label": "Cash", "current": 298210.55, "prior": 310000},
            ],
        },
        "step_id": "nav_signoff",
        "gate_id": "g-nav",
        "opened_at": "2024-04-01T12:00:00Z",
    }
    return _state("nav_signoff", pending)


def file_upload() -> dict[str, Any]:
    pending = {
        "kind": "submit_file",
        "reason": "Upload the March bank statement",
        "display_hint": {
            "component": "FILE_UPLOAD",
            "config": {
                "title": "Bank statement",
                "instructions": "PDF or CSV export from the bank portal.",
                "accept": ".pdf,.csv",
                "max_size_mb": 5,
                "multiple": False,
            },
        },
        "args": {
            "source": "bank",
            "schema_slug": "bank-statement",
            "tenant_id_or_slug": "acme",
            "entity_id_or_slug": "fund-i",
            "signal_task_id": WF,
            "signal_name": "document_submitted",
        },
        "feedback": {
            "kind": "ingest",
            "level": "info",
            "payload": {
                "total": 120,
                "processed": 45,
                "failed": 2,
                "message": "Parsing statement lines",
            },
        },
        "step_id": "collect_documents",
        "gate_id": "g-upload",
        "opened_at": "2024-04-01T09:10:00Z",
    }
    state = _state("collect_documents", pending)
    return state


def multi_upload() -> dict[str, Any]:
    slots = [
        {
            "source": "bank",
            "label": "Bank statement",
            "schema_slug": "bank-statement",
            "status": "completed",
            "task_id": f"{WF}:collect_documents:document-ingest:bank",
            "signal_task_id": f"{WF}:collect_documents:document-ingest:bank",
        },
        {
            "source": "custodian",
            "label": "Custodian holdings",
            "schema_slug": "holdings",
            "status": "running",
            "task_id": f"{WF}:collect_documents:document-ingest:custodian",
            "signal_task_id": f"{WF}:collect_documents:document-ingest:custodian",
        },
        {
            "source": "admin",
            "label": "Administrator report",
            "schema_slug": None,
            "status": "pending",
            "task_id": f"{WF}:collect_documents:document-ingest:admin",
            "signal_task_id": f"{WF}:collect_documents:document-ingest:admin",
        },
    ]
    pending = {
        "kind": "submit_files",
        "reason": "Upload 3 document(s)",
        "display_hint": {
            "component": "MULTI_FILE_UPLOAD",
            "config": {"expected": slots, "accept": [".pdf", ".csv", ".xlsx"]},
        },
        "args": {"expected": slots},
        "children": [
            {"task_id": s["task_id"], "step_id": "collect_documents", "slug": "document-ingest"}
            for s in slots
        ],
        "step_id": "collect_documents",
        "gate_id": "g-multi",
        "opened_at": "2024-04-01T09:10:00Z",
    }
    state = _state("collect_documents", pending)
    state["children_by_step_id"] = {
        "collect_documents": [
            {
                "workflow_id": s["task_id"],
                "run_id": None,
                "slug": "document-ingest",
                "status": "completed" if s["status"] == "completed" else "running",
            }
            for s in slots
        ]
    }
    return state


def summary() -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Confirm the period summary",
        "display_hint": {
            "component": "SUMMARY",
            "config": {
                "sections": [
                    {"key": "nav", "label": "Closing NAV", "type": "number"},
                    {"key": "status", "label": "Reconciliation", "type": "badge"},
                    {"key": "journals_posted", "label": "Journals posted", "type": "number"},
                    {"key": "notes", "label": "Notes", "type": "text"},
                ]
            },
        },
        "payload": {
            "nav": 12480000,
            "status": "balanced",
            "journals_posted": 14,
            "notes": "Fee accrual up 50% on new commitments.",
        },
        "step_id": "summary",
        "gate_id": "g-summary",
        "opened_at": "2024-04-01T12:30:00Z",
    }
    return _state("summary", pending)


def loading() -> dict[str, Any]:
    pending = {
        "kind": "drill_down",
        "reason": "Ingesting documents",
        "display_hint": {"component": "LOADING", "config": {"title": "Ingesting documents"}},
        "children": [
            {
                "task_id": f"{WF}:collect_documents:document-ingest:bank",
                "step_id": "collect_documents",
                "slug": "document-ingest",
            }
        ],
        "step_id": "collect_documents",
        "gate_id": None,
        "opened_at": "2024-04-01T09:10:00Z",
    }
    state = _state("collect_documents", pending)
    state["children_by_step_id"] = {
        "collect_documents": [
            {
                "workflow_id": f"{WF}:collect_documents:document-ingest:bank",
                "run_id": "r1",
                "slug": "document-ingest",
                "status": "running",
            }
        ]
    }
    return state


def report_preview() -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Approve the investor report",
        "display_hint": {
            "component": "REPORT_PREVIEW",
            "config": {"title": "Investor letter (draft)"},
        },
        "payload": {
            "markdown": "# March 2024\n\nNAV rose **3.1%** to USD 12.48m.\n\n"
            "| Class | NAV/unit |\n|---|---|\n| A | 104.12 |\n| B | 98.40 |\n\n"
            "<script>alert('x')</script> [click](javascript:alert(1))"
        },
        "step_id": "summary",
        "gate_id": "g-report",
        "opened_at": "2024-04-01T12:40:00Z",
    }
    return _state("summary", pending)


def approval_form() -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Approve wire release",
        "display_hint": None,
        "payload": {
            "beneficiary": "Custodian Bank",
            "amount": "10,000.00 USD",
            "value_date": "2024-04-02",
        },
        "step_id": "journals",
        "gate_id": "g-approve",
        "opened_at": "2024-04-01T11:00:00Z",
    }
    return _state("journals", pending)


def unknown_component() -> dict[str, Any]:
    pending = {
        "kind": "interactive_review",
        "reason": "Review FX rates",
        "display_hint": {"component": "FX_RATE_MATRIX", "config": {"pairs": ["EURUSD", "GBPUSD"]}},
        "payload": {"EURUSD": 1.0812, "GBPUSD": 1.2634, "source": "ECB"},
        "step_id": "journals",
        "gate_id": "g-fx",
        "opened_at": "2024-04-01T11:00:00Z",
    }
    return _state("journals", pending)


def hostile() -> dict[str, Any]:
    """Bad input everywhere: rows without ids, text in number columns, unknown column types,
    missing datasets, HTML and script in values, a hint that is a list."""
    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    pending = {
        "kind": "interactive_review",
        "reason": evil,
        "display_hint": {
            "component": "DATA_TABLE",
            "config": {
                "title": evil,
                "datasets": [
                    {"key": "lines", "label": evil, "data_key": "lines"},
                    {"key": "missing", "label": "Missing", "data_key": "nope"},
                ],
                "columns": [
                    {"key": "desc", "label": evil, "type": "text"},
                    {"key": "amount", "label": "Amount", "type": "number"},
                    {"key": "weird", "label": "Weird", "type": "hologram"},
                ],
                "allow_corrections": True,
            },
        },
        "payload": {
            "lines": [
                {"desc": evil, "amount": "twelve", "weird": {"nested": [1, 2]}},
                {"desc": "fine", "amount": 12, "weird": None},
                None,
                "just a string",
            ]
        },
        "step_id": "journals",
        "gate_id": "g-hostile",
    }
    state = _state("journals", pending)
    state["steps"].append(
        {"id": "evil", "title": evil, "status": "pending", "icon": "NoSuchIcon<svg>"}
    )
    state["steps"].append("not a step")
    state["audit_trail"] = [{"kind": "refused", "reason": evil, "at": "2024-04-01T11:00:00Z"}]
    return state


def completed_run() -> dict[str, Any]:
    state = _state("summary", None)
    for step in state["steps"]:
        step["status"] = "completed"
    state["status"] = "completed"
    state["completed_step_ids"] = [s["id"] for s in state["steps"]]
    state["audit_trail"].append(
        {
            "kind": "decision",
            "step_id": "nav_signoff",
            "gate_id": "g-nav",
            "reviewer": "bob@fund.example",
            "at": "2024-04-01T12:05:00Z",
            "action": "approve",
            "comment": "NAV signed off by Bob Smith for 2024-03",
        }
    )
    state["step_snapshots"]["summary"] = {
        "display_hint": None,
        "completed_at": "2024-04-01T12:31:00Z",
        "payload": None,
        "decision": None,
        "result": {"nav": 12480000, "status": "balanced", "journals_posted": 14},
        "status": "completed",
    }
    return state


ALL_PANELS = {
    "extraction_review": extraction_review,
    "data_table": data_table,
    "journal_review": journal_review,
    "nav_signoff": nav_signoff,
    "file_upload": file_upload,
    "multi_upload": multi_upload,
    "summary": summary,
    "loading": loading,
    "report_preview": report_preview,
    "approval_form": approval_form,
    "unknown_component": unknown_component,
    "hostile": hostile,
}
