"""The public names of the packages users import, pinned.

A name added or removed here is a change to the published surface: update this list on
purpose, in the same commit, and say so in the changelog of the change.
"""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "ntro": {
        "NtroError",
        "__version__",
    },
    "ntro.workflow": {
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
        "MAX_DECISION_BYTES",
        "MAX_DECISION_DEPTH",
        "MAX_GATE_PAYLOAD_BYTES",
        "MEMO_KEY",
        "NtroWorkflow",
        "PERSON_KINDS",
        "PayloadTooLarge",
        "ReviewPolicy",
        "RunInfo",
        "RunState",
        "RunbookDefinitionError",
        "StepDefinition",
        "UIComponent",
        "UNMATCHED_CORRECTIONS_FLAG",
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
        "step_definitions",
        "summarise_check_statuses",
        "ui_step",
        "unregister_workflow",
        "usable_attributes",
        "visibility_support",
        "with_builtin_activities",
        "workflow_handler",
        "workflow_name",
    },
    "ntro.testing": {
        "AUTO_INPUT",
        "AutoMockError",
        "HAPPY",
        "HarnessError",
        "MockValues",
        "NotifyingRunner",
        "REJECT_ALL",
        "RunResult",
        "Scenario",
        "StepEvent",
        "WorkflowHarness",
        "activities_of",
        "bundle_scenarios",
        "load_runbook",
        "mock_activity",
        "quiet_runtime",
        "report",
        "run_bundle",
        "run_input_type",
        "select_scenarios",
        "signal_args",
        "start_environment",
        "unknown_activity",
    },
    "ntro_jupyter": {
        "BreadcrumbWidget",
        "ClusterUnreachable",
        "DataTableWidget",
        "DecisionRefused",
        "IdentityError",
        "IntentSink",
        "PanelWidget",
        "RunHandle",
        "RunView",
        "Session",
        "SessionError",
        "Target",
        "WorkflowNotFound",
        "default_reviewer",
        "get_session",
        "load_ipython_extension",
        "panel_widget_for",
        "render_run_html",
        "unload_ipython_extension",
    },
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_the_public_names_are_the_pinned_ones(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == PUBLIC[module_name]


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_every_public_name_resolves_and_none_is_private(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert not name.startswith("_") or name == "__version__", name
        getattr(module, name)  # lazily exported names load, or this raises AttributeError
