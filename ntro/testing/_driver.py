"""The driver: plays one :class:`Scenario` against one run of a harness and its children.

It reacts to each state change the worker reports (no fixed sleeps), answers every gate kind
the SDK advertises (``submit_file``, ``submit_files``, ``interactive_review``, ``drill_down``)
as the scenario says, sends decisions through :func:`ntro.cluster.send_decision` (the one
sender), and when nothing is open and nothing is running, sends the workflow's own signals or
lets (virtual) time pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
)
from temporalio.testing import WorkflowEnvironment

from ntro.cluster import ClusterError, DecisionNotSendable, DecisionRefused, send_decision
from ntro.testing import _real
from ntro.testing._automock import MockValues
from ntro.testing._environment import supports_time_skipping
from ntro.testing._errors import HarnessError
from ntro.testing._mocks import mock_document, signal_args
from ntro.testing._scenario import RunResult, Scenario, StepEvent
from ntro.workflow import (
    UNMATCHED_CORRECTIONS_FLAG,
    PayloadTooLarge,
    ensure_sendable,
    signal_names,
)

__all__ = ["ScenarioDriver"]

# How long the driver waits for the next activation before asking the server whether the run
# is still working; activations normally arrive within a few milliseconds.
_QUIET_S = 0.05
# How often a run with nothing pending, running or timed is looked at again.
_RECHECK_S = 0.5
# Attempts at a decision the test server lost track of ("update ... not found"); no pause
# between them, as the server answers at once.
_UPDATE_ATTEMPTS = 3


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


class ScenarioDriver:
    """Plays one scenario against one run and its children.

    The loop re-reads state only when the worker reports a state-changing activation, answers
    whatever gate is open, and when nothing is open and nothing is running, sends the
    workflow's own signals or lets (virtual) time pass. ``classes`` are the harness's workflow
    classes by workflow type (their signals are read to answer uploads); ``timeout`` bounds
    the whole scenario, in seconds.
    """

    def __init__(
        self,
        client: Client,
        env: WorkflowEnvironment,
        scenario: Scenario,
        workflow_id: str,
        started: float,
        *,
        timeout: float,
        classes: dict[str, type],
        values: MockValues,
    ) -> None:
        self.client = client
        self.env = env
        self.timeout = timeout
        self.classes = classes
        self.values = values
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
        self.time_skipping = supports_time_skipping(env)

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
            self.tree[workflow_id] = _Workflow(self.client.get_workflow_handle(workflow_id))
            self.changed.set()  # read the newcomer's state on the next turn
        return self.tree[workflow_id]

    # ── the loop ──────────────────────────────────────────────────────

    async def drive(self) -> RunResult:
        outcome: asyncio.Task[Any] = asyncio.create_task(self.root.result())
        outcome.add_done_callback(lambda _: self.changed.set())
        error: str | None = None
        try:
            async with asyncio.timeout(self.timeout):
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
            error = f"timed out after {self.timeout:g}s; {self._waiting_for()}"
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
                if _checks_running(pending):
                    continue  # a reviewer waits for the gate's checks: it is read again then
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
        key = "" if step is None else str(step)  # the scenario's per-step tables
        gate_id = pending.get("gate_id")
        if key in self.scenario.timeouts:
            await self._time_out(workflow_id, pending)
            return
        for row_action in self.scenario.row_actions.get(key, []):
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
        corrections = self.scenario.corrections.get(key, []) if decision == "approved" else []
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
        summary = (pending.get("checks_result") or {}).get("summary")
        if summary:
            detail["checks"] = summary
        if corrections:
            detail["corrections"] = len(corrections)
        if unmatched:
            detail["unmatched"] = len(unmatched)
            self.warnings += [
                f"step {step!r}: correction delivered unmatched: {reason}" for reason in unmatched
            ]
        self.event("review", workflow_id, **detail)

    async def _update(self, entry: _Workflow, step: Any, arg: dict[str, Any]) -> Any:
        """Send ``arg`` through ``submit_action`` (:func:`ntro.cluster.send_decision`, one
        update id for every attempt); return the workflow's answer."""
        name = self.scenario.name
        try:
            ensure_sendable(arg, f"the decision for step {step!r}")
            return await send_decision(
                entry.handle,
                arg,
                attempts=_UPDATE_ATTEMPTS,
                backoff=0,
                rpc_timeout=None,
                what=f"the decision for step {step!r}",
            )
        except PayloadTooLarge as err:
            raise _ScenarioFailed(f"scenario {name!r}: {err}") from None
        except (DecisionRefused, DecisionNotSendable) as err:
            # Not sendable: the decision contract's input check, which the workflow's validator
            # runs too; refused here or there, the scenario reads the same.
            reason = err.reason if isinstance(err, DecisionRefused) else str(err)
            raise _ScenarioFailed(
                f"scenario {name!r}: the review of step {step!r} refused what the scenario "
                f"sent: {reason}"
            ) from None
        except ClusterError as err:
            raise _ScenarioFailed(f"scenario {name!r}: {err}") from None

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
        now = await self.env.get_current_time()
        remaining = datetime.fromisoformat(deadline.replace("Z", "+00:00")) - now
        await self.env.sleep(max(remaining, timedelta(0)) + timedelta(seconds=1))
        self.event(
            "review",
            workflow_id,
            step=step,
            decision="timeout",
            skipped_s=round(remaining.total_seconds()),
        )

    def _document(self, source: Any, schema_slug: Any, args: dict[str, Any]) -> dict[str, Any]:
        self.documents += 1
        return mock_document(self.documents, source, schema_slug, args)

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
        cls = self.classes.get(workflow_type or "")
        args = signal_args(cls, signal, merged, self.values)
        handle = entry.handle if entry else self.client.get_workflow_handle(target)
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
            cls = self.classes.get(workflow_type or "")
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
        service = self.env.client.test_service
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
            if pending and _checks_running(pending):
                waits.append(
                    f"{workflow_id}'s review in step {pending.get('step_id')!r} waits for its "
                    f"checks: {', '.join(_checks_running(pending))} still running"
                )
            elif pending:
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


def _checks_running(pending: dict[str, Any]) -> list[str]:
    """Titles of the gate's quality checks (``checks_spec``) still running."""
    return [
        str(item.get("title") or item.get("id"))
        for item in pending.get("checks") or []
        if isinstance(item, dict) and item.get("status") == "running"
    ]


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
