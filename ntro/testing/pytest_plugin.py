"""pytest plugin: a runbook bundle's scenarios as pytest tests.

Registered through the ``pytest11`` entry point. Two ways to use it:

- ``pytest --ntro-runbooks path/to/runbooks``: every bundle (a folder with ``runbook.md``)
  under the path becomes one test per scenario (HAPPY, REJECT_ALL and ``tests/scenarios.py``).
- In your own tests, the ``ntro_harness`` fixture builds a started
  :class:`~ntro.testing.WorkflowHarness`: ``h = await ntro_harness(MyWorkflow)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ntro")
    group.addoption(
        "--ntro-runbooks",
        action="append",
        default=[],
        metavar="DIR",
        help="run the scenarios of every runbook bundle under DIR as tests",
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    for root in config.getoption("--ntro-runbooks"):
        bundles = sorted(path.parent for path in Path(root).rglob("runbook.md"))
        for bundle_dir in bundles:
            # Every other bundle under the same root may be started as a child.
            children = [other for other in bundles if other != bundle_dir]
            items.extend(_bundle_items(session, bundle_dir, children))


def _bundle_items(
    session: pytest.Session, bundle_dir: Path, children: list[Path]
) -> list[pytest.Item]:
    from ntro.runbook import load_bundle
    from ntro.testing._bundles import bundle_scenarios

    bundle = load_bundle(bundle_dir)
    runbook_file = RunbookFile.from_parent(session, path=bundle_dir / "runbook.md")
    return [
        RunbookScenarioItem.from_parent(
            runbook_file,
            name=f"{bundle.slug}::{name}",
            bundle_dir=bundle_dir,
            children=children,
            scenario_name=name,
        )
        for name in bundle_scenarios(bundle)
    ]


class RunbookFile(pytest.File):
    """A bundle's ``runbook.md``: the parent node of its scenarios (nothing is imported)."""

    def collect(self) -> list[pytest.Item]:
        return []


class RunbookScenarioItem(pytest.Item):
    """One scenario of one bundle."""

    def __init__(
        self, *, bundle_dir: Path, children: list[Path], scenario_name: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.bundle_dir = bundle_dir
        self.children = children
        self.scenario_name = scenario_name

    def runtest(self) -> None:
        from ntro.testing import report
        from ntro.testing._bundles import run_bundle

        results = asyncio.run(
            run_bundle(self.bundle_dir, children=self.children, scenario_names=[self.scenario_name])
        )
        if not results[0].passed:
            raise RunbookScenarioFailed(report.human(results))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RunbookScenarioFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.bundle_dir / "runbook.md", 0, f"scenario {self.scenario_name}"


class RunbookScenarioFailed(AssertionError):
    pass


@pytest.fixture
async def ntro_harness() -> AsyncIterator[Callable[..., Any]]:
    """Factory fixture: ``h = await ntro_harness(MyWorkflow, child_workflows=[...])``."""
    from ntro.testing import WorkflowHarness

    opened: list[WorkflowHarness] = []

    async def make(workflow_cls: type, **kwargs: Any) -> WorkflowHarness:
        harness = WorkflowHarness(workflow_cls, **kwargs)
        await harness.__aenter__()
        opened.append(harness)
        return harness

    yield make
    for harness in reversed(opened):
        await harness.__aexit__(None, None, None)
