"""The close's activities (Temporal style): the three moments it writes to the ledger.

- ``open_period`` records the period as open and reads the prior period's signed-off NAV;
- ``post_journals`` posts the approved journals to the general ledger (``ntro.capabilities.gl``);
- ``publish_nav`` writes the signed-off NAV (next month's prior NAV) and closes the period.

Everything else the close does is pure calculation and runs in the workflow.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from temporalio import activity

from ntro.capabilities import gl

from .ledger import period_dir, read_json, read_nav, write_json
from .models import (
    NavPublication,
    OpenPeriodRequest,
    PeriodOpened,
    PostingReceipt,
    PostJournalsRequest,
    PublishNavRequest,
)


def _open(request: OpenPeriodRequest) -> PeriodOpened:
    path = period_dir(request.ledger_dir, request.entity_slug, request.period) / "period.json"
    record = read_json(path)
    if record is None or record.get("status") != "open":  # else a retry: already open
        write_json(
            path,
            {
                "entity_slug": request.entity_slug,
                "period": request.period,
                "status": "open",
                "opened_by": request.opened_by,
                "opened_at": datetime.now(UTC),
                "previous": record,
            },
        )
    prior = read_nav(request.ledger_dir, request.entity_slug, request.prior_period)
    return PeriodOpened(
        entity_slug=request.entity_slug, period=request.period, prior_nav=prior, path=str(path)
    )


@activity.defn(name="month-end-close.open_period")
async def open_period(request: OpenPeriodRequest) -> PeriodOpened:
    """Mark the period open in the ledger; return the prior period's NAV if it was signed off."""
    opened = await asyncio.to_thread(_open, request)
    activity.logger.info(
        "opened %s %s (prior NAV %s)",
        request.entity_slug,
        request.period,
        "found" if opened.prior_nav else "not found",
    )
    return opened


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


def _publish(request: PublishNavRequest) -> NavPublication:
    folder = period_dir(request.ledger_dir, request.entity_slug, request.nav.period)
    now = datetime.now(UTC)
    write_json(
        folder / "nav.json",
        {
            "entity_slug": request.entity_slug,
            "period": request.nav.period,
            "currency": request.nav.currency,
            "figures": {f.key: f.current for f in request.nav.figures if f.current is not None},
            "prior_period": request.nav.prior_period,
            "signed_off_by": request.signed_off_by,
            "signed_off_at": now,
            "comment": request.comment,
        },
    )
    record = read_json(folder / "period.json") or {
        "entity_slug": request.entity_slug,
        "period": request.nav.period,
    }
    record.update({"status": "closed", "closed_by": request.signed_off_by, "closed_at": now})
    write_json(folder / "period.json", record)
    return NavPublication(path=str(folder / "nav.json"), signed_off_at=now)


@activity.defn(name="month-end-close.publish_nav")
async def publish_nav(request: PublishNavRequest) -> NavPublication:
    """Write the signed-off NAV and mark the period closed."""
    return await asyncio.to_thread(_publish, request)
