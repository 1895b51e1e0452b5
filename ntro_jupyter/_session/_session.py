"""``Session``: the kernel's connection to Temporal, its workers and its live views.

Everything Temporal runs on one background event loop (:class:`LoopThread`) that keeps running
while the kernel is idle, so workers serve workflows between cells and live views refresh
without a cell running. Magics and widget callbacks reach it from whatever thread they run on
(the kernel's shell thread, a subshell thread, a script's main thread): blocking calls go
through ``loop.run``, widget intents through ``loop.submit`` and never block.

The same operations are the Python API: ``get_session().run("slug", input={...})`` is
``%ntro run slug --input '{...}'``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import linecache
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from ntro.testing._harness import mock_activity, signal_args, unknown_activity
from ntro_jupyter._session._loop import LoopThread
from ntro_jupyter._session._runbooks import (
    Runbook,
    activity_name_of,
    bundle_digest,
    class_source,
    defined_in,
    referenced_slugs,
    source_digest,
    unique_by_name,
    workflow_type_of,
)
from ntro_jupyter._session._target import (
    ClusterUnreachable,
    SessionError,
    Target,
    WorkflowNotFound,
    resolve_reviewer,
)

if TYPE_CHECKING:
    from temporalio.testing import WorkflowEnvironment

    from ntro._devserver import DevServerStatus
    from ntro.testing import RunResult
    from ntro_jupyter._bridge import LiveView, RunHandle

__all__ = [
    "DecisionRefused",
    "Session",
    "WorkflowSummary",
    "get_session",
]

QUERY_TIMEOUT = timedelta(seconds=5)
CALL_TIMEOUT = timedelta(seconds=10)
CONNECT_TIMEOUT_S = 10.0
# Person-facing gate kinds (a drill-down waits for child runbooks, not for a person).
PERSON_KINDS = ("interactive_review", "submit_file", "submit_files")
# A query nobody answered: the server's deadline, or the client's ("Timeout expired").
_NO_ANSWER = (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


def _no_poller(err: BaseException) -> bool:
    """The server says at once that nobody polls the task queue (a dev server started again
    after the kernel that served the workflow stopped answers this instead of timing out)."""
    return getattr(err, "status", None) == RPCStatusCode.FAILED_PRECONDITION and "no poller" in (
        getattr(err, "message", "") or ""
    )


CLOSED_STATUSES = ("completed", "failed", "canceled", "terminated", "continued_as_new", "timed_out")


class DecisionRefused(SessionError):
    """The workflow refused a decision or row action; ``reason`` is its validator's message."""

    def __init__(self, workflow_id: str, reason: str) -> None:
        super().__init__(f"{workflow_id} refused the decision: {reason}")
        self.workflow_id = workflow_id
        self.reason = reason


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


@dataclass
class _WorkerEntry:
    worker: Worker
    task: asyncio.Task[None]
    runbook: Runbook
    executor: ThreadPoolExecutor | None = None
    error: str | None = None
    started: float = 0.0


@dataclass
class _Connection:
    target: Target
    client: Client
    env: WorkflowEnvironment | None = None
    dev_status: DevServerStatus | None = None
    workers: dict[str, _WorkerEntry] = field(default_factory=dict)


def _status_name(status: WorkflowExecutionStatus | None) -> str:
    return status.name.lower() if status is not None else "unknown"


def _cause_message(err: BaseException) -> str:
    cause = getattr(err, "cause", None)
    message = getattr(cause, "message", None) or (str(cause) if cause else "") or str(err)
    return message


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _connect_detail(err: BaseException) -> str:
    """The useful part of a connection error (not the transport's debug dump)."""
    text = _one_line(str(err)) or type(err).__name__
    lowered = text.lower()
    if "connection refused" in lowered:
        return "connection refused (nothing listens there)"
    if "dns" in lowered or "failed to lookup" in lowered or "name or service not known" in lowered:
        return "unknown host"
    if "invalidcontenttype" in lowered or "invaliddata" in lowered:
        return "the server does not speak TLS (connect without --tls / API key, or check the port)"
    if "tls" in lowered or "certificate" in lowered or "handshake" in lowered:
        return "TLS handshake failed (check --tls and the certificate)"
    if "unauthenticated" in lowered or "permission" in lowered or "api key" in lowered:
        return "not authorised (check the API key and the namespace)"
    return text if len(text) <= 200 else text[:200] + "..."


