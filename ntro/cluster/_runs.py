"""Runs on a cluster: start one, list them, show one, decide or upload at its open gate.

What ``ntro workflow run|ls|show|approve|reject|upload`` do, as async functions of a
``temporalio`` client (from :func:`ntro.cluster.connect`). Decisions go through
:func:`ntro.cluster.send_decision`, the path the widgets use; uploads are stored in the document
store the upload panel uses, and only their ``document_ref`` travels to the workflow.

Each run started here carries a memo (``ntro_slug``, ``ntro_entity``, ``ntro_period``) read
from its input, so runs can be listed by runbook, entity and period on any cluster, with no
search attributes to register first.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from ntro.cluster._config import CALL_TIMEOUT
from ntro.cluster._connect import describe_connect_failure, is_unreachable
from ntro.cluster._decisions import send_decision
from ntro.cluster._errors import (
    ClusterError,
    ClusterUnreachable,
    GateNotOpen,
    WorkflowNotFound,
)
from ntro.cluster._identity import resolve_reviewer
from ntro.cluster._runbooks import RunbookRef, validate_input
from ntro.cluster._visibility import ReviewFilter, pending_reviews, row_pending
from ntro.types import Correction
from ntro.workflow import PERSON_KINDS

__all__ = [
    "PERSON_KINDS",
    "QUERY_TIMEOUT",
    "RunSummary",
    "decide",
    "list_runs",
    "run_memo",
    "show_run",
    "start_run",
    "upload_document",
    "wait_result",
    "waiting_for",
]

QUERY_TIMEOUT = timedelta(seconds=5)
_ENTITY_KEYS = ("entity", "entity_id_or_slug", "entity_slug", "entity_id")
_WAIT_WORDS = {
    "interactive_review": "a review",
    "submit_file": "an upload",
    "submit_files": "several uploads",
    "drill_down": "child runbooks",
}


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _rpc_error(err: RPCError, workflow_id: str) -> ClusterError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return WorkflowNotFound(
            f"no workflow with id {workflow_id!r}: check the id (`ntro workflow ls` lists them)"
        )
    if is_unreachable(err) or err.status == RPCStatusCode.CANCELLED:
        return ClusterUnreachable(
            f"the cluster did not answer for {workflow_id}: "
            f"{describe_connect_failure(err.message)}; it may be overloaded or down, try again"
        )
    return ClusterError(f"Temporal refused the request for {workflow_id}: {_one_line(err.message)}")


def waiting_for(pending: dict[str, Any] | None) -> str:
    """``a review in step 'review' (Check the lines)``, or ``nothing``."""
    if not pending:
        return "nothing"
    kind = str(pending.get("kind"))
    text = _WAIT_WORDS.get(kind, kind)
    if pending.get("step_id"):
        text += f" in step {pending['step_id']!r}"
    if pending.get("reason"):
        text += f" ({_one_line(pending['reason'])})"
    return text


def run_memo(slug: str, data: Any, entity: str | None = None) -> dict[str, str]:
    """The memo a run carries: its runbook, entity and period (from ``data`` when present)."""
    memo = {"ntro_slug": slug}
    fields = data if isinstance(data, dict) else {}
    found = entity or next((str(fields[k]) for k in _ENTITY_KEYS if fields.get(k)), None)
    if found:
        memo["ntro_entity"] = found
    if fields.get("period"):
        memo["ntro_period"] = str(fields["period"])
    return memo


async def start_run(
    client: Client,
    runbook: RunbookRef,
    input: Any = None,
    *,
    workflow_id: str | None = None,
    entity: str | None = None,
    task_queue: str | None = None,
) -> WorkflowHandle[Any, Any]:
    """Validate ``input`` against the runbook's model and start a run on its task queue
    (or ``task_queue``, when the workers were started with ``--task-queue``)."""
    data = validate_input(runbook, input)
    memo = run_memo(runbook.slug, data, entity)
    if workflow_id is None:
        parts = [runbook.slug, memo.get("ntro_entity"), memo.get("ntro_period")]
        workflow_id = "-".join(p for p in parts if p) + f"-{uuid.uuid4().hex[:8]}"
    try:
        return await client.start_workflow(
            runbook.workflow_type,
            args=[data] if runbook.takes_input else [],
            id=workflow_id,
            task_queue=task_queue or runbook.task_queue,
            memo=memo,
            rpc_timeout=CALL_TIMEOUT,
        )
    except WorkflowAlreadyStartedError:
        raise ClusterError(
            f"a workflow with id {workflow_id!r} is already running: pick another --id, or "
            f"leave it out for a new one"
        ) from None
    except RPCError as err:
        raise _rpc_error(err, workflow_id) from None


async def wait_result(handle: WorkflowHandle[Any, Any]) -> Any:
    """The run's result once it ends; a failed run is a :class:`ClusterError` with its causes."""
    try:
        return await handle.result()
    except WorkflowFailureError as err:
        causes: list[str] = []
        cause: BaseException | None = err.cause
        while cause is not None:
            text = _one_line(getattr(cause, "message", None) or cause)
            if text and text not in causes:
                causes.append(text)
            cause = getattr(cause, "cause", None)
        raise ClusterError(
            f"{handle.id} failed: {': '.join(causes) or 'no reason given'}"
        ) from None
    except RPCError as err:
        raise _rpc_error(err, handle.id) from None


