"""Pydantic wire models for steps, pending actions, display hints, snapshots and decisions."""

from ntro.types._models import (
    AuditEntry,
    ChildRef,
    ChildWorkflow,
    Correction,
    Decision,
    DecisionAction,
    DisplayHint,
    Feedback,
    PendingAction,
    PendingKind,
    RowAction,
    StepSnapshot,
    StepState,
    StepStatus,
    UIComponent,
    UIState,
)

__all__ = [
    "AuditEntry",
    "ChildRef",
    "ChildWorkflow",
    "Correction",
    "Decision",
    "DecisionAction",
    "DisplayHint",
    "Feedback",
    "PendingAction",
    "PendingKind",
    "RowAction",
    "StepSnapshot",
    "StepState",
    "StepStatus",
    "UIComponent",
    "UIState",
]
