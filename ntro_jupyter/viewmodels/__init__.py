"""Typed view-models of the review panels: plain Python, no widget imports.

They take a run's UI state in, keep the reviewer's edits, check what blocks a decision, and
build the intents (decision, row action, upload signal) the widgets hand to the bridge.
"""

from ntro_jupyter.viewmodels._approval import ApprovalFormModel
from ntro_jupyter.viewmodels._base import ActionButton, DecisionBlocked, PanelModel
from ntro_jupyter.viewmodels._breadcrumb import breadcrumb_view, history_view
from ntro_jupyter.viewmodels._fallback import FallbackModel
from ntro_jupyter.viewmodels._hint import Panel, ResolvedHint, panel_for_component, resolve_hint
from ntro_jupyter.viewmodels._icons import icon_svg, resolve_icon
from ntro_jupyter.viewmodels._intents import (
    CorrectionDict,
    DecisionIntent,
    DocumentPayload,
    RowActionIntent,
    SignalIntent,
    build_decision,
    build_row_action,
)
from ntro_jupyter.viewmodels._journal import JournalReviewModel
from ntro_jupyter.viewmodels._loading import LoadingModel
from ntro_jupyter.viewmodels._nav import NavSignoffModel
from ntro_jupyter.viewmodels._panels import build_panel, panel_for_snapshot, panel_for_state
from ntro_jupyter.viewmodels._report import ReportPreviewModel
from ntro_jupyter.viewmodels._review import DecidedInfo, GateInfo, GateLifecycle
from ntro_jupyter.viewmodels._rules import RuleResult
from ntro_jupyter.viewmodels._signoff import approve_summary, review_stakes
from ntro_jupyter.viewmodels._state import ParsedState, parse_ui_state
from ntro_jupyter.viewmodels._summary import SummaryModel
from ntro_jupyter.viewmodels._table import DataTableModel, ExtractionReviewModel
from ntro_jupyter.viewmodels._upload import FileCandidate, MultiUploadModel, UploadModel

__all__ = [
    "ActionButton",
    "ApprovalFormModel",
    "CorrectionDict",
    "DataTableModel",
    "DecidedInfo",
    "DecisionBlocked",
    "DecisionIntent",
    "DocumentPayload",
    "ExtractionReviewModel",
    "FallbackModel",
    "FileCandidate",
    "GateInfo",
    "GateLifecycle",
    "JournalReviewModel",
    "LoadingModel",
    "MultiUploadModel",
    "NavSignoffModel",
    "Panel",
    "PanelModel",
    "ParsedState",
    "ReportPreviewModel",
    "ResolvedHint",
    "RowActionIntent",
    "RuleResult",
    "SignalIntent",
    "SummaryModel",
    "UploadModel",
    "approve_summary",
    "breadcrumb_view",
    "build_decision",
    "build_panel",
    "build_row_action",
    "history_view",
    "icon_svg",
    "panel_for_component",
    "panel_for_snapshot",
    "panel_for_state",
    "parse_ui_state",
    "resolve_hint",
    "resolve_icon",
    "review_stakes",
]
