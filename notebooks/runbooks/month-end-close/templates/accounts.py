"""The fund's accounts as the close uses them: which are cash, assets, liabilities, capital,
and the accounts its journals post to.

Why a module of its own: the trial-balance check, the journals and the NAV all classify accounts
the same way, and a fund with another chart changes it here only. Pure data and functions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

CASH = "1000"
INVESTMENTS = "1200"
ACCRUED_MANAGEMENT_FEES = "2100"
ACCRUED_EXPENSES = "2200"
SUBSCRIPTIONS = "3100"
REDEMPTIONS = "3200"
INTEREST_INCOME = "4100"
BANK_CHARGES = "6100"
MANAGEMENT_FEES = "6200"
AUDIT_FEES = "6300"
SUSPENSE = "9999"

NAMES: dict[str, str] = {
    CASH: "Cash at bank",
    INVESTMENTS: "Investments at fair value",
    "1300": "Other receivables",
    ACCRUED_MANAGEMENT_FEES: "Accrued management fees",
    ACCRUED_EXPENSES: "Accrued expenses",
    "3000": "Capital - opening",
    SUBSCRIPTIONS: "Subscriptions",
    REDEMPTIONS: "Redemptions",
    INTEREST_INCOME: "Interest income",
    "4200": "Dividend income",
    "4300": "Unrealised gains on investments",
    BANK_CHARGES: "Bank charges",
    MANAGEMENT_FEES: "Management fees",
    AUDIT_FEES: "Audit fees",
    SUSPENSE: "Suspense",
}

BANK_ORIGINATED = (BANK_CHARGES, INTEREST_INCOME)
"""Accounts whose items the fund first learns of from the bank statement: the administrator's
trial balance does not have them yet, so the close proposes a journal for each."""

AccountClass = Literal["asset", "liability", "capital", "income", "expense", "suspense", "unknown"]


def account_class(code: str) -> AccountClass:
    """By the first digit of the code: 1 assets, 2 liabilities, 3 capital, 4-5 income,
    6-8 expenses, 9 suspense."""
    first = code.strip()[:1]
    classes: dict[str, AccountClass] = {
        "1": "asset",
        "2": "liability",
        "3": "capital",
        "4": "income",
        "5": "income",
        "6": "expense",
        "7": "expense",
        "8": "expense",
        "9": "suspense",
    }
    return classes.get(first, "unknown")


def account_name(code: str) -> str:
    return NAMES.get(code.strip(), f"Account {code.strip()}")


def money(value: Decimal) -> Decimal:
    """Rounded to the cent."""
    return value.quantize(Decimal("0.01"))
