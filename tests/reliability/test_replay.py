"""Histories written by racing decisions replay, on a new worker and in the ``Replayer``.

Twenty reviewers decide the first gate of a two-gate runbook at the same moment, on the dev
server. Exactly one wins; then every history is replayed by Temporal's ``Replayer``, the worker
is replaced by a new one (an empty cache: each run is rebuilt from its history), and the second
gate is decided through it. Before the fix, a lost workflow task made the worker deliver the
pending updates together with the run's start, the handlers waited for the run only then, and
the history ("accepted" several times, then "completed" several times) could not be replayed:
the run was stuck for good.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker

from ntro.testing import start_environment
from tests.reliability.conftest import size
from tests.reliability.faulty_runbooks import TwoGateReviewWorkflow

HISTORIES = Path(__file__).parent / "histories"
CONTENDERS = 20


async def gate(handle: WorkflowHandle[Any, Any], step: str, timeout: float = 30) -> dict[str, Any]:
    """The open review of ``step`` once it shows (a new worker may first need to replay)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            action = await handle.query("current_pending_action", rpc_timeout=None)
            if action and action.get("step_id") == step:
                return action
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"{handle.id}: the {step!r} review did not show")
        await asyncio.sleep(0.05)


def replayer() -> Replayer:
    return Replayer(
        workflows=[TwoGateReviewWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
        data_converter=pydantic_data_converter,
    )


def worker(client: Client, task_queue: str) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[TwoGateReviewWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


async def race(handle: WorkflowHandle[Any, Any]) -> str:
    """Twenty reviewers approve the first gate at once; returns who won."""
    first = await gate(handle, "prepare")
    outcomes = await asyncio.gather(
        *(
            handle.execute_update(
                "submit_action",
                {"action": "approve", "reviewer": f"reviewer-{n}", "gate_id": first["gate_id"]},
            )
            for n in range(CONTENDERS)
        ),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, dict)]
    assert len(won) == 1, outcomes
    for lost in (o for o in outcomes if isinstance(o, BaseException)):
        told = str(getattr(lost, "cause", None) or lost)
        assert "already decided" in told or "is closed; the open review is" in told, told
    return won[0]["decision"]["reviewer"]


async def test_racing_decisions_leave_histories_a_new_worker_replays(report: Any) -> None:
    trials = size(3, 20)
    async with await start_environment("dev") as env:
        task_queue = f"replay-{uuid.uuid4().hex[:6]}"
        runs: list[tuple[WorkflowHandle[Any, Any], str]] = []
        several_accepted = 0
        async with worker(env.client, task_queue):
            for n in range(trials):
                handle = await env.client.start_workflow(
                    TwoGateReviewWorkflow.run,
                    id=f"replay-race-{n}-{uuid.uuid4().hex[:4]}",
                    task_queue=task_queue,
                )
                runs.append((handle, await race(handle)))
                await gate(handle, "sign_off")
        replayed = 0
        for handle, _ in runs:
            history = await handle.fetch_history()
            accepted = [
                e
                for e in history.events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
            ]
            several_accepted += len(accepted) > 1
            result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
            assert result.replay_failure is None, f"{handle.id}: {result.replay_failure}"
            replayed += 1
        # A new worker (the old one is gone with its cache) rebuilds each run and takes the
        # decision on the next gate.
        started = time.perf_counter()
        async with worker(env.client, task_queue):
            for handle, winner in runs:
                second = await gate(handle, "sign_off")
                await handle.execute_update(
                    "submit_action",
                    {"action": "approve", "reviewer": "controller", "gate_id": second["gate_id"]},
                )
                assert await handle.result() == [winner, "controller"]
                decisions = [
                    a for a in await handle.query("audit_trail") if a["kind"] == "decision"
                ]
                assert [d["reviewer"] for d in decisions] == [winner, "controller"]
        after_restart = time.perf_counter() - started
    report(
        f"replay: {trials} races of {CONTENDERS} simultaneous decisions on a two-gate runbook "
        f"(dev server): one winner in each; {replayed}/{trials} histories replayed by the "
        f"Replayer ({several_accepted} of them with more than one update accepted); after a "
        f"worker restart every run took its second decision and completed "
        f"({after_restart:.1f} s for all {trials})"
    )


async def test_histories_written_before_the_fix_replay() -> None:
    """Runs left stuck by the old handler (several updates accepted in one workflow task,
    recorded here) replay with the current code, so their worker can take them up again."""
    files = sorted(HISTORIES.glob("race_before_fix_*.json"))
    assert files
    for path in files:
        history = WorkflowHistory.from_json(path.stem, path.read_text())
        accepted = [
            e
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
        assert len(accepted) > 1
        result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
        assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
