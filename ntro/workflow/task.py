"""What earlier runs of a runbook left: the previous task's output and committed documents.

Workflow code calls :func:`previous` / :func:`find_committed_document` (each runs one activity,
so the answer is recorded in history and replays deterministically); the activities read the
tenant's data plane:

- a *finished run* is a row of ``system.task_runs``, written by :func:`record_task_run` (call
  it at the end of ``run`` with what later periods need);
- a *committed document* is an extraction stored with
  :func:`ntro.ingest.insert_extracted_document` by a run of that workflow that finished.

Nothing is canned: with no earlier run, both return ``None``. Runbooks that use these get the
activities registered with their own (``activities_near`` follows ``__ntro_activities__``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import temporalio.activity
from pydantic import BaseModel

from ntro.data import get_data_plane
from ntro.workflow._facade import runbook

__all__ = [
    "FindCommittedDocumentRequest",
    "LoadPreviousTaskRequest",
    "PreviousTaskHandle",
    "RecordTaskRunRequest",
    "find_committed_document",
    "find_committed_document_activity",
    "load_previous_task_activity",
    "previous",
    "record_task_run",
    "record_task_run_activity",
]

_TIMEOUT = timedelta(seconds=60)


class PreviousTaskHandle(BaseModel):
    """A finished run: its task (workflow) id, period and the output it recorded."""

    task_id: str
    period: str | None = None
    output: Any = None

    def extract(self, fields: Iterable[str] | str) -> dict[str, Any]:
        """The named fields of the output (dotted paths reach into nested objects); a field
        the output lacks is ``None``."""
        names = [fields] if isinstance(fields, str) else list(fields)
        found: dict[str, Any] = {}
        for name in names:
            current: Any = self.output
            for part in name.split("."):
                current = current.get(part) if isinstance(current, dict) else None
            found[name] = current
        return found


class LoadPreviousTaskRequest(BaseModel):
    workflow_slug: str
    entity_id: str
    before_period: str | None = None
    tenant_slug: str | None = None


class FindCommittedDocumentRequest(BaseModel):
    workflow_slug: str
    entity_id: str
    source: str
    before_period: str | None = None
    tenant_slug: str | None = None


class RecordTaskRunRequest(BaseModel):
    task_id: str
    workflow_slug: str
    entity_id: str
    period: str | None = None
    status: str = "completed"
    output: Any = None
    tenant_slug: str | None = None


@temporalio.activity.defn(name="ntro.task.load_previous_task")
async def load_previous_task_activity(
    request: LoadPreviousTaskRequest,
) -> PreviousTaskHandle | None:
    """The latest finished run of the workflow for the entity (before a period, if given)."""
    db = await get_data_plane(request.tenant_slug)
    row = await db.fetchrow(
        "SELECT task_id, period, output FROM system.task_runs "
        "WHERE workflow_slug = $1 AND entity_id = $2 AND status = 'completed' "
        "AND ($3::text IS NULL OR period < $3) "
        "ORDER BY period DESC NULLS LAST, finished_at DESC LIMIT 1",
        request.workflow_slug,
        request.entity_id,
        request.before_period,
    )
    if row is None:
        return None
    return PreviousTaskHandle(task_id=row["task_id"], period=row["period"], output=row["output"])


@temporalio.activity.defn(name="ntro.task.find_committed_document")
async def find_committed_document_activity(
    request: FindCommittedDocumentRequest,
) -> dict[str, Any] | None:
    """The latest extraction from ``source`` committed by a finished run of the workflow."""
    db = await get_data_plane(request.tenant_slug)
    row = await db.fetchrow(
        "SELECT e.id::text AS id, e.entity_slug, e.period, e.source, e.document_ref, "
        "e.schema_slug, e.payload, e.corrections, e.task_id, e.created_at "
        "FROM ingest.extracted_payloads e JOIN system.task_runs r ON r.task_id = e.task_id "
        "WHERE r.workflow_slug = $1 AND r.status = 'completed' AND e.entity_slug = $2 "
        "AND e.source = $3 AND ($4::text IS NULL OR e.period < $4) "
        "ORDER BY e.period DESC NULLS LAST, e.created_at DESC LIMIT 1",
        request.workflow_slug,
        request.entity_id,
        request.source,
        request.before_period,
    )
    if row is None:
        return None
    found = dict(row)
    found["created_at"] = found["created_at"].isoformat()
    return found


@temporalio.activity.defn(name="ntro.task.record_task_run")
async def record_task_run_activity(request: RecordTaskRunRequest) -> None:
    """Record (or update) a run's outcome; the same task id twice keeps one row."""
    db = await get_data_plane(request.tenant_slug)
    await db.execute(
        "INSERT INTO system.task_runs (task_id, workflow_slug, entity_id, period, status, output) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id) DO UPDATE SET "
        "workflow_slug = EXCLUDED.workflow_slug, entity_id = EXCLUDED.entity_id, "
        "period = EXCLUDED.period, status = EXCLUDED.status, output = EXCLUDED.output, "
        "finished_at = now()",
        request.task_id,
        request.workflow_slug,
        request.entity_id,
        request.period,
        request.status,
        request.output,
    )


async def previous(
    *,
    workflow_slug: str,
    entity_id: str,
    before_period: str | None = None,
    tenant_slug: str | None = None,
) -> PreviousTaskHandle | None:
    """From workflow code: the latest finished run of ``workflow_slug`` for ``entity_id``."""
    return await runbook.execute_activity(
        load_previous_task_activity,
        LoadPreviousTaskRequest(
            workflow_slug=workflow_slug,
            entity_id=entity_id,
            before_period=before_period,
            tenant_slug=tenant_slug,
        ),
        start_to_close_timeout=_TIMEOUT,
    )


async def find_committed_document(
    *,
    workflow_slug: str,
    entity_id: str,
    source: str,
    before_period: str | None = None,
    tenant_slug: str | None = None,
) -> dict[str, Any] | None:
    """From workflow code: the latest committed extraction from ``source`` (or ``None``)."""
    return await runbook.execute_activity(
        find_committed_document_activity,
        FindCommittedDocumentRequest(
            workflow_slug=workflow_slug,
            entity_id=entity_id,
            source=source,
            before_period=before_period,
            tenant_slug=tenant_slug,
        ),
        start_to_close_timeout=_TIMEOUT,
    )


async def record_task_run(
    *,
    workflow_slug: str,
    entity_id: str,
    period: str | None,
    output: Any,
    status: str = "completed",
    tenant_slug: str | None = None,
) -> None:
    """From workflow code: record this run (task id = workflow id) for later periods."""
    await runbook.execute_activity(
        record_task_run_activity,
        RecordTaskRunRequest(
            task_id=runbook.info().workflow_id,
            workflow_slug=workflow_slug,
            entity_id=entity_id,
            period=period,
            status=status,
            output=output,
            tenant_slug=tenant_slug,
        ),
        start_to_close_timeout=_TIMEOUT,
    )


#: the activities a worker needs for the calls above (found by ``activities_near``)
__ntro_activities__: list[Any] = [
    load_previous_task_activity,
    find_committed_document_activity,
    record_task_run_activity,
]
