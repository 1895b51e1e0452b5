"""Waiting reviews from the cluster alone: one visibility call per page, no worker needed.

Runs publish their open gate as a memo and, where the namespace has them, as search
attributes (see :mod:`ntro.workflow._visibility`). :func:`list_reviews` reads one page:

1. ``indexed`` pages: ``NtroAwaiting = true AND ExecutionStatus = 'Running'`` plus the
   filter's clauses, evaluated by the server (only when the namespace has the attributes);
2. then ``unindexed`` pages: running workflows without the attributes. Those with the memo
   are filtered here; those without (started before runs published, or on a worker that
   does not publish) are asked the old way, a ``current_pending_action`` query each, within
   a time budget; a workflow whose queue has no worker is reported, not waited for.

Each row says whether its task queue has a worker (``DescribeTaskQueue``, once per queue per
refresh: :class:`QueueWatch`). Filter values are quoted and escaped, never pasted into the
query; a page token carries the filter it was made for and is refused with another one.

Registering the attributes: :func:`register_search_attributes` (``ntro cluster setup``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import math
import re
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType, TaskQueueKind, TaskQueueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    CountWorkflowExecutionsRequest,
    DescribeTaskQueueRequest,
    ListWorkflowExecutionsRequest,
)
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from ntro.cluster._errors import ClusterError
from ntro.workflow import (
    ATTRIBUTE_TYPES,
    MEMO_KEY,
    PERSON_KINDS,
    forget_registered_attributes,
    gate_summary,
    usable_attributes,
    visibility_support,
)

__all__ = [
    "DEFAULT_POLLER_WINDOW_S",
    "PageTokenRefused",
    "QueueWatch",
    "ReviewFilter",
    "ReviewFilterError",
    "ReviewPage",
    "count_reviews",
    "gate_summary",
    "list_reviews",
    "parse_age",
    "pending_reviews",
    "register_search_attributes",
    "review_row",
    "row_pending",
    "runbook_slug",
    "search_attribute_status",
    "visibility_support",
]

#: An idle worker's poll lasts up to a minute (Temporal's long-poll interval), so a queue is
#: "without worker" when no poll started within this window.
DEFAULT_POLLER_WINDOW_S = 70.0
LEGACY_QUERY_TIMEOUT_S = 2.0
LEGACY_CONCURRENCY = 32
MAX_PAGE_SIZE = 1000
MAX_VALUE_CHARS = 200
_NOT_RUNBOOKS: dict[str, float] = {}  # "wid\0run" -> when found not to answer the query
_NOT_RUNBOOK_MEMORY = 10_000


class ReviewFilterError(ClusterError, ValueError):
    """A filter value cannot be used (too long, control characters, a negative age)."""


class PageTokenRefused(ClusterError, ValueError):
    """The page token was made for another filter, or is not one this list gave."""


def runbook_slug(workflow_type: str) -> str:
    """``DocumentIngestWorkflow`` -> ``document-ingest``: the SDK's ``slug_for_class`` rule."""
    base = workflow_type.removesuffix("Workflow") or workflow_type
    return re.sub(r"(?<!^)(?=[A-Z])", "-", base).lower()


# ── filters ────────────────────────────────────────────────────────────────


