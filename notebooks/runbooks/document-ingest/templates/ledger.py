"""Committing an approved document: a record in the tenant data plane
(``ingest.extracted_payloads``, with ``ntro.ingest``), and its audit copy with
``ntro.capabilities.storage``.

The record is what other runbooks read (the month-end close, SQL). The audit copy is for a
person (and the notebooks): the whole commit as one JSON document, stored with ``storage`` at
``audit/document-ingest/<entity>/<period>/<source>.json``, a path relative to the worker's
artifacts folder (``$NTRO_ARTIFACTS_DIR``, default ``~/.ntro/artifacts``). One copy per
document source and period, so "the January bank statement" is found by name. Writing the same
commit again (an activity retry) gives the same copy, with its first ``committed_at``; a later
commit for the same source and period replaces it and records which commit it replaced.
``storage`` writes through a temporary file and a rename, so a reader never sees half a commit.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic_core import to_jsonable_python

from ntro.capabilities import storage
from ntro.data import get_data_plane
from ntro.ingest import insert_extracted_document

from .models import CommitReceipt, CommitRequest

AUDIT_FOLDER = "audit/document-ingest"


def safe_part(text: str) -> str:
    """A path component made of the text's letters, digits, dots, dashes and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip(".-")
    return cleaned or "unnamed"


def audit_path(entity_slug: str, period: str, source: str) -> str:
    """The storage path of the audit copy of ``source`` for ``entity_slug`` and ``period``."""
    return f"{AUDIT_FOLDER}/{safe_part(entity_slug)}/{safe_part(period)}/{safe_part(source)}.json"


async def read_audit_copy(path: str) -> dict[str, Any] | None:
    """The audit copy stored at ``path``, or None when there is none (or it is not JSON)."""
    try:
        data = json.loads(await storage.read(path=path))
    except (storage.StorageError, ValueError):
        return None
    return data if isinstance(data, dict) else None


async def record_commit(request: CommitRequest) -> str:
    """The approved document as a row of ``ingest.extracted_payloads`` (its id); a retried
    commit (same ``commit_id`` and source) finds its row instead of adding another."""
    db = await get_data_plane()
    found = await db.fetchval(
        "SELECT id::text FROM ingest.extracted_payloads "
        "WHERE task_id = $1 AND source = $2 AND entity_slug = $3",
        request.commit_id,
        request.source,
        request.entity_slug,
    )
    if found is not None:
        return str(found)
    record = await insert_extracted_document(
        db,
        entity_slug=request.entity_slug,
        period=request.period,
        source=request.source,
        document_ref=request.document_ref,
        schema_slug=request.schema_slug,
        payload=to_jsonable_python(
            {
                "filename": request.filename,
                "approved_by": request.approved_by,
                "header": {field.key: field.value for field in request.header},
                "lines": [line.model_dump(mode="json") for line in request.lines],
                "excluded_rows": request.excluded_rows,
            }
        ),
        corrections=[c.model_dump(mode="json") for c in request.corrections],
        task_id=request.commit_id,
    )
    return str(record.id)


async def write_audit_copy(
    request: CommitRequest, *, record_id: str | None = None, now: datetime | None = None
) -> CommitReceipt:
    """Store the approved document's audit copy with ``storage``; the receipt says where."""
    path = audit_path(request.entity_slug, request.period, request.source)
    previous = await read_audit_copy(path)
    replaced = None
    committed_at = now or datetime.now(UTC)
    if previous is not None:
        if previous.get("commit_id") == request.commit_id:
            # A retry of this commit: keep its first time so the copy does not change.
            committed_at = datetime.fromisoformat(str(previous.get("committed_at")))
            replaced = previous.get("replaced_commit_id")
        else:
            replaced = previous.get("commit_id")
    total_debit = sum((line.amount for line in request.lines if line.dr_cr == "DR"), Decimal(0))
    total_credit = sum((line.amount for line in request.lines if line.dr_cr == "CR"), Decimal(0))
    document = {
        "commit_id": request.commit_id,
        "record_id": record_id,
        "entity_slug": request.entity_slug,
        "period": request.period,
        "source": request.source,
        "schema_slug": request.schema_slug,
        "document_ref": request.document_ref,
        "filename": request.filename,
        "committed_at": committed_at,
        "approved_by": request.approved_by,
        "replaced_commit_id": replaced,
        "header": {field.key: field.value for field in request.header},
        "totals": {"debit": total_debit, "credit": total_credit, "lines": len(request.lines)},
        "lines": [line.model_dump(mode="json") for line in request.lines],
        "corrections": [c.model_dump(mode="json") for c in request.corrections],
        "excluded_rows": request.excluded_rows,
    }
    text = json.dumps(to_jsonable_python(document), indent=2) + "\n"
    stored = await storage.write(path=path, content=text, content_type="application/json")
    return CommitReceipt(
        commit_id=request.commit_id,
        record_id=record_id,
        path=stored,
        lines_committed=len(request.lines),
        total_debit=total_debit,
        total_credit=total_credit,
        committed_at=committed_at,
        replaced_commit_id=replaced,
    )
