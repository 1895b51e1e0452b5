"""``NtroWorkflow``: the base class every runbook subclasses.

It owns the state a reviewer's UI reads (steps, the open gate, children, snapshots, the audit
trail), publishes it through queries, and accepts decisions through the ``submit_action``
update (validated before anything reaches history) and the ``user_action`` signal (kept for
the published tools; the same checks, and a refused input is recorded, never fatal).

All state is plain JSON data so any client, with any data converter, can read it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue

from ntro.types import Decision, RowAction
from ntro.workflow._decisions import (
    DecisionDict,
    bounded_text,
    check_corrections,
    check_decision_input,
    check_row_action,
    column_keys,
    describe_decode_error,
    is_row_action,
    iter_rows,
    parse_decision,
    parse_row_action,
    summarize_received,
)
from ntro.workflow._errors import InvalidDecision, WorkflowError
from ntro.workflow._harness_runs import (
    delivers_unmatched,
    unmatched_corrections,
    without_harness_flag,
)
from ntro.workflow._hints import normalize_display_hint
from ntro.workflow._jsonable import to_jsonable, to_jsonable_or_repr
from ntro.workflow._limits import MAX_GATE_PAYLOAD_BYTES, PayloadTooLarge, ensure_sendable
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
from ntro.workflow._steps import StepDefinition, collect_steps, step_definitions

PENDING_KINDS = ("submit_file", "submit_files", "interactive_review", "drill_down")
UPLOAD_ARG_KEYS = (
    "source",
    "schema_slug",
    "tenant_id_or_slug",
    "entity_id_or_slug",
    "signal_task_id",
    "signal_name",
)
SIGNAL_REVIEWER = "unknown (user_action signal)"
TIMEOUT_REVIEWER = "system:timeout"


@dataclass
class _Gate:
    """The gate a reviewer can act on now; ``decision`` is set once, by the first valid one."""

    gate_id: str
    kind: str
    step_id: str | None
    policy: ReviewPolicy | None = None
    makers: set[str] = field(default_factory=set)
    decision: DecisionDict | None = None
    decided_by: str | None = None
    decided_at: str | None = None


@dataclass
class _StepRecord:
    """What a step showed and what was decided in it, for its snapshot."""

    display_hint: dict[str, Any] | None = None
    payload: Any = None
    decision: dict[str, Any] | None = None
    feedback: dict[str, Any] | None = None
    # Feedback set while no gate was open goes to the next gate this step opens.
    unclaimed_feedback: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _track_run(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``@workflow.run`` method so the UI state knows when the run ends and how."""

    @functools.wraps(run)
    async def tracked_run(self: NtroWorkflow, *args: Any, **kwargs: Any) -> Any:
        self._ntro_run_started = True
        self._ntro_info()
        try:
            result = await run(self, *args, **kwargs)
        except GeneratorExit:
            raise
        except BaseException as err:
            self._ntro_run_status = "failed"
            self._ntro_error = _describe(err)
            raise
        self._ntro_run_status = "completed"
        return result

    tracked_run.__ntro_tracked__ = True  # type: ignore[attr-defined]
    return tracked_run


def _describe(err: BaseException) -> str:
    cause = err
    while getattr(cause, "cause", None) is not None:
        cause = cause.cause  # type: ignore[assignment]
    message = str(cause) or type(cause).__name__
    return message if cause is err else f"{err}: {message}"


