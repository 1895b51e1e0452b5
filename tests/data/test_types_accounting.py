"""ntro.types (Period, CurrencyCode, ForgivingDate) and ntro.accounting, with no database."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from ntro.accounting import (
    ChartOfAccounts,
    JournalLine,
    JournalProposal,
    PeriodMismatchError,
    TrialBalance,
    UnbalancedError,
    journal_problems,
    propose_allocation_journal,
    trial_balance_problems,
)
from ntro.types.accounting import Period
from ntro.types.currencies import CurrencyCode
from ntro.types.dates import ForgivingDate


class Claim(BaseModel):
    date: ForgivingDate = None
    currency: CurrencyCode = "GBP"
    period: Period | None = None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T10:30:00", date(2024, 3, 5)),
        ("05/03/2024", date(2024, 3, 5)),
        ("5-3-24", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("5 Mar 2024", date(2024, 3, 5)),
        ("5 March 2024", date(2024, 3, 5)),
        ("Mar 5, 2024", date(2024, 3, 5)),
        (45356, date(2024, 3, 5)),
        ("31/02/2024", None),
        ("next tuesday", None),
        ("", None),
        (None, None),
    ],
)
def test_forgiving_date_reads_iso_then_day_first(text: object, expected: date | None):
    assert Claim(date=text).date == expected


def test_currency_is_upper_cased_and_period_checked():
    claim = Claim(currency=" eur ", period="2024-02")
    assert (claim.currency, claim.period) == ("EUR", "2024-02")
    assert Claim().currency == "GBP" and Claim().period is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "EURO", "currency 'EURO' is not a three-letter currency code"),
        ("currency", "E1R", "currency 'E1R'"),
        ("period", "2024-13", "period '2024-13' is not a real month"),
        ("period", "2024-3", "period '2024-3' is not written YYYY-MM"),
        ("period", "March", "period 'March'"),
    ],
)
def test_invalid_period_or_currency_names_the_value(field: str, value: str, message: str):
    with pytest.raises(ValidationError) as info:
        Claim(**{field: value})
    assert message in str(info.value)


def test_allocation_journal_balances_to_the_cent():
    journal = propose_allocation_journal(
        amount="100.00",
        from_account="6000",
        allocations={"6100": 1, "6200": 1, "6300": 1},
        period="2024-03",
    )
    assert journal.is_balanced
    assert sorted(line.debit for line in journal.lines if line.debit) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    again = propose_allocation_journal(
        amount="100.00",
        from_account="6000",
        allocations={"6300": 1, "6200": 1, "6100": 1},
        period="2024-03",
    )
    assert len(journal.idempotency_key) == 32
    with pytest.raises(ValueError, match="add up to zero"):
        propose_allocation_journal(amount=1, from_account="1", allocations={"2": 0})
    assert again.total_credit == Decimal("100.00")


def test_trial_balance_from_extraction_and_its_checks():
    tb = TrialBalance.from_extraction(
        {
            "header": [{"key": "period", "value": "2024-03"}],
            "lines": [
                {"Account": "1000", "Name": "Bank", "Debit": "1,000.00"},
                {"code": "2000", "credit": 600},
                {"account_code": "3000", "balance": "(400.00)"},
            ],
        }
    )
    assert tb.period == "2024-03" and tb.total_debit == tb.total_credit == Decimal("1000.00")
    tb.assert_balanced()
    tb.assert_period_match("2024-03")
    with pytest.raises(PeriodMismatchError, match="'2024-03', expected '2024-04'"):
        tb.assert_period_match("2024-04")
    tb.lines[1].credit = Decimal("500")
    with pytest.raises(UnbalancedError, match="debits 1,000.00, credits 900.00, difference 100.00"):
        tb.assert_balanced()
    chart = ChartOfAccounts(accounts=[{"code": "1000", "name": "Bank", "type": "asset"}])
    problems = trial_balance_problems(tb, period="2024-04", chart=chart)
    assert len(problems) == 3 and "2000, 3000" in problems[2]


def test_journal_problems_name_what_is_wrong():
    journal = JournalProposal(
        lines=[
            JournalLine(account_code="6000", debit="10"),
            JournalLine(account_code="2100", credit="9"),
        ]
    )
    assert journal_problems(journal)[0].startswith("debits 10.00 and credits 9.00 differ by 1.00")


def test_accounting_and_types_import_without_optional_extras():
    code = (
        "import sys\n"
        "import ntro.accounting, ntro.accounting.models, ntro.accounting.validation\n"
        "import ntro.accounting.proposal, ntro.types.accounting, ntro.types.currencies\n"
        "import ntro.types.dates, ntro.subledger, ntro.ingest\n"
        "heavy = [m for m in ('asyncpg', 'ntro_jupyter', 'openpyxl', 'anywidget') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