@dataclass
class RunSummary:
    """One line of ``ntro workflow ls``."""

    workflow_id: str
    run_id: str | None
    workflow_type: str
    status: str
    slug: str | None = None
    entity: str | None = None
    period: str | None = None
    start_time: datetime | None = None
    close_time: datetime | None = None
    pending: dict[str, Any] | None = None
    unanswered: str | None = None

    @property
    def waits_for_person(self) -> bool:
        return bool(self.pending) and (self.pending or {}).get("kind") in PERSON_KINDS

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("start_time", "close_time"):
            data[key] = data[key].isoformat() if data[key] else None
        data["waiting_for"] = waiting_for(self.pending) if self.pending else None
        return data


def _status(status: WorkflowExecutionStatus | None) -> str:
    return status.name.lower() if status is not None else "unknown"


async def _state(handle: WorkflowHandle[Any, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """``(current_ui_state, None)`` or ``(None, why nobody answered)``."""
    try:
        state = await handle.query("current_ui_state", rpc_timeout=QUERY_TIMEOUT)
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as err:
        return None, f"not a runbook view: {_one_line(getattr(err, 'message', err))}"
    except RPCTimeoutOrCancelledError:
        return None, "no worker answered (is `ntro worker` running for it?)"
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise _rpc_error(err, handle.id) from None
        if err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
            return None, "no worker answered (is `ntro worker` running for it?)"
        raise _rpc_error(err, handle.id) from None
    return (state if isinstance(state, dict) else None), None


async def list_runs(
    client: Client,
    *,
    pending: bool = False,
    slug: str | None = None,
    entity: str | None = None,
    period: str | None = None,
    limit: int = 50,
    older_than_s: float | None = None,
    assigned_to: Sequence[str] = (),
) -> list[RunSummary]:
    """Runs, newest first; ``pending``: runs waiting for a person, oldest gate first, read
    from the cluster's visibility list (no worker asked; see :func:`pending_reviews`), also
    filtered by age and by who may decide (``assigned_to``: reviewers, ``role:NAME``)."""
    if pending:
        wanted = ReviewFilter(
            runbook=slug,
            entity=entity,
            period=period,
            older_than_s=older_than_s,
            assigned_to=tuple(assigned_to),
        )
        return await _pending_runs(client, wanted, limit)
    query = "ExecutionStatus != 'ContinuedAsNew'"
    found: list[RunSummary] = []
    try:
        async for execution in client.list_workflows(query, rpc_timeout=CALL_TIMEOUT):
            memo = await execution.memo()
            summary = RunSummary(
                workflow_id=execution.id,
                run_id=execution.run_id,
                workflow_type=execution.workflow_type,
                status=_status(execution.status),
                slug=memo.get("ntro_slug"),
                entity=memo.get("ntro_entity"),
                period=memo.get("ntro_period"),
                start_time=execution.start_time,
                close_time=execution.close_time,
            )
            if slug and summary.slug != slug:
                continue
            if entity and summary.entity != entity:
                continue
            if period and summary.period != period:
                continue
            found.append(summary)
            if len(found) >= limit:
                break
    except RPCError as err:
        raise _rpc_error(err, "the list") from None
    running = [s for s in found if s.status == "running"]
    states = await asyncio.gather(
        *(_state(client.get_workflow_handle(s.workflow_id, run_id=s.run_id)) for s in running)
    )
    for summary, (state, why) in zip(running, states, strict=True):
        summary.pending = (state or {}).get("pending_action")
        summary.unanswered = why
    return found


async def _pending_runs(client: Client, wanted: ReviewFilter, limit: int) -> list[RunSummary]:
    try:
        rows = await pending_reviews(client, wanted, limit=limit)
    except RPCError as err:
        raise _rpc_error(err, "the list") from None
    return [
        RunSummary(
            workflow_id=row["workflow_id"],
            run_id=row["run_id"],
            workflow_type=row["workflow_type"],
            status="running",
            slug=row["runbook"],
            entity=row["entity"],
            period=row["period"],
            start_time=datetime.fromisoformat(row["started_at"].replace("Z", "+00:00"))
            if row["started_at"]
            else None,
            pending=row_pending(row),
            unanswered=f"no worker polls task queue {row['task_queue']!r}"
            if row["worker_down"]
            else None,
        )
        for row in rows
    ]


async def show_run(client: Client, workflow_id: str) -> dict[str, Any]:
    """Status, breadcrumb, open gate, audit trail and result of one run (JSON-ready)."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        described = await handle.describe(rpc_timeout=CALL_TIMEOUT)
    except RPCError as err:
        raise _rpc_error(err, workflow_id) from None
    memo = await described.memo()
    status = _status(described.status)
    state, why = await _state(handle)
    view: dict[str, Any] = {
        "workflow_id": workflow_id,
        "run_id": described.run_id,
        "workflow_type": described.workflow_type,
        "task_queue": described.task_queue,
        "status": status,
        "slug": memo.get("ntro_slug") or (state or {}).get("slug"),
        "entity": memo.get("ntro_entity"),
        "period": memo.get("ntro_period"),
        "start_time": described.start_time.isoformat() if described.start_time else None,
        "close_time": described.close_time.isoformat() if described.close_time else None,
        "steps": (state or {}).get("steps") or [],
        "pending_action": (state or {}).get("pending_action"),
        "waiting_for": waiting_for((state or {}).get("pending_action")) if state else None,
        "audit_trail": (state or {}).get("audit_trail") or [],
        "error": (state or {}).get("error"),
        "unanswered": why,
    }
    if status == "completed":
        try:
            view["result"] = await handle.result(rpc_timeout=CALL_TIMEOUT)
        except Exception as err:  # noqa: BLE001 - the view stays useful without it
            view["result_error"] = _one_line(err)
    return view


async def _open_gate(
    client: Client, workflow_id: str, kinds: Sequence[str], doing: str
) -> dict[str, Any]:
    handle = client.get_workflow_handle(workflow_id)
    state, why = await _state(handle)
    if state is None:
        try:
            described = await handle.describe(rpc_timeout=CALL_TIMEOUT)
        except RPCError as err:
            raise _rpc_error(err, workflow_id) from None
        if described.status != WorkflowExecutionStatus.RUNNING:
            raise GateNotOpen(
                f"{workflow_id} has {_status(described.status)}: there is nothing to {doing}"
            )
        raise GateNotOpen(f"cannot {doing} {workflow_id}: {why}; nothing was sent")
    if state.get("status") not in (None, "running"):
        raise GateNotOpen(f"{workflow_id} has {state.get('status')}: there is nothing to {doing}")
    pending = state.get("pending_action")
    if not pending or pending.get("kind") not in kinds:
        raise GateNotOpen(
            f"{workflow_id} waits for {waiting_for(pending)}, not for what `{doing}` sends; "
            f"nothing was sent (see `ntro workflow show {workflow_id}`)"
        )
    return dict(pending)


def _corrections(raw: Sequence[Any]) -> list[dict[str, Any]]:
    fixed = []
    for index, item in enumerate(raw):
        try:
            fixed.append(Correction.model_validate(item).model_dump())
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in err.errors()
            )
            raise ClusterError(
                f"correction #{index + 1} is not {{line_item_id, field, new_value}}: {problems}"
            ) from None
    return fixed


async def decide(
    client: Client,
    workflow_id: str,
    action: str,
    *,
    corrections: Sequence[Any] = (),
    comment: str | None = None,
    reviewer: str | None = None,
) -> dict[str, Any]:
    """Approve (with ``corrections``) or reject the open review of ``workflow_id``.

    Returns ``{workflow_id, step_id, gate_id, action, reviewer, corrections, result}``.
    """
    if action not in ("approve", "reject"):
        raise ClusterError(f"unknown decision {action!r}: use approve or reject")
    who = resolve_reviewer(reviewer).name
    fixed = _corrections(corrections) if action == "approve" else []
    if action == "reject" and corrections:
        raise ClusterError("a rejection carries no corrections: drop --corrections, or approve")
    pending = await _open_gate(client, workflow_id, ("interactive_review",), action)
    decision: dict[str, Any] = {
        "action": "correct" if fixed else action,
        "corrections": fixed,
        "reviewer": who,
        "gate_id": pending.get("gate_id"),
    }
    if comment and comment.strip():
        decision["comment"] = comment.strip()
    result = await send_decision(client.get_workflow_handle(workflow_id), decision)
    return {
        "workflow_id": workflow_id,
        "step_id": pending.get("step_id"),
        "gate_id": pending.get("gate_id"),
        "action": decision["action"],
        "reviewer": who,
        "corrections": fixed,
        "result": result,
    }


def _slot(pending: dict[str, Any], slot: str | None) -> dict[str, Any]:
    config = ((pending.get("display_hint") or {}).get("config")) or {}
    expected = config.get("expected") or (pending.get("args") or {}).get("expected") or []
    slots = [{"source": s} if isinstance(s, str) else dict(s) for s in expected]
    names = [str(s.get("source") or s.get("slug")) for s in slots]
    if slot is None:
        raise GateNotOpen(
            f"{pending.get('workflow_id') or 'this run'} waits for several uploads "
            f"({', '.join(names)}): pass --slot NAME"
        )
    for item, name in zip(slots, names, strict=True):
        if name == slot:
            return item
    raise GateNotOpen(f"no expected document {slot!r}; the gate expects: {', '.join(names)}")


async def upload_document(
    client: Client,
    workflow_id: str,
    file: str | Path,
    *,
    signal: str | None = None,
    slot: str | None = None,
    reviewer: str | None = None,
    store: Any = None,
) -> dict[str, Any]:
    """Store ``file`` as the upload panel does and signal the open upload gate with its ref.

    ``store`` defaults to :class:`ntro.documents.DocumentStore` (the tenant data plane, or the
    ``NTRO_DOCUMENT_STORE`` folder), with the panel's metadata.
    """
    from ntro.documents import DocumentStore

    path = Path(file).expanduser()
    if not path.is_file():
        raise ClusterError(f"{path}: no such file; pass the path of the document to upload")
    who = resolve_reviewer(reviewer).name
    pending = await _open_gate(client, workflow_id, ("submit_file", "submit_files"), "upload")
    pending.setdefault("workflow_id", workflow_id)
    args = dict(pending.get("args") or {})
    config = ((pending.get("display_hint") or {}).get("config")) or {}
    chosen = _slot(pending, slot) if pending.get("kind") == "submit_files" else {}
    source = chosen.get("source") or args.get("source") or config.get("source")
    schema = chosen.get("schema_slug") or args.get("schema_slug") or config.get("schema_slug")
    target = str(chosen.get("signal_task_id") or args.get("signal_task_id") or workflow_id)
    name = signal or chosen.get("signal_name") or args.get("signal_name")
    if not name:
        raise GateNotOpen(
            f"{workflow_id}'s upload gate names no signal (args.signal_name): pass --signal NAME"
        )
    metadata = {
        k: v
        for k, v in {
            "workflow_id": workflow_id,
            "gate_id": pending.get("gate_id"),
            "source": source,
            "schema_slug": schema,
            "uploaded_by": who,
            "entity_id_or_slug": args.get("entity_id_or_slug") or config.get("entity_id_or_slug"),
        }.items()
        if v is not None
    }
    # The store may write to the data plane through its own loop: not on this one.
    ref = await asyncio.to_thread(
        (store or DocumentStore()).put, path.read_bytes(), path.name, None, metadata
    )
    document = {
        "document_ref": ref.document_ref,
        "filename": ref.filename,
        "size": ref.size,
        "content_type": ref.content_type,
        "source": source,
        "schema_slug": schema,
        "tenant_id_or_slug": args.get("tenant_id_or_slug") or config.get("tenant_id_or_slug"),
        "entity_id_or_slug": args.get("entity_id_or_slug") or config.get("entity_id_or_slug"),
    }
    try:
        await client.get_workflow_handle(target).signal(
            str(name), document, rpc_timeout=CALL_TIMEOUT
        )
    except RPCError as err:
        raise _rpc_error(err, target) from None
    return {
        "workflow_id": workflow_id,
        "signal_task_id": target,
        "signal_name": str(name),
        "uploaded_by": who,
        "document": document,
    }
