"""Refresh latency of the kernel bridge's live views, against fixed 250 ms polling, in one run.

    python bench/bridge_latency.py [--changes N] [--skip-dev]

A change is a row action sent to a workflow waiting at its review, by a client that is not the
view (another reviewer). Latency is the time from that update returning (the workflow has the
new state) to the live view having applied a state that shows it (``RunView.update_state``
done). Every fifth change comes after 3 s of quiet, when the view has backed off.

Paths measured:

- harness: the time-skipping test server, the workflow served by the session's worker (the
  view wakes on the worker's activation);
- dev: the local dev server, the session's worker (activation);
- dev-external: the dev server, the workflow served by a worker outside the session (the view
  wakes on the history long poll);
- baseline: the same view refreshed by a loop that queries every 250 ms, nothing else.

Also printed: queries per second of an idle view (ours backs off to one every 2 s). Figures are
medians and 95th percentiles; machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
BUNDLE = ROOT / "tests" / "jupyter_bridge" / "bundles" / "invoice-review"
INPUT = {"vendor": "Acme", "period": "2026-10"}
DOC = {
    "document_ref": "doc_bench",
    "filename": "invoice.csv",
    "size": 1,
    "content_type": "text/csv",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def audit_len(state: dict[str, Any]) -> int:
    return len(state.get("audit_trail") or [])


class Recorder:
    """Timestamps of states applied to a view, by audit-trail length."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.cond = threading.Condition()

    def __call__(self, state: dict[str, Any]) -> None:
        with self.cond:
            self.seen.setdefault(audit_len(state), time.perf_counter())
            self.cond.notify_all()

    def wait_for(self, length: int, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        with self.cond:
            while length not in self.seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"the view never showed audit length {length}")
                self.cond.wait(remaining)
            return self.seen[length]


def measure(
    session: Any,
    workflow_id: str,
    recorder: Recorder,
    changes: int,
    rng: random.Random,
    client_handle: Any,
) -> list[float]:
    state = session.state(workflow_id)
    gate = state["pending_action"]["gate_id"]
    length = audit_len(state)
    latencies = []
    for n in range(changes):
        time.sleep(3.0 if n % 5 == 4 else rng.uniform(0.05, 0.6))
        session.loop.run(
            client_handle.execute_update(
                "submit_action",
                {
                    "kind": "row_action",
                    "gate_id": gate,
                    "reviewer": "bench",
                    "payload": {"action": "reject_row", "row_id": "L3"},
                },
            )
        )
        sent = time.perf_counter()
        length += 1
        latencies.append(recorder.wait_for(length) - sent)
    return latencies


def idle_rate(live: Any, seconds: float = 6.0) -> float:
    time.sleep(3.0)
    before = live.queries
    time.sleep(seconds)
    return (live.queries - before) / seconds


class FixedPolling:
    """The baseline: refresh the view by querying every 250 ms, nothing else."""

    def __init__(self, session: Any, workflow_id: str, view: Any, recorder: Recorder) -> None:
        self.session, self.workflow_id, self.view, self.recorder = (
            session,
            workflow_id,
            view,
            recorder,
        )
        self.queries = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        last = None
        while not self.stop.is_set():
            state = self.session.state(self.workflow_id)
            self.queries += 1
            if state != last:
                self.view.update_state(state)
                self.recorder(state)
                last = state
            self.stop.wait(0.25)


def at_review(session: Any, workflow_id: str) -> None:
    session.loop.run(session.handle(workflow_id).signal("invoice_uploaded", DOC))
    deadline = time.monotonic() + 20
    while (session.state(workflow_id).get("pending_action") or {}).get(
        "kind"
    ) != "interactive_review":
        if time.monotonic() > deadline:
            raise TimeoutError("the review never opened")
        time.sleep(0.02)


def run_ours(
    session: Any, workflow_id: str, changes: int, rng: random.Random
) -> tuple[list[float], float]:
    handle = session.attach(workflow_id)
    recorder = Recorder()
    handle.live.on_state.append(recorder)
    handle.wait_for_state(
        lambda s: (s.get("pending_action") or {}).get("kind") == "interactive_review"
    )
    latencies = measure(session, workflow_id, recorder, changes, rng, session.handle(workflow_id))
    rate = idle_rate(handle.live)
    handle.stop()
    return latencies, rate


