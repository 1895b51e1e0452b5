"""DATA_TABLE and extraction review: what a reviewer does to a table, and what gets sent."""

from __future__ import annotations

import pytest

from ntro_jupyter.viewmodels import (
    DataTableModel,
    DecisionBlocked,
    ExtractionReviewModel,
    GateInfo,
    panel_for_state,
    resolve_hint,
)
from tests.jupyter import states


def table(config: dict, payload: object, reviewer: str = "alice") -> DataTableModel:
    model = panel_for_state(
        {
            "workflow_id": "wf",
            "pending_action": {
                "kind": "interactive_review",
                "gate_id": "g1",
                "step_id": "s1",
                "display_hint": {"component": "DATA_TABLE", "config": config},
                "payload": payload,
            },
        },
        reviewer=reviewer,
    )
    assert isinstance(model, DataTableModel)
    return model


ROWS = [
    {
        "id": "A",
        "account": "4000",
        "amount": 100.0,
        "date": "2024-03-01",
        "dr_cr": "DR",
        "paid": True,
    },
    {
        "id": "B",
        "account": "4010",
        "amount": "250.50",
        "date": "2024-03-02",
        "dr_cr": "CR",
        "paid": False,
    },
]


def test_columns_are_inferred_with_types_and_the_id_is_not_a_column() -> None:
    model = table({"allow_corrections": True}, ROWS)
    columns = {c.key: c.type for c in model.dataset().columns}
    assert columns == {
        "account": "text",
        "amount": "currency",
        "date": "date",
        "dr_cr": "dr_cr",
        "paid": "boolean",
    }
    view = model.table_view()["datasets"][0]
    assert view["row_ids"] == ["A", "B"]
    assert view["cells"][1] == ["4010", "250.50", "2024-03-02", "CR", "No"]


def test_currency_cells_show_the_rows_currency() -> None:
    model = table(
        {"columns": [{"key": "amount", "label": "Amount", "type": "currency"}]},
        [{"id": 1, "amount": 1234.5, "currency": "EUR"}, {"id": 2, "amount": -3}],
    )
    assert model.table_view()["datasets"][0]["cells"] == [["EUR 1,234.50"], ["-3.00"]]


def test_an_edit_becomes_a_correction_and_approve_sends_correct() -> None:
    model = table({"allow_corrections": True}, ROWS)
    error, row_action = model.edit_by_id("B", "amount", "1,000.25")
    assert error is None and row_action is None
    assert model.corrections() == [
        {"line_item_id": "B", "field": "amount", "old_value": "250.50", "new_value": "1000.25"}
    ]
    decision = model.decide("approve", comment="fixed the amount")
    assert decision == {
        "action": "correct",
        "corrections": [
            {"line_item_id": "B", "field": "amount", "old_value": "250.50", "new_value": "1000.25"}
        ],
        "comment": "fixed the amount",
        "reviewer": "alice",
        "gate_id": "g1",
    }


def test_an_edit_is_shown_as_a_diff_and_can_be_undone() -> None:
    model = table({"allow_corrections": True}, ROWS)
    model.edit_by_id("A", "amount", "120")
    model.edit_by_id("A", "account", "4001")
    body = model.body_view()
    assert body["edits"]["rows"] == [[0, 1, "100.00", "120.00", None], [0, 0, "4000", "4001", None]]
    assert model.undo() is True
    assert [c["field"] for c in model.corrections()] == ["amount"]
    assert model.undo() is True
    assert model.corrections() == []
    assert model.undo() is False
    assert model.decide("approve")["action"] == "approve"


def test_typing_the_original_value_back_removes_the_correction() -> None:
    model = table({"allow_corrections": True}, ROWS)
    model.edit_by_id("A", "amount", "150")
    model.edit_by_id("A", "amount", "100.00")
    assert model.corrections() == []
    model.undo()
    assert model.corrections()[0]["new_value"] == "150.00"


def test_an_invalid_edit_keeps_the_text_shows_why_and_blocks_approval() -> None:
    model = table({"allow_corrections": True}, ROWS)
    error, _ = model.edit_by_id("A", "amount", "twelve")
    assert error == "'twelve' is not a number (type digits, e.g. 1234.50)"
    assert model.body_view()["edits"]["rows"][0][3:] == ["twelve", error]
    with pytest.raises(DecisionBlocked, match="1 edit"):
        model.decide("approve")
    assert model.lifecycle.status == "open"
    model.edit_by_id("A", "amount", "12")
    assert model.decide("approve")["corrections"][0]["new_value"] == "12.00"


