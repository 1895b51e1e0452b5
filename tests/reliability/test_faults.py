"""Faults during a review: the worker process dies, the Temporal server restarts.

In every trial the pending review is shown again afterwards and the decision lands exactly
once. (Kernel restarts are covered with the Jupyter session, in tests/jupyter/session.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro._devserver import DevServer
from ntro.testing import start_environment
from tests.reliability.conftest import size
from tests.reliability.faulty_runbooks import ReviewedPaymentWorkflow

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def pending_review(handle: WorkflowHandle[Any, Any], timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            action = await handle.query("current_pending_action", rpc_timeout=None)
            if action and action["kind"] == "interactive_review":
                return action
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("the review did not show")
        await asyncio.sleep(0.05)


def start_worker_process(address: str, task_queue: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability._worker_process", address, task_queue],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


async def decide_once(handle: WorkflowHandle[Any, Any], gate: dict[str, Any]) -> None:
    await handle.execute_update(
        "submit_action", {"action": "approve", "reviewer": "ana", "gate_id": gate["gate_id"]}
    )
    result = await handle.result()
    assert result == {"batch": handle.id, "action": "approve", "reviewer": "ana"}
    decisions = [a for a in await handle.query("audit_trail") if a["kind"] == "decision"]
    assert len(decisions) == 1


async def test_worker_process_killed_mid_review(report: Any) -> None:
    trials = size(2, 20)
    async with await start_environment("dev") as env:
        address = env.client.service_client.config.target_host
        client = env.client
        for _ in range(trials):
            task_queue = f"faults-{uuid.uuid4().hex[:6]}"
            worker = start_worker_process(address, task_queue)
            batch = f"batch-{uuid.uuid4().hex[:6]}"
            handle = await client.start_workflow(
                ReviewedPaymentWorkflow.run, batch, id=batch, task_queue=task_queue
            )
            before = await pending_review(handle)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            replacement = start_worker_process(address, task_queue)
            try:
                after = await pending_review(handle)
                assert after["gate_id"] == before["gate_id"]
                assert after["payload"] == before["payload"]
                await decide_once(handle, after)
            finally:
                replacement.kill()
                replacement.wait(10)
    report(
        f"faults (worker process killed mid-review): {trials} trials, the review shown "
        f"again and the decision landed exactly once in {trials}"
    )


async def test_dev_server_restarted_on_the_same_sqlite_file(tmp_path: Path, report: Any) -> None:
    trials = size(1, 20)
    server = DevServer(
        tmp_path / "temporal.db", port=free_port(), ui_port=free_port(), headless=True
    )
    server.start()
    try:
        for _ in range(trials):
            batch = f"batch-{uuid.uuid4().hex[:6]}"
            task_queue = f"restart-{batch}"
            client = await Client.connect(server.address, data_converter=pydantic_data_converter)
            async with Worker(
                client,
                task_queue=task_queue,
                workflows=[ReviewedPaymentWorkflow],
                workflow_runner=UnsandboxedWorkflowRunner(),
            ):
                handle = await client.start_workflow(
                    ReviewedPaymentWorkflow.run, batch, id=batch, task_queue=task_queue
                )
                before = await pending_review(handle)
            server.stop()
            server.start()
            client = await Client.connect(server.address, data_converter=pydantic_data_converter)
            async with Worker(
                client,
                task_queue=task_queue,
                workflows=[ReviewedPaymentWorkflow],
                workflow_runner=UnsandboxedWorkflowRunner(),
            ):
                handle = client.get_workflow_handle(batch)
                after = await pending_review(handle)
                assert after["gate_id"] == before["gate_id"]
                await decide_once(handle, after)
    finally:
        server.stop()
    report(
        f"faults (dev server restarted on its SQLite file): {trials} trials, the review "
        f"shown again and the decision landed exactly once in {trials}"
    )
