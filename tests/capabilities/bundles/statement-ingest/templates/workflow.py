"""StatementIngestWorkflow: upload, parse, extract, review, commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow

from ntro.workflow import NtroWorkflow, ui_step

with workflow.unsafe.imports_passed_through():
    from .activities import commit_extraction, extract_fields, parse_pdf
    from .models import (
        CommitInput,
        Correction,
        DocumentSubmissionPayload,
        ExtractedPayload,
        ExtractInput,
        IngestedDocument,
        RawDocument,
        StatementIngestInput,
    )

STEP = timedelta(minutes=2)


@workflow.defn
class StatementIngestWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._submitted: dict[str, Any] | None = None

    @workflow.signal
    def document_submitted(self, payload: dict[str, Any]) -> None:
        self._submitted = payload

    @ui_step(name="upload", title="Upload statement", icon="FileUp")
    async def upload(self, ctx: StatementIngestInput) -> DocumentSubmissionPayload:
        await self.await_signal_with_action(
            predicate=lambda: self._submitted is not None,
            action={
                "kind": "submit_file",
                "args": {
                    "source": ctx.source,
                    "schema_slug": ctx.schema_slug,
                    "tenant_id_or_slug": ctx.tenant_slug,
                    "entity_id_or_slug": ctx.entity_slug,
                    "signal_name": "document_submitted",
                },
            },
        )
        submitted = self._submitted or {}
        return DocumentSubmissionPayload(
            document_ref=str(submitted.get("document_ref")),
            filename=submitted.get("filename"),
            tenant_slug=ctx.tenant_slug,
        )

    @ui_step(name="parse", title="Parse PDF", icon="FileText")
    async def parse(self, submitted: DocumentSubmissionPayload) -> RawDocument:
        return await workflow.execute_activity(parse_pdf, submitted, start_to_close_timeout=STEP)

    @ui_step(name="extract", title="Extract fields", icon="ScanText")
    async def extract(self, ctx: StatementIngestInput, raw: RawDocument) -> ExtractedPayload:
        return await workflow.execute_activity(
            extract_fields,
            ExtractInput(raw=raw, schema_slug=ctx.schema_slug, task_id=workflow.info().workflow_id),
            start_to_close_timeout=STEP,
        )

    @ui_step(name="review", title="Review", icon="Table")
    async def review(self, extracted: ExtractedPayload) -> dict[str, Any]:
        return await self.wait_for_action(
            payload={"line_items": extracted.line_items, "fields": extracted.fields},
            display_hint={"component": "DATA_TABLE", "config": {"allow_corrections": True}},
            reason=extracted.summary,
        )

    @ui_step(name="commit", title="Commit", icon="Database")
    async def commit(
        self, ctx: StatementIngestInput, extracted: ExtractedPayload, corrections: list[Correction]
    ) -> IngestedDocument:
        return await workflow.execute_activity(
            commit_extraction,
            CommitInput(
                tenant_slug=ctx.tenant_slug,
                entity_slug=ctx.entity_slug,
                period=ctx.period,
                source=ctx.source,
                extracted=extracted,
                corrections=corrections,
                task_id=workflow.info().workflow_id,
            ),
            start_to_close_timeout=STEP,
        )

    @workflow.run
    async def run(self, ctx: StatementIngestInput) -> dict[str, Any]:
        submitted = await self.upload(ctx)
        extracted = await self.extract(ctx, await self.parse(submitted))
        decision = await self.review(extracted)
        if not decision.approved:
            return {"status": "rejected"}
        corrections = [Correction.model_validate(c) for c in decision.get("corrections") or []]
        committed = await self.commit(ctx, extracted, corrections)
        return {"status": "committed", **committed.model_dump()}
