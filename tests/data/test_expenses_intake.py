"""expenses-intake end to end: rows sent by signal are canonicalised into ledgers.expenses,
reviewed in a DATA_TABLE built by data_table_config, corrected, approved; checked with SQL.

The real activities run on the time-skipping test server here, and on a real Temporal dev
server (``temporal server start-dev`` from the wheel) under ``-m slow``.
"""

from __future__ import annotations

import typing
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro._devserver import DevServer
from ntro.data import PostgresDataPlane
from ntro.runbook import RunbookBundle, load_bundle, validate_bundle
from ntro.subledger.review import data_table_config
from ntro.subledger.types.expenses import ExpenseRow
from ntro.testing import WorkflowHarness, run_bundle
from ntro.workflow import WorkflowError
from tests.examples._drive import decide, gate, wait_for_state

BUNDLE = Path(__file__).resolve().parents[2] / "notebooks" / "runbooks" / "expenses-intake"
SHEET = [
    {
        "Date": "05/03/2024",
        "Supplier": "Rail Co",
        "Gross": "£42.00",
        "VAT": "7.00",
        "Paid by": "card",
    },
    {"Date": "someday", "Supplier": "Cafe Nero", "Gross": "8.40", "Category": "meals"},
    {"Date": "2024-03-06", "Supplier": "Staples", "Gross": "19.99", "VAT": "3.33"},
    {"Date": "2024-03-08", "Supplier": "Personal gym", "Gross": "30.00"},
]


@pytest.fixture(scope="module")
def bundle() -> RunbookBundle:
    return load_bundle(BUNDLE)


def test_the_bundle_validates_and_its_scenarios_pass_with_auto_mocks():
    assert validate_bundle(BUNDLE) == []


async def test_scenarios_pass_with_auto_mocked_activities():
    results = await run_bundle(BUNDLE, scenario_names=["happy", "approved", "reviewer_rejects"])
    assert {r.scenario: r.error for r in results if not r.passed} == {}


async def test_scenarios_pass_with_real_activities_and_the_uploaded_sheet():
    names = ["approved", "reviewer_rejects", "uploaded_sheet"]
    results = await run_bundle(BUNDLE, scenario_names=names, real_activities=True)
    assert {r.scenario: r.error for r in results if not r.passed} == {}
    sheet = results[2].result
    assert (sheet.outcome.parsed_rows, sheet.outcome.accepted_rows) == (3, 2)
    both = results[0].result  # the CSV's 3 rows and the signal's 2
    assert both.outcome.parsed_rows == 5 and both.receipt.approved == 3


async def test_an_unknown_document_ref_names_the_ref_and_tenant(
    bundle: RunbookBundle, tenant_db: PostgresDataPlane
):
    record = next(a for a in bundle.activities if a.__name__ == "record_expenses")
    request_cls = typing.get_type_hints(record)["request"]
    ref = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(
        WorkflowError, match=f"no uploaded document '{ref}' in tenant '{tenant_db.tenant_slug}'"
    ):
        await record(
            request_cls(
                task_id="t",
                entity_id="acme-uk",
                period="2024-03",
                currency="GBP",
                tenant_slug=tenant_db.tenant_slug,
                source_ref="x",
                rows=[],
                document_ref=ref,
            )
        )


