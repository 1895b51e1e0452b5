"""Applying a reviewer's corrections to an extraction, field by field, with an audit of each.

A correction names a row (``L3``, or ``header:closing_balance`` for a document fact), a field and
the new value as typed. Each value is read the way the extractor reads the file (``1,240.55``,
``31/01/2026``, ``credit``); a value that cannot be read is refused with a reason and the rest
still apply, so the reviewer fixes only what was wrong. A corrected field's confidence becomes
1: a person has checked it. Pure and deterministic: it runs inside the workflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .chart import CHART
from .models import AppliedCorrection, ExtractedLine, Extraction, HeaderField
from .values import money, read_amount, read_date

HEADER_PREFIX = "header:"
LINE_FIELDS = (
    "date",
    "description",
    "reference",
    "account_code",
    "account_name",
    "amount",
    "dr_cr",
    "currency",
)
_DR = {"dr", "d", "debit", "in", "money in"}
_CR = {"cr", "c", "credit", "out", "money out"}


@dataclass
class CorrectionResult:
    """The extraction after the corrections that could be applied, and why others could not."""

    extraction: Extraction
    applied: list[AppliedCorrection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def read_line_value(field_name: str, value: Any) -> tuple[Any, str | None]:
    """``(value as the line keeps it, None)`` or ``(None, why it cannot be used)``."""
    text = "" if value is None else str(value).strip()
    if field_name == "amount":
        reading = read_amount(text)
        if reading.value is None:
            return None, f"{text!r} is not an amount"
        amount: Decimal = reading.value  # type: ignore[assignment]
        if amount < 0:
            return None, f"{text} is negative; enter the amount without a sign and set Dr/Cr"
        return money(amount), None
    if field_name == "date":
        reading = read_date(text, day_first=True)
        if reading.value is None:
            return None, f"{text!r} is not a date (use 2026-01-31 or 31/01/2026)"
        return reading.value, None
    if field_name == "dr_cr":
        lowered = text.lower()
        if lowered in _DR:
            return "DR", None
        if lowered in _CR:
            return "CR", None
        return None, f"{text!r} is not DR or CR"
    if field_name == "currency":
        if len(text) == 3 and text.isalpha():
            return text.upper(), None
        return None, f"{text!r} is not a three-letter currency code"
    if field_name in ("account_code", "description", "account_name"):
        if not text:
            return None, f"{field_name.replace('_', ' ')} cannot be empty"
        return text, None
    if field_name == "reference":
        return text or None, None
    return None, f"{field_name!r} cannot be corrected (correctable: {', '.join(LINE_FIELDS)})"


def apply_corrections(
    extraction: Extraction,
    corrections: Iterable[dict[str, Any]],
    *,
    source: str = "correction",
) -> CorrectionResult:
    """Apply ``corrections`` (``{line_item_id, field, new_value}``) in order."""
    lines = {line.line_item_id: line.model_copy(deep=True) for line in extraction.lines}
    header = {f"{HEADER_PREFIX}{f.key}": f.model_copy() for f in extraction.header}
    result = CorrectionResult(extraction=extraction)
    named_accounts: set[str] = set()
    for correction in corrections:
        row_id = str(correction.get("line_item_id") or correction.get("row_id") or "")
        field_name = str(correction.get("field") or "")
        new_value = correction.get("new_value", correction.get("value"))
        if row_id in header:
            _correct_header(header[row_id], row_id, field_name, new_value, source, result)
            continue
        line = lines.get(row_id)
        if line is None:
            result.errors.append(f"{row_id}: no such line")
            continue
        value, problem = read_line_value(field_name, new_value)
        if problem is not None:
            result.errors.append(f"{row_id} {field_name}: {problem}")
            continue
        old = getattr(line, field_name)
        setattr(line, field_name, value)
        line.confidence_scores[field_name] = 1.0
        line.validation_errors = [
            e
            for e in line.validation_errors
            if not e.startswith(f"{field_name}:")
            and not (field_name == "amount" and "running balance" in e)
        ]
        if field_name == "account_name":
            named_accounts.add(row_id)
        if field_name == "account_code" and value in CHART and row_id not in named_accounts:
            line.account_name = CHART[value]
        result.applied.append(
            AppliedCorrection(
                line_item_id=row_id,
                field=field_name,
                old_value=_text(old),
                new_value=_text(value),
                source=source,  # type: ignore[arg-type]
            )
        )
    updated = extraction.model_copy(
        update={
            "lines": [lines[line.line_item_id] for line in extraction.lines],
            "header": [header[f"{HEADER_PREFIX}{f.key}"] for f in extraction.header],
        }
    )
    result.extraction = refresh_totals(updated)
    return result


def _correct_header(
    target: HeaderField,
    row_id: str,
    field_name: str,
    new_value: Any,
    source: str,
    result: CorrectionResult,
) -> None:
    if field_name != "value":
        result.errors.append(f"{row_id}: only the value of a document field can be corrected")
        return
    old = target.value
    target.value = None if new_value in (None, "") else str(new_value).strip()
    target.confidence = 1.0
    result.applied.append(
        AppliedCorrection(
            line_item_id=row_id,
            field="value",
            old_value=old,
            new_value=target.value,
            source=source,  # type: ignore[arg-type]
        )
    )


def refresh_totals(extraction: Extraction) -> Extraction:
    """A trial balance's total debits and credits, recomputed from its lines."""
    if extraction.schema_slug != "trial_balance":
        return extraction
    totals = {
        "total_debit": sum(
            (line.amount for line in extraction.lines if line.dr_cr == "DR"), Decimal(0)
        ),
        "total_credit": sum(
            (line.amount for line in extraction.lines if line.dr_cr == "CR"), Decimal(0)
        ),
    }
    header = [
        f.model_copy(update={"value": str(money(totals[f.key]))})
        if f.key in totals and f.value != str(money(totals[f.key]))
        else f
        for f in extraction.header
    ]
    return extraction.model_copy(update={"header": header})


def exclude_lines(extraction: Extraction, row_ids: Iterable[str]) -> tuple[Extraction, list[str]]:
    """The extraction without the lines the reviewer rejected, and which those were."""
    dropped = set(row_ids)
    kept: list[ExtractedLine] = [
        line for line in extraction.lines if line.line_item_id not in dropped
    ]
    removed = [line.line_item_id for line in extraction.lines if line.line_item_id in dropped]
    return refresh_totals(extraction.model_copy(update={"lines": kept})), removed
