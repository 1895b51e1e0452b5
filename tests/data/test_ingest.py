"""ntro.ingest on a fresh tenant database: documents, extractions, records, outcomes."""

from __future__ import annotations

import pytest

from ntro.data import PostgresDataPlane
from ntro.ingest import (
    IngestOutcome,
    fetch_latest_submitted_document,
    fetch_submitted_document_by_id,
    insert_extracted_document,
    insert_submitted_document,
    insert_submitted_record,
    list_submitted_documents,
)
from ntro.workflow import IngestOutcome as ExportedOutcome


async def _upload(db: PostgresDataPlane, name: str, **over: object):
    fields = {
        "entity_slug": "acme",
        "period": "2024-03",
        "source": "bank/statement",
        "filename": name,
        "content_type": "text/csv",
        "data_bytes": f"data of {name}".encode(),
        "task_id": "task-1",
        **over,
    }
    return await insert_submitted_document(db, **fields)


async def test_a_stored_document_is_found_by_its_ref_latest_and_listed(
    tenant_db: PostgresDataPlane,
):
    first = await _upload(tenant_db, "feb.csv", period="2024-02")
    second = await _upload(tenant_db, "mar.csv")
    await _upload(tenant_db, "tb.csv", source="trial_balance")
    found = await fetch_submitted_document_by_id(tenant_db, document_ref=first.id)
    assert found is not None and found.data_bytes == b"data of feb.csv"
    assert found.filename == "feb.csv" and found.period == "2024-02"
    latest = await fetch_latest_submitted_document(
        tenant_db, entity_slug="acme", source="bank/statement"
    )
    assert latest is not None and latest.id == second.id
    feb = await fetch_latest_submitted_document(
        tenant_db, entity_slug="acme", source="bank/statement", period="2024-02"
    )
    assert feb is not None and feb.id == first.id
    listed = await list_submitted_documents(tenant_db, entity_slug="acme", source_prefix="bank/")
    assert [d.filename for d in listed] == ["mar.csv", "feb.csv"]
    assert len(await list_submitted_documents(tenant_db, entity_slug="acme", limit=1)) == 1
    assert await list_submitted_documents(tenant_db, entity_slug="other") == []


@pytest.mark.parametrize(
    "ref", ["00000000-0000-0000-0000-000000000000", "doc_123", "", "x' OR 1=1"]
)
async def test_an_unknown_document_ref_gives_none(tenant_db: PostgresDataPlane, ref: str):
    assert await fetch_submitted_document_by_id(tenant_db, document_ref=ref) is None


async def test_bytes_are_required(tenant_db: PostgresDataPlane):
    with pytest.raises(TypeError, match="data_bytes must be the file's bytes, got str"):
        await _upload(tenant_db, "a.csv", data_bytes="text")


async def test_extractions_and_records_are_kept_and_records_are_idempotent(
    tenant_db: PostgresDataPlane,
):
    doc = await _upload(tenant_db, "mar.csv")
    extracted = await insert_extracted_document(
        tenant_db,
        entity_slug="acme",
        period="2024-03",
        source="bank/statement",
        document_ref=doc.id,
        schema_slug="bank_statement",
        payload={"lines": [{"amount": "1.00"}]},
        corrections=[{"line_item_id": "0", "field": "amount", "new_value": "2.00"}],
        task_id="task-1",
    )
    stored = await tenant_db.fetchrow(
        "SELECT payload, corrections FROM ingest.extracted_payloads WHERE id = $1::uuid",
        extracted.id,
    )
    assert stored["payload"] == {"lines": [{"amount": "1.00"}]}
    assert stored["corrections"][0]["new_value"] == "2.00"
    record = await insert_submitted_record(
        tenant_db,
        id="rec-1",
        entity_slug="acme",
        task_id="task-1",
        kind="expense",
        source_ref="sheet:1",
        data={"Supplier": "Rail"},
    )
    retry = await insert_submitted_record(
        tenant_db,
        id="rec-1",
        entity_slug="acme",
        task_id="task-1",
        kind="expense",
        source_ref="sheet:1",
        data={"Supplier": "CHANGED"},
    )
    assert retry.data == record.data == {"Supplier": "Rail"}
    assert retry.received_at == record.received_at
    assert await tenant_db.fetchval("SELECT count(*) FROM ingest.submitted_records") == 1


def test_outcome_from_counts():
    assert ExportedOutcome is IngestOutcome
    partial = IngestOutcome.from_counts(
        source_ref="sheet",
        parsed_rows=10,
        accepted_rows=7,
        reasons=["missing date", "missing date", "bad amount"],
        target_rows=12,
    )
    assert partial.status == "partial" and partial.rejected_rows == 3
    assert [(r.reason, r.count) for r in partial.reasons] == [
        ("missing date", 2),
        ("bad amount", 1),
    ]
    assert partial.message == (
        "7 of 10 rows accepted from sheet; 3 rejected (missing date: 2, bad amount: 1)"
    )
    assert partial.progress is not None and partial.progress.target_rows == 12
    assert IngestOutcome.from_counts(parsed_rows=0, accepted_rows=0).status == "empty"
    assert IngestOutcome.from_counts(parsed_rows=2, accepted_rows=0).status == "failed"
    assert IngestOutcome.from_counts(parsed_rows=2, accepted_rows=2).status == "success"
    with pytest.raises(ValueError, match="accepted_rows 3 is more than parsed_rows 2"):
        IngestOutcome.from_counts(parsed_rows=2, accepted_rows=3)
