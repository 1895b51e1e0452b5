"""Checks on journals and trial balances that return what is wrong, for a review gate to show."""

from __future__ import annotations

from ntro.accounting.models import ChartOfAccounts, JournalProposal, TrialBalance, UnbalancedError

__all__ = ["journal_problems", "trial_balance_problems"]


def journal_problems(proposal: JournalProposal, chart: ChartOfAccounts | None = None) -> list[str]:
    """Why ``proposal`` cannot be posted (empty when it can): balance, lines, accounts."""
    problems: list[str] = []
    if not proposal.lines:
        problems.append("the journal has no lines")
    if proposal.total_debit != proposal.total_credit:
        problems.append(
            f"debits {proposal.total_debit:,.2f} and credits {proposal.total_credit:,.2f} differ "
            f"by {proposal.total_debit - proposal.total_credit:,.2f}"
        )
    for index, line in enumerate(proposal.lines, start=1):
        if line.debit and line.credit:
            problems.append(f"line {index} ({line.account_code}) has both a debit and a credit")
        if line.debit < 0 or line.credit < 0:
            problems.append(f"line {index} ({line.account_code}) has a negative amount")
    if chart is not None:
        unknown = chart.unknown_codes(line.account_code for line in proposal.lines)
        if unknown:
            problems.append(f"account(s) not in the chart: {', '.join(unknown)}")
    return problems


def trial_balance_problems(
    balance: TrialBalance, *, period: str | None = None, chart: ChartOfAccounts | None = None
) -> list[str]:
    """Why ``balance`` cannot be accepted: it does not balance, is for another period, or names
    accounts outside ``chart``."""
    problems: list[str] = []
    try:
        balance.assert_balanced()
    except UnbalancedError as err:
        problems.append(str(err))
    if period is not None and balance.period != period:
        problems.append(f"trial balance is for period {balance.period!r}, expected {period!r}")
    if chart is not None:
        unknown = chart.unknown_codes(line.account_code for line in balance.lines)
        if unknown:
            problems.append(f"account(s) not in the chart: {', '.join(unknown)}")
    return problems
