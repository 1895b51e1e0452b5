"""The state of one runbook run: its steps, its open gate, its children, snapshots and audit trail.

Why a separate object: :class:`~ntro.workflow.NtroWorkflow` is subclassed by authors, so every
attribute it set on ``self`` landed in the author's namespace (an author's own
``_pending_action`` would have collided). The base class now holds one :class:`RunState` in one
attribute, and everything here is plain data driven by plain calls: times are passed in, nothing
reads a clock, a runtime or Temporal, so the gate and audit rules are unit-testable directly.

The query answers are built from typed models (:mod:`ntro.types`, and :class:`AuditRecord` /
:class:`UIStateAnswer` here) and dumped to plain JSON data, so any client with any data
converter reads them. The pending action stays a plain dict: it is the published flat dict
whose extra keys are the author's, its upload slots are shared with the children whose status
they follow, and its feedback level is free text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

from ntro.types import AuditEntry, ChildWorkflow, Decision, PendingKind, RowAction, StepSnapshot
from ntro.types import StepState as _StepState
from ntro.workflow._checks import checks_result, not_finished
from ntro.workflow._decisions import (
    DecisionDict,
    check_corrections,
    check_row_action,
    column_keys,
    iter_rows,
    parse_decision,
)
from ntro.workflow._errors import InvalidDecision, WorkflowError
from ntro.workflow._hints import normalize_display_hint
from ntro.workflow._jsonable import to_jsonable, to_jsonable_or_repr
from ntro.workflow._limits import MAX_GATE_PAYLOAD_BYTES, PayloadTooLarge, ensure_sendable
from ntro.workflow._policy import ReviewPolicy, failing_checks

#: Every kind of gate a run can open, in one place (the ``kind`` of a pending action).
GATE_KINDS: tuple[str, ...] = get_args(PendingKind)
#: The gates a person acts on (an upload or a review); a ``drill_down`` waits for children.
PERSON_KINDS: tuple[str, ...] = ("interactive_review", "submit_file", "submit_files")

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
_WORKFLOW_RECORD = "__workflow__"

_Answer = dict[str, Any]


def iso(moment: datetime) -> str:
    """``moment`` as ISO-8601 with ``Z`` for UTC, the format every published time uses."""
    return moment.isoformat().replace("+00:00", "Z")


class AuditRecord(AuditEntry):
    """One audit-trail line as the workflow writes it.

    Readers validate entries with :class:`ntro.types.AuditEntry`; the workflow also writes
    ``unmatched_corrections`` (harness runs only, see :mod:`ntro.workflow._harness_runs`),
    which those readers skip.
    """

    kind: Literal[  # type: ignore[assignment]
        "decision",
        "first_approval",
        "correction",
        "row_action",
        "refused",
        "timeout",
        "unmatched_corrections",
    ]
    #: How a decision arrived: ``update``, ``signal``, ``timeout`` (or ``harness``).
    via: str | None = None
    #: Why each correction of an ``unmatched_corrections`` entry matched no row.
    reasons: list[str] | None = None
    #: A refused input, summarised (``refused`` entries).
    received: Any = None


class UIStateAnswer(BaseModel):
    """The ``current_ui_state`` answer: everything one render of a UI needs, field for field."""

    model_config = ConfigDict(extra="forbid")

    workflow_id: str
    workflow_type: str
    slug: str | None
    status: str
    error: str | None
    current_step_id: str | None
    completed_step_ids: list[str]
    steps: list[_StepState]
    pending_action: dict[str, Any] | None
    pending_payload: Any
    feedback: dict[str, Any] | None
    children_by_step_id: dict[str, list[ChildWorkflow]]
    step_snapshots: dict[str, StepSnapshot]
    audit_trail: list[AuditRecord]


def _dump(model: BaseModel, *, raw: tuple[str, ...] = ()) -> _Answer:
    """``model`` as plain JSON data with exactly the keys the workflow set (exclude_unset).

    The ``raw`` fields hold gate payloads and step results, JSON data already (made so when
    the gate opened or the step ended) and possibly large: they are put in as they are, not
    walked and copied again on every query.
    """
    data = model.model_dump(mode="json", exclude_unset=True, exclude=set(raw))
    data.update({key: getattr(model, key) for key in raw if key in model.model_fields_set})
    return data


def _dump_snapshot(snapshot: StepSnapshot) -> _Answer:
    return _dump(snapshot, raw=("payload", "result"))


@dataclass
class Gate:
    """The gate a reviewer can act on now; ``decision`` is set once, by the first valid one."""

    gate_id: str
    kind: str
    step_id: str | None
    policy: ReviewPolicy | None = None
    makers: set[str] = field(default_factory=set)
    # Reviewers who approved an override the policy makes two people share (the first so far).
    override_approvals: list[str] = field(default_factory=list)
    decision: DecisionDict | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    # The gate's own checks (``checks=``) and its quality checks (``checks_spec``, one
    # QualityCheckItem dict per spec, replaced as each check ends).
    own_checks: list[Any] = field(default_factory=list)
    quality: list[dict[str, Any]] = field(default_factory=list)

    def checks(self) -> list[Any]:
        """Every check of the gate, as the pending action lists them."""
        return [*self.own_checks, *self.quality]

    def running_checks(self) -> list[str]:
        """Titles of the quality checks still running."""
        return [
            str(i.get("title") or i.get("id")) for i in self.quality if i["status"] == "running"
        ]


@dataclass
class StepRecord:
    """What a step showed and what was decided in it, for its snapshot."""

    display_hint: dict[str, Any] | None = None
    payload: Any = None
    decision: dict[str, Any] | None = None
    feedback: dict[str, Any] | None = None
    # Feedback set while no gate was open goes to the next gate this step opens.
    unclaimed_feedback: dict[str, Any] | None = None
    # The checks of its last gate as they ended, and their summary (``checks_spec``).
    checks: list[Any] | None = None
    checks_result: dict[str, Any] | None = None


@dataclass
class GateSpec:
    """What a gate shows: everything :meth:`RunState.open_gate` needs besides its kind."""

    reason: str | None = None
    display_hint: Any = None
    payload: Any = None
    args: dict[str, Any] | None = None
    children: list[dict[str, Any]] | None = None
    tools: Sequence[Any] | None = None
    checks: Sequence[Any] | None = None
    step_id: str | None = None
    extra: dict[str, Any] | None = None
    policy: ReviewPolicy | None = None
    #: One ``running`` QualityCheckItem dict per ``checks_spec`` entry (see ``_checks``).
    quality_checks: Sequence[dict[str, Any]] | None = None


class RunState:
    """Steps, the open gate, children, snapshots and the audit trail of one run.

    ``steps`` are the breadcrumb's definitions (``id``, ``title``, ``icon``). ``run_started``
    is False until the run method starts (a rebuilt instance answers messages before it).
    ``runtime`` and ``info`` are the run's binding, kept by :class:`NtroWorkflow`; nothing
    here uses them.
    """

    def __init__(self, steps: Sequence[Any] = (), *, run_started: bool = True) -> None:
        self.steps: dict[str, _StepState] = {
            s.id: _StepState(id=s.id, title=s.title, status="pending", icon=s.icon) for s in steps
        }
        self.step_stack: list[str] = []
        self.current_step_id: str | None = None
        self.completed_step_ids: list[str] = []
        self.pending_action: dict[str, Any] | None = None
        self.pending_payload: Any = None
        self.gate: Gate | None = None
        self.gate_seq = 0
        self.children: dict[str, list[ChildWorkflow]] = {}
        self.snapshots: dict[str, StepSnapshot] = {}
        self.records: dict[str, StepRecord] = {}
        self.audit: list[AuditRecord] = []
        self.run_status: Literal["running", "completed", "failed"] = "running"
        self.run_started = run_started
        self.error: str | None = None
        # Who sent the decision being applied now (set by its handler, read by validators).
        self.deciding: str | None = None
        self.runtime: Any = None
        self.info: Any = None

    # ── steps ──────────────────────────────────────────────────────────

    def record(self, step_id: str | None) -> StepRecord:
        """The record of ``step_id`` (or of the workflow outside any step), created on demand."""
        return self.records.setdefault(step_id or _WORKFLOW_RECORD, StepRecord())

    def enter_step(self, step_id: str) -> None:
        """``step_id`` starts: it becomes active and the current step, with a fresh record."""
        if step_id not in self.steps:
            # A step method of a class outside the workflow's MRO (mixins).
            self.steps[step_id] = _StepState(id=step_id, title=step_id, status="pending", icon=None)
        self.step_stack.append(step_id)
        self.current_step_id = step_id
        self.steps[step_id].status = "active"
        self.records[step_id] = StepRecord()

    def leave_step(self, step_id: str) -> None:
        """``step_id`` ends: the step that called it (if any) is current again."""
        if step_id in self.step_stack:
            self.step_stack.remove(step_id)
        self.current_step_id = self.step_stack[-1] if self.step_stack else step_id

    def complete_step(self, step_id: str, result: Any, now: datetime) -> None:
        """``step_id`` returned ``result``: completed, snapshotted, left."""
        self.steps[step_id].status = "completed"
        if step_id not in self.completed_step_ids:
            self.completed_step_ids.append(step_id)
        self.snapshot(step_id, "completed", now, result=to_jsonable_or_repr(result))
        self.leave_step(step_id)

    def fail_step(self, step_id: str, error: str, now: datetime) -> None:
        """``step_id`` raised ``error``: failed, snapshotted, its open gate closed, left."""
        self.steps[step_id].status = "failed"
        self.snapshot(step_id, "failed", now, error=error)
        if self.pending_action is not None and self.pending_action.get("step_id") == step_id:
            self.clear_pending()
        self.leave_step(step_id)

    def snapshot(self, step_id: str, status: str, now: datetime, **extra: Any) -> None:
        """Keep what ``step_id`` showed and decided, so a finished step can be shown again."""
        record = self.record(step_id)
        snapshot: dict[str, Any] = {
            "display_hint": record.display_hint,
            "completed_at": now,
            "status": status,
        }
        if record.payload is not None:
            snapshot["payload"] = record.payload
        if record.decision is not None:
            snapshot["decision"] = record.decision
        if record.feedback is not None:
            snapshot["feedback"] = record.feedback
        if record.checks is not None:
            snapshot["checks"] = record.checks
        if record.checks_result is not None:
            snapshot["checks_result"] = record.checks_result
        snapshot.update({k: v for k, v in extra.items() if v is not None})
        self.snapshots[step_id] = StepSnapshot.model_validate(snapshot)

    # ── gates ──────────────────────────────────────────────────────────

    def open_gate(
        self, kind: str, spec: GateSpec, *, now: datetime, deadline: datetime | None
    ) -> Gate:
        """Open a ``kind`` gate showing ``spec``; it becomes the pending action.

        Raises :class:`WorkflowError` (type ``PayloadTooLarge``) when the payload is too large
        to publish.
        """
        step = spec.step_id or self.current_step_id
        self.gate_seq += 1
        gate = Gate(
            gate_id=f"{step or 'workflow'}:{self.gate_seq}",
            kind=kind,
            step_id=step,
            policy=spec.policy,
            own_checks=to_jsonable(list(spec.checks or []), "checks"),
            quality=[dict(item) for item in spec.quality_checks or []],
        )
        hint = normalize_display_hint(spec.display_hint, kind)
        payload = to_jsonable(spec.payload, f"the payload of gate {gate.gate_id!r}")
        try:
            ensure_sendable(
                payload, f"the payload of gate {gate.gate_id!r}", MAX_GATE_PAYLOAD_BYTES
            )
        except PayloadTooLarge as err:
            raise WorkflowError(str(err), type="PayloadTooLarge") from None
        action: dict[str, Any] = {
            **(spec.extra or {}),
            "kind": kind,
            "reason": spec.reason,
            "display_hint": hint,
            "payload": payload,
            "args": to_jsonable(spec.args or {}, f"the args of gate {gate.gate_id!r}"),
            "tools": to_jsonable(list(spec.tools or []), "tools"),
            "children": spec.children or [],
            "feedback": None,
            "checks": gate.checks(),
            "step_id": step,
            "gate_id": gate.gate_id,
            "opened_at": iso(now),
            "deadline": iso(deadline) if deadline is not None else None,
        }
        if gate.quality:
            action["checks_result"] = checks_result(gate.quality)
        if spec.policy is not None:
            action["policy"] = spec.policy.describe(gate.makers)
        self.pending_action = action
        self.pending_payload = payload
        self.gate = gate
        if step is not None and kind != "drill_down":
            self.steps[step].status = "waiting_for_input"
        record = self.record(step)
        record.display_hint = hint
        if payload is not None:
            record.payload = payload
        if record.unclaimed_feedback is not None and kind != "drill_down":
            action["feedback"] = record.unclaimed_feedback
            hint["config"]["feedback"] = record.unclaimed_feedback
            record.unclaimed_feedback = None
        return gate

    def clear_pending(self) -> None:
        """Close the open gate: nothing is pending, its step is active again."""
        gate = self.gate
        self.pending_action = None
        self.pending_payload = None
        self.gate = None
        if gate is not None and gate.step_id is not None:
            step = self.steps.get(gate.step_id)
            if step is not None and step.status == "waiting_for_input":
                step.status = "active"

    def close_if_open(self, gate: Gate | None) -> None:
        """Close ``gate`` if it is still the open one (a later gate is left alone)."""
        if gate is not None and self.gate is gate:
            self.clear_pending()

    def set_feedback(self, kind: str, payload: Any, level: str) -> None:
        """Attach feedback to the open gate, or keep it for the current step's next gate."""
        feedback = {"kind": kind, "level": level, "payload": to_jsonable(payload, "feedback")}
        record = self.record(self.current_step_id)
        if self.pending_action is not None and self.pending_action["kind"] != "drill_down":
            self.pending_action["feedback"] = feedback
            self.pending_action["display_hint"]["config"]["feedback"] = feedback
        else:
            record.unclaimed_feedback = feedback
        record.feedback = feedback

    def set_quality_check(self, gate: Gate, index: int, item: dict[str, Any]) -> None:
        """Quality check ``index`` of ``gate`` ended as ``item``; shown if the gate is open."""
        gate.quality[index] = item
        if self.gate is gate and self.pending_action is not None:
            self.pending_action["checks"] = gate.checks()
            self.pending_action["checks_result"] = checks_result(gate.quality)

    def end_quality_checks(self, gate: Gate) -> None:
        """``gate`` closes: checks still running end ``skipped``, and the checks as they ended
        go to its step's snapshot and to its decision (``decision.checks``)."""
        gate.quality = [not_finished(item) for item in gate.quality]
        checks = gate.checks()
        if not checks:
            return
        summary = checks_result(gate.quality) if gate.quality else None
        if self.gate is gate and self.pending_action is not None:
            self.pending_action["checks"] = checks
            if summary is not None:
                self.pending_action["checks_result"] = summary
        record = self.record(gate.step_id)
        record.checks, record.checks_result = checks, summary
        if gate.decision is not None:
            gate.decision.attach_checks(checks, summary)

    def add_child(self, step_id: str, child: ChildWorkflow) -> None:
        """List ``child`` under ``step_id`` (its status is updated in place as it runs)."""
        self.children.setdefault(step_id, []).append(child)

    # ── decisions ──────────────────────────────────────────────────────

    def columns(self) -> set[str]:
        """Column keys the open gate's display hint declares."""
        return column_keys(self.pending_action.get("display_hint") if self.pending_action else None)

    def cell(self, row_id: str, field_name: str | None) -> Any:
        """The value of ``field_name`` in row ``row_id`` of the open gate's payload, or None."""
        if field_name is None:
            return None
        for candidate, row in iter_rows(self.pending_payload):
            if candidate == row_id:
                return row.get(field_name)
        return None

    def check(
        self, parsed: Decision | RowAction, *, unmatched_ok: bool = False
    ) -> Decision | RowAction:
        """Check a parsed decision or row action against the open gate; raise if refused.

        ``unmatched_ok``: a harness-started run's scenario delivers corrections to rows the
        (mocked) payload lacks; see :mod:`ntro.workflow._harness_runs`.
        """
        gate = self.gate
        if gate is None or gate.kind != "interactive_review":
            waiting = self.pending_action["kind"] if self.pending_action else "nothing"
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
        running = gate.running_checks()
        if running and isinstance(parsed, Decision) and parsed.approved:
            raise InvalidDecision(
                f"{len(running)} of {len(gate.quality)} checks still running "
                f"({', '.join(running)}); wait for them to finish, or reject"
            )
        if gate.policy is not None:
            gate.policy.check(parsed, parsed.roles, gate.makers)
            gate.policy.check_override(parsed, self.gate_checks(), gate.override_approvals)
        if isinstance(parsed, RowAction):
            check_row_action(parsed, self.pending_payload, self.columns())
        elif not unmatched_ok:
            check_corrections(parsed.corrections, self.pending_payload, self.columns())
        return parsed

    def gate_checks(self) -> list[Any]:
        """The open gate's checks: its own (``checks=``), then its quality checks."""
        return self.gate.checks() if self.gate is not None else []

    def awaits_second_approver(self, gate: Gate, parsed: Decision | RowAction) -> bool:
        """Whether ``parsed`` is the first of the two approvals ``gate``'s policy asks for."""
        return gate.policy is not None and gate.policy.awaits_second_approver(
            parsed, self.gate_checks(), gate.override_approvals
        )

    def first_approval(
        self, gate: Gate, parsed: Decision, reviewer: str, now: datetime
    ) -> dict[str, Any]:
        """Record the first of the two approvals an override needs; the gate stays open."""
        assert gate.policy is not None
        gate.override_approvals.append(reviewer)
        if self.pending_action is not None:
            self.pending_action["policy"] = gate.policy.describe(
                gate.makers, gate.override_approvals
            )
        self.audit.append(
            AuditRecord(
                kind="first_approval",
                step_id=gate.step_id,
                gate_id=gate.gate_id,
                reviewer=reviewer,
                on_behalf_of=parsed.on_behalf_of,
                at=now,
                action=parsed.action,
                comment=parsed.comment,
                reason="overrides " + ", ".join(failing_checks(self.gate_checks())),
            )
        )
        return {
            "accepted": True,
            "kind": "first_approval",
            "gate_id": gate.gate_id,
            "waiting_for": "a second reviewer's approval",
        }

    def refuse_if_deciding(self) -> None:
        """Refuse a decision while another one is being applied."""
        if self.deciding is not None:
            which = f"gate {self.gate.gate_id!r}" if self.gate is not None else "the open review"
            raise InvalidDecision(
                f"{which} was already decided: a decision by {self.deciding} arrived "
                f"first and is being applied. Reload the review to see it."
            )

    def record_row_action(self, gate: Gate, action: RowAction, now: datetime) -> None:
        """Audit a row action on ``gate``; a cell edit makes its reviewer one of the makers."""
        self.audit.append(
            AuditRecord(
                kind="row_action",
                step_id=gate.step_id,
                gate_id=gate.gate_id,
                reviewer=action.reviewer,
                at=now,
                action=action.action,
                line_item_id=action.row_id,
                field=action.field,
                old_value=self.cell(action.row_id, action.field),
                new_value=to_jsonable_or_repr(action.value),
            )
        )
        if action.action == "edit_cell" and action.reviewer is not None:
            gate.makers.add(action.reviewer)
            if gate.policy is not None and self.pending_action is not None:
                self.pending_action["policy"] = gate.policy.describe(gate.makers)

    def accept(self, gate: Gate, decision: DecisionDict, via: str, now: datetime) -> None:
        """``decision`` decides ``gate``: recorded on the gate, its step and the audit trail."""
        model = decision.decision
        moment = model.decided_at or now
        gate.decision = decision
        gate.decided_by = model.reviewer
        gate.decided_at = iso(moment)
        self.record(gate.step_id).decision = model.model_dump(mode="json")
        self.audit.append(
            AuditRecord(
                kind="timeout" if model.timed_out else "decision",
                step_id=gate.step_id,
                gate_id=gate.gate_id,
                reviewer=model.reviewer,
                on_behalf_of=model.on_behalf_of,
                at=moment,
                action=model.action,
                comment=model.comment,
                via=via,
            )
        )
        if model.approved:
            for correction in model.corrections:
                self.audit.append(
                    AuditRecord(
                        kind="correction",
                        step_id=gate.step_id,
                        gate_id=gate.gate_id,
                        reviewer=model.reviewer,
                        at=moment,
                        line_item_id=correction.line_item_id,
                        field=correction.field,
                        old_value=self.cell(correction.line_item_id, correction.field),
                        new_value=correction.new_value,
                    )
                )

    def time_out(self, gate: Gate, on_timeout: str | dict[str, Any], now: datetime) -> None:
        """``gate`` timed out: the ``on_timeout`` decision is taken by the system."""
        raw = {"action": on_timeout} if isinstance(on_timeout, str) else dict(on_timeout)
        raw.setdefault("reason", "timed out")
        decision = parse_decision(raw).model_copy(
            update={
                "reviewer": TIMEOUT_REVIEWER,
                "decided_at": now,
                "gate_id": gate.gate_id,
                "step_id": gate.step_id,
                "timed_out": True,
            }
        )
        self.accept(gate, DecisionDict({**raw, "timed_out": True}, decision), "timeout", now)

    def record_unmatched(
        self, gate: Gate, reviewer: str, reasons: list[str], now: datetime
    ) -> None:
        """Audit the corrections a harness scenario delivered to rows the payload lacks."""
        self.audit.append(
            AuditRecord(
                kind="unmatched_corrections",
                step_id=gate.step_id,
                gate_id=gate.gate_id,
                reviewer=reviewer,
                at=now,
                reasons=reasons,
                via="harness",
            )
        )

    def record_refused(self, reason: str, received: Any, now: datetime) -> None:
        """Audit an input that was refused (the run goes on waiting)."""
        self.audit.append(
            AuditRecord(
                kind="refused",
                step_id=self.current_step_id,
                gate_id=self.gate.gate_id if self.gate else None,
                at=now,
                reason=reason,
                received=received,
            )
        )

    # ── query answers ──────────────────────────────────────────────────

    def steps_answer(self) -> list[_Answer]:
        """The breadcrumb: ``[{id, title, status, icon}]`` in declaration order."""
        return [_dump(step) for step in self.steps.values()]

    def snapshots_answer(self) -> dict[str, _Answer]:
        """``{step_id: {display_hint, completed_at, status, payload?, decision?, ...}}``."""
        return {step_id: _dump_snapshot(snapshot) for step_id, snapshot in self.snapshots.items()}

    def children_answer(self) -> dict[str, list[_Answer]]:
        """``{step_id: [{workflow_id, run_id, slug, status}]}``."""
        return {step: [_dump(child) for child in kids] for step, kids in self.children.items()}

    def audit_answer(self) -> list[_Answer]:
        """Every decision, correction, row action, timeout and refused input, in order."""
        return [_dump(entry) for entry in self.audit]

    def ui_state_answer(self, workflow_id: str, workflow_type: str, slug: str | None) -> _Answer:
        """Everything one render of a UI needs (the ``current_ui_state`` query)."""
        record = self.records.get(self.current_step_id or _WORKFLOW_RECORD)
        answer = UIStateAnswer(
            workflow_id=workflow_id,
            workflow_type=workflow_type,
            slug=slug,
            status=self.run_status,
            error=self.error,
            current_step_id=self.current_step_id,
            completed_step_ids=list(self.completed_step_ids),
            steps=list(self.steps.values()),
            pending_action=self.pending_action,
            pending_payload=self.pending_payload,
            feedback=record.feedback if record is not None else None,
            children_by_step_id=self.children,
            step_snapshots={},
            audit_trail=self.audit,
        )
        data = _dump(answer, raw=("pending_action", "pending_payload"))
        data["step_snapshots"] = self.snapshots_answer()
        return data
