"""Models of the statement-ingest test bundle."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class StatementIngestInput(BaseModel):
    tenant_slug: str = "local"
    entity_slug: str = "acme-fund"
    period: str = "2026-01"
    source: str = "bank_statement"
    schema_slug: str = "bank_statement"


class DocumentSubmissionPayload(BaseModel):
    document_ref: str
    filename: str | None = None
    tenant_slug: str = "local"


class RawDocument(BaseModel):
    document_ref: str
    filename: str | None = None
    cell_grid: list[list[str]] = Field(default_factory=list)
    plain_text: str = ""


class ExtractInput(BaseModel):
    raw: RawDocument
    schema_slug: str
    task_id: str | None = None
    ai: dict[str, Any] | None = None


class Correction(BaseModel):
    line_item_id: str
    field: str
    old_value: Any = None
    new_value: Any = None


class ExtractedPayload(BaseModel):
    schema_slug: str
    document_ref: str
    fields: dict[str, Any] = Field(default_factory=dict)
    line_items: list[dict[str, Any]] = Field(default_factory=list)
    confidence_scores: dict[str, float] = Field(default_factory=dict)
    summary: str = ""

    def with_corrections(self, corrections: list[Correction]) -> ExtractedPayload:
        """The payload with each correction applied to its line item (or header field)."""
        items = [dict(item) for item in self.line_items]
        fields = dict(self.fields)
        for c in corrections:
            if c.line_item_id.startswith("header:"):
                fields[c.line_item_id.removeprefix("header:")] = c.new_value
                continue
            for item in items:
                if item.get("line_item_id") == c.line_item_id:
                    item[c.field] = c.new_value
        return self.model_copy(update={"line_items": items, "fields": fields})


class CommitInput(BaseModel):
    tenant_slug: str
    entity_slug: str
    period: str
    source: str
    extracted: ExtractedPayload
    corrections: list[Correction] = Field(default_factory=list)
    task_id: str | None = None


class IngestedDocument(BaseModel):
    record_id: str
    document_ref: str
    lines: int
    corrections_applied: int
    audit_path: str
