"""Scenario corrections on auto-mocked payloads: delivered as written, the mismatch reported.

The bundle is written as a third party writes one for the published SDK: Temporal style, an
activity whose result (auto-mocked here: no rows) feeds the review, a runbook that counts and
returns the corrections it received.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from ntro.runbook import load_bundle
from ntro.testing import Scenario, WorkflowHarness, report, run_bundle
from ntro.workflow import UNMATCHED_CORRECTIONS_FLAG

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bundles"

RUNBOOK_MD = """\
---
slug: invoice-review
name: Invoice review
version: "0.1.0"
state: draft
author: ap-team@example.com
---
Review the invoice lines an extraction service returns.
"""

WORKFLOW = """\
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import activity, workflow

from ntro.workflow import NtroWorkflow, ui_step


class InvoiceLine(BaseModel):
    line_item_id: str
    amount: float


class Extraction(BaseModel):
    lines: list[InvoiceLine] = []


@activity.defn
async def extract_invoice(ref: str) -> Extraction:
    raise RuntimeError("needs the extraction service")


@workflow.defn
class InvoiceReviewWorkflow(NtroWorkflow):
    @ui_step(name="review", title="Review lines")
    async def _review(self) -> dict[str, Any]:
        extraction = await workflow.execute_activity(
            extract_invoice, "inv-1", start_to_close_timeout=timedelta(minutes=1)
        )
        response = await self.wait_for_action(
            payload={"lines": [line.model_dump() for line in extraction.lines]},
            display_hint={"component": "DATA_TABLE", "config": {"allow_corrections": True}},
            reason="Check the invoice lines",
        )
        return {"action": response.action, "corrections": response.get("corrections", [])}

    @workflow.run
    async def run(self) -> dict[str, Any]:
        return await self._review()
"""

FIX = [{"line_item_id": "l2", "field": "amount", "old_value": 310.5, "new_value": 301.5}]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("published") / "invoice-review"
    (root / "templates").mkdir(parents=True)
    (root / "runbook.md").write_text(RUNBOOK_MD)
    (root / "templates" / "__init__.py").write_text("")
    (root / "templates" / "workflow.py").write_text(textwrap.dedent(WORKFLOW))
    return root


@pytest.fixture
async def harness(bundle: Path, time_skipping_env: WorkflowEnvironment) -> Any:
    loaded = load_bundle(bundle)
    async with WorkflowHarness(
        loaded.workflow_cls, activities=loaded.activities, env=time_skipping_env
    ) as h:
        yield h


async def test_corrections_reach_the_runbook_as_written_with_a_warning(
    harness: WorkflowHarness,
) -> None:
    outcome = await harness.run(scenario=Scenario("fix", corrections={"review": FIX}))
    assert outcome.status == "completed", outcome.error
    assert outcome.result["corrections"] == FIX  # exactly as written
    assert len(outcome.warnings) == 1
    assert "step 'review'" in outcome.warnings[0] and "no rows to correct" in outcome.warnings[0]
    review = next(e for e in outcome.events if e.kind == "review")
    assert review.detail == {
        "step": "review",
        "decision": "approved",
        "corrections": 1,
        "unmatched": 1,
    }

    # The workflow's audit trail records that the corrections were delivered unmatched.
    handle = harness.client.get_workflow_handle(outcome.workflow_id)
    trail = await handle.query("audit_trail")
    entry = next(e for e in trail if e["kind"] == "unmatched_corrections")
    assert entry["step_id"] == "review" and entry["reviewer"] == "harness"
    assert entry["via"] == "harness" and "no rows to correct" in entry["reasons"][0]


async def test_a_strict_scenario_is_refused_as_a_person_would_be(
    harness: WorkflowHarness,
) -> None:
    outcome = await harness.run(
        scenario=Scenario("fix", corrections={"review": FIX}, strict_corrections=True)
    )
    assert outcome.status == "failed"
    assert outcome.error == (
        "scenario 'fix': the review of step 'review' refused what the scenario sent: this "
        "gate's payload has no rows to correct; send the decision without 'corrections', or "
        "put the rows in the payload"
    )
    assert outcome.warnings == []


async def test_runs_not_started_by_the_harness_refuse_the_flag(harness: WorkflowHarness) -> None:
    # A run started the way a platform or a worker starts one: no harness memo. A decision
    # carrying the harness's flag is refused before it reaches history, and so is the plain
    # correction to a row the payload lacks.
    handle = await harness.client.start_workflow(
        "InvoiceReviewWorkflow", id=f"invoice-{uuid.uuid4().hex[:8]}", task_queue=harness.task_queue
    )
    for _ in range(200):
        state = await handle.query("current_ui_state")
        if state["pending_action"]:
            break
    decision = {"action": "approve", "corrections": FIX, "reviewer": "ana@example.com"}
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("submit_action", {**decision, UNMATCHED_CORRECTIONS_FLAG: True})
    assert "honoured only in runs started by ntro's test harness" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("submit_action", decision)
    assert "no rows to correct" in str(refused.value.cause)
    accepted = await handle.execute_update("submit_action", {**decision, "corrections": []})
    assert accepted["accepted"] is True and accepted["unmatched_corrections"] == []
    assert (await handle.result())["corrections"] == []


def test_the_report_line_shows_the_mismatch(bundle: Path) -> None:
    import asyncio

    (scenarios := bundle / "tests").mkdir(exist_ok=True)
    (scenarios / "scenarios.py").write_text(
        "from ntro.testing import Scenario\n\n"
        f"FIX = Scenario('fix', corrections={{'review': {FIX!r}}})\n"
    )
    results = asyncio.run(run_bundle(bundle, scenario_names=["fix"]))
    human = report.human(results).splitlines()
    assert human[0].startswith("✓  fix  (")
    assert "1 warning: step 'review': correction delivered unmatched: l2.amount: " in human[0]
    assert human[-1] == "summary: 1 passed, 0 failed (of 1)"
    [as_json] = json.loads(report.json(results))
    assert as_json["status"] == "completed" and len(as_json["warnings"]) == 1


async def test_a_child_runbook_of_a_harness_run_delivers_them_too(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    parent, child = load_bundle(BENCH / "nav-close"), load_bundle(BENCH / "statement-ingest")
    fix_child = Scenario(
        "fix_child",
        corrections={
            "review_lines": [{"line_item_id": "L999", "field": "amount", "new_value": 1}],
            "review": FIX,
        },
    )
    async with WorkflowHarness(
        parent.workflow_cls,
        child_workflows=[child],
        activities=[*parent.activities, *child.activities],
        env=time_skipping_env,
    ) as h:
        outcome = await h.run(scenario=fix_child)
        child_id = f"{outcome.workflow_id}:ingest_documents:statement-ingest"
        trails = {
            wid: await h.client.get_workflow_handle(wid).query("audit_trail")
            for wid in (outcome.workflow_id, child_id)
        }
    assert outcome.status == "completed", outcome.error
    assert [w.split(":")[0] for w in outcome.warnings] == ["step 'review_lines'", "step 'review'"]
    assert "row 'L999', which is not in the payload (rows: L000)" in outcome.warnings[0]
    # Each runbook received its correction, recorded as any correction is.
    received = {
        wid: [e["line_item_id"] for e in trail if e["kind"] == "correction"]
        for wid, trail in trails.items()
    }
    assert received == {outcome.workflow_id: ["l2"], child_id: ["L999"]}
