"""``NtroWorkflow``: the base class every runbook subclasses.

It publishes the state a reviewer's UI reads (steps, the open gate, children, snapshots, the
audit trail) through queries, and accepts decisions through the ``submit_action`` update
(validated before anything reaches history) and the ``user_action`` signal (kept for the
published tools; the same checks, and a refused input is recorded, never fatal).

The state itself is one :class:`~ntro.workflow._state.RunState` held in ``_ntro_state``, so an
author's subclass keeps its namespace: it may define ``_pending_action``, ``_steps`` or any
other name of its own. All published state is plain JSON data so any client, with any data
converter, can read it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue

from ntro.types import ChildWorkflow, Decision, RowAction
from ntro.workflow._checks import GateChecks, parse_checks_spec, running_item
from ntro.workflow._decisions import (
    DecisionDict,
    bounded_text,
    check_decision_input,
    describe_decode_error,
    is_row_action,
    parse_decision,
    parse_row_action,
    summarize_received,
    timeout_outcome,
)
from ntro.workflow._discovery import is_run_method, signal_names
from ntro.workflow._errors import InvalidDecision
from ntro.workflow._harness_runs import (
    delivers_unmatched,
    unmatched_corrections,
    without_harness_flag,
)
from ntro.workflow._hints import normalize_display_hint
from ntro.workflow._jsonable import to_jsonable
from ntro.workflow._policy import ReviewPolicy
from ntro.workflow._registry import resolve_slug, slug_for_class
from ntro.workflow._runtime import (
    RunInfo,
    Runtime,
    Timeout,
    as_timedelta,
    current_runtime,
    maybe_await,
)
from ntro.workflow._state import (
    GATE_KINDS,
    SIGNAL_REVIEWER,
    UPLOAD_ARG_KEYS,
    Gate,
    GateSpec,
    RunState,
)
from ntro.workflow._steps import StepDefinition, collect_steps, step_definitions
from ntro.workflow._visibility import prepare_visibility, publish_gate


def _track_run(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``@workflow.run`` method so the UI state knows when the run ends and how."""

    @functools.wraps(run)
    async def tracked_run(self: NtroWorkflow, *args: Any, **kwargs: Any) -> Any:
        state = self._ntro_state
        state.run_started = True
        self._ntro_info()
        # Whether this run publishes its gates for the inbox: asked once, kept in history.
        await prepare_visibility(state, slug_for_class(type(self)), args[0] if args else None)
        try:
            result = await run(self, *args, **kwargs)
        except GeneratorExit:
            raise
        except BaseException as err:
            state.run_status = "failed"
            state.error = _describe(err)
            raise
        state.run_status = "completed"
        return result

    tracked_run.__ntro_tracked__ = True  # type: ignore[attr-defined]
    return tracked_run


def _describe(err: BaseException) -> str:
    cause = err
    while getattr(cause, "cause", None) is not None:
        cause = cause.cause  # type: ignore[attr-defined]
    message = str(cause) or type(cause).__name__
    return message if cause is err else f"{err}: {message}"