def run_baseline(
    session: Any, workflow_id: str, changes: int, rng: random.Random
) -> tuple[list[float], float]:
    from ntro_jupyter.widgets import RunView

    recorder = Recorder()
    poller = FixedPolling(session, workflow_id, RunView(reviewer="bench"), recorder)
    try:
        latencies = measure(
            session, workflow_id, recorder, changes, rng, session.handle(workflow_id)
        )
        time.sleep(3.0)
        before = poller.queries
        time.sleep(6.0)
        rate = (poller.queries - before) / 6.0
    finally:
        poller.stop.set()
    return latencies, rate


def summary(name: str, latencies: list[float], rate: float) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{name:<14} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ms[-1]:7.1f} ms   idle {rate:4.2f} queries/s   (n={len(ms)})"
    )


def start_external_worker(address: str, bundle: Any, queue: str) -> tuple[threading.Thread, Any]:
    """A worker in its own thread and loop, with its own client: not the session's."""
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    ready = threading.Event()
    box: dict[str, Any] = {}

    def main() -> None:
        async def serve() -> None:
            client = await Client.connect(address, data_converter=pydantic_data_converter)
            box["stop"] = asyncio.Event()
            box["loop"] = asyncio.get_running_loop()
            async with Worker(
                client,
                task_queue=queue,
                workflows=[bundle.workflow_cls],
                activities=bundle.activities,
                workflow_runner=UnsandboxedWorkflowRunner(),
            ):
                ready.set()
                await box["stop"].wait()

        asyncio.run(serve())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    ready.wait(30)
    return thread, box


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=25)
    parser.add_argument("--skip-dev", action="store_true", help="harness and baseline only")
    args = parser.parse_args()
    os.environ.setdefault("NTRO_REVIEWER", "bench")

    from ntro._devserver import DevServer
    from ntro.runbook import load_bundle
    from ntro_jupyter import Session, Target

    rng = random.Random(7)
    lines = []
    print(
        f"Refresh latency, {args.changes} changes per path (every 5th after 3 s idle)\n", flush=True
    )

    session = Session("harness", reviewer="bench")
    try:
        session.load(BUNDLE)
        wid = session.start("invoice-review", INPUT, workflow_id="bench-harness")
        at_review(session, wid)
        lines.append(summary("harness", *run_ours(session, wid, args.changes, rng)))
        print(lines[-1], flush=True)
        wid = session.start("invoice-review", INPUT, workflow_id="bench-baseline")
        at_review(session, wid)
        lines.append(summary("baseline 250ms", *run_baseline(session, wid, args.changes, rng)))
        print(lines[-1], flush=True)
    finally:
        session.close()

    if not args.skip_dev:
        tmp = Path(tempfile.mkdtemp(prefix="ntro-bench-"))
        server = DevServer(
            tmp / "temporal.db", port=free_port(), ui_port=free_port(), headless=True
        )
        status = server.start()
        session = Session(
            Target.dev(server.db_file, port=server.port, ui_port=server.ui_port), reviewer="bench"
        )
        try:
            session.load(BUNDLE)
            wid = session.start(
                "invoice-review", INPUT, workflow_id=f"bench-dev-{uuid.uuid4().hex[:6]}"
            )
            at_review(session, wid)
            lines.append(summary("dev", *run_ours(session, wid, args.changes, rng)))
            print(lines[-1], flush=True)

            bundle = load_bundle(BUNDLE)
            queue = "bench-external"
            thread, box = start_external_worker(status.address, bundle, queue)
            other = Session(Target.remote(status.address), reviewer="bench")  # no runbook loaded
            try:
                conn = other.loop.run(other.connection())
                wid = f"bench-ext-{uuid.uuid4().hex[:6]}"
                other.loop.run(
                    conn.client.start_workflow(
                        bundle.workflow_cls.run, INPUT, id=wid, task_queue=queue
                    )
                )
                at_review(other, wid)
                lines.append(summary("dev-external", *run_ours(other, wid, args.changes, rng)))
                print(lines[-1], flush=True)
            finally:
                other.close()
                box["loop"].call_soon_threadsafe(box["stop"].set)
                thread.join(10)
        finally:
            session.close()
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)

    print("\nSummary")
    for line in lines:
        print("  " + line)
    sys.stdout.flush()
    os._exit(0)  # temporalio#300: a process that ran Temporal servers can crash while exiting


if __name__ == "__main__":
    raise SystemExit(main())
