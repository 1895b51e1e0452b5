"""The review inbox: every open gate across the namespace, as a list of items.

How it is read: the visibility API lists the running workflows (one paged call), then each
workflow's ``current_pending_action`` query is sent, concurrently with a bound, batch after
batch as pages arrive. A query costs a worker round trip, so answers are cached per run and
history length: a workflow's state only changes in a workflow task, which lengthens its
history, so on later refreshes a cheap ``DescribeWorkflowExecution`` (server only, no worker)
decides whether to ask again. The describe is sent *before* the query, so a change racing
with the query only causes one more query next time, never a stale item.

Workflows that are not runbooks (no such query) are skipped; a workflow whose worker does
not answer is reported in ``errors`` and the rest of the inbox still shows.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution as ExecutionRef
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    GetWorkflowExecutionHistoryRequest,
)
from temporalio.client import Client, WorkflowExecution, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from ntro_jupyter._server._cluster import Cluster, ClusterUnavailable, is_unreachable

__all__ = ["Inbox", "InboxResult", "inbox_item", "runbook_slug"]

RUNNING_QUERY = "ExecutionStatus = 'Running'"
QUERY_TIMEOUT_S = 5.0
DEFAULT_CONCURRENCY = 128
PAGE_SIZE = 500
FAILURE_MEMORY_S = 60.0  # a read cut short by its budget reports a failure this recent


def runbook_slug(workflow_type: str) -> str:
    """``DocumentIngestWorkflow`` -> ``document-ingest``: the SDK's ``slug_for_class`` rule."""
    base = workflow_type.removesuffix("Workflow") or workflow_type
    return re.sub(r"(?<!^)(?=[A-Z])", "-", base).lower()


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _first(sources: list[Any], keys: tuple[str, ...]) -> str | None:
    for source in sources:
        if not isinstance(source, dict):
            continue
        for key in keys:
            found = _text(source.get(key))
            if found:
                return found
    return None


_ENTITY_KEYS = ("entity", "entity_slug", "entity_id_or_slug", "entity_id", "fund")
_PERIOD_KEYS = ("period", "period_end", "month")


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


def labels_missing(pending: dict[str, Any], memo: dict[str, Any]) -> bool:
    """Whether the gate and the memo leave the entity or the period unnamed."""
    hint = pending.get("display_hint") if isinstance(pending.get("display_hint"), dict) else {}
    config = hint.get("config") if isinstance(hint.get("config"), dict) else {}
    sources = [pending, pending.get("args"), config, pending.get("payload"), memo]
    return _first(sources, _ENTITY_KEYS) is None or _first(sources, _PERIOD_KEYS) is None


def inbox_item(
    execution: WorkflowExecution,
    pending: dict[str, Any],
    memo: dict[str, Any],
    now: datetime,
    run_input: Any = None,
) -> dict[str, Any]:
    """One inbox row: what waits, where (runbook / entity / period) and since when.

    Entity and period come from the pending action (its own keys, then ``args``), the gate's
    display-hint config, the payload when it is an object, the workflow's memo, then the run's
    input (runbooks usually take ``entity_slug`` and ``period``).
    """
    hint = pending.get("display_hint") if isinstance(pending.get("display_hint"), dict) else {}
    config = hint.get("config") if isinstance(hint.get("config"), dict) else {}
    payload = pending.get("payload")
    sources = [pending, pending.get("args"), config, payload, memo, run_input]
    opened = _parse_time(pending.get("opened_at")) or execution.start_time
    feedback = pending.get("feedback") if isinstance(pending.get("feedback"), dict) else None
    rows = None
    if isinstance(payload, list):
        rows = len(payload)
    elif isinstance(payload, dict):
        for key in ("rows", "lines", "line_items", "items", "entries"):
            if isinstance(payload.get(key), list):
                rows = len(payload[key])
                break
    return {
        "workflow_id": execution.id,
        "run_id": execution.run_id,
        "workflow_type": execution.workflow_type,
        "runbook": _text(memo.get("runbook")) or runbook_slug(execution.workflow_type),
        "entity": _first(sources, _ENTITY_KEYS),
        "period": _first(sources, _PERIOD_KEYS),
        "kind": _text(pending.get("kind")),
        "component": _text(hint.get("component")),
        "reason": _text(pending.get("reason")),
        "title": _text(config.get("title")),
        "step_id": _text(pending.get("step_id")),
        "gate_id": _text(pending.get("gate_id")),
        "opened_at": _iso(opened),
        "age_s": max(0.0, round((now - opened).total_seconds(), 1)) if opened else None,
        "deadline": _text(pending.get("deadline")),
        "started_at": _iso(execution.start_time),
        "task_queue": execution.task_queue,
        "rows": rows,
        "feedback_level": _text(feedback.get("level")) if feedback else None,
        "decidable": pending.get("kind") == "interactive_review",
    }


