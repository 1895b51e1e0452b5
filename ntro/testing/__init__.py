"""Test runbooks on Temporal's time-skipping server: scenarios, harness, reports.

Scenarios, reports, auto-mocked values and bundle loading import no Temporal client, so a
bundle's ``tests/scenarios.py`` (``from ntro.testing import Scenario``), ``ntro --help`` and
``ntro runbook validate`` stay fast; the harness (``WorkflowHarness``, ``start_environment``,
``activities_of``) is imported on first use.
"""

from typing import Any

from ntro.testing import report
from ntro.testing._automock import AUTO_INPUT, AutoMockError, MockValues, run_input_type
from ntro.testing._bundles import bundle_scenarios, load_runbook, run_bundle, select_scenarios
from ntro.testing._errors import HarnessError
from ntro.testing._scenario import HAPPY, REJECT_ALL, RunResult, Scenario, StepEvent

__all__ = [
    "AUTO_INPUT",
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
    "run_input_type",
    "select_scenarios",
    "report",
    "start_environment",
]

_HARNESS = ("WorkflowHarness", "activities_of", "start_environment")


def __getattr__(name: str) -> Any:
    # The harness needs temporalio's client and worker (about half a second to import).
    if name in _HARNESS:
        from ntro.testing import _harness

        value = getattr(_harness, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ntro.testing' has no attribute {name!r}")
