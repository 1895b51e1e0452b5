"""What is posted to a ledger (bill and journal proposals) and what comes back.

A journal proposal is :class:`ntro.accounting.JournalProposal`; a bill proposal is
:class:`BillProposal`. Either may be given as that model, another pydantic model with the same
fields, or a dict: :func:`as_bill` and :func:`as_journal` read all three.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from ntro.accounting import JournalProposal
from ntro.accounting.models import to_decimal
from ntro.capabilities.gl.errors import ValidationFailedError

_CENT = Decimal("0.01")


class BillLine(BaseModel):
    """One line of a bill: what was bought, the expense account, the net amount and its tax."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    description: str = ""
    account_code: str = Field(
        validation_alias=AliasChoices("account_code", "account", "gl_account")
    )
    amount: Decimal = Field(validation_alias=AliasChoices("amount", "net_amount", "amount_net"))
    tax_amount: Decimal = Field(
        default=Decimal(0), validation_alias=AliasChoices("tax_amount", "tax", "amount_tax")
    )

    @field_validator("amount", "tax_amount", mode="before")
    @classmethod
    def _decimal(cls, value: Any) -> Decimal:
        return to_decimal(value)


class BillProposal(BaseModel):
    """A supplier bill ready to post: supplier, dates, currency, lines, and where it came from."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    supplier: str = Field(
        validation_alias=AliasChoices("supplier", "vendor", "supplier_name", "contact")
    )
    bill_date: date = Field(
        validation_alias=AliasChoices("bill_date", "date", "invoice_date", "expense_date")
    )
    due_date: date | None = None
    currency: str = "GBP"
    reference: str | None = Field(
        default=None, validation_alias=AliasChoices("reference", "invoice_number")
    )
    description: str = ""
    lines: list[BillLine]
    source_row_ids: list[str] = Field(default_factory=list)
    idempotency_key: str = ""

    @field_validator("source_row_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> list[str]:
        return [str(v) for v in value or []]

    @property
    def total(self) -> Decimal:
        return sum((line.amount + line.tax_amount for line in self.lines), Decimal(0))


class PostedDocument(BaseModel):
    """A bill or journal as the ledger holds it. ``created`` is False when this call found it
    already posted under the same ``external_id`` (and posted nothing)."""

    id: str
    kind: Literal["bill", "journal"]
    external_id: str
    entity_id: str
    provider: str
    created: bool
    total: Decimal
    currency: str


def _plain(proposal: Any) -> dict[str, Any]:
    if hasattr(proposal, "model_dump"):
        return proposal.model_dump(mode="json")
    if isinstance(proposal, dict):
        return dict(proposal)
    raise TypeError(f"a proposal must be a pydantic model or a dict, not {type(proposal).__name__}")


def _invalid(
    kind: str, external_id: str, err: ValidationError, provider: str
) -> ValidationFailedError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()[:5]
    )
    return ValidationFailedError(
        f"{kind} {external_id!r} is not valid: {problems}",
        provider=provider,
        external_id=external_id,
    )


def as_bill(proposal: Any, external_id: str, provider: str) -> BillProposal:
    """``proposal`` read as a :class:`BillProposal`, checked for what a ledger refuses."""
    try:
        bill = (
            proposal
            if isinstance(proposal, BillProposal)
            else BillProposal.model_validate(_plain(proposal))
        )
    except ValidationError as err:
        raise _invalid("bill", external_id, err, provider) from None
    problems = []
    if not bill.supplier.strip():
        problems.append("no supplier")
    if not bill.lines:
        problems.append("no lines")
    if any(line.amount < 0 or line.tax_amount < 0 for line in bill.lines):
        problems.append("a negative line amount (post a credit note instead)")
    if bill.lines and bill.total == 0:
        problems.append("a total of zero")
    if len(bill.currency) != 3 or not bill.currency.isalpha():
        problems.append(f"currency {bill.currency!r} is not a three-letter code")
    if problems:
        raise ValidationFailedError(
            f"bill {external_id!r} is not valid: {'; '.join(problems)}",
            provider=provider,
            external_id=external_id,
        )
    return bill


def as_journal(proposal: Any, external_id: str, provider: str) -> JournalProposal:
    """``proposal`` read as a :class:`JournalProposal`; an unbalanced or empty journal, or a line
    with both or neither side, raises :class:`ValidationFailedError`."""
    try:
        journal = (
            proposal
            if isinstance(proposal, JournalProposal)
            else JournalProposal.model_validate(_plain(proposal))
        )
    except ValidationError as err:
        raise _invalid("journal", external_id, err, provider) from None
    problems = []
    if not journal.lines:
        problems.append("no lines")
    for index, line in enumerate(journal.lines, start=1):
        if line.debit < 0 or line.credit < 0:
            problems.append(f"line {index} has a negative amount")
        if (line.debit != 0) == (line.credit != 0):
            problems.append(
                f"line {index} ({line.account_code}) must have a debit or a credit, not both or neither"
            )
    debit, credit = journal.total_debit, journal.total_credit
    if debit.quantize(_CENT) != credit.quantize(_CENT):
        problems.append(
            f"debits {debit:,.2f} and credits {credit:,.2f} differ by {debit - credit:,.2f}"
        )
    if problems:
        raise ValidationFailedError(
            f"journal {external_id!r} is not valid: {'; '.join(problems)}",
            provider=provider,
            external_id=external_id,
        )
    return journal


def body_hash(document: BaseModel) -> str:
    """A hash of what is posted (not of bookkeeping such as ``source_row_ids``): the same
    ``external_id`` with another hash is an idempotency conflict."""
    body = document.model_dump(mode="json", exclude={"source_row_ids", "idempotency_key"})
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
