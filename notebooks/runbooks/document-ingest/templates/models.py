"""The shapes document-ingest passes around: its input, the upload, the parsed file, the
extraction under review, the commit receipt and the result.

Amounts are ``Decimal`` (never floats: a statement must add up to the cent). ``dr_cr`` is always
from the fund's books: money coming into the bank account debits cash (``DR``), money going out
credits it (``CR``); a trial balance line keeps its own side.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SchemaSlug = Literal["bank_statement", "trial_balance"]
DrCr = Literal["DR", "CR"]
IngestStatus = Literal["committed", "rejected", "no_document", "unreadable"]


class DocumentIngestContext(BaseModel):
    """What to ingest, for which entity and period, and where the uploads are read from.

    ``document_store_dir`` defaults to ``$NTRO_DOCUMENT_STORE`` (else the tenant data plane),
    read by the activities on the worker, so the same input works on any machine. The commit
    goes to the tenant data plane and its audit copy to the worker's artifacts folder
    (``ntro.capabilities.storage``, ``$NTRO_ARTIFACTS_DIR``). ``ledger_dir`` is accepted and
    ignored: earlier versions wrote their own JSON ledger there, and inputs (a month-end close,
    a saved scenario) that still send it keep working.
    """

    entity_slug: str = "acme-fund"
    period: str = Field(default="2026-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    source: str = "bank_statement"
    schema_slug: SchemaSlug = "bank_statement"
    label: str | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    confidence_threshold: float = Field(default=0.8, ge=0, le=1)
    ledger_dir: str | None = Field(
        default=None, description="Ignored (kept so older inputs still validate)."
    )
    document_store_dir: str | None = None
    upload_timeout_hours: float = Field(default=72, gt=0)
    review_timeout_hours: float = Field(default=48, gt=0)

    @property
    def document_label(self) -> str:
        """The document's name for a sentence: ``label`` (``Bank statement`` -> ``bank
        statement``, ``TB`` stays), else the source in words (``bank_statement``)."""
        text = self.label or self.source.replace("_", " ").replace("-", " ")
        if len(text) > 1 and text[0].isupper() and not text[1].isupper():
            text = text[0].lower() + text[1:]
        return text


class DocumentSubmission(BaseModel):
    """What an upload gate receives: a reference into the document store, never the bytes."""

    model_config = ConfigDict(extra="ignore")

    document_ref: str
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None
    source: str | None = None
    schema_slug: str | None = None
    uploaded_by: str | None = None


class ParseRequest(BaseModel):
    """Which stored document to read, and from which store."""

    document_ref: str
    filename: str | None = None
    content_type: str | None = None
    document_store_dir: str | None = None


class SourceRow(BaseModel):
    """One non-empty row of the file: its 1-based row number and its cells as text.

    Spreadsheet dates arrive as ISO dates (``2026-01-31``) and numbers as plain decimals, so the
    extractor reads every format the same way.
    """

    number: int
    cells: list[str]


class ParsedDocument(BaseModel):
    """A file read into rows: a PDF's lines and tables, a CSV, or the most data-rich sheet of
    an XLSX workbook."""

    filename: str
    format: Literal["csv", "xlsx", "pdf"]
    sheet: str | None = None
    rows: list[SourceRow]


class ExtractRequest(BaseModel):
    """A parsed file and what to look for in it."""

    parsed: ParsedDocument
    schema_slug: SchemaSlug
    currency: str


class HeaderField(BaseModel):
    """A document-level fact (account number, closing balance, as-at date) and how sure we are."""

    key: str
    label: str
    value: str | None = None
    confidence: float = 0.0


class ExtractedLine(BaseModel):
    """One transaction of a statement, or one account of a trial balance.

    ``confidence_scores`` holds a score in [0, 1] per field; a reviewer's correction sets that
    field's score to 1. ``validation_errors`` are problems found in the file (a running balance
    that does not follow, a value that could not be read).
    """

    line_item_id: str
    source_row: int
    date: dt.date | None = None
    description: str
    reference: str | None = None
    account_code: str
    account_name: str
    amount: Decimal
    dr_cr: DrCr
    currency: str
    confidence_scores: dict[str, float] = Field(default_factory=dict)
    validation_errors: list[str] = Field(default_factory=list)


class Extraction(BaseModel):
    """What the extractor read from one document."""

    schema_slug: SchemaSlug
    filename: str
    header: list[HeaderField]
    lines: list[ExtractedLine]
    warnings: list[str] = Field(default_factory=list)


class AppliedCorrection(BaseModel):
    """A change the reviewer made, as applied: the audit of one field of one row."""

    line_item_id: str
    field: str
    old_value: str | None = None
    new_value: str | None = None
    source: Literal["correction", "cell_edit"] = "correction"


class ReviewOutcome(BaseModel):
    """The review's result: the lines as approved (corrections applied) or why not."""

    approved: bool
    extraction: Extraction
    corrections: list[AppliedCorrection] = Field(default_factory=list)
    excluded_rows: list[str] = Field(default_factory=list)
    reviewer: str | None = None
    comment: str | None = None
    timed_out: bool = False


class CommitRequest(BaseModel):
    """Everything the commit keeps about one approved document."""

    commit_id: str
    entity_slug: str
    period: str
    source: str
    schema_slug: SchemaSlug
    document_ref: str
    filename: str | None = None
    header: list[HeaderField]
    lines: list[ExtractedLine]
    corrections: list[AppliedCorrection]
    excluded_rows: list[str]
    approved_by: str | None = None


class CommitReceipt(BaseModel):
    """The commit's record in the data plane, where its audit copy was stored, what it holds.

    ``path`` is the audit copy's ``ntro.capabilities.storage`` path, relative to the worker's
    artifacts folder (``$NTRO_ARTIFACTS_DIR``): read it with ``storage.read(path=...)``.
    """

    commit_id: str
    record_id: str | None = None
    path: str
    lines_committed: int
    total_debit: Decimal
    total_credit: Decimal
    committed_at: dt.datetime
    replaced_commit_id: str | None = None


class IngestResult(BaseModel):
    """How the ingest ended, with the approved lines when it committed."""

    status: IngestStatus
    entity_slug: str
    period: str
    source: str
    schema_slug: SchemaSlug
    document_ref: str | None = None
    filename: str | None = None
    header: dict[str, str | None] = Field(default_factory=dict)
    lines: list[ExtractedLine] = Field(default_factory=list)
    corrections_applied: int = 0
    excluded_rows: list[str] = Field(default_factory=list)
    reviewer: str | None = None
    comment: str | None = None
    receipt: CommitReceipt | None = None
    message: str | None = None
