"""Malformed decisions, corrections, row actions and signals against a running workflow.

Every input is either refused with a message (the update's validator: nothing reaches history)
or applied as the contract says; no input fails the workflow or leaves it stuck.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Coroutine
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from ntro.testing import WorkflowHarness, start_environment
from ntro.workflow import NtroWorkflow, ui_step
from tests.reliability.conftest import size

ROWS = [{"id": "L1", "amount": 10.0, "memo": "rent"}, {"id": "L2", "amount": -4.5, "memo": "fee"}]
VALID_ACTIONS = {
    "approve": "approve",
    "approved": "approve",
    "reject": "reject",
    "rejected": "reject",
    "correct": "correct",
}


@workflow.defn
class EndlessReviewWorkflow(NtroWorkflow):
    """Opens one review after another until told to stop; keeps what each decision was."""

    def __init__(self) -> None:
        super().__init__()
        self.decisions: list[dict[str, Any]] = []
        self.stop = False

    @workflow.signal
    def finish(self) -> None:
        self.stop = True

    @workflow.query
    def decided(self) -> list[dict[str, Any]]:
        return self.decisions

    @ui_step(name="review", title="Review")
    async def review(self) -> None:
        while not self.stop:
            decision = await self.wait_for_action(
                payload={"lines": ROWS}, display_hint={"component": "DATA_TABLE"}
            )
            self.decisions.append(
                {"action": decision.decision.action, "corrections": decision.corrections}
            )

    @workflow.run
    async def run(self) -> int:
        review = asyncio.ensure_future(self.review())
        await workflow.wait_condition(lambda: self.stop)
        review.cancel()
        return len(self.decisions)


class _Loop:
    """The Temporal environment and worker live on a loop of their own thread, so hypothesis
    (synchronous) can drive them case by case."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Bench:
    """A running review workflow, replaced by a fresh one every ``PER_WORKFLOW`` cases so a
    long run does not build one enormous history (no real review sees thousands of inputs)."""

    PER_WORKFLOW = 500

    def __init__(self, loop: _Loop, harness: WorkflowHarness) -> None:
        self.loop = loop
        self.harness = harness
        self.handle: WorkflowHandle[Any, Any] | None = None
        self.sent = 0
        self.finished: list[str] = []

    def current(self) -> WorkflowHandle[Any, Any]:
        if self.handle is None or self.sent >= self.PER_WORKFLOW:
            self.finish()
            self.handle = self.loop.run(self.harness.start())
            self.sent = 0
        self.sent += 1
        return self.handle

    def finish(self) -> None:
        """Stop the current workflow and check it ends normally."""
        if self.handle is None:
            return
        handle, self.handle = self.handle, None

        async def stop() -> str:
            await handle.signal("finish")
            await handle.result()
            return (await handle.describe()).status.name

        self.finished.append(self.loop.run(stop()))


@pytest.fixture(scope="module")
def bench() -> Any:
    loop = _Loop()

    async def setup() -> tuple[Any, WorkflowHarness]:
        env = await start_environment("time-skipping")
        harness = WorkflowHarness(EndlessReviewWorkflow, env=env)
        await harness.__aenter__()
        return env, harness

    env, harness = loop.run(setup())
    yield Bench(loop, harness)
    loop.run(harness.__aexit__(None, None, None))
    loop.run(env.shutdown())
    loop.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
