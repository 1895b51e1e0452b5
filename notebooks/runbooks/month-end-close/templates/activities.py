"""The close's activities (Temporal style): the three moments it writes to the ledger.

- ``open_period`` records the period as open (``ledgers.periods``) and reads the prior period's
  signed-off NAV (``ledgers.navs``);
- ``post_journals`` posts the approved journals to the general ledger (``ntro.capabilities.gl``);
- ``publish_nav`` records the signed-off NAV (next month's prior NAV) and closes the period.

All three write to the tenant data plane, idempotently (see ``ledger``): a retried activity
writes nothing twice. Everything else the close does is pure calculation in the workflow.
"""

from __future__ import annotations

from decimal import Decimal

from temporalio import activity

from ntro.capabilities import gl

from . import ledger
from .models import (
    NavPublication,
    OpenPeriodRequest,
    PeriodOpened,
    PostingReceipt,
    PostJournalsRequest,
    PublishNavRequest,
)


@activity.defn(name="month-end-close.open_period")
async def open_period(request: OpenPeriodRequest) -> PeriodOpened:
    """Mark the period open in the ledger; return the prior period's NAV if it was signed off."""
    db = await ledger.data_plane()
    opened_by, opened_at = await ledger.open_period(
        db, request.entity_slug, request.period, request.opened_by
    )
    prior = await ledger.read_nav(db, request.entity_slug, request.prior_period)
    activity.logger.info(
        "opened %s %s (prior NAV %s)",
        request.entity_slug,
        request.period,
        "found" if prior else "not found",
    )
    return PeriodOpened(
        entity_slug=request.entity_slug,
        period=request.period,
        prior_nav=prior,
        opened_by=opened_by,
        opened_at=opened_at,
    )


@activity.defn(name="month-end-close.post_journals")
async def post_journals(request: PostJournalsRequest) -> PostingReceipt:
    """Post each approved journal to the entity's general ledger (the local ledger in the
    tenant data plane unless the tenant has connected one). The external id is the run and
    the journal, so a retried activity posts nothing twice."""
    run_id = activity.info().workflow_id
    ledger = await gl.for_entity(request.entity_slug)
    refs, posted_now = [], 0
    for journal in request.journals:
        proposal = gl.JournalProposal(
            entity_id=request.entity_slug,
            period=request.period,
            date=journal.date.isoformat(),
            description=journal.description,
            lines=[
                gl.JournalLine(
                    account_code=line.account,
                    debit=line.debit,
                    credit=line.credit,
                    description=line.description,
                )
                for line in journal.lines
            ],
        )
        posted = await ledger.journals.create(
            proposal, external_id=f"{run_id}:{journal.journal_id}"
        )
        refs.append(posted.id)
        posted_now += posted.created
    activity.logger.info(
        "posted %d journal(s) of %s %s to the %s ledger (approved by %s)",
        posted_now,
        request.entity_slug,
        request.period,
        ledger.name,
        request.approved_by,
    )
    return PostingReceipt(
        ledger=ledger.name,
        journal_refs=refs,
        posted_now=posted_now,
        journals=len(request.journals),
        total_debit=sum((j.debit for j in request.journals), Decimal(0)),
        total_credit=sum((j.credit for j in request.journals), Decimal(0)),
    )


@activity.defn(name="month-end-close.publish_nav")
async def publish_nav(request: PublishNavRequest) -> NavPublication:
    """Record the signed-off NAV and mark the period closed (the same sign-off twice records
    it once)."""
    db = await ledger.data_plane()
    signed_off_at = await ledger.publish_nav(
        db,
        entity_id=request.entity_slug,
        period=request.nav.period,
        currency=request.nav.currency,
        figures={f.key: f.current for f in request.nav.figures if f.current is not None},
        prior_period=request.nav.prior_period,
        signed_off_by=request.signed_off_by,
        comment=request.comment,
        task_id=activity.info().workflow_id,
    )
    return NavPublication(
        entity_slug=request.entity_slug,
        period=request.nav.period,
        tenant=db.tenant_slug,
        signed_off_at=signed_off_at,
    )
