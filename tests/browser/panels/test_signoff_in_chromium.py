"""Accountable sign-off in Chromium (issue 18): Approve says what it commits before it commits,
an Enter on a focused Approve sends nothing, Approve comes before Reject in tab order, a typed
signer is kept beside the signed-in reviewer, and the gate's deadline shows with its default
outcome. Drawn at notebook width in a 1,280 px window, in JupyterLab's light and dark themes;
screenshots go to artifacts/review-pass/."""

from __future__ import annotations

from typing import Any

import pytest

from ntro_jupyter.viewmodels import panel_for_state
from ntro_jupyter.widgets import IntentSink, PanelWidget, panel_widget_for
from tests.browser.panels.test_review_pass import shot, show  # noqa: F401 (fixture)
from tests.jupyter import states
from tests.jupyter.viewmodels.test_signoff import wire_release


def decisions(sink: IntentSink) -> list[dict[str, Any]]:
    return [intent for kind, intent in sink.sent if kind == "decision"]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_enter_on_approve_shows_what_it_commits_and_sends_nothing(show, theme: str) -> None:  # noqa: ANN001, F811
    sink = IntentSink()
    widget = PanelWidget(panel_for_state(wire_release(), reviewer="ana@acme.example"), sink)
    page = show(widget, theme, connect=True)
    buttons = page.locator(".ntro-actions button")
    assert [buttons.nth(i).get_attribute("data-action") for i in range(buttons.count())] == [
        "approve",
        "reject",
    ]
    approve = page.locator("button[data-action=approve]")
    assert approve.inner_text() == "Release wire USD 10,000.00"
    deadline = page.locator("[data-testid=ntro-deadline]").inner_text()
    assert "Decide by 2024-04-02 17:00 UTC; after that the workflow rejects it." in deadline
    # Tab from the comment box reaches Approve before Reject.
    page.locator("textarea.ntro-comment").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "approve"
    page.keyboard.press("Enter")
    summary = page.locator("[data-testid=ntro-approve-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.dataset.testid") == "ntro-approve-summary"
    page.keyboard.press("Enter")  # a second Enter lands on the summary, not on Confirm
    page.wait_for_timeout(200)
    assert decisions(sink) == []
    text = summary.inner_text()
    assert "You are about to: Release wire USD 10,000.00" in text
    assert "No corrections" in text and "Recorded as ana@acme.example" in text
    assert shot(page, f"approve_summary_wire_{theme}").stat().st_size > 5000
    page.locator("button[data-action=confirm-approve]").click()
    page.wait_for_function("window.__replies >= 1")
    [sent] = decisions(sink)
    assert (sent["action"], sent["reviewer"]) == ("approve", "ana@acme.example")
    assert page.errors == []


def test_back_closes_the_summary_and_escape_too(show) -> None:  # noqa: ANN001, F811
    sink = IntentSink()
    widget = PanelWidget(panel_for_state(wire_release(), reviewer="ana"), sink)
    page = show(widget, connect=True)
    page.locator("button[data-action=approve]").click()
    page.locator("button[data-action=back]").click()
    assert page.locator("[data-testid=ntro-approve-summary]").count() == 0
    page.locator("button[data-action=approve]").click()
    page.keyboard.press("Escape")
    assert page.locator("[data-testid=ntro-approve-summary]").count() == 0
    assert decisions(sink) == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_typed_signer_is_on_behalf_of_and_the_reviewer_stays(show, theme: str) -> None:  # noqa: ANN001, F811
    sink = IntentSink()
    widget = PanelWidget(panel_for_state(states.nav_signoff(), reviewer="ana@acme.example"), sink)
    page = show(widget, theme, connect=True)
    signer = page.get_by_label("Signed off by")
    assert signer.input_value() == "ana@acme.example"
    signer.fill("Dana Cho, CFO")
    signer.press("Tab")
    page.wait_for_function("window.__replies >= 1")
    assert "You are signed in as ana@acme.example" in page.locator("#root").inner_text()
    page.locator("textarea.ntro-comment").fill("Fee accrual reflects the new commitments")
    page.locator("button[data-action=approve]").click()
    summary = page.locator("[data-testid=ntro-approve-summary]")
    assert "Recorded as ana@acme.example on behalf of Dana Cho, CFO" in summary.inner_text()
    assert "outside the ±5% tolerance" in summary.inner_text()
    shot(page, f"nav_signoff_summary_{theme}")
    page.locator("button[data-action=confirm-approve]").click()
    page.wait_for_function("window.__replies >= 2")
    [sent] = decisions(sink)
    assert sent["reviewer"] == "ana@acme.example"
    assert sent["on_behalf_of"] == "Dana Cho, CFO"
    widget.mark_decided()
    page.evaluate("(view) => window.__model.set('view', view)", widget.view)
    banner = page.locator(".ntro-decided").inner_text()
    assert "Approved by ana@acme.example on behalf of Dana Cho, CFO at " in banner
    assert "UTC" in banner
    text = page.locator("#root").inner_text()
    assert "explain in the comment before signing off" not in text
    shot(page, f"nav_signoff_decided_{theme}")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_an_override_summary_lists_its_warnings_and_the_second_approver(show, theme: str) -> None:  # noqa: ANN001, F811
    state = states.journal_review(balanced=False)
    pending = state["pending_action"]
    pending["checks"] = [{"name": "journals balance", "ok": False, "message": "out by USD 2.00"}]
    pending["policy"] = {"second_approver_for_overrides": True, "override_approvals": []}
    pending["deadline"] = "2024-04-03T09:00:00Z"
    pending["on_timeout"] = "reject"
    sink = IntentSink()
    widget = panel_widget_for(panel_for_state(state, reviewer="ana"), sink)
    page = show(widget, theme, connect=True)
    blocked = page.locator(".ntro-blocked").inner_text()
    assert "nothing here can be edited, so reject with a comment" in blocked
    assert "fix them" not in blocked
    page.get_by_label("Override the imbalance").check()
    reason = page.get_by_label("Override reason")
    reason.fill("timing difference, cleared on 2 April")
    reason.press("Tab")
    page.wait_for_function("window.__replies >= 1")
    page.locator("button[data-action=approve]").click()
    summary = page.locator("[data-testid=ntro-approve-summary]").inner_text()
    assert "2 warnings you approve over" in summary
    assert "Check failed: journals balance (out by USD 2.00)" in summary
    assert "needs a second reviewer" in summary
    assert "Overriding with the reason" in summary
    shot(page, f"journal_override_summary_{theme}")
