"""Why a workflow did not answer: closed, or a workflow task that keeps failing.

A query that times out, an update Temporal refuses "due to Workflow Task in failed state", a
decision that waits for a worker: each looks the same from the request, yet the fix differs (start
the worker, or fix the runbook's code). One ``DescribeWorkflowExecution`` (server only, no worker)
and, when the task is failing, the last ``WorkflowTaskFailed`` event of its history say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio.api.common.v1 import WorkflowExecution as ExecutionRef
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryReverseRequest
from temporalio.client import Client, WorkflowExecutionStatus

__all__ = ["RunCondition", "run_condition"]

DIAGNOSE_TIMEOUT = timedelta(seconds=5)
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class RunCondition:
    """What the server knows of a run: its status, and why its task fails if it does."""

    status: str
    task_failing: str | None = None

    @property
    def closed(self) -> bool:
        return self.status != "RUNNING"


def _bounded(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 3] + "..."


async def run_condition(
    client: Client, workflow_id: str, run_id: str | None
) -> RunCondition | None:
    """The run's condition, or None when the server cannot say (then report the first error)."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    try:
        described = await handle.describe(rpc_timeout=DIAGNOSE_TIMEOUT)
    except Exception:  # the caller reports its own error; this is only a better explanation
        return None
    status = described.status.name if described.status else "UNKNOWN"
    if described.status != WorkflowExecutionStatus.RUNNING:
        return RunCondition(status)
    attempt = described.raw_description.pending_workflow_task.attempt
    if attempt < 2:
        return RunCondition(status)
    reason = "no reason recorded"
    try:
        response = await client.workflow_service.get_workflow_execution_history_reverse(
            GetWorkflowExecutionHistoryReverseRequest(
                namespace=client.namespace,
                execution=ExecutionRef(workflow_id=workflow_id, run_id=described.run_id),
                maximum_page_size=100,
            ),
            retry=False,
            timeout=DIAGNOSE_TIMEOUT,
        )
        for event in response.history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                failure = event.workflow_task_failed_event_attributes.failure
                reason = failure.message or "no reason recorded"
                break
    except Exception:  # the attempt count alone still says the task is failing
        pass
    return RunCondition(status, task_failing=f"attempt {attempt}: {_bounded(reason)}")