def test_typed_values_follow_the_column_type() -> None:
    model = table({"allow_corrections": True}, ROWS)
    model.edit_by_id("A", "dr_cr", "credit")
    model.edit_by_id("A", "paid", "no")
    model.edit_by_id("A", "date", "2024-03-31")
    assert {c["field"]: c["new_value"] for c in model.corrections()} == {
        "dr_cr": "CR",
        "paid": False,
        "date": "2024-03-31",
    }
    assert (
        model.edit_by_id("B", "date", "31/03/2024")[0]
        == "'31/03/2024' is not a date (use YYYY-MM-DD)"
    )


def test_cells_cannot_be_edited_without_allow_corrections() -> None:
    model = table({}, ROWS)
    with pytest.raises(PermissionError, match="cannot be edited"):
        model.edit_by_id("A", "amount", "1")


def test_row_reject_sends_a_row_action_and_badges_the_row() -> None:
    model = table({"allow_corrections": True}, ROWS)
    model.edit_by_id("B", "amount", "1")
    intent = model.reject_row("rows", 1)
    assert intent == {
        "kind": "row_action",
        "gate_id": "g1",
        "reviewer": "alice",
        "payload": {"action": "reject_row", "row_id": "B"},
    }
    assert model.row_status("rows", 1) == "rejected"
    assert model.corrections() == []  # edits on a rejected row are not sent
    with pytest.raises(PermissionError, match="rejected"):
        model.edit("rows", 1, "amount", "5")


def test_live_cell_edits_are_sent_as_edit_cell_row_actions_when_configured() -> None:
    model = table({"allow_corrections": True, "send_cell_edits": True}, ROWS)
    _, intent = model.edit_by_id("A", "account", "4999")
    assert intent == {
        "kind": "row_action",
        "gate_id": "g1",
        "reviewer": "alice",
        "payload": {"action": "edit_cell", "row_id": "A", "field": "account", "value": "4999"},
    }


def test_low_confidence_cells_are_counted_and_ordered_first() -> None:
    model = panel_for_state(states.extraction_review(), reviewer="alice")
    assert isinstance(model, ExtractionReviewModel)
    low = model.low_confidence_cells()
    assert {(row, field) for _, row, field, _ in low} == {(1, "amount")}
    # L4's one score (71%) puts the line in doubt, not each of its five cells
    assert model.low_confidence_rows() == [("line_items", 3, 0.71)]
    assert model.body_view()["low_confidence"] == 2
    assert model.rows_by_confidence("line_items")[:2] == [1, 3]
    view = model.table_view()
    assert view["datasets"][0]["confidence_order"][:2] == [1, 3]
    assert [1, 2, 0.42] in view["datasets"][0]["low"]
    assert view["datasets"][0]["low"] == [[1, 2, 0.42]]
    assert view["datasets"][0]["low_rows"] == [[3, 0.71]]


def test_extraction_review_shows_source_fields_with_confidence_and_is_editable() -> None:
    model = panel_for_state(states.extraction_review(), reviewer="alice")
    assert isinstance(model, ExtractionReviewModel)
    fields = {f["key"]: f for f in model.table_view()["source_fields"]}
    assert fields["closing_balance"]["value"] == "48,210.55"
    assert fields["closing_balance"]["low"] is True
    assert fields["bank"]["low"] is False
    assert model.allow_corrections
    assert model.title == "Review extraction"


def test_payload_validation_errors_are_shown_on_their_cells() -> None:
    model = panel_for_state(states.extraction_review(), reviewer="alice")
    dataset = model.table_view()["datasets"][0]
    description = [c.key for c in model.dataset().columns].index("description")
    assert [3, description, "no matching invoice"] in dataset["errors"]
    assert dataset["status"]["3"] == "unmatched"


def test_validation_rules_block_approval_until_the_edits_fix_them() -> None:
    model = table(
        {
            "allow_corrections": True,
            "validation_rules": [
                {"type": "balanced", "debit": "debit", "credit": "credit"},
                {"type": "required", "field": "account"},
                {"type": "pattern", "field": "account", "pattern": "[0-9]{4}", "level": "warning"},
            ],
        },
        [
            {"id": "1", "account": "4000", "debit": 10, "credit": 0},
            {"id": "2", "account": "", "debit": 0, "credit": 9},
        ],
    )
    with pytest.raises(DecisionBlocked) as blocked:
        model.decide("approve")
    assert "differ by 1.00" in str(blocked.value)
    assert "Account is empty on line 2" in str(blocked.value)
    model.edit_by_id("2", "credit", "10")
    model.edit_by_id("2", "account", "ab")
    results = {r.rule: r for r in model.rule_results()}
    assert results["balanced"].ok and results["required"].ok
    assert not results["pattern"].ok and results["pattern"].level == "warning"
    assert model.body_view()["rule_cells"]["rows"] == [
        [1, 0, "Account must have the format [0-9]{4}: not on line 2", "warning"]
    ]
    assert model.decide("approve")["action"] == "correct"


