"""Accountable sign-off in the panels: the reviewer is always on the record, the approve
button names the act and its summary says what it commits, the review timeout shows with its
default outcome, and an override the policy gives two reviewers says so."""

from __future__ import annotations

from typing import Any

import pytest

from ntro_jupyter.viewmodels import (
    DecisionBlocked,
    history_view,
    panel_for_state,
    parse_ui_state,
    review_stakes,
)
from ntro_jupyter.widgets import PanelWidget
from ntro_jupyter.widgets._host import IntentSink
from ntro_jupyter.widgets._static import render_run_html
from tests.jupyter import states


def wire_release(**extra: Any) -> dict[str, Any]:
    state = states.approval_form()
    pending = state["pending_action"]
    pending["display_hint"] = {
        "component": "APPROVAL_FORM",
        "config": {"approve_label": "Release wire"},
    }
    pending["deadline"] = "2024-04-02T17:00:00Z"
    pending["on_timeout"] = "reject"
    pending.update(extra)
    return state


def test_the_approve_button_names_the_act_and_its_summary_what_it_commits() -> None:
    model = panel_for_state(wire_release(), reviewer="ana@acme.example")
    assert model is not None
    view = model.to_view()
    assert [(a["kind"], a["label"]) for a in view["actions"]] == [
        ("approve", "Release wire USD 10,000.00"),
        ("reject", "Reject"),
    ]
    summary = view["approve_summary"]
    assert summary["act"] == "Release wire USD 10,000.00"
    assert summary["amount"] == {"value": "10000.00", "currency": "USD"}
    assert "No corrections" in summary["lines"]
    assert view["deadline"]["text"] == (
        "Decide by 2024-04-02 17:00 UTC; after that the workflow rejects it."
    )


def test_without_words_of_its_own_approve_says_which_step() -> None:
    state = states.approval_form()
    state["pending_action"]["payload"] = {"beneficiary": "Custodian Bank"}
    model = panel_for_state(state)
    assert model is not None
    assert model.to_view()["actions"][0]["label"] == "Approve Approve journals"


def test_a_table_summary_counts_rows_corrections_rejections_and_totals() -> None:
    model = panel_for_state(states.data_table())
    assert model is not None
    first = model.datasets[0]
    amount = next(c.key for c in first.columns if c.type == "currency")
    model.edit(first.key, 0, amount, "12.50")
    model.reject_row(first.key, 1)
    summary = model.to_view()["approve_summary"]
    assert summary["lines"][0] == f"{sum(len(ds.rows) for ds in model.datasets)} rows"
    assert "1 correction" in summary["lines"]
    assert "1 rejected row" in summary["lines"]
    assert any(line.startswith("Total") for line in summary["lines"])


def test_unbalanced_journals_are_warnings_of_the_summary_and_stakes() -> None:
    model = panel_for_state(states.journal_review(balanced=False))
    assert model is not None
    summary = model.to_view()["approve_summary"]
    assert summary["warnings"] == ["Journal JE-102 is out by USD 2.00"]
    assert review_stakes(model) == {
        "warning_count": 1,
        "amount": {"value": "4512.34", "currency": "USD"},
    }


def test_a_typed_signer_is_on_behalf_of_and_the_reviewer_stays() -> None:
    model = panel_for_state(states.nav_signoff(), reviewer="ana@acme.example")
    model.set_signer("Dana Cho, CFO")  # type: ignore[union-attr]
    intent = model.decide("approve", comment="fees up on new commitments")  # type: ignore[union-attr]
    assert intent["reviewer"] == "ana@acme.example"
    assert intent["on_behalf_of"] == "Dana Cho, CFO"
    model.lifecycle.confirm()  # type: ignore[union-attr]
    sentence = model.to_view()["gate"]["decided"]["sentence"]  # type: ignore[union-attr]
    assert sentence.startswith("Approved by ana@acme.example on behalf of Dana Cho, CFO at ")


def test_history_and_banner_read_the_signer_from_the_record() -> None:
    state = states.nav_signoff()
    state["audit_trail"] = [
        {
            "kind": "decision",
            "step_id": "nav_signoff",
            "gate_id": "g-nav",
            "reviewer": "ana@acme.example",
            "on_behalf_of": "Dana Cho, CFO",
            "at": "2024-04-01T12:30:00Z",
            "action": "approve",
        }
    ]
    lines = history_view(parse_ui_state(state).state)
    assert lines[0]["text"] == (
        "ana@acme.example on behalf of Dana Cho, CFO approved on Sign off NAV"
    )
    html = render_run_html(state)
    assert "Approved by ana@acme.example on behalf of Dana Cho, CFO at 2024-04-01 12:30 UTC" in html


