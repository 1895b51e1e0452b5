"""Driving a run by hand in tests, the way the notebook and the inbox do: read the run's
``current_ui_state``, send the upload gate's signal, decide reviews with the ``submit_action``
update. No workflow internals are touched.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from temporalio.client import Client, WorkflowHandle

from ntro.documents import DocumentStore


async def wait_for_state(
    handle: WorkflowHandle[Any, Any],
    predicate: Callable[[dict[str, Any]], bool],
    timeout: float = 20.0,
    what: str = "the expected state",
) -> dict[str, Any]:
    """Query ``current_ui_state`` until ``predicate`` holds; fail with the last state seen."""
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = await handle.query("current_ui_state")
        if predicate(state):
            return state
        if state.get("status") in ("completed", "failed"):
            break
        await asyncio.sleep(0.02)
    pending = state.get("pending_action") or {}
    raise AssertionError(
        f"{handle.id} never reached {what}; it is {state.get('status')} in step "
        f"{state.get('current_step_id')!r} waiting for {pending.get('kind')} "
        f"({pending.get('reason')}); error: {state.get('error')}"
    )


def checks_running(pending: dict[str, Any]) -> list[str]:
    """The titles of the open gate's quality checks (``checks_spec``) still running."""
    return [
        str(check.get("title") or check.get("id"))
        for check in pending.get("checks") or []
        if isinstance(check, dict) and check.get("status") == "running"
    ]


def gate(kind: str, step: str | None = None) -> Callable[[dict[str, Any]], bool]:
    """A predicate: the run waits at a ``kind`` gate (in ``step``) and none of the gate's
    quality checks is still running (the workflow refuses an approval until they end, and a
    reviewer sees their outcome before deciding)."""

    def waiting(state: dict[str, Any]) -> bool:
        pending = state.get("pending_action") or {}
        return (
            pending.get("kind") == kind
            and (step is None or pending.get("step_id") == step)
            and not checks_running(pending)
        )

    return waiting


async def upload(
    client: Client,
    state: dict[str, Any],
    store: DocumentStore,
    data: bytes,
    filename: str,
    uploaded_by: str = "preparer@acme.example",
) -> str:
    """What the upload panel does: store the file, signal its ref to the gate's workflow."""
    pending = state["pending_action"]
    args = pending["args"]
    ref = store.put(
        data, filename, metadata={"source": args.get("source"), "uploaded_by": uploaded_by}
    )
    target = client.get_workflow_handle(args.get("signal_task_id") or state["workflow_id"])
    await target.signal(
        args["signal_name"],
        {
            "document_ref": ref.document_ref,
            "filename": ref.filename,
            "content_type": ref.content_type,
            "size": ref.size,
            "source": args.get("source"),
            "schema_slug": args.get("schema_slug"),
            "uploaded_by": uploaded_by,
        },
    )
    return ref.document_ref


async def decide(
    handle: WorkflowHandle[Any, Any],
    state: dict[str, Any],
    action: str,
    *,
    corrections: list[dict[str, Any]] | None = None,
    comment: str | None = None,
    reviewer: str = "reviewer@acme.example",
) -> dict[str, Any]:
    """What the review panel does: the ``submit_action`` update for the open gate."""
    pending = state["pending_action"]
    return await handle.execute_update(
        "submit_action",
        {
            "action": action,
            "corrections": corrections or [],
            "comment": comment,
            "reviewer": reviewer,
            "gate_id": pending["gate_id"],
        },
    )


def rows(state: dict[str, Any], dataset: str = "lines") -> dict[str, dict[str, Any]]:
    """The open gate's rows of ``dataset`` by id."""
    return {row["line_item_id"]: row for row in state["pending_action"]["payload"][dataset]}
