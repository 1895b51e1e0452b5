"""Run a runbook where the environment says: on Temporal when ``TEMPORAL_HOST`` is set,
otherwise in-process (the published SDK's runtime choice).
"""

from __future__ import annotations

import contextlib
import inspect
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ntro.workflow._discovery import activities_near, with_builtin_activities
from ntro.workflow._local import run_local
from ntro.workflow._registry import register_workflow, slug_for_class
from ntro.workflow._runtime import run_method, run_takes_input


def runtime_mode() -> str:
    """``"temporal"`` when a Temporal cluster is configured (``TEMPORAL_HOST``, read by
    :class:`ntro.cluster.ClusterConfig` like everywhere else), else ``"local"``."""
    from ntro.cluster import ClusterConfig

    return "temporal" if ClusterConfig.from_env().address else "local"


async def execute_runbook(
    workflow_cls: type,
    input: Any = None,
    *,
    workflow_id: str | None = None,
    child_workflows: Iterable[type] = (),
    activities: Iterable[Any] | None = None,
    task_queue: str | None = None,
) -> Any:
    """Run ``workflow_cls`` to completion and return its result.

    With ``TEMPORAL_HOST`` (and optionally ``TEMPORAL_NAMESPACE``) set, a worker for the
    runbook, its children and their activities (found in their modules unless given) runs in
    this process while the workflow executes on that cluster, so its gates can be answered
    from any UI attached to the cluster. Without it, the runbook runs in-process.
    """
    children = list(child_workflows)
    for child in children:
        register_workflow(slug_for_class(child), child)
    if runtime_mode() == "local":
        return await run_local(workflow_cls, input, workflow_id=workflow_id)

    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    from ntro.cluster import connect

    # The one connection of ntro: namespace, TLS, API key, timeout, one-line failure.
    client = await connect()
    classes = [workflow_cls, *children]
    task_queue = task_queue or f"ntro-{slug_for_class(workflow_cls)}"
    found = with_builtin_activities(
        list(activities) if activities is not None else activities_near(classes)
    )
    sync = any(not inspect.iscoroutinefunction(fn) for fn in found)
    with ThreadPoolExecutor(4) if sync else contextlib.nullcontext() as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=classes,
            activities=found,
            activity_executor=executor,
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            args = [input] if run_takes_input(workflow_cls) else []
            return await client.execute_workflow(
                run_method(workflow_cls),
                args=args,
                task_queue=task_queue,
                id=workflow_id or f"{slug_for_class(workflow_cls)}-{uuid.uuid4().hex[:10]}",
            )