corrections = st.lists(
    st.fixed_dictionaries(
        {
            "line_item_id": st.sampled_from(["L1", "L2", "L9", 7, None]),
            "field": st.sampled_from(["amount", "memo", "colour", 3, None]),
            "old_value": json_values,
            "new_value": json_values,
        }
    ),
    max_size=3,
)
decisions = st.fixed_dictionaries(
    {"action": st.sampled_from([*VALID_ACTIONS, "archive", "", 5, None])},
    optional={
        "corrections": corrections | json_values,
        "reviewer": st.sampled_from(["ana", "", 4, None, {"name": "bo"}, {"x": 1}]),
        "comment": st.text(max_size=10) | st.integers(),
        "gate_id": st.sampled_from(["stale:1", 12]),
    },
)
row_actions = st.fixed_dictionaries(
    {
        "kind": st.just("row_action"),
        "reviewer": st.sampled_from(["ana", ""]),
        "payload": st.fixed_dictionaries(
            {"action": st.sampled_from(["edit_cell", "reject_row", "delete", None])},
            optional={
                "row_id": st.sampled_from(["L1", "L2", "L9", None]),
                "field": st.sampled_from(["amount", "colour", None]),
                "value": json_values,
            },
        )
        | json_values,
    }
)
good_decisions = st.fixed_dictionaries(
    {"action": st.sampled_from(list(VALID_ACTIONS)), "reviewer": st.just("ana")},
    optional={
        "corrections": st.lists(
            st.fixed_dictionaries(
                {
                    "line_item_id": st.sampled_from(["L1", "L2"]),
                    "field": st.sampled_from(["amount", "memo"]),
                    "old_value": json_values,
                    "new_value": json_values,
                }
            ),
            max_size=2,
        ),
        "comment": st.text(max_size=10),
    },
)
good_row_actions = st.fixed_dictionaries(
    {
        "kind": st.just("row_action"),
        "reviewer": st.just("ana"),
        "payload": st.fixed_dictionaries(
            {
                "action": st.sampled_from(["edit_cell", "reject_row"]),
                "row_id": st.sampled_from(["L1", "L2"]),
                "field": st.sampled_from(["amount", "memo"]),
                "value": json_values,
            }
        ),
    }
)
inputs = decisions | row_actions | json_values | good_decisions | good_row_actions


def all_finite(value: Any) -> bool:
    """No NaN or infinity anywhere in ``value`` (JSON has neither; a decision never holds one)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(all_finite(v) for v in value)
    return True


def expected_row_action(raw: dict[str, Any]) -> str | None:
    """The oracle for a ``row_action`` update: ``"row_action"``, or None if it must be refused."""
    payload = raw.get("payload")
    if not isinstance(payload, dict) or raw.get("reviewer") != "ana":
        return None
    if payload.get("action") not in ("edit_cell", "reject_row"):
        return None
    if payload.get("row_id") not in ("L1", "L2"):
        return None
    field = payload.get("field")
    if payload["action"] == "edit_cell" and field not in ("amount", "memo"):
        return None
    if field is not None and field not in ("amount", "memo"):
        return None
    return "row_action"


def valid_corrections(fixes: Any) -> bool:
    """Whether a decision's ``corrections`` is a list of fixes to a known line and field."""
    if not isinstance(fixes, list):
        return False
    for fix in fixes:
        if not isinstance(fix, dict):
            return False
        if fix.get("line_item_id") not in ("L1", "L2") or fix.get("field") not in (
            "amount",
            "memo",
        ):
            return False
    return True


def expected_outcome(raw: Any) -> str | None:
    """Independent oracle: the action the workflow must apply, or None if it must refuse."""
    if not isinstance(raw, dict) or not all_finite(raw):
        return None
    if raw.get("kind") == "row_action":
        return expected_row_action(raw)
    action = raw.get("action")
    if not isinstance(action, str) or action not in VALID_ACTIONS:
        return None
    reviewer = raw.get("reviewer")
    if not (reviewer == "ana" or reviewer == {"name": "bo"}):
        return None
    if "comment" in raw and not isinstance(raw["comment"], str):
        return None
    if "gate_id" in raw:
        return None  # always a stale or mistyped gate here
    fixes = raw.get("corrections")
    if fixes is not None and not valid_corrections(fixes):
        return None
    normal = VALID_ACTIONS[action]
    if normal == "correct" and not fixes:
        return "approve"
    if normal == "approve" and fixes:
        return "correct"
    return normal


