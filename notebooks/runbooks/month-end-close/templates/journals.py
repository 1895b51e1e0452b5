"""The close's journals: what it proposes, and the reviewer's corrections applied to them.

Proposed, in this order:

- one journal per bank-only item (``J-BANK-<line>``): bank charges and interest the statement
  shows and the trial balance does not;
- the month's management fee accrual (``J-MGMT-FEE``): the prior NAV times the annual rate,
  over twelve;
- the audit fee accrual (``J-AUDIT-FEE``).

A line's id is ``<journal id>.<n>`` (1-based), so a reviewer names ``J-AUDIT-FEE.1``. Pure and
deterministic: it runs inside the workflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .accounts import (
    ACCRUED_EXPENSES,
    ACCRUED_MANAGEMENT_FEES,
    AUDIT_FEES,
    CASH,
    MANAGEMENT_FEES,
    NAMES,
    account_name,
    money,
)
from .models import (
    CloseContext,
    Journal,
    JournalCorrection,
    JournalLine,
    PriorNav,
    TrialBalanceCheck,
)

LINE_FIELDS = ("account", "account_name", "description", "debit", "credit")
JOURNAL_FIELDS = ("description",)


def _line(
    account: str, description: str, debit: Decimal = Decimal(0), credit: Decimal = Decimal(0)
) -> JournalLine:
    return JournalLine(
        account=account,
        account_name=account_name(account),
        description=description,
        debit=money(debit),
        credit=money(credit),
    )


def propose_journals(
    ctx: CloseContext, period_end: date, check: TrialBalanceCheck, prior_nav: PriorNav | None
) -> list[Journal]:
    """The journals the close asks the reviewer to approve."""
    journals: list[Journal] = []
    for item in check.bank_only_items:
        text = item.description or account_name(item.account_code)
        if item.dr_cr == "DR":  # money came in: debit cash
            lines = [
                _line(CASH, text, debit=item.amount),
                _line(item.account_code, text, credit=item.amount),
            ]
        else:
            lines = [
                _line(item.account_code, text, debit=item.amount),
                _line(CASH, text, credit=item.amount),
            ]
        journals.append(
            Journal(
                journal_id=f"J-BANK-{item.line_item_id}",
                date=item.date or period_end,
                description=f"{text} (per bank statement)",
                lines=lines,
            )
        )
    prior_value = prior_nav.figures.get("nav") if prior_nav else None
    if prior_value and ctx.management_fee_rate_pct:
        fee = money(prior_value * ctx.management_fee_rate_pct / Decimal(100) / Decimal(12))
        text = f"Management fee {ctx.period}: {ctx.management_fee_rate_pct}% a year on NAV {money(prior_value):,}"
        journals.append(
            Journal(
                journal_id="J-MGMT-FEE",
                date=period_end,
                description=text,
                lines=[
                    _line(MANAGEMENT_FEES, text, debit=fee),
                    _line(ACCRUED_MANAGEMENT_FEES, text, credit=fee),
                ],
            )
        )
    if ctx.audit_fee_accrual:
        text = f"Audit fee accrual {ctx.period}"
        journals.append(
            Journal(
                journal_id="J-AUDIT-FEE",
                date=period_end,
                description=text,
                lines=[
                    _line(AUDIT_FEES, text, debit=ctx.audit_fee_accrual),
                    _line(ACCRUED_EXPENSES, text, credit=ctx.audit_fee_accrual),
                ],
            )
        )
    return journals


def line_id(journal: Journal, index: int) -> str:
    return f"{journal.journal_id}.{index + 1}"


def unbalanced(journals: Iterable[Journal]) -> list[str]:
    """A sentence for each journal whose debits and credits differ."""
    return [
        f"{j.journal_id}: debits {money(j.debit):,} but credits {money(j.credit):,}"
        for j in journals
        if money(j.debit) != money(j.credit)
    ]


def _amount(value: Any) -> tuple[Decimal | None, str | None]:
    text = "" if value is None else str(value).replace(",", "").strip()
    if not text:
        return Decimal("0.00"), None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, f"{value!r} is not an amount"
    if not amount.is_finite() or amount < 0:
        return None, f"{value!r} must be zero or more"
    return money(amount), None


@dataclass
class JournalEdit:
    """Journals after the corrections that could be applied; why others could not."""

    journals: list[Journal]
    applied: list[JournalCorrection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def apply_journal_corrections(
    journals: list[Journal], corrections: Iterable[dict[str, Any]], dropped: Iterable[str] = ()
) -> JournalEdit:
    """Apply corrections (to ``J-X`` or ``J-X.n``) and drop rejected journals or lines."""
    work = [j.model_copy(deep=True) for j in journals]
    by_journal = {j.journal_id: j for j in work}
    by_line = {line_id(j, i): (j, i) for j in work for i in range(len(j.lines))}
    edit = JournalEdit(journals=work)
    for correction in corrections:
        row = str(correction.get("line_item_id") or "")
        name = str(correction.get("field") or "")
        value = correction.get("new_value")
        if row in by_journal:
            if name not in JOURNAL_FIELDS:
                edit.errors.append(
                    f"{row}: a journal's {name!r} cannot be corrected (correct its lines)"
                )
                continue
            old = getattr(by_journal[row], name)
            setattr(by_journal[row], name, str(value or "").strip() or old)
            edit.applied.append(
                JournalCorrection(
                    line_item_id=row,
                    field=name,
                    old_value=str(old),
                    new_value=getattr(by_journal[row], name),
                )
            )
            continue
        if row not in by_line:
            edit.errors.append(f"{row}: no such journal or line")
            continue
        journal, index = by_line[row]
        line = journal.lines[index]
        if name not in LINE_FIELDS:
            edit.errors.append(
                f"{row}: {name!r} cannot be corrected (correctable: {', '.join(LINE_FIELDS)})"
            )
            continue
        old_value = getattr(line, name)
        if name in ("debit", "credit"):
            amount, problem = _amount(value)
            if problem is not None:
                edit.errors.append(f"{row} {name}: {problem}")
                continue
            setattr(line, name, amount)
        else:
            text = str(value or "").strip()
            if not text:
                edit.errors.append(f"{row} {name}: cannot be empty")
                continue
            setattr(line, name, text)
            if name == "account" and text in NAMES:
                line.account_name = NAMES[text]
        edit.applied.append(
            JournalCorrection(
                line_item_id=row,
                field=name,
                old_value=str(old_value),
                new_value=str(getattr(line, name)),
            )
        )
    dropped_ids = set(dropped)
    kept: list[Journal] = []
    for journal in work:
        if journal.journal_id in dropped_ids:
            continue
        journal.lines = [
            line for i, line in enumerate(journal.lines) if line_id(journal, i) not in dropped_ids
        ]
        if journal.lines:
            kept.append(journal)
    edit.journals = kept
    return edit
