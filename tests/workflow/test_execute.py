"""Runtime choice: Temporal when TEMPORAL_HOST is configured, otherwise in-process."""

from __future__ import annotations

from typing import Any

import pytest

from ntro.testing import start_environment
from ntro.workflow import NtroWorkflow, activity, execute_runbook, runbook, runtime_mode


@activity.defn(name="execute-test.total")
def total(amounts: list[float]) -> float:
    return sum(amounts)


@runbook.defn
class TotalWorkflow(NtroWorkflow):
    @runbook.step(name="sum", title="Sum")
    async def add(self, amounts: list[float]) -> float:
        return await runbook.execute_activity(total, amounts, start_to_close_timeout=10)

    @runbook.run
    async def run(self, amounts: list[float]) -> dict[str, Any]:
        return {"total": await self.add(amounts), "where": runbook.info().task_queue}


async def test_without_temporal_host_it_runs_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEMPORAL_HOST", raising=False)
    assert runtime_mode() == "local"
    assert await execute_runbook(TotalWorkflow, [1.5, 2.5]) == {"total": 4.0, "where": "local"}


async def test_with_temporal_host_it_runs_on_that_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    async with await start_environment("dev") as env:
        monkeypatch.setenv("TEMPORAL_HOST", env.client.service_client.config.target_host)
        assert runtime_mode() == "temporal"
        result = await execute_runbook(TotalWorkflow, [1.5, 2.5], task_queue="execute-test")
    assert result == {"total": 4.0, "where": "execute-test"}
