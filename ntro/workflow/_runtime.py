"""Where a runbook is running: on Temporal, or in-process.

``NtroWorkflow`` and the ``runbook`` facade call :func:`current_runtime` for everything that
differs between the two (time, waiting, activities, children). Inside a Temporal workflow it
is Temporal; inside :func:`~ntro.workflow.run_local` it is the in-process runtime.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from temporalio import workflow

from ntro.workflow._discovery import run_method, run_takes_input
from ntro.workflow._errors import WorkflowError
from ntro.workflow._harness_runs import child_memo

Timeout = timedelta | float | int | None

DEFAULT_ACTIVITY_TIMEOUT = timedelta(minutes=10)


def as_timedelta(value: Timeout, what: str = "timeout") -> timedelta | None:
    """Accept a ``timedelta`` or a number of seconds (the published SDK took only one of them)."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorkflowError(f"{what} must be a timedelta or seconds, got {value!r}")
    if value < 0:
        raise WorkflowError(f"{what} must not be negative, got {value!r}")
    return timedelta(seconds=value)


@dataclass(frozen=True)
class RunInfo:
    """The subset of ``workflow.info()`` a runbook needs, on either runtime."""

    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str = "local"


class ChildRun(Protocol):
    id: str
    run_id: str | None

    def __await__(self) -> Any: ...


class Runtime(Protocol):
    """What differs between Temporal and the in-process runtime."""

    def now(self) -> datetime: ...
    def info(self) -> RunInfo: ...
    async def wait_condition(self, predicate: Callable[[], bool], timeout: Timeout) -> None: ...
    async def sleep(self, duration: Timeout) -> None: ...
    async def execute_activity(
        self,
        fn: Any,
        args: Sequence[Any],
        start_to_close_timeout: timedelta | None,
        options: dict[str, Any],
    ) -> Any: ...
    async def start_child(self, cls: type, input: Any, child_id: str) -> ChildRun: ...


class TemporalRuntime:
    """Delegates to ``temporalio.workflow``; valid only inside a Temporal workflow."""

    def now(self) -> datetime:
        return workflow.now()

    def info(self) -> RunInfo:
        info = workflow.info()
        return RunInfo(info.workflow_id, info.run_id, info.workflow_type, info.task_queue)

    async def wait_condition(self, predicate: Callable[[], bool], timeout: Timeout) -> None:
        await workflow.wait_condition(predicate, timeout=as_timedelta(timeout))

    async def sleep(self, duration: Timeout) -> None:
        await workflow.sleep(as_timedelta(duration, "sleep duration") or timedelta(0))

    async def execute_activity(
        self,
        fn: Any,
        args: Sequence[Any],
        start_to_close_timeout: timedelta | None,
        options: dict[str, Any],
    ) -> Any:
        if start_to_close_timeout is None and "schedule_to_close_timeout" not in options:
            start_to_close_timeout = DEFAULT_ACTIVITY_TIMEOUT
        return await workflow.execute_activity(
            fn, args=list(args), start_to_close_timeout=start_to_close_timeout, **options
        )

    async def start_child(self, cls: type, input: Any, child_id: str) -> ChildRun:
        run = run_method(cls)
        args = [input] if run_takes_input(cls) else []
        # A child of a harness-started run is one too (see ntro.workflow._harness_runs).
        handle = await workflow.start_child_workflow(run, args=args, id=child_id, memo=child_memo())
        return _TemporalChild(handle)


class _TemporalChild:
    def __init__(self, handle: workflow.ChildWorkflowHandle[Any, Any]) -> None:
        self._handle = handle
        self.id = handle.id
        self.run_id: str | None = handle.first_execution_run_id

    def __await__(self) -> Any:
        return self._handle.__await__()


# The in-process runtime installs itself here for the duration of a local run.
local_runtime_var: ContextVar[Runtime | None] = ContextVar("ntro_local_runtime", default=None)

_TEMPORAL = TemporalRuntime()


def current_runtime(caller: str = "this call") -> Runtime:
    """The runtime of the runbook that is executing, or a clear error outside one."""
    local = local_runtime_var.get()
    if local is not None:
        return local
    if workflow.in_workflow():
        return _TEMPORAL
    raise WorkflowError(
        f"{caller} can only run inside a runbook: start the workflow on a Temporal worker, with "
        f"ntro.testing.WorkflowHarness, or in-process with ntro.workflow.run_local(...)"
    )


async def maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value
