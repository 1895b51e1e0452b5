"""The harness plays the reviewer: every gate kind, scenarios, expectations, reports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from ntro.testing import HAPPY, REJECT_ALL, RunResult, Scenario, StepEvent, WorkflowHarness, report
from tests.fixtures.facade_runbooks import ApprovalChildWorkflow, FacadeIngestWorkflow
from tests.fixtures.temporal_runbooks import DocumentIngestWorkflow, MonthEndWorkflow
from tests.fixtures.upload_runbooks import (
    CollectWorkflow,
    MultiUploadWorkflow,
    StatementUploadWorkflow,
)


@pytest.fixture
async def ingest(time_skipping_env: WorkflowEnvironment) -> Any:
    async with WorkflowHarness(
        FacadeIngestWorkflow,
        child_workflows=[("approval-child", ApprovalChildWorkflow)],
        env=time_skipping_env,
    ) as harness:
        yield harness


async def test_happy_and_reject_all_answer_upload_review_and_child(ingest: WorkflowHarness) -> None:
    happy = await ingest.run(scenario=HAPPY)
    assert happy.status == "completed", happy.error
    assert [e.kind for e in happy.events] == [
        "submit_file",
        "review",
        "drill_down",
        "review",
        "done",
    ]
    assert happy.result["review"]["approved"] is True and happy.result["child"] == "approved"

    rejected = await ingest.run(scenario=REJECT_ALL)
    assert rejected.status == "completed"
    assert rejected.result["review"]["approved"] is False
    assert rejected.result["child"] == "rejected"


async def test_per_step_overrides_and_corrections_reach_their_review(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    scenario = Scenario(
        "fix_sign",
        review_overrides={"journals": "approved"},
        approve_reviews=False,
        corrections={
            "journals": [
                {"line_item_id": "J1", "field": "debit", "old_value": 100.0, "new_value": 110.0}
            ]
        },
        reviewer="controller@fund.example",
    )
    async with WorkflowHarness(
        MonthEndWorkflow, child_workflows=[DocumentIngestWorkflow], env=time_skipping_env
    ) as harness:
        result = await harness.run(scenario=scenario)
        audit = await harness.client.get_workflow_handle(result.workflow_id).query("audit_trail")
    assert result.status == "completed", result.error
    # The child's review is rejected (approve_reviews=False); the parent's journal review is
    # approved with the correction, because the pending action names its step.
    assert result.result["ingest"]["status"] == "rejected"
    assert result.result["journals"]["approved"] is True
    assert result.result["journals"]["corrections"][0]["new_value"] == 110.0
    correction = next(a for a in audit if a["kind"] == "correction")
    assert correction["reviewer"] == "controller@fund.example"
    assert correction["old_value"] == 100.0


async def test_row_actions_go_to_the_workflow_before_the_decision(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    scenario = Scenario(
        "drop_row", row_actions={"journals": [{"action": "reject_row", "row_id": "J2"}]}
    )
    async with WorkflowHarness(
        MonthEndWorkflow, child_workflows=[DocumentIngestWorkflow], env=time_skipping_env
    ) as harness:
        result = await harness.run(scenario=scenario)
        audit = await harness.client.get_workflow_handle(result.workflow_id).query("audit_trail")
    assert result.status == "completed", result.error
    row = next(a for a in audit if a["kind"] == "row_action")
    assert (row["action"], row["line_item_id"]) == ("reject_row", "J2")


async def test_collect_documents_answers_each_slot_through_its_child(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(
        CollectWorkflow, child_workflows=[StatementUploadWorkflow], env=time_skipping_env
    ) as harness:
        result = await harness.run(scenario=HAPPY, workflow_id="collect-1")
    assert result.status == "completed", result.error
    assert [r["source"] for r in result.result] == ["bank", "broker"]
    assert all(r["approved"] for r in result.result)
    uploads = [e for e in result.events if e.kind == "submit_file"]
    assert sorted(e.workflow_id for e in uploads) == [
        "collect-1:collect:statement-upload:bank",
        "collect-1:collect:statement-upload:broker",
    ]


async def test_a_multi_slot_upload_gate_is_answered_slot_by_slot(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(MultiUploadWorkflow, env=time_skipping_env) as harness:
        result = await harness.run(scenario=HAPPY)
    assert result.status == "completed", result.error
    assert sorted(result.result) == ["gl", "tb"]


async def test_a_failing_expectation_fails_the_scenario_with_a_reason(
    ingest: WorkflowHarness,
) -> None:
    def expect(result: dict[str, Any]) -> None:
        assert result["child"] == "rejected", f"child decision was {result['child']}"

    outcome = await ingest.run(scenario=Scenario("expects_rejection", expect=expect))
    assert outcome.status == "failed"
    assert outcome.error.startswith("expectation failed: child decision was approved")
    assert outcome.events[-1].kind == "error"


async def test_strict_corrections_that_do_not_fit_the_payload_fail_readably(
    ingest: WorkflowHarness,
) -> None:
    outcome = await ingest.run(
        scenario=Scenario(
            "bad_row",
            corrections={"review": [{"line_item_id": "nope", "field": "amount", "new_value": 1}]},
            strict_corrections=True,
        )
    )
    assert outcome.status == "failed"
    assert "the review of step 'review' refused what the scenario sent" in outcome.error
    assert "row 'nope'" in outcome.error


def test_human_and_json_reports_have_the_documented_format() -> None:
    results = [
        RunResult(
            "happy",
            "runbook-happy-0123456789ab",
            "completed",
            events=[
                StepEvent(
                    "submit_file",
                    "runbook-happy-0123456789ab",
                    {"source": "bank", "document_ref": "d1"},
                    0.08,
                ),
                StepEvent("done", "runbook-happy-0123456789ab", {"status": "completed"}, 0.4),
            ],
            duration_s=0.42,
        ),
        RunResult(
            "reject_all",
            "runbook-reject-ba9876543210",
            "failed",
            error="boom",
            events=[StepEvent("error", "runbook-reject-ba9876543210", {"error": "boom"}, 0.1)],
            duration_s=0.1,
        ),
    ]
    assert report.human(results).splitlines() == [
        "✓  happy  (0.42s)",
        "    [ 0.08s] submit_file  0123456789ab  source=bank, document_ref=d1",
        "    [ 0.40s] done         0123456789ab  status=completed",
        "✗  reject_all  (0.10s)",
        "    [ 0.10s] error        ba9876543210  error=boom",
        "    error: boom",
        "summary: 1 passed, 1 failed (of 2)",
    ]
    data = json.loads(report.json(results))
    assert [sorted(r) for r in data] == [
        ["duration_s", "error", "events", "scenario", "status", "warnings", "workflow_id"]
    ] * 2
    assert data[0]["events"][0] == {
        "kind": "submit_file",
        "workflow_id": "runbook-happy-0123456789ab",
        "detail": {"source": "bank", "document_ref": "d1"},
        "timestamp_s": 0.08,
    }
    assert data[1]["status"] == "failed" and data[1]["error"] == "boom"


def test_scenario_overrides_are_checked() -> None:
    with pytest.raises(ValueError, match='use "approved" or "rejected"'):
        Scenario("typo", review_overrides={"review": "aproved"})


async def test_extra_signal_payloads_reach_the_workflow(ingest: WorkflowHarness) -> None:
    scenario = Scenario(
        "named_doc",
        extra_signal_payloads={"document_submitted": {"document_ref": "statements/2026-10.pdf"}},
    )
    result = await ingest.run(scenario=scenario)
    assert result.status == "completed", result.error
    assert result.result["document_ref"] == "statements/2026-10.pdf"
    assert result.events[0].detail["document_ref"] == "statements/2026-10.pdf"
