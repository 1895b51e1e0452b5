"""Test runbooks on Temporal's time-skipping server: scenarios, harness, reports.

Scenarios, reports, auto-mocked values and bundle loading import no Temporal client, so a
bundle's ``tests/scenarios.py`` (``from ntro.testing import Scenario``), ``ntro --help`` and
``ntro runbook validate`` stay fast; the harness and its parts are imported on first use:
``WorkflowHarness``; the server and worker (``start_environment``, ``quiet_runtime``,
``NotifyingRunner``); the mocks (``mock_activity``, ``unknown_activity``, ``signal_args``),
which the notebook session uses for its own in-memory runs too.
"""

import importlib
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
    "NotifyingRunner",
    "RunResult",
    "Scenario",
    "StepEvent",
    "WorkflowHarness",
    "activities_of",
    "bundle_scenarios",
    "load_runbook",
    "mock_activity",
    "quiet_runtime",
    "run_bundle",
    "run_input_type",
    "select_scenarios",
    "report",
    "signal_args",
    "start_environment",
    "unknown_activity",
]

# Names whose modules need temporalio's client and worker (about half a second to import).
_LAZY = {
    "WorkflowHarness": "ntro.testing._harness",
    "NotifyingRunner": "ntro.testing._activations",
    "quiet_runtime": "ntro.testing._environment",
    "start_environment": "ntro.testing._environment",
    "mock_activity": "ntro.testing._mocks",
    "signal_args": "ntro.testing._mocks",
    "unknown_activity": "ntro.testing._mocks",
    "activities_of": "ntro.workflow",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ntro.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
