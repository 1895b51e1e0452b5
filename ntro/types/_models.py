"""Wire models: the shapes the SDK publishes through queries and accepts through updates.

Every shape a UI, the harness or a CLI reads from a running workflow is defined here, once.
The workflow itself keeps plain dicts in its state (they cross Temporal's data converter
unchanged); these models validate and document them at the edges.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

StepStatus = Literal["pending", "active", "completed", "failed", "waiting_for_input"]
PendingKind = Literal["submit_file", "submit_files", "interactive_review", "drill_down"]
DecisionAction = Literal["approve", "reject", "correct"]


class UIComponent(StrEnum):
    """Names of the review components a ``display_hint`` can ask for.

    Members are strings (``UIComponent.DATA_TABLE == "DATA_TABLE"``), so a hint may use either.
    """

    LOADING = "LOADING"
    FILE_UPLOAD = "FILE_UPLOAD"
    MULTI_FILE_UPLOAD = "MULTI_FILE_UPLOAD"
    DATA_TABLE = "DATA_TABLE"
    SUMMARY = "SUMMARY"
    APPROVAL_FORM = "APPROVAL_FORM"
    REPORT_PREVIEW = "REPORT_PREVIEW"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class StepState(_Wire):
    """One breadcrumb entry, as returned by the ``current_steps`` query."""

    id: str
    title: str
    status: StepStatus = "pending"
    icon: str | None = None


class DisplayHint(_Wire):
    """Which panel renders a gate, and its configuration."""

    component: str
    config: dict[str, Any] = Field(default_factory=dict)


class Feedback(_Wire):
    """Progress or validation feedback attached to the open gate."""

    kind: str
    level: Literal["info", "success", "warning", "error"] = "info"
    payload: Any = None


class ChildRef(_Wire):
    """A child runbook named by a ``drill_down`` pending action."""

    task_id: str
    step_id: str | None = None
    slug: str


class PendingAction(_Wire):
    """What the workflow waits for (the ``current_pending_action`` query); extra keys allowed."""

    kind: PendingKind
    reason: str | None = None
    display_hint: DisplayHint
    payload: Any = None
    args: dict[str, Any] = Field(default_factory=dict)
    tools: list[Any] = Field(default_factory=list)
    children: list[ChildRef] = Field(default_factory=list)
    feedback: Feedback | None = None
    checks: list[Any] = Field(default_factory=list)
    step_id: str | None = None
    gate_id: str | None = None
    opened_at: datetime | None = None
    deadline: datetime | None = None


class ChildWorkflow(_Wire):
    """One entry of ``children_by_step_id``."""

    workflow_id: str
    run_id: str | None = None
    slug: str
    status: Literal["running", "completed", "failed"] = "running"


class Correction(_Wire):
    """A reviewer's change to one field of one row of the gate's payload."""

    line_item_id: str
    field: str
    old_value: Any = None
    new_value: Any = None


class Decision(_Wire):
    """A reviewer's decision, normalised from any accepted spelling.

    ``reviewer`` is who sent it (the authenticated identity); ``on_behalf_of`` whom they
    signed for, when they typed a name ("Dana Cho, CFO"): it never replaces the reviewer.

    ``action`` is ``approve``, ``reject`` or ``correct`` (``correct`` approves with
    corrections). ``approved`` says whether the gate was released as an approval.
    """

    action: DecisionAction
    corrections: list[Correction] = Field(default_factory=list)
    comment: str | None = None
    reviewer: str | None = None
    on_behalf_of: str | None = None
    roles: list[str] = Field(default_factory=list)
    decided_at: datetime | None = None
    gate_id: str | None = None
    step_id: str | None = None
    timed_out: bool = False

    @property
    def approved(self) -> bool:
        return self.action in ("approve", "correct")


class RowAction(_Wire):
    """A row-level action sent while a review gate stays open."""

    action: Literal["edit_cell", "reject_row"]
    row_id: str
    field: str | None = None
    value: Any = None
    reviewer: str | None = None
    roles: list[str] = Field(default_factory=list)
    gate_id: str | None = None


class StepSnapshot(_Wire):
    """A finished step, kept so it can be shown again (``step_snapshots`` query)."""

    display_hint: DisplayHint | None = None
    completed_at: datetime | None = None
    payload: Any = None
    decision: dict[str, Any] | None = None
    result: Any = None
    status: StepStatus = "completed"


class AuditEntry(_Wire):
    """One line of the audit trail: a decision, a correction, a row action or a refusal."""

    kind: Literal["decision", "first_approval", "correction", "row_action", "refused", "timeout"]
    step_id: str | None = None
    gate_id: str | None = None
    reviewer: str | None = None
    on_behalf_of: str | None = None
    at: datetime | None = None
    action: str | None = None
    line_item_id: str | None = None
    field: str | None = None
    old_value: Any = None
    new_value: Any = None
    comment: str | None = None
    reason: str | None = None


class UIState(_Wire):
    """Everything one render needs, from one query (``current_ui_state``)."""

    workflow_id: str | None = None
    workflow_type: str | None = None
    status: Literal["running", "completed", "failed"] = "running"
    current_step_id: str | None = None
    completed_step_ids: list[str] = Field(default_factory=list)
    steps: list[StepState] = Field(default_factory=list)
    pending_action: PendingAction | None = None
    pending_payload: Any = None
    children_by_step_id: dict[str, list[ChildWorkflow]] = Field(default_factory=dict)
    step_snapshots: dict[str, StepSnapshot] = Field(default_factory=dict)
    audit_trail: list[AuditEntry] = Field(default_factory=list)
    error: str | None = None
