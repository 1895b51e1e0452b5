"""Decision spellings, row actions and display hints, as a reviewer's tool would send them."""

from __future__ import annotations

import pytest

from ntro.workflow import InvalidDecision, normalize_display_hint
from ntro.workflow._decisions import (
    ActionName,
    DecisionDict,
    check_corrections,
    parse_decision,
    parse_row_action,
)


@pytest.mark.parametrize(
    ("raw", "action"),
    [
        ({"type": "approved"}, "approve"),
        ({"type": "rejected"}, "reject"),
        ({"kind": "approve"}, "approve"),
        ({"kind": "reject"}, "reject"),
        ({"action": "approve"}, "approve"),
        ({"action": "reject", "reason": "wrong period"}, "reject"),
        (
            {
                "action": "correct",
                "corrections": [
                    {"line_item_id": "L1", "field": "amount", "old_value": 1, "new_value": 2}
                ],
            },
            "correct",
        ),
        ({"action": "correct"}, "approve"),
        ({"action": "APPROVE"}, "approve"),
    ],
)
def test_every_published_spelling_is_accepted(raw: dict, action: str) -> None:
    assert parse_decision(raw).action == action


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "must be an object"),
        ([1, 2], "must be an object"),
        ("approve", "must be an object"),
        ({}, "names no action"),
        ({"action": "maybe"}, "unknown decision action='maybe'"),
        ({"action": 3}, "unknown decision"),
        ({"action": "approve", "corrections": "L1"}, "'corrections' must be a list"),
        ({"action": "approve", "corrections": [{"field": "x"}]}, "needs 'line_item_id'"),
        ({"action": "approve", "corrections": [{"line_item_id": "L1"}]}, "needs 'field'"),
        ({"action": "approve", "comment": 5}, "'comment' must be text"),
        ({"action": "approve", "reviewer": ""}, "reviewer's name"),
    ],
)
def test_malformed_decisions_are_refused_with_the_reason(raw: object, message: str) -> None:
    with pytest.raises(InvalidDecision) as refused:
        parse_decision(raw)
    assert message in refused.value.message


def test_action_name_matches_every_spelling_of_itself() -> None:
    approved = ActionName("approved")
    assert approved == "approved" and approved == "approve" and approved != "rejected"
    assert ActionName("corrected") == "approved"  # a correction releases the gate as approval
    assert ActionName("rejected") == "reject"


def test_decision_dict_keeps_what_was_sent_and_normalises_attributes() -> None:
    raw = {
        "type": "approved",
        "corrections": [{"line_item_id": "L1", "field": "amount", "old_value": 1, "new_value": 2}],
        "user": "ana",
    }
    decision = DecisionDict(raw, parse_decision(raw))
    assert decision == raw
    assert decision["corrections"][0]["new_value"] == 2
    assert decision.action == "approved"
    assert decision.reviewer == "ana"
    assert decision.approved and not decision.rejected


def test_corrections_must_name_rows_and_fields_of_the_payload() -> None:
    payload = {"lines": [{"id": "L1", "amount": 10}, {"id": "L2", "amount": 20}]}
    good = parse_decision(
        {
            "action": "correct",
            "corrections": [
                {"line_item_id": "L2", "field": "amount", "old_value": 20, "new_value": 25}
            ],
        }
    )
    check_corrections(good.corrections, payload, set())
    for row, field, message in [
        ("L9", "amount", "not in the payload"),
        ("L1", "colour", "has no such field"),
    ]:
        bad = parse_decision(
            {
                "action": "correct",
                "corrections": [{"line_item_id": row, "field": field, "new_value": 1}],
            }
        )
        with pytest.raises(InvalidDecision, match=message):
            check_corrections(bad.corrections, payload, set())


def test_row_actions_are_read_and_checked() -> None:
    action = parse_row_action(
        {"kind": "row_action", "payload": {"action": "reject_row", "row_id": "L1"}}
    )
    assert (action.action, action.row_id) == ("reject_row", "L1")
    with pytest.raises(InvalidDecision, match="unknown row action"):
        parse_row_action({"kind": "row_action", "payload": {"action": "delete", "row_id": 1}})
    with pytest.raises(InvalidDecision, match="edit_cell needs 'field'"):
        parse_row_action({"kind": "row_action", "payload": {"action": "edit_cell", "row_id": 1}})


@pytest.mark.parametrize(
    ("hint", "kind", "expected"),
    [
        (
            {"component": "DATA_TABLE", "config": {"title": "T"}},
            "interactive_review",
            {"component": "DATA_TABLE", "config": {"title": "T"}},
        ),
        (
            {"type": "review_extraction", "schema_slug": "bank"},
            "interactive_review",
            {"component": "review_extraction", "config": {"schema_slug": "bank"}},
        ),
        (
            {"source": "bank", "filename_pattern": "*.csv"},
            "submit_file",
            {"component": "FILE_UPLOAD", "config": {"source": "bank", "filename_pattern": "*.csv"}},
        ),
        (None, "interactive_review", {"component": "APPROVAL_FORM", "config": {}}),
        (None, "submit_files", {"component": "MULTI_FILE_UPLOAD", "config": {}}),
        ("SUMMARY", "interactive_review", {"component": "SUMMARY", "config": {}}),
        ([1, 2], "interactive_review", {"component": "APPROVAL_FORM", "config": {"value": [1, 2]}}),
    ],
)
def test_display_hints_in_every_published_shape(hint: object, kind: str, expected: dict) -> None:
    assert normalize_display_hint(hint, kind) == expected