def test_rules_it_cannot_read_are_reported_not_passed_silently() -> None:
    model = table({"validation_rules": [{"type": "astrology"}, 42, {"type": "range"}]}, ROWS)
    assert any("astrology" in p and "not understood" in p for p in model.problems)
    assert any("names no field" in p for p in model.problems)


def test_reject_needs_a_comment_and_sends_no_corrections() -> None:
    model = table({"allow_corrections": True}, ROWS)
    model.edit_by_id("A", "amount", "1")
    with pytest.raises(DecisionBlocked, match="say why"):
        model.decide("reject")
    decision = model.decide("reject", comment="  wrong statement  ")
    assert decision == {
        "action": "reject",
        "corrections": [],
        "comment": "wrong statement",
        "reviewer": "alice",
        "gate_id": "g1",
    }


def test_actions_follow_the_config_with_the_primary_first_in_tab_order() -> None:
    model = table(
        {
            "actions": [
                {"kind": "approve", "label": "Post it", "primary": True},
                {"kind": "reject", "label": "Send back"},
            ]
        },
        ROWS,
    )
    assert [(a.kind, a.label) for a in model.actions()] == [
        ("approve", "Post it"),
        ("reject", "Send back"),
    ]
    # A configured label is the button's own words; the default one names the act.
    assert [a["label"] for a in model.to_view()["actions"]] == ["Post it", "Send back"]
    default = table({"approve_label": "OK", "reject_label": "No"}, ROWS)
    assert [a.label for a in default.actions()] == ["OK", "No"]


def test_after_a_decision_the_table_is_read_only_and_a_refusal_keeps_the_edits() -> None:
    model = table({"allow_corrections": True}, ROWS)
    model.edit_by_id("A", "amount", "5")
    model.decide("approve")
    with pytest.raises(PermissionError):
        model.edit_by_id("A", "amount", "6")
    with pytest.raises(DecisionBlocked, match="being sent"):
        model.decide("approve")
    model.lifecycle.refuse("correction to row 'A' ... stale gate")
    assert model.to_view()["gate"]["error"] == "correction to row 'A' ... stale gate"
    assert model.corrections()[0]["new_value"] == "5.00"
    model.decide("approve")
    model.lifecycle.confirm()
    view = model.to_view()["gate"]
    assert view["status"] == "decided" and view["read_only"]
    assert view["decided"]["sentence"].startswith("Approved with corrections (1) by alice at ")


def test_datasets_become_tabs_and_a_missing_one_is_reported() -> None:
    model = panel_for_state(states.data_table(), reviewer="alice")
    assert [(d.key, d.label, len(d.rows)) for d in model.datasets] == [
        ("holdings", "Holdings", 3),
        ("cash", "Cash", 2),
    ]
    broken = table(
        {"datasets": [{"key": "x", "label": "Lines", "data_key": "lines"}]}, {"other": []}
    )
    assert "dataset 'Lines': the payload has no 'lines' rows" in broken.problems
    assert broken.table_view()["datasets"][0]["cells"] == []


def test_rows_without_ids_are_named_by_position_like_the_workflow_does() -> None:
    model = table({"allow_corrections": True}, [{"amount": 1}, {"amount": 2}])
    model.edit("rows", 1, "amount", "3")
    assert model.corrections()[0]["line_item_id"] == "1"
    assert any("no id" in p for p in model.problems)


def test_bad_values_render_as_text_and_are_flagged() -> None:
    model = panel_for_state(states.hostile(), reviewer="alice")
    assert isinstance(model, DataTableModel)
    view = model.table_view()
    first = view["datasets"][0]
    assert first["cells"][0][0].startswith("<img src=x")  # text, escaped by the front end
    assert first["cells"][0][1] == "twelve" and [0, 1] in first["bad"]
    assert first["cells"][0][2] == '{"nested": [1, 2]}'
    assert any("unknown type 'hologram'" in p for p in model.problems)
    assert any("'Amount': 1 value(s) are not numbers" in p for p in model.problems)


def test_a_plain_table_hint_keyed_by_type_works() -> None:
    hint = resolve_hint({"type": "data_table", "allow_corrections": True})
    model = DataTableModel(hint, ROWS, gate=GateInfo(gate_id="g"), reviewer="r")
    assert model.allow_corrections and len(model.datasets[0].rows) == 2


def test_ten_thousand_rows_build_quickly() -> None:
    import time

    started = time.perf_counter()
    model = panel_for_state(states.data_table(rows=10_000), reviewer="alice")
    view = model.table_view()
    elapsed = time.perf_counter() - started
    assert len(view["datasets"][0]["cells"]) == 10_000
    assert elapsed < 5
