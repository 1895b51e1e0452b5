"""The shapes of the NAV monthly close: its input, what it reads back from the document-ingest
children, the trial-balance check, journals, the NAV statement and the close's result.

The close talks to its children through JSON only: ``DocumentIngestContext`` here mirrors the
child's input and ``IngestedDocument`` reads the fields of the child's result it needs, so the
two runbooks can be versioned apart. Amounts are ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DrCr = Literal["DR", "CR"]
CloseStatus = Literal[
    "signed_off",
    "documents_incomplete",
    "trial_balance_rejected",
    "journals_rejected",
    "journals_unbalanced",
    "nav_rejected",
]


class ExpectedDocument(BaseModel):
    """A document the close needs, ingested by one document-ingest child."""

    source: str
    label: str
    schema_slug: Literal["bank_statement", "trial_balance"]


def _default_documents() -> list[ExpectedDocument]:
    return [
        ExpectedDocument(
            source="bank_statement", label="Bank statement", schema_slug="bank_statement"
        ),
        ExpectedDocument(
            source="trial_balance", label="Trial balance", schema_slug="trial_balance"
        ),
    ]


class PriorNav(BaseModel):
    """The last signed-off NAV: ``figures`` by key (``nav``, ``units_in_issue``, ...)."""

    entity_slug: str
    period: str
    currency: str
    figures: dict[str, Decimal] = Field(default_factory=dict)


class CloseContext(BaseModel):
    """Which fund and month to close, and the close's parameters.

    ``prior_nav`` is read from the ledger (``ledgers.navs``: the previous close's sign-off)
    unless given here, as the first close on a fund gives it. ``ledger_dir`` and
    ``document_store_dir`` are passed on to the document-ingest children (``ledger_dir`` is
    accepted there and ignored: their audit copies go to storage, ``$NTRO_ARTIFACTS_DIR``;
    uploads default to ``$NTRO_DOCUMENT_STORE`` on the worker).
    """

    entity_slug: str = "acme-fund"
    entity_name: str = "Acme Fund LP"
    period: str = Field(default="2026-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    documents: list[ExpectedDocument] = Field(default_factory=_default_documents)
    management_fee_rate_pct: Decimal = Decimal("1.5")
    audit_fee_accrual: Decimal = Decimal("2000.00")
    nav_tolerance_pct: Decimal = Decimal("5")
    prior_nav: PriorNav | None = None
    ledger_dir: str | None = None
    document_store_dir: str | None = None


class DocumentIngestContext(BaseModel):
    """The input of a document-ingest child (the fields this close sets)."""

    entity_slug: str
    period: str
    source: str
    schema_slug: str
    label: str | None = None
    currency: str
    ledger_dir: str | None = None
    document_store_dir: str | None = None


class LedgerLine(BaseModel):
    """A committed line as the close reads it from a child's result."""

    model_config = ConfigDict(extra="ignore")

    line_item_id: str
    date: dt.date | None = None
    description: str = ""
    account_code: str
    account_name: str = ""
    amount: Decimal
    dr_cr: DrCr

    @property
    def signed(self) -> Decimal:
        """Debits positive, credits negative."""
        return self.amount if self.dr_cr == "DR" else -self.amount


class IngestedDocument(BaseModel):
    """What a document-ingest child returned: its status and, when committed, its lines."""

    model_config = ConfigDict(extra="ignore")

    status: str
    source: str
    schema_slug: str
    filename: str | None = None
    header: dict[str, str | None] = Field(default_factory=dict)
    lines: list[LedgerLine] = Field(default_factory=list)
    message: str | None = None

    @property
    def committed(self) -> bool:
        return self.status == "committed"


class OpenPeriodRequest(BaseModel):
    entity_slug: str
    period: str
    prior_period: str
    opened_by: str


class PeriodOpened(BaseModel):
    """The period is open (by whom, since when); the prior period's signed-off NAV if the
    ledger has it."""

    entity_slug: str
    period: str
    prior_nav: PriorNav | None = None
    opened_by: str
    opened_at: dt.datetime


class TrialBalanceCheck(BaseModel):
    """The trial balance checked on its own and against the bank statement."""

    total_debit: Decimal
    total_credit: Decimal
    difference: Decimal
    cash_per_trial_balance: Decimal
    bank_closing_balance: Decimal | None = None
    bank_only_items: list[LedgerLine] = Field(default_factory=list)
    unreconciled_cash: Decimal | None = None
    suspense_lines: list[str] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.difference == 0


class JournalLine(BaseModel):
    """One posting of a journal."""

    account: str
    account_name: str
    description: str
    debit: Decimal = Decimal("0.00")
    credit: Decimal = Decimal("0.00")


class Journal(BaseModel):
    """A proposed (then approved) journal entry."""

    journal_id: str
    date: dt.date
    description: str
    lines: list[JournalLine]

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal(0))

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal(0))


