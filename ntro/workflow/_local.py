"""The in-process runtime: run a runbook on the current asyncio loop, without Temporal.

Published runbooks rely on it for quick checks. It keeps Temporal's call shapes: activities
are awaited directly (sync ones in a thread), signals, queries and updates are method calls
(updates run their validator first), children are resolved by slug through the registry.
Timeouts accept a ``timedelta`` or seconds, and ``args=[...]`` is honoured.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ntro.workflow._discovery import (
    HandlerKind,
    activity_name,
    run_method,
    run_takes_input,
    update_handler,
    workflow_handler,
)
from ntro.workflow._errors import InvalidDecision, WorkflowError
from ntro.workflow._runtime import (
    RunInfo,
    Timeout,
    as_timedelta,
    local_runtime_var,
    maybe_await,
)


@dataclass
class LocalActivityInfo:
    """What ``activity.info()`` returns for an activity run in-process."""

    activity_id: str
    activity_type: str
    workflow_id: str
    workflow_run_id: str
    workflow_type: str
    attempt: int = 1
    task_queue: str = "local"
    is_local: bool = True


local_activity_info_var: contextvars.ContextVar[LocalActivityInfo | None] = contextvars.ContextVar(
    "ntro_local_activity_info", default=None
)


@dataclass
class LocalCluster:
    """The workflows started in-process together (a parent and its children), by id."""

    workflows: dict[str, LocalWorkflowHandle] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        """Wake every ``wait_condition`` to re-check its predicate."""
        self.changed.set()

    def get(self, workflow_id: str) -> LocalWorkflowHandle:
        try:
            return self.workflows[workflow_id]
        except KeyError:
            known = ", ".join(self.workflows) or "none"
            raise KeyError(f"no local workflow {workflow_id!r} (running here: {known})") from None


# Instance attributes written from outside a handle (a test calling a signal method directly)
# are seen by re-checking conditions at this interval as well as on every notification.
_RECHECK_S = 0.05


class LocalRuntime:
    """Runtime for one in-process workflow."""

    def __init__(self, cluster: LocalCluster, info: RunInfo) -> None:
        self._cluster = cluster
        self._info = info
        self._activity_seq = 0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def info(self) -> RunInfo:
        return self._info

    async def wait_condition(self, predicate: Callable[[], bool], timeout: Timeout) -> None:
        limit = as_timedelta(timeout)
        deadline = (
            None if limit is None else asyncio.get_running_loop().time() + limit.total_seconds()
        )
        while not predicate():
            wait = _RECHECK_S
            if deadline is not None:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met within {limit}")
                wait = min(wait, remaining)
            self._cluster.changed.clear()
            try:
                await asyncio.wait_for(self._cluster.changed.wait(), wait)
            except TimeoutError:
                pass

    async def sleep(self, duration: Timeout) -> None:
        await asyncio.sleep(
            (as_timedelta(duration, "sleep duration") or timedelta(0)).total_seconds()
        )

    async def execute_activity(
        self,
        fn: Any,
        args: Sequence[Any],
        start_to_close_timeout: timedelta | None,
        options: dict[str, Any],
    ) -> Any:
        if not callable(fn):
            raise WorkflowError(
                f"the in-process runtime runs activities by function, got {fn!r}; pass the "
                f"@activity.defn function itself"
            )
        self._activity_seq += 1
        info = LocalActivityInfo(
            activity_id=str(self._activity_seq),
            activity_type=activity_name(fn) or fn.__name__,
            workflow_id=self._info.workflow_id,
            workflow_run_id=self._info.run_id,
            workflow_type=self._info.workflow_type,
        )
        # The activity runs in its own task and context: activity.info() sees it, and nothing
        # it sets leaks back into the workflow.
        context = contextvars.copy_context()
        context.run(local_activity_info_var.set, info)
        context.run(local_runtime_var.set, None)
        call = fn(*args) if inspect.iscoroutinefunction(fn) else asyncio.to_thread(fn, *args)
        task = asyncio.get_running_loop().create_task(call, context=context)
        seconds = start_to_close_timeout.total_seconds() if start_to_close_timeout else None
        return await asyncio.wait_for(task, seconds)

    async def start_child(self, cls: type, input: Any, child_id: str) -> LocalWorkflowHandle:
        return start_local(cls, input, workflow_id=child_id, cluster=self._cluster)


class LocalWorkflowHandle:
    """A workflow running in-process. Await it for its result."""

    def __init__(self, cls: type, workflow_id: str, cluster: LocalCluster) -> None:
        self.id = workflow_id
        self.run_id: str | None = str(uuid.uuid4())
        self.cls = cls
        self.cluster = cluster
        self.instance: Any = None
        self._runtime = LocalRuntime(cluster, RunInfo(workflow_id, self.run_id or "", cls.__name__))
        self._task: asyncio.Task[Any] | None = None

    def __await__(self) -> Any:
        return self.result().__await__()

    async def result(self) -> Any:
        assert self._task is not None
        return await asyncio.shield(self._task)

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    def query(self, name: str, *args: Any) -> Any:
        """Call the query handler named ``name``."""
        method = _handler(self.instance, "query", name)
        with self._in_runtime():
            return method(self.instance, *args)

    async def signal(self, name: str, *args: Any) -> None:
        """Deliver a signal and wake the workflow's conditions."""
        method = _handler(self.instance, "signal", name)
        with self._in_runtime():
            await maybe_await(method(self.instance, *args))
        self.cluster.notify()

    async def update(self, name: str, *args: Any) -> Any:
        """Run the update's validator (raising :class:`InvalidDecision` on refusal), then it."""
        update = update_handler(type(self.instance), name)
        if update is None:
            raise InvalidDecision(f"{self.cls.__qualname__} has no update named {name!r}")
        with self._in_runtime():
            if update.validator is not None:
                update.validator(self.instance, *args)
            result = await maybe_await(update.fn(self.instance, *args))
        self.cluster.notify()
        return result

    @contextlib.contextmanager
    def _in_runtime(self) -> Iterator[None]:
        token = local_runtime_var.set(self._runtime)
        try:
            yield
        finally:
            local_runtime_var.reset(token)

    def _start(self, input: Any) -> None:
        # Created now, like a Temporal workflow after start: queries answer at once.
        with self._in_runtime():
            self.instance = self.cls()
        self._task = asyncio.get_running_loop().create_task(self._run(input), name=self.id)

    async def _run(self, input: Any) -> Any:
        local_runtime_var.set(self._runtime)
        takes_input = run_takes_input(self.cls)
        run = run_method(self.cls)
        try:
            coroutine = run(self.instance, input) if takes_input else run(self.instance)
            return await coroutine
        finally:
            self.cluster.notify()


