"""The harness's parts: decisions sent through the one sender, and its public pieces."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

import ntro.testing
from ntro.testing import HAPPY, Scenario, WorkflowHarness
from ntro.workflow import NtroWorkflow, ui_step

ROOT = Path(__file__).resolve().parents[2]
ROWS = {"lines": [{"line_item_id": "l1", "amount": 100.0}]}
TABLE = {"component": "DATA_TABLE", "config": {"columns": [{"key": "amount"}]}}


@workflow.defn
class AmountReviewWorkflow(NtroWorkflow):
    @ui_step(name="review", title="Review the amounts")
    async def review(self) -> list[Any]:
        decision = await self.wait_for_action(payload=ROWS, display_hint=TABLE)
        return list(decision.get("corrections", []))

    @workflow.run
    async def run(self) -> list[Any]:
        return await self.review()


async def test_a_lost_decision_is_sent_again_under_the_same_update_id(
    time_skipping_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = WorkflowHandle.execute_update
    ids: list[str | None] = []

    async def loses_the_first(
        self: WorkflowHandle[Any, Any], update: Any, *a: Any, **kw: Any
    ) -> Any:
        ids.append(kw.get("id"))
        if len(ids) == 1:  # what the test server sometimes says of an update it was given
            raise RPCError("update abc not found", RPCStatusCode.NOT_FOUND, b"")
        return await real(self, update, *a, **kw)

    monkeypatch.setattr(WorkflowHandle, "execute_update", loses_the_first)
    async with WorkflowHarness(AmountReviewWorkflow, env=time_skipping_env) as harness:
        outcome = await harness.run(scenario=HAPPY)
    assert outcome.status == "completed", outcome.error
    assert len(ids) == 2 and ids[0] is not None and ids[0] == ids[1]
    trail = [e.kind for e in outcome.events]
    assert trail == ["review", "done"]


async def test_a_decision_that_cannot_be_sent_fails_the_scenario_as_a_refusal(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    nan = [{"line_item_id": "l1", "field": "amount", "new_value": float("nan")}]
    async with WorkflowHarness(AmountReviewWorkflow, env=time_skipping_env) as harness:
        outcome = await harness.run(scenario=Scenario("nan", corrections={"review": nan}))
    assert outcome.status == "failed"
    assert outcome.error == (
        "scenario 'nan': the review of step 'review' refused what the scenario sent: the "
        "decision holds a number that is not finite (nan) at corrections[0].new_value; send "
        "plain JSON values (finite numbers, text, lists and objects at most 32 levels deep)"
    )


def test_what_the_notebook_side_uses_is_public_and_documented() -> None:
    for name in (
        "quiet_runtime",
        "start_environment",
        "mock_activity",
        "unknown_activity",
        "signal_args",
        "NotifyingRunner",
    ):
        value = getattr(ntro.testing, name)
        assert name in ntro.testing.__all__
        assert (value.__doc__ or "").strip(), f"ntro.testing.{name} has no docstring"


def _private_imports(path: Path, package: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(f"{package}._"):
                found.append(f"{path.relative_to(ROOT)}: from {node.module} import ...")
            elif node.module == package:
                found += [
                    f"{path.relative_to(ROOT)}: from {package} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    return found


@pytest.mark.parametrize("package", ["ntro.testing", "ntro.workflow"])
def test_no_other_package_imports_a_private_part_of(package: str) -> None:
    own = package.split(".")[1]
    outside = [
        p
        for folder in ("ntro", "ntro_jupyter")
        for p in (ROOT / folder).rglob("*.py")
        if own not in p.relative_to(ROOT).parts[:2]
    ]
    assert outside
    problems = [line for p in outside for line in _private_imports(p, package)]
    assert problems == []
