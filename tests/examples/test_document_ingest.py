"""document-ingest as a user meets it: its scenarios pass, and on the real sample files it reads
the statement, shows the doubtful cells and the review's quality checks, applies the reviewer's
corrections and commits them (a row in the data plane, an audit copy in ``storage``)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from ntro.capabilities import storage
from ntro.data import get_data_plane
from ntro.runbook import RunbookBundle, validate_bundle
from ntro.testing import WorkflowHarness, run_bundle
from tests.examples._drive import decide, gate, rows, upload, wait_for_state
from tests.examples.conftest import DATA, INGEST, Workdir

AUDIT_COPY = "audit/document-ingest/acme-fund/2026-01/bank_statement.json"

ALL_SCENARIOS = [
    "happy",
    "reject_all",
    "corrected",
    "reviewer_rejects",
    "no_upload",
    "row_rejected",
    "review_timed_out",
]


def test_bundle_is_valid() -> None:
    assert validate_bundle(INGEST) == []


async def test_every_scenario_passes() -> None:
    results = await run_bundle(INGEST, scenario_names=ALL_SCENARIOS)
    failed = {r.scenario: r.error for r in results if not r.passed}
    assert not failed
    assert [r.scenario for r in results] == ALL_SCENARIOS
    assert results[0].result.status == "committed"
    assert results[1].result.status == "rejected"


@pytest.fixture
async def real(ingest_bundle: RunbookBundle, time_skipping_env: WorkflowEnvironment) -> Any:
    """document-ingest with its real activities: files are read, extracted and committed."""
    async with WorkflowHarness(
        ingest_bundle.workflow_cls, env=time_skipping_env, extra_activities=ingest_bundle.activities
    ) as harness:
        yield harness


def verdicts(pending: dict[str, Any]) -> dict[str, str]:
    """Every check of the gate by name: the runbook's own (``checks=``) as pass, fail or warn,
    and its quality checks (``checks_spec``) by their status."""
    shown = {}
    for check in pending["checks"]:
        if "status" in check:
            shown[check["id"]] = check["status"]
        else:
            shown[check["name"]] = (
                "pass" if check["ok"] else "fail" if check["level"] == "error" else "warn"
            )
    return shown


def details(pending: dict[str, Any]) -> dict[str, str]:
    """What each quality check found, by id."""
    return {c["id"]: c["detail"] for c in pending["checks"] if "status" in c}


async def audit_copy(path: str = AUDIT_COPY) -> dict[str, Any]:
    """The commit's audit copy, read back with ``storage`` (as a notebook reads it)."""
    return json.loads(await storage.read(path=path))


def context(workdir: Workdir, **overrides: Any) -> dict[str, Any]:
    return {
        "entity_slug": "acme-fund",
        "period": "2026-01",
        "source": "bank_statement",
        "schema_slug": "bank_statement",
        **workdir.dirs(),
        **overrides,
    }


async def start(harness: WorkflowHarness, workdir: Workdir, **overrides: Any) -> Any:
    """Start a run on this test's folders; the handle's result is the typed IngestResult."""
    ctx_cls = type(harness.default_input())
    return await harness.start(ctx_cls.model_validate(context(workdir, **overrides)))


