"""Review-inbox speed with many workflows waiting, against a naive loop, in one run.

    python bench/inbox_bench.py [--workflows 1000] [--calls 5] [--no-browser]

Starts a Temporal dev server (SQLite, free ports), a worker in its own process, N runbooks
that each stop at a DATA_TABLE review (12 entities x 3 periods), and a real ``jupyter server``
(``jupyter lab`` for the browser part) with the ntro extension. Then, all on the same data:

- baseline: a naive client loop: list the running workflows, then send the
  ``current_pending_action`` query to each one after the other (what a script or a first
  implementation does);
- endpoint, cold: ``GET ntro/api/inbox?fresh=1`` (no cache: every workflow is queried, in
  concurrent batches);
- endpoint, first load: the first plain ``GET ntro/api/inbox`` after the server started (empty
  cache: a describe then a query per workflow, to fill the cache);
- endpoint, warm: ``GET ntro/api/inbox``, what the sidebar's live refresh asks every few
  seconds (a server-side describe per run, a query only where the history grew);
- endpoint, cold with the default 1.5 s budget: how fast the first answer comes and how much
  of the inbox it holds (the rest follows in the next refresh);
- sidebar (unless --no-browser, and when /usr/bin/chromium exists): JupyterLab in headless
  Chromium, time from "refresh" to N rows drawn, and the longest main-thread task meanwhile.

Figures are medians of --calls calls; the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
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
                    "config": {"title": "Review extracted lines"},
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

    from ntro.testing import quiet_runtime

    client = await Client.connect(
        address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
    )
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[BenchInboxWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
        max_cached_workflows=5000,
        max_concurrent_workflow_tasks=200,
        max_concurrent_workflow_task_polls=16,
    ):
        print("worker ready", flush=True)
        await asyncio.Event().wait()


# -- measurements ---------------------------------------------------------------------------


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.0f} ms (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"


async def start_all(client: Any, n: int) -> None:
    limit = asyncio.Semaphore(50)

    async def one(i: int) -> None:
        async with limit:
            await client.start_workflow(
                BenchInboxWorkflow.run,
                {
                    "entity": ENTITIES[i % len(ENTITIES)],
                    "period": PERIODS[(i // len(ENTITIES)) % len(PERIODS)],
                },
                id=f"inbox-bench-{i:05d}-{uuid.uuid4().hex[:6]}",
                task_queue=TASK_QUEUE,
            )

    await asyncio.gather(*(one(i) for i in range(n)))


async def naive_loop(client: Any) -> tuple[float, int]:
    """The baseline: list, then one query after the other."""
    started = time.perf_counter()
    waiting = 0
    async for execution in client.list_workflows("ExecutionStatus = 'Running'"):
        pending = await client.get_workflow_handle(execution.id, run_id=execution.run_id).query(
            "current_pending_action", rpc_timeout=timedelta(seconds=10)
        )
        waiting += bool(pending)
    return time.perf_counter() - started, waiting


def endpoint(http: Any, fresh: bool, budget_ms: int = 0) -> tuple[float, dict[str, Any]]:
    """One inbox call; budget_ms=0 waits for the whole inbox, else the server's time budget."""
    started = time.perf_counter()
    response = http.get(
        "inbox", params={"fresh": "1" if fresh else "0", "budget_ms": str(budget_ms)}
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


def sidebar(lab: Any, n: int, calls: int) -> tuple[list[float], list[float]] | None:
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.exists():
        return None
    draws: list[float] = []
    longest: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(lab.url("lab?reset"))
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('ntro:open-inbox')",
            timeout=120_000,
        )
        page.evaluate(
            "() => window.jupyterapp.restored.then(() => window.jupyterapp.commands.execute('ntro:open-inbox'))"
        )
        page.locator("#ntro-inbox").wait_for(state="visible")
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-testid=ntro-inbox-item]').length === {n}",
            timeout=120_000,
        )
        for _ in range(calls):
            # Draw from scratch: empty the list's signature by switching the grouping.
            result = page.evaluate(
                """async (n) => {
                const tasks = [];
                const observer = new PerformanceObserver(list => { for (const e of list.getEntries()) tasks.push(e.duration); });
                observer.observe({ entryTypes: ['longtask'] });
                const select = document.querySelector('[data-testid=ntro-inbox-groupby]');
                const start = performance.now();
                select.value = select.value === 'entity' ? 'period' : 'entity';
                select.dispatchEvent(new Event('change'));
                document.querySelector('.ntro-inbox-list').getBoundingClientRect();  // layout
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));  // painted
                const drawn = performance.now() - start;
                await new Promise(r => setTimeout(r, 300));
                observer.disconnect();
                return [drawn, Math.max(0, ...tasks), document.querySelectorAll('[data-testid=ntro-inbox-item]').length];
            }""",
                n,
            )
            assert result[2] == n, result
            draws.append(result[0] / 1000)
            longest.append(result[1] / 1000)
        shots = REPO / "artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"bench-inbox-{n}.png"))
        browser.close()
    return draws, longest


