"""The one decision sender: a stable update id across retries, refusals as one error type."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from ntro.cluster import DecisionUndelivered, WorkflowNotFound, send_decision


class _FlakyHandle:
    """A workflow handle whose server loses the first answers (as the test server does)."""

    id = "wf-flaky"

    def __init__(self, failures: list[RPCError]) -> None:
        self.failures = failures
        self.ids: list[str] = []

    async def execute_update(self, name: str, arg: Any, *, id: str, rpc_timeout: Any) -> Any:
        assert name == "submit_action"
        self.ids.append(id)
        if self.failures:
            raise self.failures.pop(0)
        return {"accepted": True, "action": arg["action"]}


def _lost() -> RPCError:
    return RPCError("update 'x' not found", RPCStatusCode.NOT_FOUND, b"")


def test_a_lost_update_is_asked_again_with_the_same_id() -> None:
    handle = _FlakyHandle([_lost(), RPCError("down", RPCStatusCode.UNAVAILABLE, b"")])
    result = asyncio.run(send_decision(handle, {"action": "approve"}, backoff=0))  # type: ignore[arg-type]
    assert result == {"accepted": True, "action": "approve"}
    assert len(handle.ids) == 3 and len(set(handle.ids)) == 1


def test_no_answer_after_the_attempts_names_the_update_id() -> None:
    handle = _FlakyHandle([_lost() for _ in range(5)])
    with pytest.raises(DecisionUndelivered) as caught:
        asyncio.run(
            send_decision(handle, {"action": "approve"}, update_id="u-1", attempts=2, backoff=0)  # type: ignore[arg-type]
        )
    assert caught.value.update_id == "u-1" and "applied, once (update id u-1)" in str(caught.value)
    assert handle.ids == ["u-1", "u-1"]


def test_an_unknown_workflow_is_not_retried() -> None:
    handle = _FlakyHandle([RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")])
    with pytest.raises(WorkflowNotFound, match="no workflow with id 'wf-flaky'"):
        asyncio.run(send_decision(handle, {"action": "reject"}))  # type: ignore[arg-type]
    assert len(handle.ids) == 1
