"""A child runbook: one statement upload, extraction, review of the lines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow

from ntro.workflow import NtroWorkflow, ui_step

from .activities import extract_statement
from .models import DocumentIngestContext, IngestOutcome, StatementExtraction


@workflow.defn
class StatementIngestWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._document_ref: str | None = None

    @workflow.signal
    def document_submitted(self, payload: dict[str, Any] | None = None) -> None:
        self._document_ref = str((payload or {}).get("document_ref") or "uploaded")

    @ui_step(name="upload", title="Upload statement", icon="Upload")
    async def _step_upload(self, ctx: DocumentIngestContext) -> str:
        await self.await_signal_with_action(
            predicate=lambda: self._document_ref is not None,
            action="awaiting_document_submission",
            display_hint={"source": ctx.source, "filename_pattern": ctx.filename_pattern},
        )
        return str(self._document_ref)

    @ui_step(name="extract", title="Extract lines", icon="ScanText")
    async def _step_extract(self, document_ref: str) -> StatementExtraction:
        return await workflow.execute_activity(
            extract_statement, document_ref, start_to_close_timeout=timedelta(minutes=5)
        )

    @ui_step(name="review_lines", title="Review extracted lines", icon="TableProperties")
    async def _step_review(self, extraction: StatementExtraction) -> bool:
        response = await self.wait_for_action(
            payload={"lines": [line.model_dump(mode="json") for line in extraction.lines]},
            display_hint={
                "component": "DATA_TABLE",
                "config": {
                    "title": f"Statement {extraction.iban}",
                    "columns": [
                        {"key": "booked_on", "label": "Date", "type": "date"},
                        {"key": "description", "label": "Description", "type": "text"},
                        {"key": "amount", "label": "Amount", "type": "currency", "editable": True},
                    ],
                    "allow_corrections": True,
                },
            },
            reason="Check the extracted statement lines",
        )
        return response.action == "approved"

    @workflow.run
    async def run(self, ctx: DocumentIngestContext) -> IngestOutcome:
        document_ref = await self._step_upload(ctx)
        extraction = await self._step_extract(document_ref)
        approved = await self._step_review(extraction)
        return IngestOutcome(
            document_ref=document_ref, lines=len(extraction.lines), approved=approved
        )
