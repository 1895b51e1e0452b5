"""The ``expenses`` subledger: one row per expense claim or receipt.

``canonicalize_tabular_expense_row`` maps spreadsheet rows ("Date", "Supplier", "Gross",
"VAT", ...) onto :class:`ExpenseRow` fields with per-field errors, and
:meth:`ExpenseRow.propose_for_gl` turns approved rows into balanced journal proposals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from ntro.accounting.models import JournalLine, JournalProposal, to_decimal
from ntro.subledger._registry import register_type
from ntro.subledger._row import Row
from ntro.types.currencies import CurrencyCode, parse_currency_code
from ntro.types.dates import ForgivingDate, parse_forgiving_date

__all__ = [
    "CATEGORY_ACCOUNTS",
    "HEADER_ALIASES",
    "ExpenseRow",
    "canonicalize_tabular_expense_row",
    "canonicalize_tabular_expense_rows",
    "map_expense_headings",
]

#: spreadsheet headings (normalised: lower case, letters and digits) -> ExpenseRow field
HEADER_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ["date", "expense date", "transaction date", "txn date", "receipt date", "spent on"],
        "expense_date",
    ),
    **dict.fromkeys(["supplier", "vendor", "merchant", "payee", "shop", "store"], "vendor"),
    **dict.fromkeys(
        ["gross", "amount", "total", "gross amount", "amount gross", "total amount", "value"],
        "amount_gross",
    ),
    **dict.fromkeys(["vat", "tax", "vat amount", "sales tax", "gst"], "vat_amount"),
    **dict.fromkeys(["currency", "ccy", "cur", "currency code"], "currency"),
    **dict.fromkeys(
        ["payment method", "paid by", "payment", "method", "paid with"], "payment_method"
    ),
    **dict.fromkeys(["category", "expense type", "type", "account", "nominal"], "category"),
    **dict.fromkeys(["notes", "note", "memo", "comment", "description", "details"], "notes"),
    **dict.fromkeys(
        ["id", "reference", "ref", "receipt", "receipt no", "receipt number", "event id"],
        "event_id",
    ),
}

#: expense category -> general-ledger account code (anything else: 6900 sundry expenses)
CATEGORY_ACCOUNTS: dict[str, str] = {
    "travel": "6100",
    "meals": "6110",
    "subsistence": "6110",
    "office": "6200",
    "software": "6210",
    "subscriptions": "6210",
    "telephone": "6220",
    "training": "6300",
}
_SUNDRY = "6900"
_VAT_INPUT = "2201"
_PAYMENT_ACCOUNTS = {"card": "2100", "cash": "1010", "bank": "1000", "personal": "2300"}


def _payment_account(method: str | None) -> str:
    text = (method or "personal").lower()
    if "card" in text and "personal" not in text:
        return _PAYMENT_ACCOUNTS["card"]
    if "cash" in text:
        return _PAYMENT_ACCOUNTS["cash"]
    if "bank" in text or "transfer" in text:
        return _PAYMENT_ACCOUNTS["bank"]
    return _PAYMENT_ACCOUNTS["personal"]


@register_type("expenses")
class ExpenseRow(Row):
    """An expense: who was paid, how much (gross, VAT), when, how, and how it is classified."""

    event_id: str | None = None
    vendor: str | None = None
    amount_gross: Decimal | None = None
    currency: CurrencyCode = "GBP"
    expense_date: ForgivingDate = None
    payment_method: str | None = None
    line_items: list[dict[str, Any]] = Field(default_factory=list)
    vat_amount: Decimal | None = None
    notes: str | None = None
    category: str | None = None
    category_source: str | None = None
    confidence: float | None = None
    approved_at: datetime | None = None
    posted_to_gl: bool = False
    posted_journal_ref: str | None = None

    @classmethod
    def propose_for_gl(
        cls,
        rows: Iterable[ExpenseRow],
        *,
        task_id: str | None = None,
        category_accounts: Mapping[str, str] | None = None,
    ) -> list[JournalProposal]:
        """One balanced journal per row: debit the expense (net) and input VAT, credit how it
        was paid (card 2100, cash 1010, bank 1000, else employee reimbursements 2300).

        Each proposal names its ``source_row_ids``; its ``idempotency_key`` depends on the
        task, row and amounts only, so proposing the same rows again gives the same keys.
        """
        accounts = {**CATEGORY_ACCOUNTS, **(category_accounts or {})}
        proposals = []
        for row in rows:
            gross = row.amount_gross or Decimal(0)
            vat = row.vat_amount or Decimal(0)
            account = accounts.get((row.category or "").strip().lower(), _SUNDRY)
            text = f"{row.vendor or 'Expense'}" + (
                f" {row.expense_date}" if row.expense_date else ""
            )
            lines = [JournalLine(account_code=account, debit=gross - vat, description=text)]
            if vat:
                lines.append(
                    JournalLine(account_code=_VAT_INPUT, debit=vat, description=f"VAT {text}")
                )
            lines.append(
                JournalLine(
                    account_code=_payment_account(row.payment_method),
                    credit=gross,
                    description=text,
                )
            )
            proposal = JournalProposal(
                entity_id=row.entity_id,
                period=row.period,
                date=row.expense_date.isoformat() if row.expense_date else None,
                description=text,
                currency=row.currency,
                lines=lines,
                source_row_ids=[row.id],
                idempotency_key="pending",
            )
            proposal.idempotency_key = proposal.compute_idempotency_key(salt=task_id or "")
            proposals.append(proposal)
        return proposals


def _heading(key: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(key).lower()).split())


def map_expense_headings(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's values under ExpenseRow field names (recognised headings only, blanks left out),
    as written: nothing is parsed or checked here."""
    fields: dict[str, Any] = {}
    for key, value in row.items():
        name = key if key in ExpenseRow.model_fields else HEADER_ALIASES.get(_heading(key))
        if name is not None and name not in fields and value not in (None, ""):
            fields[name] = value.strip() if isinstance(value, str) else value
    return fields


