"""document-ingest's activities: the steps that touch the outside world or may be swapped out.

- ``parse_document`` reads the uploaded bytes from the document store by ``document_ref``;
- ``extract_fields`` reads the fields with ``ntro.capabilities.ai`` (the offline schema
  extractor and this bundle's ``schemas/``, or the AI provider the worker is configured with);
- ``commit_document`` records the approved document in the tenant data plane
  (``ntro.ingest``) and stores its audit copy with ``ntro.capabilities.storage``.

A file that cannot be read fails its activity at once with a non-retryable ``WorkflowError``
whose type names the problem; the workflow shows the message on a new upload gate. Other
errors (a full disk) are retried by Temporal. File work runs in a thread so the worker's event
loop stays free.
"""

from __future__ import annotations

import asyncio

from ntro.documents import DocumentNotFound, DocumentStore
from ntro.workflow import WorkflowError, activity

from .extraction import DocumentNotRecognised, extract
from .ledger import record_commit, write_audit_copy
from .models import (
    CommitReceipt,
    CommitRequest,
    Extraction,
    ExtractRequest,
    ParsedDocument,
    ParseRequest,
)
from .parsing import DocumentUnreadable
from .parsing import parse_document as parse_bytes


def _read(request: ParseRequest) -> ParsedDocument:
    store = DocumentStore(request.document_store_dir)
    try:
        info = store.info(request.document_ref)
        data = store.get(request.document_ref)
    except DocumentNotFound as err:
        raise WorkflowError(
            f"{err}. Upload the file again through the upload gate (it stores the file and "
            f"sends its document_ref)",
            type="DocumentNotFound",
        ) from None
    filename = request.filename or info.filename
    try:
        return parse_bytes(data, filename, request.content_type or info.content_type)
    except DocumentUnreadable as err:
        raise WorkflowError(str(err), type="DocumentUnreadable") from None


@activity.defn(name="document-ingest.parse_document")
async def parse_document(request: ParseRequest) -> ParsedDocument:
    """Read the stored document into rows (CSV, or the fullest sheet of an XLSX workbook)."""
    parsed = await asyncio.to_thread(_read, request)
    activity.logger.info(
        "read %s: %s, %d rows", request.document_ref, parsed.format, len(parsed.rows)
    )
    return parsed


@activity.defn(name="document-ingest.extract_fields")
async def extract_fields(request: ExtractRequest) -> Extraction:
    """Find the statement or trial-balance table and read its lines, with confidences."""
    try:
        return await extract(request.parsed, request.schema_slug, request.currency)
    except DocumentNotRecognised as err:
        raise WorkflowError(str(err), type="DocumentNotRecognised") from None


@activity.defn(name="document-ingest.commit_document")
async def commit_document(request: CommitRequest) -> CommitReceipt:
    """Record the approved lines in the data plane and store their audit copy; the same
    commit twice gives one row and one unchanged copy."""
    record_id = await record_commit(request)
    receipt = await write_audit_copy(request, record_id=record_id)
    activity.logger.info("committed %s to %s", request.commit_id, receipt.path)
    return receipt
