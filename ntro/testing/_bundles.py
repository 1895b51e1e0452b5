"""Running a runbook bundle's scenarios: what ``ntro workflow test`` and the pytest plugin share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ntro.testing._automock import AUTO_INPUT
from ntro.testing._errors import HarnessError
from ntro.testing._scenario import HAPPY, REJECT_ALL, RunResult, Scenario


def load_runbook(path: str | Path, workflow_class: str | None = None) -> tuple[type, list[Any]]:
    """Load the bundle at ``path``: ``(workflow class, activity functions)``."""
    from ntro.runbook import load_bundle

    bundle = load_bundle(Path(path), workflow_class=workflow_class)
    return bundle.workflow_cls, list(bundle.activities)


def bundle_scenarios(bundle: Any) -> dict[str, Scenario]:
    """The built-in scenarios plus the bundle's own from ``tests/scenarios.py``, by name."""
    scenarios = {HAPPY.name: HAPPY, REJECT_ALL.name: REJECT_ALL}
    for name, scenario in (getattr(bundle, "scenarios", None) or {}).items():
        if isinstance(scenario, Scenario):
            scenarios[scenario.name] = scenario
        elif all(hasattr(scenario, a) for a in ("name", "approve_reviews")):
            scenarios[str(scenario.name)] = Scenario(
                **{
                    k: getattr(scenario, k)
                    for k in Scenario.__dataclass_fields__
                    if hasattr(scenario, k)
                }
            )
        else:
            raise HarnessError(f"tests/scenarios.py: {name!r} is not a Scenario")
    return scenarios


def select_scenarios(available: dict[str, Scenario], names: Sequence[str]) -> list[Scenario]:
    """Scenarios by name (``happy`` and ``reject_all`` when none are named: the bundle's own if
    it defines them, e.g. with the files their uploads take); unknown names are an error."""
    if not names:
        return [available.get(HAPPY.name, HAPPY), available.get(REJECT_ALL.name, REJECT_ALL)]
    unknown = [n for n in names if n not in available]
    if unknown:
        raise HarnessError(
            f"unknown scenario {unknown[0]!r}; this runbook has: {', '.join(available)} "
            f"(add custom ones to tests/scenarios.py)"
        )
    return [available[n] for n in names]


async def run_bundle(
    path: str | Path,
    *,
    children: Iterable[str | Path] = (),
    scenario_names: Sequence[str] = (),
    input: Any = AUTO_INPUT,
    workflow_class: str | None = None,
    server: str = "time-skipping",
    timeout: float = 60.0,
    on_result: Any = None,
    real_activities: bool = False,
) -> list[RunResult]:
    """Load a bundle and its children, run the chosen scenarios, return their results.

    With ``real_activities`` the bundle's own activities run (see ``WorkflowHarness``); a
    scenario's relative ``files`` paths are read from the bundle's folder."""
    from ntro.runbook import load_bundle
    from ntro.testing._harness import WorkflowHarness

    bundle = load_bundle(Path(path), workflow_class=workflow_class)
    child_bundles = [load_bundle(Path(child)) for child in children]
    scenarios = select_scenarios(bundle_scenarios(bundle), scenario_names)
    activities = [*bundle.activities, *(a for c in child_bundles for a in c.activities)]
    results = []
    async with WorkflowHarness(
        bundle.workflow_cls,
        child_workflows=child_bundles,
        activities=activities,
        server=server,
        timeout=timeout,
        input=input,
        real_activities=real_activities,
    ) as harness:
        for scenario in scenarios:
            if real_activities and scenario.files:
                scenario.files = {
                    key: bundle.path / value if (bundle.path / str(value)).exists() else value
                    for key, value in scenario.files.items()
                }
            result = await harness.run(scenario=scenario)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results
