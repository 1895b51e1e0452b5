"""``Session``: the kernel's connection to Temporal, its workers and its live views.

Everything Temporal runs on one background event loop (:class:`LoopThread`) that keeps running
while the kernel is idle, so workers serve workflows between cells and live views refresh
without a cell running. Magics and widget callbacks reach it from whatever thread they run on
(the kernel's shell thread, a subshell thread, a script's main thread): blocking calls go
through ``loop.run``, widget intents through ``loop.submit`` and never block.

The same operations are the Python API: ``get_session().run("slug", input={...})`` is
``%ntro run slug --input '{...}'``.

Its parts: the errors (``_errors``), where it connects (``_target``), the connection that owns
the client and the workers (``_connection``) and the catalogue of loaded runbooks
(``_catalogue``). Connecting, the reviewer rule and sending decisions are :mod:`ntro.cluster`'s,
the same as for the CLI and the JupyterLab server extension.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from ntro import cluster
from ntro.cluster import CALL_TIMEOUT
from ntro.testing import signal_args
from ntro.workflow import PERSON_KINDS
from ntro_jupyter._session._catalogue import Catalogue
from ntro_jupyter._session._checks import CHECKS_WAIT_S, wait_for_checks
from ntro_jupyter._session._connection import Connection, OwnedServers, WorkerEntry
from ntro_jupyter._session._errors import (
    CLOSED_STATUSES,
    SessionError,
    cause_message,
    from_cluster,
    no_poller,
    one_line,
    rpc_error,
)
from ntro_jupyter._session._loop import LoopThread
from ntro_jupyter._session._runbooks import Runbook
from ntro_jupyter._session._target import Target

if TYPE_CHECKING:
    from ntro.cluster import DevServerStatus
    from ntro.testing import RunResult
    from ntro_jupyter._bridge import LiveView, RunHandle
    from ntro_jupyter._session._scenarios import RecordedRun, SavedScenario
    from ntro_jupyter.viewmodels import CorrectionDict

__all__ = ["CLOSED_STATUSES", "Session", "WorkflowSummary", "get_session"]

QUERY_TIMEOUT = timedelta(seconds=5)
# A query nobody answered: the server's deadline, or the client's ("Timeout expired").
_NO_ANSWER = (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


@dataclass
class WorkflowSummary:
    """One line of ``%ntro ls``."""

    workflow_id: str
    workflow_type: str
    status: str
    task_queue: str | None = None
    start_time: datetime | None = None
    pending: dict[str, Any] | None = None
    unanswered: str | None = None

    @property
    def waits_for_person(self) -> bool:
        return bool(self.pending) and (self.pending or {}).get("kind") in PERSON_KINDS

    def waiting_for(self) -> str:
        """``review in step 'review' (Review extracted lines)``, or ``""``."""
        pending = self.pending
        if not pending:
            return f"? ({self.unanswered})" if self.unanswered else ""
        kind = {
            "interactive_review": "review",
            "submit_file": "upload",
            "submit_files": "uploads",
            "drill_down": "child runbooks",
        }.get(str(pending.get("kind")), str(pending.get("kind")))
        text = kind
        if pending.get("step_id"):
            text += f" in step {pending['step_id']!r}"
        if pending.get("reason"):
            text += f" ({pending['reason']})"
        return text


def _status_name(status: WorkflowExecutionStatus | None) -> str:
    return status.name.lower() if status is not None else "unknown"


class Session:
    """The kernel's Temporal connection, workers and live views (one per kernel by default).

    Use :func:`get_session` for the kernel's session (what the magics use), or create one in a
    script. Every method is safe to call from any thread except the session's own loop.
    """

    #: How long an approval waits for its gate's quality checks still running (seconds).
    checks_wait_s: float = CHECKS_WAIT_S

    def __init__(
        self,
        target: Target | str | None = None,
        *,
        reviewer: str | None = None,
        store: Any = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.loop = LoopThread()
        self._environ = environ
        self._target = (
            target if isinstance(target, Target) else Target.parse(target, environ=environ)
        )
        self._reviewer = reviewer
        self._store = store
        self._conn: Connection | None = None
        self._conn_lock: asyncio.Lock | None = None
        self._catalogue = Catalogue()
        self._known: dict[str, str] = {}  # workflows started here -> task queue
        self._listeners: dict[str, set[Callable[[], None]]] = {}
        self._listeners_lock = threading.Lock()
        self._views: list[LiveView] = []
        self._observed: dict[str, dict[str, dict[str, Any]]] = {}
        self._query_locks: dict[str, asyncio.Lock] = {}
        self._closed = False
        self._servers = OwnedServers()  # dev servers this process started

    # ── configuration ──────────────────────────────────────────────────

    @property
    def target(self) -> Target:
        return self._target

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def _resolve_reviewer(self, explicit: str | None) -> cluster.Reviewer:
        """:func:`ntro.cluster.resolve_reviewer`, the one rule: never anonymous."""
        try:
            return cluster.resolve_reviewer(explicit, environ=self._environ)
        except cluster.ClusterError as err:
            raise from_cluster(err) from None

    def reviewer(self, explicit: str | None = None) -> str:
        """Who decisions are recorded as: argument, session setting, ``NTRO_REVIEWER``, user."""
        return self._resolve_reviewer(explicit if explicit is not None else self._reviewer).name

    def reviewer_source(self) -> str:
        if self._reviewer is not None:
            return "the session"
        return self._resolve_reviewer(None).source

    def set_reviewer(self, reviewer: str | None) -> None:
        if reviewer is not None:
            self._resolve_reviewer(reviewer)  # refuses an empty name
        self._reviewer = reviewer

    @property
    def store(self) -> Any:
        if self._store is None:
            from ntro.documents import DocumentStore

            self._store = DocumentStore()
        return self._store

    @property
    def runbooks(self) -> dict[str, Runbook]:
        """The current definition of each runbook, by slug."""
        return dict(self._catalogue.runbooks)

    def status(self) -> dict[str, Any]:
        """What ``%ntro status`` shows."""
        conn = self._conn
        try:
            reviewer = self._resolve_reviewer(self._reviewer)
            who = f"{reviewer.name} (from {reviewer.source})"
        except SessionError as err:
            who = f"none: {err}"
        return {
            "target": self._target.describe(),
            "connected": conn is not None,
            "address": conn.address if conn is not None else None,
            "ui_url": conn.dev_status.ui_url if conn and conn.dev_status else None,
            "reviewer": who,
            "runbooks": {slug: rb.task_queue for slug, rb in self._catalogue.runbooks.items()},
            "workers": conn.worker_states() if conn is not None else {},
            "live_views": [v.workflow_id for v in self._views if v.running],
        }

    # ── connecting ─────────────────────────────────────────────────────

    def connect(self, target: Target | str | None = None, **options: Any) -> str:
        """Switch to ``target`` (``harness``, ``dev``, ``host:port``, None: the environment's)
        and connect now; returns a line saying where. Live views of the old target stop."""
        new = (
            target
            if isinstance(target, Target)
            else Target.parse(target, environ=self._environ, **options)
        )
        return self.loop.run(self._switch(new))

    async def _switch(self, target: Target) -> str:
        await self._disconnect("the session switched to " + target.describe())
        self._target = target
        return (await self._ready()).describe()

    async def _ready(self) -> Connection:
        """The connection, connecting (and starting workers) on first use."""
        if self._closed:
            raise SessionError(
                "this session is closed; use ntro_jupyter.get_session() for a new one"
            )
        if self._conn_lock is None:
            self._conn_lock = asyncio.Lock()
        async with self._conn_lock:
            if self._conn is None:
                self._conn = await Connection.open(self._target, self._servers)
                for runbook in list(self._catalogue.runbooks.values()):
                    await self._ensure_worker(self._conn, runbook)
            else:
                await self._revive_workers(self._conn)
            return self._conn

    async def _revive_workers(self, conn: Connection) -> None:
        """Restart workers that stopped on an error (at most every 5 s each)."""
        for queue, entry in conn.stopped_workers(5.0):
            with contextlib.suppress(SessionError):
                await self._ensure_worker(conn, entry.runbook, queue)

    async def _disconnect(self, reason: str) -> None:
        for view in list(self._views):
            view.stop(reason)
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    def close(self) -> None:
        """Stop live views and workers, shut the harness server down, stop the loop."""
        if self._closed:
            return
        if self.loop.running:
            with contextlib.suppress(Exception):
                self.loop.run(self._disconnect("the session was closed"), timeout=20)
        self._closed = True
        self.loop.stop()
        self._servers.stop_all()

    # ── the dev server ─────────────────────────────────────────────────

    @staticmethod
    def dev_server(
        db_file: str | None = None,
        *,
        port: int = 7233,
        ui_port: int = 8233,
        namespace: str = "default",
        headless: bool = False,
    ) -> Any:
        from ntro.cluster import DevServer

        target = Target.dev(db_file, port=port, ui_port=ui_port, namespace=namespace)
        return DevServer(
            target.db_file, port=port, ui_port=ui_port, namespace=namespace, headless=headless
        )

    def server_start(
        self, db_file: str | None = None, *, detach: bool = False, **options: Any
    ) -> DevServerStatus:
        """Start the local dev server (persistent SQLite file, Web UI); returns its status.

        A server started here stops when this process (the kernel) ends, unless ``detach``;
        one that was already running is left as it is.
        """
        from ntro.cluster import DevServerError

        try:
            return self._servers.own(
                self.dev_server(db_file, **options).start(stop_with=None if detach else os.getpid())
            )
        except DevServerError as err:
            raise SessionError(one_line(str(err))) from None

    def server_stop(self, db_file: str | None = None, **options: Any) -> bool:
        """Stop the local dev server recorded for ``db_file``; False if none was running."""
        return bool(self.dev_server(db_file, **options).stop())

    def server_status(self, db_file: str | None = None, **options: Any) -> DevServerStatus:
        return self.dev_server(db_file, **options).status()

    # ── runbooks and workers ───────────────────────────────────────────

    def load(
        self,
        path: str | os.PathLike[str],
        *,
        children: Iterable[str | os.PathLike[str]] = (),
        workflow_class: str | None = None,
        task_queue: str | None = None,
        mock: bool = False,
    ) -> Runbook:
        """Load a bundle (and child bundles) and serve it with a worker on the session.

        Loading an unchanged bundle again reuses its worker; a changed one gets a new worker on
        a new task queue, and running workflows of the old version keep the old one.
        """
        catalogue = self._catalogue
        loaded_children = [catalogue.from_bundle(Path(c), None, None, mock) for c in children]
        runbook = catalogue.from_bundle(
            Path(path), workflow_class, task_queue, mock, loaded_children
        )
        notes = self.loop.run(self._install([*loaded_children, runbook]))
        runbook.notes = notes  # type: ignore[attr-defined]
        return runbook

    def define(
        self,
        code: str | type,
        *,
        namespace: dict[str, Any] | None = None,
        slug: str | None = None,
        activities: Iterable[Any] = (),
        mock: bool = False,
        task_queue: str | None = None,
    ) -> list[Runbook]:
        """Define runbooks from notebook code (what ``%%ntro runbook`` does) or a class.

        ``code`` is executed in ``namespace`` (the notebook's globals for the magic); every
        workflow class it defines becomes a runbook, served at once by a worker (hot reload).
        Notebook classes run with Temporal's unsandboxed runner: they have no module file for
        the sandbox to re-import.
        """
        runbooks = self._catalogue.from_code(
            code,
            namespace=namespace,
            slug=slug,
            activities=activities,
            mock=mock,
            task_queue=task_queue,
        )
        notes = self.loop.run(self._install(runbooks))
        for runbook in runbooks:
            runbook.notes = notes  # type: ignore[attr-defined]
        return runbooks

    async def _install(self, runbooks: list[Runbook]) -> list[str]:
        """Register runbooks by slug and start their workers; say what changed."""
        notes: list[str] = []
        for runbook in runbooks:
            previous = self._catalogue.add(runbook)
            if previous is not None:
                running = await self._running_on(previous.task_queue)
                notes.append(self._catalogue.redefined(runbook, previous, running))
        conn = await self._ready()
        for runbook in runbooks:
            await self._ensure_worker(conn, runbook)
        return notes

    async def _running_on(self, task_queue: str) -> list[str]:
        ids = []
        conn = self._conn
        for workflow_id, queue in list(self._known.items()):
            if queue != task_queue or conn is None:
                continue
            try:
                description = await conn.client.get_workflow_handle(workflow_id).describe(
                    rpc_timeout=QUERY_TIMEOUT
                )
            except Exception:  # noqa: BLE001 - best effort
                continue
            if description.status == WorkflowExecutionStatus.RUNNING:
                ids.append(workflow_id)
        return ids

    async def _ensure_worker(
        self, conn: Connection, runbook: Runbook, queue: str | None = None
    ) -> None:
        await conn.ensure_worker(
            runbook,
            self._catalogue.hosted(runbook),
            queue=queue,
            on_activation=self._on_activation,
            on_stop=self._worker_stopped,
        )

    def _worker_stopped(self, entry: WorkerEntry, err: BaseException | None) -> None:
        """A worker stopped on its own: the live views it served say so."""
        for view in list(self._views):
            if view.task_queue == entry.worker.task_queue and view.running:
                view.notify_error(
                    f"the worker for {entry.runbook.slug} stopped: "
                    f"{one_line(err) if err else 'shut down'}"
                )

    def worker_error(self, task_queue: str | None) -> str | None:
        conn = self._conn
        return conn.worker_error(task_queue) if conn is not None else None

    # ── activations (change notifications from this session's workers) ─

    def _on_activation(self, workflow_id: str, *_: Any) -> None:
        with self._listeners_lock:
            callbacks = list(self._listeners.get(workflow_id, ()))
        for callback in callbacks:
            callback()

    def add_listener(self, workflow_id: str, callback: Callable[[], None]) -> None:
        with self._listeners_lock:
            self._listeners.setdefault(workflow_id, set()).add(callback)

    def remove_listener(self, workflow_id: str, callback: Callable[[], None]) -> None:
        with self._listeners_lock:
            callbacks = self._listeners.get(workflow_id)
            if callbacks is not None:
                callbacks.discard(callback)
                if not callbacks:
                    del self._listeners[workflow_id]

    def _register_view(self, view: LiveView) -> None:
        """Track a new live view; an older one of the same workflow stops (a re-run cell
        leaves its old output's widget behind, which would otherwise poll forever)."""
        for old in self._views:
            if old is not view and old.workflow_id == view.workflow_id and old.running:
                old.stop("replaced by a newer view of this workflow")
        self._views = [v for v in self._views if v.running or v is view]
        if view not in self._views:
            self._views.append(view)

    def observe(self, state: dict[str, Any]) -> None:
        """Remember which component each step showed (``export`` writes it to runbook.md)."""
        slug = state.get("slug")
        if not isinstance(slug, str):
            return
        steps = self._observed.setdefault(slug, {})
        pending = state.get("pending_action") or {}
        hints = [(pending.get("step_id"), pending.get("display_hint"), pending.get("kind"))]
        for step_id, snapshot in (state.get("step_snapshots") or {}).items():
            if isinstance(snapshot, dict):
                hints.append((step_id, snapshot.get("display_hint"), None))
        for step_id, hint, kind in hints:
            if isinstance(step_id, str) and isinstance(hint, dict) and hint.get("component"):
                known = steps.setdefault(step_id, {})
                known["component"] = hint["component"]
                if kind in PERSON_KINDS or hint["component"] not in ("LOADING",):
                    known["responsibility"] = (
                        "human"
                        if kind in PERSON_KINDS or known.get("responsibility") == "human"
                        else known.get("responsibility", "system")
                    )

    # ── workflows ──────────────────────────────────────────────────────

    def _runbook(self, slug: str) -> Runbook:
        return self._catalogue.get(slug)

    def default_input(self, slug: str) -> Any:
        """A generated input for the run method's annotation (what the harness would send)."""
        from ntro.testing import MockValues, run_input_type
        from ntro.workflow import run_takes_input

        cls = self._runbook(slug).workflow_cls
        if not run_takes_input(cls):
            return None
        return MockValues(0).value_for(run_input_type(cls), "input")

    def _check_input(self, slug: str, value: Any) -> None:
        """Refuse an input that does not fit the run method's annotation, before starting."""
        from pydantic import TypeAdapter, ValidationError

        from ntro.testing import run_input_type

        hint = run_input_type(self._runbook(slug).workflow_cls)
        if hint is Any:
            return
        try:
            TypeAdapter(hint).validate_python(value)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "the input"
            name = getattr(hint, "__name__", str(hint))
            raise SessionError(
                f"the input does not fit {name}: {where}: {first.get('msg')} "
                f"({err.error_count()} problem(s)); nothing was started"
            ) from None
        except Exception:  # noqa: BLE001 - an annotation pydantic cannot check: let it through
            return

    def start(
        self,
        slug: str,
        input: Any = None,
        *,
        workflow_id: str | None = None,
        task_queue: str | None = None,
    ) -> str:
        """Start a run of ``slug`` and return its workflow id (no view)."""
        return self.loop.run(self._start(slug, input, workflow_id, task_queue))

    async def _start(
        self, slug: str, input: Any, workflow_id: str | None, task_queue: str | None
    ) -> str:
        from ntro.workflow import run_method, run_takes_input

        runbook = self._runbook(slug)
        conn = await self._ready()
        queue = task_queue or runbook.task_queue
        if queue == runbook.task_queue:
            await self._ensure_worker(conn, runbook)
        cls = runbook.workflow_cls
        if input is None and run_takes_input(cls):
            if conn.target.kind != "harness":
                raise SessionError(
                    f"runbook {slug!r} takes an input: pass --input JSON (or @file.json)"
                )
            input = self.default_input(slug)
        elif run_takes_input(cls):
            self._check_input(slug, input)
        workflow_id = workflow_id or f"{slug}-{uuid.uuid4().hex[:8]}"
        args = [input] if run_takes_input(cls) else []
        try:
            await conn.client.start_workflow(
                run_method(cls),
                args=args,
                id=workflow_id,
                task_queue=queue,
                memo={"ntro_slug": slug, "ntro_digest": runbook.digest},
                rpc_timeout=CALL_TIMEOUT,
            )
        except WorkflowAlreadyStartedError:
            raise SessionError(
                f"a workflow with id {workflow_id!r} is already running: attach to it with "
                f"%ntro attach {workflow_id}, or choose another --id"
            ) from None
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None
        self._known[workflow_id] = queue
        return workflow_id

    def run(
        self,
        slug: str,
        input: Any = None,
        *,
        workflow_id: str | None = None,
        task_queue: str | None = None,
        reviewer: str | None = None,
        live: bool = True,
    ) -> RunHandle:
        """Start a run and return its handle; ``handle.view`` is the live RunView."""
        from ntro_jupyter._bridge import RunHandle

        who = self.reviewer(reviewer)
        workflow_id = self.start(slug, input, workflow_id=workflow_id, task_queue=task_queue)
        queue = task_queue or self._catalogue.runbooks[slug].task_queue
        return RunHandle(self, workflow_id, reviewer=who, live=live, task_queue=queue)

    def attach(
        self,
        workflow_id: str,
        *,
        reviewer: str | None = None,
        live: bool = True,
        force: bool = False,
    ) -> RunHandle:
        """A live view of a workflow that is already running (after a kernel restart, say)."""
        from ntro_jupyter._bridge import RunHandle

        who = self.reviewer(reviewer)
        queue = self.loop.run(self._prepare_attach(workflow_id, force))
        return RunHandle(self, workflow_id, reviewer=who, live=live, task_queue=queue)

    async def _prepare_attach(self, workflow_id: str, force: bool) -> str:
        """Make sure something answers the workflow's queries; returns its task queue."""
        conn = await self._ready()
        handle = conn.client.get_workflow_handle(workflow_id)
        try:
            description = await handle.describe(rpc_timeout=CALL_TIMEOUT)
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None
        queue = description.task_queue
        wf_type = description.workflow_type
        entry = conn.workers.get(queue)
        if entry is not None and not entry.task.done():
            return queue
        candidates = self._catalogue.of_type(wf_type)
        memo: dict[str, Any] = {}
        with contextlib.suppress(Exception):
            memo = dict(await description.memo())
        started_digest = memo.get("ntro_digest")
        if candidates:
            match = next((rb for rb in candidates if rb.task_queue == queue), None)
            match = match or next((rb for rb in candidates if rb.digest == started_digest), None)
            if match is None and not force:
                current = (
                    self._catalogue.runbooks.get(str(memo.get("ntro_slug") or "")) or candidates[0]
                )
                raise SessionError(
                    f"{workflow_id} runs another version of runbook {current.slug!r} (task queue "
                    f"{queue}; this session serves {current.task_queue}). Load the version it "
                    f"started with, or attach with --force to serve it with the loaded one"
                )
            await self._ensure_worker(conn, match or candidates[0], queue)
            return queue
        # Not ours: a worker elsewhere may answer (a deployed runbook on a cluster).
        try:
            await self.query(workflow_id, "current_ui_state", timedelta(seconds=3))
        except (
            RPCError,
            WorkflowQueryFailedError,
            WorkflowQueryRejectedError,
            RPCTimeoutOrCancelledError,
        ) as err:
            detail = one_line(cause_message(err))
            raise SessionError(
                f"no worker answers {workflow_id} (workflow type {wf_type}, task queue {queue}): "
                f"load the bundle that defines it with %ntro load PATH, or start its worker "
                f"({detail})"
            ) from None
        return queue

    def handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        """The Temporal handle of a workflow (use on the session loop only)."""
        if self._conn is None:
            raise SessionError("not connected")
        return self._conn.client.get_workflow_handle(workflow_id)

    def _rpc_error(self, err: BaseException, workflow_id: str | None = None) -> SessionError:
        return rpc_error(err, self._target.describe(), workflow_id)

    async def query(self, workflow_id: str, name: str, timeout: timedelta = QUERY_TIMEOUT) -> Any:
        """One query, never two at once for the same workflow from this session.

        Why: the time-skipping test server drops some of several concurrent queries on a
        workflow that has just completed (they time out); a real server does not mind. A live
        view, a magic and a script asking at the same moment therefore take turns.
        """
        conn = await self._ready()
        lock = self._query_locks.get(workflow_id)
        if lock is None:
            lock = self._query_locks[workflow_id] = asyncio.Lock()
        async with lock:
            return await conn.client.get_workflow_handle(workflow_id).query(
                name, rpc_timeout=timeout
            )

    async def query_state(
        self, workflow_id: str, timeout: timedelta = QUERY_TIMEOUT
    ) -> dict[str, Any]:
        """One ``current_ui_state`` query (the one round trip of a refresh)."""
        try:
            return await self.query(workflow_id, "current_ui_state", timeout)
        except RPCError as err:
            if (err.status in _NO_ANSWER and "timeout" in (err.message or "").lower()) or (
                no_poller(err)
            ):
                raise self._no_answer(workflow_id, timeout) from None
            raise self._rpc_error(err, workflow_id) from None
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as err:
            raise SessionError(
                f"{workflow_id} cannot show a runbook view: {one_line(cause_message(err))}"
            ) from None
        except RPCTimeoutOrCancelledError:
            raise self._no_answer(workflow_id, timeout) from None

    @staticmethod
    def _no_answer(workflow_id: str, timeout: timedelta) -> SessionError:
        return SessionError(
            f"no worker answered {workflow_id} within {timeout.total_seconds():g} s (is its "
            f"runbook loaded in this session, or its worker running?)"
        )

    def state(self, workflow_id: str) -> dict[str, Any]:
        """The workflow's ``current_ui_state`` now."""
        return self.loop.run(self.query_state(workflow_id))

    def pending(self, workflow_id: str) -> dict[str, Any] | None:
        return self.state(workflow_id).get("pending_action")

    # ── decisions, row actions, uploads ────────────────────────────────

    async def submit_action(
        self,
        workflow_id: str,
        payload: dict[str, Any],
        update_id: str | None = None,
        attempts: int = cluster.DECISION_ATTEMPTS,
    ) -> dict[str, Any]:
        """Send a decision or row action as the ``submit_action`` update, through
        :func:`ntro.cluster.send_decision` (the one sender: the decision contract's checks, a
        stable update id so a retry is applied once, bounded retries on transient failures).

        An approval of a gate whose quality checks still run waits for them first (up to
        :attr:`checks_wait_s`; see :mod:`ntro_jupyter._session._checks`)."""
        conn = await self._ready()
        await wait_for_checks(self.query_state, workflow_id, payload, self.checks_wait_s)
        try:
            return await cluster.send_decision(
                conn.client.get_workflow_handle(workflow_id),
                payload,
                update_id=update_id,
                attempts=attempts,
            )
        except cluster.ClusterError as err:
            raise from_cluster(err) from None

    async def _open_review(self, workflow_id: str) -> dict[str, Any]:
        state = await self.query_state(workflow_id)
        pending = state.get("pending_action")
        if state.get("status") in CLOSED_STATUSES:
            raise SessionError(
                f"{workflow_id} has {state.get('status')}: there is nothing to decide"
            )
        if not pending or pending.get("kind") != "interactive_review":
            waiting = pending.get("kind") if pending else "nothing"
            raise SessionError(
                f"{workflow_id} has no open review (it waits for {waiting}); nothing was sent"
            )
        return pending

    def decide(
        self,
        workflow_id: str,
        action: str,
        *,
        corrections: Sequence[dict[str, Any]] = (),
        comment: str | None = None,
        reviewer: str | None = None,
        gate_id: str | None = None,
    ) -> dict[str, Any]:
        """Decide the open review of ``workflow_id`` (approve, reject or correct)."""
        from ntro_jupyter.viewmodels import build_decision

        who = self.reviewer(reviewer)

        async def send() -> dict[str, Any]:
            gate = gate_id
            if gate is None:
                gate = (await self._open_review(workflow_id)).get("gate_id")
            try:
                intent = build_decision(
                    action,
                    reviewer=who,
                    gate_id=gate,
                    corrections=[cast("CorrectionDict", dict(c)) for c in corrections],
                    comment=comment,
                )
            except (ValueError, TypeError) as err:
                raise SessionError(f"bad decision: {err}") from None
            result = await self.submit_action(workflow_id, dict(intent))
            self._poke_views(workflow_id)
            return result

        return self.loop.run(send())

    def approve(
        self,
        workflow_id: str,
        *,
        corrections: Sequence[dict[str, Any]] = (),
        comment: str | None = None,
        reviewer: str | None = None,
    ) -> dict[str, Any]:
        return self.decide(
            workflow_id, "approve", corrections=corrections, comment=comment, reviewer=reviewer
        )

    def reject(
        self, workflow_id: str, *, comment: str | None = None, reviewer: str | None = None
    ) -> dict[str, Any]:
        return self.decide(workflow_id, "reject", comment=comment, reviewer=reviewer)

    async def send_signal(self, intent: dict[str, Any], default_workflow: str) -> None:
        """Deliver an upload intent: the named signal with the document to its workflow."""
        conn = await self._ready()
        target = str(intent.get("signal_task_id") or default_workflow)
        name = intent.get("signal_name")
        if not name:
            state = await self.query_state(target)
            name = ((state.get("pending_action") or {}).get("args") or {}).get("signal_name")
            if not name:
                raise SessionError(f"{target} names no signal for this upload; nothing was sent")
        cls = None
        with contextlib.suppress(Exception):
            described = await conn.client.get_workflow_handle(target).describe(
                rpc_timeout=QUERY_TIMEOUT
            )
            cls = self._catalogue.class_of_type(described.workflow_type)
        document = dict(intent.get("payload") or {})
        try:
            await conn.client.get_workflow_handle(target).signal(
                str(name), args=signal_args(cls, str(name), document), rpc_timeout=CALL_TIMEOUT
            )
        except RPCError as err:
            raise self._rpc_error(err, target) from None
        self._poke_views(default_workflow)

    def _poke_views(self, workflow_id: str) -> None:
        for view in list(self._views):
            if view.workflow_id == workflow_id:
                view.poke()

    # ── reading ────────────────────────────────────────────────────────

    def history(self, workflow_id: str) -> list[dict[str, Any]]:
        """The audit trail: every decision, correction, row action, timeout and refusal."""

        async def read() -> list[dict[str, Any]]:
            try:
                return list(await self.query(workflow_id, "audit_trail"))
            except RPCError as err:
                raise self._rpc_error(err, workflow_id) from None
            except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as err:
                raise SessionError(
                    f"{workflow_id} has no audit trail: {one_line(cause_message(err))}"
                ) from None
            except RPCTimeoutOrCancelledError:
                raise SessionError(
                    f"no worker answered {workflow_id}: load its runbook first"
                ) from None

        return self.loop.run(read())

    def ls(
        self,
        *,
        pending: bool = False,
        limit: int = 50,
        query: str | None = None,
        review_filter: cluster.ReviewFilter | None = None,
    ) -> list[WorkflowSummary]:
        """Workflows, those waiting for a person first (with what they wait for).

        ``pending`` on a dev or remote cluster reads the visibility list, narrowed by
        ``review_filter`` (runbook, entity, period, age, who may decide)."""
        return self.loop.run(self._ls(pending, limit, query, review_filter))

    async def _ls(
        self,
        pending_only: bool,
        limit: int,
        query: str | None,
        review_filter: cluster.ReviewFilter | None = None,
    ) -> list[WorkflowSummary]:
        conn = await self._ready()
        if pending_only and query is None and conn.target.kind != "harness":
            return await self._pending_listed(conn.client, limit, review_filter)
        rows: list[WorkflowSummary] = []
        try:
            async for execution in conn.client.list_workflows(
                query or None, limit=limit, rpc_timeout=CALL_TIMEOUT
            ):
                rows.append(
                    WorkflowSummary(
                        execution.id,
                        execution.workflow_type,
                        _status_name(execution.status),
                        execution.task_queue,
                        execution.start_time,
                    )
                )
        except RPCError as err:
            if err.status != RPCStatusCode.UNIMPLEMENTED:
                raise self._rpc_error(err) from None
            # The time-skipping server has no visibility store: list what this session started.
            for workflow_id in list(self._known)[-limit:]:
                try:
                    d = await conn.client.get_workflow_handle(workflow_id).describe(
                        rpc_timeout=QUERY_TIMEOUT
                    )
                except RPCError:
                    continue
                rows.append(
                    WorkflowSummary(
                        workflow_id,
                        d.workflow_type,
                        _status_name(d.status),
                        d.task_queue,
                        d.start_time,
                    )
                )
        semaphore = asyncio.Semaphore(8)

        async def pending_of(row: WorkflowSummary) -> None:
            if row.status != "running":
                return
            async with semaphore:
                try:
                    row.pending = await self.query(
                        row.workflow_id, "current_pending_action", timedelta(seconds=2)
                    )
                except (RPCError, RPCTimeoutOrCancelledError) as err:
                    status = getattr(err, "status", RPCStatusCode.DEADLINE_EXCEEDED)
                    if status in _NO_ANSWER or no_poller(err):
                        row.unanswered = "no worker answers: %ntro load its runbook"
                except Exception:  # noqa: BLE001 - not an ntro workflow: nothing to show
                    pass

        await asyncio.gather(*(pending_of(r) for r in rows))
        if pending_only:
            rows = [r for r in rows if r.waits_for_person]
        order = {"running": 1}
        rows.sort(
            key=lambda r: (
                0 if r.waits_for_person else order.get(r.status, 2),
                -(r.start_time.timestamp() if r.start_time else 0),
            )
        )
        return rows

    async def _pending_listed(
        self, client: Client, limit: int, review_filter: cluster.ReviewFilter | None
    ) -> list[WorkflowSummary]:
        """Runs waiting for a person, from the cluster's visibility list: one call per page,
        no worker asked, so a run whose worker is down is listed too (and says so)."""
        try:
            found = await cluster.pending_reviews(client, review_filter, limit=limit)
        except RPCError as err:
            raise self._rpc_error(err) from None
        rows = []
        for row in found:
            started = row["started_at"]
            rows.append(
                WorkflowSummary(
                    row["workflow_id"],
                    row["workflow_type"],
                    "running",
                    row["task_queue"],
                    datetime.fromisoformat(started.replace("Z", "+00:00")) if started else None,
                    pending=cluster.row_pending(row),
                    unanswered=f"no worker polls task queue {row['task_queue']!r}"
                    if row["worker_down"]
                    else None,
                )
            )
        return rows

    def result(self, workflow_id: str, timeout: float | None = None) -> Any:
        """Block until the workflow closes; its result (raises SessionError if it failed)."""
        return self.loop.run(self.result_async(workflow_id), timeout)

    async def result_async(self, workflow_id: str) -> Any:
        conn = await self._ready()
        handle = conn.client.get_workflow_handle(workflow_id)
        try:
            if conn.target.kind == "harness":
                # The test server ends a result long poll early while time skipping is locked
                # (and unlocking it would fire pending reviews' timeouts): wait for the close
                # here, woken by this session's worker, then read the result.
                await self._wait_closed(workflow_id)
            return await handle.result()
        except WorkflowFailureError as err:
            raise SessionError(f"{workflow_id} failed: {one_line(cause_message(err))}") from None
        except RPCError as err:
            raise self._rpc_error(err, workflow_id) from None

    async def _wait_closed(self, workflow_id: str) -> None:
        conn = await self._ready()
        handle = conn.client.get_workflow_handle(workflow_id)
        changed = asyncio.Event()
        loop = asyncio.get_running_loop()

        def wake() -> None:
            loop.call_soon_threadsafe(changed.set)

        self.add_listener(workflow_id, wake)
        woke = False
        try:
            while True:
                changed.clear()
                description = await handle.describe(rpc_timeout=CALL_TIMEOUT)
                if description.status != WorkflowExecutionStatus.RUNNING:
                    return
                # Right after an activation the server may not have its completion yet.
                try:
                    await asyncio.wait_for(changed.wait(), 0.05 if woke else 1.0)
                    woke = True
                except TimeoutError:
                    woke = False
        finally:
            self.remove_listener(workflow_id, wake)

    # ── tests, export, scenarios ───────────────────────────────────────

    def test(
        self,
        path: str | os.PathLike[str],
        *,
        scenarios: Sequence[str] = (),
        children: Sequence[str | os.PathLike[str]] = (),
        timeout: float = 60.0,
        on_start: Callable[[int, list[str]], None] | None = None,
        on_result: Callable[[RunResult], None] | None = None,
    ) -> list[RunResult]:
        """Run a bundle's scenarios on a fresh time-skipping server (HAPPY and REJECT_ALL by
        default); ``on_start(total, names)`` and ``on_result(result)`` report progress."""
        from ntro.runbook import RunbookError, load_bundle
        from ntro.testing import HarnessError, bundle_scenarios, run_bundle, select_scenarios

        try:
            bundle = load_bundle(Path(path), reload=True)
            selected = select_scenarios(bundle_scenarios(bundle), list(scenarios))
        except (RunbookError, HarnessError) as err:
            raise SessionError(one_line(str(err))) from None
        names = [s.name for s in selected]
        if on_start is not None:
            on_start(len(names), names)

        async def go() -> list[RunResult]:
            for attempt in (1, 2):
                try:
                    return await run_bundle(
                        Path(path),
                        children=[Path(c) for c in children],
                        scenario_names=names,
                        timeout=timeout,
                        on_result=on_result if attempt == 1 else None,
                    )
                except (RunbookError, HarnessError) as err:
                    raise SessionError(one_line(str(err))) from None
                except RPCError as err:
                    # A scenario that fails is a result, not an exception: an RPC error is the
                    # test server's (it occasionally loses an update). Run once more.
                    if attempt == 2:
                        raise SessionError(
                            f"the harness test server failed twice: {one_line(err.message)}"
                        ) from None
            raise AssertionError("unreachable")

        return self.loop.run(go())

    def export(self, slug: str, directory: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write a notebook-defined runbook out as a bundle ``ntro runbook validate`` accepts."""
        from ntro_jupyter._session._export import export_runbook

        runbook = self._runbook(slug)
        path = export_runbook(
            runbook,
            Path(directory),
            observed=self._observed.get(slug, {}),
            author=self._author(),
            force=force,
        )
        return path

    def _author(self) -> str:
        try:
            return self.reviewer()
        except SessionError:
            return "ntro"

    def save_scenario(
        self,
        name: str,
        workflow_id: str,
        *,
        bundle: str | os.PathLike[str] | None = None,
        force: bool = False,
    ) -> SavedScenario:
        """Record the decisions taken on ``workflow_id`` as scenario ``name`` in the bundle's
        ``tests/scenarios.py``, so a real review becomes a regression test.

        The scenario is replayed once on a fresh harness before it is kept: corrections to rows
        the auto-mocked activities do not produce are left out (commented), so the saved test
        passes. Returns a ``SavedScenario`` (``path``, ``replays``, ``note``)."""
        from ntro_jupyter._session._scenarios import save_scenario

        record = self.loop.run(self._recorded_run(workflow_id))
        runbook = self._catalogue.bundle_for_type(record.workflow_type)
        return self.loop.run(
            save_scenario(
                name,
                record,
                runbook=runbook,
                bundle=Path(bundle) if bundle is not None else None,
                force=force,
            )
        )

    async def _recorded_run(self, workflow_id: str) -> RecordedRun:
        """What a scenario records of ``workflow_id``: its type, input and audit trails."""
        from ntro_jupyter._session._scenarios import RecordedRun

        conn = await self._ready()
        handle = conn.client.get_workflow_handle(workflow_id)
        try:
            description = await handle.describe()
        except Exception as err:  # noqa: BLE001 - RPC errors mapped
            raise self._rpc_error(err, workflow_id) from None
        audits: list[list[dict[str, Any]]] = []
        queue, seen = [workflow_id], set()
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            state = await self.query_state(current)
            audits.append(list(state.get("audit_trail") or []))
            for children in (state.get("children_by_step_id") or {}).values():
                queue += [
                    str(child["workflow_id"])
                    for child in children or []
                    if isinstance(child, dict) and child.get("workflow_id")
                ]
        has_input, run_input = False, None
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                payloads = event.workflow_execution_started_event_attributes.input.payloads
                if payloads:
                    values = await conn.client.data_converter.decode(list(payloads))
                    has_input, run_input = True, values[0] if values else None
            break
        return RecordedRun(workflow_id, description.workflow_type, audits, has_input, run_input)

    def bundle_for_type(self, workflow_type: str) -> Runbook | None:
        return self._catalogue.bundle_for_type(workflow_type)

    async def connection(self) -> Connection:
        return await self._ready()

    def __repr__(self) -> str:
        state = "connected" if self._conn else "not connected"
        count = len(self._catalogue.runbooks)
        return f"<ntro Session {self._target.kind} ({state}), {count} runbook(s)>"


# ── the kernel's session ────────────────────────────────────────────────

_default: Session | None = None
_default_lock = threading.Lock()


def get_session() -> Session:
    """The process's session (what the ``%ntro`` magics use), created on first use."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = Session()
        return _default


def _close_default() -> None:
    session = _default
    if session is not None and not session._closed:
        with contextlib.suppress(Exception):
            session.close()


atexit.register(_close_default)
