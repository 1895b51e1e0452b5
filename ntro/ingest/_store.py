"""Reading and writing ``ingest.*`` through a :class:`~ntro.data.DataPlane`.

Every function takes the data plane first and keyword-only arguments after it, so a call reads
like the published SDK's. Writes are idempotent where a retried activity could repeat them:
``insert_submitted_record`` with the same ``id`` returns the stored record instead of a second
row. An unknown or malformed ``document_ref`` gives ``None``, never an error.
"""

from __future__ import annotations

import uuid
from typing import Any

from ntro.ingest.models import ExtractedDocument, SubmittedDocument, SubmittedRecord

__all__ = [
    "fetch_latest_submitted_document",
    "fetch_submitted_document_by_id",
    "insert_extracted_document",
    "insert_submitted_document",
    "insert_submitted_record",
    "list_submitted_documents",
]

_DOC_COLUMNS = (
    "id::text AS id, entity_slug, period, source, filename, content_type, data_bytes, "
    "uploaded_at, task_id"
)


def _as_uuid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def _document(record: Any) -> SubmittedDocument:
    return SubmittedDocument.model_validate(dict(record))


async def insert_submitted_document(
    db: Any,
    *,
    entity_slug: str,
    period: str | None,
    source: str,
    filename: str,
    content_type: str,
    data_bytes: bytes,
    task_id: str | None,
    metadata: dict[str, Any] | None = None,
    sha256: str | None = None,
) -> SubmittedDocument:
    """Store an uploaded file; the returned document's ``id`` is its ``document_ref``."""
    if not isinstance(data_bytes, bytes | bytearray | memoryview):
        raise TypeError(
            f"data_bytes must be the file's bytes, got {type(data_bytes).__name__}; "
            "read the file first (Path(...).read_bytes())"
        )
    row = await db.fetchrow(
        "INSERT INTO ingest.submitted_documents (entity_slug, period, source, filename, "
        "content_type, data_bytes, task_id, metadata, sha256) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "RETURNING id::text AS id, uploaded_at",
        entity_slug,
        period,
        source,
        filename,
        content_type,
        bytes(data_bytes),
        task_id,
        metadata or {},
        sha256,
    )
    return SubmittedDocument(
        id=row["id"],
        entity_slug=entity_slug,
        period=period,
        source=source,
        filename=filename,
        content_type=content_type,
        data_bytes=bytes(data_bytes),
        uploaded_at=row["uploaded_at"],
        task_id=task_id,
    )


async def fetch_submitted_document_by_id(db: Any, *, document_ref: str) -> SubmittedDocument | None:
    """The document whose id is ``document_ref``, or ``None`` (unknown or not a UUID)."""
    ref = _as_uuid(document_ref)
    if ref is None:
        return None
    row = await db.fetchrow(
        f"SELECT {_DOC_COLUMNS} FROM ingest.submitted_documents WHERE id = $1::uuid", ref
    )
    return _document(row) if row is not None else None


async def fetch_latest_submitted_document(
    db: Any,
    *,
    entity_slug: str,
    source: str,
    period: str | None = None,
    task_id: str | None = None,
) -> SubmittedDocument | None:
    """The newest document of ``entity_slug`` from ``source`` (optionally of a period/task)."""
    row = await db.fetchrow(
        f"SELECT {_DOC_COLUMNS} FROM ingest.submitted_documents "
        "WHERE entity_slug = $1 AND source = $2 "
        "AND ($3::text IS NULL OR period = $3) AND ($4::text IS NULL OR task_id = $4) "
        "ORDER BY uploaded_at DESC LIMIT 1",
        entity_slug,
        source,
        period,
        task_id,
    )
    return _document(row) if row is not None else None


async def list_submitted_documents(
    db: Any,
    *,
    entity_slug: str,
    period: str | None = None,
    source_prefix: str | None = None,
    task_id: str | None = None,
    limit: int = 100,
) -> list[SubmittedDocument]:
    """Documents of ``entity_slug``, newest first, filtered by period, source prefix, task."""
    if limit < 1:
        raise ValueError(f"limit {limit!r} must be at least 1")
    rows = await db.fetch(
        f"SELECT {_DOC_COLUMNS} FROM ingest.submitted_documents "
        "WHERE entity_slug = $1 AND ($2::text IS NULL OR period = $2) "
        "AND ($3::text IS NULL OR starts_with(source, $3)) "
        "AND ($4::text IS NULL OR task_id = $4) "
        "ORDER BY uploaded_at DESC LIMIT $5",
        entity_slug,
        period,
        source_prefix,
        task_id,
        limit,
    )
    return [_document(r) for r in rows]


async def insert_extracted_document(
    db: Any,
    *,
    entity_slug: str,
    period: str | None,
    source: str,
    document_ref: str | None,
    schema_slug: str,
    payload: Any,
    corrections: list[Any] | None,
    task_id: str | None,
) -> ExtractedDocument:
    """Commit what was read from a document (with the reviewer's corrections)."""
    row = await db.fetchrow(
        "INSERT INTO ingest.extracted_payloads (entity_slug, period, source, document_ref, "
        "schema_slug, payload, corrections, task_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "RETURNING id::text AS id",
        entity_slug,
        period,
        source,
        document_ref,
        schema_slug,
        payload,
        list(corrections or []),
        task_id,
    )
    return ExtractedDocument(
        id=row["id"],
        entity_slug=entity_slug,
        period=period,
        source=source,
        document_ref=document_ref,
        schema_slug=schema_slug,
        payload=payload,
        corrections=list(corrections or []),
        task_id=task_id,
    )


async def insert_submitted_record(
    db: Any,
    *,
    id: str,
    entity_slug: str,
    task_id: str | None,
    kind: str,
    source_ref: str | None,
    data: Any,
) -> SubmittedRecord:
    """Keep a record sent by signal; the same ``id`` again returns the first one unchanged."""
    row = await db.fetchrow(
        "WITH ins AS (INSERT INTO ingest.submitted_records (id, entity_slug, task_id, kind, "
        "source_ref, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING "
        "RETURNING *) "
        "SELECT * FROM ins UNION ALL "
        "SELECT * FROM ingest.submitted_records WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM ins)",
        str(id),
        entity_slug,
        task_id,
        kind,
        source_ref,
        data,
    )
    return SubmittedRecord.model_validate(dict(row))
