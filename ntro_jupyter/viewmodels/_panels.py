"""Choosing and building the panel view-model for the open gate or a finished step.

Why: the one place that maps a resolved ``display_hint`` to a panel class and feeds it the
payload, the gate, the feedback and the children, so the widgets and the static HTML show the
same thing for the same state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ntro.documents import DocumentStore
from ntro.types import StepSnapshot
from ntro_jupyter.viewmodels._approval import ApprovalFormModel
from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._fallback import FallbackModel
from ntro_jupyter.viewmodels._hint import Panel, ResolvedHint, resolve_hint
from ntro_jupyter.viewmodels._journal import JournalReviewModel
from ntro_jupyter.viewmodels._loading import LoadingModel
from ntro_jupyter.viewmodels._nav import NavSignoffModel
from ntro_jupyter.viewmodels._report import ReportPreviewModel
from ntro_jupyter.viewmodels._review import DecidedInfo, GateInfo, decided_from_audit
from ntro_jupyter.viewmodels._state import ParsedState, parse_ui_state
from ntro_jupyter.viewmodels._summary import SummaryModel
from ntro_jupyter.viewmodels._table import DataTableModel, ExtractionReviewModel
from ntro_jupyter.viewmodels._upload import MultiUploadModel, UploadModel

PANEL_CLASSES: dict[Panel, type[PanelModel]] = {
    Panel.LOADING: LoadingModel,
    Panel.FILE_UPLOAD: UploadModel,
    Panel.MULTI_FILE_UPLOAD: MultiUploadModel,
    Panel.DATA_TABLE: DataTableModel,
    Panel.EXTRACTION_REVIEW: ExtractionReviewModel,
    Panel.JOURNAL_REVIEW: JournalReviewModel,
    Panel.NAV_SIGNOFF: NavSignoffModel,
    Panel.SUMMARY: SummaryModel,
    Panel.APPROVAL_FORM: ApprovalFormModel,
    Panel.REPORT_PREVIEW: ReportPreviewModel,
    Panel.FALLBACK: FallbackModel,
}


def build_panel(
    hint: ResolvedHint,
    payload: Any = None,
    *,
    gate: GateInfo | None = None,
    reviewer: str = "reviewer",
    title: str | None = None,
    decided: DecidedInfo | None = None,
    store: DocumentStore | None = None,
    children: list[dict[str, Any]] | None = None,
    result: Any = None,
    now: datetime | None = None,
) -> PanelModel:
    """The view-model for ``hint``; a panel that fails on its input becomes the fallback."""
    cls = PANEL_CLASSES.get(hint.panel, FallbackModel)
    kwargs: dict[str, Any] = {
        "gate": gate,
        "reviewer": reviewer,
        "title": title,
        "decided": decided,
    }
    if issubclass(cls, UploadModel):
        kwargs["store"] = store
    if cls is LoadingModel:
        kwargs["children"] = children
        kwargs["now"] = now
    if cls is SummaryModel:
        kwargs["result"] = result
    try:
        return cls(hint, payload, **kwargs)
    except Exception as exc:  # a panel must never leave the reviewer with nothing
        fallback = ResolvedHint(
            Panel.FALLBACK,
            hint.component,
            hint.config,
            [
                *hint.problems,
                f"the {hint.panel.value} panel could not read this "
                f"gate ({type(exc).__name__}: {exc}): showing its data",
            ],
        )
        return FallbackModel(
            fallback, payload, gate=gate, reviewer=reviewer, title=title, decided=decided
        )


def panel_for_state(
    parsed: ParsedState | dict[str, Any],
    *,
    reviewer: str = "reviewer",
    store: DocumentStore | None = None,
    now: datetime | None = None,
) -> PanelModel | None:
    """The panel for the run's open gate, or None when nothing is pending."""
    if not isinstance(parsed, ParsedState):
        parsed = parse_ui_state(parsed)
    state = parsed.state
    pending = state.pending_action
    if pending is None:
        return None
    hint = parsed.hint or resolve_hint(pending.display_hint.model_dump(), pending.kind)
    config = dict(hint.config)
    if pending.feedback is not None and "feedback" not in config:
        config["feedback"] = pending.feedback.model_dump(mode="json")
    hint = ResolvedHint(hint.panel, hint.component, config, list(hint.problems))
    payload = pending.payload if pending.payload is not None else state.pending_payload
    titles = {s.id: s.title for s in state.steps}
    children: list[dict[str, Any]] = []
    for step_children in state.children_by_step_id.values():
        children.extend(c.model_dump(mode="json") for c in step_children)
    named = [c.model_dump(mode="json") for c in pending.children]
    if pending.kind == "drill_down" and named:
        known = {c["workflow_id"]: c for c in children}
        children = [
            known.get(c["task_id"], {"workflow_id": c["task_id"], "slug": c["slug"]}) for c in named
        ]
    gate = GateInfo.from_pending(pending, state.workflow_id)
    model = build_panel(
        hint,
        payload,
        gate=gate,
        reviewer=reviewer,
        title=titles.get(pending.step_id or state.current_step_id or ""),
        decided=decided_from_audit(state.audit_trail, pending.gate_id),
        store=store,
        children=children,
        now=now,
    )
    for problem in parsed.problems:
        if problem not in model.problems:
            model.problems.append(problem)
    return model


def panel_for_snapshot(
    step_id: str,
    snapshot: StepSnapshot,
    *,
    title: str | None = None,
    reviewer: str = "reviewer",
) -> PanelModel:
    """A finished step shown again, read-only, with the decision taken on it."""
    decided = None
    if snapshot.decision:
        decided = DecidedInfo.from_decision_dict(snapshot.decision, snapshot.completed_at)
    if snapshot.display_hint is not None:
        hint = resolve_hint(snapshot.display_hint.model_dump(), "interactive_review")
        payload = snapshot.payload if snapshot.payload is not None else snapshot.result
    else:
        hint = resolve_hint({"component": "SUMMARY"}, "interactive_review")
        payload = snapshot.result if snapshot.result is not None else snapshot.payload
    if hint.panel in (Panel.FILE_UPLOAD, Panel.MULTI_FILE_UPLOAD, Panel.LOADING):
        hint = ResolvedHint(Panel.SUMMARY, hint.component, {}, [])
        payload = snapshot.result if snapshot.result is not None else snapshot.payload
    # The checks of the step's last gate, as they ended (a finished step shows them too).
    checks = (snapshot.model_extra or {}).get("checks")
    model = build_panel(
        hint,
        payload,
        gate=GateInfo(step_id=step_id, checks=list(checks) if isinstance(checks, list) else []),
        reviewer=reviewer,
        title=title,
        decided=decided,
        result=snapshot.result,
    )
    model.freeze()
    return model