def test_an_override_under_a_second_approver_policy_says_so_and_blocks_the_first_approver() -> None:
    state = states.journal_review(balanced=False)
    pending = state["pending_action"]
    pending["checks"] = [{"name": "journals balance", "ok": False, "message": "out by 2.00"}]
    pending["policy"] = {
        "reviewers": None,
        "roles": None,
        "maker_checker": False,
        "makers": [],
        "second_approver_for_overrides": True,
        "override_approvals": [],
    }
    model = panel_for_state(state, reviewer="ana")
    assert model is not None
    assert "needs a second reviewer" in model.to_view()["approve_summary"]["second_approver"]
    pending["policy"]["override_approvals"] = ["ana"]
    again = panel_for_state(state, reviewer="ana")
    assert again is not None
    approve = again.to_view()["actions"][0]
    assert "already approved this override" in approve["blocked"]
    with pytest.raises(DecisionBlocked, match="a second reviewer must"):
        again.set_override("timing difference")  # type: ignore[attr-defined]
        again.decide("approve")
    other = panel_for_state(state, reviewer="bo")
    assert other is not None
    assert "ana approved this override" in other.to_view()["approve_summary"]["second_approver"]


def test_a_refusal_says_what_to_do_next() -> None:
    widget = PanelWidget(panel_for_state(wire_release()), IntentSink())
    widget.decide("approve")
    widget.show_error("gate 'g-approve' is closed; the open review is 'journals:2'")
    gate = widget.view["gate"]
    assert gate["error"].startswith("gate 'g-approve' is closed")
    assert gate["next_step"].startswith("The run has moved on since this review was shown.")


def test_a_first_approval_reopens_the_panel_and_says_a_second_reviewer_must_approve() -> None:
    from ntro_jupyter.widgets import RunView

    state = states.journal_review(balanced=False)
    pending = state["pending_action"]
    pending["checks"] = [{"name": "journals balance", "ok": False, "message": "out by 2.00"}]
    pending["policy"] = {
        "maker_checker": False,
        "second_approver_for_overrides": True,
        "override_approvals": [],
    }
    sent: list[dict[str, Any]] = []
    view = RunView(state, reviewer="ana", on_decision=sent.append)
    panel = view.panel
    assert panel is not None
    panel.set_override("timing difference on JE-102")  # type: ignore[union-attr]
    panel.decide("approve")
    assert sent and panel.model.lifecycle.status == "submitting"
    pending["policy"]["override_approvals"] = ["ana"]
    state["audit_trail"] = [
        {
            "kind": "first_approval",
            "step_id": "journals",
            "gate_id": "g-journals",
            "reviewer": "ana",
            "at": "2024-04-01T11:05:00Z",
            "action": "approve",
            "reason": "overrides journals balance",
        }
    ]
    view.update_state(state)
    gate = panel.view["gate"]
    assert gate["status"] == "open"
    assert "needs a second reviewer" in gate["info"]
    assert "already approved this override" in panel.view["actions"][0]["blocked"]
    history = view.history.value
    assert "ana gave the first of two approvals on Approve journals" in history


def test_an_unreadable_upload_is_said_in_the_reviewers_words() -> None:
    state = states.file_upload()
    state["pending_action"]["feedback"] = {
        "kind": "unreadable_document",
        "level": "error",
        "payload": {
            "message": "doc_3f2a9c1b2d3e4f5a6b7c: '/srv/app/.ntro/documents/acme/statement.xls' "
            "is a legacy Excel (.xls) file; open it in Excel and save it as .xlsx"
        },
    }
    model = panel_for_state(state)
    assert model is not None
    feedback = model.to_view()["body"]["feedback"]
    assert feedback["title"] == "The file could not be read"
    message = feedback["message"]
    assert message.startswith("The uploaded file: 'statement.xls' is a legacy Excel (.xls) file")
    assert "doc_3f2a" not in message and "/srv/" not in message
    assert message.endswith("Upload a readable copy of the file to go on.")
    html = render_run_html(state)
    assert "UNREADABLE_DOCUMENT" not in html.upper().replace("THE FILE COULD NOT BE READ", "")
    assert "The file could not be read: The uploaded file" in html
