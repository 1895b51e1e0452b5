"""The notebook session serves ntro's own checks activity: a bundle whose review runs
``checks_spec`` shows its checks' outcome when loaded mocked or not, with no work by its
author."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BUNDLE = Path(__file__).resolve().parents[2] / "workflow" / "bundles" / "statement-review"


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from ntro_jupyter import Session

    opened = Session("harness", reviewer="alice")
    yield opened
    opened.close()


def ended(state: dict[str, Any]) -> bool:
    pending = state.get("pending_action") or {}
    result = pending.get("checks_result") or {}
    return bool(result) and result.get("status") != "running"


@pytest.mark.parametrize("mock", [True, False])
def test_a_loaded_bundles_checks_run_on_the_sessions_worker(session: Any, mock: bool) -> None:
    session.load(BUNDLE, mock=mock)
    handle = session.run("statement-review", {})
    state = handle.wait_for_state(ended, 20)
    checks = {c["id"]: c["status"] for c in state["pending_action"]["checks"]}
    assert checks == {"reconciles": "pass", "unique-references": "pass", "plausible": "skipped"}
    session.approve(handle.workflow_id)
    assert handle.wait(20)["summary"] == "2 passed, 1 skipped"
