"""Load: many workflows waiting for review, all approved through the inbox's endpoint.

A real Jupyter server with the ntro extension, the local dev server (SQLite) and one worker:
the inbox must list every waiting review, one bulk approval must decide them all, and every
workflow must complete with the decision that was sent.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro._devserver import DevServer
from ntro.testing import quiet_runtime
from tests.jupyter.server._support import JupyterProcess, free_port
from tests.reliability.conftest import size
from tests.reliability.faulty_runbooks import ReviewedPaymentWorkflow

BULK_LIMIT = 1000  # the endpoint's most items per request


async def test_waiting_reviews_approved_through_the_inbox(tmp_path: Path, report: Any) -> None:
    count = size(100, 1000)
    server = DevServer(
        tmp_path / "temporal.db", port=free_port(), ui_port=free_port(), headless=True
    )
    server.start()
    try:
        client = await Client.connect(
            server.address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
        )
        task_queue = f"load-{uuid.uuid4().hex[:6]}"
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[ReviewedPaymentWorkflow],
            workflow_runner=UnsandboxedWorkflowRunner(),
            max_cached_workflows=count + 100,
        ):
            handles = await asyncio.gather(
                *(
                    client.start_workflow(
                        ReviewedPaymentWorkflow.run,
                        f"load-{n}",
                        id=f"load-{n}",
                        task_queue=task_queue,
                    )
                    for n in range(count)
                )
            )
            env = {"TEMPORAL_HOST": server.address, "NTRO_REVIEWER": "controller@fund.example"}
            with JupyterProcess(tmp_path / "jupyter", env=env) as jupyter:
                async with httpx.AsyncClient(
                    base_url=jupyter.base_url + "ntro/api/",
                    timeout=300,
                    headers={"Authorization": f"token {jupyter.token}"},
                ) as http:
                    started = time.perf_counter()
                    deadline = started + 120
                    while True:
                        inbox = (await http.get("inbox", params={"budget_ms": "0"})).json()
                        waiting = [
                            i for i in inbox["items"] if i["workflow_id"].startswith("load-")
                        ]
                        if len(waiting) == count or time.perf_counter() > deadline:
                            break
                        await asyncio.sleep(0.5)
                    listed = time.perf_counter() - started
                    assert len(waiting) == count, f"the inbox lists {len(waiting)} of {count}"
                    items = [
                        {"workflow_id": i["workflow_id"], "gate_id": i["gate_id"]} for i in waiting
                    ]
                    started = time.perf_counter()
                    for batch in range(0, count, BULK_LIMIT):
                        response = await http.post(
                            "decisions",
                            json={"action": "approve", "items": items[batch : batch + BULK_LIMIT]},
                        )
                        assert response.status_code == 200, response.text
                        assert response.json()["failed"] == 0, response.json()
                    results = await asyncio.gather(*(h.result() for h in handles))
                    approved = time.perf_counter() - started
            assert all(r["action"] == "approve" for r in results)
            assert {r["reviewer"] for r in results} == {"controller@fund.example"}
            assert [r["batch"] for r in results] == [h.id for h in handles]
    finally:
        server.stop()
    report(
        f"load: {count} reviews waiting on the dev server, listed by the inbox in "
        f"{listed:.1f} s, approved through its bulk endpoint and completed with that "
        f"decision in {approved:.1f} s ({count / approved:.0f} decisions/s)"
    )
