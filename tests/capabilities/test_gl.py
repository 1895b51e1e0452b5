"""The local general ledger: bills and journals posted once per external_id, in PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ntro.capabilities import gl
from ntro.capabilities.gl.errors import IdempotencyConflictError, ValidationFailedError


def bill(amount: str = "100.00", supplier: str = "Audit & Co") -> dict:
    return {
        "vendor": supplier,
        "date": "2026-01-31",
        "currency": "GBP",
        "reference": "INV-1",
        "lines": [
            {
                "description": "Audit fee",
                "account_code": "6300",
                "amount": amount,
                "tax_amount": "20.00",
            }
        ],
    }


def journal(debit: str = "500", credit: str = "500") -> gl.JournalProposal:
    return gl.JournalProposal(
        entity_id="fund-a",
        date="2026-01-31",
        description="Accrue management fee",
        lines=[
            gl.JournalLine(account_code="6200", debit=debit),
            gl.JournalLine(account_code="2100", credit=credit),
        ],
    )


async def test_a_bill_posts_once_per_external_id_and_is_stored_with_its_lines(with_tenant) -> None:
    ledger = await gl.for_entity("fund-a")
    first = await ledger.bills.create(bill(), external_id="bill-1")
    again = await ledger.bills.create(bill(), external_id="bill-1")
    assert first.created and not again.created
    assert again.id == first.id and first.total == Decimal("120.00")
    rows = await with_tenant.fetch(
        "SELECT b.supplier, l.account_code, l.amount FROM gl.bills b "
        "JOIN gl.bill_lines l ON l.bill_id = b.id WHERE b.external_id = 'bill-1'"
    )
    assert [(r["supplier"], r["account_code"], r["amount"]) for r in rows] == [
        ("Audit & Co", "6300", Decimal("100.00"))
    ]
    assert await ledger.bills.count() == 1


async def test_a_different_body_under_a_used_external_id_is_a_conflict(with_tenant) -> None:
    ledger = await gl.for_entity("fund-a")
    await ledger.bills.create(bill(), external_id="bill-1")
    with pytest.raises(IdempotencyConflictError, match="bill-1.*different body"):
        await ledger.bills.create(bill(amount="999.00"), external_id="bill-1")
    stored = await ledger.bills.get("bill-1")
    assert stored is not None and stored["total"] == Decimal("120.00")


async def test_entities_have_separate_ledgers(with_tenant) -> None:
    a, b = await gl.for_entity("fund-a"), await gl.for_entity("fund-b")
    await a.bills.create(bill(), external_id="same-key")
    posted = await b.bills.create(bill(amount="5.00"), external_id="same-key")
    assert posted.created


async def test_a_balanced_journal_posts_and_an_unbalanced_one_posts_nothing(with_tenant) -> None:
    ledger = await gl.for_entity("fund-a")
    posted = await ledger.journals.create(journal(), external_id="j-1")
    assert posted.created and posted.total == Decimal("500")
    with pytest.raises(
        ValidationFailedError, match="debits 500.00 and credits 400.00 differ by 100.00"
    ):
        await ledger.journals.create(journal(credit="400"), external_id="j-2")
    assert await ledger.journals.get("j-2") is None
    stored = await ledger.journals.get("j-1")
    assert [line["account_code"] for line in stored["lines"]] == ["6200", "2100"]


async def test_bad_proposals_are_refused_with_the_reason(with_tenant) -> None:
    ledger = await gl.for_entity("fund-a")
    with pytest.raises(ValidationFailedError, match="no lines"):
        await ledger.bills.create({**bill(), "lines": []}, external_id="b-empty")
    with pytest.raises(ValidationFailedError, match="external_id is empty"):
        await ledger.bills.create(bill(), external_id="")
    with pytest.raises(ValidationFailedError, match="supplier"):
        await ledger.bills.create({"date": "2026-01-31", "lines": []}, external_id="b-x")


async def test_an_unknown_provider_or_a_missing_api_address_says_what_to_set() -> None:
    with pytest.raises(gl.ConnectionError_, match="unknown GL provider 'xero'"):
        await gl.for_entity("e", tenant_config={"gl": {"provider": "xero"}})
    with pytest.raises(gl.ConnectionError_, match="NTRO_GL_API_URL"):
        await gl.for_entity("e", tenant_config={"gl": {"provider": "http"}})


def test_errors_are_temporal_errors_retryable_only_when_transient() -> None:
    assert gl.errors.TransientProviderError("x").non_retryable is False
    for cls in (ValidationFailedError, IdempotencyConflictError, gl.errors.ConnectionError_):
        assert cls("x").non_retryable is True
        assert issubclass(cls, gl.errors.ProviderError)
