"""expenses-intake's activities: everything that touches the tenant's data plane.

- ``record_expenses`` reads the rows of an uploaded CSV (``fetch_submitted_document_by_id``)
  and those sent in the signal, keeps every row as received (``ingest.submitted_records``),
  canonicalises it (``canonicalize_tabular_expense_rows``) and inserts it in the ``expenses``
  subledger: ``PENDING`` when it reads, ``NEEDS_ATTENTION`` with the reasons when it does not.
- ``load_review_rows`` reads the task's rows back for the review table.
- ``approve_expenses`` applies the reviewer's corrections, rejects the rows they excluded,
  approves the rest and proposes their journals.

All three are safe to retry: record ids and row ids derive from the task and the row's
position, status changes move a row once, and proposals are stored once per key.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from ntro import subledger
from ntro.data import get_data_plane
from ntro.ingest import IngestOutcome, fetch_submitted_document_by_id, insert_submitted_record
from ntro.subledger.proposals import propose
from ntro.subledger.review import table_payload
from ntro.subledger.types.expenses import (
    ExpenseRow,
    canonicalize_tabular_expense_rows,
    map_expense_headings,
)
from ntro.workflow import WorkflowError, activity

from .models import (
    SOURCE,
    ApprovalReceipt,
    ApproveRequest,
    IntakeRequest,
    ReviewRequest,
    ReviewRows,
)

_REQUIRED = ("vendor", "amount_gross", "expense_date")


def _expenses(entity_id: str, task_id: str, db: object) -> subledger.SubledgerHandle[ExpenseRow]:
    return subledger.open(name="expenses", entity_id=entity_id, task_id=task_id, db=db)


async def _uploaded_rows(db: Any, request: IntakeRequest) -> list[dict[str, Any]]:
    """The rows of the uploaded CSV, headings as written; none without an upload."""
    if request.document_ref is None:
        return []
    document = await fetch_submitted_document_by_id(db, document_ref=request.document_ref)
    if document is None:
        raise WorkflowError(
            f"no uploaded document {request.document_ref!r} in tenant {db.tenant_slug!r}; "
            "upload the spreadsheet again",
            type="DocumentNotFound",
        )
    try:
        text = document.data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkflowError(
            f"{document.filename} is not a UTF-8 CSV; export the sheet as CSV (UTF-8)",
            type="DocumentUnreadable",
        ) from None
    return [dict(row) for row in csv.DictReader(io.StringIO(text)) if any(row.values())]


@activity.defn(name="expenses-intake.record_expenses")
async def record_expenses(request: IntakeRequest) -> IngestOutcome:
    """Keep, canonicalise and insert the submitted rows; how many were accepted and why not."""
    db = await get_data_plane(request.tenant_slug)
    handle = _expenses(request.entity_id, request.task_id, db)
    submitted = [*await _uploaded_rows(db, request), *request.rows]
    good, bad = canonicalize_tabular_expense_rows(submitted, default_currency=request.currency)
    rejected = {item["index"]: item for item in bad}
    rows: list[ExpenseRow] = []
    for index, raw in enumerate(submitted):
        ref = f"{request.source_ref}:{index + 1}"
        await insert_submitted_record(
            db,
            id=f"{request.task_id}:{ref}",
            entity_slug=request.entity_id,
            task_id=request.task_id,
            kind="expense_row",
            source_ref=ref,
            data=raw,
        )
        if index in rejected:
            await handle.insert_needs_attention(
                period=request.period,
                raw_payload=raw,
                validation_errors=rejected[index]["errors"],
                source_ref=ref,
                type_specific_fields=map_expense_headings(raw),
            )
        else:
            canonical = good.pop(0)
            rows.append(
                await handle.row(
                    period=request.period, source_ref=ref, raw_payload=raw, **canonical
                )
            )
    await handle.insert(rows)
    reasons = [
        f"{e['field']}: {e['message'].split(':')[0]}" for item in bad for e in item["errors"][:1]
    ]
    activity.logger.info(
        "%d rows: %d pending, %d need attention", len(submitted), len(rows), len(bad)
    )
    return IngestOutcome.from_counts(
        source_ref=f"{SOURCE}:{request.source_ref}",
        parsed_rows=len(submitted),
        accepted_rows=len(rows),
        reasons=reasons,
    )


@activity.defn(name="expenses-intake.load_review_rows")
async def load_review_rows(request: ReviewRequest) -> ReviewRows:
    """The task's rows still to decide (pending, and those needing attention)."""
    db = await get_data_plane(request.tenant_slug)
    handle = _expenses(request.entity_id, request.task_id, db)
    rows = await handle.query(["NEEDS_ATTENTION", "PENDING"])
    rows.sort(key=lambda r: (r.source_ref or "", r.id))
    return ReviewRows(rows=table_payload(rows)["rows"])


@activity.defn(name="expenses-intake.approve_expenses")
async def approve_expenses(request: ApproveRequest) -> ApprovalReceipt:
    """Correct, exclude, approve; rows that still miss a date, supplier or amount stay back."""
    db = await get_data_plane(request.tenant_slug)
    handle = _expenses(request.entity_id, request.task_id, db)
    receipt = ApprovalReceipt()
    for correction in request.corrections:
        row_id, field = correction.get("line_item_id"), correction.get("field")
        try:
            receipt.corrected += await handle.update(row_id, **{field: correction.get("new_value")})
        except ValueError as err:
            receipt.correction_errors.append(f"row {row_id}: {err}")
    if request.excluded_ids:
        receipt.rejected = await handle.mark_rejected(ids=request.excluded_ids)
    for row in await handle.query("NEEDS_ATTENTION"):
        if all(getattr(row, name) is not None for name in _REQUIRED):
            await handle.update(row.id, validation_errors=[])
            await handle.mark_pending(ids=[row.id])
        else:
            receipt.still_needs_attention.append(row.id)
    pending = await handle.query("PENDING")
    await handle.mark_approved(ids=[r.id for r in pending])
    approved = await handle.query("APPROVED")
    receipt.approved = len(approved)  # the task's approved rows, on a retry too
    receipt.total_gross = sum((r.amount_gross or Decimal(0) for r in approved), Decimal(0))
    proposals = ExpenseRow.propose_for_gl(approved, task_id=request.task_id)
    await propose(
        proposals,
        entity_id=request.entity_id,
        task_id=request.task_id,
        source_subledger="expenses",
        db=db,
    )
    receipt.proposal_keys = [p.idempotency_key for p in proposals]
    return receipt
