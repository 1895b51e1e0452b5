"""An approval waits for its gate's quality checks: what the session does before it sends one.

Why: a gate opened with ``checks_spec`` lists its checks ``running`` until their activities
end, and the workflow refuses an approval while one runs ("1 of 2 checks still running ...").
A reviewer who approves from a notebook (a widget, ``%ntro approve``, ``session.approve``)
right as the review opens should not be refused for being quick: the session polls the run's
state until none runs, then sends. It gives up after a bounded time with a
:class:`SessionError` naming how many still run, and sends nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ntro.workflow import InvalidDecision, parse_decision
from ntro_jupyter._session._errors import SessionError

#: How long an approval waits for the gate's checks before giving up (seconds).
CHECKS_WAIT_S = 60.0
_FIRST_POLL_S = 0.05
_MAX_POLL_S = 0.5


def approves(decision: Mapping[str, Any]) -> bool:
    """Whether ``decision`` approves (in any published spelling); a row action does not."""
    try:
        return parse_decision(dict(decision)).approved
    except (InvalidDecision, ValueError, TypeError):
        return False


def running_checks(pending: Mapping[str, Any]) -> tuple[list[str], int]:
    """The titles of the gate's quality checks still running, and how many quality checks it
    has (its own ``checks=`` verdicts have no status and never run)."""
    quality = [c for c in pending.get("checks") or [] if isinstance(c, dict) and "status" in c]
    running = [str(c.get("title") or c.get("id")) for c in quality if c["status"] == "running"]
    return running, len(quality)


async def wait_for_checks(
    query_state: Callable[[str], Awaitable[dict[str, Any]]],
    workflow_id: str,
    decision: Mapping[str, Any],
    timeout: float = CHECKS_WAIT_S,
) -> None:
    """Return once ``decision`` may be sent: it does not approve, the gate it names is no
    longer open (the workflow answers that), or none of the open gate's checks runs.

    Raises :class:`SessionError` when checks still run after ``timeout`` seconds.
    """
    if not approves(decision):
        return
    deadline = time.monotonic() + timeout
    delay = _FIRST_POLL_S
    while True:
        pending = (await query_state(workflow_id)).get("pending_action") or {}
        gate = decision.get("gate_id")
        if gate and pending.get("gate_id") != gate:
            return
        running, total = running_checks(pending)
        if not running:
            return
        if time.monotonic() >= deadline:
            raise SessionError(
                f"{workflow_id}: {len(running)} of {total} checks still running after "
                f"{timeout:g} s ({', '.join(running)}); the approval was not sent. Approve "
                f"again once they end, or reject"
            )
        await asyncio.sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
        delay = min(delay * 2, _MAX_POLL_S)