def _checked(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReviewFilterError(f"filter {name} must be text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_VALUE_CHARS:
        raise ReviewFilterError(
            f"filter {name} is {len(text)} characters long, over {MAX_VALUE_CHARS}: "
            f"{text[:40]!r}...; pass the exact {name} as shown in the inbox"
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ReviewFilterError(
            f"filter {name} {text[:60]!r} holds control characters; pass plain text"
        )
    return text


_LIST_SAFE = re.compile(r"^[\w@.+:-]+$")


def quote(value: str) -> str:
    """``value`` as a visibility-query string literal: quotes and backslashes escaped, so
    nothing in it is read as an operator."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ReviewFilter:
    """What to list. Each field narrows the list; None (or empty) does not filter.

    ``older_than_s``: waiting at least this many seconds. ``assigned_to``: gates that name
    one of these reviewers, or one of these roles as ``role:NAME`` (a gate that names nobody
    is assigned to nobody).
    """

    runbook: str | None = None
    entity: str | None = None
    period: str | None = None
    older_than_s: float | None = None
    assigned_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("runbook", "entity", "period"):
            object.__setattr__(self, name, _checked(name, getattr(self, name)))
        age = self.older_than_s
        if age is not None and (
            isinstance(age, bool)
            or not isinstance(age, int | float)
            or not math.isfinite(age)
            or age < 0
        ):
            raise ReviewFilterError(
                f"filter older_than must be a number of seconds, 0 or more, got {age!r}"
            )
        names = [_checked("assigned_to", who) for who in self.assigned_to]
        if len(names) > 50:
            raise ReviewFilterError(
                f"filter assigned_to names {len(names)} reviewers and roles; at most 50"
            )
        object.__setattr__(self, "assigned_to", tuple(sorted({n for n in names if n})))

    def fingerprint(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in asdict(self).items() if v not in (None, ())]
        return ", ".join(parts) or "no filter"

    @property
    def server_side(self) -> bool:
        """Whether the server applies the whole filter (else part is matched here)."""
        return all(_LIST_SAFE.match(n) for n in self.assigned_to)

    def clauses(self, now: datetime) -> list[str]:
        """The filter as visibility-query clauses on the ``Ntro*`` attributes."""
        found = []
        for name, attribute in (
            ("runbook", "NtroRunbook"),
            ("entity", "NtroEntity"),
            ("period", "NtroPeriod"),
        ):
            value = getattr(self, name)
            if value is not None:
                found.append(f"{attribute} = {quote(value)}")
        if self.older_than_s:
            since = now - timedelta(seconds=self.older_than_s)
            found.append(f"NtroWaitingSince <= {quote(_rfc3339(since))}")
        if self.assigned_to and self.server_side:
            # A keyword list is matched by a full-text index on SQLite, which reads operators
            # in a value even quoted: values beyond plain identities are matched here instead.
            found.append(f"NtroReviewers IN ({', '.join(quote(n) for n in self.assigned_to)})")
        return found

    def matches(self, summary: dict[str, Any], now: datetime) -> bool:
        """The same filter, applied here to a gate summary (rows read without attributes)."""
        for name in ("runbook", "entity", "period"):
            wanted = getattr(self, name)
            if wanted is not None and summary.get(name) != wanted:
                return False
        if self.older_than_s:
            opened = _parse_time(summary.get("opened_at"))
            if opened is None or (now - opened).total_seconds() < self.older_than_s:
                return False
        if self.assigned_to and not set(summary.get("reviewers") or []) & set(self.assigned_to):
            return False
        return True


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_AGE_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_age(text: str) -> float:
    """``"90"``, ``"45m"``, ``"2h"``, ``"3d"`` as seconds (for ``--older-than``)."""
    found = _AGE.match(str(text))
    if found is None:
        raise ReviewFilterError(
            f"--older-than {text!r} is not an age: write seconds, or a number with s, m, h or d "
            f"(90, 45m, 2h, 3d)"
        )
    return float(found.group(1)) * _AGE_UNITS[found.group(2)]


# ── page tokens ────────────────────────────────────────────────────────────

_INDEXED, _UNINDEXED = "indexed", "unindexed"


def _encode_token(fingerprint: str, phase: str, token: bytes) -> str:
    data = {"v": 1, "f": fingerprint, "p": phase, "t": base64.b64encode(token).decode()}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode_token(text: str, wanted: ReviewFilter) -> tuple[str, bytes]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
        phase, fingerprint = data["p"], data["f"]
        token = base64.b64decode(data["t"])
        if data.get("v") != 1 or phase not in (_INDEXED, _UNINDEXED):
            raise ValueError(phase)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise PageTokenRefused(
            f"page token {text[:24]!r}{'...' if len(text) > 24 else ''} is not one this inbox "
            f"gave; list again from the first page (without a page token)"
        ) from None
    if fingerprint != wanted.fingerprint():
        raise PageTokenRefused(
            f"this page token was given for another filter than the one sent now "
            f"({wanted.describe()}); a token continues the list it came from. List again from "
            f"the first page (without a page token), or send the filter the token came with"
        )
    return phase, token


# ── workers ────────────────────────────────────────────────────────────────


class QueueWatch:
    """Whether task queues have a worker, asked once per queue for this watch's lifetime
    (make one per refresh). A queue whose last poll started more than ``window_s`` ago, or
    that was never polled, has none."""

    def __init__(self, client: Client, window_s: float = DEFAULT_POLLER_WINDOW_S) -> None:
        self.client = client
        self.window_s = window_s
        self._known: dict[str, asyncio.Future[bool]] = {}

    async def down(self, queues: Iterable[str]) -> dict[str, bool]:
        wanted = sorted(set(queues))
        for queue in wanted:
            if queue not in self._known:
                self._known[queue] = asyncio.ensure_future(self._down(queue))
        return {queue: await self._known[queue] for queue in wanted}

    async def _down(self, queue: str) -> bool:
        try:
            response = await self.client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=self.client.namespace,
                    task_queue=TaskQueue(name=queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
                    task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
                ),
                retry=False,
                timeout=timedelta(seconds=5),
            )
        except RPCError:
            return False  # not known to be down: the list does not say so
        now = datetime.now(UTC)
        for poller in response.pollers:
            seen = poller.last_access_time.ToDatetime(tzinfo=UTC)
            if (now - seen).total_seconds() <= self.window_s:
                return False
        return True


# ── rows ───────────────────────────────────────────────────────────────────


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


@dataclass(frozen=True)
class _Run:
    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str
    start_time: datetime | None
    memo: dict[str, Any]
    parent_workflow_id: str | None = None


def review_row(
    run: _Run, summary: dict[str, Any], now: datetime, worker_down: bool, source: str
) -> dict[str, Any]:
    """One inbox row (the inbox's row contract), from a gate summary."""
    opened = _parse_time(summary.get("opened_at")) or run.start_time
    kind = summary.get("kind")
    return {
        "workflow_id": run.workflow_id,
        "run_id": run.run_id,
        "workflow_type": run.workflow_type,
        "runbook": summary.get("runbook")
        or run.memo.get("ntro_slug")
        or runbook_slug(run.workflow_type),
        "entity": summary.get("entity"),
        "period": summary.get("period"),
        "kind": kind,
        "component": summary.get("component"),
        "reason": summary.get("reason"),
        "title": summary.get("title"),
        "step_id": summary.get("step_id"),
        "gate_id": summary.get("gate_id"),
        "opened_at": _iso(opened),
        "age_s": max(0.0, round((now - opened).total_seconds(), 1)) if opened else None,
        "deadline": summary.get("due_at"),
        "started_at": _iso(run.start_time),
        "task_queue": run.task_queue,
        "rows": summary.get("rows"),
        "feedback_level": summary.get("feedback_level"),
        "decidable": kind == "interactive_review",
        "worker_down": worker_down,
        "due_at": summary.get("due_at"),
        "warning_count": int(summary.get("warning_count") or 0),
        "amount": summary.get("amount"),
        "reviewers": list(summary.get("reviewers") or []),
        # A child runbook's review names the run that waits on it (a drill-down gate is not
        # listed itself: nobody decides it, the child's review is what a person acts on).
        "parent_workflow_id": run.parent_workflow_id,
        "source": source,
    }


def _labels(run: _Run) -> list[Any]:
    memo = run.memo
    return [{"entity": memo.get("ntro_entity"), "period": memo.get("ntro_period")}]


# ── the list ───────────────────────────────────────────────────────────────


@dataclass
class ReviewPage:
    """One page of waiting reviews.

    ``next_page_token`` continues the list (None: this was the last page); ``indexed`` says
    whether the server filtered (the namespace has the attributes); ``errors`` name runs
    that could not be read (a legacy run whose worker is down or did not answer in time);
    ``queued_without_worker`` lists task queues with waiting reviews and no worker.
    """

    rows: list[dict[str, Any]]
    next_page_token: str | None
    indexed: bool
    errors: list[dict[str, str]] = field(default_factory=list)
    scanned: int = 0
    queried: int = 0
    complete: bool = True
    queued_without_worker: list[str] = field(default_factory=list)


async def _page(
    client: Client, query: str, page_size: int, token: bytes
) -> tuple[list[_Run], bytes]:
    response = await client.workflow_service.list_workflow_executions(
        ListWorkflowExecutionsRequest(
            namespace=client.namespace, page_size=page_size, next_page_token=token, query=query
        ),
        retry=True,
        timeout=timedelta(seconds=10),
    )
    converter = client.data_converter
    runs = []
    for info in response.executions:
        memo: dict[str, Any] = {}
        fields = info.memo.fields
        if fields:
            keys = list(fields.keys())
            payloads = [fields[k] for k in keys]
            try:
                values = await converter.decode(payloads)
            except Exception:  # noqa: BLE001 - an undecodable memo does not hide the run
                values = []
            memo = dict(zip(keys, values, strict=False))
        runs.append(
            _Run(
                workflow_id=info.execution.workflow_id,
                run_id=info.execution.run_id,
                workflow_type=info.type.name,
                task_queue=info.task_queue,
                start_time=info.start_time.ToDatetime(tzinfo=UTC)
                if info.HasField("start_time")
                else None,
                memo=memo,
                parent_workflow_id=info.parent_execution.workflow_id
                if info.HasField("parent_execution")
                else None,
            )
        )
    return runs, response.next_page_token


async def list_reviews(
    client: Client,
    filter: ReviewFilter | None = None,
    *,
    page_size: int = 500,
    page_token: str | None = None,
    now: datetime | None = None,
    watch: QueueWatch | None = None,
    legacy_budget_s: float = 2.0,
) -> ReviewPage:
    """One page of reviews waiting for a person (one ``ListWorkflowExecutions`` call).

    Raises :class:`PageTokenRefused` for a token made for another filter, and
    :class:`ReviewFilterError` (from :class:`ReviewFilter`) for unusable values. RPC errors
    (the cluster down) propagate as ``RPCError``.
    """
    wanted = filter or ReviewFilter()
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ReviewFilterError(f"page size must be 1 to {MAX_PAGE_SIZE}, got {page_size!r}")
    now = now or datetime.now(UTC)
    watch = watch or QueueWatch(client)
    indexed = set(await usable_attributes(client, client.namespace)) >= set(ATTRIBUTE_TYPES)
    phase, token = (
        _decode_token(page_token, wanted)
        if page_token
        else (_INDEXED if indexed else _UNINDEXED, b"")
    )
    if phase == _INDEXED:
        query = _indexed_query(wanted, now)
    else:
        query = "ExecutionStatus = 'Running'" + (" AND NtroAwaiting IS NULL" if indexed else "")
    runs, following = await _page(client, query, page_size, token)
    down = await watch.down(run.task_queue for run in runs)
    page = ReviewPage(rows=[], next_page_token=None, indexed=indexed, scanned=len(runs))
    legacy: list[_Run] = []
    for run in runs:
        summary = run.memo.get(MEMO_KEY)
        if not isinstance(summary, dict):
            legacy.append(run)
            continue
        if summary.get("kind") not in PERSON_KINDS or not wanted.matches(summary, now):
            continue  # the server filtered already where it could: this is the same test
        page.rows.append(review_row(run, summary, now, down[run.task_queue], "visibility"))
    if legacy:
        await _read_legacy(client, legacy, wanted, now, down, page, legacy_budget_s)
    if following:
        page.next_page_token = _encode_token(wanted.fingerprint(), phase, following)
    elif phase == _INDEXED:
        page.next_page_token = _encode_token(wanted.fingerprint(), _UNINDEXED, b"")
    page.rows.sort(key=lambda row: (row["opened_at"] or "", row["workflow_id"]))
    page.queued_without_worker = sorted({r["task_queue"] for r in page.rows if r["worker_down"]})
    return page


def _indexed_query(wanted: ReviewFilter, now: datetime) -> str:
    clauses = ["NtroAwaiting = true", "ExecutionStatus = 'Running'", *wanted.clauses(now)]
    return " AND ".join(clauses)


async def count_reviews(
    client: Client, filter: ReviewFilter | None = None, *, now: datetime | None = None
) -> int | None:
    """How many reviews wait for a person, counted by the server (one call, no rows).

    None when the server cannot count them exactly: the namespace lacks the attributes, or
    part of the filter is matched here (an ``assigned_to`` value beyond a plain identity).
    Runs started before runs published their gates are not counted.
    """
    wanted = filter or ReviewFilter()
    if not wanted.server_side:
        return None
    if not set(await usable_attributes(client, client.namespace)) >= set(ATTRIBUTE_TYPES):
        return None
    response = await client.workflow_service.count_workflow_executions(
        CountWorkflowExecutionsRequest(
            namespace=client.namespace, query=_indexed_query(wanted, now or datetime.now(UTC))
        ),
        retry=True,
        timeout=timedelta(seconds=10),
    )
    return int(response.count)


async def _read_legacy(
    client: Client,
    runs: list[_Run],
    wanted: ReviewFilter,
    now: datetime,
    down: dict[str, bool],
    page: ReviewPage,
    budget_s: float,
) -> None:
    """Runs that publish nothing: ask each its pending action, within ``budget_s``."""
    limit = asyncio.Semaphore(LEGACY_CONCURRENCY)
    deadline = time.monotonic() + budget_s

    async def one(run: _Run) -> None:
        key = f"{run.workflow_id}\x00{run.run_id}"
        if key in _NOT_RUNBOOKS:
            return
        if down[run.task_queue]:
            page.errors.append(
                {
                    "workflow_id": run.workflow_id,
                    "message": f"no worker polls task queue {run.task_queue!r}, and this run "
                    f"started before runs published their reviews: it is listed once its "
                    f"worker is back",
                }
            )
            return
        async with limit:
            left = deadline - time.monotonic()
            if left <= 0.05:
                raise TimeoutError
            page.queried += 1
            handle = client.get_workflow_handle(run.workflow_id, run_id=run.run_id)
            try:
                pending = await handle.query(
                    "current_pending_action",
                    rpc_timeout=timedelta(seconds=min(LEGACY_QUERY_TIMEOUT_S, left)),
                )
            except WorkflowQueryFailedError:
                _remember_not_runbook(key)
                return
            except RPCError as err:
                if err.status == RPCStatusCode.INVALID_ARGUMENT:
                    _remember_not_runbook(key)
                    return
                if err.status == RPCStatusCode.NOT_FOUND:
                    return  # closed meanwhile
                page.errors.append(
                    {
                        "workflow_id": run.workflow_id,
                        "message": f"its worker did not answer: {' '.join(err.message.split())}",
                    }
                )
                return
        if not isinstance(pending, dict) or pending.get("kind") not in PERSON_KINDS:
            return
        slug = run.memo.get("ntro_slug") or runbook_slug(run.workflow_type)
        summary = gate_summary(pending, runbook=slug, labels=_labels(run))
        if wanted.matches(summary, now):
            page.rows.append(review_row(run, summary, now, False, "query"))

    tasks = [asyncio.ensure_future(one(run)) for run in runs]
    done, pending_tasks = await asyncio.wait(tasks, timeout=max(budget_s, 0.05))
    for task in pending_tasks:
        task.cancel()
    for task in done:
        if not task.cancelled() and isinstance(task.exception(), TimeoutError):
            pending_tasks.add(task)
    if pending_tasks:
        page.complete = False
        page.errors.append(
            {
                "workflow_id": "*",
                "message": f"{len(pending_tasks)} run(s) that started before runs published "
                f"their reviews were not read within {budget_s:g} s; refresh to read them",
            }
        )


def _remember_not_runbook(key: str) -> None:
    if len(_NOT_RUNBOOKS) >= _NOT_RUNBOOK_MEMORY:
        _NOT_RUNBOOKS.clear()
    _NOT_RUNBOOKS[key] = time.monotonic()


async def pending_reviews(
    client: Client, filter: ReviewFilter | None = None, *, limit: int = 50
) -> list[dict[str, Any]]:
    """Up to ``limit`` waiting reviews, oldest gate first, page after page (for a list on a
    terminal: ``ntro workflow ls --pending``, ``%ntro ls --pending``)."""
    rows: list[dict[str, Any]] = []
    token = None
    watch = QueueWatch(client)
    while len(rows) < limit:
        page = await list_reviews(
            client,
            filter,
            page_size=min(MAX_PAGE_SIZE, max(limit - len(rows), 1)),
            page_token=token,
            watch=watch,
        )
        rows += page.rows
        token = page.next_page_token
        if token is None:
            break
    rows.sort(key=lambda row: (row["opened_at"] or "", row["workflow_id"]))
    return rows[:limit]


def row_pending(row: dict[str, Any]) -> dict[str, Any]:
    """A listed row as the pending action a workflow would answer (its published keys)."""
    return {
        "kind": row.get("kind"),
        "step_id": row.get("step_id"),
        "gate_id": row.get("gate_id"),
        "reason": row.get("reason"),
        "opened_at": row.get("opened_at"),
        "deadline": row.get("due_at"),
        "display_hint": {"component": row.get("component"), "config": {"title": row.get("title")}},
    }


# ── registration ───────────────────────────────────────────────────────────


async def search_attribute_status(client: Client, namespace: str | None = None) -> dict[str, str]:
    """``{name: "ok" | "missing" | "wrong type: Keyword"}`` for each runbook attribute."""
    from ntro.workflow import registered_attributes

    found = await registered_attributes(client, namespace or client.namespace)
    status = {}
    for name, kind in ATTRIBUTE_TYPES.items():
        have = found.get(name)
        status[name] = (
            "ok" if have == kind else ("missing" if have is None else f"wrong type: {have}")
        )
    return status


async def register_search_attributes(client: Client, namespace: str | None = None) -> list[str]:
    """Register the runbook search attributes the namespace lacks; return those added.

    An attribute already registered with another type is an error naming it (Temporal cannot
    change a type; remove it with ``temporal operator search-attribute remove`` first).
    """
    namespace = namespace or client.namespace
    status = await search_attribute_status(client, namespace)
    clash = {name: s for name, s in status.items() if s.startswith("wrong type")}
    if clash:
        names = ", ".join(f"{n} ({s}, expected {ATTRIBUTE_TYPES[n]})" for n, s in clash.items())
        raise ClusterError(
            f"namespace {namespace!r} has search attributes of another type: {names}; remove "
            f"them (`temporal operator search-attribute remove --name NAME`) and run this again"
        )
    missing = [name for name, s in status.items() if s == "missing"]
    if missing:
        types = {
            name: IndexedValueType.Value(
                "INDEXED_VALUE_TYPE_"
                + re.sub(r"(?<!^)(?=[A-Z])", "_", ATTRIBUTE_TYPES[name]).upper()
            )
            for name in missing
        }
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=namespace, search_attributes=types),
                timeout=timedelta(seconds=30),
            )
        except RPCError as err:
            raise ClusterError(
                f"could not register {', '.join(missing)} in namespace {namespace!r}: "
                f"{' '.join(err.message.split())} (registering needs the operator or "
                f"namespace-admin permission)"
            ) from None
    forget_registered_attributes()
    return missing
