"""The one way to send a decision: the ``submit_action`` update, checked once, retried safely.

The workflow's update validator is the judge (unknown action, a correction to a missing row,
a stale gate); what is checked here is what Temporal or JSON cannot carry: a decision over
``MAX_DECISION_BYTES`` and numbers that are not finite (NaN and infinity are not JSON, and a
correction to ``inf`` is never what a reviewer meant).

The update id stays the same across attempts, so a retry after a lost answer (a cluster that
drops out mid-send, or the test server that forgets an update it accepted) is applied once.
"""

from __future__ import annotations

import asyncio
import math
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
from ntro.workflow import MAX_DECISION_BYTES, PayloadTooLarge, ensure_sendable

__all__ = ["DECISION_ATTEMPTS", "check_decision", "send_decision"]

DECISION_ATTEMPTS = 4
_FIRST_DELAY_S = 0.5


def _non_finite(value: Any, path: str) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path} ({value})"
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _non_finite(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _non_finite(item, f"{path}[{index}]")
            if found:
                return found
    return None


def check_decision(decision: Any, *, workflow_id: str = "", what: str = "the decision") -> None:
    """Raise :class:`DecisionNotSendable` if ``decision`` cannot travel as sent."""
    try:
        ensure_sendable(decision, what, MAX_DECISION_BYTES)
    except PayloadTooLarge as err:
        raise DecisionNotSendable(workflow_id, str(err)) from None
    found = _non_finite(decision, "")
    if found:
        raise DecisionNotSendable(
            workflow_id,
            f"{what} holds a number that is not finite at {found}; send a finite number, or "
            f"null to clear the value",
        )


def _reason(err: BaseException) -> str:
    cause = getattr(err, "cause", None)
    text = getattr(cause, "message", None) or (str(cause) if cause else "") or str(err)
    return " ".join(text.split())


def _lost(err: RPCError) -> bool:
    """The server lost track of an update it was given ("update ... not found")."""
    return err.status == RPCStatusCode.NOT_FOUND and "update" in (err.message or "").lower()


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
    check_decision(payload, workflow_id=workflow_id, what=what)
    update_id = update_id or f"ntro-{uuid.uuid4().hex}"
    delay = backoff
    last = ""
    for attempt in range(attempts):
        try:
            return await handle.execute_update(
                "submit_action", payload, id=update_id, rpc_timeout=rpc_timeout
            )
        except WorkflowUpdateFailedError as err:
            raise DecisionRefused(workflow_id, _reason(err)) from None
        except RPCTimeoutOrCancelledError:
            last = "no answer in time"
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND and not _lost(err):
                raise WorkflowNotFound(
                    f"no workflow with id {workflow_id!r}: check the id (`ntro workflow ls` "
                    f"lists them)"
                ) from None
            if not (
                _lost(err)
                or err.status
                in (
                    RPCStatusCode.UNAVAILABLE,
                    RPCStatusCode.DEADLINE_EXCEEDED,
                )
            ):
                raise ClusterError(
                    f"Temporal refused {what} for {workflow_id}: {' '.join(err.message.split())}"
                ) from None
            if err.status == RPCStatusCode.UNAVAILABLE and attempt == attempts - 1:
                raise ClusterUnreachable(
                    f"cannot reach the cluster to send {what} to {workflow_id}: "
                    f"{' '.join(err.message.split())}. Retry when it is back: the decision is "
                    f"applied once (update id {update_id})"
                ) from None
            last = " ".join(err.message.split())
        if attempt < attempts - 1:
            await asyncio.sleep(delay)
            delay *= 2
    raise DecisionUndelivered(
        workflow_id,
        f"{workflow_id} did not answer {what} after {attempts} attempts ({last}); it may "
        f"still be applied, once (update id {update_id}). Check `ntro workflow show "
        f"{workflow_id}`",
        update_id=update_id,
    )