def _handler(instance: Any, kind: HandlerKind, name: str) -> Callable[..., Any]:
    if instance is None:
        raise WorkflowError("the workflow has not started yet")
    method = workflow_handler(type(instance), kind, name)
    if method is None:
        raise WorkflowError(f"{type(instance).__qualname__} has no handler named {name!r}")
    return method


def start_local(
    workflow_cls: type,
    input: Any = None,
    *,
    workflow_id: str | None = None,
    cluster: LocalCluster | None = None,
) -> LocalWorkflowHandle:
    """Start ``workflow_cls`` in-process on the running loop and return its handle at once.

    Use the handle to send signals and updates, query state, and await the result.
    """
    cluster = cluster or LocalCluster()
    workflow_id = workflow_id or f"{workflow_cls.__name__}-{uuid.uuid4().hex[:8]}"
    if workflow_id in cluster.workflows and not cluster.workflows[workflow_id].done:
        raise WorkflowError(f"a local workflow with id {workflow_id!r} is already running")
    handle = LocalWorkflowHandle(workflow_cls, workflow_id, cluster)
    cluster.workflows[workflow_id] = handle
    handle._start(input)
    return handle


async def run_local(
    workflow_cls: type,
    input: Any = None,
    *,
    workflow_id: str | None = None,
    cluster: LocalCluster | None = None,
) -> Any:
    """Run ``workflow_cls`` in-process to completion and return its result."""
    return await start_local(workflow_cls, input, workflow_id=workflow_id, cluster=cluster)
