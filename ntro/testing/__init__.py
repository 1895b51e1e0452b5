"""Test runbooks on Temporal's time-skipping server: scenarios, harness, reports."""

from ntro.testing import report
from ntro.testing._automock import AutoMockError, MockValues
from ntro.testing._bundles import bundle_scenarios, load_runbook, run_bundle, select_scenarios
from ntro.testing._harness import (
    HarnessError,
    WorkflowHarness,
    activities_of,
    start_environment,
)
from ntro.testing._scenario import HAPPY, REJECT_ALL, RunResult, Scenario, StepEvent

__all__ = [
    "HAPPY",
    "REJECT_ALL",
    "AutoMockError",
    "HarnessError",
    "MockValues",
    "RunResult",
    "Scenario",
    "StepEvent",
    "WorkflowHarness",
    "activities_of",
    "bundle_scenarios",
    "load_runbook",
    "run_bundle",
    "select_scenarios",
    "report",
    "start_environment",
]
