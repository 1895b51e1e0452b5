"""The breadcrumb and the decision history of one run, from its UI state.

Why: the reviewer must see where the run is (steps in declaration order, each with its Lucide
icon and status), which child runbooks each step started, which finished steps can be opened
again, and who decided what, when.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ntro.types import AuditEntry, UIState
from ntro_jupyter.viewmodels._icons import icons_for, resolve_icon
from ntro_jupyter.viewmodels._review import format_time
from ntro_jupyter.viewmodels._values import format_money, parse_number, plain_text

_STATUS_ICON = {
    "completed": "circle-check",
    "failed": "circle-x",
    "active": "loader-circle",
    "waiting_for_input": "circle-pause",
    "pending": "circle-dashed",
    "running": "loader-circle",
}
_STATUS_WORDS = {
    "completed": "done",
    "failed": "failed",
    "active": "running",
    "waiting_for_input": "waiting for you",
    "pending": "not started",
}


def _short_id(workflow_id: str) -> str:
    parts = workflow_id.split(":")
    return ":".join(parts[-2:]) if len(parts) > 2 else workflow_id


def breadcrumb_view(state: UIState) -> dict[str, Any]:
    """Steps with icon, status, children and whether a snapshot can be opened."""
    pending = state.pending_action
    pending_step = pending.step_id if pending else None
    steps = []
    names: list[Any] = list(_STATUS_ICON.values())
    for step in state.steps:
        icon, known = resolve_icon(step.icon)
        names.append(icon)
        status = step.status
        if step.id in state.completed_step_ids and status == "pending":
            status = "completed"
        children = [
            {
                "workflow_id": child.workflow_id,
                "short": _short_id(child.workflow_id),
                "slug": child.slug,
                "status": child.status,
                "status_icon": _STATUS_ICON.get(child.status, "circle-dot"),
            }
            for child in state.children_by_step_id.get(step.id, [])
        ]
        steps.append(
            {
                "id": step.id,
                "title": step.title,
                "status": status,
                "status_text": _STATUS_WORDS.get(status, status),
                "icon": icon,
                "icon_known": known,
                "icon_requested": step.icon,
                "current": step.id == state.current_step_id,
                "waiting": step.id == pending_step or status == "waiting_for_input",
                "has_snapshot": step.id in state.step_snapshots,
                "children": children,
            }
        )
    orphans = [
        {"step_id": step_id, "children": [c.workflow_id for c in children]}
        for step_id, children in state.children_by_step_id.items()
        if step_id not in {s.id for s in state.steps}
    ]
    return {
        "workflow_id": state.workflow_id,
        "workflow_type": state.workflow_type,
        "status": state.status,
        "error": state.error,
        "steps": steps,
        "orphan_children": orphans,
        "icons": icons_for(names),
        "status_icons": dict(_STATUS_ICON),
    }


def _who(entry: AuditEntry) -> str:
    who = entry.reviewer or "someone"
    if entry.on_behalf_of:
        who += f" on behalf of {entry.on_behalf_of}"
    return who


_DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")


def audit_value(value: Any) -> str:
    """A corrected value as a reviewer reads it: ``1250.0`` -> ``1,250.00``, ``"1205.5"`` ->
    ``1,205.50``, every digit kept (``12.345`` stays ``12.345``); codes such as ``3100`` and
    text are left as they are."""
    number = None
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        number = parse_number(value)
    elif isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        number = parse_number(value.strip())
    if number is None:
        return plain_text(value) if value is not None else "(empty)"
    return format_money(number, None, 2)


def history_line(entry: AuditEntry, step_titles: dict[str, str]) -> dict[str, Any]:
    """One audit entry as ``{at, who, kind, text}`` for the decision history."""
    step = step_titles.get(entry.step_id or "", entry.step_id or "")
    where = f" on {step}" if step else ""
    action = (entry.action or "").lower()
    if entry.kind == "decision":
        verb = {
            "approve": "approved",
            "reject": "rejected",
            "correct": "approved with corrections",
        }.get(action, action or "decided")
        text = f"{_who(entry)} {verb}{where}"
        if entry.comment:
            text += f": “{plain_text(entry.comment)}”"
    elif entry.kind == "first_approval":
        text = f"{_who(entry)} gave the first of two approvals{where}"
        if entry.reason:
            text += f" ({plain_text(entry.reason)})"
        text += "; a second reviewer must approve"
    elif entry.kind == "correction":
        text = (
            f"{_who(entry)} corrected {entry.field} of {entry.line_item_id}: "
            f"{audit_value(entry.old_value)} → {audit_value(entry.new_value)}"
        )
    elif entry.kind == "row_action":
        if action == "reject_row":
            text = f"{_who(entry)} rejected row {entry.line_item_id}{where}"
        else:
            text = (
                f"{_who(entry)} edited {entry.field} of {entry.line_item_id} to "
                f"{audit_value(entry.new_value)}"
            )
    elif entry.kind == "refused":
        text = f"refused{where}: {plain_text(entry.reason or 'invalid input')}"
    elif entry.kind == "timeout":
        text = f"timed out{where}" + (f", default decision {action}" if action else "")
    else:  # pragma: no cover - the model's Literal keeps this out
        text = plain_text(entry.model_dump(mode="json"))
    return {
        "at": format_time(entry.at) if entry.at else "",
        "who": entry.reviewer,
        "kind": entry.kind,
        "step_id": entry.step_id,
        "text": text,
    }


def history_view(state: UIState) -> list[dict[str, Any]]:
    """The audit trail as lines of text, oldest first."""
    titles = {s.id: s.title for s in state.steps}
    return [history_line(entry, titles) for entry in state.audit_trail]