@dataclass
class InboxResult:
    """An inbox read. ``complete`` is False when the time budget ran out first: ``items`` are
    those answered so far and ``remaining`` how many workflows are still being read (None while
    the list itself is still coming); the read goes on and fills the cache for the next call."""

    items: list[dict[str, Any]]
    scanned: int
    queried: int
    errors: list[dict[str, str]]
    truncated: bool
    elapsed_ms: float
    fetched_at: str
    complete: bool = True
    remaining: int | None = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "count": len(self.items),
            "items": self.items,
            "complete": self.complete,
            "remaining": self.remaining,
            "scanned": self.scanned,
            "queried": self.queried,
            "errors": self.errors,
            "truncated": self.truncated,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "fetched_at": self.fetched_at,
        }


@dataclass
class _Cached:
    history_length: int
    pending: dict[str, Any] | None
    is_runbook: bool = True


@dataclass
class _Scan:
    """One read in progress (a partial answer is built from it when the budget runs out)."""

    use_cache: bool
    concurrency: asyncio.Semaphore
    started: float
    now: datetime
    client: Client | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    queried: int = 0
    scanned: int = 0
    answered: int = 0
    listed: bool = False
    unreachable: BaseException | None = None

    def partial(self) -> InboxResult:
        return InboxResult(
            items=_sorted(self.items),
            scanned=self.scanned,
            queried=self.queried,
            errors=list(self.errors),
            truncated=False,
            elapsed_ms=(time.perf_counter() - self.started) * 1000,
            fetched_at=_iso(self.now) or "",
            complete=False,
            remaining=self.scanned - self.answered if self.listed else None,
        )


def _sorted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: (item["opened_at"] or "", item["workflow_id"]))


