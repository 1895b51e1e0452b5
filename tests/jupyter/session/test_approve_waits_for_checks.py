"""Approving from a notebook waits for the gate's quality checks: a review opened with
``checks_spec`` lists its checks ``running`` until their activities end, and the workflow
refuses an approval before. The session polls the run until none runs, then sends; after its
bounded wait it says how many still run and sends nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ntro_jupyter import SessionError
from ntro_jupyter._session._checks import approves, running_checks

BUNDLE = Path(__file__).resolve().parents[2] / "workflow" / "bundles" / "statement-review"


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from ntro_jupyter import Session

    opened = Session("harness", reviewer="alice")
    opened.load(BUNDLE, mock=True)
    yield opened
    opened.close()


def review_open(state: dict[str, Any]) -> bool:
    return (state.get("pending_action") or {}).get("kind") == "interactive_review"


def still_running(session: Any, polls: int | None) -> list[int]:
    """Make the session see the gate's checks as running for its first ``polls`` state
    queries (every one when None), as it would while their activities work; returns the
    count of queries made, as a one-item list."""
    real = session.query_state
    seen = [0]

    async def query_state(workflow_id: str, *args: Any) -> dict[str, Any]:
        state = await real(workflow_id, *args)
        seen[0] += 1
        if polls is None or seen[0] <= polls:
            state = copy.deepcopy(state)
            for check in (state.get("pending_action") or {}).get("checks") or []:
                if "status" in check:
                    check["status"] = "running"
        return state

    session.query_state = query_state
    return seen


def test_an_approval_sent_while_checks_run_waits_for_them(session: Any) -> None:
    handle = session.run("statement-review", {})
    handle.wait_for_state(review_open, 20)
    seen = still_running(session, polls=4)
    try:
        session.approve(handle.workflow_id)
    finally:
        del session.query_state
    assert seen[0] >= 5  # it polled until the checks had ended, then sent
    result = handle.wait(20)
    assert result["approved"] is True and result["summary"] == "2 passed, 1 skipped"


def test_checks_that_never_end_give_a_clear_error_and_nothing_is_sent(
    session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = session.run("statement-review", {})
    handle.wait_for_state(review_open, 20)
    monkeypatch.setattr(session, "checks_wait_s", 0.3)
    still_running(session, polls=None)
    try:
        with pytest.raises(SessionError) as refused:
            session.approve(handle.workflow_id)
    finally:
        del session.query_state
    message = str(refused.value)
    assert "3 of 3 checks still running after 0.3 s" in message
    assert "Closing = opening + movements" in message and "not sent" in message
    state = session.state(handle.workflow_id)
    assert review_open(state)  # still waiting for a decision
    assert not [e for e in state.get("audit_trail") or [] if e.get("kind") == "decision"]
    # A rejection does not wait for checks.
    session.reject(handle.workflow_id, comment="not this one")
    assert handle.wait(20)["approved"] is False


def test_what_counts_as_an_approval_and_a_running_check() -> None:
    assert approves({"action": "approve"}) and approves({"type": "approved"})
    assert approves({"action": "correct", "corrections": []})
    assert not approves({"action": "reject"})
    assert not approves({"action": "reject_row", "row_id": "L1"})
    pending = {
        "checks": [
            {"name": "dated", "ok": True, "message": "every line has a date"},
            {"id": "a", "title": "Reconciles", "status": "running"},
            {"id": "b", "title": "Unique", "status": "pass"},
        ]
    }
    assert running_checks(pending) == (["Reconciles"], 2)
