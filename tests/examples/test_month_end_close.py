"""month-end-close as a user meets it: all its scenarios pass with document-ingest children,
and on the sample files it closes January: documents reviewed in their children, journals
proposed and approved, the NAV signed off against December's and recorded in the tenant data
plane (``ledgers.navs``, the period closed in ``ledgers.periods``), where February's close
reads it. Each test has its own tenant database."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from ntro.capabilities import config, storage
from ntro.cli import run as ntro_run
from ntro.data import ENV_TENANT_SLUG, PostgresDataPlane
from ntro.runbook import RunbookBundle, load_bundle, validate_bundle
from ntro.testing import WorkflowHarness, bundle_scenarios, run_bundle, select_scenarios
from tests.examples._drive import decide, gate, rows, upload, wait_for_state
from tests.examples.conftest import CLOSE, DATA, INGEST, Workdir


@pytest.fixture
async def tenant(
    tenant_db: PostgresDataPlane, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PostgresDataPlane]:
    """A fresh tenant database as the worker's tenant (``$NTRO_TENANT_SLUG``) for one test."""
    monkeypatch.setenv(ENV_TENANT_SLUG, tenant_db.tenant_slug)
    config.reset()
    yield tenant_db
    config.reset()


def test_bundle_is_valid() -> None:
    assert validate_bundle(CLOSE) == []


async def test_every_scenario_passes_with_document_ingest_children(
    close_bundle: RunbookBundle,
) -> None:
    names = list(bundle_scenarios(close_bundle))
    assert len(names) == 8 and names[:2] == ["happy", "reject_all"]
    results = await run_bundle(CLOSE, children=[INGEST], scenario_names=names)
    assert {r.scenario: r.error for r in results if not r.passed} == {}
    statuses = {r.scenario: r.result.status for r in results}
    assert statuses["happy"] == "signed_off"
    assert statuses["reject_all"] == "documents_incomplete"
    # Children are drilled into: each expected document had its own upload and review.
    happy = results[0]
    assert sum(1 for e in happy.events if e.kind == "submit_file") == 2


