"""What reached a tenant and how an ingest went: documents, extractions, records, outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "ExtractedDocument",
    "IngestIssueSummary",
    "IngestOutcome",
    "IngestProgressSnapshot",
    "IngestStatus",
    "SubmittedDocument",
    "SubmittedRecord",
]

IngestStatus = Literal["success", "partial", "empty", "failed"]


class IngestIssueSummary(BaseModel):
    """One reason rows were rejected, and how many rows it rejected."""

    reason: str
    count: int = 1


class IngestProgressSnapshot(BaseModel):
    """How far an ingest is towards the rows it expects."""

    accepted_rows: int
    target_rows: int | None = None


class IngestOutcome(BaseModel):
    """How one ingest went: counts, a status, a message for people, and the rejection reasons."""

    source_ref: str | None = None
    parsed_rows: int = 0
    accepted_rows: int = 0
    rejected_rows: int = 0
    status: IngestStatus = "empty"
    message: str = ""
    reasons: list[IngestIssueSummary] = Field(default_factory=list)
    progress: IngestProgressSnapshot | None = None

    @classmethod
    def from_counts(
        cls,
        *,
        source_ref: str | None = None,
        parsed_rows: int,
        accepted_rows: int,
        rejected_rows: int | None = None,
        reasons: Mapping[str, int] | Iterable[str | IngestIssueSummary] = (),
        target_rows: int | None = None,
        message: str | None = None,
    ) -> IngestOutcome:
        """Build an outcome from counts; the status and message follow from them.

        ``empty`` when nothing was parsed, ``failed`` when nothing was accepted, ``partial``
        when some rows were rejected, else ``success``. ``reasons`` is a ``{reason: count}``
        mapping, or an iterable of reasons (one per rejected row) that is counted here.
        """
        if parsed_rows < 0 or accepted_rows < 0:
            raise ValueError(
                f"row counts must not be negative (parsed {parsed_rows}, accepted {accepted_rows})"
            )
        if accepted_rows > parsed_rows:
            raise ValueError(
                f"accepted_rows {accepted_rows} is more than parsed_rows {parsed_rows}"
            )
        rejected = parsed_rows - accepted_rows if rejected_rows is None else rejected_rows
        counted: dict[str, int] = {}
        if isinstance(reasons, Mapping):
            counted = {str(k): int(v) for k, v in reasons.items()}
        else:
            for item in reasons:
                if isinstance(item, IngestIssueSummary):
                    counted[item.reason] = counted.get(item.reason, 0) + item.count
                else:
                    counted[str(item)] = counted.get(str(item), 0) + 1
        summaries = [
            IngestIssueSummary(reason=r, count=n)
            for r, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        if parsed_rows == 0:
            status: IngestStatus = "empty"
        elif accepted_rows == 0:
            status = "failed"
        elif rejected > 0:
            status = "partial"
        else:
            status = "success"
        if message is None:
            what = f" from {source_ref}" if source_ref else ""
            if status == "empty":
                message = f"no rows found{what}"
            else:
                message = f"{accepted_rows} of {parsed_rows} rows accepted{what}"
                if rejected:
                    top = ", ".join(f"{s.reason}: {s.count}" for s in summaries[:3])
                    message += f"; {rejected} rejected" + (f" ({top})" if top else "")
        return cls(
            source_ref=source_ref,
            parsed_rows=parsed_rows,
            accepted_rows=accepted_rows,
            rejected_rows=rejected,
            status=status,
            message=message,
            reasons=summaries,
            progress=IngestProgressSnapshot(accepted_rows=accepted_rows, target_rows=target_rows)
            if target_rows is not None
            else None,
        )


class SubmittedDocument(BaseModel):
    """An uploaded file as stored in ``ingest.submitted_documents``; ``id`` is its document_ref."""

    id: str
    entity_slug: str
    period: str | None = None
    source: str
    filename: str
    content_type: str
    data_bytes: bytes
    uploaded_at: datetime
    task_id: str | None = None


class ExtractedDocument(BaseModel):
    """What was read from a document (and corrected by a reviewer), as committed."""

    id: str
    entity_slug: str
    period: str | None = None
    source: str
    document_ref: str | None = None
    schema_slug: str
    payload: Any = None
    corrections: list[Any] = Field(default_factory=list)
    task_id: str | None = None


class SubmittedRecord(BaseModel):
    """A record sent to a task by signal (a row of expenses, a form), kept as received."""

    id: str
    entity_slug: str
    task_id: str | None = None
    kind: str
    source_ref: str | None = None
    data: Any = None
    received_at: datetime
