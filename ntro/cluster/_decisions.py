"""The one way to send a decision: the ``submit_action`` update, checked once, retried safely.

Used by every caller that decides: the CLI (``ntro workflow approve``), the kernel session (its
widgets and ``%ntro approve``), the JupyterLab server extension (the inbox) and the test harness.

The workflow's update validator is the judge (unknown action, a correction to a missing row,
a stale gate); what is checked here, before sending, is the decision contract's input check
(:func:`ntro.workflow.check_decision_input`, the same one the workflow runs first): numbers that
are not finite (NaN and infinity are not JSON, and a correction to ``inf`` is never what a
reviewer meant), nesting deeper than ``MAX_DECISION_DEPTH`` and more than ``MAX_DECISION_BYTES``.

Retry rule (one for all callers): the update id stays the same across attempts, so a retry is
applied once. Transient failures are retried, at most ``attempts`` times with a doubling pause:
no answer in time, the cluster unavailable, or the server losing track of an update it was given
("update ... not found", the test server does). Anything else is final at once; the Temporal
error it came from is kept as ``__cause__`` for a caller with words of its own for it (the
server extension's HTTP statuses).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from temporalio.client import (
    RPCTimeoutOrCancelledError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError, RPCStatusCode

from ntro.cluster._config import CALL_TIMEOUT
from ntro.cluster._errors import (
    ClusterError,
    ClusterUnreachable,
    DecisionNotSendable,
    DecisionRefused,
    DecisionUndelivered,
    WorkflowNotFound,
)
from ntro.workflow import InvalidDecision, check_decision_input

__all__ = ["DECISION_ATTEMPTS", "check_decision", "send_decision"]

DECISION_ATTEMPTS = 4
_FIRST_DELAY_S = 0.5


def check_decision(decision: Any, *, workflow_id: str = "") -> None:
    """Raise :class:`DecisionNotSendable` if ``decision`` cannot travel as sent."""
    try:
        check_decision_input(decision)
    except InvalidDecision as err:
        raise DecisionNotSendable(workflow_id, err.message) from None


def _reason(err: BaseException) -> str:
    cause = getattr(err, "cause", None)
    text = getattr(cause, "message", None) or (str(cause) if cause else "") or str(err)
    return " ".join(text.split())


def _lost(err: RPCError) -> bool:
    """The server lost track of an update it was given ("update ... not found"); not an update
    "aborted by closing workflow", which is final."""
    message = (err.message or "").lower()
    return err.status == RPCStatusCode.NOT_FOUND and "update" in message and "not found" in message


def _transient(err: RPCError) -> bool:
    return _lost(err) or err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


def _final(err: RPCError, workflow_id: str, what: str) -> ClusterError:
    """The error for an RPC refusal that no retry changes."""
    if err.status == RPCStatusCode.NOT_FOUND and "aborted" not in (err.message or "").lower():
        return WorkflowNotFound(f"no workflow with id {workflow_id!r}: check the id")
    return ClusterError(f"Temporal refused {what} for {workflow_id}: {_one_line(err.message)}")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


async def send_decision(
    handle: WorkflowHandle[Any, Any],
    decision: Mapping[str, Any],
    *,
    update_id: str | None = None,
    attempts: int = DECISION_ATTEMPTS,
    rpc_timeout: timedelta | None = CALL_TIMEOUT,
    what: str = "the decision",
    backoff: float = _FIRST_DELAY_S,
) -> Any:
    """Send ``decision`` (or a row action) to ``handle`` and return the update's result.

    Raises :class:`DecisionNotSendable` (checked here), :class:`DecisionRefused` (the
    workflow's validator), :class:`WorkflowNotFound`, :class:`ClusterUnreachable` or
    :class:`DecisionUndelivered` (no answer after ``attempts``, it may still apply once).
    ``backoff`` is the first pause between attempts (doubled each time; 0 for a test server
    that only loses updates).
    """
    workflow_id = handle.id
    payload = dict(decision)
    check_decision(payload, workflow_id=workflow_id)
    update_id = update_id or f"ntro-{uuid.uuid4().hex}"
    delay = backoff
    last = ""
    for attempt in range(attempts):
        try:
            return await handle.execute_update(
                "submit_action", payload, id=update_id, rpc_timeout=rpc_timeout
            )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            raise DecisionRefused(
                workflow_id, _reason(err), error_type=getattr(cause, "type", None)
            ) from None
        except RPCTimeoutOrCancelledError:
            last = "no answer in time"
        except RPCError as err:
            if not _transient(err):
                raise _final(err, workflow_id, what) from err
            if err.status == RPCStatusCode.UNAVAILABLE and attempt == attempts - 1:
                raise ClusterUnreachable(
                    f"cannot reach the cluster to send {what} to {workflow_id}: "
                    f"{_one_line(err.message)}. Retry when it is back: the decision is "
                    f"applied once (update id {update_id})",
                    detail=err.message,
                ) from err
            last = _one_line(err.message)
        if attempt < attempts - 1:
            await asyncio.sleep(delay)
            delay *= 2
    raise DecisionUndelivered(
        workflow_id,
        f"{workflow_id} did not answer {what} after {attempts} attempts ({last}); it may "
        f"still be applied, once (update id {update_id}). Check the run's history before "
        f"deciding again",
        update_id=update_id,
    )