async def drive(client: Client, handle: WorkflowHandle[Any, Any], db: PostgresDataPlane) -> None:
    """Submit the sheet, review (correct, reject a row), approve; check every row with SQL."""
    state = await wait_for_state(handle, gate("submit_file", "submit"), what="the submit gate")
    assert state["pending_action"]["args"]["signal_name"] == "expenses_submitted"
    await handle.signal("expenses_submitted", {"rows": SHEET, "source_ref": "march"})

    state = await wait_for_state(handle, gate("interactive_review", "review"), what="the review")
    pending = state["pending_action"]
    expected = data_table_config(
        ExpenseRow,
        title="Review expenses",
        columns=[
            "expense_date",
            "vendor",
            "amount_gross",
            "vat_amount",
            "currency",
            "category",
            "payment_method",
            "status",
        ],
    )
    assert pending["display_hint"]["component"] == "DATA_TABLE"
    assert pending["display_hint"]["config"]["columns"] == expected["config"]["columns"]
    rows = {r["vendor"]: r for r in pending["payload"]["rows"]}
    assert {v: r["status"] for v, r in rows.items()} == {
        "Rail Co": "PENDING",
        "Cafe Nero": "NEEDS_ATTENTION",
        "Staples": "PENDING",
        "Personal gym": "PENDING",
    }
    assert rows["Cafe Nero"]["validation_errors"] == [
        {"field": "expense_date", "message": "'someday' is not a date"}
    ]
    inserted = await db.fetch(
        "SELECT status, count(*) AS n FROM ledgers.expenses WHERE task_id = $1 GROUP BY status",
        handle.id,
    )
    assert {r["status"]: r["n"] for r in inserted} == {"PENDING": 3, "NEEDS_ATTENTION": 1}
    kept = await db.fetchval(
        "SELECT count(*) FROM ingest.submitted_records WHERE task_id = $1", handle.id
    )
    assert kept == 4

    await handle.execute_update(
        "submit_action",
        {
            "kind": "row_action",
            "gate_id": pending["gate_id"],
            "reviewer": "reviewer@acme.example",
            "payload": {"action": "reject_row", "row_id": rows["Personal gym"]["id"]},
        },
    )
    await decide(
        handle,
        state,
        "approve",
        corrections=[
            {
                "line_item_id": rows["Cafe Nero"]["id"],
                "field": "expense_date",
                "old_value": None,
                "new_value": "07/03/2024",
            },
            {
                "line_item_id": rows["Staples"]["id"],
                "field": "vendor",
                "old_value": "Staples",
                "new_value": "Staples UK Ltd",
            },
        ],
        comment="Cafe receipt dated from the card statement",
    )
    result = await handle.result()
    assert result.status == "approved", result.message
    assert (result.receipt.approved, result.receipt.rejected, result.receipt.corrected) == (3, 1, 2)
    assert result.outcome.status == "partial" and result.outcome.accepted_rows == 3

    final = await db.fetch(
        "SELECT vendor, status, expense_date::text AS day, amount_gross::text AS gross, "
        "approved_at IS NOT NULL AS stamped, validation_errors FROM ledgers.expenses "
        "WHERE task_id = $1 ORDER BY vendor",
        handle.id,
    )
    assert [(r["vendor"], r["status"], r["day"], r["gross"], r["stamped"]) for r in final] == [
        ("Cafe Nero", "APPROVED", "2024-03-07", "8.40", True),
        ("Personal gym", "REJECTED", "2024-03-08", "30.00", False),
        ("Rail Co", "APPROVED", "2024-03-05", "42.00", True),
        ("Staples UK Ltd", "APPROVED", "2024-03-06", "19.99", True),
    ]
    assert all(r["validation_errors"] == [] for r in final)
    proposals = await db.fetch(
        'SELECT lines FROM ledgers."journal_proposals" WHERE task_id = $1', handle.id
    )
    assert len(proposals) == 3
    for proposal in proposals:
        debit = sum(float(line["debit"]) for line in proposal["lines"])
        credit = sum(float(line["credit"]) for line in proposal["lines"])
        assert round(debit, 2) == round(credit, 2) > 0


async def test_real_activities_on_temporal(
    bundle: RunbookBundle, time_skipping_env: WorkflowEnvironment, tenant_db: PostgresDataPlane
):
    async with WorkflowHarness(
        bundle.workflow_cls, env=time_skipping_env, extra_activities=bundle.activities
    ) as harness:
        context = type(harness.default_input())(tenant_slug=tenant_db.tenant_slug)
        handle = await harness.start(context)
        await drive(harness.client, handle, tenant_db)


@pytest.fixture
async def dev_server_client(tmp_path: Path) -> AsyncIterator[Client]:
    """A real Temporal dev server (SQLite in tmp_path), stopped after the test."""
    import socket

    ports = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    server = DevServer(tmp_path / "temporal.db", port=ports[0], ui_port=ports[1], headless=True)
    status = server.start(timeout=60)
    try:
        yield await Client.connect(status.address, data_converter=pydantic_data_converter)
    finally:
        server.stop()


@pytest.mark.slow
async def test_real_activities_on_the_dev_server(
    bundle: RunbookBundle, dev_server_client: Client, tenant_db: PostgresDataPlane
):
    queue = f"expenses-{uuid.uuid4().hex[:8]}"
    async with Worker(
        dev_server_client,
        task_queue=queue,
        workflows=[bundle.workflow_cls],
        activities=bundle.activities,
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        handle = await dev_server_client.start_workflow(
            bundle.workflow_cls.run,
            {"tenant_slug": tenant_db.tenant_slug, "entity_id": "acme-uk", "period": "2024-03"},
            id=f"expenses-intake-{uuid.uuid4().hex[:8]}",
            task_queue=queue,
        )
        await drive(dev_server_client, handle, tenant_db)
