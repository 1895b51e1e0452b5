"""A gate's quality checks drawn in headless Chromium: a running check spins and says
"running…", the approve button is disabled saying why, and the finished checks replace them
(in the review table and in the other panels alike)."""

from __future__ import annotations

from typing import Any

import pytest

from ntro.capabilities.checks import QualityCheckItem
from ntro_jupyter.viewmodels import panel_for_state
from ntro_jupyter.widgets import DataTableWidget, PanelWidget
from tests.jupyter import states


def item(id: str, title: str, status: str, detail: str = "") -> dict[str, Any]:
    return QualityCheckItem(id=id, title=title, status=status, detail=detail).model_dump(  # type: ignore[arg-type]
        mode="json"
    )


RUNNING = [
    item("reconciles", "Closing = opening + movements", "pass", "opening 100.00 = closing 100.00"),
    item("unique", "No duplicate references", "running"),
]
FINISHED = [
    RUNNING[0],
    item("unique", "No duplicate references", "fail", "1 duplicate reference value(s): A"),
]


@pytest.mark.parametrize(
    ("module", "make_state", "widget_cls"),
    [
        ("panels.js", states.approval_form, PanelWidget),
        ("datatable.js", states.extraction_review, DataTableWidget),
    ],
)
def test_running_checks_spin_hold_approval_and_give_way_to_their_outcome(
    render: Any, module: str, make_state: Any, widget_cls: Any
) -> None:
    state = make_state()
    state["pending_action"]["checks"] = RUNNING
    rendered = render(module, widget_cls(panel_for_state(state, reviewer="alice")), width=1100)
    page = rendered.page
    running = page.locator(".ntro-rule[data-status='running']")
    assert running.count() == 1
    assert running.locator(".ntro-spinner").count() == 1
    assert running.inner_text().strip() == "No duplicate references: running…"
    # (section titles are drawn in capitals)
    assert "checks · 1 passed, 1 running" in page.inner_text("#root").lower()
    approve = page.locator("button[data-action='approve']")
    assert approve.is_disabled()
    assert "1 of 2 checks still running (No duplicate references)" in (
        approve.get_attribute("title") or ""
    )
    assert page.locator("button[data-action='reject']").is_enabled()
    rendered.shot(f"checks_running_{module.split('.')[0]}")

    state["pending_action"]["checks"] = FINISHED
    widget = widget_cls(panel_for_state(state, reviewer="alice"))
    trait = "state" if widget_cls is DataTableWidget else "view"
    page.evaluate(
        "([name, value]) => window.__model.set(name, value)", [trait, getattr(widget, trait)]
    )
    page.wait_for_selector(".ntro-rule[data-status='fail']")
    assert page.locator(".ntro-rule[data-status='running']").count() == 0
    failed = page.locator(".ntro-rule[data-status='fail']").inner_text()
    assert "No duplicate references: 1 duplicate reference value(s): A" in failed
    assert "checks · 1 passed, 1 failed" in page.inner_text("#root").lower()
    assert page.locator("button[data-action='approve']").is_enabled()
    assert rendered.errors == []
