"""Committing an approved document: a record in the tenant data plane
(``ingest.extracted_payloads``, with ``ntro.ingest``), and its audit copy as a JSON file.

The record is what other runbooks read (the month-end close, SQL). The audit copy is for a
person with a text editor and for the notebooks; its layout is below.

Layout: ``<root>/<entity>/<period>/<source>.json``, one file per document source and period, so
the month-end close (and a person with a text editor) finds "the January bank statement" by
name. Writing the same commit again (an activity retry) gives the same file; a later commit for
the same source replaces the earlier one and records which one it replaced. Files are written
to a temporary name and renamed, so a reader never sees half a commit.

The root is the ``ledger_dir`` of the run's input, else ``$NTRO_LEDGER_DIR``, else
``~/.ntro/ledger``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python

from ntro.data import get_data_plane
from ntro.ingest import insert_extracted_document

from .models import CommitReceipt, CommitRequest

ENV_VAR = "NTRO_LEDGER_DIR"


def ledger_root(configured: str | None = None) -> Path:
    """Where commits go: ``configured``, else ``$NTRO_LEDGER_DIR``, else ``~/.ntro/ledger``."""
    if configured:
        return Path(configured).expanduser()
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return Path.home() / ".ntro" / "ledger"


def safe_part(text: str) -> str:
    """A path component made of the text's letters, digits, dots, dashes and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip(".-")
    return cleaned or "unnamed"


def commit_path(root: Path, entity_slug: str, period: str, source: str) -> Path:
    return root / safe_part(entity_slug) / safe_part(period) / f"{safe_part(source)}.json"


def read_commit(path: Path) -> dict[str, Any] | None:
    """The commit stored at ``path``, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable_python(data), indent=2, sort_keys=False) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def write_commit(
    request: CommitRequest, now: datetime | None = None, record_id: str | None = None
) -> CommitReceipt:
    """Write the approved document's audit copy and say where."""
    root = ledger_root(request.ledger_dir)
    path = commit_path(root, request.entity_slug, request.period, request.source)
    previous = read_commit(path)
    replaced = None
    committed_at = now or datetime.now(UTC)
    if previous is not None:
        if previous.get("commit_id") == request.commit_id:
            # A retry of this commit: keep its first time so the file does not change.
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
    write_json_atomic(path, document)
    return CommitReceipt(
        commit_id=request.commit_id,
        record_id=record_id,
        path=str(path),
        lines_committed=len(request.lines),
        total_debit=total_debit,
        total_credit=total_credit,
        committed_at=committed_at,
        replaced_commit_id=replaced,
    )
