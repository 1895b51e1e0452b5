"""Checking the trial balance: do its debits equal its credits, and does its cash agree with the
bank statement once the items only the bank knows about (charges, interest) are added?

Pure and deterministic, so it runs inside the workflow: a replay recomputes the same check.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .accounts import BANK_ORIGINATED, CASH, SUSPENSE, money
from .models import IngestedDocument, TrialBalanceCheck


def read_decimal(text: str | None) -> Decimal | None:
    """A header value such as ``"357055.55"`` or ``"1,250,000.00"`` as a Decimal, else None."""
    if text is None:
        return None
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check_trial_balance(
    trial_balance: IngestedDocument, bank: IngestedDocument | None
) -> TrialBalanceCheck:
    """The check, with one plain sentence per issue found (none when all is well)."""
    total_debit = sum(
        (line.amount for line in trial_balance.lines if line.dr_cr == "DR"), Decimal(0)
    )
    total_credit = sum(
        (line.amount for line in trial_balance.lines if line.dr_cr == "CR"), Decimal(0)
    )
    difference = money(total_debit - total_credit)
    cash = sum(
        (line.signed for line in trial_balance.lines if line.account_code == CASH), Decimal(0)
    )
    issues: list[str] = []
    if difference:
        issues.append(
            f"the trial balance does not balance: debits {money(total_debit):,} and credits "
            f"{money(total_credit):,} differ by {difference:,}; have the administrator correct it, "
            f"or continue and the NAV is computed from the balance-sheet accounts as they are"
        )
    closing = read_decimal(bank.header.get("closing_balance")) if bank is not None else None
    bank_items = [
        line for line in (bank.lines if bank else []) if line.account_code in BANK_ORIGINATED
    ]
    suspense = [
        line.line_item_id for line in (bank.lines if bank else []) if line.account_code == SUSPENSE
    ]
    unreconciled: Decimal | None = None
    if bank is None:
        issues.append("no bank statement: cash cannot be reconciled")
    elif closing is None:
        issues.append("the bank statement's closing balance is unknown: cash cannot be reconciled")
    else:
        expected = cash + sum((line.signed for line in bank_items), Decimal(0))
        unreconciled = money(closing - expected)
        if unreconciled:
            issues.append(
                f"cash does not reconcile: bank closing balance {money(closing):,} less cash per "
                f"trial balance {money(cash):,} and bank-only items leaves {unreconciled:,} unexplained"
            )
    if suspense:
        issues.append(f"bank lines still in suspense: {', '.join(suspense)}")
    return TrialBalanceCheck(
        total_debit=money(total_debit),
        total_credit=money(total_credit),
        difference=difference,
        cash_per_trial_balance=money(cash),
        bank_closing_balance=closing,
        bank_only_items=bank_items,
        unreconciled_cash=unreconciled,
        suspense_lines=suspense,
        issues=issues,
    )
