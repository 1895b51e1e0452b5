"""A review gate opened with ``checks_spec``: the checks run as activities once the gate opens,
their progress shows in the pending action, approving waits for them, a failed one counts for
the second-approver policy, a crashing one fails alone, and the history replays."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from ntro.capabilities.checks import NO_PROVIDER
from ntro.testing import HAPPY, WorkflowHarness, report, start_environment
from ntro.workflow import ChecksSpecError, activity_name, start_local, with_builtin_activities
from ntro.workflow._checks import NOT_FINISHED, RUN_QUALITY_CHECK, parse_checks_spec
from ntro.workflow._policy import failing_checks
from tests.fixtures.checks_runbooks import (
    EXPLODES,
    NARRATIVE,
    RECONCILES,
    UNIQUE,
    ChecksGateWorkflow,
    HeldChecks,
    run_input,
)


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


def statuses(pending: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(c.get("id") or c.get("name"), c.get("status")) for c in pending["checks"]]


def reaches(held: HeldChecks, counter: str, count: int) -> Callable[[], Awaitable[bool]]:
    """A condition: ``count`` held checks have started (or finished)."""

    async def check() -> bool:
        return bool(getattr(held, counter) == count)

    return check


def review_gate(handle: WorkflowHandle[Any, Any]) -> Callable[[], Awaitable[Any]]:
    async def check() -> Any:
        return await handle.query("current_pending_action")

    return check


def checks_ended(handle: WorkflowHandle[Any, Any]) -> Callable[[], Awaitable[Any]]:
    async def check() -> Any:
        pending = await handle.query("current_pending_action")
        running = [c for c in (pending or {}).get("checks", []) if c.get("status") == "running"]
        return pending if pending and not running else None

    return check


async def refused(handle: WorkflowHandle[Any, Any], decision: dict[str, Any]) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update("submit_action", decision)
    return str(err.value.cause)


async def replays(handle: WorkflowHandle[Any, Any]) -> None:
    history = await handle.fetch_history()
    replayer = Replayer(
        workflows=[ChecksGateWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
        data_converter=pydantic_data_converter,
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


# ── on Temporal, through the harness ───────────────────────────────────────


async def test_a_harness_run_judges_the_checks_for_real_before_approving(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(
        ChecksGateWorkflow,
        env=time_skipping_env,
        input=run_input(RECONCILES, UNIQUE, NARRATIVE),
    ) as harness:
        result = await harness.run(scenario=HAPPY)
    assert result.passed, result.error
    checks = result.result["checks"]
    assert checks["dated"] == [None, None]  # the gate's own check, shown as given
    assert checks["reconciles"] == ["pass", "opening 100.00 + movements 50.00 = closing 150.00"]
    assert checks["unique"] == ["fail", "1 duplicate reference value(s): A (rows L1, L2)"]
    # No LLM provider here: the LLM check is skipped, saying so.
    assert checks["narrative"] == ["skipped", NO_PROVIDER]
    assert result.result["summary"] == "1 passed, 1 failed, 1 skipped"
    # The report says what the reviewer approved over.
    assert "checks=1 passed, 1 failed, 1 skipped" in report.human([result])


async def test_the_gate_shows_its_checks_running_then_their_outcome(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    held = HeldChecks()
    async with WorkflowHarness(
        ChecksGateWorkflow, env=time_skipping_env, extra_activities=[held.activity()]
    ) as harness:
        handle = await harness.start(run_input(RECONCILES, UNIQUE, two_approvers=True))
        pending = await until(review_gate(handle))
        assert statuses(pending) == [
            ("dated", None),
            ("reconciles", "running"),
            ("unique", "running"),
        ]
        assert pending["checks_result"]["status"] == "running"
        assert pending["checks_result"]["summary"] == "2 running"
        await until(reaches(held, "started", 2))
        told = await refused(handle, {"action": "approve", "reviewer": "ana"})
        assert (
            "2 of 2 checks still running" in told and "wait for them to finish, or reject" in told
        )
        # The UI state answers the same, for a view drawn from one query.
        state = await handle.query("current_ui_state")
        assert statuses(state["pending_action"]) == statuses(pending)

        held.release()
        pending = await until(checks_ended(handle))
        assert statuses(pending) == [("dated", None), ("reconciles", "pass"), ("unique", "fail")]
        assert pending["checks_result"]["status"] == "fail"
        assert pending["checks_result"]["summary"] == "1 passed, 1 failed"
        # Approving over the failed check takes a second reviewer under this policy.
        first = await handle.execute_update(
            "submit_action", {"action": "approve", "reviewer": "ana"}
        )
        assert first["kind"] == "first_approval"
        audit = await handle.query("audit_trail")
        assert audit[-1]["reason"] == "overrides No duplicate references"
        told = await refused(handle, {"action": "approve", "reviewer": "ana"})
        assert "ana already approved overriding No duplicate references" in told
        await handle.execute_update("submit_action", {"action": "approve", "reviewer": "ben"})
        outcome = await handle.result()
        assert outcome["reviewer"] == "ben" and outcome["summary"] == "1 passed, 1 failed"
        # The finished step keeps the checks as they ended.
        snapshot = (await handle.query("step_snapshots"))["review"]
        assert [c.get("status") for c in snapshot["checks"]] == [None, "pass", "fail"]
        assert snapshot["checks_result"]["summary"] == "1 passed, 1 failed"
        await replays(handle)


async def test_rejecting_while_checks_run_closes_the_gate_and_skips_them() -> None:
    held = HeldChecks()
    # A server of its own: the time-skipping server stops skipping time for good once an
    # activity outlives its (finished) run, which this test makes happen on purpose.
    async with (
        await start_environment("time-skipping") as env,
        WorkflowHarness(ChecksGateWorkflow, env=env, extra_activities=[held.activity()]) as harness,
    ):
        handle = await harness.start(run_input(RECONCILES, UNIQUE))
        await until(review_gate(handle))
        await until(reaches(held, "started", 2))
        decided = await handle.execute_update(
            "submit_action", {"action": "reject", "reviewer": "ana", "comment": "wrong file"}
        )
        assert decided["kind"] == "decision"
        outcome = await handle.result()
        # The checks' activities were cancelled; these ones never heard of it (no heartbeat)
        # and end on their own, before the worker stops.
        held.release()
        await until(reaches(held, "finished", 2))
        await replays(handle)
    assert outcome["action"] == "rejected"
    assert outcome["checks"]["reconciles"] == ["skipped", NOT_FINISHED]
    assert outcome["checks"]["unique"] == ["skipped", NOT_FINISHED]
    assert outcome["summary"] == "2 skipped"


async def test_a_check_whose_activity_fails_fails_alone_and_the_run_goes_on(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    async with WorkflowHarness(
        ChecksGateWorkflow, env=time_skipping_env, input=run_input(RECONCILES, EXPLODES)
    ) as harness:
        result = await harness.run(scenario=HAPPY)
    assert result.passed, result.error
    status, detail = result.result["checks"]["explodes"]
    assert status == "fail"
    assert detail == "the check could not run: the ledger service is down"
    assert result.result["checks"]["reconciles"][0] == "pass"


async def test_the_harness_waits_for_the_checks_before_deciding(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    held = HeldChecks()

    async def release_later() -> None:
        await until(reaches(held, "started", 1))
        await asyncio.sleep(0.3)  # the driver sees the gate, its check running, meanwhile
        held.release()

    async with WorkflowHarness(
        ChecksGateWorkflow,
        env=time_skipping_env,
        extra_activities=[held.activity()],
        input=run_input(UNIQUE),
    ) as harness:
        releasing = asyncio.create_task(release_later())
        result = await harness.run(scenario=HAPPY)
        await releasing
    assert result.passed, result.error
    assert result.result["checks"]["unique"][0] == "fail"


# ── in-process ─────────────────────────────────────────────────────────────


async def test_run_local_runs_the_checks_by_calling_the_activity() -> None:
    handle = start_local(ChecksGateWorkflow, run_input(RECONCILES, UNIQUE, EXPLODES))

    async def ended() -> Any:
        pending = handle.query("current_pending_action")
        return pending if pending and pending["checks_result"]["status"] != "running" else None

    pending = await until(ended)
    assert statuses(pending)[1:] == [
        ("reconciles", "pass"),
        ("unique", "fail"),
        ("explodes", "fail"),
    ]
    await handle.update("submit_action", {"action": "approve", "reviewer": "ana"})
    outcome = await handle
    assert outcome["checks"]["explodes"] == [
        "fail",
        "the check could not run: the ledger service is down",
    ]
    assert outcome["summary"] == "1 passed, 2 failed"
    assert handle.query("step_snapshots")["review"]["checks_result"]["status"] == "fail"


async def test_a_bad_spec_fails_the_run_before_any_gate_opens() -> None:
    handle = start_local(
        ChecksGateWorkflow, run_input(RECONCILES, {"id": "x", "evaluator": "code"})
    )
    with pytest.raises(
        ChecksSpecError, match=r"checks_spec\[1\] is not a valid check: field 'title'"
    ):
        await handle
    assert handle.query("current_pending_action") is None
    assert handle.query("audit_trail") == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"id": "a", "title": "A"}, r"checks_spec must be a list of checks, got dict"),
        ("reconciles", r"checks_spec must be a list of checks, got str"),
        ([42], r"checks_spec\[0\] is a int, not a check"),
        (
            [{"id": "a", "title": "A", "evaluator": "robot"}],
            r"checks_spec\[0\] is not a valid check: field 'evaluator': Input should be 'llm', "
            r"'code' or 'types'",
        ),
        (
            [{"id": "a", "title": "A", "params": {"when": object()}}],
            r"checks_spec\[0\] cannot be serialised: Unable to serialize unknown type",
        ),
        (
            [RECONCILES, {**UNIQUE, "id": "reconciles"}],
            r"checks_spec\[1\]: field 'id' is 'reconciles', already the id of checks_spec\[0\]",
        ),
    ],
)
def test_a_bad_checks_spec_is_named_by_index_and_field(spec: Any, message: str) -> None:
    with pytest.raises(ChecksSpecError, match=message) as err:
        parse_checks_spec(spec)
    assert isinstance(err.value, ValueError)


def test_specs_are_read_from_models_and_dicts_alike() -> None:
    from ntro.capabilities.checks import QualityCheckSpec

    parsed = parse_checks_spec([QualityCheckSpec(**RECONCILES), UNIQUE])
    assert [(s["id"], s["evaluator"], s["rule"]) for s in parsed] == [
        ("reconciles", "code", None),
        ("unique", "code", None),
    ]
    assert parse_checks_spec(None) == [] and parse_checks_spec(()) == []


# ── the policy, and who registers the activity ─────────────────────────────


def test_failed_quality_checks_count_for_the_second_approver_and_nothing_else() -> None:
    items = [
        {"id": "a", "title": "Balanced", "status": "fail"},
        {"id": "b", "title": "Within 10%", "status": "warn"},
        {"id": "c", "title": "Narrative", "status": "skipped"},
        {"id": "d", "title": "Types", "status": "pass"},
        {"name": "dated", "ok": False, "message": "lines without a date: L2"},
    ]
    assert failing_checks(items) == ["Balanced", "dated"]


def test_every_worker_ntro_builds_serves_the_checks_activity() -> None:
    from ntro.capabilities.checks import run_quality_check
    from ntro.testing import MockValues
    from ntro.testing._mocks import harness_activities
    from ntro.worker import plan_worker
    from tests.worker._support import QUICK_CHECK

    def named(activities: list[Any]) -> dict[str | None, Any]:
        return {activity_name(fn): fn for fn in activities}

    # The harness runs it for real, even when the author's module imports it (auto-mocks
    # would answer with a check stuck 'running')...
    served = named(harness_activities([run_quality_check], [], MockValues(0), all_real=False))
    assert served[RUN_QUALITY_CHECK] is run_quality_check
    # ...unless the test replaces it.
    held = HeldChecks().activity()
    served = named(harness_activities([], [held], MockValues(0), all_real=False))
    assert served[RUN_QUALITY_CHECK] is held
    # `ntro worker` and execute_runbook's worker.
    assert (
        named(plan_worker([QUICK_CHECK], None).activities)[RUN_QUALITY_CHECK] is run_quality_check
    )
    assert with_builtin_activities([]) == [run_quality_check]


# ── a bundle, as a runbook author tests it ─────────────────────────────────


def test_ntro_workflow_test_runs_a_bundles_checks_and_reports_them() -> None:
    bundle = Path(__file__).parent / "bundles" / "statement-review"
    run = subprocess.run(
        [sys.executable, "-c", "from ntro.cli import main; main()", "workflow", "test", str(bundle)]
        + ["--scenario", "clean", "--scenario", "duplicated", "--scenario", "reject_all"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "decision=approved, checks=2 passed, 1 skipped" in run.stdout
    assert "decision=approved, checks=2 failed, 1 skipped" in run.stdout
    assert "decision=rejected, checks=2 passed, 1 skipped" in run.stdout
    assert run.stdout.rstrip().endswith("summary: 3 passed, 0 failed (of 3)")


def test_a_check_ending_after_its_gate_closed_leaves_the_next_gate_alone() -> None:
    from datetime import UTC, datetime

    from ntro.workflow import RunState
    from ntro.workflow._checks import finished_item, running_item
    from ntro.workflow._state import GateSpec

    now = datetime(2026, 1, 31, tzinfo=UTC)
    state = RunState()
    specs = parse_checks_spec([RECONCILES])
    first = state.open_gate(
        "interactive_review",
        GateSpec(payload={"a": 1}, quality_checks=[running_item(s) for s in specs]),
        now=now,
        deadline=None,
    )
    state.end_quality_checks(first)
    state.clear_pending()
    state.open_gate("interactive_review", GateSpec(payload={"b": 2}), now=now, deadline=None)
    late = finished_item(specs[0], {"id": "reconciles", "title": "x", "status": "pass"})
    state.set_quality_check(first, 0, late)
    pending = state.pending_action
    assert pending is not None and pending["checks"] == [] and "checks_result" not in pending
    assert first.quality[0]["status"] == "pass"


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (None, "its activity answered None, not a QualityCheckItem"),
        (
            {"id": "x", "title": "X", "status": "running"},
            "its activity answered with status 'running'",
        ),
    ],
)
def test_an_answer_that_is_not_a_finished_check_fails_that_check(answer: Any, detail: str) -> None:
    from ntro.workflow._checks import finished_item

    item = finished_item(parse_checks_spec([UNIQUE])[0], answer)
    assert item["status"] == "fail" and detail in item["detail"]
    assert (item["id"], item["title"]) == ("unique", "No duplicate references")


#: A receipt entered twice: it does not reconcile, and its reference repeats.
DUPLICATED_STATEMENT = {
    "fields": {"opening_balance": "1000.00", "closing_balance": "1400.00"},
    "line_items": [
        {"line_item_id": f"L{n}", "date": "2026-01-05", "description": "Receipt"}
        | {"reference": "INV-1001", "money_in": "1200.00"}
        for n in (1, 2)
    ],
}


@pytest.mark.slow
async def test_ntro_worker_serves_the_checks_on_the_dev_server() -> None:
    """`ntro worker`'s serve loop on a real dev server: a bundle's review runs its checks with
    no activity of its own for them, they show, approving works, and the history replays."""
    from ntro.cluster import ClusterConfig
    from ntro.runbook import load_bundle
    from ntro.worker import serve

    bundle = Path(__file__).parent / "bundles" / "statement-review"
    async with await start_environment("dev") as env:
        address = env.client.service_client.config.target_host
        stop = asyncio.Event()
        serving = asyncio.create_task(
            serve([bundle], config=ClusterConfig(address=address), stop=stop, handle_signals=False)
        )
        try:
            handle = await env.client.start_workflow(
                "StatementReviewWorkflow",
                DUPLICATED_STATEMENT,
                id=f"statement-review-{time.monotonic_ns()}",
                task_queue="ntro-statement-review",
            )
            pending = await until(checks_ended(handle), timeout=30)
            assert statuses(pending) == [
                ("reconciles", "fail"),
                ("unique-references", "fail"),
                ("plausible", "skipped"),
            ]
            await handle.execute_update("submit_action", {"action": "approve", "reviewer": "ana"})
            result = await handle.result()
            assert result["summary"] == "2 failed, 1 skipped"
            history = await handle.fetch_history()
        finally:
            stop.set()
            await serving
    replayer = Replayer(
        workflows=[load_bundle(bundle).workflow_cls],
        workflow_runner=UnsandboxedWorkflowRunner(),
        data_converter=pydantic_data_converter,
    )
    replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None, replayed.replay_failure
