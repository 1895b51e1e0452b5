"""The runbook authoring SDK.

Two authoring styles run unchanged here: Temporal's (``@workflow.defn``,
``workflow.execute_activity``) with ``@ui_step``, and the facade
(``@runbook.defn``, ``runbook.execute_activity``, ``@activity.defn``), which also runs
in-process with :func:`run_local`.
"""

from ntro.ingest.models import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot
from ntro.types import Decision, UIComponent
from ntro.workflow._base import NtroWorkflow
from ntro.workflow._checks import ChecksSpecError, summarise_check_statuses
from ntro.workflow._decisions import (
    ActionName,
    DecisionDict,
    check_decision_input,
    parse_decision,
)
from ntro.workflow._discovery import (
    activities_near,
    activities_of,
    activity_name,
    builtin_activities,
    is_workflow_class,
    run_method,
    run_takes_input,
    signal_names,
    with_builtin_activities,
    workflow_handler,
    workflow_name,
)
from ntro.workflow._errors import InvalidDecision, RunbookDefinitionError, WorkflowError
from ntro.workflow._execute import execute_runbook, runtime_mode
from ntro.workflow._facade import activity, runbook
from ntro.workflow._harness_runs import HARNESS_MEMO, UNMATCHED_CORRECTIONS_FLAG, harness_memo
from ntro.workflow._hints import normalize_display_hint
from ntro.workflow._limits import (
    MAX_DECISION_BYTES,
    MAX_DECISION_DEPTH,
    MAX_GATE_PAYLOAD_BYTES,
    PayloadTooLarge,
    ensure_sendable,
)
from ntro.workflow._local import LocalCluster, LocalWorkflowHandle, run_local, start_local
from ntro.workflow._policy import ReviewPolicy
from ntro.workflow._registry import (
    register_workflow,
    registered_slugs,
    resolve_slug,
    slug_for_class,
    unregister_workflow,
)
from ntro.workflow._runtime import RunInfo
from ntro.workflow._state import GATE_KINDS, PERSON_KINDS, RunState
from ntro.workflow._steps import StepDefinition, step_definitions, ui_step
from ntro.workflow._visibility import (
    ATTRIBUTE_TYPES,
    MEMO_KEY,
    forget_registered_attributes,
    gate_summary,
    registered_attributes,
    usable_attributes,
    visibility_support,
)

__all__ = [
    "ATTRIBUTE_TYPES",
    "ActionName",
    "ChecksSpecError",
    "Decision",
    "DecisionDict",
    "GATE_KINDS",
    "HARNESS_MEMO",
    "IngestIssueSummary",
    "IngestOutcome",
    "IngestProgressSnapshot",
    "InvalidDecision",
    "LocalCluster",
    "LocalWorkflowHandle",
    "MEMO_KEY",
    "MAX_DECISION_BYTES",
    "MAX_DECISION_DEPTH",
    "MAX_GATE_PAYLOAD_BYTES",
    "NtroWorkflow",
    "PERSON_KINDS",
    "PayloadTooLarge",
    "ReviewPolicy",
    "RunInfo",
    "RunState",
    "RunbookDefinitionError",
    "StepDefinition",
    "UNMATCHED_CORRECTIONS_FLAG",
    "UIComponent",
    "WorkflowError",
    "activities_near",
    "activities_of",
    "activity",
    "activity_name",
    "builtin_activities",
    "check_decision_input",
    "ensure_sendable",
    "execute_runbook",
    "forget_registered_attributes",
    "gate_summary",
    "harness_memo",
    "is_workflow_class",
    "normalize_display_hint",
    "parse_decision",
    "register_workflow",
    "registered_attributes",
    "registered_slugs",
    "resolve_slug",
    "run_local",
    "run_method",
    "run_takes_input",
    "runbook",
    "runtime_mode",
    "signal_names",
    "slug_for_class",
    "start_local",
    "summarise_check_statuses",
    "step_definitions",
    "ui_step",
    "unregister_workflow",
    "usable_attributes",
    "visibility_support",
    "with_builtin_activities",
    "workflow_handler",
    "workflow_name",
]
