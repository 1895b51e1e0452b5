"""Extraction of a bank statement (mocked from its return type in tests)."""

from __future__ import annotations

from temporalio import activity

from .models import StatementExtraction


@activity.defn(name="statement-ingest.extract")
async def extract_statement(document_ref: str) -> StatementExtraction:
    raise NotImplementedError("the extraction service is configured per tenant")
