"""The review inbox: open reviews across the namespace, read from the cluster alone.

How it is read: :func:`ntro.cluster.list_reviews`, one visibility call per page (runs publish
their open gate as search attributes and a memo), pages after pages until the inbox has
``limit`` rows, the list ends, or the time budget is spent (then ``complete`` is false and
``next_page_token`` continues it). No worker is asked for a row: each says whether its task
queue has a worker (``worker_down``), so reviews stuck behind a stopped worker still show.
Runs started before runs published their gates are asked by query, within the budget.

Visibility lags a gate change by a moment. So what this server saw itself wins for a few
seconds: a run opened here (its own query) corrects its row, and a run just decided here is
asked again before it is listed, so a decided review does not come back as still waiting
(and its decision is never sent twice: the workflow refuses a gate that is closed).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from ntro.cluster import (
    PageTokenRefused,
    QueueWatch,
    ReviewFilter,
    ReviewFilterError,
    count_reviews,
    gate_summary,
    list_reviews,
)
from ntro.workflow import PERSON_KINDS
from ntro_jupyter._server._cluster import Cluster, is_unreachable

__all__ = ["LAG_S", "Inbox", "InboxResult", "PageTokenRefused", "ReviewFilterError"]

#: How long what this server saw of a run (opened, decided) overrides the visibility list.
LAG_S = 15.0
VERIFY_TIMEOUT_S = 2.0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class InboxResult:
    """One inbox answer. ``complete`` is False when the budget ran out before the list ended
    (``next_page_token`` continues it) or a legacy run could not be read in time."""

    items: list[dict[str, Any]]
    scanned: int
    queried: int
    errors: list[dict[str, str]]
    truncated: bool
    elapsed_ms: float
    fetched_at: str
    complete: bool = True
    next_page_token: str | None = None
    indexed: bool = True
    queued_without_worker: list[str] = field(default_factory=list)
    pages: int = 0
    total: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "count": len(self.items),
            "items": self.items,
            "complete": self.complete,
            "remaining": 0 if self.next_page_token is None else None,
            "scanned": self.scanned,
            "queried": self.queried,
            "errors": self.errors,
            "truncated": self.truncated,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "fetched_at": self.fetched_at,
            "next_page_token": self.next_page_token,
            "indexed": self.indexed,
            "queued_without_worker": self.queued_without_worker,
            "pages": self.pages,
            "total": self.total,
        }


@dataclass
class _Seen:
    """What this server saw of a run: its open gate (None: none open), or ``verify``."""

    at: float
    pending: dict[str, Any] | None = None
    verify: bool = False


class Inbox:
    """Reads the inbox for one cluster and corrects it with what this server saw."""

    def __init__(self, cluster: Cluster, *, poller_window_s: float | None = None) -> None:
        self.cluster = cluster
        self.poller_window_s = poller_window_s
        self._seen: dict[str, _Seen] = {}

    def forget(self, workflow_id: str) -> None:
        """A decision was sent to ``workflow_id``: ask it again before listing it."""
        self._seen[workflow_id] = _Seen(time.monotonic(), verify=True)

    def observe(self, workflow_id: str, pending: dict[str, Any] | None) -> None:
        """The run's own answer (a review opened here): it wins over a lagging list."""
        self._seen[workflow_id] = _Seen(time.monotonic(), pending=pending)

    async def fetch(
        self,
        limit: int = 5000,
        *,
        filter: ReviewFilter | None = None,
        page_token: str | None = None,
        budget: float | None = None,
        page_size: int = 1000,
    ) -> InboxResult:
        """Up to ``limit`` reviews, from ``page_token`` on, answered within ``budget`` s.

        Raises :class:`PageTokenRefused` for a token from another filter, ClusterUnavailable
        when the cluster does not answer, and RPCError for other refusals.
        """
        started = time.perf_counter()
        now = datetime.now(UTC)
        client = await self.cluster.client()
        watch = QueueWatch(client, **self._window())
        result = InboxResult([], 0, 0, [], False, 0.0, _iso(now))
        token = page_token
        deadline = None if budget is None else time.monotonic() + budget
        # The server counts every waiting review at once (no rows), so a partial first answer
        # still says how many there are; a continued list already has it.
        counting = None if page_token else asyncio.ensure_future(_count(client, filter, now))
        try:
            while True:
                left = None if deadline is None else deadline - time.monotonic()
                page = await list_reviews(
                    client,
                    filter,
                    page_size=max(1, min(page_size, limit - len(result.items))),
                    page_token=token,
                    now=now,
                    watch=watch,
                    legacy_budget_s=2.0 if left is None else max(0.05, min(2.0, left)),
                )
                result.pages += 1
                result.items += page.rows
                result.scanned += page.scanned
                result.queried += page.queried
                result.errors += page.errors
                result.indexed = page.indexed
                result.complete = result.complete and page.complete
                token = page.next_page_token
                if token is None or len(result.items) >= limit:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    result.complete = False
                    break
        except RPCError as err:
            if counting is not None:
                counting.cancel()
            if is_unreachable(err):
                raise self.cluster.unavailable(err.message) from None
            raise
        result.total = await counting if counting is not None else None
        result.next_page_token = token
        result.truncated = token is not None and len(result.items) >= limit
        result.items = await self._corrected(client, result.items)
        result.items.sort(key=lambda item: (item["opened_at"] or "", item["workflow_id"]))
        result.queued_without_worker = sorted(
            {item["task_queue"] for item in result.items if item["worker_down"]}
        )
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    def _window(self) -> dict[str, float]:
        return {} if self.poller_window_s is None else {"window_s": self.poller_window_s}

    async def _corrected(self, client: Client, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows of runs this server saw change lately, as the runs themselves say."""
        moment = time.monotonic()
        for key in [k for k, seen in self._seen.items() if moment - seen.at > LAG_S]:
            del self._seen[key]
        if not self._seen:
            return items
        touched = [item for item in items if item["workflow_id"] in self._seen]
        await asyncio.gather(
            *(self._verify(client, item["workflow_id"]) for item in touched),
            return_exceptions=True,
        )
        corrected = []
        for item in items:
            seen = self._seen.get(item["workflow_id"])
            if seen is None or seen.verify:
                corrected.append(item)
                continue
            pending = seen.pending
            if not pending or pending.get("kind") not in PERSON_KINDS:
                continue  # decided, or no longer waiting for a person: visibility lags
            if pending.get("gate_id") != item.get("gate_id"):
                corrected.append(_with_gate(item, pending))
            else:
                corrected.append(item)
        return corrected

    async def _verify(self, client: Client, workflow_id: str) -> None:
        seen = self._seen.get(workflow_id)
        if seen is None or not seen.verify:
            return
        try:
            pending = await client.get_workflow_handle(workflow_id).query(
                "current_pending_action", rpc_timeout=timedelta(seconds=VERIFY_TIMEOUT_S)
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                self.observe(workflow_id, None)
            return  # no answer: keep the listed row, the workflow refuses a closed gate
        except Exception:  # noqa: BLE001 - the list stays as visibility says
            return
        if self._seen.get(workflow_id) is seen:
            self.observe(workflow_id, pending if isinstance(pending, dict) else None)


async def _count(client: Client, filter: ReviewFilter | None, now: datetime) -> int | None:
    try:
        return await count_reviews(client, filter, now=now)
    except RPCError:
        return None  # the list itself says what is wrong with the cluster


def _with_gate(item: dict[str, Any], pending: dict[str, Any]) -> dict[str, Any]:
    """``item`` with the gate the run itself reports (the list still shows the one before)."""
    labels = [{"entity": item.get("entity"), "period": item.get("period")}]
    summary = gate_summary(pending, runbook=item.get("runbook"), labels=labels)
    fixed = dict(item)
    for key in (
        "kind",
        "step_id",
        "gate_id",
        "component",
        "reason",
        "title",
        "rows",
        "feedback_level",
        "warning_count",
        "amount",
        "reviewers",
    ):
        fixed[key] = summary.get(key)
    fixed["deadline"] = fixed["due_at"] = summary.get("due_at")
    fixed["opened_at"] = summary.get("opened_at") or item.get("opened_at")
    fixed["decidable"] = summary.get("kind") == "interactive_review"
    fixed["source"] = "workflow"
    return fixed
