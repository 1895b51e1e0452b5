"""Fixtures: one dev server with a worker, and a real Jupyter server using it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro._devserver import DevServer
from ntro.cluster import visibility_support
from ntro.testing import quiet_runtime
from tests.jupyter.server._support import JupyterProcess, free_port
from tests.jupyter.server.runbooks import WORKFLOWS

TASK_QUEUE = "ntro-labextension-tests"
# The server's reviewer (NTRO_REVIEWER of tests/jupyter/server/_support.py) and its roles.
ROLES = {"test.reviewer@example.com": ["preparer"], "*": ["staff"]}


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """A Temporal CLI dev server (SQLite, headless) on free ports, for this test session."""
    server = DevServer(
        tmp_path_factory.mktemp("temporal") / "temporal.db",
        port=free_port(),
        ui_port=free_port(),
        headless=True,
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def temporal_client(dev_server: DevServer) -> Client:
    return await Client.connect(
        dev_server.address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
    )


@pytest.fixture(scope="session")
async def worker(temporal_client: Client) -> AsyncIterator[Worker]:
    """Runs the test runbooks in this process (unsandboxed, like notebook runbooks)."""
    async with Worker(
        temporal_client,
        task_queue=TASK_QUEUE,
        workflows=WORKFLOWS,
        activities=[visibility_support],  # runs publish their gates, as on ntro worker
        workflow_runner=UnsandboxedWorkflowRunner(),
        max_cached_workflows=2000,
    ) as running:
        yield running


@pytest.fixture(scope="session")
def jupyter_server(
    dev_server: DevServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterProcess]:
    """``jupyter server`` with the ntro extension, pointed at the dev server by TEMPORAL_HOST."""
    workdir: Path = tmp_path_factory.mktemp("jupyter")
    env = {"TEMPORAL_HOST": dev_server.address, "NTRO_REVIEWER_ROLES": json.dumps(ROLES)}
    with JupyterProcess(workdir, env=env) as server:
        yield server


@pytest.fixture
async def http(jupyter_server: JupyterProcess) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the extension's API (``ntro/api/``), with the server's token."""
    async with httpx.AsyncClient(
        base_url=jupyter_server.base_url + "ntro/api/",
        headers={"Authorization": f"token {jupyter_server.token}"},
        timeout=30,
    ) as client:
        yield client
