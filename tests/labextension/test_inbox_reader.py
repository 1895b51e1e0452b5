"""The inbox reader on a fake cluster: caching by history length, retries when the server
sheds load, last known items when a workflow does not answer, and time-budgeted answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from ntro_jupyter._server._cluster import ClusterUnavailable
from ntro_jupyter._server._inbox import Inbox, inbox_item, runbook_slug

STARTED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def pending(gate: str = "review:1", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "interactive_review",
        "gate_id": gate,
        "step_id": "review",
        "opened_at": "2026-11-02T09:00:00Z",
        "reason": "Check the lines",
        "display_hint": {"component": "DATA_TABLE", "config": {"title": "Lines"}},
        "payload": {"rows": [{"id": "L1"}]},
        **extra,
    }


class FakeRun:
    def __init__(
        self,
        workflow_id: str,
        answer: Any,
        length: int = 10,
        workflow_type: str = "CloseReviewWorkflow",
    ) -> None:
        self.id = workflow_id
        self.run_id = f"{workflow_id}-run"
        self.workflow_type = workflow_type
        self.start_time = STARTED
        self.task_queue = "q"
        self.raw_info = SimpleNamespace(memo=SimpleNamespace(fields={}))
        self.answer = answer  # a pending action, None, an exception, or a list of them in turn
        self.length = length
        self.describe_errors: list[BaseException] = []
        self.queries = 0
        self.describes = 0
        self.delay = 0.0

    async def memo(self) -> dict[str, Any]:
        return {}


class FakeClient:
    namespace = "default"

    def __init__(self, runs: list[FakeRun]) -> None:
        self.runs = {run.id: run for run in runs}
        self.workflow_service = SimpleNamespace(describe_workflow_execution=self._describe)

    async def _describe(self, request: Any, **_: Any) -> Any:
        run = self.runs[request.execution.workflow_id]
        run.describes += 1
        if run.describe_errors:
            raise run.describe_errors.pop(0)
        return SimpleNamespace(workflow_execution_info=SimpleNamespace(history_length=run.length))

    async def _list(self) -> Any:
        for run in list(self.runs.values()):
            yield run

    def list_workflows(self, query: str, **_: Any) -> Any:
        return self._list()

    def get_workflow_handle(self, workflow_id: str, run_id: str | None = None) -> Any:
        run = self.runs[workflow_id]

        async def query(name: str, **_: Any) -> Any:
            run.queries += 1
            if run.delay:
                await asyncio.sleep(run.delay)
            answer = run.answer.pop(0) if isinstance(run.answer, list) else run.answer
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return SimpleNamespace(query=query)


class FakeCluster:
    def __init__(self, client: FakeClient) -> None:
        self._client = client

    async def client(self) -> FakeClient:
        return self._client

    def unavailable(self, detail: str) -> ClusterUnavailable:
        return ClusterUnavailable(f"Cannot reach the cluster: {detail}")


def inbox_for(*runs: FakeRun) -> tuple[Inbox, FakeClient]:
    client = FakeClient(list(runs))
    return Inbox(FakeCluster(client)), client  # type: ignore[arg-type]


async def test_a_run_is_queried_again_only_when_its_history_grew() -> None:
    a, b = FakeRun("a", pending()), FakeRun("b", pending())
    inbox, _ = inbox_for(a, b)
    first = await inbox.fetch()
    assert [i["workflow_id"] for i in first.items] == ["a", "b"] and first.queried == 2
    second = await inbox.fetch()
    assert second.queried == 0 and len(second.items) == 2
    b.length, b.answer = 14, None  # decided: the gate closed, the history grew
    third = await inbox.fetch()
    assert third.queried == 1 and [i["workflow_id"] for i in third.items] == ["a"]
    fresh = await inbox.fetch(use_cache=False)
    assert fresh.queried == 2 and a.describes == 3  # fresh reads skip the describe


async def test_runs_that_are_not_runbooks_are_skipped() -> None:
    plain = FakeRun(
        "plain",
        WorkflowQueryFailedError(
            "unknown queryType current_pending_action. KnownQueryTypes=[__stack_trace]"
        ),
    )
    inbox, _ = inbox_for(plain, FakeRun("a", pending()))
    result = await inbox.fetch()
    assert [i["workflow_id"] for i in result.items] == ["a"] and result.errors == []


async def test_load_shedding_is_retried_and_a_silent_workflow_keeps_its_last_item() -> None:
    busy = RPCError("namespace rate limit exceeded", RPCStatusCode.RESOURCE_EXHAUSTED, b"")
    a = FakeRun("a", [busy, pending()])
    b = FakeRun("b", pending())
    inbox, _ = inbox_for(a, b)
    first = await inbox.fetch()
    assert {i["workflow_id"] for i in first.items} == {"a", "b"} and first.errors == []
    assert a.queries == 2  # retried after the refusal

    b.length = 11
    b.answer = RPCError("no poller", RPCStatusCode.DEADLINE_EXCEEDED, b"")
    second = await inbox.fetch()
    assert {i["workflow_id"] for i in second.items} == {"a", "b"}  # b: last known state
    assert second.errors[0]["workflow_id"] == "b"
    assert "last known state" in second.errors[0]["message"]


async def test_a_lost_connection_fails_the_read_with_a_clear_error() -> None:
    a = FakeRun("a", pending())
    a.describe_errors = [RPCError("connection reset", RPCStatusCode.UNAVAILABLE, b"")]
    inbox, _ = inbox_for(a)
    with pytest.raises(ClusterUnavailable, match="connection reset"):
        await inbox.fetch()


async def test_a_budgeted_read_answers_in_time_and_finishes_in_the_background() -> None:
    slow = FakeRun("slow", pending())
    slow.delay = 0.3
    quick = FakeRun("quick", pending())
    inbox, _ = inbox_for(slow, quick)
    partial = await inbox.fetch(budget=0.05)
    assert partial.complete is False and partial.remaining == 1
    assert [i["workflow_id"] for i in partial.items] == ["quick"]
    joined = await inbox.fetch(budget=5)  # joins the same read
    assert joined.complete and {i["workflow_id"] for i in joined.items} == {"slow", "quick"}
    assert slow.queries == 1


def test_items_carry_grouping_keys_from_the_gate_the_payload_or_the_memo() -> None:
    run = FakeRun("x", None, workflow_type="MonthEndCloseWorkflow")
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    item = inbox_item(
        run,
        pending(
            args={"entity_id_or_slug": "fund-a"},  # type: ignore[arg-type]
            payload={"period": "2026-10", "rows": [1, 2]},
        ),
        {},
        now,
    )
    assert (item["runbook"], item["entity"], item["period"]) == (
        "month-end-close",
        "fund-a",
        "2026-10",
    )
    assert item["rows"] == 2 and item["age_s"] == 3600.0 and item["decidable"] is True
    from_memo = inbox_item(
        run,
        pending(),
        {
            "entity": "fund-m",
            "period": "Q4",  # type: ignore[arg-type]
            "runbook": "close",
        },
        now,
    )
    assert (from_memo["runbook"], from_memo["entity"], from_memo["period"]) == (
        "close",
        "fund-m",
        "Q4",
    )
    from ntro.workflow._registry import slug_for_class

    for name in ("DocumentIngestWorkflow", "NAVSignoffWorkflow", "Close"):
        assert runbook_slug(name) == slug_for_class(type(name, (), {}))


async def test_a_cluster_that_fails_slowly_is_reported_down_not_as_still_reading() -> None:
    class BlackHole:
        attempts = 0

        async def client(self) -> Any:
            self.attempts += 1
            await asyncio.sleep(0.2)  # a connect that times out
            raise ClusterUnavailable("Cannot reach the cluster at 10.255.255.1:7233: no answer")

    cluster = BlackHole()
    inbox = Inbox(cluster)  # type: ignore[arg-type]
    first = await inbox.fetch(budget=0.05)
    assert first.complete is False and first.remaining is None  # nothing known yet
    await asyncio.sleep(0.3)  # the read failed in the background
    with pytest.raises(ClusterUnavailable, match="no answer"):
        await inbox.fetch(budget=0.05)  # tried again, and said so while it is
    assert cluster.attempts == 2