class Session:
    """The kernel's Temporal connection, workers and live views (one per kernel by default).

    Use :func:`get_session` for the kernel's session (what the magics use), or create one in a
    script. Every method is safe to call from any thread except the session's own loop.
    """

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
        self._conn: _Connection | None = None
        self._conn_lock: asyncio.Lock | None = None
        self._runbooks: dict[str, Runbook] = {}
        self._units: dict[str, Runbook] = {}  # every definition by task queue
        self._known: dict[str, str] = {}  # workflows started here -> task queue
        self._listeners: dict[str, set[Callable[[], None]]] = {}
        self._listeners_lock = threading.Lock()
        self._views: list[LiveView] = []
        self._observed: dict[str, dict[str, dict[str, Any]]] = {}
        self._query_locks: dict[str, asyncio.Lock] = {}
        self._cells = 0
        self._closed = False
        self._servers: list[DevServerStatus] = []  # dev servers this process started

    # ── configuration ──────────────────────────────────────────────────

    @property
    def target(self) -> Target:
        return self._target

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def reviewer(self, explicit: str | None = None) -> str:
        """Who decisions are recorded as: argument, session setting, ``NTRO_REVIEWER``, user."""
        return resolve_reviewer(
            explicit if explicit is not None else self._reviewer, self._environ
        )[0]

    def reviewer_source(self) -> str:
        return (
            resolve_reviewer(self._reviewer, self._environ)[1]
            if self._reviewer is None
            else "the session"
        )

    def set_reviewer(self, reviewer: str | None) -> None:
        if reviewer is not None:
            resolve_reviewer(reviewer)  # refuses an empty name
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
        return dict(self._runbooks)

    def status(self) -> dict[str, Any]:
        """What ``%ntro status`` shows."""
        conn = self._conn
        workers = {}
        if conn is not None:
            for queue, entry in conn.workers.items():
                workers[queue] = entry.error or ("running" if not entry.task.done() else "stopped")
        try:
            reviewer, source = resolve_reviewer(self._reviewer, self._environ)
            who = f"{reviewer} (from {source})"
        except SessionError as err:
            who = f"none: {err}"
        return {
            "target": self._target.describe(),
            "connected": conn is not None,
            "address": self._address(conn),
            "ui_url": conn.dev_status.ui_url if conn and conn.dev_status else None,
            "reviewer": who,
            "runbooks": {slug: rb.task_queue for slug, rb in self._runbooks.items()},
            "workers": workers,
            "live_views": [v.workflow_id for v in self._views if v.running],
        }

    @staticmethod
    def _address(conn: _Connection | None) -> str | None:
        if conn is None:
            return None
        if conn.dev_status is not None:
            return conn.dev_status.address
        return conn.target.address or conn.client.service_client.config.target_host

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
        conn = await self._ready()
        return self._describe_connection(conn)

    def _describe_connection(self, conn: _Connection) -> str:
        target = conn.target
        if target.kind == "dev" and conn.dev_status is not None:
            status = conn.dev_status
            ui = f"; Web UI {status.ui_url}" if status.ui_url else ""
            return (
                f"Connected to the local dev server at {status.address} (namespace "
                f"{status.namespace}{ui}; database {status.db_file})"
            )
        if target.kind == "harness":
            return "Connected to the harness (Temporal time-skipping test server, in memory)"
        return f"Connected to {target.describe()}"

    async def _ready(self) -> _Connection:
        """The connection, connecting (and starting workers) on first use."""
        if self._closed:
            raise SessionError(
                "this session is closed; use ntro_jupyter.get_session() for a new one"
            )
        if self._conn_lock is None:
            self._conn_lock = asyncio.Lock()
        async with self._conn_lock:
            if self._conn is None:
                self._conn = await self._open(self._target)
                for runbook in list(self._runbooks.values()):
                    await self._ensure_worker(self._conn, runbook)
            else:
                await self._revive_workers(self._conn)
            return self._conn

    async def _revive_workers(self, conn: _Connection) -> None:
        """Restart workers that stopped on an error (at most every 5 s each)."""
        now = asyncio.get_running_loop().time()
        for queue, entry in list(conn.workers.items()):
            if not entry.task.done() or entry.task.cancelled() or now - entry.started < 5:
                continue
            with contextlib.suppress(SessionError):
                await self._ensure_worker(conn, entry.runbook, queue)

    async def _open(self, target: Target) -> _Connection:
        from temporalio.contrib.pydantic import pydantic_data_converter

        from ntro.testing._harness import quiet_runtime

        if target.kind == "harness":
            from ntro.testing import start_environment

            try:
                env = await start_environment("time-skipping")
            except Exception as err:  # noqa: BLE001 - binary missing, cannot start
                raise SessionError(
                    f"could not start the harness test server: {_one_line(str(err))}"
                ) from None
            # A client without the environment's interceptor: that one unlocks time skipping
            # while awaiting a result, which would fire a pending review's 24 h timeout at once.
            client = Client(
                env.client.service_client,
                namespace=env.client.namespace,
                data_converter=env.client.data_converter,
            )
            return _Connection(target, client, env=env)
        status = None
        if target.kind == "dev":
            status = self._own(
                await asyncio.get_running_loop().run_in_executor(None, self._start_dev, target)
            )
            address = status.address
        else:
            assert target.address is not None
            address = target.address
        try:
            client = await asyncio.wait_for(
                Client.connect(
                    address,
                    namespace=target.namespace,
                    api_key=target.api_key,
                    tls=target.tls,
                    data_converter=pydantic_data_converter,
                    runtime=quiet_runtime(),
                ),
                CONNECT_TIMEOUT_S,
            )
        except TimeoutError:
            raise ClusterUnreachable(
                f"cannot reach the Temporal cluster at {address} (namespace {target.namespace}): "
                f"no answer within {CONNECT_TIMEOUT_S:g} s. Check the address, --tls and the API "
                f"key, or use %ntro connect harness"
            ) from None
        except Exception as err:  # noqa: BLE001 - refused, DNS, TLS: all "cannot reach"
            raise ClusterUnreachable(
                f"cannot reach the Temporal cluster at {address} (namespace {target.namespace}): "
                f"{_connect_detail(err)}. Check the address, --tls and the API key, or use "
                f"%ntro connect harness"
            ) from None
        await self._check_namespace(client, target, address)
        return _Connection(target, client, dev_status=status)

    @staticmethod
    async def _check_namespace(client: Client, target: Target, address: str) -> None:
        """A namespace that does not exist is said at connect time, not at the first call."""
        from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

        try:
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=target.namespace), timeout=CALL_TIMEOUT
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise SessionError(
                    f"namespace {target.namespace!r} does not exist on the Temporal cluster at "
                    f"{address}: pass --namespace (or set TEMPORAL_NAMESPACE)"
                ) from None
            if err.status in (RPCStatusCode.UNAUTHENTICATED,):
                raise ClusterUnreachable(
                    f"the Temporal cluster at {address} refused the credentials: "
                    f"{_one_line(err.message)}. Check the API key and the namespace"
                ) from None
            # PERMISSION_DENIED and the like: the key may not describe namespaces; go on.

    @staticmethod
    def _start_dev(target: Target) -> DevServerStatus:
        from ntro._devserver import DevServer, DevServerError

        server = DevServer(
            target.db_file, port=target.port, ui_port=target.ui_port, namespace=target.namespace
        )
        try:
            return server.start(stop_with=os.getpid())  # a server started here ends with us
        except DevServerError as err:
            raise SessionError(
                f"could not start the local dev server: {_one_line(str(err))}"
            ) from None

    async def _disconnect(self, reason: str) -> None:
        for view in list(self._views):
            view.stop(reason)
        conn, self._conn = self._conn, None
        if conn is None:
            return
        for entry in conn.workers.values():
            await self._stop_worker(entry)
        if conn.env is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.env.shutdown(), 10)

    @staticmethod
    async def _stop_worker(entry: _WorkerEntry) -> None:
        if not entry.task.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(entry.worker.shutdown(), 10)
        entry.task.cancel()
        with contextlib.suppress(BaseException):
            await entry.task
        if entry.executor is not None:
            entry.executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop live views and workers, shut the harness server down, stop the loop."""
        if self._closed:
            return
        if self.loop.running:
            with contextlib.suppress(Exception):
                self.loop.run(self._disconnect("the session was closed"), timeout=20)
        self._closed = True
        self.loop.stop()
        self._stop_servers()

    def _own(self, status: DevServerStatus) -> DevServerStatus:
        """Remember a server this process started: it stops when the session closes (the
        kernel's exit; a watchdog stops it too if the kernel dies without closing)."""
        if status.stops_with == os.getpid() and status not in self._servers:
            self._servers.append(status)
        return status

    def _stop_servers(self) -> None:
        from ntro._devserver import DevServer

        for status in self._servers:
            with contextlib.suppress(Exception):
                DevServer(status.db_file).stop()
        self._servers.clear()
        # The embedded PostgreSQL that activities run in this kernel started: only when
        # ntro.data was used here (importing it would cost the kernel's exit for nothing).
        data = sys.modules.get("ntro.data")
        if data is not None:
            with contextlib.suppress(Exception):
                data.stop_started_here()

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
        from ntro._devserver import DevServer

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
        from ntro._devserver import DevServerError

        try:
            return self._own(
                self.dev_server(db_file, **options).start(stop_with=None if detach else os.getpid())
            )
        except DevServerError as err:
            raise SessionError(_one_line(str(err))) from None

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
        loaded_children = [self._load_bundle(Path(c), None, None, mock) for c in children]
        runbook = self._load_bundle(Path(path), workflow_class, task_queue, mock, loaded_children)
        notes = self.loop.run(self._install([*loaded_children, runbook]))
        runbook.notes = notes  # type: ignore[attr-defined]
        return runbook

    def _load_bundle(
        self,
        path: Path,
        workflow_class: str | None,
        task_queue: str | None,
        mock: bool,
        children: list[Runbook] | None = None,
    ) -> Runbook:
        from ntro.runbook import RunbookError, load_bundle
        from ntro.runbook._loader import bundle_dir_of

        try:
            bundle_dir = bundle_dir_of(path)
            digest = bundle_digest(bundle_dir)
            current = next(
                (
                    rb
                    for rb in self._runbooks.values()
                    if rb.path == bundle_dir and rb.own_digest == digest
                ),
                None,
            )
            if (
                current is not None
                and current.mock == mock
                and (task_queue is None or current.pinned_queue == task_queue)
            ):
                bundle = current.bundle
            else:
                bundle = load_bundle(bundle_dir, workflow_class=workflow_class, reload=True)
        except RunbookError as err:
            raise SessionError(_one_line(str(err))) from None
        source = ""
        module = getattr(bundle, "workflow_module", None)
        if module is not None and getattr(module, "__file__", None):
            source = Path(module.__file__).read_text(encoding="utf-8", errors="replace")
        kids = list(children or [])
        for slug in referenced_slugs(source):
            if slug != bundle.slug and slug in self._runbooks and all(k.slug != slug for k in kids):
                kids.append(self._runbooks[slug])
        if (
            current is not None
            and current.bundle is bundle
            and [k.digest for k in current.children] == [k.digest for k in kids]
        ):
            return current
        return Runbook(
            slug=bundle.slug,
            workflow_cls=bundle.workflow_cls,
            activities=list(bundle.activities),
            origin="bundle",
            own_digest=digest,
            children=kids,
            path=bundle_dir,
            source=source,
            mock=mock,
            pinned_queue=task_queue,
            bundle=bundle,
        )

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
        from ntro.workflow import slug_for_class

        if isinstance(code, type):
            classes, found, source = [code], list(activities), class_source(code)
        else:
            source = code
            ns = namespace if namespace is not None else {"__name__": "__main__"}
            before = {k: id(v) for k, v in ns.items()}
            self._cells += 1
            filename = f"<ntro runbook cell {self._cells}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            exec(compile(source, filename, "exec"), ns)  # noqa: S102 - the user's own cell
            classes, found = defined_in(ns, before)
            found += list(activities)
            if not classes:
                raise SessionError(
                    "the cell defines no runbook: define a class decorated with @runbook.defn "
                    "(or @workflow.defn) that subclasses NtroWorkflow"
                )
        if slug is not None and len(classes) > 1:
            named = [c for c in classes if slug_for_class(c) == slug]
            if len(named) != 1:
                raise SessionError(
                    f"--slug {slug!r} is ambiguous: the cell defines {len(classes)} runbooks "
                    f"({', '.join(c.__name__ for c in classes)}); name each with __ntro_slug__"
                )
        runbooks = []
        for cls in classes:
            cls_slug = (
                slug
                if (slug is not None and (len(classes) == 1 or slug_for_class(cls) == slug))
                else slug_for_class(cls)
            )
            own = [a for a in found if getattr(a, "__module__", None) == cls.__module__] or list(
                found
            )
            kids = [
                self._runbooks[s]
                for s in referenced_slugs(source)
                if s in self._runbooks and s != cls_slug
            ]
            runbooks.append(
                Runbook(
                    slug=cls_slug,
                    workflow_cls=cls,
                    activities=own,
                    origin="cell" if not isinstance(code, type) else "class",
                    own_digest=source_digest(source, cls.__qualname__),
                    children=kids,
                    source=source,
                    mock=mock,
                    pinned_queue=task_queue,
                )
            )
        notes = self.loop.run(self._install(runbooks))
        for runbook in runbooks:
            runbook.notes = notes  # type: ignore[attr-defined]
        return runbooks

    async def _install(self, runbooks: list[Runbook]) -> list[str]:
        """Register runbooks by slug and start their workers; say what changed."""
        from ntro.workflow import register_workflow

        notes: list[str] = []
        for runbook in runbooks:
            previous = self._runbooks.get(runbook.slug)
            register_workflow(runbook.slug, runbook.workflow_cls)
            self._runbooks[runbook.slug] = runbook
            self._units[runbook.task_queue] = runbook
            if previous is not None and previous.task_queue != runbook.task_queue:
                running = await self._running_on(previous.task_queue)
                line = f"runbook {runbook.slug!r} redefined: new runs use the new definition"
                if running:
                    line += (
                        f"; {len(running)} running workflow(s) keep the previous one "
                        f"(task queue {previous.task_queue}): {', '.join(running[:3])}"
                    )
                    if len(running) > 3:
                        line += ", ..."
                parents = [
                    rb.slug
                    for rb in self._runbooks.values()
                    if any(c.slug == runbook.slug for c in rb.children) and rb is not runbook
                ]
                if parents:
                    line += f"; runbooks that start it ({', '.join(parents)}) use it once reloaded"
                notes.append(line)
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

    def _hosted(self, runbook: Runbook) -> tuple[list[type], list[Any]]:
        """Workflow classes and activities a runbook's worker serves: its own, its children's,
        then the other runbooks' current ones (so any child started by slug finds a worker)."""
        tree = runbook.tree()
        others = [rb for slug, rb in self._runbooks.items() if all(t.slug != slug for t in tree)]
        workflows = unique_by_name([rb.workflow_cls for rb in [*tree, *others]], workflow_type_of)
        activities = unique_by_name(
            [a for rb in [*tree, *others] for a in rb.activities], activity_name_of
        )
        return workflows, activities

    async def _ensure_worker(
        self, conn: _Connection, runbook: Runbook, queue: str | None = None
    ) -> None:
        queue = queue or runbook.task_queue
        entry = conn.workers.get(queue)
        if entry is not None and not entry.task.done():
            return
        from ntro.testing._activations import NotifyingRunner

        workflows, activities = self._hosted(runbook)
        if runbook.mock:
            from ntro.testing import MockValues

            values = MockValues(0)
            activities = [mock_activity(fn, values) for fn in activities] + [unknown_activity]
        executor = None
        if any(not asyncio.iscoroutinefunction(fn) for fn in activities):
            executor = ThreadPoolExecutor(4, thread_name_prefix=f"ntro-activities-{runbook.slug}")
        try:
            worker = Worker(
                conn.client,
                task_queue=queue,
                workflows=workflows,
                activities=activities,
                activity_executor=executor,
                workflow_runner=NotifyingRunner(UnsandboxedWorkflowRunner(), self._on_activation),
                # Prototyping targets fail a run on a bug in workflow code, so the view shows
                # it; on a remote cluster Temporal retries the task (a fixed worker resumes it).
                workflow_failure_exception_types=[Exception]
                if conn.target.kind != "remote"
                else [],
            )
        except Exception as err:  # noqa: BLE001 - a bad definition: say which
            if executor is not None:
                executor.shutdown(wait=False)
            raise SessionError(
                f"cannot serve runbook {runbook.slug!r}: {_one_line(str(err))}"
            ) from None
        task = asyncio.create_task(worker.run(), name=f"ntro-worker-{queue}")
        entry = _WorkerEntry(
            worker, task, runbook, executor, started=asyncio.get_running_loop().time()
        )
        task.add_done_callback(lambda t, e=entry: self._worker_done(e, t))
        conn.workers[queue] = entry

    def _worker_done(self, entry: _WorkerEntry, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            entry.error = entry.error or "stopped"
            return
        err = task.exception()
        entry.error = f"worker stopped: {_one_line(str(err))}" if err else "stopped"
        for view in list(self._views):
            if view.task_queue == entry.worker.task_queue and view.running:
                view.notify_error(
                    f"the worker for {entry.runbook.slug} stopped: "
                    f"{_one_line(str(err)) if err else 'shut down'}"
                )

    def worker_error(self, task_queue: str | None) -> str | None:
        conn = self._conn
        if conn is None or task_queue is None:
            return None
        entry = conn.workers.get(task_queue)
        return entry.error if entry is not None and entry.task.done() else None

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
        runbook = self._runbooks.get(slug)
        if runbook is None:
            known = ", ".join(sorted(self._runbooks)) or "none yet"
            raise SessionError(
                f"no runbook {slug!r} in this session (loaded: {known}); load it with "
                f"%ntro load PATH or define it with %%ntro runbook"
            )
        return runbook

    def default_input(self, slug: str) -> Any:
        """A generated input for the run method's annotation (what the harness would send)."""
        from ntro.testing import MockValues
        from ntro.testing._automock import run_input_type
        from ntro.workflow._runtime import run_takes_input

        cls = self._runbook(slug).workflow_cls
        if not run_takes_input(cls):
            return None
        return MockValues(0).value_for(run_input_type(cls), "input")

    def _check_input(self, slug: str, value: Any) -> None:
        """Refuse an input that does not fit the run method's annotation, before starting."""
        from pydantic import TypeAdapter, ValidationError

        from ntro.testing._automock import run_input_type

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
        from ntro.workflow._runtime import run_method, run_takes_input

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
        queue = task_queue or self._runbooks[slug].task_queue
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
        candidates = [rb for rb in self._units.values() if rb.workflow_type == wf_type] + [
            rb for rb in self._units.values() for c in rb.tree() if c.workflow_type == wf_type
        ]
        memo: dict[str, Any] = {}
        with contextlib.suppress(Exception):
            memo = dict(await description.memo())
        started_digest = memo.get("ntro_digest")
        if candidates:
            match = next((rb for rb in candidates if rb.task_queue == queue), None)
            match = match or next((rb for rb in candidates if rb.digest == started_digest), None)
            if match is None and not force:
                current = self._runbooks.get(str(memo.get("ntro_slug") or "")) or candidates[0]
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
            detail = _one_line(_cause_message(err))
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
        status = getattr(err, "status", None)
        message = _one_line(getattr(err, "message", None) or str(err))
        where = self._target.describe()
        if status == RPCStatusCode.NOT_FOUND and workflow_id:
            return WorkflowNotFound(
                f"no workflow with id {workflow_id!r} on {where}: check the id (%ntro ls lists "
                f"workflows)"
            )
        if status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            return ClusterUnreachable(
                f"cannot reach {where}: {_connect_detail(err)}. Retry when it is back (a decision "
                f"is never applied twice), or %ntro connect another target"
            )
        return SessionError(f"Temporal refused the request: {message}")

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
                _no_poller(err)
            ):
                raise self._no_answer(workflow_id, timeout) from None
            raise self._rpc_error(err, workflow_id) from None
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as err:
            raise SessionError(
                f"{workflow_id} cannot show a runbook view: {_one_line(_cause_message(err))}"
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
        attempts: int = 4,
    ) -> dict[str, Any]:
        """Send a decision or row action as the ``submit_action`` update.

        The update id stays the same across retries (a cluster that drops out mid-send), so
        Temporal applies it once; a second decision on the same gate is refused by the workflow.
        """
        from ntro.workflow import PayloadTooLarge, ensure_sendable

        try:
            ensure_sendable(payload, "the decision")
        except PayloadTooLarge as err:
            raise SessionError(str(err)) from None
        update_id = update_id or f"ntro-{uuid.uuid4().hex}"
        delay = 0.5
        for attempt in range(attempts):
            conn = await self._ready()
            handle = conn.client.get_workflow_handle(workflow_id)
            try:
                return await handle.execute_update(
                    "submit_action", payload, id=update_id, rpc_timeout=CALL_TIMEOUT
                )
            except WorkflowUpdateFailedError as err:
                raise DecisionRefused(workflow_id, _one_line(_cause_message(err))) from None
            except RPCError as err:
                # "update ... not found": the time-skipping server sometimes loses track of an
                # update it was given; asking again with the same id is safe (applied once).
                lost = (
                    err.status == RPCStatusCode.NOT_FOUND
                    and "update" in (err.message or "").lower()
                )
                retry = lost or err.status in (
                    RPCStatusCode.UNAVAILABLE,
                    RPCStatusCode.DEADLINE_EXCEEDED,
                )
                if not retry or attempt == attempts - 1:
                    raise self._rpc_error(err, None if lost else workflow_id) from None
            except RPCTimeoutOrCancelledError:
                if attempt == attempts - 1:
                    raise SessionError(
                        f"{workflow_id} did not answer the decision in time; it may still be "
                        f"applied once (same update id {update_id}). Check %ntro history "
                        f"{workflow_id}"
                    ) from None
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

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
                    corrections=list(corrections),
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
            cls = next(
                (
                    rb.workflow_cls
                    for rb in self._units.values()
                    if rb.workflow_type == described.workflow_type
                ),
                None,
            )
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
                    f"{workflow_id} has no audit trail: {_one_line(_cause_message(err))}"
                ) from None
            except RPCTimeoutOrCancelledError:
                raise SessionError(
                    f"no worker answered {workflow_id}: load its runbook first"
                ) from None

        return self.loop.run(read())

    def ls(
        self, *, pending: bool = False, limit: int = 50, query: str | None = None
    ) -> list[WorkflowSummary]:
        """Workflows, those waiting for a person first (with what they wait for)."""
        return self.loop.run(self._ls(pending, limit, query))

    async def _ls(self, pending_only: bool, limit: int, query: str | None) -> list[WorkflowSummary]:
        conn = await self._ready()
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
                    if status in _NO_ANSWER or _no_poller(err):
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
            raise SessionError(f"{workflow_id} failed: {_one_line(_cause_message(err))}") from None
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
            raise SessionError(_one_line(str(err))) from None
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
                    raise SessionError(_one_line(str(err))) from None
                except RPCError as err:
                    # A scenario that fails is a result, not an exception: an RPC error is the
                    # test server's (it occasionally loses an update). Run once more.
                    if attempt == 2:
                        raise SessionError(
                            f"the harness test server failed twice: {_one_line(err.message)}"
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
    ) -> Any:
        """Record the decisions taken on ``workflow_id`` as scenario ``name`` in the bundle's
        ``tests/scenarios.py``, so a real review becomes a regression test.

        The scenario is replayed once on a fresh harness before it is kept: corrections to rows
        the auto-mocked activities do not produce are left out (commented), so the saved test
        passes. Returns a ``SavedScenario`` (``path``, ``replays``, ``note``)."""
        from ntro_jupyter._session._scenarios import save_scenario

        return self.loop.run(
            save_scenario(
                self, name, workflow_id, Path(bundle) if bundle is not None else None, force
            )
        )

    def bundle_for_type(self, workflow_type: str) -> Runbook | None:
        current = [rb for rb in self._runbooks.values() if rb.workflow_type == workflow_type]
        older = [rb for rb in self._units.values() if rb.workflow_type == workflow_type]
        for rb in [*current, *older]:
            if rb.path is not None:
                return rb
        return (current or older or [None])[0]

    async def connection(self) -> _Connection:
        return await self._ready()

    def __repr__(self) -> str:
        state = "connected" if self._conn else "not connected"
        return f"<ntro Session {self._target.kind} ({state}), {len(self._runbooks)} runbook(s)>"


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
