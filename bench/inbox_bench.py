"""The review inbox from the cluster alone: 10,000 waiting reviews, in one run.

    python bench/inbox_bench.py [--workflows 10000] [--calls 5] [--bulk 1000] [--baseline N]

Starts a Temporal dev server with the runbook search attributes (as ``ntro dev-server`` does),
a worker in its own process (publishing gates, as ``ntro worker`` does), N runbooks that each
stop at a DATA_TABLE review (12 entities x 3 periods), and a real ``jupyter server`` with the
ntro extension. Then, on the same data:

1. the visibility list (``ntro.cluster.list_reviews``), cold (a new client, the namespace's
   attributes asked again): the first page of 500, and all N, median of --calls;
2. the endpoint ``GET ntro/api/inbox`` (HTTP, JSON of every row): the JupyterLab inbox's
   first request (limit=200, with the server's count of all N), a first page of 500, and all N;
3. the baseline, the old per-workflow path: list the running workflows, then a
   ``current_pending_action`` query to each (128 at a time, as the old inbox did), on
   --baseline workflows (all N by default);
4. on the worker that opened the gates (warm), --bulk selected reviews approved with one
   ``POST ntro/api/decisions``: decisions per second, then every decision checked in its run's
   audit trail (exactly one), and the same request sent again (every item refused: nothing is
   decided twice);
5. the same list with every worker stopped: every review left still listed, every row marked
   ``worker_down`` (seen once no poll started for 70 s).

The server's own floor is printed beside the list: the same pages read raw
(``ListWorkflowExecutions``, nothing decoded), so the share of the time that is ntro's shows.

Figures are medians; the machine's load (``/proc/loadavg``) is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from temporalio import workflow  # noqa: E402

from ntro.workflow import NtroWorkflow, ui_step  # noqa: E402

TASK_QUEUE = "ntro-inbox-bench"
ENTITIES = [f"fund-{chr(ord('a') + i)}" for i in range(12)]
PERIODS = ["2026-10", "2026-11", "2026-12"]
FIRST_PAGE = 500
INBOX_FIRST = 200  # what the JupyterLab inbox asks for first (labextension/src/inbox.ts)


@workflow.defn
class BenchInboxWorkflow(NtroWorkflow):
    """One extracted-lines review per entity and period."""

    @ui_step(name="review", title="Review lines", icon="Table")
    async def review(self, inp: dict[str, Any]) -> dict[str, Any]:
        rows = [{"id": f"L{n}", "account": f"{4000 + n}", "amount": 100.0 * n} for n in range(1, 9)]
        return dict(
            await self.wait_for_action(
                payload={"entity": inp["entity"], "period": inp["period"], "rows": rows},
                display_hint={
                    "component": "DATA_TABLE",
                    "config": {"title": "Review extracted lines", "amount": "3600.00"},
                },
                reason="Check the extracted lines",
            )
        )

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> dict[str, Any]:
        return await self.review(inp)


# -- the worker process ---------------------------------------------------------------------


async def run_worker(address: str) -> None:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    from ntro.cluster import visibility_support
    from ntro.testing import quiet_runtime

    client = await Client.connect(
        address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
    )
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[BenchInboxWorkflow],
        activities=[visibility_support],
        workflow_runner=UnsandboxedWorkflowRunner(),
        max_cached_workflows=2000,
        max_concurrent_workflow_tasks=200,
        max_concurrent_workflow_task_polls=16,
        max_concurrent_local_activities=200,
    ):
        # SIGTERM stops it gracefully, as `ntro worker` does: the server is told the worker's
        # sticky queue is gone, so the next worker gets these runs' tasks at once.
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        print("worker ready", flush=True)
        await stop.wait()


def start_worker(address: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, __file__, "--worker", address], stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None and "worker ready" in worker.stdout.readline()
    return worker


# -- measurements ---------------------------------------------------------------------------


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "unknown"


def ms(samples: list[float]) -> str:
    return (
        f"{statistics.median(samples) * 1000:7.0f} ms "
        f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}, n={len(samples)})"
    )


async def start_all(client: Any, n: int) -> list[str]:
    limit = asyncio.Semaphore(64)
    ids = [f"inbox-bench-{i:05d}-{uuid.uuid4().hex[:6]}" for i in range(n)]

    async def one(i: int) -> None:
        async with limit:
            await client.start_workflow(
                BenchInboxWorkflow.run,
                {
                    "entity": ENTITIES[i % len(ENTITIES)],
                    "period": PERIODS[(i // len(ENTITIES)) % len(PERIODS)],
                },
                id=ids[i],
                task_queue=TASK_QUEUE,
            )

    await asyncio.gather(*(one(i) for i in range(n)))
    return ids


async def awaiting(client: Any) -> int:
    """How many runs the server lists as waiting for a person (one count, no rows)."""
    from temporalio.api.workflowservice.v1 import CountWorkflowExecutionsRequest

    response = await client.workflow_service.count_workflow_executions(
        CountWorkflowExecutionsRequest(
            namespace=client.namespace,
            query="NtroAwaiting = true AND ExecutionStatus = 'Running'",
        ),
        timeout=timedelta(seconds=60),
    )
    return int(response.count)


async def fresh_client(address: str) -> Any:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    from ntro.testing import quiet_runtime
    from ntro.workflow._visibility import forget_registered_attributes

    forget_registered_attributes()
    return await Client.connect(
        address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
    )


async def visibility_list(address: str, limit: int | None) -> tuple[float, list[dict[str, Any]]]:
    """A cold read: new client, attributes asked again, pages until ``limit`` rows."""
    from ntro.cluster import QueueWatch, list_reviews

    client = await fresh_client(address)
    started = time.perf_counter()
    watch = QueueWatch(client)
    rows: list[dict[str, Any]] = []
    token = None
    while True:
        size = 1000 if limit is None else min(1000, limit - len(rows))
        page = await list_reviews(client, page_size=size, page_token=token, watch=watch)
        rows += page.rows
        token = page.next_page_token
        if token is None or (limit is not None and len(rows) >= limit):
            return time.perf_counter() - started, rows


async def raw_list(address: str) -> tuple[float, int]:
    """The server's floor: every page of the inbox's query, nothing decoded or checked."""
    from temporalio.api.workflowservice.v1 import ListWorkflowExecutionsRequest

    client = await fresh_client(address)
    started = time.perf_counter()
    token, count = b"", 0
    while True:
        response = await client.workflow_service.list_workflow_executions(
            ListWorkflowExecutionsRequest(
                namespace=client.namespace,
                page_size=1000,
                next_page_token=token,
                query="NtroAwaiting = true AND ExecutionStatus = 'Running'",
            )
        )
        count += len(response.executions)
        token = response.next_page_token
        if not token:
            return time.perf_counter() - started, count


async def old_path(client: Any, limit: int) -> tuple[float, int]:
    """The baseline: list the running workflows, query each (128 at a time)."""
    started = time.perf_counter()
    gate = asyncio.Semaphore(128)
    executions = []
    async for execution in client.list_workflows("ExecutionStatus = 'Running'", limit=limit):
        executions.append(execution)

    async def one(execution: Any) -> bool:
        async with gate:
            pending = await client.get_workflow_handle(execution.id, run_id=execution.run_id).query(
                "current_pending_action", rpc_timeout=timedelta(seconds=10)
            )
            return bool(pending)

    answered = await asyncio.gather(*(one(e) for e in executions))
    return time.perf_counter() - started, sum(answered)


def endpoint(http: Any, limit: int) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = http.get("inbox", params={"limit": str(limit), "budget_ms": "0"})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


async def audit_decisions(client: Any, ids: list[str]) -> dict[int, int]:
    """How many runs have 0, 1, 2... decisions in their audit trail."""
    from temporalio.service import RPCError

    gate = asyncio.Semaphore(16)  # a closed run's query replays its history on the worker

    async def one(workflow_id: str) -> int:
        handle = client.get_workflow_handle(workflow_id)
        for attempt in range(3):
            try:
                async with gate:
                    trail = await handle.query("audit_trail", rpc_timeout=timedelta(seconds=60))
                return sum(1 for entry in trail if entry.get("kind") == "decision")
            except RPCError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    counts: dict[int, int] = {}
    for found in await asyncio.gather(*(one(w) for w in ids)):
        counts[found] = counts.get(found, 0) + 1
    return counts


async def main_async(args: argparse.Namespace) -> None:  # noqa: C901 - one linear script
    import httpx

    from ntro._devserver import DevServer
    from tests.jupyter.server._support import JupyterProcess, free_port

    n = args.workflows
    print(f"load before: {load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="ntro-inbox-bench-") as tmp:
        work = Path(tmp)
        server = DevServer(
            work / "temporal.db", port=free_port(), ui_port=free_port(), headless=True
        )
        status = server.start()
        worker = start_worker(status.address)
        lab = None
        try:
            client = await fresh_client(status.address)
            started = time.perf_counter()
            ids = await start_all(client, n)
            print(f"started {n} workflows in {time.perf_counter() - started:.0f} s")
            deadline = time.monotonic() + 900
            while await awaiting(client) < n:
                if time.monotonic() > deadline:
                    raise SystemExit("the gates did not all open and show within 900 s")
                await asyncio.sleep(2)
            print(
                f"all {n} gates open and listed {time.perf_counter() - started:.0f} s after start"
            )

            page = min(FIRST_PAGE, n)
            first, whole, raw = [], [], []
            say = functools.partial(print, flush=True)
            for _ in range(args.calls):
                elapsed, rows = await visibility_list(status.address, page)
                assert len(rows) == page, len(rows)
                first.append(elapsed)
                elapsed, rows = await visibility_list(status.address, None)
                assert len(rows) == n and not any(r["worker_down"] for r in rows), len(rows)
                whole.append(elapsed)
                elapsed, listed = await raw_list(status.address)
                assert listed == n, listed
                raw.append(elapsed)
            say(f"  list, first page of {page} (visibility)     {ms(first)}")
            say(f"  list, all {n} (visibility, 1000 a page)  {ms(whole)}")
            say(f"  server floor: raw pages, nothing decoded   {ms(raw)}")

            lab = JupyterProcess(work / "jupyter", env={"TEMPORAL_HOST": status.address}).start()
            http = httpx.Client(
                base_url=lab.base_url + "ntro/api/",
                timeout=300,
                headers={"Authorization": f"token {lab.token}"},
            )
            http_first, http_whole, inbox_first = [], [], []
            for _ in range(args.calls):
                elapsed, body = endpoint(http, min(INBOX_FIRST, n))
                assert body["count"] == min(INBOX_FIRST, n) and body["total"] == n, body["total"]
                inbox_first.append(elapsed)
                elapsed, body = endpoint(http, page)
                assert body["count"] == page, body["count"]
                http_first.append(elapsed)
                elapsed, body = endpoint(http, n)
                assert body["count"] == n and body["queried"] == 0, body["count"]
                http_whole.append(elapsed)
            size = len(http.get("inbox", params={"limit": str(n), "budget_ms": "0"}).content)
            say(f"  endpoint, first page of {page} (HTTP+JSON)   {ms(http_first)}")
            say(f"  endpoint, the inbox's first {INBOX_FIRST} + total  {ms(inbox_first)}")
            say(f"  endpoint, all {n} (HTTP+JSON, {size / 1e6:.1f} MB) {ms(http_whole)}")

            base_n = min(args.baseline or n, n)
            baseline = []
            for _ in range(max(1, args.calls // 2)):
                elapsed, waiting = await old_path(client, base_n)
                assert waiting == base_n, waiting
                baseline.append(elapsed)
            say(f"  baseline, old per-workflow queries, {base_n}     {ms(baseline)}")

            chosen = [{"workflow_id": w, "gate_id": "review:1"} for w in ids[: args.bulk]]
            started = time.perf_counter()
            response = http.post("decisions", json={"action": "approve", "items": chosen})
            bulk_s = time.perf_counter() - started
            response.raise_for_status()
            result = response.json()
            say(
                f"  bulk approve {len(chosen)}: {bulk_s:.2f} s, {result['succeeded']} ok, load {load()}"
            )
            counts = await audit_decisions(client, ids[: args.bulk])
            again = http.post("decisions", json={"action": "approve", "items": chosen}).json()
            counts_after = await audit_decisions(client, ids[: args.bulk])
            left = n - result["succeeded"]
            worker.terminate()
            worker.wait(30)
            down_started = time.perf_counter()
            while True:
                _, rows = await visibility_list(status.address, None)
                if len(rows) == left and all(r["worker_down"] for r in rows):
                    break
                if time.perf_counter() - down_started > 180:
                    raise SystemExit("rows not marked worker_down within 180 s")
                await asyncio.sleep(5)
            marked_after = time.perf_counter() - down_started
            stopped = []
            for _ in range(args.calls):
                elapsed, rows = await visibility_list(status.address, None)
                assert len(rows) == left and all(r["worker_down"] for r in rows)
                stopped.append(elapsed)
            _, body = endpoint(http, n)
            assert body["count"] == left and body["queued_without_worker"] == [TASK_QUEUE]
            say(f"  every worker stopped: rows marked down after  {marked_after:7.0f} s")
            say(f"  list, all {left}, every worker stopped        {ms(stopped)}")

            http.close()

            full = statistics.median(whole)
            print(f"\n{n} waiting reviews; medians of {args.calls} cold reads")
            print(f"  list, first page of {page} (visibility)     {ms(first)}")
            print(f"  list, all {n} (visibility, 1000 a page)  {ms(whole)}")
            print(f"  server floor: raw pages, nothing decoded   {ms(raw)}")
            print(
                f"  ntro's share of the full list              {1 - statistics.median(raw) / full:7.0%}"
            )
            print(f"  endpoint, first page of {page} (HTTP+JSON)   {ms(http_first)}")
            print(f"  endpoint, the inbox's first {INBOX_FIRST} + total  {ms(inbox_first)}")
            print(f"  endpoint, all {n} (HTTP+JSON, {size / 1e6:.1f} MB) {ms(http_whole)}")
            print(f"  baseline, old per-workflow queries, {base_n}     {ms(baseline)}")
            per_run_old = statistics.median(baseline) / base_n
            print(
                f"  speed-up, all rows, per workflow listed      "
                f"{per_run_old / (full / n):7.1f}x (baseline on {base_n}, list on {n})"
            )
            print(f"  every worker stopped: rows marked down after  {marked_after:7.0f} s")
            print(f"  list, all {left}, every worker stopped        {ms(stopped)}")
            rate = result["succeeded"] / bulk_s
            print(
                f"  bulk approve {len(chosen)} (one POST)            {bulk_s:7.2f} s, "
                f"{rate:.0f} decisions/s, {result['succeeded']} ok, {result['failed']} failed"
            )
            print(f"  audit trails: decisions per run             {counts}")
            print(
                f"  the same POST again: {again['succeeded']} accepted, {again['failed']} "
                f"refused; audit trails after it {counts_after}"
            )
            for label, value, target in (
                ("first page of 500", statistics.median(first), 0.3),
                ("the inbox's first request", statistics.median(inbox_first), 0.3),
                ("all rows", full, 1.0),
                ("all rows, workers stopped", statistics.median(stopped), 1.0),
            ):
                verdict = "meets" if value < target else "MISSES"
                print(f"  target {label} under {target:g} s: {verdict}")
            print(f"  target bulk >= 100/s: {'meets' if rate >= 100 else 'MISSES'}")
            print(f"load after: {load()}")
        finally:
            if lab is not None:
                lab.stop()
            worker.terminate()
            worker.wait(30)
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=0, help="workflows for the old path")
    parser.add_argument("--worker", metavar="ADDRESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(run_worker(args.worker))
        return
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
