"""Accounting in pure Python: trial balances, charts of accounts, journals and their checks.

Importable with no optional extra (``ntro.accounting.models``, ``ntro.accounting.validation``,
``ntro.accounting.proposal``).
"""

from ntro.accounting.models import (
    Account,
    ChartOfAccounts,
    JournalLine,
    JournalProposal,
    PeriodMismatchError,
    TrialBalance,
    TrialBalanceLine,
    UnbalancedError,
)
from ntro.accounting.proposal import propose_allocation_journal
from ntro.accounting.validation import journal_problems, trial_balance_problems

__all__ = [
    "Account",
    "ChartOfAccounts",
    "JournalLine",
    "JournalProposal",
    "PeriodMismatchError",
    "TrialBalance",
    "TrialBalanceLine",
    "UnbalancedError",
    "journal_problems",
    "propose_allocation_journal",
    "trial_balance_problems",
]