def canonicalize_tabular_expense_row(
    row: Mapping[str, Any], *, default_currency: str = "GBP"
) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """Map one spreadsheet row onto ExpenseRow fields: ``(canonical, [])`` or ``(None, errors)``.

    Headings are matched case- and punctuation-insensitively (:data:`HEADER_ALIASES`); canonical
    field names are accepted as they are. Errors are ``{"field", "message"}`` naming the value.
    Dates come back ISO-formatted and amounts as strings, so the result is JSON data.
    """
    fields = map_expense_headings(row)
    errors: list[dict[str, str]] = []
    out: dict[str, Any] = {}
    raw_date = fields.get("expense_date")
    when: date | None = parse_forgiving_date(raw_date)
    if raw_date is None:
        errors.append({"field": "expense_date", "message": "the date is missing"})
    elif when is None:
        errors.append({"field": "expense_date", "message": f"{raw_date!r} is not a date"})
    else:
        out["expense_date"] = when.isoformat()
    if not fields.get("vendor"):
        errors.append({"field": "vendor", "message": "the supplier is missing"})
    else:
        out["vendor"] = str(fields["vendor"])
    gross: Decimal | None = None
    if fields.get("amount_gross") is None:
        errors.append({"field": "amount_gross", "message": "the gross amount is missing"})
    else:
        try:
            gross = to_decimal(fields["amount_gross"], field="gross amount")
            out["amount_gross"] = str(gross)
        except ValueError as err:
            errors.append({"field": "amount_gross", "message": str(err)})
    if fields.get("vat_amount") is not None:
        try:
            vat = to_decimal(fields["vat_amount"], field="VAT")
            out["vat_amount"] = str(vat)
            if gross is not None and abs(vat) > abs(gross):
                errors.append(
                    {"field": "vat_amount", "message": f"VAT {vat} is more than the gross {gross}"}
                )
        except ValueError as err:
            errors.append({"field": "vat_amount", "message": str(err)})
    try:
        out["currency"] = parse_currency_code(fields.get("currency") or default_currency)
    except ValueError as err:
        errors.append({"field": "currency", "message": str(err)})
    for name in ("payment_method", "category", "notes", "event_id"):
        if fields.get(name) is not None:
            out[name] = str(fields[name])
    if "category" in out:
        out["category_source"] = "submitted"
    if errors:
        return None, errors
    return out, []


def canonicalize_tabular_expense_rows(
    rows: Iterable[Mapping[str, Any]], *, default_currency: str = "GBP"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Canonicalise many rows: ``(canonical rows, rejects)``.

    Each reject is ``{"index", "raw", "errors"}`` (``index`` counts from 0 in ``rows``).
    """
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        canonical, errors = canonicalize_tabular_expense_row(row, default_currency=default_currency)
        if canonical is None:
            bad.append({"index": index, "raw": dict(row), "errors": errors})
        else:
            good.append(canonical)
    return good, bad