class Inbox:
    """Reads the inbox for one cluster, with a per-run cache and one fetch at a time."""

    def __init__(self, cluster: Cluster, *, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.cluster = cluster
        self.concurrency = concurrency
        self._cache: dict[str, _Cached] = {}
        self._inputs: dict[str, Any] = {}
        self._failure: tuple[float, ClusterUnavailable] | None = None
        self._inflight: dict[tuple[int, bool], tuple[asyncio.Task[InboxResult], _Scan]] = {}

    def forget(self, workflow_id: str) -> None:
        """Drop cached answers for a workflow (after a decision was sent to it)."""
        for key in [k for k in self._cache if k.startswith(workflow_id + "\x00")]:
            del self._cache[key]

    async def fetch(
        self, limit: int = 5000, *, use_cache: bool = True, budget: float | None = None
    ) -> InboxResult:
        """The inbox now. Concurrent callers with the same arguments share one read.

        With ``budget`` (seconds), answer by then: if the read is not done, return what it has
        (``complete=False``) and let it finish in the background, filling the cache.
        """
        key = (limit, use_cache)
        entry = self._inflight.get(key)
        if entry is None:
            scan = _Scan(
                use_cache,
                asyncio.Semaphore(self.concurrency),
                time.perf_counter(),
                datetime.now(UTC),
            )
            task = asyncio.ensure_future(self._fetch(scan, limit))
            entry = (task, scan)
            self._inflight[key] = entry

            def finished(done: asyncio.Task[InboxResult]) -> None:
                self._inflight.pop(key, None)
                if done.cancelled():
                    return
                error = done.exception()  # retrieved: a background read that failed is not "lost"
                if isinstance(error, ClusterUnavailable):
                    self._failure = (time.monotonic(), error)
                elif error is None:
                    self._failure = None

            task.add_done_callback(finished)
        task, scan = entry
        if budget is None:
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), max(budget, 0.001))
        except TimeoutError:
            # A cluster that just failed (a black-holed address takes seconds to fail) is
            # reported as down while it is tried again, rather than as "still reading".
            if self._failure is not None and time.monotonic() - self._failure[0] < FAILURE_MEMORY_S:
                failed = self._failure[1]
                raise ClusterUnavailable(failed.message, address=failed.address) from None
            return scan.partial()

    async def _executions(
        self, client: Client, limit: int
    ) -> AsyncIterator[list[WorkflowExecution]]:
        page: list[WorkflowExecution] = []
        async for execution in client.list_workflows(
            RUNNING_QUERY,
            page_size=PAGE_SIZE,
            limit=limit + 1,
            rpc_timeout=timedelta(seconds=QUERY_TIMEOUT_S),
        ):
            page.append(execution)
            if len(page) >= PAGE_SIZE:
                yield page
                page = []
        if page:
            yield page

    async def _fetch(self, scan: _Scan, limit: int) -> InboxResult:
        use_cache = scan.use_cache
        client = scan.client = await self.cluster.client()
        now = scan.now
        seen: set[str] = set()
        truncated = False
        tasks: list[asyncio.Task[None]] = []
        try:
            async for page in self._executions(client, limit):
                for execution in page:
                    if scan.scanned >= limit:
                        truncated = True
                        break
                    scan.scanned += 1
                    seen.add(self._key(execution))
                    tasks.append(asyncio.ensure_future(self._one(scan, execution, now)))
            scan.listed = True
            await asyncio.gather(*tasks)
        except RPCError as err:
            for task in tasks:
                task.cancel()
            if is_unreachable(err):
                raise self.cluster.unavailable(err.message) from None
            raise
        if scan.unreachable is not None:
            raise self.cluster.unavailable(str(scan.unreachable))
        # Runs that are no longer running leave the cache.
        if use_cache:
            for key in [k for k in self._cache if k not in seen]:
                del self._cache[key]
            for key in [k for k in self._inputs if k not in seen]:
                del self._inputs[key]
        return InboxResult(
            items=_sorted(scan.items),
            scanned=scan.scanned,
            queried=scan.queried,
            errors=scan.errors,
            truncated=truncated,
            elapsed_ms=(time.perf_counter() - scan.started) * 1000,
            fetched_at=_iso(now) or "",
        )

    @staticmethod
    def _key(execution: WorkflowExecution) -> str:
        return f"{execution.id}\x00{execution.run_id}"

    async def _history_length(self, client: Client, execution: WorkflowExecution) -> int:
        response = await client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=client.namespace,
                execution=ExecutionRef(workflow_id=execution.id, run_id=execution.run_id or ""),
            ),
            retry=False,
            timeout=timedelta(seconds=QUERY_TIMEOUT_S),
        )
        return int(response.workflow_execution_info.history_length)

    async def _one(self, scan: _Scan, execution: WorkflowExecution, now: datetime) -> None:
        try:
            await self._read_one(scan, execution, now)
        finally:
            scan.answered += 1

    async def _read_one(self, scan: _Scan, execution: WorkflowExecution, now: datetime) -> None:
        assert scan.client is not None
        key = self._key(execution)
        cached: _Cached | None
        async with scan.concurrency:
            if scan.unreachable is not None:
                return
            try:
                if scan.use_cache:
                    length = await _retrying(lambda: self._history_length(scan.client, execution))
                    cached = self._cache.get(key)
                    if cached is None or cached.history_length != length:
                        pending, is_runbook = await _retrying(lambda: self._query(scan, execution))
                        cached = _Cached(length, pending, is_runbook)
                        self._cache[key] = cached
                else:  # fresh: ask every workflow now, and leave the cache as it is
                    pending, is_runbook = await _retrying(lambda: self._query(scan, execution))
                    cached = _Cached(-1, pending, is_runbook)
            except RPCError as err:
                if err.status == RPCStatusCode.UNAVAILABLE:  # the connection, not this workflow
                    scan.unreachable = err
                    return
                if err.status == RPCStatusCode.NOT_FOUND:  # closed meanwhile: not pending
                    return
                cached = self._last_known(scan, execution, key, err.message)
            except _NoAnswer as err:
                cached = self._last_known(scan, execution, key, str(err))
        if cached is not None and cached.pending:
            memo: dict[str, Any] = {}
            try:
                memo = dict(await execution.memo()) if execution.raw_info.memo.fields else {}
            except Exception:  # an undecodable memo does not hide the item
                memo = {}
            run_input = None
            if labels_missing(cached.pending, memo):
                async with scan.concurrency:
                    run_input = await self._run_input(scan.client, execution, key)
            scan.items.append(inbox_item(execution, cached.pending, memo, now, run_input))

    async def _run_input(self, client: Client, execution: WorkflowExecution, key: str) -> Any:
        """The run's first input argument (read once per run: it never changes), or None."""
        if key in self._inputs:
            return self._inputs[key]
        value: Any = None
        try:
            response = await client.workflow_service.get_workflow_execution_history(
                GetWorkflowExecutionHistoryRequest(
                    namespace=client.namespace,
                    execution=ExecutionRef(workflow_id=execution.id, run_id=execution.run_id or ""),
                    maximum_page_size=1,
                ),
                retry=False,
                timeout=timedelta(seconds=QUERY_TIMEOUT_S),
            )
            events = response.history.events
            if events and events[0].HasField("workflow_execution_started_event_attributes"):
                payloads = events[0].workflow_execution_started_event_attributes.input.payloads
                if payloads:
                    value = (await client.data_converter.decode([payloads[0]]))[0]
        except Exception:  # labels are a convenience: never fail the inbox for them
            return None
        self._inputs[key] = value if isinstance(value, dict) else None
        return self._inputs[key]

    def _last_known(
        self, scan: _Scan, execution: WorkflowExecution, key: str, problem: str
    ) -> _Cached | None:
        """A workflow that did not answer this time: report it, and keep its last known item."""
        cached = self._cache.get(key)
        shown = " (showing its last known state)" if cached is not None and cached.pending else ""
        scan.errors.append({"workflow_id": execution.id, "message": problem + shown})
        return cached

    async def _query(
        self, scan: _Scan, execution: WorkflowExecution
    ) -> tuple[dict[str, Any] | None, bool]:
        handle = scan.client.get_workflow_handle(execution.id, run_id=execution.run_id)
        scan.queried += 1
        try:
            pending = await handle.query(
                "current_pending_action", rpc_timeout=timedelta(seconds=QUERY_TIMEOUT_S)
            )
        except WorkflowQueryFailedError as err:
            if "unknown queryType" in str(err) or "current_pending_action" in str(err):
                return None, False  # not a runbook
            raise _NoAnswer(f"the pending-action query failed: {err}") from None
        except RPCError as err:
            if err.status == RPCStatusCode.DEADLINE_EXCEEDED:
                raise _NoAnswer(
                    f"no worker answered within {QUERY_TIMEOUT_S:g} s (is the worker for task "
                    f"queue {execution.task_queue!r} running?)"
                ) from None
            if err.status == RPCStatusCode.INVALID_ARGUMENT and "query" in err.message.lower():
                return None, False
            raise
        return (pending if isinstance(pending, dict) else None), True


class _NoAnswer(Exception):
    pass


# Refusals worth another try: the server sheds load (rate limits) or is briefly busy.
_TRANSIENT = {RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.ABORTED}
_BACKOFF_S = (0.1, 0.3, 0.8)


async def _retrying(call: Any) -> Any:
    """``await call()``, again after a short pause when the server sheds load."""
    for pause in (*_BACKOFF_S, None):
        try:
            return await call()
        except RPCError as err:
            if err.status not in _TRANSIENT or pause is None:
                raise
        await asyncio.sleep(pause)
