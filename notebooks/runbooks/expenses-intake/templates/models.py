"""expenses-intake's input, signal, activity requests and results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ntro.ingest import IngestOutcome
from ntro.types.accounting import Period
from ntro.types.currencies import CurrencyCode

SOURCE = "expenses/spreadsheet"


class ExpensesIntakeContext(BaseModel):
    """Whose expenses, for which month, in which tenant's data plane."""

    entity_id: str = "acme-uk"
    period: Period = "2024-03"
    currency: CurrencyCode = "GBP"
    tenant_slug: str | None = Field(
        default=None, description="Data plane tenant (default $NTRO_TENANT_SLUG, else local)"
    )
    submit_timeout_hours: float = 72
    review_timeout_hours: float = 48


class ExpenseSubmission(BaseModel):
    """The ``expenses_submitted`` signal: spreadsheet rows as read (headings as written), and/or
    the ``document_ref`` of an uploaded CSV of them (what the upload panel sends)."""

    model_config = ConfigDict(extra="ignore")  # the upload's other document fields

    rows: list[dict[str, Any]] = Field(default_factory=list)
    document_ref: str | None = None
    filename: str | None = None
    source_ref: str = "spreadsheet"
    submitted_by: str | None = None


class IntakeRequest(BaseModel):
    task_id: str
    entity_id: str
    period: str
    currency: str
    tenant_slug: str | None = None
    source_ref: str
    rows: list[dict[str, Any]]
    document_ref: str | None = None


class ReviewRequest(BaseModel):
    task_id: str
    entity_id: str
    tenant_slug: str | None = None


class ReviewRows(BaseModel):
    """The rows under review, as the DATA_TABLE shows them (JSON data, named by ``id``)."""

    rows: list[dict[str, Any]] = Field(default_factory=list)


class ApproveRequest(BaseModel):
    task_id: str
    entity_id: str
    tenant_slug: str | None = None
    corrections: list[dict[str, Any]] = Field(default_factory=list)
    excluded_ids: list[str] = Field(default_factory=list)
    approved_by: str | None = None


class ApprovalReceipt(BaseModel):
    """What the approval did in the expenses subledger."""

    approved: int = 0
    rejected: int = 0
    corrected: int = 0
    still_needs_attention: list[str] = Field(default_factory=list)
    total_gross: Decimal = Decimal(0)
    proposal_keys: list[str] = Field(default_factory=list)
    correction_errors: list[str] = Field(default_factory=list)


class IntakeResult(BaseModel):
    """How the run ended: ``approved``, ``rejected`` (by the reviewer), ``no_rows``."""

    status: Literal["approved", "rejected", "no_rows"]
    entity_id: str
    period: str
    outcome: IngestOutcome | None = None
    receipt: ApprovalReceipt | None = None
    reviewer: str | None = None
    comment: str | None = None
    message: str = ""
