"""document-ingest: upload a statement or trial balance, read it, have a person check what was
read, and commit the approved lines to the tenant data plane (with an audit copy in storage).

Steps (breadcrumb order): upload -> parse -> extract -> review -> commit.

- A file that cannot be read (not CSV/XLSX, no recognisable table) sends the uploader back to
  the upload gate with the reason, up to three times.
- The review is a ``DATA_TABLE``: cells below the confidence threshold are highlighted; the
  reviewer corrects cells, rejects rows, then approves or rejects the document. The gate runs
  quality checks (``checks_spec``: the statement reconciles or the trial balance balances, no
  reference or account twice); an approval waits until none runs. Corrections
  that cannot be read (``abc`` as an amount) reopen the review with the reason; the others
  are kept.
- Nothing is committed unless the review is approved. Every run ends normally, with a status
  saying how (``committed``, ``rejected``, ``no_document``, ``unreadable``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from ntro.workflow import NtroWorkflow, runbook

from .activities import commit_document, extract_fields, parse_document
from .checks import document_checks, quality_checks
from .corrections import HEADER_PREFIX, apply_corrections, exclude_lines
from .models import (
    AppliedCorrection,
    CommitReceipt,
    CommitRequest,
    DocumentIngestContext,
    DocumentSubmission,
    Extraction,
    ExtractRequest,
    IngestResult,
    ParsedDocument,
    ParseRequest,
    ReviewOutcome,
)
from .review import low_confidence_cells, review_hint, review_payload

MAX_UPLOAD_ATTEMPTS = 3
SIGNAL = "document_submitted"
FILE_RETRIES = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=3)


def failure_message(err: BaseException) -> str:
    """The innermost message of an activity failure: what actually went wrong."""
    while isinstance(err, ActivityError) and err.cause is not None:
        err = err.cause
    return getattr(err, "message", None) or str(err) or type(err).__name__


@runbook.defn
class DocumentIngestWorkflow(NtroWorkflow):
    """Upload, read, review and commit one document."""

    def __init__(self) -> None:
        super().__init__()
        self._submission: DocumentSubmission | None = None
        self._excluded: set[str] = set()
        self._cell_edits: list[dict[str, Any]] = []

    @runbook.signal
    def document_submitted(self, submission: DocumentSubmission) -> None:
        """The upload gate's signal: the stored file's ``document_ref`` and name."""
        self._submission = submission

    async def on_row_action(self, action: dict[str, Any]) -> None:
        """A rejected row is left out of the commit; an edited cell applies on approval."""
        row = str(action.get("row_id"))
        if action.get("action") == "reject_row" and not row.startswith(HEADER_PREFIX):
            self._excluded.add(row)
        elif action.get("action") == "edit_cell":
            self._cell_edits.append(
                {
                    "line_item_id": row,
                    "field": action.get("field"),
                    "new_value": action.get("value"),
                }
            )

    # ── steps ────────────────────────────────────────────────────────────

    @runbook.step(name="upload", title="Upload document", icon="FileUp")
    async def upload(
        self, ctx: DocumentIngestContext, problem: str | None = None
    ) -> DocumentSubmission | None:
        """Wait for the file; None if nobody uploads it in time.

        A file sent before the run reached this gate (a parent's upload panel is quick) counts;
        after a file could not be read, only a new upload does.
        """
        if problem is not None:
            self._submission = None
            self.set_user_feedback("unreadable_document", {"message": problem}, level="error")
        received = await self.await_signal_with_action(
            predicate=lambda: self._submission is not None,
            action={
                "kind": "submit_file",
                "args": {
                    "source": ctx.source,
                    "schema_slug": ctx.schema_slug,
                    "entity_id_or_slug": ctx.entity_slug,
                    "signal_name": SIGNAL,
                },
            },
            display_hint={
                "component": "FILE_UPLOAD",
                "config": {
                    "title": f"Upload the {ctx.document_label}",
                    "instructions": f"The {ctx.document_label} of {ctx.entity_slug} for {ctx.period}, "
                    f"as exported: PDF, CSV or Excel (.xlsx).",
                    "accept": [".pdf", ".csv", ".xlsx"],
                    "max_size_mb": 10,
                    "multiple": False,
                },
            },
            timeout=timedelta(hours=ctx.upload_timeout_hours),
            reason=f"Waiting for the {ctx.document_label} of {ctx.entity_slug} for {ctx.period}",
        )
        return self._submission if received else None

    @runbook.step(name="parse", title="Read file", icon="FileSpreadsheet")
    async def parse(
        self, ctx: DocumentIngestContext, submission: DocumentSubmission
    ) -> ParsedDocument:
        return await runbook.execute_activity(
            parse_document,
            ParseRequest(
                document_ref=submission.document_ref,
                filename=submission.filename,
                content_type=submission.content_type,
                document_store_dir=ctx.document_store_dir,
            ),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=FILE_RETRIES,
        )

    @runbook.step(name="extract", title="Extract fields", icon="ScanText")
    async def extract(self, ctx: DocumentIngestContext, parsed: ParsedDocument) -> Extraction:
        return await runbook.execute_activity(
            extract_fields,
            ExtractRequest(parsed=parsed, schema_slug=ctx.schema_slug, currency=ctx.currency),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=FILE_RETRIES,
        )

    @runbook.step(name="review", title="Review extraction", icon="Table")
    async def review(self, ctx: DocumentIngestContext, extraction: Extraction) -> ReviewOutcome:
        """Show the lines until the reviewer approves readable corrections, or rejects."""
        working = extraction
        applied: list[AppliedCorrection] = []
        while True:
            self._cell_edits = []
            low = low_confidence_cells(working, ctx.confidence_threshold)
            decision = await self.wait_for_action(
                payload=review_payload(working),
                display_hint=review_hint(ctx, working),
                reason=(
                    f"Check the {len(working.lines)} lines read from {working.filename}"
                    + (
                        f"; {low} cell(s) are below {ctx.confidence_threshold:.0%} confidence"
                        if low
                        else ""
                    )
                ),
                timeout=timedelta(hours=ctx.review_timeout_hours),
                checks=[check.model_dump() for check in document_checks(working)],
                checks_spec=quality_checks(working.schema_slug),
            )
            if not decision.approved:
                return ReviewOutcome(
                    approved=False,
                    extraction=working,
                    corrections=applied,
                    reviewer=decision.reviewer,
                    comment=decision.comment,
                    timed_out=decision.decision.timed_out,
                )
            edits = apply_corrections(working, self._cell_edits, source="cell_edit")
            result = apply_corrections(edits.extraction, decision.corrections)
            working = result.extraction
            applied += edits.applied + result.applied
            errors = edits.errors + result.errors
            if not errors:
                kept, excluded = exclude_lines(working, self._excluded)
                return ReviewOutcome(
                    approved=True,
                    extraction=kept,
                    corrections=applied,
                    excluded_rows=excluded,
                    reviewer=decision.reviewer,
                    comment=decision.comment,
                )
            self.set_user_feedback(
                "corrections_refused",
                {
                    "message": "Not applied: "
                    + "; ".join(errors)
                    + ". The other corrections were kept.",
                    "errors": errors,
                },
                level="error",
            )

    @runbook.step(name="commit", title="Commit to ledger", icon="Database")
    async def commit(
        self, ctx: DocumentIngestContext, submission: DocumentSubmission, outcome: ReviewOutcome
    ) -> CommitReceipt:
        return await runbook.execute_activity(
            commit_document,
            CommitRequest(
                commit_id=runbook.info().workflow_id,
                entity_slug=ctx.entity_slug,
                period=ctx.period,
                source=ctx.source,
                schema_slug=ctx.schema_slug,
                document_ref=submission.document_ref,
                filename=submission.filename,
                header=outcome.extraction.header,
                lines=outcome.extraction.lines,
                corrections=outcome.corrections,
                excluded_rows=outcome.excluded_rows,
                approved_by=outcome.reviewer,
            ),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=FILE_RETRIES,
        )

    # ── the run ──────────────────────────────────────────────────────────

    @runbook.run
    async def run(self, ctx: DocumentIngestContext) -> IngestResult:
        problem: str | None = None
        submission: DocumentSubmission | None = None
        extraction: Extraction | None = None
        for _attempt in range(MAX_UPLOAD_ATTEMPTS):
            submission = await self.upload(ctx, problem)
            if submission is None:
                return self._result(
                    ctx,
                    "no_document",
                    message=(
                        f"no {ctx.document_label} was uploaded within {ctx.upload_timeout_hours:g} hours"
                    ),
                )
            try:
                extraction = await self.extract(ctx, await self.parse(ctx, submission))
                break
            except (ActivityError, ApplicationError) as err:
                problem = (
                    f"{submission.filename or submission.document_ref}: {failure_message(err)}"
                )
                runbook.logger.warning("cannot read the upload: %s", problem)
        if extraction is None or submission is None:
            return self._result(
                ctx,
                "unreadable",
                submission=submission,
                message=(f"{MAX_UPLOAD_ATTEMPTS} uploads could not be read; the last: {problem}"),
            )
        outcome = await self.review(ctx, extraction)
        if not outcome.approved:
            why = "the review timed out" if outcome.timed_out else f"rejected by {outcome.reviewer}"
            return self._result(
                ctx,
                "rejected",
                submission=submission,
                outcome=outcome,
                message=why + (f": {outcome.comment}" if outcome.comment else ""),
            )
        receipt = await self.commit(ctx, submission, outcome)
        return self._result(
            ctx,
            "committed",
            submission=submission,
            outcome=outcome,
            receipt=receipt,
            message=f"{receipt.lines_committed} lines committed",
        )

    def _result(
        self,
        ctx: DocumentIngestContext,
        status: str,
        *,
        submission: DocumentSubmission | None = None,
        outcome: ReviewOutcome | None = None,
        receipt: CommitReceipt | None = None,
        message: str | None = None,
    ) -> IngestResult:
        extraction = outcome.extraction if outcome is not None else None
        return IngestResult(
            status=status,  # type: ignore[arg-type]
            entity_slug=ctx.entity_slug,
            period=ctx.period,
            source=ctx.source,
            schema_slug=ctx.schema_slug,
            document_ref=submission.document_ref if submission else None,
            filename=submission.filename if submission else None,
            header={f.key: f.value for f in extraction.header} if extraction else {},
            lines=extraction.lines if extraction and status == "committed" else [],
            corrections_applied=len(outcome.corrections) if outcome else 0,
            excluded_rows=outcome.excluded_rows if outcome else [],
            reviewer=outcome.reviewer if outcome else None,
            comment=outcome.comment if outcome else None,
            receipt=receipt,
            message=message,
        )