def test_malformed_updates_are_refused_before_history_and_valid_ones_apply(
    bench: Bench,
    report: Any,
) -> None:
    counts = {"refused": 0, "decision": 0, "row_action": 0}
    applied: dict[str, int] = {}

    async def send(handle: WorkflowHandle[Any, Any], raw: Any) -> tuple[str, Any]:
        try:
            return "accepted", await handle.execute_update("submit_action", raw)
        except WorkflowUpdateFailedError as err:
            return "refused", getattr(err.cause, "message", "")

    late_refusals = 0

    async def check(handle: WorkflowHandle[Any, Any]) -> None:
        nonlocal late_refusals
        completed = [
            e.workflow_execution_update_completed_event_attributes.outcome
            async for e in handle.fetch_history_events()
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
        ]
        # Every applied update, and nothing else, completed successfully in history. An update
        # can be accepted and then refused only when it reaches a freshly rebuilt instance
        # before its run has replayed (the validator defers gate checks); those are counted.
        assert len([o for o in completed if o.HasField("success")]) == applied.get(handle.id, 0)
        late_refusals += len([o for o in completed if o.HasField("failure")])
        assert (await handle.describe()).status.name == "RUNNING"

    @settings(
        max_examples=size(1000, 10000),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs)
    def case(raw: Any) -> None:
        expected = expected_outcome(raw)
        handle = bench.current()
        if bench.sent == Bench.PER_WORKFLOW:
            bench.loop.run(check(handle))
        outcome, detail = bench.loop.run(send(handle, raw))
        if expected is None:
            assert outcome == "refused", f"accepted {raw!r}: {detail!r}"
            assert detail, f"refusal of {raw!r} has no message"
            counts["refused"] += 1
            return
        assert outcome == "accepted", f"refused {raw!r}: {detail}"
        applied[handle.id] = applied.get(handle.id, 0) + 1
        if expected == "row_action":
            assert detail["kind"] == "row_action"
            counts["row_action"] += 1
        else:
            assert detail["decision"]["action"] == expected
            counts["decision"] += 1

    case()
    assert bench.handle is not None
    bench.loop.run(check(bench.handle))
    bench.finish()
    assert set(bench.finished) == {"COMPLETED"}
    assert late_refusals <= counts["refused"] // 50, "refusals after acceptance are the exception"
    total = sum(counts.values())
    report(
        f"bad input (updates): {total} cases over {len(bench.finished)} workflows, "
        f"{counts['refused']} refused with a message ({late_refusals} of them after "
        f"acceptance, by a rebuilt instance; the rest with no history event), "
        f"{counts['decision']} decisions and {counts['row_action']} row actions applied as "
        f"sent; every workflow completed normally"
    )


def test_malformed_signals_never_fail_the_workflow(bench: Bench, report: Any) -> None:
    bench.finished.clear()
    sent: dict[str, int] = {}

    @settings(
        max_examples=size(300, 3000),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(json_values | decisions)
    def case(raw: Any) -> None:
        handle = bench.current()
        bench.loop.run(handle.signal("user_action", raw))
        sent[handle.id] = sent.get(handle.id, 0) + 1

    case()
    bench.finish()
    assert set(bench.finished) == {"COMPLETED"}

    async def tally(workflow_id: str) -> tuple[int, int]:
        handle = bench.harness.client.get_workflow_handle(workflow_id)
        audit = await handle.query("audit_trail")
        refused = [a for a in audit if a["kind"] == "refused"]
        assert all(a["reason"] for a in refused)
        return len(refused), len(await handle.query("decided"))

    refused = applied = 0
    for workflow_id, count in sent.items():
        r, a = bench.loop.run(tally(workflow_id))
        assert r + a == count, f"{workflow_id}: {count} signals, {r} refused, {a} applied"
        refused, applied = refused + r, applied + a
    report(
        f"bad input (user_action signal): {sum(sent.values())} signals over "
        f"{len(sent)} workflows, {refused} refused and recorded with a reason, {applied} "
        f"applied; every workflow completed normally"
    )
