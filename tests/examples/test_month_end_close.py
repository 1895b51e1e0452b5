"""month-end-close as a user meets it: all its scenarios pass with document-ingest children,
and on the sample files it closes January: documents reviewed in their children, journals
proposed and approved, the NAV signed off against December's and published to the ledger."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from typing import Any

from temporalio.testing import WorkflowEnvironment

from ntro.data import get_data_plane
from ntro.runbook import RunbookBundle, validate_bundle
from ntro.testing import WorkflowHarness, bundle_scenarios, run_bundle
from tests.examples._drive import decide, gate, rows, upload, wait_for_state
from tests.examples.conftest import CLOSE, DATA, INGEST, Workdir


def test_bundle_is_valid() -> None:
    assert validate_bundle(CLOSE) == []


async def test_every_scenario_passes_with_document_ingest_children(
    close_bundle: RunbookBundle,
) -> None:
    names = list(bundle_scenarios(close_bundle))
    assert len(names) == 8
    results = await run_bundle(CLOSE, children=[INGEST], scenario_names=names)
    assert {r.scenario: r.error for r in results if not r.passed} == {}
    statuses = {r.scenario: r.result.status for r in results}
    assert statuses["happy"] == "signed_off"
    assert statuses["reject_all"] == "documents_incomplete"
    # Children are drilled into: each expected document had its own upload and review.
    happy = results[0]
    assert sum(1 for e in happy.events if e.kind == "submit_file") == 2


BANK_CORRECTIONS = [
    {"line_item_id": "L1", "field": "account_code", "old_value": "9999", "new_value": "3100"},
    {"line_item_id": "L3", "field": "account_code", "old_value": "9999", "new_value": "2100"},
]


SAMPLES = {
    name.split("_2026")[0]: (name, (DATA / name).read_bytes())
    for name in ("bank_statement_2026-01.csv", "trial_balance_2026-01.csv")
}


def seed_december(workdir: Workdir) -> None:
    """December's close signed off this NAV: January's compares against it."""
    december = workdir.ledger / "acme-fund" / "2025-12"
    december.mkdir(parents=True)
    shutil.copy(DATA / "acme-fund_nav_2025-12.json", december / "nav.json")


async def documents_in(
    harness: WorkflowHarness, handle: Any, workdir: Workdir, files: dict[str, tuple[str, bytes]]
) -> None:
    """Upload each document to its child and approve its review (the bank's with corrections)."""
    client = harness.client
    state = await wait_for_state(
        handle, gate("submit_files", "collect_documents"), what="the documents gate"
    )
    slots = {slot["source"]: slot for slot in state["pending_action"]["args"]["expected"]}
    assert set(slots) == {"bank_statement", "trial_balance"}
    children = {
        source: client.get_workflow_handle(slot["task_id"]) for source, slot in slots.items()
    }
    for source, child in children.items():
        child_state = await wait_for_state(child, gate("submit_file"), what=f"the {source} upload")
        name, data = files[source]
        await upload(client, child_state, workdir.store, data, name)
    for source, child in children.items():
        review = await wait_for_state(
            child, gate("interactive_review"), what=f"the {source} review"
        )
        await decide(
            child,
            review,
            "approve",
            corrections=BANK_CORRECTIONS if source == "bank_statement" else None,
        )


async def test_january_close_on_the_sample_files(
    close_bundle: RunbookBundle,
    ingest_bundle: RunbookBundle,
    workdir: Workdir,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    seed_december(workdir)
    async with WorkflowHarness(
        close_bundle.workflow_cls,
        child_workflows=[ingest_bundle],
        env=time_skipping_env,
        extra_activities=[*close_bundle.activities, *ingest_bundle.activities],
    ) as harness:
        ctx = type(harness.default_input()).model_validate({"period": "2026-01", **workdir.dirs()})
        handle = await harness.start(ctx)
        await wait_for_state(handle, gate("submit_files"), what="the documents gate")
        assert period_status(workdir) == "open"
        await documents_in(harness, handle, workdir, SAMPLES)

        # The trial balance balances and cash reconciles: no exceptions gate, straight to journals.
        state = await wait_for_state(
            handle, gate("interactive_review", "journals"), what="the journal review"
        )
        pending = state["pending_action"]
        assert pending["display_hint"]["component"] == "journal_review"
        journals = {j["journal_id"]: j for j in pending["payload"]["journals"]}
        assert list(journals) == ["J-BANK-L6", "J-BANK-L7", "J-MGMT-FEE", "J-AUDIT-FEE"]
        assert totals(journals["J-BANK-L6"]) == ("185.00", "185.00")
        assert [line["account"] for line in journals["J-BANK-L7"]["lines"]] == ["1000", "4100"]
        assert totals(journals["J-MGMT-FEE"]) == ("61750.00", "61750.00")
        assert rows(state)["J-AUDIT-FEE.1"]["debit"] == "2000.00"
        await decide(handle, state, "approve", reviewer="controller@acme.example")

        state = await wait_for_state(
            handle, gate("interactive_review", "nav_signoff"), what="the NAV sign-off"
        )
        pending = state["pending_action"]
        assert pending["display_hint"]["component"] == "nav_signoff"
        assert pending["display_hint"]["config"]["tolerance_pct"] == "5"
        figures = {f["key"]: f for f in pending["payload"]["figures"]}
        assert (figures["nav"]["current"], figures["nav"]["prior"]) == (
            "49683305.55",
            "49400000.00",
        )
        assert (figures["units_in_issue"]["current"], figures["units_in_issue"]["prior"]) == (
            "401000.000",
            "400000.000",
        )
        assert figures["nav_per_unit"]["current"] == "123.8985"
        assert figures["cash"]["current"] == "357055.55"
        assert figures["total_liabilities"]["current"] == "88750.00"
        await decide(
            handle,
            state,
            "approve",
            reviewer="cfo@acme.example",
            comment="January NAV agreed to the administrator's pack",
        )
        result = await handle.result()

    assert result.status == "signed_off", result.message
    assert result.signed_off_by == "cfo@acme.example"
    assert result.nav.value("nav") == Decimal("49683305.55")
    assert [d.status for d in result.documents] == ["committed", "committed"]
    assert result.trial_balance.issues == [] and result.trial_balance.unreconciled_cash == Decimal(
        "0.00"
    )
    january = workdir.ledger / "acme-fund" / "2026-01"
    assert sorted(p.name for p in january.iterdir()) == [
        "bank_statement.json",
        "nav.json",
        "period.json",
        "trial_balance.json",
    ]
    # The approved journals are in the general ledger, read back with SQL.
    assert result.posting.ledger == "local" and result.posting.posted_now == len(result.journals)
    db = await get_data_plane()
    posted = await db.fetch(
        "SELECT j.total, sum(l.debit) AS debit, sum(l.credit) AS credit FROM gl.journals j "
        "JOIN gl.journal_lines l ON l.journal_id = j.id WHERE j.id = ANY($1::uuid[]) "
        "GROUP BY j.id, j.total",
        result.posting.journal_refs,
    )
    assert len(posted) == len(result.journals)
    assert all(row["debit"] == row["credit"] == row["total"] for row in posted)
    assert sum(row["debit"] for row in posted) == Decimal("65175.55")
    published = json.loads((january / "nav.json").read_text())
    assert (
        published["figures"]["nav"] == "49683305.55"
        and published["signed_off_by"] == "cfo@acme.example"
    )
    assert period_status(workdir) == "closed"


def totals(journal: dict[str, Any]) -> tuple[str, str]:
    debit = sum(Decimal(line["debit"]) for line in journal["lines"])
    credit = sum(Decimal(line["credit"]) for line in journal["lines"])
    return str(debit), str(credit)


def period_status(workdir: Workdir) -> str:
    return json.loads((workdir.ledger / "acme-fund" / "2026-01" / "period.json").read_text())[
        "status"
    ]


async def test_both_runbooks_run_in_temporals_workflow_sandbox(
    close_bundle: RunbookBundle,
    ingest_bundle: RunbookBundle,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """A production worker runs workflows sandboxed: the bundles' imports must allow it."""
    async with WorkflowHarness(
        close_bundle.workflow_cls,
        child_workflows=[ingest_bundle],
        env=time_skipping_env,
        activities=[*close_bundle.activities, *ingest_bundle.activities],
        sandboxed=True,
    ) as harness:
        scenarios = bundle_scenarios(close_bundle)
        for name in ("happy", "journal_corrected"):
            result = await harness.run(scenario=scenarios[name])
            assert result.passed, result.error


async def test_a_trial_balance_that_does_not_balance_stops_for_a_decision(
    close_bundle: RunbookBundle,
    ingest_bundle: RunbookBundle,
    workdir: Workdir,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    seed_december(workdir)
    name, data = SAMPLES["trial_balance"]
    mistyped = data.replace(b"4200,Dividend income,,42500.00", b"4200,Dividend income,,45200.00")
    async with WorkflowHarness(
        close_bundle.workflow_cls,
        child_workflows=[ingest_bundle],
        env=time_skipping_env,
        extra_activities=[*close_bundle.activities, *ingest_bundle.activities],
    ) as harness:
        ctx = type(harness.default_input()).model_validate({"period": "2026-01", **workdir.dirs()})
        handle = await harness.start(ctx)
        await documents_in(harness, handle, workdir, {**SAMPLES, "trial_balance": (name, mistyped)})
        state = await wait_for_state(
            handle,
            gate("interactive_review", "check_trial_balance"),
            what="the trial balance exceptions",
        )
        issues = state["pending_action"]["payload"]["issues"]
        assert issues == [
            "the trial balance does not balance: debits 49,894,500.00 and credits 49,897,200.00 "
            "differ by -2,700.00; have the administrator correct it, or continue and the NAV is "
            "computed from the balance-sheet accounts as they are"
        ]
        assert state["pending_action"]["display_hint"]["config"]["summary"] == issues[0]
        await decide(handle, state, "reject", comment="Dividend mistyped: new pack requested")
        result = await handle.result()
    assert result.status == "trial_balance_rejected"
    assert result.journals == [] and result.nav is None
    assert period_status(workdir) == "open"
