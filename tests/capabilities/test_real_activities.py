"""A runbook written against the published SDK's runtime (ntro.capabilities, ntro.data,
ntro.ingest) passes with auto-mocks, and runs end to end with its real activities: a PDF bank
statement is uploaded, parsed, extracted, corrected by the reviewer and committed, and the
committed row is read back with SQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from ntro.cli import run as ntro_run
from ntro.data import get_data_plane
from ntro.runbook import load_bundle
from ntro.testing import Scenario, WorkflowHarness, run_bundle
from tests.fixtures.statement_pdf import statement_lines, statement_pdf

BUNDLE = Path(__file__).parent / "bundles" / "statement-ingest"
CORRECTION = {
    "line_item_id": "L2",
    "field": "money_out",
    "old_value": "1037.01",
    "new_value": "1037.10",
}


async def test_the_published_style_bundle_passes_with_auto_mocked_activities() -> None:
    results = await run_bundle(BUNDLE)
    assert [(r.scenario, r.status) for r in results] == [
        ("happy", "completed"),
        ("reject_all", "completed"),
    ]


async def test_real_activities_commit_a_corrected_pdf_statement(
    embedded_pg, time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    pdf = tmp_path / "january.pdf"
    pdf.write_bytes(statement_pdf(statement_lines(60)))
    bundle = load_bundle(BUNDLE)
    scenario = Scenario(
        "corrected", corrections={"review": [CORRECTION]}, files={"bank_statement": pdf}
    )
    async with WorkflowHarness(
        bundle.workflow_cls,
        activities=bundle.activities,
        env=time_skipping_env,
        real_activities=True,
    ) as harness:
        result = await harness.run(scenario=scenario)
        assert result.passed, result.error
        assert result.result["status"] == "committed" and result.result["lines"] == 60
        db = await get_data_plane(result.tenant_slug)
        row = await db.fetchrow(
            "SELECT payload, corrections, schema_slug FROM ingest.extracted_payloads WHERE id = $1::uuid",
            result.result["record_id"],
        )
        document = await db.fetchrow(
            "SELECT filename, length(data_bytes) AS size FROM ingest.submitted_documents"
        )
        other = await harness.run(scenario=Scenario("again", files={"bank_statement": pdf}))
        assert other.tenant_slug != result.tenant_slug  # each scenario has its own database
        assert (
            await (await get_data_plane(other.tenant_slug)).fetchval(
                "SELECT count(*) FROM ingest.extracted_payloads"
            )
            == 1
        )
    assert row["schema_slug"] == "bank_statement"
    lines = row["payload"]["line_items"]
    assert (
        len(lines) == 60
        and lines[1]["money_out"] == "1037.10"
        and lines[1]["reference"] == "REF00002"
    )
    assert row["payload"]["fields"]["account_number"] == "12-3456-7890"
    assert row["corrections"] == [CORRECTION]
    assert document["filename"] == "january.pdf" and document["size"] == pdf.stat().st_size
    audit = Path(tmp_path / "artifacts" / result.result["audit_path"])
    assert audit.exists() and '"1037.10"' in audit.read_text()


async def test_a_real_activities_scenario_without_its_file_fails_saying_what_to_add(
    embedded_pg, time_skipping_env: WorkflowEnvironment
) -> None:
    bundle = load_bundle(BUNDLE)
    async with WorkflowHarness(
        bundle.workflow_cls,
        activities=bundle.activities,
        env=time_skipping_env,
        real_activities=True,
    ) as harness:
        result = await harness.run(scenario=Scenario("nofile"))
    assert not result.passed
    assert (
        "names no file for the upload 'bank_statement': add files={'bank_statement':"
        in result.error
    )


def test_the_cli_runs_the_bundles_scenario_with_real_activities(
    embedded_pg, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "statement-ingest"
    shutil.copytree(BUNDLE, folder)
    (folder / "statement.pdf").write_bytes(statement_pdf(statement_lines(30)))
    code = ntro_run(
        ["workflow", "test", str(folder), "--real-activities", "--scenario", "corrected"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "corrections=1" in out and "summary: 1 passed, 0 failed (of 1)" in out


@pytest.mark.slow
async def test_on_the_dev_server_a_pdf_statement_is_committed_with_real_activities(
    embedded_pg, tmp_path: Path
) -> None:
    pdf = tmp_path / "january.pdf"
    pdf.write_bytes(statement_pdf(statement_lines(40)))
    bundle = load_bundle(BUNDLE)
    scenario = Scenario(
        "corrected", corrections={"review": [CORRECTION]}, files={"bank_statement": pdf}
    )
    async with WorkflowHarness(
        bundle.workflow_cls,
        activities=bundle.activities,
        server="dev",
        real_activities=True,
        timeout=120,
    ) as harness:
        result = await harness.run(scenario=scenario)
        assert result.passed, result.error
        db = await get_data_plane(result.tenant_slug)
        payload = await db.fetchval(
            "SELECT payload FROM ingest.extracted_payloads WHERE id = $1::uuid",
            result.result["record_id"],
        )
    assert payload["line_items"][1]["money_out"] == "1037.10" and len(payload["line_items"]) == 40