async def main_async(args: argparse.Namespace) -> None:
    import httpx
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    from ntro._devserver import DevServer
    from ntro.testing import quiet_runtime
    from tests.labextension._support import JupyterProcess, free_port

    n = args.workflows
    with tempfile.TemporaryDirectory(prefix="ntro-inbox-bench-") as tmp:
        work = Path(tmp)
        server = DevServer(
            work / "temporal.db", port=free_port(), ui_port=free_port(), headless=True
        )
        status = server.start()
        worker = subprocess.Popen(
            [sys.executable, __file__, "--worker", status.address],
            stdout=subprocess.PIPE,
            text=True,
        )
        lab = None
        try:
            assert worker.stdout is not None and "worker ready" in worker.stdout.readline()
            client = await Client.connect(
                status.address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
            )
            started = time.perf_counter()
            await start_all(client, n)
            print(
                f"started {n} workflows in {time.perf_counter() - started:.1f} s "
                f"(dev server {status.address}, worker in its own process)"
            )

            app = "lab" if args.browser else "server"
            lab = JupyterProcess(
                work / "jupyter", app=app, env={"TEMPORAL_HOST": status.address}
            ).start()
            with httpx.Client(
                base_url=lab.base_url + "ntro/api/",
                timeout=120,
                headers={"Authorization": f"token {lab.token}"},
            ) as http:
                deadline = time.monotonic() + 120
                while endpoint(http, fresh=True)[1]["count"] < n:  # every gate open and visible
                    if time.monotonic() > deadline:
                        raise SystemExit("the gates did not all open within 120 s")
                    await asyncio.sleep(0.5)

                # The wait above used fresh=1, which leaves the cache empty: this is a first load.
                first, body = endpoint(http, fresh=False)
                assert body["count"] == n and body["queried"] == n, (body["count"], body["queried"])
                naive = []
                for _ in range(args.calls):
                    elapsed, waiting = await naive_loop(client)
                    assert waiting == n, waiting
                    naive.append(elapsed)
                cold, warm, budgeted, shown = [], [], [], []
                body: dict[str, Any] = {}
                for _ in range(args.calls):
                    elapsed, body = endpoint(http, fresh=True)
                    assert body["count"] == n and body["queried"] == n, body["count"]
                    cold.append(elapsed)
                for _ in range(args.calls):
                    # The sidebar's call on a cold read: the default 1.5 s budget.
                    elapsed, body = endpoint(http, fresh=True, budget_ms=1500)
                    budgeted.append(elapsed)
                    shown.append(body["count"])
                    endpoint(http, fresh=True)  # let the background read finish before the next
                for _ in range(args.calls):
                    elapsed, body = endpoint(http, fresh=False, budget_ms=1500)
                    assert body["complete"] and body["count"] == n and body["queried"] == 0, (
                        body["count"],
                        body["queried"],
                        body["errors"][:3],
                    )
                    warm.append(elapsed)
                size = len(http.get("inbox").content)
            drawn = await asyncio.to_thread(sidebar, lab, n, args.calls) if args.browser else None

            print(f"\ninbox of {n} waiting reviews, median of {args.calls} calls")
            print(f"  baseline: naive sequential query loop   {median_ms(naive)}")
            print(f"  endpoint, cold (fresh=1, all queried)   {median_ms(cold)}")
            print(
                f"  endpoint, first load (empty cache)      {first * 1000:7.0f} ms (one call: describe + query each)"
            )
            print(f"  endpoint, warm (live refresh, cached)   {median_ms(warm)}  complete")
            print(
                f"  endpoint, cold with the 1.5 s budget    {median_ms(budgeted)}  "
                f"median {statistics.median(shown):.0f} of {n} items in the first answer"
            )
            print(
                f"  cold speed-up over the baseline         {statistics.median(naive) / statistics.median(cold):7.1f}x"
            )
            print(
                f"  warm speed-up over the baseline         {statistics.median(naive) / statistics.median(warm):7.1f}x"
            )
            print(f"  response size                           {size / 1024:7.0f} KiB")
            if drawn is not None:
                draws, longest = drawn
                print(f"  sidebar: {n} rows drawn after a regroup {median_ms(draws)}")
                print(f"  sidebar: longest main-thread task       {median_ms(longest)}")
            elif args.browser:
                print("  sidebar: skipped (no /usr/bin/chromium or playwright)")
            target = 2.0
            for label, samples in (
                ("complete, cold", cold),
                ("complete, warm", warm),
                ("first answer, cold", budgeted),
            ):
                verdict = "meets" if statistics.median(samples) < target else "MISSES"
                print(f"  target under {target:g} s, {label + ':':22s} {verdict}")
        finally:
            if lab is not None:
                lab.stop()
            worker.terminate()
            worker.wait(10)
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--worker", metavar="ADDRESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(run_worker(args.worker))
        return
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
