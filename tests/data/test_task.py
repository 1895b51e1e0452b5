"""ntro.workflow.task: previous runs and committed documents, answered from the data plane."""

from __future__ import annotations

import sys
import types

from ntro.data import PostgresDataPlane
from ntro.ingest import insert_extracted_document
from ntro.workflow._discovery import activities_near
from ntro.workflow.task import (
    FindCommittedDocumentRequest,
    LoadPreviousTaskRequest,
    PreviousTaskHandle,
    RecordTaskRunRequest,
    find_committed_document_activity,
    load_previous_task_activity,
    previous,
    record_task_run_activity,
)


async def _run(db: PostgresDataPlane, task_id: str, period: str, output: dict, status="completed"):
    await record_task_run_activity(
        RecordTaskRunRequest(
            task_id=task_id,
            workflow_slug="month-end",
            entity_id="acme",
            period=period,
            status=status,
            output=output,
            tenant_slug=db.tenant_slug,
        )
    )


async def test_previous_is_the_latest_finished_run_before_the_period(tenant_db: PostgresDataPlane):
    ask = LoadPreviousTaskRequest(
        workflow_slug="month-end",
        entity_id="acme",
        before_period="2024-03",
        tenant_slug=tenant_db.tenant_slug,
    )
    assert await load_previous_task_activity(ask) is None
    await _run(tenant_db, "wf-jan", "2024-01", {"closing": {"cash": 10}})
    await _run(tenant_db, "wf-feb", "2024-02", {"closing": {"cash": 20}, "note": "ok"})
    await _run(tenant_db, "wf-feb-failed", "2024-02", {}, status="failed")
    await _run(tenant_db, "wf-mar", "2024-03", {"closing": {"cash": 30}})
    found = await load_previous_task_activity(ask)
    assert isinstance(found, PreviousTaskHandle)
    assert (found.task_id, found.period) == ("wf-feb", "2024-02")
    assert found.extract(["closing.cash", "note", "missing"]) == {
        "closing.cash": 20,
        "note": "ok",
        "missing": None,
    }
    latest = await load_previous_task_activity(ask.model_copy(update={"before_period": None}))
    assert latest is not None and latest.task_id == "wf-mar"
    await _run(tenant_db, "wf-mar", "2024-03", {"closing": {"cash": 31}})  # recorded again
    assert (
        await tenant_db.fetchval("SELECT count(*) FROM system.task_runs WHERE task_id = 'wf-mar'")
        == 1
    )


async def test_committed_document_comes_from_a_finished_run_of_the_workflow(
    tenant_db: PostgresDataPlane,
):
    ask = FindCommittedDocumentRequest(
        workflow_slug="month-end",
        entity_id="acme",
        source="trial_balance",
        before_period="2024-03",
        tenant_slug=tenant_db.tenant_slug,
    )
    for task, period in (("wf-jan", "2024-01"), ("wf-feb", "2024-02"), ("other-run", "2024-02")):
        await insert_extracted_document(
            tenant_db,
            entity_slug="acme",
            period=period,
            source="trial_balance",
            document_ref=None,
            schema_slug="tb",
            payload={"from": task},
            corrections=[],
            task_id=task,
        )
    assert await find_committed_document_activity(ask) is None  # no run has finished yet
    await _run(tenant_db, "wf-jan", "2024-01", {})
    await _run(tenant_db, "wf-feb", "2024-02", {})
    found = await find_committed_document_activity(ask)
    assert found is not None and found["payload"] == {"from": "wf-feb"}
    assert found["period"] == "2024-02" and found["task_id"] == "wf-feb"
    elsewhere = await find_committed_document_activity(ask.model_copy(update={"entity_id": "beta"}))
    assert elsewhere is None


def test_a_workflow_that_uses_previous_gets_its_activities_registered(monkeypatch):
    module = types.ModuleType("runbook_using_previous")
    module.previous = previous  # what `from ntro.workflow.task import previous` leaves

    class UsesPrevious:
        pass

    UsesPrevious.__module__ = module.__name__
    module.UsesPrevious = UsesPrevious
    monkeypatch.setitem(sys.modules, module.__name__, module)
    names = {a.__temporal_activity_definition.name for a in activities_near([UsesPrevious])}
    assert {"ntro.task.load_previous_task", "ntro.task.find_committed_document"} <= names
    module.previous = None
    assert activities_near([UsesPrevious]) == []
