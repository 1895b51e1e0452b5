"""The NAV statement: the trial balance after the approved journals, summed into the figures a
fund reports, each next to the prior period's.

Units: subscriptions and redemptions of the month deal at the prior NAV per unit (monthly
dealing), so units in issue move by their amounts divided by that price. Pure and
deterministic: it runs inside the workflow.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .accounts import CASH, INVESTMENTS, REDEMPTIONS, SUBSCRIPTIONS, account_class, money
from .models import Journal, LedgerLine, NavFigure, NavStatement, PriorNav

FIGURES: tuple[tuple[str, str], ...] = (
    ("cash", "Cash at bank"),
    ("investments", "Investments at fair value"),
    ("other_assets", "Other assets"),
    ("total_assets", "Total assets"),
    ("total_liabilities", "Total liabilities"),
    ("nav", "Net asset value"),
    ("units_in_issue", "Units in issue"),
    ("nav_per_unit", "NAV per unit"),
)


def adjusted_balances(
    trial_balance: list[LedgerLine], journals: list[Journal]
) -> dict[str, Decimal]:
    """Each account's balance (debit positive) after the journals."""
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for line in trial_balance:
        balances[line.account_code] += line.signed
    for journal in journals:
        for posting in journal.lines:
            balances[posting.account] += posting.debit - posting.credit
    return dict(balances)


def compute_nav(
    trial_balance: list[LedgerLine],
    journals: list[Journal],
    prior: PriorNav | None,
    currency: str,
    period: str,
    prior_period: str,
) -> NavStatement:
    """The figures this period and the prior period's, from the adjusted trial balance."""
    balances = adjusted_balances(trial_balance, journals)
    assets = {code: value for code, value in balances.items() if account_class(code) == "asset"}
    liabilities = -sum(
        (v for c, v in balances.items() if account_class(c) == "liability"), Decimal(0)
    )
    total_assets = sum(assets.values(), Decimal(0))
    current: dict[str, Decimal | None] = {
        "cash": balances.get(CASH, Decimal(0)),
        "investments": balances.get(INVESTMENTS, Decimal(0)),
        "other_assets": total_assets
        - balances.get(CASH, Decimal(0))
        - balances.get(INVESTMENTS, Decimal(0)),
        "total_assets": total_assets,
        "total_liabilities": liabilities,
        "nav": total_assets - liabilities,
    }
    current = {k: money(v) if v is not None else None for k, v in current.items()}
    previous = dict(prior.figures) if prior else {}
    units = _units(previous, balances)
    current["units_in_issue"] = units
    nav = current["nav"]
    current["nav_per_unit"] = (
        (nav / units).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if units and nav is not None
        else None
    )
    return NavStatement(
        period=period,
        prior_period=prior_period,
        currency=currency,
        figures=[
            NavFigure(key=key, label=label, current=current.get(key), prior=previous.get(key))
            for key, label in FIGURES
        ],
    )


def _units(previous: dict[str, Decimal], balances: dict[str, Decimal]) -> Decimal | None:
    units = previous.get("units_in_issue")
    price = previous.get("nav_per_unit")
    if units is None:
        return None
    if not price:
        return units
    issued = -balances.get(SUBSCRIPTIONS, Decimal(0)) / price  # subscriptions are credits
    redeemed = balances.get(REDEMPTIONS, Decimal(0)) / price  # redemptions are debits
    return (units + issued - redeemed).quantize(Decimal("0.001"), ROUND_HALF_UP)
