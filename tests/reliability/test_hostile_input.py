"""Input crafted to break a review, sent straight to the workflow (no ntro client in between).

On the dev server, as an outsider with a plain Temporal client would: a decision just over
``MAX_DECISION_BYTES``, numbers JSON has no spelling for (``NaN``, ``Infinity``, ``1e999999``),
1.5 MB malformed signals, and a signal too deeply nested to decode. Each is refused with a
message; the run keeps waiting, its queries keep answering, and a proper decision still lands.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import RawValue

from ntro.testing import WorkflowHarness
from ntro.workflow import MAX_DECISION_BYTES
from tests.reliability.faulty_runbooks import ReviewedPaymentWorkflow
from tests.reliability.test_faults import pending_review


def raw_json(text: str) -> RawValue:
    """``text`` sent as the JSON payload it is, bypassing the client's own encoder."""
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=text.encode()))


@pytest.fixture(scope="module")
async def harness() -> AsyncIterator[WorkflowHarness]:
    async with WorkflowHarness(ReviewedPaymentWorkflow, server="dev") as running:
        yield running


async def review(harness: WorkflowHarness, name: str) -> tuple[WorkflowHandle[Any, Any], str]:
    handle = await harness.start(name, workflow_id=f"{name}-{id(harness)}")
    gate = await pending_review(handle)
    return handle, gate["gate_id"]


async def refusal(handle: WorkflowHandle[Any, Any], arg: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("submit_action", arg)
    return str(getattr(refused.value.cause, "message", refused.value.cause))


async def updates_in_history(handle: WorkflowHandle[Any, Any]) -> int:
    return len(
        [
            e
            async for e in handle.fetch_history_events()
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
    )


async def still_decidable(handle: WorkflowHandle[Any, Any], gate_id: str) -> None:
    """The run waits at the same gate and a proper decision applies."""
    assert (await handle.describe()).status.name == "RUNNING"
    assert (await handle.query("current_ui_state"))["pending_action"]["gate_id"] == gate_id
    await handle.execute_update(
        "submit_action", {"action": "approve", "reviewer": "ana", "gate_id": gate_id}
    )
    assert (await handle.result())["reviewer"] == "ana"


async def test_a_decision_over_the_limit_is_refused_before_history(
    harness: WorkflowHarness,
) -> None:
    handle, gate_id = await review(harness, "oversize")
    memo = "x" * 1_400_000
    message = await refusal(
        handle,
        {
            "action": "correct",
            "reviewer": "mallory",
            "gate_id": gate_id,
            "corrections": [
                {"line_item_id": "P1", "field": "amount", "old_value": 1200.0, "new_value": memo}
            ],
        },
    )
    assert "1,400," in message and f"{MAX_DECISION_BYTES:,}-byte limit" in message, message
    assert len(message) < 1000
    assert await updates_in_history(handle) == 0
    await still_decidable(handle, gate_id)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999999"])
async def test_numbers_that_are_not_finite_are_refused(
    harness: WorkflowHarness, literal: str
) -> None:
    handle, gate_id = await review(harness, f"nonfinite-{literal.strip('-')}")
    correction = (
        f'{{"action": "correct", "reviewer": "mallory", "gate_id": "{gate_id}", "corrections": '
        f'[{{"line_item_id": "P1", "field": "amount", "old_value": 1200.0, '
        f'"new_value": {literal}}}]}}'
    )
    message = await refusal(handle, raw_json(correction))
    assert "not finite" in message and "corrections[0].new_value" in message, message
    # The signal path refuses it too, and records the refusal.
    await handle.signal("user_action", raw_json(correction.replace("mallory", "eve")))
    trail = await handle.query("audit_trail")
    assert [a["kind"] for a in trail] == ["refused"]
    assert "not finite" in trail[0]["reason"]
    json.dumps(await handle.query("current_ui_state"), allow_nan=False)  # still valid JSON
    await still_decidable(handle, gate_id)


async def test_refused_large_signals_are_summarised_and_queries_keep_answering(
    harness: WorkflowHarness,
) -> None:
    handle, gate_id = await review(harness, "big-signals")
    junk = {"action": "archive", "blob": "y" * 1_500_000}
    for _ in range(2):
        await handle.signal("user_action", junk)
    trail = await handle.query("audit_trail")
    assert [a["kind"] for a in trail] == ["refused", "refused"]
    for entry in trail:
        assert len(json.dumps(entry)) < 2_000, "a refusal keeps a summary, not the payload"
        assert entry["received"]["keys"] == ["action", "blob"]
        assert entry["received"]["bytes"] > 1_500_000
    state = await handle.query("current_ui_state")
    assert state["pending_action"]["gate_id"] == gate_id
    await still_decidable(handle, gate_id)


async def test_an_undecodable_signal_is_recorded_as_refused(harness: WorkflowHarness) -> None:
    handle, gate_id = await review(harness, "deep-signal")
    depth = 10_000
    await handle.signal("user_action", raw_json("[" * depth + "]" * depth))
    await handle.signal("user_action", raw_json("{not json"))
    trail = await handle.query("audit_trail")
    assert [a["kind"] for a in trail] == ["refused", "refused"]
    assert "cannot be read" in trail[0]["reason"] and "nested too deeply" in trail[0]["reason"]
    assert trail[0]["received"]["bytes"] == 2 * depth
    assert "cannot be read" in trail[1]["reason"]
    await still_decidable(handle, gate_id)


async def test_deeply_nested_decisions_are_refused(harness: WorkflowHarness) -> None:
    handle, gate_id = await review(harness, "deep-update")
    nested: Any = "value"
    for _ in range(40):
        nested = {"n": nested}
    message = await refusal(
        handle,
        {
            "action": "correct",
            "reviewer": "mallory",
            "gate_id": gate_id,
            "corrections": [{"line_item_id": "P1", "field": "amount", "new_value": nested}],
        },
    )
    assert "nested deeper than 32 levels" in message, message
    await still_decidable(handle, gate_id)
