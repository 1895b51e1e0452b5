"""A gate's quality checks (``checks_spec``) in the panels: running ones say so and hold the
approve button with the reason; finished ones show their finding, warnings and failures in
the approve summary; a finished step shows them as they ended."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ntro.capabilities.checks import NO_PROVIDER, QualityCheckItem
from ntro.workflow import start_local
from ntro_jupyter.viewmodels import (
    DecisionBlocked,
    panel_for_snapshot,
    panel_for_state,
    parse_ui_state,
)
from tests.fixtures.checks_runbooks import RECONCILES, UNIQUE, ChecksGateWorkflow, run_input
from tests.jupyter import states


def item(id: str, title: str, status: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    return QualityCheckItem(id=id, title=title, status=status, detail=detail, **extra).model_dump(  # type: ignore[arg-type]
        mode="json"
    )


def with_checks(*checks: dict[str, Any]) -> dict[str, Any]:
    state = states.approval_form()
    state["pending_action"]["checks"] = list(checks)
    return state


def test_running_checks_are_drawn_running_and_hold_approval_with_the_reason() -> None:
    state = with_checks(
        {"name": "dated", "ok": True, "message": "every line has a date"},
        item("reconciles", "Closing = opening + movements", "pass", "opening 100 = closing 100"),
        item("unique", "No duplicate references", "running"),
        item("narrative", "Plausible narrative", "running"),
    )
    model = panel_for_state(state, reviewer="ana")
    assert model is not None
    view = model.to_view()
    drawn = [(c["name"], c["status"], c["message"]) for c in view["checks"]]
    assert drawn == [
        ("dated", "pass", "every line has a date"),
        ("Closing = opening + movements", "pass", "opening 100 = closing 100"),
        ("No duplicate references", "running", "running…"),
        ("Plausible narrative", "running", "running…"),
    ]
    assert view["checks_summary"] == "1 passed, 2 running"
    approve = next(a for a in view["actions"] if a["kind"] == "approve")
    assert approve["blocked"] == (
        "2 of 3 checks still running (No duplicate references, Plausible narrative): wait "
        "for them to finish, or reject"
    )
    reject = next(a for a in view["actions"] if a["kind"] == "reject")
    assert reject["blocked"] is None
    with pytest.raises(DecisionBlocked, match="2 of 3 checks still running"):
        model.decide("approve")
    model.decide("reject", "wrong statement")  # rejecting never waits


def test_finished_checks_show_their_findings_and_failures_warn_the_approver() -> None:
    state = with_checks(
        item("reconciles", "Closing = opening + movements", "pass", "opening 100 = closing 100"),
        item("unique", "No duplicate references", "fail", "1 duplicate reference value(s): A"),
        item("move", "Within 10% of last month", "warn", "+12.0% (limit 10%)"),
        item("narrative", "Plausible narrative", "skipped", NO_PROVIDER),
        item("llm", "Counterparties look right", "pass", "All known", confidence=0.8),
    )
    model = panel_for_state(state, reviewer="ana")
    assert model is not None
    view = model.to_view()
    drawn = {c["name"]: (c["status"], c["ok"], c["level"], c["message"]) for c in view["checks"]}
    assert drawn["No duplicate references"] == (
        "fail",
        False,
        "error",
        "1 duplicate reference value(s): A",
    )
    assert drawn["Within 10% of last month"][:3] == ("warn", False, "warning")
    assert drawn["Plausible narrative"] == ("skipped", None, "info", f"skipped: {NO_PROVIDER}")
    assert [c["confidence"] for c in view["checks"]][-1] == "80% confident"
    assert view["checks_summary"] == "2 passed, 1 failed, 1 warning, 1 skipped"
    approve = next(a for a in view["actions"] if a["kind"] == "approve")
    assert approve["blocked"] is None
    warnings = " ".join(view["approve_summary"]["warnings"])
    assert "Check failed: No duplicate references (1 duplicate reference value(s): A)" in warnings


async def test_a_runs_checks_reach_the_panel_and_stay_on_its_finished_step() -> None:
    handle = start_local(ChecksGateWorkflow, run_input(RECONCILES, UNIQUE))
    for _ in range(200):
        state = handle.query("current_ui_state")
        pending = state["pending_action"]
        if pending and pending["checks_result"]["status"] != "running":
            break
        await asyncio.sleep(0.01)
    model = panel_for_state(state, reviewer="ana")
    assert model is not None
    view = model.to_view()
    assert [c["status"] for c in view["checks"]] == ["pass", "pass", "fail"]
    assert view["checks_summary"] == "1 passed, 1 failed"
    await handle.update("submit_action", {"action": "approve", "reviewer": "ana"})
    await handle
    finished = parse_ui_state(handle.query("current_ui_state")).state
    shown = panel_for_snapshot("review", finished.step_snapshots["review"], title="Review")
    after = shown.to_view()
    assert after["interactive"] is False
    assert [(c["name"], c["status"]) for c in after["checks"]][1:] == [
        ("Closing = opening + movements", "pass"),
        ("No duplicate references", "fail"),
    ]


def test_a_saved_notebook_shows_the_checks_as_they_stood() -> None:
    from ntro_jupyter.widgets._static import render_run_html

    state = with_checks(
        {"name": "dated", "ok": False, "message": "lines without a date: <L2>"},
        item("unique", "No duplicate references", "running"),
    )
    html = render_run_html(state, reviewer="ana")
    assert "Checks · 1 running" in html
    assert 'data-status="fail"' in html and "lines without a date: &lt;L2&gt;" in html
    assert 'data-status="running"' in html and "No duplicate references: running…" in html
