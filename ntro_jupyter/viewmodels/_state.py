"""Reading a ``current_ui_state`` dict without ever failing.

Why: the widgets must render whatever arrives (a partial state, a hint that is a list, a step
without a title) and say what they could not show. Valid parts are validated with the
:mod:`ntro.types` models; invalid parts are dropped or repaired and reported as problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ntro.types import (
    AuditEntry,
    ChildWorkflow,
    PendingAction,
    StepSnapshot,
    StepState,
    UIState,
)
from ntro.workflow import GATE_KINDS
from ntro_jupyter.viewmodels._hint import ResolvedHint, resolve_hint

_STEP_STATUSES = ("pending", "active", "completed", "failed", "waiting_for_input")


@dataclass
class ParsedState:
    """A validated :class:`~ntro.types.UIState` plus what had to be dropped to get it.

    ``hint`` is the open gate's resolved display hint (None when nothing is pending) and
    ``raw_payload`` the gate's payload exactly as received.
    """

    state: UIState
    hint: ResolvedHint | None = None
    problems: list[str] = field(default_factory=list)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ())) or "value"
    return f"{where}: {error.get('msg', 'invalid')}"


def _parse_step(raw: Any, index: int, problems: list[str]) -> StepState | None:
    if not isinstance(raw, dict):
        problems.append(f"step #{index + 1} is not an object ({_short(raw)}): not shown")
        return None
    data = dict(raw)
    if data.get("status") not in _STEP_STATUSES:
        if "status" in data:
            problems.append(f"step {data.get('id')!r} has unknown status {data['status']!r}")
        data["status"] = "pending"
    if not data.get("id"):
        problems.append(f"step #{index + 1} has no id: not shown")
        return None
    data["id"] = str(data["id"])
    data["title"] = str(data.get("title") or data.get("name") or data["id"])
    if data.get("icon") is not None and not isinstance(data["icon"], str):
        data["icon"] = None
    try:
        return StepState.model_validate(data)
    except ValidationError as exc:
        problems.append(f"step {data['id']!r}: {_first_error(exc)}")
        return None


def _parse_pending(
    raw: Any, problems: list[str]
) -> tuple[PendingAction | None, ResolvedHint | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        problems.append(f"pending_action is not an object ({_short(raw)}): showing it as data")
        raw = {"kind": "interactive_review", "payload": raw}
    data = dict(raw)
    kind = data.get("kind")
    if kind not in GATE_KINDS:
        problems.append(f"pending action kind {kind!r} is unknown: treated as a review")
        data["kind"] = "interactive_review"
    hint = resolve_hint(data.get("display_hint"), data["kind"])
    problems.extend(hint.problems)
    data["display_hint"] = {"component": hint.component, "config": hint.config}
    _settle_pending_parts(data, problems)
    try:
        return PendingAction.model_validate(data), hint
    except ValidationError as exc:
        problems.append(
            f"pending action could not be read ({_first_error(exc)}): showing it as data"
        )
        fallback = resolve_hint({"component": "FALLBACK"}, "interactive_review")
        return (
            PendingAction.model_validate(
                {
                    "kind": "interactive_review",
                    "display_hint": {"component": hint.component, "config": {}},
                    "payload": raw,
                }
            ),
            fallback,
        )


def _settle_pending_parts(data: dict[str, Any], problems: list[str]) -> None:
    """Drop (and report) the parts of a pending action that cannot be read: its lists,
    feedback, drill-down children, ids and times."""
    for key, default in (("args", {}), ("tools", []), ("children", []), ("checks", [])):
        expected = dict if isinstance(default, dict) else list
        if not isinstance(data.get(key, default), expected):
            problems.append(
                f"pending_action.{key} is not a{'n object' if expected is dict else ' list'}: ignored"
            )
            data[key] = default
        elif data.get(key) is None:
            data[key] = default
    feedback = data.get("feedback")
    if feedback is not None and not (
        isinstance(feedback, dict) and isinstance(feedback.get("kind"), str)
    ):
        problems.append("pending_action.feedback is not {kind, level, payload}: ignored")
        data["feedback"] = None
    elif isinstance(feedback, dict) and feedback.get("level") not in (
        "info",
        "success",
        "warning",
        "error",
    ):
        data["feedback"] = {**feedback, "level": "info"}
    children = []
    for child in data["children"]:
        if isinstance(child, dict) and child.get("task_id") and child.get("slug"):
            children.append(child)
        else:
            problems.append(f"drill-down child {_short(child)} has no task_id/slug: not shown")
    data["children"] = children
    for key in ("gate_id", "step_id", "reason"):
        if data.get(key) is not None and not isinstance(data[key], str):
            data[key] = str(data[key])
    for key in ("opened_at", "deadline"):
        if data.get(key) is not None:
            try:
                PendingAction.model_validate(
                    {"kind": "drill_down", "display_hint": {"component": "X"}, key: data[key]}
                )
            except ValidationError:
                problems.append(f"pending_action.{key} {data[key]!r} is not a time: ignored")
                data[key] = None


def _parse_children(raw: Any, problems: list[str]) -> dict[str, list[ChildWorkflow]]:
    """``children_by_step_id``, each child that cannot be read dropped and reported."""
    children: dict[str, list[ChildWorkflow]] = {}
    if not isinstance(raw, dict):
        return children
    for step_id, items in raw.items():
        for item in items if isinstance(items, list) else []:
            try:
                children.setdefault(str(step_id), []).append(ChildWorkflow.model_validate(item))
            except ValidationError as exc:
                problems.append(f"child of step {step_id!r}: {_first_error(exc)}")
    return children


def _parse_snapshots(raw: Any, problems: list[str]) -> dict[str, StepSnapshot]:
    """``step_snapshots``, each hint resolved; one that cannot be read dropped and reported."""
    snapshots: dict[str, StepSnapshot] = {}
    if not isinstance(raw, dict):
        return snapshots
    for step_id, snap in raw.items():
        if not isinstance(snap, dict):
            problems.append(f"snapshot of step {step_id!r} is not an object: not shown")
            continue
        snap = dict(snap)
        if snap.get("display_hint") is not None:
            resolved = resolve_hint(snap["display_hint"], "interactive_review")
            snap["display_hint"] = {"component": resolved.component, "config": resolved.config}
        if snap.get("decision") is not None and not isinstance(snap["decision"], dict):
            snap["decision"] = {"value": snap["decision"]}
        if snap.get("status") not in _STEP_STATUSES:
            snap["status"] = "completed"
        try:
            snapshots[str(step_id)] = StepSnapshot.model_validate(snap)
        except ValidationError as exc:
            problems.append(f"snapshot of step {step_id!r}: {_first_error(exc)}")
    return snapshots


def parse_ui_state(raw: Any) -> ParsedState:
    """Validate a ``current_ui_state`` dict; never raises.

    A valid state goes through :class:`~ntro.types.UIState` unchanged. Otherwise each part is
    read on its own, the unreadable pieces are dropped, and each drop is listed in
    ``problems`` so the view can say what it could not show.
    """
    problems: list[str] = []
    if hasattr(raw, "model_dump"):
        raw = raw.model_dump(mode="json")
    if not isinstance(raw, dict):
        return ParsedState(UIState(), None, [f"the run state is not an object ({_short(raw)})"])
    pending, hint = _parse_pending(raw.get("pending_action"), problems)
    steps_raw: list[Any] = raw["steps"] if isinstance(raw.get("steps"), list) else []
    if raw.get("steps") is not None and not isinstance(raw.get("steps"), list):
        problems.append("steps is not a list: no breadcrumb")
    parsed_steps = [_parse_step(item, i, problems) for i, item in enumerate(steps_raw)]
    steps = [s for s in parsed_steps if s is not None]
    children = _parse_children(raw.get("children_by_step_id"), problems)
    snapshots = _parse_snapshots(raw.get("step_snapshots"), problems)
    audit: list[AuditEntry] = []
    entries: list[Any] = raw["audit_trail"] if isinstance(raw.get("audit_trail"), list) else []
    for entry in entries:
        try:
            audit.append(AuditEntry.model_validate(entry))
        except ValidationError as exc:
            problems.append(f"audit entry skipped: {_first_error(exc)}")
    status = (
        raw.get("status") if raw.get("status") in ("running", "completed", "failed") else "running"
    )
    completed = raw.get("completed_step_ids")
    data = {
        "workflow_id": None if raw.get("workflow_id") is None else str(raw.get("workflow_id")),
        "workflow_type": None
        if raw.get("workflow_type") is None
        else str(raw.get("workflow_type")),
        "status": status,
        "current_step_id": None
        if raw.get("current_step_id") is None
        else str(raw.get("current_step_id")),
        "completed_step_ids": [str(s) for s in completed] if isinstance(completed, list) else [],
        "pending_payload": raw.get("pending_payload"),
        "error": None if raw.get("error") is None else str(raw.get("error")),
    }
    extras = {k: v for k, v in raw.items() if k not in UIState.model_fields}
    state = UIState.model_validate({**extras, **data})
    state.steps = steps
    state.pending_action = pending
    state.children_by_step_id = children
    state.step_snapshots = snapshots
    state.audit_trail = audit
    return ParsedState(state, hint, problems)
