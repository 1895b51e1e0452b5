"""ntro.subledger on a fresh tenant database: types, tables, inserts, the status machine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ntro import subledger
from ntro.data import PostgresDataPlane
from ntro.subledger import (
    IllegalTransitionError,
    Row,
    SubledgerStatus,
    TypeAlreadyRegisteredError,
    TypeNotRegisteredError,
    register_type,
    transition,
)
from ntro.subledger.proposals import proposals_for, propose
from ntro.subledger.review import DEFAULT_ACTIONS, columns_for, data_table_config, table_payload
from ntro.subledger.types.expenses import (
    ExpenseRow,
    canonicalize_tabular_expense_row,
    canonicalize_tabular_expense_rows,
)

SHEET = [
    {
        "Date": "05/03/2024",
        "Supplier": "Rail Co",
        "Gross": "£42.00",
        "VAT": "7.00",
        "Paid by": "Card",
    },
    {"date": "2024-03-06", "supplier": "Cafe", "gross": "12.5", "Category": "Meals"},
    {"Date": "someday", "Gross": "abc", "Currency": "EURO"},
]


def test_transitions_follow_the_machine():
    assert transition("PENDING", "APPROVED") is SubledgerStatus.APPROVED
    assert transition(SubledgerStatus.APPROVED, "posted") is SubledgerStatus.POSTED
    with pytest.raises(IllegalTransitionError, match="from POSTED to PENDING; POSTED is final"):
        transition("POSTED", "PENDING")
    with pytest.raises(IllegalTransitionError, match="from NEEDS_ATTENTION to APPROVED"):
        transition("NEEDS_ATTENTION", "APPROVED")
    with pytest.raises(ValueError, match="status 'DONE' is not a subledger status"):
        transition("DONE", "PENDING")


def test_type_registration_errors_name_the_type():
    with pytest.raises(TypeAlreadyRegisteredError, match="'expenses' is already registered by"):

        @register_type("expenses", owner_runbook="mine")
        class OtherExpenses(Row):
            pass

    with pytest.raises(TypeNotRegisteredError, match="no subledger type 'nope' is registered"):
        subledger.open(name="nope", entity_id="acme", task_id="t")
    with pytest.raises(ValueError, match="subledger name 'Bad Name'"):
        register_type("Bad Name")


def test_spreadsheet_rows_are_canonicalised_with_field_errors():
    canonical, errors = canonicalize_tabular_expense_row(SHEET[0])
    assert errors == []
    assert canonical == {
        "expense_date": "2024-03-05",
        "vendor": "Rail Co",
        "amount_gross": "42.00",
        "vat_amount": "7.00",
        "currency": "GBP",
        "payment_method": "Card",
    }
    good, bad = canonicalize_tabular_expense_rows(SHEET)
    assert [g["vendor"] for g in good] == ["Rail Co", "Cafe"]
    assert good[1]["category"] == "Meals" and good[1]["category_source"] == "submitted"
    [reject] = bad
    assert reject["index"] == 2
    fields = {e["field"]: e["message"] for e in reject["errors"]}
    assert fields["expense_date"] == "'someday' is not a date"
    assert fields["amount_gross"] == "gross amount 'abc' is not a number"
    assert "currency 'EURO'" in fields["currency"] and "supplier is missing" in fields["vendor"]


async def test_expense_rows_table_insert_query_and_idempotent_retry(tenant_db: PostgresDataPlane):
    columns = await tenant_db.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'ledgers' AND table_name = 'expenses'"
    )
    types = {c["column_name"]: c["data_type"] for c in columns}
    assert types["amount_gross"] == "numeric" and types["expense_date"] == "date"
    assert types["line_items"] == "jsonb" and types["status"] == "text"
    handle = subledger.open(name="expenses", entity_id="acme", task_id="t1", db=tenant_db)
    good, _ = canonicalize_tabular_expense_rows(SHEET)
    rows = [
        await handle.row(period="2024-03", source_ref=f"sheet:{i}", **g) for i, g in enumerate(good)
    ]
    ids = await handle.insert(rows)
    assert await handle.insert(rows) == ids  # a retried activity: same ids, no new rows
    assert await tenant_db.fetchval("SELECT count(*) FROM ledgers.expenses") == 2
    again = subledger.open(name="expenses", entity_id="acme", task_id="t1", db=tenant_db)
    rebuilt = await again.row(period="2024-03", source_ref="sheet:0", **good[0])
    assert rebuilt.id == ids[0]
    [cafe, rail] = sorted(await handle.query(SubledgerStatus.PENDING), key=lambda r: r.vendor)
    assert isinstance(rail, ExpenseRow) and rail.amount_gross == Decimal("42.00")
    assert str(rail.expense_date) == "2024-03-05" and rail.status is SubledgerStatus.PENDING
    other_task = subledger.open(name="expenses", entity_id="acme", task_id="t2", db=tenant_db)
    assert await other_task.query() == [] and len(await other_task.query(all_tasks=True)) == 2


async def test_status_changes_move_each_row_once_and_refuse_illegal_moves(
    tenant_db: PostgresDataPlane,
):
    handle = subledger.open(name="expenses", entity_id="acme", task_id="t1", db=tenant_db)
    ids = await handle.insert(
        [
            await handle.row(vendor=f"V{i}", amount_gross="10", expense_date="2024-03-01")
            for i in range(3)
        ]
    )
    attention = await handle.insert_needs_attention(
        period="2024-03",
        raw_payload={"Date": "someday", "Gross": "10"},
        validation_errors=[{"field": "expense_date", "message": "'someday' is not a date"}],
        source_ref="sheet:9",
        type_specific_fields={"expense_date": "someday", "amount_gross": "10", "vendor": "Cafe"},
    )
    assert await handle.mark_approved(ids=ids[:2]) == 2
    assert await handle.mark_approved(ids=ids[:2]) == 0  # retry: nothing moves twice
    before = {
        r["id"]: r["status"]
        for r in await tenant_db.fetch("SELECT id::text, status FROM ledgers.expenses")
    }
    with pytest.raises(IllegalTransitionError, match="from NEEDS_ATTENTION to APPROVED"):
        await handle.mark_approved(ids=[ids[2], attention])
    after = {
        r["id"]: r["status"]
        for r in await tenant_db.fetch("SELECT id::text, status FROM ledgers.expenses")
    }
    assert after == before  # nothing changed, not even the legal row
    [stuck] = await handle.query("NEEDS_ATTENTION")
    assert stuck.vendor == "Cafe" and stuck.expense_date is None
    assert stuck.validation_errors[0]["field"] == "expense_date"
    assert await handle.update(attention, expense_date="2024-03-07") == 1
    assert await handle.mark_pending(ids=[attention]) == 1
    with pytest.raises(ValueError, match="cannot update status of a expenses row"):
        await handle.update(attention, status="APPROVED")
    with pytest.raises(ValueError, match="amount_gross 'lots'"):
        await handle.update(attention, amount_gross="lots")
    assert await handle.mark_rejected(ids=[ids[2]]) == 1
    assert await handle.mark_posted(gl_external_ids={ids[0]: "JE-1"}) == 1
    assert await handle.mark_posted(gl_external_ids={ids[0]: "JE-1"}) == 0
    with pytest.raises(IllegalTransitionError, match="from PENDING to POSTED"):
        await handle.mark_posted(gl_external_ids={attention: "JE-2"})
    rows = {r.id: r for r in await handle.query()}
    assert (
        rows[ids[0]].status is SubledgerStatus.POSTED and rows[ids[0]].posted_journal_ref == "JE-1"
    )
    assert rows[ids[0]].posted_to_gl is True and rows[ids[1]].approved_at is not None
    assert rows[ids[2]].status is SubledgerStatus.REJECTED


async def test_gl_proposals_are_balanced_and_stored_once(tenant_db: PostgresDataPlane):
    handle = subledger.open(name="expenses", entity_id="acme", task_id="t1", db=tenant_db)
    good, _ = canonicalize_tabular_expense_rows(SHEET)
    await handle.insert(
        [await handle.row(period="2024-03", source_ref=f"s{i}", **g) for i, g in enumerate(good)]
    )
    rows = await handle.query()
    proposals = ExpenseRow.propose_for_gl(rows, task_id="t1")
    assert all(p.is_balanced for p in proposals)
    rail = next(p for p in proposals if "Rail" in p.description)
    assert [(x.account_code, str(x.debit), str(x.credit)) for x in rail.lines] == [
        ("6900", "35.00", "0"),
        ("2201", "7.00", "0"),
        ("2100", "0", "42.00"),
    ]
    assert (
        ExpenseRow.propose_for_gl(rows, task_id="t1")[0].idempotency_key
        == proposals[0].idempotency_key
    )
    first = await propose(
        proposals, entity_id="acme", task_id="t1", source_subledger="expenses", db=tenant_db
    )
    second = await propose(proposals, entity_id="acme", task_id="t1", db=tenant_db)
    assert first == second
    stored = await proposals_for(entity_id="acme", task_id="t1", db=tenant_db)
    assert len(stored) == 2 and {tuple(s.source_row_ids) for s in stored} == {(r.id,) for r in rows}


def test_review_table_config_from_the_row_class():
    hint = data_table_config(ExpenseRow, title="Review expenses")
    assert hint["component"] == "DATA_TABLE"
    config = hint["config"]
    keys = [c["key"] for c in config["columns"]]
    assert keys[:3] == ["event_id", "vendor", "amount_gross"] and "line_items" not in keys
    by_key = {c["key"]: c for c in config["columns"]}
    assert by_key["amount_gross"]["type"] == "currency" and by_key["amount_gross"]["editable"]
    assert by_key["expense_date"]["type"] == "date" and not by_key["approved_at"]["editable"]
    assert config["actions"] == DEFAULT_ACTIONS and config["allow_corrections"] is True
    picked = data_table_config(
        ExpenseRow,
        columns=["vendor", "amount_gross", "status"],
        editable_overrides={"vendor": False},
    )["config"]["columns"]
    assert [(c["key"], c["editable"]) for c in picked] == [
        ("vendor", False),
        ("amount_gross", True),
        ("status", False),
    ]
    with pytest.raises(ValueError, match="column 'colour' is not a field of ExpenseRow"):
        data_table_config(ExpenseRow, columns=["colour"])
    standard = [c["key"] for c in columns_for(ExpenseRow, include_standard=True)]
    assert "status" in standard and "raw_payload" not in standard
    row = ExpenseRow(entity_id="acme", vendor="Rail", amount_gross="1.50")
    assert table_payload([row])["rows"][0]["amount_gross"] == "1.50"
