"""What the reviewer sees: the review gate's payload (lines and document facts) and its
``DATA_TABLE`` display hint (columns, what may be edited, confidence threshold, rules).

Kept apart from the workflow so the table can be changed (a column added, a rule tightened)
without reading orchestration code. Pure functions of the extraction.
"""

from __future__ import annotations

from typing import Any

from .chart import CHART, SUSPENSE
from .checks import document_checks
from .corrections import HEADER_PREFIX
from .models import DocumentIngestContext, Extraction

BANK_COLUMNS: list[dict[str, Any]] = [
    {"key": "date", "label": "Date", "type": "date", "editable": True},
    {"key": "description", "label": "Description", "type": "text", "editable": True},
    {"key": "reference", "label": "Reference", "type": "text", "editable": True},
    {"key": "account_code", "label": "Account", "type": "text", "editable": True},
    {"key": "account_name", "label": "Account name", "type": "text", "editable": False},
    {"key": "amount", "label": "Amount", "type": "currency", "editable": True},
    {"key": "dr_cr", "label": "Dr/Cr", "type": "dr_cr", "editable": True},
    {"key": "source_row", "label": "Row", "type": "number", "editable": False},
]

TB_COLUMNS: list[dict[str, Any]] = [
    {"key": "account_code", "label": "Account", "type": "text", "editable": True},
    {"key": "account_name", "label": "Account name", "type": "text", "editable": True},
    {"key": "amount", "label": "Balance", "type": "currency", "editable": True},
    {"key": "dr_cr", "label": "Dr/Cr", "type": "dr_cr", "editable": True},
    {"key": "source_row", "label": "Row", "type": "number", "editable": False},
]

HEADER_COLUMNS: list[dict[str, Any]] = [
    {"key": "label", "label": "Field", "type": "text", "editable": False},
    {"key": "value", "label": "Value", "type": "text", "editable": True},
]

_KNOWN_ACCOUNTS = sorted(code for code in CHART if code != SUSPENSE)


def review_payload(extraction: Extraction) -> dict[str, Any]:
    """The rows under review: ``lines`` (one per transaction or account) and ``header``
    (document facts, ids ``header:<key>``), with each value's confidence."""
    return {
        "document": {
            "filename": extraction.filename,
            "schema_slug": extraction.schema_slug,
            "lines": len(extraction.lines),
        },
        "lines": [line.model_dump(mode="json") for line in extraction.lines],
        "header": [
            {
                "line_item_id": f"{HEADER_PREFIX}{f.key}",
                "key": f.key,
                "label": f.label,
                "value": f.value,
                "confidence": f.confidence,
            }
            for f in extraction.header
        ],
        "warnings": list(extraction.warnings),
    }


def low_confidence_cells(extraction: Extraction, threshold: float) -> int:
    """How many cells (line fields and document facts) score below ``threshold``."""
    cells = sum(
        1
        for line in extraction.lines
        for score in line.confidence_scores.values()
        if score < threshold
    )
    return cells + sum(
        1 for f in extraction.header if f.value is not None and f.confidence < threshold
    )


def review_hint(ctx: DocumentIngestContext, extraction: Extraction) -> dict[str, Any]:
    """A ``DATA_TABLE`` over both datasets; the amounts in the document's currency."""
    bank = extraction.schema_slug == "bank_statement"
    columns = BANK_COLUMNS if bank else TB_COLUMNS
    rules: list[dict[str, Any]] = [
        {"type": "required", "field": "account_code", "dataset": "lines"},
        {
            "type": "range",
            "field": "amount",
            "min": 0,
            "dataset": "lines",
            "message": "amounts are entered without a sign; use Dr/Cr for the side",
        },
        {"type": "one_of", "field": "dr_cr", "values": ["DR", "CR"], "dataset": "lines"},
    ]
    if bank:
        rules += [
            {"type": "required", "field": "date", "dataset": "lines"},
            {
                "type": "one_of",
                "field": "account_code",
                "values": _KNOWN_ACCOUNTS,
                "dataset": "lines",
                "level": "warning",
                "message": f"some lines are in suspense ({SUSPENSE}) or an unknown account",
            },
        ]
    else:
        rules.append(
            {
                "type": "pattern",
                "field": "account_code",
                "pattern": r"^\d{3,6}$",
                "dataset": "lines",
                "level": "warning",
            }
        )
    failing = [c.message for c in document_checks(extraction) if not c.ok]
    low = low_confidence_cells(extraction, ctx.confidence_threshold)
    summary = f"{len(extraction.lines)} lines, {low} cell(s) below {ctx.confidence_threshold:.0%} confidence"
    if failing:
        summary += ". " + "; ".join(failing)
    currency = next(
        (f.value for f in extraction.header if f.key == "currency" and f.value), ctx.currency
    )
    return {
        "component": "DATA_TABLE",
        "config": {
            "title": f"Review the {ctx.document_label}",
            "subtitle": f"{ctx.entity_slug} · {ctx.period} · {extraction.filename}",
            "summary": summary,
            "datasets": [
                {"key": "lines", "label": "Lines", "data_key": "lines", "columns": columns},
                {
                    "key": "header",
                    "label": "Document",
                    "data_key": "header",
                    "columns": HEADER_COLUMNS,
                },
            ],
            "columns": columns,
            "allow_corrections": True,
            "confidence_warning_threshold": ctx.confidence_threshold,
            "currency": currency,
            # a corrected account code shows its name as it is typed
            "account_names": {code: CHART[code] for code in _KNOWN_ACCOUNTS},
            "dr_cr_books": (
                f"Dr/Cr are {ctx.entity_slug}'s books: DR is money into the bank account "
                "(a debit to cash), CR money out"
                if bank
                else f"Dr/Cr are {ctx.entity_slug}'s balances as the trial balance states them"
            ),
            "validation_rules": rules,
            "actions": [
                {
                    "kind": "approve",
                    "label": "Approve and commit",
                    "primary": True,
                    "icon": "check",
                },
                {"kind": "reject", "label": "Reject document", "icon": "x"},
            ],
            "approve_label": "Approve and commit",
            "reject_label": "Reject document",
            "schema_slug": extraction.schema_slug,
        },
    }
