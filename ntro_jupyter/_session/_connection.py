"""The session's link to one target: its Temporal client and the workers serving its runbooks.

A :class:`Connection` is opened for a :class:`~ntro_jupyter._session._target.Target` and closed
when the session switches target or closes. Connecting to the dev server or a cluster is
:func:`ntro.cluster.connect` (the one timeout, TLS and API key handling and failure message of
every ntro client); what is added here is what only a notebook has: the harness (the in-memory
time-skipping server), a dev server started by and ending with the kernel, and workers whose
workflow activations notify the session's live views.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro import cluster
from ntro.testing import mock_activity, unknown_activity
from ntro.workflow import activity_name, builtin_activities, with_builtin_activities
from ntro_jupyter._session._errors import SessionError, from_cluster, one_line
from ntro_jupyter._session._runbooks import Runbook
from ntro_jupyter._session._target import Target

if TYPE_CHECKING:
    from temporalio.testing import WorkflowEnvironment

    from ntro.cluster import DevServerStatus

__all__ = ["Connection", "OwnedServers", "WorkerEntry"]

_HINT = "Check the address, --tls and the API key, or use %ntro connect harness"


@dataclass
class WorkerEntry:
    """One worker of the connection: its task, the runbook it serves, its last error."""

    worker: Worker
    task: asyncio.Task[None]
    runbook: Runbook
    executor: ThreadPoolExecutor | None = None
    error: str | None = None
    started: float = 0.0


class OwnedServers:
    """Servers this process started: they stop when the session closes (the kernel's exit).

    Dev servers (a watchdog stops them too if the kernel dies without closing), and the
    embedded PostgreSQL that activities run in this kernel started through ``ntro.data``.
    """

    def __init__(self) -> None:
        self._servers: list[DevServerStatus] = []

    def own(self, status: DevServerStatus) -> DevServerStatus:
        if status.stops_with == os.getpid() and status not in self._servers:
            self._servers.append(status)
        return status

    def stop_all(self) -> None:
        from ntro.cluster import DevServer

        for status in self._servers:
            with contextlib.suppress(Exception):
                DevServer(status.db_file).stop()
        self._servers.clear()
        # Only when ntro.data was used here: importing it would cost the kernel's exit for nothing.
        data = sys.modules.get("ntro.data")
        if data is not None:
            with contextlib.suppress(Exception):
                data.stop_started_here()


@dataclass
class Connection:
    """A connected client for ``target`` and the workers serving runbooks on it."""

    target: Target
    client: Client
    env: WorkflowEnvironment | None = None
    dev_status: DevServerStatus | None = None
    workers: dict[str, WorkerEntry] = field(default_factory=dict)

    # -- opening and closing ---------------------------------------------------------------------
    @classmethod
    async def open(cls, target: Target, servers: OwnedServers) -> Connection:
        """Connect to ``target`` (starting the harness, or the dev server if it is down)."""
        if target.kind == "harness":
            return await cls._open_harness(target)
        status = None
        if target.kind == "dev":
            status = servers.own(
                await asyncio.get_running_loop().run_in_executor(None, _start_dev, target)
            )
        try:
            client = await cluster.connect(
                target.config, address=status.address if status else None, hint=_HINT
            )
        except cluster.ClusterError as err:
            raise from_cluster(err) from None
        return cls(target, client, dev_status=status)

    @classmethod
    async def _open_harness(cls, target: Target) -> Connection:
        from ntro.testing import start_environment

        try:
            env = await start_environment("time-skipping")
        except Exception as err:  # noqa: BLE001 - binary missing, cannot start
            raise SessionError(
                f"could not start the harness test server: {one_line(err)}"
            ) from None
        # A client without the environment's interceptor: that one unlocks time skipping
        # while awaiting a result, which would fire a pending review's 24 h timeout at once.
        client = Client(
            env.client.service_client,
            namespace=env.client.namespace,
            data_converter=env.client.data_converter,
        )
        return cls(target, client, env=env)

    async def close(self) -> None:
        """Stop the workers and shut the harness server down."""
        for entry in self.workers.values():
            await _stop_worker(entry)
        if self.env is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.env.shutdown(), 10)

    # -- what it is --------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        if self.dev_status is not None:
            return self.dev_status.address
        return self.target.address or self.client.service_client.config.target_host

    def describe(self) -> str:
        """``Connected to ...``: where, and the Web UI of a dev server."""
        target = self.target
        if target.kind == "dev" and self.dev_status is not None:
            status = self.dev_status
            ui = f"; Web UI {status.ui_url}" if status.ui_url else ""
            return (
                f"Connected to the local dev server at {status.address} (namespace "
                f"{status.namespace}{ui}; database {status.db_file})"
            )
        if target.kind == "harness":
            return "Connected to the harness (Temporal time-skipping test server, in memory)"
        return f"Connected to {target.describe()}"

    # -- workers -----------------------------------------------------------------------------------
    async def ensure_worker(
        self,
        runbook: Runbook,
        hosted: tuple[list[type], list[Any]],
        *,
        queue: str | None = None,
        on_activation: Callable[..., None],
        on_stop: Callable[[WorkerEntry, BaseException | None], None],
    ) -> None:
        """A running worker on ``queue`` (the runbook's) serving ``hosted`` (workflow classes,
        activities); ``on_stop(entry, error)`` is called when it stops on its own."""
        queue = queue or runbook.task_queue
        entry = self.workers.get(queue)
        if entry is not None and not entry.task.done():
            return
        from ntro.testing import NotifyingRunner

        workflows, activities = hosted
        # ntro's own activities (a gate's checks_spec runs one) run for real, mocked or not.
        if runbook.mock:
            from ntro.testing import MockValues

            values = MockValues(0)
            builtin = {activity_name(fn) for fn in builtin_activities()}
            mocked = [
                mock_activity(fn, values) for fn in activities if activity_name(fn) not in builtin
            ]
            activities = [*with_builtin_activities(mocked), unknown_activity]
        else:
            activities = with_builtin_activities(activities)
        executor = None
        if self.target.kind != "harness":
            # Runs publish their open gates for the inbox and `%ntro ls --pending` (the
            # time-skipping server has no visibility list: nothing to publish there).
            activities = [*activities, cluster.visibility_support]
        if any(not asyncio.iscoroutinefunction(fn) for fn in activities):
            executor = ThreadPoolExecutor(4, thread_name_prefix=f"ntro-activities-{runbook.slug}")
        try:
            worker = Worker(
                self.client,
                task_queue=queue,
                workflows=workflows,
                activities=activities,
                activity_executor=executor,
                workflow_runner=NotifyingRunner(UnsandboxedWorkflowRunner(), on_activation),
                # Prototyping targets fail a run on a bug in workflow code, so the view shows
                # it; on a remote cluster Temporal retries the task (a fixed worker resumes it).
                workflow_failure_exception_types=[Exception]
                if self.target.kind != "remote"
                else [],
            )
        except Exception as err:  # noqa: BLE001 - a bad definition: say which
            if executor is not None:
                executor.shutdown(wait=False)
            raise SessionError(f"cannot serve runbook {runbook.slug!r}: {one_line(err)}") from None
        task = asyncio.create_task(worker.run(), name=f"ntro-worker-{queue}")
        entry = WorkerEntry(
            worker, task, runbook, executor, started=asyncio.get_running_loop().time()
        )
        task.add_done_callback(functools.partial(_worker_done, entry, on_stop=on_stop))
        self.workers[queue] = entry

    def stopped_workers(self, min_age_s: float = 5.0) -> list[tuple[str, WorkerEntry]]:
        """Workers that stopped on an error more than ``min_age_s`` after they started."""
        now = asyncio.get_running_loop().time()
        return [
            (queue, entry)
            for queue, entry in list(self.workers.items())
            if entry.task.done() and not entry.task.cancelled() and now - entry.started >= min_age_s
        ]

    def worker_error(self, task_queue: str | None) -> str | None:
        entry = self.workers.get(task_queue) if task_queue is not None else None
        return entry.error if entry is not None and entry.task.done() else None

    def worker_states(self) -> dict[str, str]:
        """Each task queue's worker: ``running``, ``stopped`` or its error."""
        return {
            queue: entry.error or ("running" if not entry.task.done() else "stopped")
            for queue, entry in self.workers.items()
        }


def _start_dev(target: Target) -> DevServerStatus:
    from ntro.cluster import DevServerError

    try:
        # A server started here ends with this process.
        return cluster.dev_server(target.config).start(stop_with=os.getpid())
    except DevServerError as err:
        raise SessionError(f"could not start the local dev server: {one_line(err)}") from None


def _worker_done(
    entry: WorkerEntry,
    task: asyncio.Task[None],
    *,
    on_stop: Callable[[WorkerEntry, BaseException | None], None],
) -> None:
    if task.cancelled():
        entry.error = entry.error or "stopped"
        return
    err = task.exception()
    entry.error = f"worker stopped: {one_line(err)}" if err else "stopped"
    on_stop(entry, err)


async def _stop_worker(entry: WorkerEntry) -> None:
    if not entry.task.done():
        with contextlib.suppress(Exception):
            await asyncio.wait_for(entry.worker.shutdown(), 10)
    entry.task.cancel()
    with contextlib.suppress(BaseException):
        await entry.task
    if entry.executor is not None:
        entry.executor.shutdown(wait=False, cancel_futures=True)