class NtroWorkflow:
    """Base class for runbooks: breadcrumb steps, human gates, children and their state.

    Subclass it, decorate the class with ``@workflow.defn`` (or ``@runbook.defn``), its steps
    with ``@ui_step``, and call ``super().__init__()``. The queries ``current_steps``,
    ``current_pending_action``, ``current_ui_state``, ``step_snapshots``,
    ``children_by_step_id`` and ``audit_trail``, the ``user_action`` signal and the
    ``submit_action`` update are registered with no further work.
    """

    __ntro_steps__: list[StepDefinition]

    #: Per-step review policies (``{"journals": ReviewPolicy(maker_checker=True)}``); a
    #: ``policy=`` passed to :meth:`wait_for_action` takes precedence.
    review_policies: dict[str, ReviewPolicy] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Duplicate step names are reported when the class is defined, not when it runs.
        type.__setattr__(cls, "__ntro_steps__", collect_steps(cls))
        for name, member in list(vars(cls).items()):
            if getattr(member, "__temporal_workflow_run", False) and not getattr(
                member, "__ntro_tracked__", False
            ):
                setattr(cls, name, _track_run(member))

    def __new__(cls, *args: Any, **kwargs: Any) -> NtroWorkflow:
        instance = super().__new__(cls)
        instance._ntro_init_state()
        return instance

    def __init__(self) -> None:
        # State is created in __new__, so a subclass that forgets super().__init__() still works.
        pass

    def _ntro_init_state(self) -> None:
        steps = step_definitions(type(self))
        self._ntro_steps: list[StepDefinition] = steps
        self._ntro_step_status: dict[str, str] = {s.id: "pending" for s in steps}
        self._ntro_step_titles: dict[str, tuple[str, str | None]] = {
            s.id: (s.title, s.icon) for s in steps
        }
        self._ntro_step_stack: list[str] = []
        self._current_step_id: str | None = None
        self._steps_completed: list[str] = []
        self._pending_action: dict[str, Any] | None = None
        self._pending_payload: Any = None
        self._ntro_gate: _Gate | None = None
        self._ntro_gate_seq = 0
        self._ntro_children: dict[str, list[dict[str, Any]]] = {}
        self._ntro_snapshots: dict[str, dict[str, Any]] = {}
        self._ntro_records: dict[str, _StepRecord] = {}
        self._ntro_audit: list[dict[str, Any]] = []
        self._ntro_run_status = "running"
        # Only a run wrapped by _track_run reports that it started.
        self._ntro_run_started = not any(
            getattr(member, "__ntro_tracked__", False)
            for klass in type(self).__mro__
            for member in vars(klass).values()
        )
        self._ntro_error: str | None = None
        # Who sent the decision being applied now (set by its handler, read by validators).
        self._ntro_deciding: str | None = None
        self._ntro_bound_runtime: Runtime | None = None
        self._ntro_run_info: RunInfo | None = None

    # ── runtime helpers ────────────────────────────────────────────────

    @property
    def _ntro_runtime(self) -> Runtime:
        # Bound on first use: queries may later be answered from outside the run's context.
        if self._ntro_bound_runtime is None:
            self._ntro_bound_runtime = current_runtime(f"{type(self).__name__}")
        return self._ntro_bound_runtime

    def _ntro_info(self) -> RunInfo:
        # Kept once read, so the UI state can be read outside the workflow's event loop.
        if self._ntro_run_info is None:
            self._ntro_run_info = self._ntro_runtime.info()
        return self._ntro_run_info

    def _ntro_now(self) -> str:
        return _iso(self._ntro_runtime.now())

    def _ntro_workflow_id(self) -> str:
        return self._ntro_info().workflow_id

    def _ntro_record(self, step_id: str | None) -> _StepRecord:
        key = step_id or "__workflow__"
        if key not in self._ntro_records:
            self._ntro_records[key] = _StepRecord()
        return self._ntro_records[key]

    # ── step lifecycle (called by @ui_step) ────────────────────────────

    def _ntro_enter_step(self, step_id: str) -> None:
        if step_id not in self._ntro_step_status:
            # A step method of a class that is not an NtroWorkflow subclass's MRO (mixins).
            self._ntro_step_status[step_id] = "pending"
            self._ntro_step_titles[step_id] = (step_id, None)
        self._ntro_step_stack.append(step_id)
        self._current_step_id = step_id
        self._ntro_step_status[step_id] = "active"
        self._ntro_records[step_id] = _StepRecord()

    def _ntro_leave_step(self, step_id: str) -> None:
        if step_id in self._ntro_step_stack:
            self._ntro_step_stack.remove(step_id)
        self._current_step_id = self._ntro_step_stack[-1] if self._ntro_step_stack else step_id

    def _ntro_complete_step(self, step_id: str, result: Any) -> None:
        self._ntro_step_status[step_id] = "completed"
        if step_id not in self._steps_completed:
            self._steps_completed.append(step_id)
        self._ntro_snapshot(step_id, "completed", result=to_jsonable_or_repr(result))
        self._ntro_leave_step(step_id)

    def _ntro_fail_step(self, step_id: str, err: BaseException) -> None:
        self._ntro_step_status[step_id] = "failed"
        self._ntro_snapshot(step_id, "failed", error=_describe(err))
        if self._pending_action is not None and self._pending_action.get("step_id") == step_id:
            self._ntro_clear_pending()
        self._ntro_leave_step(step_id)

    def _ntro_snapshot(self, step_id: str, status: str, **extra: Any) -> None:
        record = self._ntro_record(step_id)
        snapshot: dict[str, Any] = {
            "display_hint": record.display_hint,
            "completed_at": self._ntro_now(),
            "status": status,
        }
        if record.payload is not None:
            snapshot["payload"] = record.payload
        if record.decision is not None:
            snapshot["decision"] = record.decision
        if record.feedback is not None:
            snapshot["feedback"] = record.feedback
        snapshot.update(record.extra)
        snapshot.update({k: v for k, v in extra.items() if v is not None})
        self._ntro_snapshots[step_id] = snapshot

    # ── gates ──────────────────────────────────────────────────────────

    def _ntro_open(
        self,
        kind: str,
        *,
        reason: str | None,
        display_hint: Any,
        payload: Any = None,
        args: dict[str, Any] | None = None,
        children: list[dict[str, Any]] | None = None,
        tools: Sequence[Any] | None = None,
        checks: Sequence[Any] | None = None,
        timeout: Timeout = None,
        step_id: str | None = None,
        extra: dict[str, Any] | None = None,
        policy: ReviewPolicy | None = None,
    ) -> _Gate:
        step = step_id or self._current_step_id
        self._ntro_gate_seq += 1
        gate = _Gate(
            gate_id=f"{step or 'workflow'}:{self._ntro_gate_seq}",
            kind=kind,
            step_id=step,
            policy=policy,
        )
        now = self._ntro_runtime.now()
        limit = as_timedelta(timeout)
        hint = normalize_display_hint(display_hint, kind)
        payload = to_jsonable(payload, f"the payload of gate {gate.gate_id!r}")
        try:
            ensure_sendable(
                payload, f"the payload of gate {gate.gate_id!r}", MAX_GATE_PAYLOAD_BYTES
            )
        except PayloadTooLarge as err:
            raise WorkflowError(str(err), type="PayloadTooLarge") from None
        action: dict[str, Any] = {
            **(extra or {}),
            "kind": kind,
            "reason": reason,
            "display_hint": hint,
            "payload": payload,
            "args": to_jsonable(args or {}, f"the args of gate {gate.gate_id!r}"),
            "tools": to_jsonable(list(tools or []), "tools"),
            "children": children or [],
            "feedback": None,
            "checks": to_jsonable(list(checks or []), "checks"),
            "step_id": step,
            "gate_id": gate.gate_id,
            "opened_at": _iso(now),
            "deadline": _iso(now + limit) if limit is not None else None,
        }
        if policy is not None:
            action["policy"] = policy.describe(gate.makers)
        self._pending_action = action
        self._pending_payload = payload
        self._ntro_gate = gate
        if step is not None and kind != "drill_down":
            self._ntro_step_status[step] = "waiting_for_input"
        record = self._ntro_record(step)
        record.display_hint = hint
        if payload is not None:
            record.payload = payload
        if record.unclaimed_feedback is not None and kind != "drill_down":
            action["feedback"] = record.unclaimed_feedback
            hint["config"]["feedback"] = record.unclaimed_feedback
            record.unclaimed_feedback = None
        return gate

    def _ntro_clear_pending(self) -> None:
        gate = self._ntro_gate
        self._pending_action = None
        self._pending_payload = None
        self._ntro_gate = None
        if gate is not None and gate.step_id is not None:
            if self._ntro_step_status.get(gate.step_id) == "waiting_for_input":
                self._ntro_step_status[gate.step_id] = "active"

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
    ) -> DecisionDict:
        """Show ``payload`` for review and wait for a decision; return it.

        The decision comes back as sent (``decision["corrections"]``) with a normalised view
        (``decision.action == "approved"``, ``decision.corrections``, ``decision.reviewer``).
        Row actions received meanwhile go to :meth:`on_row_action` and keep the gate open.
        With ``timeout`` (a ``timedelta`` or seconds), the gate closes after it with the
        ``on_timeout`` decision (``"reject"`` by default), recorded as taken by the system.
        ``policy`` (or the class's ``review_policies`` for this step) says who may decide.
        """
        gate = self._ntro_open(
            "interactive_review",
            reason=reason,
            display_hint=display_hint,
            payload=payload,
            checks=checks,
            tools=tools,
            timeout=timeout,
            policy=policy or self.review_policies.get(self._current_step_id or ""),
        )
        try:
            await self._ntro_runtime.wait_condition(lambda: gate.decision is not None, timeout)
            # Decisions that arrived in the same activation as the winner run their handlers
            # now, while the gate is still the open one, so each loser is told "already
            # decided" rather than finding the run closed.
            await self._ntro_runtime.wait_condition(lambda: True, None)
        except TimeoutError:
            self._ntro_timeout(gate, on_timeout)
        finally:
            if self._ntro_gate is gate:
                self._ntro_clear_pending()
        assert gate.decision is not None
        return gate.decision

    def _ntro_timeout(self, gate: _Gate, on_timeout: str | dict[str, Any]) -> None:
        raw = {"action": on_timeout} if isinstance(on_timeout, str) else dict(on_timeout)
        raw.setdefault("reason", "timed out")
        decision = parse_decision(raw).model_copy(
            update={
                "reviewer": TIMEOUT_REVIEWER,
                "decided_at": self._ntro_runtime.now(),
                "gate_id": gate.gate_id,
                "step_id": gate.step_id,
                "timed_out": True,
            }
        )
        self._ntro_accept(gate, DecisionDict({**raw, "timed_out": True}, decision), "timeout")

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
        gate = self._ntro_open(
            kind,
            reason=reason or spec.pop("reason", None),
            display_hint=hint,
            payload=payload if payload is not None else spec.pop("payload", None),
            args=spec.pop("args"),
            tools=spec.pop("tools", None),
            checks=spec.pop("checks", None),
            timeout=timeout,
            extra=spec,
        )
        try:
            await self._ntro_runtime.wait_condition(predicate, timeout)
            satisfied = True
        except TimeoutError:
            satisfied = False
        finally:
            if self._ntro_gate is gate:
                self._ntro_clear_pending()
        return satisfied

    def _ntro_action_spec(self, action: Any, display_hint: Any) -> tuple[str, dict[str, Any]]:
        if hasattr(action, "model_dump"):
            action = action.model_dump(mode="json")
        if isinstance(action, str):
            spec: dict[str, Any] = (
                {"kind": action} if action in PENDING_KINDS else {"reason": action}
            )
        elif isinstance(action, dict):
            spec = dict(action)
        else:
            spec = {"reason": None if action is None else str(action)}
        kind = spec.pop("kind", None)
        if kind not in PENDING_KINDS:
            if kind is not None:
                spec.setdefault("action_name", kind)
            kind = "submit_file"
        args = spec.get("args")
        args = dict(args) if isinstance(args, dict) else {}
        if kind in ("submit_file", "submit_files"):
            for key in UPLOAD_ARG_KEYS:
                args.setdefault(key, None)
            args["signal_task_id"] = args["signal_task_id"] or self._ntro_workflow_id()
            if not args.get("signal_name"):
                own = self._ntro_own_signals()
                if len(own) == 1:
                    args["signal_name"] = own[0]
            hint = display_hint if display_hint is not None else spec.get("display_hint")
            if isinstance(hint, dict):
                for key in ("source", "schema_slug"):
                    if key in hint and args[key] is None:
                        args[key] = hint[key]
        spec["args"] = args
        return kind, spec

    @classmethod
    def _ntro_own_signals(cls) -> list[str]:
        names = []
        for _, member in inspect.getmembers(cls):
            definition = getattr(member, "__temporal_signal_definition", None)
            name = getattr(definition, "name", None)
            if name and name != "user_action":
                names.append(name)
        return sorted(names)

    def set_user_feedback(self, kind: str, payload: Any = None, level: str = "info") -> None:
        """Attach ``{kind, level, payload}`` to the open gate.

        It shows as ``feedback`` on the pending action and in ``display_hint.config.feedback``,
        and it belongs to that gate only: the next gate starts without feedback. Set while no
        gate is open, it goes to the next gate the current step opens.
        """
        feedback = {"kind": kind, "level": level, "payload": to_jsonable(payload, "feedback")}
        record = self._ntro_record(self._current_step_id)
        if self._pending_action is not None and self._pending_action["kind"] != "drill_down":
            self._pending_action["feedback"] = feedback
            self._pending_action["display_hint"]["config"]["feedback"] = feedback
        else:
            record.unclaimed_feedback = feedback
        record.feedback = feedback

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
        step = step_id or self._current_step_id or "workflow"
        child_id = f"{self._ntro_workflow_id()}:{step}:{slug}"
        results = await self._ntro_run_children(slug, [(child_id, input, None)], step)
        return results[0]

    async def run_child_workflows(
        self, slug: str, inputs: Sequence[Any], step_id: str | None = None
    ) -> list[Any]:
        """Fan out one child per input (ids ``"{parent}:{step}:{slug}:{n}"``) and join them."""
        step = step_id or self._current_step_id or "workflow"
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
        step = step_id or self._current_step_id or "workflow"
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

        def open_uploads(_: list[dict[str, Any]]) -> _Gate:
            return self._ntro_open(
                "submit_files",
                reason=reason or f"Upload {len(slots)} document(s)",
                display_hint=hint,
                args={"expected": slots, "signal_name": signal_name},
                children=[{"task_id": cid, "step_id": step, "slug": slug} for cid, _, _ in runs],
                step_id=step,
            )

        return await self._ntro_run_children(slug, runs, step, open_gate=open_uploads)

    async def _ntro_run_children(
        self,
        slug: str,
        runs: Sequence[tuple[str, Any, dict[str, Any] | None]],
        step: str,
        *,
        open_gate: Callable[[list[dict[str, Any]]], _Gate | None] | None = None,
    ) -> list[Any]:
        """Start the children, then open ``open_gate`` (default: a ``drill_down`` naming them,
        when no other gate is open), join them, and close the gate."""
        cls = resolve_slug(slug)
        entries = self._ntro_children.setdefault(step, [])
        started = []
        for child_id, child_input, slot in runs:
            child = await self._ntro_runtime.start_child(cls, child_input, child_id)
            entry = {
                "workflow_id": child.id,
                "run_id": child.run_id,
                "slug": slug,
                "status": "running",
            }
            entries.append(entry)
            started.append((child, entry, slot))
        if open_gate is not None:
            gate = open_gate([entry for _, entry, _ in started])
        elif self._ntro_gate is None:
            gate = self._ntro_open(
                "drill_down",
                reason=f"Waiting for {len(started)} child runbook(s): {slug}",
                display_hint={"component": "LOADING", "title": f"Running {slug}"},
                children=[
                    {"task_id": e["workflow_id"], "step_id": step, "slug": slug}
                    for _, e, _ in started
                ],
                step_id=step,
            )
        else:
            gate = None

        async def join(child: Any, entry: dict[str, Any], slot: dict[str, Any] | None) -> Any:
            try:
                result = await child
            except BaseException:
                entry["status"] = "failed"
                if slot is not None:
                    slot["status"] = "failed"
                raise
            entry["status"] = "completed"
            if slot is not None:
                slot["status"] = "completed"
            return result

        try:
            outcomes = await asyncio.gather(
                *(join(child, entry, slot) for child, entry, slot in started),
                return_exceptions=True,
            )
        finally:
            if gate is not None and self._ntro_gate is gate:
                self._ntro_clear_pending()
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

    def _ntro_check(self, raw: Any, *, require_reviewer: bool) -> Decision | RowAction:
        """Parse ``raw`` and check it against the open gate; raise InvalidDecision if refused."""
        parsed = self._ntro_parse(raw, require_reviewer=require_reviewer)
        return self._ntro_check_parsed(parsed, unmatched_ok=delivers_unmatched(raw))

    def _ntro_check_parsed(
        self, parsed: Decision | RowAction, *, unmatched_ok: bool = False
    ) -> Decision | RowAction:
        """Check a parsed decision or row action against the open gate.

        ``unmatched_ok``: a harness-started run's scenario delivers corrections to rows the
        (mocked) payload lacks; see :mod:`ntro.workflow._harness_runs`.
        """
        gate = self._ntro_gate
        if gate is None or gate.kind != "interactive_review":
            waiting = self._pending_action["kind"] if self._pending_action else "nothing"
            raise InvalidDecision(
                f"no review is open (the workflow is waiting for {waiting}); the decision was "
                f"not applied"
            )
        if parsed.gate_id is not None and parsed.gate_id != gate.gate_id:
            raise InvalidDecision(
                f"gate {parsed.gate_id!r} is closed; the open review is {gate.gate_id!r}. "
                f"Reload the review and decide again."
            )
        if isinstance(parsed, Decision) and parsed.step_id and parsed.step_id != gate.step_id:
            raise InvalidDecision(
                f"the decision is for step {parsed.step_id!r} but the open review is in step "
                f"{gate.step_id!r}"
            )
        if gate.decision is not None:
            raise InvalidDecision(
                f"gate {gate.gate_id!r} was already decided ({gate.decision.decision.action}) by "
                f"{gate.decided_by} at {gate.decided_at}"
            )
        if gate.policy is not None:
            gate.policy.check(parsed, parsed.roles, gate.makers)
        payload = self._pending_payload
        columns = column_keys(
            self._pending_action.get("display_hint") if self._pending_action else None
        )
        if isinstance(parsed, RowAction):
            check_row_action(parsed, payload, columns)
        elif not unmatched_ok:
            check_corrections(parsed.corrections, payload, columns)
        return parsed

    async def _ntro_apply(self, raw: Any, *, via: str) -> dict[str, Any]:
        parsed = self._ntro_check(raw, require_reviewer=via == "update")
        gate = self._ntro_gate
        assert gate is not None
        now = self._ntro_runtime.now()
        reviewer = parsed.reviewer or SIGNAL_REVIEWER
        if isinstance(parsed, RowAction):
            action = parsed.model_copy(update={"reviewer": reviewer, "gate_id": gate.gate_id})
            self._ntro_audit.append(
                {
                    "kind": "row_action",
                    "step_id": gate.step_id,
                    "gate_id": gate.gate_id,
                    "reviewer": reviewer,
                    "at": _iso(now),
                    "action": action.action,
                    "line_item_id": action.row_id,
                    "field": action.field,
                    "old_value": self._ntro_cell(action.row_id, action.field),
                    "new_value": to_jsonable_or_repr(action.value),
                }
            )
            if action.action == "edit_cell":
                gate.makers.add(reviewer)
                if gate.policy is not None and self._pending_action is not None:
                    self._pending_action["policy"] = gate.policy.describe(gate.makers)
            await maybe_await(self.on_row_action(action.model_dump(mode="json")))
            return {"accepted": True, "kind": "row_action", "gate_id": gate.gate_id}
        decision = parsed.model_copy(
            update={
                "reviewer": reviewer,
                "decided_at": now,
                "gate_id": gate.gate_id,
                "step_id": gate.step_id,
            }
        )
        unmatched = (
            unmatched_corrections(decision.corrections, self._pending_payload, self._ntro_columns())
            if delivers_unmatched(raw)
            else []
        )
        self._ntro_accept(gate, DecisionDict(without_harness_flag(raw), decision), via)
        if unmatched:
            self._ntro_audit.append(
                {
                    "kind": "unmatched_corrections",
                    "step_id": gate.step_id,
                    "gate_id": gate.gate_id,
                    "reviewer": reviewer,
                    "at": _iso(now),
                    "reasons": unmatched,
                    "via": "harness",
                }
            )
        return {
            "accepted": True,
            "kind": "decision",
            "gate_id": gate.gate_id,
            "decision": decision.model_dump(mode="json"),
            "unmatched_corrections": unmatched,
        }

    def _ntro_columns(self) -> set[str]:
        """Column keys the open gate's display hint declares."""
        return column_keys(
            self._pending_action.get("display_hint") if self._pending_action else None
        )

    def _ntro_cell(self, row_id: str, field_name: str | None) -> Any:
        if field_name is None:
            return None
        for candidate, row in iter_rows(self._pending_payload):
            if candidate == row_id:
                return row.get(field_name)
        return None

    def _ntro_accept(self, gate: _Gate, decision: DecisionDict, via: str) -> None:
        model = decision.decision
        at = _iso(model.decided_at or self._ntro_runtime.now())
        gate.decision = decision
        gate.decided_by = model.reviewer
        gate.decided_at = at
        record = self._ntro_record(gate.step_id)
        record.decision = model.model_dump(mode="json")
        self._ntro_audit.append(
            {
                "kind": "timeout" if model.timed_out else "decision",
                "step_id": gate.step_id,
                "gate_id": gate.gate_id,
                "reviewer": model.reviewer,
                "at": at,
                "action": model.action,
                "comment": model.comment,
                "via": via,
            }
        )
        if model.approved:
            for correction in model.corrections:
                self._ntro_audit.append(
                    {
                        "kind": "correction",
                        "step_id": gate.step_id,
                        "gate_id": gate.gate_id,
                        "reviewer": model.reviewer,
                        "at": at,
                        "line_item_id": correction.line_item_id,
                        "field": correction.field,
                        "old_value": self._ntro_cell(correction.line_item_id, correction.field),
                        "new_value": correction.new_value,
                    }
                )

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
        await self._ntro_runtime.wait_condition(lambda: self._ntro_run_started, None)
        await self._ntro_runtime.wait_condition(lambda: True, None)

    def _ntro_claim(self, raw: Any) -> bool:
        """Mark a decision as being applied, synchronously, before its handler first waits.

        Validators of decisions that arrive while one is in flight see the mark and refuse
        them before anything reaches history, so a race leaves one accepted decision in
        history, not one per contender. Only the handler writes the mark (a validator does
        not run on replay, so it must not change state). Returns whether this call took it.
        """
        if self._ntro_deciding is not None:
            return False
        try:
            parsed = self._ntro_parse(raw, require_reviewer=False)
        except InvalidDecision:
            return False
        if not isinstance(parsed, Decision):
            return False
        self._ntro_deciding = parsed.reviewer or SIGNAL_REVIEWER
        return True

    def _ntro_refuse_if_deciding(self) -> None:
        if self._ntro_deciding is not None:
            gate = self._ntro_gate
            which = f"gate {gate.gate_id!r}" if gate is not None else "the open review"
            raise InvalidDecision(
                f"{which} was already decided: a decision by {self._ntro_deciding} arrived "
                f"first and is being applied. Reload the review to see it."
            )

    @workflow.update
    async def submit_action(self, action: Any) -> dict[str, Any]:
        """Decide the open review (or act on a row). Refused input never reaches history."""
        claimed = self._ntro_claim(action)
        try:
            await self._ntro_settle()
            return await self._ntro_apply(action, via="update")
        finally:
            if claimed:
                self._ntro_deciding = None

    @submit_action.validator
    def _validate_submit_action(self, action: Any) -> None:
        parsed = self._ntro_parse(action, require_reviewer=True)
        unmatched_ok = delivers_unmatched(action)
        self._ntro_refuse_if_deciding()
        if self._ntro_run_started:
            self._ntro_check_parsed(parsed, unmatched_ok=unmatched_ok)
        # Otherwise a rebuilt instance whose run has not replayed to its gate yet: what is
        # malformed in itself was refused above; the handler checks the rest once settled.

    @workflow.signal
    async def user_action(self, action: RawValue = None) -> None:  # type: ignore[assignment]
        """The published decision signal. Malformed input is refused, recorded, and harmless.

        The argument arrives undecoded, so a payload the data converter cannot read (too
        deeply nested, not JSON) is refused and recorded here like any other bad input,
        rather than dropped by the worker before any handler sees it.
        """
        received, size, problem = self._ntro_decode_signal(action)
        claimed = problem is None and self._ntro_claim(received)
        try:
            await self._ntro_settle()
            if problem is not None:
                raise InvalidDecision(problem)
            await self._ntro_apply(received, via="signal")
        except InvalidDecision as refused:
            self._ntro_audit.append(
                {
                    "kind": "refused",
                    "step_id": self._current_step_id,
                    "gate_id": self._ntro_gate.gate_id if self._ntro_gate else None,
                    "at": self._ntro_now(),
                    "reason": bounded_text(refused.message),
                    "received": summarize_received(None if problem else received, size),
                }
            )
            if workflow.in_workflow():
                workflow.logger.warning("user_action refused: %s", bounded_text(refused.message))
        finally:
            if claimed:
                self._ntro_deciding = None

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
        return [
            {"id": step_id, "title": title, "status": self._ntro_step_status[step_id], "icon": icon}
            for step_id, (title, icon) in self._ntro_step_titles.items()
        ]

    @workflow.query
    def current_pending_action(self) -> dict[str, Any] | None:
        """What the workflow waits for now, or None."""
        return self._pending_action

    @workflow.query
    def step_snapshots(self) -> dict[str, dict[str, Any]]:
        """Finished steps: ``{step_id: {display_hint, completed_at, payload?, decision?}}``."""
        return self._ntro_snapshots

    @workflow.query
    def children_by_step_id(self) -> dict[str, list[dict[str, Any]]]:
        """Child runbooks: ``{step_id: [{workflow_id, run_id, slug, status}]}``."""
        return self._ntro_children

    @workflow.query
    def audit_trail(self) -> list[dict[str, Any]]:
        """Every decision, correction, row action, timeout and refused input, in order."""
        return self._ntro_audit

    @workflow.query
    def current_ui_state(self) -> dict[str, Any]:
        """Everything one render of the UI needs, in one round trip."""
        info = self._ntro_info()
        return {
            "workflow_id": info.workflow_id,
            "workflow_type": info.workflow_type,
            "slug": slug_for_class(type(self)),
            "status": self._ntro_run_status,
            "error": self._ntro_error,
            "current_step_id": self._current_step_id,
            "completed_step_ids": list(self._steps_completed),
            "steps": self.current_steps(),
            "pending_action": self._pending_action,
            "pending_payload": self._pending_payload,
            "feedback": getattr(
                self._ntro_records.get(self._current_step_id or "__workflow__"), "feedback", None
            ),
            "children_by_step_id": self._ntro_children,
            "step_snapshots": self._ntro_snapshots,
            "audit_trail": self._ntro_audit,
        }
