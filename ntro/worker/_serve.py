"""Serve runbook bundles on a cluster until told to stop, then drain.

Each bundle is loaded the way the harness loads it (``ntro.runbook.load_bundle``) and served
with its real activities on its task queue (``task_queue`` in its front matter, else
``ntro-<slug>``), or all on one ``task_queue`` when given. Every queue knows every bundle's
workflows, so a child runbook started by a parent (on the parent's queue) is served too, and
:class:`~ntro.cluster.ScheduledRun` is registered everywhere for schedules. Workers on the same
queue in other processes or machines share the load; Temporal hands each task to one of them.

Stopping (SIGTERM, SIGINT, or ``stop`` set): the workers stop polling, activities in flight get
``drain_timeout`` seconds to finish, then :func:`serve` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import signal
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
)

from ntro.cluster import (
    ClusterConfig,
    ClusterError,
    RunbookRef,
    ScheduledRun,
    cluster_address,
    connect,
    find_runbook,
    workflow_type_of,
)
from ntro.workflow import (
    activities_of,
    activity_name,
    register_workflow,
    usable_attributes,
    visibility_support,
    with_builtin_activities,
)

__all__ = ["WorkerPlan", "plan_worker", "serve"]

log = logging.getLogger("ntro.worker")


@dataclass
class WorkerPlan:
    """What a worker process serves: its runbooks and, per task queue, nothing more to say."""

    runbooks: list[RunbookRef]
    queues: list[str]
    workflows: list[type]
    activities: list[Callable[..., Any]]

    def describe(self) -> str:
        names = ", ".join(f"{r.slug} ({r.workflow_type})" for r in self.runbooks)
        return f"{names} on queue{'s' if len(self.queues) > 1 else ''} {', '.join(self.queues)}"


def plan_worker(bundles: Sequence[str | os.PathLike[str]], task_queue: str | None) -> WorkerPlan:
    """Load every bundle (raising its one-line error) and decide the queues to poll."""
    runbooks = [find_runbook(Path(b)) for b in bundles]
    workflows: dict[str, type] = {}
    for ref in runbooks:
        register_workflow(ref.slug, ref.bundle.workflow_cls)
        workflows[ref.workflow_type] = ref.bundle.workflow_cls
    workflows[workflow_type_of(ScheduledRun)] = ScheduledRun
    activities: dict[str, Callable[..., Any]] = {}
    for ref in runbooks:
        for fn in activities_of(list(ref.bundle.activities)):
            activities.setdefault(str(activity_name(fn)), fn)
    queues = [task_queue] if task_queue else list(dict.fromkeys(r.task_queue for r in runbooks))
    # ntro's own activities too (a gate's checks_spec runs one): no work by the author.
    served = with_builtin_activities(activities.values())
    return WorkerPlan(runbooks, queues, list(workflows.values()), served)


class _LogFailures(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActivityFailures(next)


class _ActivityFailures(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except BaseException as err:
            info = activity.info()
            log.warning(
                "activity %s of %s failed (attempt %d): %s",
                info.activity_type,
                info.workflow_id,
                info.attempt,
                " ".join(str(err).split()) or type(err).__name__,
            )
            raise


def _data_plane() -> str:
    return (
        "external (NTRO_TENANT_POSTGRES_URL)"
        if os.environ.get("NTRO_TENANT_POSTGRES_URL")
        else "embedded PostgreSQL, started on first use"
    )


async def serve(
    bundles: Sequence[str | os.PathLike[str]],
    *,
    config: ClusterConfig | None = None,
    task_queue: str | None = None,
    drain_timeout: float = 30.0,
    max_concurrent_activities: int | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> str:
    """Serve ``bundles`` until ``stop`` is set or SIGTERM/SIGINT arrives; returns why it stopped."""
    config = config or ClusterConfig.from_env()
    plan = plan_worker(bundles, task_queue)
    address = cluster_address(config)
    client = await connect(config, address=address)
    stop = stop or asyncio.Event()
    reason = ["stop requested"]
    loop = asyncio.get_running_loop()
    installed: list[int] = []
    if handle_signals:
        for signum in (signal.SIGTERM, signal.SIGINT):

            def _on_signal(signum: int = signum) -> None:
                reason[0] = signal.Signals(signum).name
                stop.set()

            loop.add_signal_handler(signum, _on_signal)
            installed.append(signum)
    sync = any(not inspect.iscoroutinefunction(fn) for fn in plan.activities)
    identity = f"ntro-worker@{socket.gethostname()}:{os.getpid()}"
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(ThreadPoolExecutor(16)) if sync else None
        workers = [
            Worker(
                client,
                task_queue=queue,
                workflows=plan.workflows,
                # Lets runs publish their open gates for the inbox (ntro.workflow._visibility).
                activities=[*plan.activities, visibility_support],
                activity_executor=executor,
                workflow_runner=UnsandboxedWorkflowRunner(),
                workflow_failure_exception_types=[Exception],
                graceful_shutdown_timeout=timedelta(seconds=drain_timeout),
                max_concurrent_activities=max_concurrent_activities,
                interceptors=[_LogFailures()],
                identity=identity,
            )
            for queue in plan.queues
        ]
        tasks = [asyncio.create_task(w.run()) for w in workers]
        log.info(
            "started: serving %s at %s (namespace %s); data plane %s; pid %d",
            plan.describe(),
            address,
            config.namespace,
            _data_plane(),
            os.getpid(),
        )
        # Says in one line (once) what to run when the namespace lacks the inbox's attributes.
        await usable_attributes(client, config.namespace)
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        failed = next((t for t in done if t is not stopper and t.exception()), None)
        if failed is not None:
            reason[0] = "failed"
        log.info(
            "stopping (%s): draining activities in flight (up to %gs)", reason[0], drain_timeout
        )
        await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
        await asyncio.gather(*tasks, return_exceptions=True)
        stopper.cancel()
        for handled in installed:
            loop.remove_signal_handler(handled)
        if failed is not None:
            error = failed.exception()
            log.error("failed: %s", " ".join(str(error).split()) or type(error).__name__)
            raise ClusterError(
                f"the worker stopped on an error: {' '.join(str(error).split())}"
            ) from error
        log.info("stopped (%s)", reason[0])
    return reason[0]
