"""The intents a panel emits: decisions, row actions and upload signals, as plain dicts.

Why: the widgets never talk to Temporal. They hand these dicts to Python callbacks; the kernel
bridge sends a decision as the workflow's ``submit_action`` update, a row action likewise, and
an upload as the named signal. The shapes are fixed here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict


class CorrectionDict(TypedDict):
    """One corrected field: the row, the field, what it was and what the reviewer set."""

    line_item_id: str
    field: str
    old_value: Any
    new_value: Any


class DecisionIntent(TypedDict):
    """A reviewer's decision on a gate (``correct`` = approve with corrections).

    ``reviewer`` is the signed-in identity, always; ``on_behalf_of`` the name a reviewer typed
    to sign for someone ("Dana Cho, CFO"), kept beside the reviewer in the record.
    """

    action: Literal["approve", "reject", "correct"]
    corrections: list[CorrectionDict]
    comment: str | None
    reviewer: str
    gate_id: str | None
    on_behalf_of: NotRequired[str]


class RowActionPayload(TypedDict, total=False):
    """What a row action does: reject a row, or edit one cell, while the gate stays open."""

    action: Literal["edit_cell", "reject_row"]
    row_id: str
    field: str
    value: Any


class RowActionIntent(TypedDict):
    """A row action on the open gate."""

    kind: Literal["row_action"]
    gate_id: str | None
    reviewer: str
    payload: RowActionPayload


class DocumentPayload(TypedDict):
    """The document an upload signal carries (the bytes stay in the document store)."""

    document_ref: str
    filename: str
    size: int
    content_type: str
    source: str | None
    schema_slug: str | None
    tenant_id_or_slug: str | None
    entity_id_or_slug: str | None


class SignalIntent(TypedDict):
    """Send ``signal_name`` to workflow ``signal_task_id`` with a document payload.

    ``signal_name`` is None only when the gate did not name one (a multi-upload slot whose
    child names its own signal): the bridge then asks the target workflow's pending action.
    """

    signal_task_id: str | None
    signal_name: str | None
    payload: DocumentPayload


def build_decision(
    action: str,
    *,
    reviewer: str,
    gate_id: str | None,
    corrections: Sequence[CorrectionDict] = (),
    comment: str | None = None,
    on_behalf_of: str | None = None,
) -> DecisionIntent:
    """A decision intent; ``approve`` with corrections becomes ``correct``.

    Raises ValueError for an action other than approve/reject/correct, and for ``correct``
    without corrections (there is nothing to correct: send ``approve``).
    """
    if action not in ("approve", "reject", "correct"):
        raise ValueError(f"unknown decision {action!r}: use approve, reject or correct")
    fixed = [CorrectionDict(**c) for c in corrections]
    if action == "approve" and fixed:
        action = "correct"
    if action == "correct" and not fixed:
        action = "approve"
    if action == "reject":
        fixed = []
    text = comment.strip() if isinstance(comment, str) else None
    intent = DecisionIntent(
        action=action,  # type: ignore[typeddict-item]
        corrections=fixed,
        comment=text or None,
        reviewer=reviewer,
        gate_id=gate_id,
    )
    signer = on_behalf_of.strip() if isinstance(on_behalf_of, str) else ""
    if signer and signer != reviewer:
        intent["on_behalf_of"] = signer
    return intent


def build_row_action(
    action: Literal["edit_cell", "reject_row"],
    *,
    row_id: str,
    reviewer: str,
    gate_id: str | None,
    field: str | None = None,
    value: Any = None,
) -> RowActionIntent:
    """A row action intent; ``edit_cell`` carries the field and its new value."""
    payload = RowActionPayload(action=action, row_id=row_id)
    if field is not None:
        payload["field"] = field
    if action == "edit_cell":
        payload["value"] = value
    return RowActionIntent(kind="row_action", gate_id=gate_id, reviewer=reviewer, payload=payload)
