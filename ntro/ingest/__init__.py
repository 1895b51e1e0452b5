"""Ingest: what reached a tenant (documents, extractions, records) and how an ingest went.

Models are plain pydantic (importable in workflow code); the functions take a
:class:`~ntro.data.DataPlane` (``await get_data_plane(slug)``) and run in activities.
"""

from ntro.ingest._store import (
    fetch_latest_submitted_document,
    fetch_submitted_document_by_id,
    insert_extracted_document,
    insert_submitted_document,
    insert_submitted_record,
    list_submitted_documents,
)
from ntro.ingest.models import (
    ExtractedDocument,
    IngestIssueSummary,
    IngestOutcome,
    IngestProgressSnapshot,
    IngestStatus,
    SubmittedDocument,
    SubmittedRecord,
)

__all__ = [
    "ExtractedDocument",
    "IngestIssueSummary",
    "IngestOutcome",
    "IngestProgressSnapshot",
    "IngestStatus",
    "SubmittedDocument",
    "SubmittedRecord",
    "fetch_latest_submitted_document",
    "fetch_submitted_document_by_id",
    "insert_extracted_document",
    "insert_submitted_document",
    "insert_submitted_record",
    "list_submitted_documents",
]
