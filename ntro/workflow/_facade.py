"""The ``runbook`` and ``activity`` facades: one import for both runtimes.

``runbook.defn``/``run``/``signal``/``query``/``update`` are Temporal's decorators, so a
facade-style runbook *is* a Temporal workflow. The calls (``execute_activity``,
``wait_condition``, ``now``, ``info``...) go to whichever runtime is executing the runbook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import temporalio.activity
from temporalio import workflow

from ntro.workflow._local import local_activity_info_var
from ntro.workflow._runtime import RunInfo, Timeout, as_timedelta, current_runtime
from ntro.workflow._steps import ui_step

_UNSET: Any = object()

_TIMEOUT_OPTIONS = ("schedule_to_close_timeout", "schedule_to_start_timeout", "heartbeat_timeout")


class _Runbook:
    """Workflow-side facade (``from ntro.workflow import runbook``)."""

    defn = staticmethod(workflow.defn)
    run = staticmethod(workflow.run)
    signal = staticmethod(workflow.signal)
    query = staticmethod(workflow.query)
    update = staticmethod(workflow.update)
    init = staticmethod(workflow.init)
    step = staticmethod(ui_step)

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]:
        return workflow.logger

    async def execute_activity(
        self,
        fn: Callable[..., Any] | str,
        arg: Any = _UNSET,
        *,
        args: Sequence[Any] | None = None,
        start_to_close_timeout: Timeout = None,
        **options: Any,
    ) -> Any:
        """Run an activity and return its result.

        Pass one argument positionally or several with ``args=[...]``. Timeouts may be a
        ``timedelta`` or seconds; without one, activities get ten minutes to finish.
        """
        if arg is not _UNSET and args:
            raise TypeError("execute_activity: pass either one argument or args=[...], not both")
        call_args = list(args or ([] if arg is _UNSET else [arg]))
        for name in _TIMEOUT_OPTIONS:
            if name in options:
                options[name] = as_timedelta(options[name], name)
        runtime = current_runtime("runbook.execute_activity")
        return await runtime.execute_activity(
            fn, call_args, as_timedelta(start_to_close_timeout, "start_to_close_timeout"), options
        )

    async def wait_condition(self, predicate: Callable[[], bool], timeout: Timeout = None) -> None:
        """Wait until ``predicate()`` is true; ``TimeoutError`` after ``timeout``."""
        await current_runtime("runbook.wait_condition").wait_condition(predicate, timeout)

    async def sleep(self, duration: timedelta | float) -> None:
        await current_runtime("runbook.sleep").sleep(duration)

    def now(self) -> datetime:
        return current_runtime("runbook.now").now()

    def info(self) -> RunInfo:
        return current_runtime("runbook.info").info()


class _Activity:
    """Activity-side facade (``from ntro.workflow import activity``)."""

    defn = staticmethod(temporalio.activity.defn)

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]:
        return temporalio.activity.logger

    def info(self) -> Any:
        """The running activity's info, in-process or on a Temporal worker."""
        local = local_activity_info_var.get()
        if local is not None:
            return local
        return temporalio.activity.info()

    def heartbeat(self, *details: Any) -> None:
        if local_activity_info_var.get() is None:
            temporalio.activity.heartbeat(*details)


runbook = _Runbook()
activity = _Activity()
