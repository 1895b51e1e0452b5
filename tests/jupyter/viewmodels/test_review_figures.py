"""The figures of the accountant's review (issue 18), without a browser: amounts typed in every
spelling an accountant uses, totals per currency, rules in the reviewer's words, the runbook's
checks first, account names that follow a corrected code, and each figure at its precision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ntro_jupyter.viewmodels import DataTableModel, NavSignoffModel, panel_for_state
from ntro_jupyter.viewmodels._rules import RuleRow, check_rules
from ntro_jupyter.viewmodels._values import coerce_input, parse_amount_input
from tests.jupyter import review_states

ACCEPTED = [
    ("185.50", Decimal("185.50")),
    ("USD 185.50", Decimal("185.50")),
    ("185.50 USD", Decimal("185.50")),
    ("usd 185.50", Decimal("185.50")),
    ("$185.50", Decimal("185.50")),
    ("1,234.56", Decimal("1234.56")),
    ("1,234", Decimal("1234.00")),
    ("185", Decimal("185.00")),
    ("(12.00)", Decimal("-12.00")),
    ("-3", Decimal("-3.00")),
    ("USD -5", Decimal("-5.00")),
]
REFUSED = [
    ("1.234,56", "can be read two ways", "type 1234.56"),
    ("1 234,56", "can be read two ways", "type 1234.56"),
    ("12,5", "can be read two ways", "type 12.5"),
    ("1.234.567", "can be read two ways", "type 1234567"),
    ("€12", "is in EUR, but this column is in USD", "without a currency mark"),
    ("EUR 12", "is in EUR, but this column is in USD", "without a currency mark"),
    ("12.345", "USD amounts have 2 decimals", "'12.345' has 3"),
    ("twelve", "is not a number", "1234.50"),
    ("1e5", "is not a number", "1234.50"),
]


@pytest.mark.parametrize(("typed", "amount"), ACCEPTED)
def test_an_amount_typed_in_a_usd_column_is_read_exactly(typed: str, amount: Decimal) -> None:
    assert parse_amount_input(typed, currency="USD", places=2) == (amount, None)


@pytest.mark.parametrize(("typed", "problem", "advice"), REFUSED)
def test_an_ambiguous_or_foreign_amount_is_refused_with_what_to_type(
    typed: str, problem: str, advice: str
) -> None:
    amount, message = parse_amount_input(typed, currency="USD", places=2)
    assert amount is None
    assert problem in message and advice in message
    assert repr(typed) in message  # the message names what was typed


def test_precision_follows_the_currency_or_the_column() -> None:
    assert parse_amount_input("1000", currency="JPY", places=0) == (Decimal("1000"), None)
    assert "JPY amounts have 0 decimals" in parse_amount_input("12.5", currency="JPY", places=0)[1]
    assert parse_amount_input("123.8985", places=4) == (Decimal("123.8985"), None)
    # three decimals make "1,234" a possible decimal comma: refused, not guessed
    assert parse_amount_input("1,234", places=4)[0] is None


def test_the_intent_carries_a_decimal_string_never_a_float() -> None:
    value, error = coerce_input("USD 1,205", "currency", 1250.0, currency="USD")
    assert (value, error) == ("1205.00", None)
    value, _ = coerce_input("0.1", "number", 0.3)
    assert value == "0.1" and isinstance(value, str)


def bank() -> DataTableModel:
    model = panel_for_state(review_states.bank_review(), reviewer="ana@acme.example")
    assert isinstance(model, DataTableModel)
    return model


def test_a_bank_amount_correction_is_exact_from_the_editor_to_the_decision() -> None:
    model = bank()
    assert model.edit("lines", 5, "amount", "USD 185.50")[0] is None
    error, _ = model.edit("lines", 4, "amount", "1.234,56")
    assert error is not None and "type 1234.56" in error
    assert model.edit("lines", 4, "amount", "12.345")[0].startswith("USD amounts have 2 decimals")
    model.undo()
    model.undo()
    edits = model.body_view()["edits"]["lines"]
    assert edits == [[5, 5, "185.00", "185.50", None]]  # the heading says USD
    decision = model.decide("approve")
    assert decision["corrections"] == [
        {"line_item_id": "L6", "field": "amount", "old_value": "185.00", "new_value": "185.50"}
    ]


def test_the_diff_shows_every_decimal_a_value_has() -> None:
    state = review_states.bank_review()
    state["pending_action"]["payload"]["lines"][0]["amount"] = "247000.125"
    model = panel_for_state(state, reviewer="ana")
    assert model.table_view()["datasets"][0]["cells"][0][5] == "247,000.125"
    model.edit("lines", 0, "amount", "247000.12")
    assert model.body_view()["edits"]["lines"][0][2:4] == ["247,000.125", "247,000.12"]


def test_totals_per_currency_and_side_follow_edits_and_rejects() -> None:
    model = bank()
    assert model.totals("lines") == [
        {
            "label": "Total DR",
            "currency": "USD",
            "side": "DR",
            "cells": {"5": "290,740.55", "6": "DR"},
        },
        {
            "label": "Total CR",
            "currency": "USD",
            "side": "CR",
            "cells": {"5": "1,183,685.00", "6": "CR"},
        },
    ]
    model.edit("lines", 5, "amount", "200")  # L6, a CR of 185.00
    model.reject_row("lines", 0)  # L1, a DR of 247,000.00
    totals = {t["label"]: t["cells"]["5"] for t in model.totals("lines")}
    assert totals == {"Total DR": "43,740.55", "Total CR": "1,183,700.00"}
    assert model.body_view()["rejected_rows"][0]["row_id"] == "L1"


def test_several_currencies_are_totalled_apart_and_prices_are_not_summed() -> None:
    from tests.jupyter import states

    model = panel_for_state(states.data_table(), reviewer="alice")
    totals = model.totals("holdings")
    columns = [c.key for c in model.dataset("holdings").columns]
    market = str(columns.index("market_value"))
    assert [(t["label"], t["cells"][market]) for t in totals] == [
        ("Total GBP", "GBP 16,530.00"),
        ("Total USD", "USD 101,250.00"),
    ]
    assert all(str(columns.index("price")) not in t["cells"] for t in totals)
    cash = model.table_view()["datasets"][1]["columns"]
    assert [c["heading"] for c in cash if c["key"] == "balance"] == ["Balance (USD)"]


def test_the_runbooks_checks_come_first_with_their_figures() -> None:
    view = bank().to_view()
    shown = [(c["name"], c["status"], c["message"]) for c in view["checks"]]
    # the runbook's own verdicts, then its quality checks (checks_spec) with their figures
    assert shown == [
        ("dated", "pass", "every line has a date"),
        ("accounts", "warn", "lines in suspense (9999): L1, L3; choose their accounts"),
        (
            "Closing = opening + movements",
            "pass",
            "opening 1,250,000.00 + movements -892,944.45 = closing 357,055.55",
        ),
        ("No duplicate references", "pass", "no duplicate reference"),
    ]


def test_rules_speak_in_column_labels_and_real_ranges() -> None:
    messages = [r["message"] for r in bank().body_view()["rules"]]
    assert messages[:4] == [
        "Account is filled in on every line",
        "Amount is at least 0 on every line (now 185 to 1,000,000)",
        "Dr/Cr is DR or CR on every line",
        "Date is filled in on every line",
    ]
    rows = [
        RuleRow("d", 0, "L1", {"amount": "-5", "side": "X", "ref": "A"}),
        RuleRow("d", 1, "L2", {"amount": "50", "side": "DR", "ref": "A"}),
    ]
    rules = [
        {"type": "range", "field": "amount", "min": 0, "max": 10},
        {"type": "one_of", "field": "side", "values": ["DR", "CR"]},
        {"type": "unique", "field": "ref"},
        {"type": "pattern", "field": "ref", "pattern": "[0-9]+", "describe": "digits only"},
    ]
    results, problems = check_rules(rules, rows, labels={"amount": "Amount", "side": "Dr/Cr"})
    assert problems == []
    assert [r.message for r in results] == [
        "Amount must be between 0 and 10: not on lines L1, L2 (now -5 to 50)",
        "Dr/Cr must be DR or CR: not on line L1",
        "ref must differ on every line: lines L1, L2 repeat one",
        "ref must have digits only: not on lines L1, L2",
    ]


def test_a_corrected_account_code_brings_its_name_from_the_chart() -> None:
    model = bank()
    view = model.table_view()["datasets"][0]
    assert view["lookup"]["from"] == 3 and view["lookup"]["to"] == 4
    assert view["lookup"]["names"]["3100"] == "Subscriptions"
    model.edit("lines", 0, "account_code", "3100")
    model.edit("lines", 2, "account_code", "31")
    edits = model.body_view()["edits"]["lines"]
    assert [0, 4, "Suspense", "Subscriptions", None, "derived"] in edits
    assert [2, 4, "Suspense", "not in the chart of accounts", None, "derived"] in edits
    # the workflow names the account itself: no correction is sent for the name
    assert [c["field"] for c in model.corrections()] == ["account_code", "account_code"]


def test_flags_say_why_and_a_line_score_does_not_colour_each_cell() -> None:
    from tests.jupyter import states

    model = panel_for_state(states.extraction_review(), reviewer="alice")
    view = model.table_view()["datasets"][0]
    reasons = [(r, c, why) for r, c, why in view["flags"]]
    assert (1, 2, "read with 42% confidence") in reasons
    assert (3, -1, "line read with 71% confidence") in reasons
    assert (3, 1, "no matching invoice") in reasons
    assert view["low"] == [[1, 2, 0.42]] and view["low_rows"] == [[3, 0.71]]


def test_the_document_tab_formats_figures_and_keeps_text() -> None:
    cells = dict(bank().table_view()["datasets"][1]["cells"])
    assert cells["Opening balance"] == "USD 1,250,000.00"
    assert cells["Account number"] == "GB29 NWBK 6016 1331 9268 19"
    assert cells["Period end"] == "2026-01-31"


def test_nav_figures_keep_their_precision_and_units_are_not_money() -> None:
    model = panel_for_state(review_states.nav_signoff(), reviewer="ana")
    assert isinstance(model, NavSignoffModel)
    figures = {f["label"]: f for f in model.body_view()["figures"]}
    assert figures["NAV per unit"]["current"] == "123.8985"
    assert figures["NAV per unit"]["movement"] == "+0.3985"
    assert figures["Units in issue"]["current"] == "401,000.000 units"
    assert figures["Units in issue"]["unit"] == "units"
    assert figures["Net asset value"]["current"] == "49,683,305.55"
    state = review_states.nav_signoff()
    state["pending_action"]["payload"]["figures"][7]["decimals"] = 6
    model = panel_for_state(state, reviewer="ana")
    assert model.body_view()["figures"][7]["current"] == "123.898500"


def test_signed_amounts_are_not_mixed_with_dr_cr() -> None:
    model = bank()
    error, _ = model.edit("lines", 5, "amount", "-185.50")
    assert error == (
        "'-185.50' has a sign, but amounts beside Dr/Cr have none (Dr/Cr gives the side): "
        "type 185.50 and set Dr/Cr"
    )
    from tests.jupyter import states

    view = panel_for_state(states.extraction_review(), reviewer="alice").table_view()
    signed = [(r, c) for r, c, why in view["datasets"][0]["flags"] if "signed amount" in why]
    assert signed == [(0, 2), (2, 2), (3, 2)]  # L1, L3 and L4 are negative and say DR


def test_source_fields_show_figures_grouped() -> None:
    from tests.jupyter import states

    state = states.extraction_review()
    state["pending_action"]["payload"]["fields"]["closing_balance"] = "1250000.00"
    fields = {f["key"]: f["value"] for f in panel_for_state(state).source_fields()}
    assert fields["closing_balance"] == "1,250,000.00"
    assert fields["account"] == "****4821"
