"""Harness speed against a hand-written temporalio test of the same runbook, in one run.

    python bench/harness_bench.py [--runs N]

Part 1 starts one time-skipping test server and runs the bench-close bundle (upload gate,
activity, review, child sign-off) N times each way on it:

- baseline: a hand-written temporalio test. Its own worker, the same workflows and
  activities; it signals the upload, polls ``current_pending_action`` in a tight loop (no
  sleeps) until each review opens, approves through the ``submit_action`` update, and awaits
  the result.
- harness: ``WorkflowHarness.run(scenario=HAPPY)`` on the same server.

Part 2 times the whole command ``ntro workflow test`` (interpreter start, imports, server
start, two scenarios) as a subprocess. Figures are medians; machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro.runbook import load_bundle
from ntro.testing import HAPPY, WorkflowHarness, start_environment

HERE = Path(__file__).parent
PARENT = HERE / "bundles" / "bench-close"
CHILD = HERE / "bundles" / "bench-signoff"


async def until_pending(handle: WorkflowHandle[Any, Any], kind: str) -> dict[str, Any]:
    while True:
        action = await handle.query("current_pending_action")
        if action and action["kind"] == kind:
            return action


async def hand_written_run(client: Client, task_queue: str, parent: type) -> float:
    started = time.perf_counter()
    handle = await client.start_workflow(
        parent.run,
        {"entity": "fund-a", "period": "2026-10"},
        id=f"baseline-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
    )
    await handle.signal("document_submitted", {"document_ref": "doc-1"})
    review = await until_pending(handle, "interactive_review")
    await handle.execute_update(
        "submit_action", {"action": "approve", "reviewer": "bench", "gate_id": review["gate_id"]}
    )
    drill = await until_pending(handle, "drill_down")
    child = client.get_workflow_handle(drill["children"][0]["task_id"])
    sign_off = await until_pending(child, "interactive_review")
    await child.execute_update(
        "submit_action", {"action": "approve", "reviewer": "bench", "gate_id": sign_off["gate_id"]}
    )
    result = await handle.result()
    assert result["sign_off"] == "signed", result
    return time.perf_counter() - started


async def in_process(runs: int) -> tuple[list[float], list[float]]:
    parent, child = load_bundle(PARENT), load_bundle(CHILD)
    async with await start_environment("time-skipping") as env:
        client = Client(
            env.client.service_client,
            namespace=env.client.namespace,
            data_converter=env.client.data_converter,
        )
        task_queue = "baseline"
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[parent.workflow_cls, child.workflow_cls],
            activities=parent.activities,
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            from ntro.workflow import register_workflow

            register_workflow("bench-signoff", child.workflow_cls)
            baseline = [
                await hand_written_run(client, task_queue, parent.workflow_cls)
                for _ in range(runs + 2)
            ][2:]
        async with WorkflowHarness(
            parent.workflow_cls, child_workflows=[child], activities=parent.activities, env=env
        ) as harness:
            harness_runs = []
            for _ in range(runs + 2):
                result = await harness.run(scenario=HAPPY)
                assert result.passed, result.error
                harness_runs.append(result.duration_s)
    return baseline, harness_runs[2:]


def cli_runs(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from ntro.cli import main; main()",
                "workflow",
                "test",
                str(PARENT),
                "--child",
                str(CHILD),
            ],
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stdout + done.stderr
    return times


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(values) * 1000:6.1f} ms   p90 {p90 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cli-runs", type=int, default=5)
    args = parser.parse_args()
    baseline, harness = asyncio.run(in_process(args.runs))
    ratio = statistics.median(harness) / statistics.median(baseline)
    print(f"one scenario on the time-skipping server, {args.runs} runs each, after warm-up")
    print(f"  baseline (hand-written temporalio test): {ms(baseline)}")
    print(f"  ntro WorkflowHarness, scenario HAPPY:     {ms(harness)}")
    print(f"  harness / baseline (medians):            {ratio:.2f}x")
    cli = cli_runs(args.cli_runs)
    print(f"`ntro workflow test` two scenarios, whole process, {args.cli_runs} runs")
    print(f"  wall time:                               {ms(cli)}")


if __name__ == "__main__":
    main()
