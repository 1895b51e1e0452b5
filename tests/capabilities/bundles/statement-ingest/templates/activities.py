"""Activities written as published runbooks write them."""

from __future__ import annotations

from temporalio import activity

from ntro.capabilities import ai, files, storage
from ntro.capabilities.trace import http_reasoning_sink_for_task
from ntro.data import get_data_plane
from ntro.ingest import fetch_submitted_document_by_id, insert_extracted_document

from .models import (
    CommitInput,
    DocumentSubmissionPayload,
    ExtractedPayload,
    ExtractInput,
    IngestedDocument,
    RawDocument,
)


@activity.defn(name="statement_ingest.parse_pdf")
async def parse_pdf(submitted: DocumentSubmissionPayload) -> RawDocument:
    db = await get_data_plane(submitted.tenant_slug)
    doc = await fetch_submitted_document_by_id(db, document_ref=submitted.document_ref)
    if doc is None:
        raise RuntimeError(f"document_ref {submitted.document_ref} not found")
    grid = await files.parse(content=doc.data_bytes, format="pdf")
    return RawDocument(
        document_ref=submitted.document_ref,
        filename=submitted.filename,
        cell_grid=grid.cells,
        plain_text=grid.plain_text,
    )


@activity.defn(name="statement_ingest.extract_fields")
async def extract_fields(input: ExtractInput) -> ExtractedPayload:
    ai.use_config(input.ai)
    sink = http_reasoning_sink_for_task(input.task_id, "statement_ingest.extract_fields")
    result = await ai.extract(
        content=input.raw.plain_text,
        schema_slug=input.schema_slug,
        structured_context={"cell_grid": input.raw.cell_grid},
        trace=sink,
    )
    return ExtractedPayload(
        schema_slug=input.schema_slug,
        document_ref=input.raw.document_ref,
        fields=result.fields,
        line_items=result.line_items,
        confidence_scores=result.confidence_scores,
        summary=result.summary,
    )


@activity.defn(name="statement_ingest.commit_extraction")
async def commit_extraction(input: CommitInput) -> IngestedDocument:
    db = await get_data_plane(input.tenant_slug)
    final = input.extracted.with_corrections(input.corrections)
    record = await insert_extracted_document(
        db,
        entity_slug=input.entity_slug,
        period=input.period,
        source=input.source,
        document_ref=input.extracted.document_ref,
        schema_slug=input.extracted.schema_slug,
        payload=final.model_dump(mode="json"),
        corrections=[c.model_dump(mode="json") for c in input.corrections],
        task_id=input.task_id,
    )
    path = f"periods/{input.entity_slug}/{input.period}/extractions/{input.source}/{record.id}.json"
    await storage.write(
        path=path, content=final.model_dump_json(indent=2).encode(), content_type="application/json"
    )
    return IngestedDocument(
        record_id=str(record.id),
        document_ref=input.extracted.document_ref,
        lines=len(final.line_items),
        corrections_applied=len(input.corrections),
        audit_path=path,
    )
