"""One throw-away run that warms a fresh Temporal server and worker before the first scenario.

Measured (bench/cli_bench.py): on a server and worker that just started, the first scenario
spent most of its time waiting on first uses of the server's and the worker's paths (the first
workflow start, query, signal, update and activity), not in Python; the next scenario did
not. A run of this tiny workflow, exercising each of them once, moves that cost out of the
first scenario, so every scenario's figure is comparable; it costs less than the wait it
removes. The harness runs it only on a server it started itself (never on a cluster or a dev
server somebody else runs, where it would be a visible workflow), and a warm-up that fails or
takes long is abandoned without affecting the scenarios.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client

__all__ = ["WARM_UP_ACTIVITIES", "WARM_UP_WORKFLOWS", "warm_up"]

_LIMIT_S = 5.0


@activity.defn(name="ntro.harness.warm_up")
async def _warm_up_activity() -> None:
    """Nothing: its scheduling and completion are the warm-up."""


@workflow.defn(name="ntro.harness.WarmUp")
class _WarmUp:
    """Waits for a signal and an update, runs one activity, ends."""

    def __init__(self) -> None:
        self._signalled = False
        self._updated = False

    @workflow.signal
    def poke(self) -> None:
        self._signalled = True

    @workflow.update
    def decide(self) -> bool:
        self._updated = True
        return True

    @workflow.query
    def ready(self) -> bool:
        return self._signalled

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._signalled and self._updated)
        await workflow.execute_activity(
            _warm_up_activity, start_to_close_timeout=timedelta(seconds=_LIMIT_S)
        )


WARM_UP_WORKFLOWS = [_WarmUp]
WARM_UP_ACTIVITIES = [_warm_up_activity]


async def warm_up(client: Client, task_queue: str) -> None:
    """Run the warm-up workflow once on ``task_queue``; give up silently after a few seconds."""

    async def once() -> None:
        handle = await client.start_workflow(
            _WarmUp.run, id=f"ntro-harness-warm-up-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        await handle.query(_WarmUp.ready)
        await handle.signal(_WarmUp.poke)
        await handle.execute_update(_WarmUp.decide)
        await handle.result()

    with contextlib.suppress(Exception):
        await asyncio.wait_for(once(), _LIMIT_S)