async def test_csv_statement_review_corrections_and_commit(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    # ledger_dir (where earlier versions wrote a JSON ledger) is still accepted, and unused.
    handle = await start(real, workdir, ledger_dir=str(workdir.artifacts.parent / "ledger"))
    state = await wait_for_state(handle, gate("submit_file", "upload"), what="the upload gate")
    assert state["pending_action"]["display_hint"]["component"] == "FILE_UPLOAD"
    ref = await upload(
        real.client,
        state,
        workdir.store,
        (DATA / "bank_statement_2026-01.csv").read_bytes(),
        "bank_statement_2026-01.csv",
    )

    state = await wait_for_state(handle, gate("interactive_review", "review"), what="the review")
    pending = state["pending_action"]
    config = pending["display_hint"]["config"]
    assert pending["display_hint"]["component"] == "DATA_TABLE"
    assert config["confidence_warning_threshold"] == 0.8 and config["currency"] == "USD"
    lines = rows(state)
    assert len(lines) == 7
    # The two bank lines no rule recognises are the doubtful cells: suspense, confidence 0.3.
    doubtful = {
        rid
        for rid, row in lines.items()
        if any(score < 0.8 for score in row["confidence_scores"].values())
    }
    assert doubtful == {"L1", "L3"}
    assert (
        lines["L1"]["account_code"] == "9999"
        and lines["L1"]["confidence_scores"]["account_code"] == 0.3
    )
    assert lines["L7"]["amount"] == "1240.55" and lines["L7"]["dr_cr"] == "DR"
    header = rows(state, "header")
    assert header["header:closing_balance"]["value"] == "357055.55"
    # The runbook's own checks, then its quality checks, all ended (gate() waits for them).
    assert verdicts(pending) == {
        "dated": "pass",
        "accounts": "warn",
        "reconciles": "pass",
        "unique-references": "pass",
    }
    assert pending["checks_result"]["summary"] == "2 passed"
    assert details(pending)["reconciles"] == (
        "opening 1,250,000.00 + movements -892,944.45 = closing 357,055.55"
    )

    await decide(
        handle,
        state,
        "approve",
        corrections=[
            {
                "line_item_id": "L1",
                "field": "account_code",
                "old_value": "9999",
                "new_value": "3100",
            },
            {
                "line_item_id": "L3",
                "field": "account_code",
                "old_value": "9999",
                "new_value": "2100",
            },
        ],
        comment="Harbour subscription and the December fee payment",
    )
    result = await handle.result()

    assert result.status == "committed", result.message
    assert result.corrections_applied == 2
    by_id = {line.line_item_id: line for line in result.lines}
    assert (by_id["L1"].account_code, by_id["L1"].account_name) == ("3100", "Subscriptions")
    assert (by_id["L3"].account_code, by_id["L3"].account_name) == (
        "2100",
        "Accrued management fees",
    )
    assert by_id["L1"].confidence_scores["account_code"] == 1.0
    assert result.receipt is not None and result.receipt.lines_committed == 7
    assert result.receipt.total_debit == Decimal("290740.55")
    assert result.receipt.total_credit == Decimal("1183685.00")

    assert result.receipt.path == AUDIT_COPY
    committed = await audit_copy(result.receipt.path)
    assert committed["document_ref"] == ref and committed["approved_by"] == "reviewer@acme.example"
    assert committed["record_id"] == result.receipt.record_id
    assert not (workdir.artifacts.parent / "ledger").exists()
    # The record other runbooks read is in the tenant data plane (ntro.ingest).
    record = await (await get_data_plane()).fetchrow(
        "SELECT document_ref, payload, corrections FROM ingest.extracted_payloads "
        "WHERE id = $1::uuid",
        result.receipt.record_id,
    )
    assert record["document_ref"] == ref and len(record["corrections"]) == 2
    assert record["payload"]["header"]["closing_balance"] == "357055.55"
    assert [line["account_code"] for line in record["payload"]["lines"]][:3] == [
        "3100",
        "1200",
        "2100",
    ]
    assert committed["header"]["closing_balance"] == "357055.55"
    assert [
        (c["line_item_id"], c["old_value"], c["new_value"]) for c in committed["corrections"]
    ] == [("L1", "9999", "3100"), ("L3", "9999", "2100")]
    assert [line["account_code"] for line in committed["lines"]] == [
        "3100",
        "1200",
        "2100",
        "4200",
        "3200",
        "6100",
        "4100",
    ]


async def test_xlsx_statement_is_read_from_its_sheet_and_committed(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    handle = await start(real, workdir)
    state = await wait_for_state(handle, gate("submit_file"), what="the upload gate")
    await upload(
        real.client,
        state,
        workdir.store,
        (DATA / "bank_statement_2026-01.xlsx").read_bytes(),
        "bank_statement_2026-01.xlsx",
    )
    state = await wait_for_state(handle, gate("interactive_review"), what="the review")
    lines = rows(state)
    # Brought/carried-forward rows are balances, not transactions.
    assert list(lines) == [f"L{n}" for n in range(1, 8)]
    assert lines["L1"]["date"] == "2026-01-02" and lines["L7"]["amount"] == "1240.55"
    # "Management fee" also matches the bank-charge rule: suggested, but flagged for review.
    assert lines["L3"]["account_code"] == "2100"
    assert lines["L3"]["confidence_scores"]["account_code"] == 0.6
    header = rows(state, "header")
    assert header["header:opening_balance"]["value"] == "1250000.00"
    assert header["header:closing_balance"]["value"] == "357055.55"

    await decide(
        handle,
        state,
        "approve",
        corrections=[
            {
                "line_item_id": "L6",
                "field": "description",
                "old_value": lines["L6"]["description"],
                "new_value": "Account maintenance charge January",
            },
            {
                "line_item_id": "header:account_name",
                "field": "value",
                "old_value": "Acme Fund LP",
                "new_value": "Acme Fund LP - USD current account",
            },
        ],
    )
    result = await handle.result()
    assert result.status == "committed"
    assert result.header["account_name"] == "Acme Fund LP - USD current account"
    assert [line.description for line in result.lines][5] == "Account maintenance charge January"
    committed = await audit_copy()
    assert committed["totals"] == {"debit": "290740.55", "credit": "1183685.00", "lines": 7}
    assert committed["filename"] == "bank_statement_2026-01.xlsx"


async def test_trial_balance_is_read_with_its_totals(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    handle = await start(real, workdir, source="trial_balance", schema_slug="trial_balance")
    state = await wait_for_state(handle, gate("submit_file"), what="the upload gate")
    await upload(
        real.client,
        state,
        workdir.store,
        (DATA / "trial_balance_2026-01.csv").read_bytes(),
        "trial_balance_2026-01.csv",
    )
    state = await wait_for_state(handle, gate("interactive_review"), what="the review")
    header = {row["key"]: row["value"] for row in rows(state, "header").values()}
    assert header["as_at"] == "2026-01-31"
    assert header["total_debit"] == header["total_credit"] == "49894500.00"
    assert verdicts(state["pending_action"]) == {
        "dated": "pass",
        "balances": "pass",
        "unique-accounts": "pass",
    }
    assert details(state["pending_action"])["balances"] == (
        "debits 49,894,500.00 = credits 49,894,500.00"
    )
    await decide(handle, state, "approve")
    result = await handle.result()
    assert result.status == "committed" and len(result.lines) == 9
    assert result.receipt.total_debit == result.receipt.total_credit == Decimal("49894500.00")


async def test_unreadable_file_sends_the_uploader_back_with_the_reason(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    handle = await start(real, workdir)
    state = await wait_for_state(handle, gate("submit_file"), what="the upload gate")
    first_gate = state["pending_action"]["gate_id"]
    # The trial balance is not a bank statement: there is no Date/Details/Amount table.
    await upload(
        real.client,
        state,
        workdir.store,
        (DATA / "trial_balance_2026-01.csv").read_bytes(),
        "trial_balance_2026-01.csv",
    )
    state = await wait_for_state(
        handle,
        lambda s: gate("submit_file")(s) and s["pending_action"]["gate_id"] != first_gate,
        what="a second upload gate",
    )
    feedback = state["pending_action"]["feedback"]
    assert feedback["level"] == "error"
    assert "no bank statement table found" in feedback["payload"]["message"]
    assert {s["id"]: s["status"] for s in state["steps"]}["extract"] == "failed"

    await upload(real.client, state, workdir.store, b"\x00\x01binary", "statement.pdf")
    state = await wait_for_state(
        handle,
        lambda s: (
            gate("submit_file")(s)
            and "binary file" in str((s["pending_action"].get("feedback") or {}).get("payload"))
        ),
        what="a third upload gate",
    )

    await upload(
        real.client,
        state,
        workdir.store,
        (DATA / "bank_statement_2026-01.csv").read_bytes(),
        "bank_statement_2026-01.csv",
    )
    state = await wait_for_state(handle, gate("interactive_review"), what="the review")
    assert state["pending_action"]["feedback"] is None
    await decide(handle, state, "reject", comment="wrong account")
    result = await handle.result()
    assert (
        result.status == "rejected"
        and result.message == "rejected by reviewer@acme.example: wrong account"
    )
    assert await storage.list_files("audit/") == []


async def test_a_correction_that_cannot_be_read_reopens_the_review_and_keeps_the_others(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    handle = await start(real, workdir)
    state = await wait_for_state(handle, gate("submit_file"), what="the upload gate")
    await upload(
        real.client,
        state,
        workdir.store,
        (DATA / "bank_statement_2026-01.csv").read_bytes(),
        "bank_statement_2026-01.csv",
    )
    state = await wait_for_state(handle, gate("interactive_review"), what="the review")
    first = state["pending_action"]["gate_id"]
    await decide(
        handle,
        state,
        "approve",
        corrections=[
            {
                "line_item_id": "L1",
                "field": "account_code",
                "old_value": "9999",
                "new_value": "3100",
            },
            {
                "line_item_id": "L2",
                "field": "amount",
                "old_value": "1000000.00",
                "new_value": "a million",
            },
        ],
    )
    state = await wait_for_state(
        handle,
        lambda s: gate("interactive_review")(s) and s["pending_action"]["gate_id"] != first,
        what="the review again",
    )
    feedback = state["pending_action"]["feedback"]
    assert feedback["level"] == "error"
    assert "L2 amount: 'a million' is not an amount" in feedback["payload"]["message"]
    lines = rows(state)
    assert lines["L1"]["account_code"] == "3100"  # kept
    assert lines["L2"]["amount"] == "1000000.00"  # unchanged

    await decide(
        handle,
        state,
        "approve",
        corrections=[
            {
                "line_item_id": "L3",
                "field": "account_code",
                "old_value": "9999",
                "new_value": "2100",
            }
        ],
    )
    result = await handle.result()
    assert result.status == "committed" and result.corrections_applied == 2
    audit = await handle.query("audit_trail")
    assert [e["kind"] for e in audit] == [
        "decision",
        "correction",
        "correction",
        "decision",
        "correction",
    ]


async def test_pdf_statement_is_read_with_files_and_reviewed(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    from tests.fixtures.statement_pdf import statement_lines, statement_pdf

    handle = await start(real, workdir)
    state = await wait_for_state(handle, gate("submit_file"), what="the upload gate")
    assert ".pdf" in state["pending_action"]["display_hint"]["config"]["accept"]
    await upload(
        real.client, state, workdir.store, statement_pdf(statement_lines(45)), "january.pdf"
    )
    state = await wait_for_state(handle, gate("interactive_review"), what="the review")
    lines = rows(state)
    assert len(lines) == 45
    assert lines["L2"]["description"] == "Bank charges" and lines["L2"]["dr_cr"] == "CR"
    assert lines["L2"]["amount"] == "1037.01" and lines["L2"]["account_code"] == "6100"
    header = rows(state, "header")
    assert header["header:account_number"]["value"] == "12-3456-7890"
    checks = verdicts(state["pending_action"])
    assert checks["dated"] == checks["reconciles"] == checks["unique-references"] == "pass"
    await decide(handle, state, "reject", comment="only testing the PDF")
    assert (await handle.result()).status == "rejected"


async def test_quality_checks_flag_a_duplicate_reference_and_a_statement_that_does_not_reconcile(
    real: WorkflowHarness,
    workdir: Workdir,
) -> None:
    sample = (DATA / "bank_statement_2026-01.csv").read_text()
    # The dividend keyed with the bond purchase's reference, and a closing balance 100 too high.
    edited = sample.replace(",DIV-0115,", ",TRD-5521,").replace(
        'Closing balance,"357,055.55"', 'Closing balance,"357,155.55"'
    )
    handle = await start(real, workdir)
    state = await wait_for_state(handle, gate("submit_file"), what="the upload gate")
    await upload(real.client, state, workdir.store, edited.encode(), "statement.csv")
    state = await wait_for_state(handle, gate("interactive_review"), what="the review")
    pending = state["pending_action"]
    assert verdicts(pending)["reconciles"] == verdicts(pending)["unique-references"] == "fail"
    assert pending["checks_result"]["summary"] == "2 failed"
    found = details(pending)
    assert found["unique-references"] == "1 duplicate reference value(s): TRD-5521 (rows L2, L4)"
    assert found["reconciles"] == (
        "opening 1,250,000.00 + movements -892,944.45 = 357,055.55, but the closing balance "
        "is 357,155.55"
    )
    # A failed check informs the reviewer; it does not stop an approval.
    await decide(handle, state, "approve", comment="the bank's reference typo, agreed by phone")
    result = await handle.result()
    assert result.status == "committed"
    decided = await handle.query("audit_trail")
    assert decided[0]["kind"] == "decision"


async def test_the_audit_copy_keeps_a_retried_commit_and_records_the_commit_it_replaced(
    ingest_bundle: RunbookBundle,
    workdir: Workdir,
) -> None:
    """The commit activity run again with the same commit (a Temporal retry) leaves the copy as
    it was; a later commit of the same source and period replaces it and names the first."""
    from temporalio.testing import ActivityEnvironment

    commit = next(a for a in ingest_bundle.activities if a.__name__ == "commit_document")
    models = sys.modules[ingest_bundle.workflow_cls.__module__]
    request = models.CommitRequest(
        commit_id="document-ingest-jan-1",
        entity_slug="acme fund/../x",  # an unsafe name becomes a safe path part
        period="2026-01",
        source="bank_statement",
        schema_slug="bank_statement",
        document_ref="doc-1",
        header=[],
        lines=[],
        corrections=[],
        excluded_rows=[],
        approved_by="reviewer@acme.example",
    )
    env = ActivityEnvironment()
    first = await env.run(commit, request)
    assert first.path == "audit/document-ingest/acme-fund-..-x/2026-01/bank_statement.json"
    stored = await storage.read(path=first.path)
    again = await env.run(commit, request)
    assert (again.committed_at, again.record_id) == (first.committed_at, first.record_id)
    assert again.replaced_commit_id is None
    assert await storage.read(path=first.path) == stored  # the retry changed nothing
    assert (workdir.artifacts / first.path).is_file()  # in this test's artifacts folder

    later = await env.run(commit, request.model_copy(update={"commit_id": "document-ingest-jan-2"}))
    assert later.path == first.path and later.replaced_commit_id == "document-ingest-jan-1"
    copy = await audit_copy(later.path)
    assert copy["commit_id"] == "document-ingest-jan-2"
    assert copy["replaced_commit_id"] == "document-ingest-jan-1"
    assert await storage.list_files("audit/") == [first.path]