def test_the_cli_runs_happy_and_reject_all_with_real_activities_on_the_sample_files(
    embedded_pg: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no scenario named, the bundle's own ``happy`` and ``reject_all`` run: they name the
    sample files the real activities read (the built-in ones name none)."""
    monkeypatch.delenv("NTRO_DOCUMENT_STORE", raising=False)  # the uploads are in the data plane
    for name, folder in (
        ("NTRO_ARTIFACTS_DIR", "artifacts"),  # document-ingest's audit copies (storage)
        ("NTRO_TRACE_DIR", "traces"),
    ):
        monkeypatch.setenv(name, str(tmp_path / folder))
    config.reset()
    chosen = select_scenarios(bundle_scenarios(load_bundle(CLOSE)), [])
    assert [(s.name, sorted(s.files)) for s in chosen] == [
        ("happy", ["bank_statement", "trial_balance"]),
        ("reject_all", ["bank_statement", "trial_balance"]),
    ]
    code = ntro_run(["workflow", "test", str(CLOSE), "--child", str(INGEST), "--real-activities"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "summary: 2 passed, 0 failed (of 2)" in out
    assert "step=nav_signoff, decision=approved" in out
    january = tmp_path / "artifacts" / "audit" / "document-ingest" / "acme-fund" / "2026-01"
    assert sorted(p.name for p in january.iterdir()) == [
        "bank_statement.json",
        "trial_balance.json",
    ]
    config.reset()


BANK_CORRECTIONS = [
    {"line_item_id": "L1", "field": "account_code", "old_value": "9999", "new_value": "3100"},
    {"line_item_id": "L3", "field": "account_code", "old_value": "9999", "new_value": "2100"},
]


SAMPLES = {
    name.split("_2026")[0]: (name, (DATA / name).read_bytes())
    for name in ("bank_statement_2026-01.csv", "trial_balance_2026-01.csv")
}


async def seed_december(db: PostgresDataPlane) -> None:
    """December's close signed off this NAV: January's compares against it."""
    december = json.loads((DATA / "acme-fund_nav_2025-12.json").read_text())
    await db.execute(
        "INSERT INTO ledgers.navs (entity_id, period, currency, figures, signed_off_by) "
        "VALUES ($1, $2, $3, $4, 'december-close')",
        december["entity_slug"],
        december["period"],
        december["currency"],
        december["figures"],
    )


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


async def test_january_close_on_the_sample_files_then_february_reads_its_nav(
    close_bundle: RunbookBundle,
    ingest_bundle: RunbookBundle,
    workdir: Workdir,
    tenant: PostgresDataPlane,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    await seed_december(tenant)
    async with WorkflowHarness(
        close_bundle.workflow_cls,
        child_workflows=[ingest_bundle],
        env=time_skipping_env,
        extra_activities=[*close_bundle.activities, *ingest_bundle.activities],
    ) as harness:
        ctx = type(harness.default_input()).model_validate({"period": "2026-01", **workdir.dirs()})
        handle = await harness.start(ctx)
        await wait_for_state(handle, gate("submit_files"), what="the documents gate")
        assert await period_row(tenant, "2026-01") == ("open", handle.id, None)
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
    # document-ingest stored one audit copy per committed document, with storage.
    assert await storage.list_files("audit/") == [
        "audit/document-ingest/acme-fund/2026-01/bank_statement.json",
        "audit/document-ingest/acme-fund/2026-01/trial_balance.json",
    ]
    # The approved journals are in the general ledger, read back with SQL.
    assert result.posting.ledger == "local" and result.posting.posted_now == len(result.journals)
    posted = await tenant.fetch(
        "SELECT j.total, sum(l.debit) AS debit, sum(l.credit) AS credit FROM gl.journals j "
        "JOIN gl.journal_lines l ON l.journal_id = j.id WHERE j.id = ANY($1::uuid[]) "
        "GROUP BY j.id, j.total",
        result.posting.journal_refs,
    )
    assert len(posted) == len(result.journals)
    assert all(row["debit"] == row["credit"] == row["total"] for row in posted)
    assert sum(row["debit"] for row in posted) == Decimal("65175.55")
    # The signed-off NAV and the closed period, read back with SQL.
    nav = await tenant.fetchrow(
        "SELECT currency, figures, prior_period, signed_off_by, signed_off_at, comment, task_id "
        "FROM ledgers.navs WHERE entity_id = 'acme-fund' AND period = '2026-01'"
    )
    assert nav is not None and nav["currency"] == "USD" and nav["prior_period"] == "2025-12"
    assert (
        nav["figures"]["nav"] == "49683305.55" and nav["figures"]["units_in_issue"] == "401000.000"
    )
    assert (nav["signed_off_by"], nav["task_id"]) == ("cfo@acme.example", handle.id)
    assert nav["comment"] == "January NAV agreed to the administrator's pack"
    assert result.publication.signed_off_at == nav["signed_off_at"]
    assert (result.publication.period, result.publication.tenant) == ("2026-01", tenant.tenant_slug)
    status, opened_by, closed_by = await period_row(tenant, "2026-01")
    assert (status, opened_by, closed_by) == ("closed", handle.id, "cfo@acme.example")

    # February's close opens with January's NAV as its prior: read from ledgers.navs.
    async with WorkflowHarness(
        close_bundle.workflow_cls,
        child_workflows=[ingest_bundle],
        env=time_skipping_env,
        extra_activities=[*close_bundle.activities, *ingest_bundle.activities],
    ) as harness:
        ctx = type(harness.default_input()).model_validate({"period": "2026-02", **workdir.dirs()})
        handle = await harness.start(ctx)
        await documents_in(harness, handle, workdir, SAMPLES)
        state = await wait_for_state(
            handle, gate("interactive_review", "journals"), what="February's journal review"
        )
        journals = {j["journal_id"]: j for j in state["pending_action"]["payload"]["journals"]}
        assert journals["J-MGMT-FEE"]["description"] == (
            "Management fee 2026-02: 1.5% a year on NAV 49,683,305.55"
        )
        await handle.terminate("test over")
    assert await period_row(tenant, "2026-02") == ("open", handle.id, None)
    assert (await period_row(tenant, "2026-01"))[0] == "closed"


def totals(journal: dict[str, Any]) -> tuple[str, str]:
    debit = sum(Decimal(line["debit"]) for line in journal["lines"])
    credit = sum(Decimal(line["credit"]) for line in journal["lines"])
    return str(debit), str(credit)


async def period_row(db: PostgresDataPlane, period: str) -> tuple[str, str, str | None] | None:
    """The period's status, who opened it and who closed it, from ``ledgers.periods``."""
    row = await db.fetchrow(
        "SELECT status, opened_by, closed_by FROM ledgers.periods "
        "WHERE entity_id = 'acme-fund' AND period = $1",
        period,
    )
    return None if row is None else (row["status"], row["opened_by"], row["closed_by"])


def activity_name(fn: Any) -> str:
    return str(getattr(fn, "__temporal_activity_definition").name)


async def test_the_same_sign_off_twice_records_one_nav_and_closes_the_period_once(
    close_bundle: RunbookBundle, tenant: PostgresDataPlane
) -> None:
    """A retried activity (Temporal retries on a timeout) writes nothing twice: one row per
    entity and period, with the first sign-off's time; a different sign-off replaces it."""
    models = sys.modules[f"{close_bundle.package}.models"]
    by_name = {activity_name(a): a for a in close_bundle.activities}
    open_period = by_name["month-end-close.open_period"]
    publish = by_name["month-end-close.publish_nav"]
    env = ActivityEnvironment()
    opening = models.OpenPeriodRequest(
        entity_slug="acme-fund", period="2026-01", prior_period="2025-12", opened_by="wf-jan"
    )
    first_open = await env.run(open_period, opening)
    again = await env.run(open_period, opening)
    assert again.opened_at == first_open.opened_at and again.prior_nav is None
    nav = models.NavStatement(
        period="2026-01",
        prior_period="2025-12",
        currency="USD",
        figures=[models.NavFigure(key="nav", label="Net asset value", current=Decimal("100.00"))],
    )
    request = models.PublishNavRequest(
        entity_slug="acme-fund", nav=nav, signed_off_by="cfo@acme.example", comment="ok"
    )
    first = await env.run(publish, request)
    second = await env.run(publish, request)
    assert second.signed_off_at == first.signed_off_at
    rows = await tenant.fetch("SELECT figures, signed_off_at FROM ledgers.navs")
    assert [(r["figures"], r["signed_off_at"]) for r in rows] == [
        ({"nav": "100.00"}, first.signed_off_at)
    ]
    closed = await tenant.fetch("SELECT status, closed_by, closed_at FROM ledgers.periods")
    assert [(r["status"], r["closed_by"]) for r in closed] == [("closed", "cfo@acme.example")]
    await env.run(publish, request)
    assert (await tenant.fetchval("SELECT closed_at FROM ledgers.periods")) == closed[0][
        "closed_at"
    ]
    # Next month's close reads it as its prior NAV.
    february = await env.run(
        open_period,
        models.OpenPeriodRequest(
            entity_slug="acme-fund", period="2026-02", prior_period="2026-01", opened_by="wf-feb"
        ),
    )
    assert february.prior_nav.figures == {"nav": Decimal("100.00")}
    # A different sign-off (a re-run close) replaces the first, still one row.
    request.nav.figures[0].current = Decimal("101.00")
    third = await env.run(publish, request)
    assert third.signed_off_at > first.signed_off_at
    assert await tenant.fetchval("SELECT count(*) FROM ledgers.navs") == 1
    assert (await tenant.fetchval("SELECT figures FROM ledgers.navs")) == {"nav": "101.00"}


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
    tenant: PostgresDataPlane,
    time_skipping_env: WorkflowEnvironment,
) -> None:
    await seed_december(tenant)
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
    assert (await period_row(tenant, "2026-01"))[0] == "open"
    assert await tenant.fetchval("SELECT count(*) FROM ledgers.navs WHERE period = '2026-01'") == 0