class _StateView:
    """A read-only view of one :class:`RunState` field under the name published runbooks read.

    Why not a property: a property would claim the name in every subclass. This descriptor
    defines no ``__set__``, so a subclass that assigns or defines the same name simply shadows
    it with its own value, and the base class, which reads ``_ntro_state``, is unaffected.
    """

    def __init__(self, field: str, doc: str) -> None:
        self.field = field
        self.__doc__ = doc

    def __get__(self, instance: NtroWorkflow | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(instance._ntro_state, self.field)


class NtroWorkflow:
    """Base class for runbooks: breadcrumb steps, human gates, children and their state.

    Subclass it, decorate the class with ``@workflow.defn`` (or ``@runbook.defn``), its steps
    with ``@ui_step``, and call ``super().__init__()``. The queries ``current_steps``,
    ``current_pending_action``, ``current_ui_state``, ``step_snapshots``,
    ``children_by_step_id`` and ``audit_trail``, the ``user_action`` signal and the
    ``submit_action`` update are registered with no further work.
    """

    __ntro_steps__: list[StepDefinition]
    _ntro_state: RunState

    #: Per-step review policies (``{"journals": ReviewPolicy(maker_checker=True)}``); a
    #: ``policy=`` passed to :meth:`wait_for_action` takes precedence.
    review_policies: dict[str, ReviewPolicy] = {}

    _pending_action = _StateView("pending_action", "The open gate's pending action, or None.")
    _pending_payload = _StateView("pending_payload", "The open gate's payload, or None.")
    _current_step_id = _StateView("current_step_id", "The step running now, or None.")
    _steps_completed = _StateView("completed_step_ids", "Ids of the completed steps, in order.")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Duplicate step names are reported when the class is defined, not when it runs.
        type.__setattr__(cls, "__ntro_steps__", collect_steps(cls))
        for name, member in list(vars(cls).items()):
            if is_run_method(member) and not getattr(member, "__ntro_tracked__", False):
                setattr(cls, name, _track_run(member))

    def __new__(cls, *args: Any, **kwargs: Any) -> NtroWorkflow:
        instance = super().__new__(cls)
        # Created here, so a subclass that forgets super().__init__() still works. Only a run
        # wrapped by _track_run reports that it started.
        tracked = any(
            getattr(member, "__ntro_tracked__", False)
            for klass in cls.__mro__
            for member in vars(klass).values()
        )
        object.__setattr__(
            instance, "_ntro_state", RunState(step_definitions(cls), run_started=not tracked)
        )
        return instance

    def __init__(self) -> None:
        pass

    # ── runtime helpers ────────────────────────────────────────────────

    @property
    def _ntro_runtime(self) -> Runtime:
        # Bound on first use: queries may later be answered from outside the run's context.
        state = self._ntro_state
        if state.runtime is None:
            state.runtime = current_runtime(f"{type(self).__name__}")
        runtime: Runtime = state.runtime
        return runtime

    def _ntro_info(self) -> RunInfo:
        # Kept once read, so the UI state can be read outside the workflow's event loop.
        state = self._ntro_state
        if state.info is None:
            state.info = self._ntro_runtime.info()
        info: RunInfo = state.info
        return info

    def _ntro_workflow_id(self) -> str:
        return self._ntro_info().workflow_id

    # ── step lifecycle (called by @ui_step) ────────────────────────────

    def _ntro_enter_step(self, step_id: str) -> None:
        self._ntro_state.enter_step(step_id)

    def _ntro_complete_step(self, step_id: str, result: Any) -> None:
        self._ntro_state.complete_step(step_id, result, self._ntro_runtime.now())

    def _ntro_fail_step(self, step_id: str, err: BaseException) -> None:
        self._ntro_state.fail_step(step_id, _describe(err), self._ntro_runtime.now())
        publish_gate(self._ntro_state)

    # ── gates ──────────────────────────────────────────────────────────

    def _ntro_open(self, kind: str, spec: GateSpec, timeout: Timeout = None) -> Gate:
        now = self._ntro_runtime.now()
        limit = as_timedelta(timeout)
        deadline = now + limit if limit is not None else None
        gate = self._ntro_state.open_gate(kind, spec, now=now, deadline=deadline)
        publish_gate(self._ntro_state)
        return gate

    async def wait_for_action(
        self,
        payload: Any = None,
        display_hint: Any = None,
        reason: str | None = None,
        *,
        timeout: Timeout = None,
        on_timeout: str | dict[str, Any] = "reject",
        checks: Sequence[Any] | None = None,
        tools: Sequence[Any] | None = None,
        policy: ReviewPolicy | None = None,
        checks_spec: Sequence[Any] | None = None,
        baseline: Any = None,
        ai_config: Any = None,
    ) -> DecisionDict:
        """Show ``payload`` for review and wait for a decision; return it.

        The decision comes back as sent (``decision["corrections"]``) with a normalised view
        (``decision.action == "approved"``, ``decision.corrections``, ``decision.reviewer``).
        Row actions received meanwhile go to :meth:`on_row_action` and keep the gate open.
        With ``timeout`` (a ``timedelta`` or seconds), the gate closes after it with the
        ``on_timeout`` decision (``"reject"`` by default), recorded as taken by the system.
        ``policy`` (or the class's ``review_policies`` for this step) says who may decide.

        ``checks`` are the runbook's own verdicts, shown as given. ``checks_spec`` (a list of
        :class:`~ntro.capabilities.checks.QualityCheckSpec` or dicts of that shape) are run
        on ``payload`` once the gate opens, one ``ntro.checks.run_quality_check`` activity
        each (with ``baseline`` and ``ai_config``): the pending action lists them ``running``
        and then as each ends, with their summary in ``checks_result``. Approving waits until
        none runs; a failed one counts for the policy's ``second_approver_for_overrides``.
        The checks as they ended are on the decision (``decision.checks``) and the step's
        snapshot. Keep API keys out of ``ai_config`` (it is recorded in the run's history):
        configure the worker's provider instead.
        """
        state = self._ntro_state
        quality = parse_checks_spec(checks_spec)
        spec = GateSpec(
            reason=reason,
            display_hint=display_hint,
            payload=payload,
            checks=checks,
            tools=tools,
            policy=policy or self.review_policies.get(state.current_step_id or ""),
            extra={"on_timeout": timeout_outcome(on_timeout)} if timeout is not None else None,
            quality_checks=[running_item(item) for item in quality],
        )
        running = GateChecks(
            state,
            self._ntro_runtime,
            baseline=baseline,
            ai_config=ai_config,
            on_change=lambda: publish_gate(state),
        )
        gate = self._ntro_open("interactive_review", spec, timeout)
        running.start(gate, quality)
        try:
            await self._ntro_runtime.wait_condition(lambda: gate.decision is not None, timeout)
            # Decisions that arrived in the same activation as the winner run their handlers
            # now, while the gate is still the open one, so each loser is told "already
            # decided" rather than finding the run closed.
            await self._ntro_runtime.wait_condition(lambda: True, None)
        except TimeoutError:
            state.time_out(gate, on_timeout, self._ntro_runtime.now())
        finally:
            running.stop()
            state.close_if_open(gate)
            publish_gate(state)
        assert gate.decision is not None
        return gate.decision

    async def await_signal_with_action(
        self,
        predicate: Callable[[], bool],
        action: Any,
        display_hint: Any = None,
        timeout: Timeout = None,
        *,
        reason: str | None = None,
        payload: Any = None,
    ) -> bool:
        """Advertise ``action`` as the pending action and wait until ``predicate()`` holds.

        ``action`` is a kind (``"submit_file"``), a free-text label (shown as the reason, kind
        ``submit_file``), or a pending-action dict with ``kind``/``args``/``display_hint``.
        Upload gates name the signal that satisfies them in ``args.signal_name`` and its
        target in ``args.signal_task_id`` (default: this workflow; if the class declares exactly
        one signal of its own, that one). Returns True, or False if ``timeout`` passed first.
        """
        kind, spec = self._ntro_action_spec(action, display_hint)
        hint = display_hint if display_hint is not None else spec.pop("display_hint", None)
        gate_spec = GateSpec(
            reason=reason or spec.pop("reason", None),
            display_hint=hint,
            payload=payload if payload is not None else spec.pop("payload", None),
            args=spec.pop("args"),
            tools=spec.pop("tools", None),
            checks=spec.pop("checks", None),
            extra=spec,
        )
        gate = self._ntro_open(kind, gate_spec, timeout)
        try:
            await self._ntro_runtime.wait_condition(predicate, timeout)
            satisfied = True
        except TimeoutError:
            satisfied = False
        finally:
            self._ntro_state.close_if_open(gate)
            publish_gate(self._ntro_state)
        return satisfied

    def _ntro_action_spec(self, action: Any, display_hint: Any) -> tuple[str, dict[str, Any]]:
        if hasattr(action, "model_dump"):
            action = action.model_dump(mode="json")
        if isinstance(action, str):
            spec: dict[str, Any] = {"kind": action} if action in GATE_KINDS else {"reason": action}
        elif isinstance(action, dict):
            spec = dict(action)
        else:
            spec = {"reason": None if action is None else str(action)}
        kind = spec.pop("kind", None)
        if kind not in GATE_KINDS:
            if kind is not None:
                spec.setdefault("action_name", kind)
            kind = "submit_file"
        args = spec.get("args")
        args = dict(args) if isinstance(args, dict) else {}
        if kind in ("submit_file", "submit_files"):
            hint = display_hint if display_hint is not None else spec.get("display_hint")
            self._ntro_upload_args(args, hint)
        spec["args"] = args
        return kind, spec

    def _ntro_upload_args(self, args: dict[str, Any], hint: Any) -> None:
        """Fill an upload gate's ``args``: every published key, and which signal answers it."""
        for key in UPLOAD_ARG_KEYS:
            args.setdefault(key, None)
        args["signal_task_id"] = args["signal_task_id"] or self._ntro_workflow_id()
        if not args.get("signal_name"):
            own = [name for name in signal_names(type(self)) if name != "user_action"]
            if len(own) == 1:
                args["signal_name"] = own[0]
        if isinstance(hint, dict):
            for key in ("source", "schema_slug"):
                if key in hint and args[key] is None:
                    args[key] = hint[key]

    def set_user_feedback(self, kind: str, payload: Any = None, level: str = "info") -> None:
        """Attach ``{kind, level, payload}`` to the open gate.

        It shows as ``feedback`` on the pending action and in ``display_hint.config.feedback``,
        and it belongs to that gate only: the next gate starts without feedback. Set while no
        gate is open, it goes to the next gate the current step opens.
        """
        self._ntro_state.set_feedback(kind, payload, level)
        publish_gate(self._ntro_state)

    async def on_row_action(self, action: dict[str, Any]) -> None:
        """Called for each valid row action while a review gate is open. Override to act on it.

        ``action`` is ``{"action": "edit_cell"|"reject_row", "row_id", "field", "value",
        "reviewer", "gate_id"}``. The base implementation only records it in the audit trail.
        """

    # ── children ───────────────────────────────────────────────────────

    async def run_child_workflow(
        self, slug: str, input: Any = None, step_id: str | None = None
    ) -> Any:
        """Run the runbook registered under ``slug`` as a child and return its result.

        Its id is ``"{parent_id}:{step_id}:{slug}"``; while it runs the parent's pending
        action is a ``drill_down`` naming it.
        """
        step = step_id or self._ntro_state.current_step_id or "workflow"
        child_id = f"{self._ntro_workflow_id()}:{step}:{slug}"
        results = await self._ntro_run_children(slug, [(child_id, input, None)], step)
        return results[0]

    async def run_child_workflows(
        self, slug: str, inputs: Sequence[Any], step_id: str | None = None
    ) -> list[Any]:
        """Fan out one child per input (ids ``"{parent}:{step}:{slug}:{n}"``) and join them."""
        step = step_id or self._ntro_state.current_step_id or "workflow"
        parent = self._ntro_workflow_id()
        runs = [(f"{parent}:{step}:{slug}:{n}", item, None) for n, item in enumerate(inputs)]
        return await self._ntro_run_children(slug, runs, step)

    async def collect_documents(
        self,
        expected: Sequence[Any],
        inputs: Sequence[Any] | dict[str, Any] | None = None,
        *,
        slug: str = "document-ingest",
        step_id: str | None = None,
        display_hint: Any = None,
        reason: str | None = None,
        signal_name: str | None = None,
    ) -> list[Any]:
        """Open one ``MULTI_FILE_UPLOAD`` gate over one ``slug`` child per expected document.

        ``expected`` items name a ``source`` (and optionally ``label``, ``schema_slug``);
        ``inputs`` are the children's inputs (a list in the same order, a dict by source, or
        None to pass each expected item). Child ids are ``"{parent}:{step}:{slug}:{source}"``.
        The children are started before the gate opens, so every slot's ``task_id`` names a
        running workflow; ``signal_name`` (the child's upload signal) is put on each slot so a
        UI can send the document straight to it. Each slot's status follows its child;
        returns the children's results in order.
        """
        step = step_id or self._ntro_state.current_step_id or "workflow"
        parent = self._ntro_workflow_id()
        slots: list[dict[str, Any]] = []
        runs: list[tuple[str, Any, dict[str, Any] | None]] = []
        for index, item in enumerate(expected):
            described = to_jsonable(item, f"expected document #{index + 1}")
            if not isinstance(described, dict):
                described = {"source": str(described)}
            source = str(described.get("source") or described.get("slug") or index)
            child_id = f"{parent}:{step}:{slug}:{source}"
            slot = {
                "source": source,
                "label": described.get("label") or described.get("name") or source,
                "schema_slug": described.get("schema_slug") or described.get("schema"),
                "status": "pending",
                "task_id": child_id,
                "signal_task_id": child_id,
            }
            if signal_name:
                slot["signal_name"] = signal_name
            slots.append(slot)
            if isinstance(inputs, dict):
                child_input = inputs.get(source, item)
            elif inputs is not None:
                child_input = inputs[index]
            else:
                child_input = item
            runs.append((child_id, child_input, slot))
        hint = normalize_display_hint(display_hint, "submit_files")
        hint["config"].setdefault("expected", slots)
        uploads = GateSpec(
            reason=reason or f"Upload {len(slots)} document(s)",
            display_hint=hint,
            args={"expected": slots, "signal_name": signal_name},
            children=[{"task_id": cid, "step_id": step, "slug": slug} for cid, _, _ in runs],
            step_id=step,
        )
        return await self._ntro_run_children(slug, runs, step, gate=("submit_files", uploads))

    async def _ntro_run_children(
        self,
        slug: str,
        runs: Sequence[tuple[str, Any, dict[str, Any] | None]],
        step: str,
        *,
        gate: tuple[str, GateSpec] | None = None,
    ) -> list[Any]:
        """Start the children, then open ``gate`` (default: a ``drill_down`` naming them,
        when no other gate is open), join them, and close the gate."""
        state = self._ntro_state
        cls = resolve_slug(slug)
        started = []
        for child_id, child_input, slot in runs:
            child = await self._ntro_runtime.start_child(cls, child_input, child_id)
            entry = ChildWorkflow(
                workflow_id=child.id, run_id=child.run_id, slug=slug, status="running"
            )
            state.add_child(step, entry)
            started.append((child, entry, slot))
        opened: Gate | None = None
        if gate is not None:
            opened = self._ntro_open(*gate)
        elif state.gate is None:
            waiting = GateSpec(
                reason=f"Waiting for {len(started)} child runbook(s): {slug}",
                display_hint={"component": "LOADING", "title": f"Running {slug}"},
                children=[
                    {"task_id": e.workflow_id, "step_id": step, "slug": slug} for _, e, _ in started
                ],
                step_id=step,
            )
            opened = self._ntro_open("drill_down", waiting)

        async def join(child: Any, entry: ChildWorkflow, slot: dict[str, Any] | None) -> Any:
            try:
                result = await child
            except BaseException:
                entry.status = "failed"
                if slot is not None:
                    slot["status"] = "failed"
                raise
            entry.status = "completed"
            if slot is not None:
                slot["status"] = "completed"
            return result

        try:
            outcomes = await asyncio.gather(
                *(join(child, entry, slot) for child, entry, slot in started),
                return_exceptions=True,
            )
        finally:
            state.close_if_open(opened)
            publish_gate(state)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return list(outcomes)

    # ── decisions ──────────────────────────────────────────────────────

    @staticmethod
    def _ntro_parse(raw: Any, *, require_reviewer: bool) -> Decision | RowAction:
        """Read ``raw`` as a decision or row action, without looking at any state."""
        check_decision_input(raw)
        parsed: Decision | RowAction = (
            parse_row_action(raw) if is_row_action(raw) else parse_decision(raw)
        )
        if require_reviewer and not parsed.reviewer:
            raise InvalidDecision(
                "the decision names no reviewer; send 'reviewer' (a name or email) so the "
                "audit trail records who decided"
            )
        return parsed

    async def _ntro_apply(self, raw: Any, *, via: str) -> dict[str, Any]:
        state = self._ntro_state
        parsed = state.check(
            self._ntro_parse(raw, require_reviewer=via == "update"),
            unmatched_ok=delivers_unmatched(raw),
        )
        gate = state.gate
        assert gate is not None
        now = self._ntro_runtime.now()
        reviewer = parsed.reviewer or SIGNAL_REVIEWER
        if isinstance(parsed, RowAction):
            action = parsed.model_copy(update={"reviewer": reviewer, "gate_id": gate.gate_id})
            state.record_row_action(gate, action, now)
            publish_gate(state)
            await maybe_await(self.on_row_action(action.model_dump(mode="json")))
            return {"accepted": True, "kind": "row_action", "gate_id": gate.gate_id}
        if state.awaits_second_approver(gate, parsed):
            return state.first_approval(gate, parsed, reviewer, now)
        decision = parsed.model_copy(
            update={
                "reviewer": reviewer,
                "decided_at": now,
                "gate_id": gate.gate_id,
                "step_id": gate.step_id,
            }
        )
        unmatched = (
            unmatched_corrections(decision.corrections, state.pending_payload, state.columns())
            if delivers_unmatched(raw)
            else []
        )
        state.accept(gate, DecisionDict(without_harness_flag(raw), decision), via, now)
        if unmatched:
            state.record_unmatched(gate, reviewer, unmatched, now)
        return {
            "accepted": True,
            "kind": "decision",
            "gate_id": gate.gate_id,
            "decision": decision.model_dump(mode="json"),
            "unmatched_corrections": unmatched,
        }

    async def _ntro_settle(self) -> None:
        """Let the run reach its gate before a message is applied, the same way every time.

        Temporal runs message handlers before ``run`` when a message arrives in the activation
        that recreates the instance (after an eviction, or a lost workflow task), so the gate
        may not exist yet. The wait is unconditional: whether the run had started depends on
        how the worker groups jobs into activations, which differs between the first
        execution and a replay of the same history. A handler that suspended only in the first
        grouping emitted "accept, accept, ..., complete, complete" there and "accept,
        complete, accept, ..." on replay, which no worker could replay ("UpdateMachine ...
        transition is invalid during event WorkflowExecutionUpdateAccepted"). Suspending at
        the same points in every grouping gives one command order in both.
        """
        state = self._ntro_state
        await self._ntro_runtime.wait_condition(lambda: state.run_started, None)
        await self._ntro_runtime.wait_condition(lambda: True, None)

    def _ntro_claim(self, raw: Any) -> bool:
        """Mark a decision as being applied, synchronously, before its handler first waits.

        Validators of decisions that arrive while one is in flight see the mark and refuse
        them before anything reaches history, so a race leaves one accepted decision in
        history, not one per contender. Only the handler writes the mark (a validator does
        not run on replay, so it must not change state). Returns whether this call took it.
        """
        state = self._ntro_state
        if state.deciding is not None:
            return False
        try:
            parsed = self._ntro_parse(raw, require_reviewer=False)
        except InvalidDecision:
            return False
        if not isinstance(parsed, Decision):
            return False
        state.deciding = parsed.reviewer or SIGNAL_REVIEWER
        return True

    @workflow.update
    async def submit_action(self, action: Any) -> dict[str, Any]:
        """Decide the open review (or act on a row). Refused input never reaches history."""
        claimed = self._ntro_claim(action)
        try:
            await self._ntro_settle()
            return await self._ntro_apply(action, via="update")
        finally:
            if claimed:
                self._ntro_state.deciding = None

    @submit_action.validator
    def _validate_submit_action(self, action: Any) -> None:
        state = self._ntro_state
        parsed = self._ntro_parse(action, require_reviewer=True)
        unmatched_ok = delivers_unmatched(action)
        state.refuse_if_deciding()
        if state.run_started:
            state.check(parsed, unmatched_ok=unmatched_ok)
        # Otherwise a rebuilt instance whose run has not replayed to its gate yet: what is
        # malformed in itself was refused above; the handler checks the rest once settled.

    @workflow.signal
    async def user_action(self, action: RawValue = None) -> None:  # type: ignore[assignment]
        """The published decision signal. Malformed input is refused, recorded, and harmless.

        The argument arrives undecoded, so a payload the data converter cannot read (too
        deeply nested, not JSON) is refused and recorded here like any other bad input,
        rather than dropped by the worker before any handler sees it.
        """
        state = self._ntro_state
        received, size, problem = self._ntro_decode_signal(action)
        claimed = problem is None and self._ntro_claim(received)
        try:
            await self._ntro_settle()
            if problem is not None:
                raise InvalidDecision(problem)
            await self._ntro_apply(received, via="signal")
        except InvalidDecision as refused:
            state.record_refused(
                bounded_text(refused.message),
                summarize_received(None if problem else received, size),
                self._ntro_runtime.now(),
            )
            if workflow.in_workflow():
                workflow.logger.warning("user_action refused: %s", bounded_text(refused.message))
        finally:
            if claimed:
                state.deciding = None

    @staticmethod
    def _ntro_decode_signal(action: Any) -> tuple[Any, int | None, str | None]:
        """``(value, bytes received, why it cannot be read or None)`` for a signal argument.

        On Temporal the argument is a :class:`RawValue` decoded here; in-process runs pass the
        value itself.
        """
        if not isinstance(action, RawValue):
            return action, None, None
        size = len(action.payload.data)
        if not action.payload.metadata and not action.payload.data:
            return None, 0, None
        try:
            return workflow.payload_converter().from_payload(action.payload), size, None
        except Exception as err:  # any undecodable payload is refused, never dropped
            encoding = action.payload.metadata.get("encoding", b"").decode("utf-8", "replace")
            return (
                None,
                size,
                f"the signal's payload ({size:,} bytes, encoding {encoding or 'none'!r}) cannot "
                f"be read: {describe_decode_error(err)}; send a JSON object such as "
                f'{{"action": "approve", "reviewer": "ana@example.com"}}',
            )

    # ── queries ────────────────────────────────────────────────────────

    @workflow.query
    def current_steps(self) -> list[dict[str, Any]]:
        """The breadcrumb: ``[{id, title, status, icon}]`` in declaration order."""
        return self._ntro_state.steps_answer()

    @workflow.query
    def current_pending_action(self) -> dict[str, Any] | None:
        """What the workflow waits for now, or None."""
        return self._ntro_state.pending_action

    @workflow.query
    def step_snapshots(self) -> dict[str, dict[str, Any]]:
        """Finished steps: ``{step_id: {display_hint, completed_at, payload?, decision?}}``."""
        return self._ntro_state.snapshots_answer()

    @workflow.query
    def children_by_step_id(self) -> dict[str, list[dict[str, Any]]]:
        """Child runbooks: ``{step_id: [{workflow_id, run_id, slug, status}]}``."""
        return self._ntro_state.children_answer()

    @workflow.query
    def audit_trail(self) -> list[dict[str, Any]]:
        """Every decision, correction, row action, timeout and refused input, in order."""
        return self._ntro_state.audit_answer()

    @workflow.query
    def current_ui_state(self) -> dict[str, Any]:
        """Everything one render of the UI needs, in one round trip."""
        info = self._ntro_info()
        return self._ntro_state.ui_state_answer(
            info.workflow_id, info.workflow_type, slug_for_class(type(self))
        )