class JournalCorrection(BaseModel):
    """A reviewer's change to a journal or one of its lines, as applied."""

    line_item_id: str
    field: str
    old_value: str | None = None
    new_value: str | None = None


class PostJournalsRequest(BaseModel):
    entity_slug: str
    period: str
    journals: list[Journal]
    corrections: list[JournalCorrection] = Field(default_factory=list)
    approved_by: str | None = None


class PostingReceipt(BaseModel):
    """The approved journals as posted to the entity's general ledger (``gl``): the ledger,
    each journal's id there, and how many this call posted (a retried post posts none)."""

    ledger: str
    journal_refs: list[str] = Field(default_factory=list)
    posted_now: int = 0
    journals: int
    total_debit: Decimal
    total_credit: Decimal


class NavFigure(BaseModel):
    """One line of the NAV statement, this period and the last."""

    key: str
    label: str
    current: Decimal | None = None
    prior: Decimal | None = None


class NavStatement(BaseModel):
    """The fund's net asset value after the approved journals."""

    period: str
    prior_period: str
    currency: str
    figures: list[NavFigure]

    def value(self, key: str) -> Decimal | None:
        return next((f.current for f in self.figures if f.key == key), None)


class PublishNavRequest(BaseModel):
    entity_slug: str
    nav: NavStatement
    signed_off_by: str | None = None
    comment: str | None = None


class NavPublication(BaseModel):
    """The signed-off NAV as recorded in ``ledgers.navs`` of the tenant's data plane (the next
    close reads it as its prior NAV)."""

    entity_slug: str
    period: str
    tenant: str
    signed_off_at: dt.datetime


class JournalsOutcome(BaseModel):
    """How the journal review ended: posted, rejected, or still unbalanced."""

    status: Literal["posted", "journals_rejected", "journals_unbalanced"]
    journals: list[Journal]
    posting: PostingReceipt | None = None


class NavOutcome(BaseModel):
    """The NAV shown for sign-off and what the reviewer decided."""

    nav: NavStatement
    approved: bool
    reviewer: str | None = None
    on_behalf_of: str | None = None
    comment: str | None = None
    publication: NavPublication | None = None

    @property
    def signed_by(self) -> str | None:
        """The signed-in reviewer, and whom they signed for when they named someone."""
        if self.reviewer and self.on_behalf_of:
            return f"{self.reviewer} on behalf of {self.on_behalf_of}"
        return self.reviewer


class DocumentSummary(BaseModel):
    source: str
    status: str
    filename: str | None = None
    lines: int = 0
    message: str | None = None


class CloseResult(BaseModel):
    """How the close ended, and what it produced on the way."""

    status: CloseStatus
    entity_slug: str
    period: str
    prior_period: str
    documents: list[DocumentSummary] = Field(default_factory=list)
    trial_balance: TrialBalanceCheck | None = None
    journals: list[Journal] = Field(default_factory=list)
    posting: PostingReceipt | None = None
    nav: NavStatement | None = None
    publication: NavPublication | None = None
    signed_off_by: str | None = None
    message: str | None = None
