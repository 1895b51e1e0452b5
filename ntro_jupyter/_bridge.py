"""Live views: a ``RunView`` kept up to date from a running workflow, and the run handle.

A :class:`LiveView` polls the workflow's combined ``current_ui_state`` query (one round trip
per refresh) on the session's background loop. It refreshes at once when something says the
state may have changed: an activation of this session's worker for that workflow, a new event
in the workflow's history (a long poll, for workflows served by workers elsewhere), or an
intent this view just sent. Otherwise it polls every 100 ms while the state changes and backs
off to every 2 s while it does not. It stops when the workflow closes or the view is closed.

Intents from the widgets (decisions, row actions, uploads) arrive on whatever thread delivered
the widget message (the kernel's shell thread, or a subshell thread). They are handed to the
session loop and the callback returns at once; a refusal or a send failure is shown in this
view (``RunView.show_error`` and the status line), never lost in a background task.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import ipywidgets

from ntro_jupyter._session._errors import (
    CLOSED_STATUSES,
    DecisionRefused,
    SessionError,
    WorkflowNotFound,
)

if TYPE_CHECKING:  # for annotations only: at run time the bridge imports only the errors
    from ntro_jupyter._session._session import Session

__all__ = ["LiveRunBox", "LiveView", "RunHandle"]

FAST_S = 0.1
IDLE_MAX_S = 2.0
ERROR_MAX_S = 10.0
BACKOFF = 1.5
SETTLE_S = 5.0
"""How long ``RunHandle.wait`` gives the live view to draw the closed run."""


def _close_event_types() -> set[int]:
    from temporalio.api.enums.v1 import EventType

    return {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    }


class LiveRunBox(ipywidgets.VBox):
    """The displayed widget: the ``RunView`` and a one-line status under it.

    Displayed with its record (:class:`~ntro_jupyter.widgets.LiveRecord`): the run's state as
    data and as static HTML, which a notebook executed headless keeps at the last state the
    kernel saw.
    """

    def __init__(self, live: LiveView) -> None:
        from ntro_jupyter.widgets import LiveRecord

        super().__init__(children=[live.run_view, live.status_line])
        self.add_class("ntro-live-run")
        self._live = live
        self.record = LiveRecord(self, self._record)

    def _record(self) -> tuple[dict[str, Any], str, str]:
        live = self._live
        state = dict(live.state or {"workflow_id": live.workflow_id})
        html_text = live.run_view.to_html() + live.status_line.value
        return state, html_text, live.summary()

    def _ipython_display_(self) -> None:
        self.record.display()


class LiveView:
    """Keeps one ``RunView`` in step with one workflow; sends its intents."""

    def __init__(
        self,
        session: Session,
        workflow_id: str,
        *,
        reviewer: str,
        task_queue: str | None = None,
    ) -> None:
        from ntro_jupyter.widgets import RunView

        self.session = session
        self.workflow_id = workflow_id
        self.reviewer = reviewer
        self.task_queue = task_queue
        self.run_view = RunView(
            reviewer=reviewer,
            store=session.store,
            on_decision=self._on_decision,
            on_row_action=self._on_row_action,
            on_signal=self._on_signal,
        )
        self.status_line = ipywidgets.HTML()
        self.widget = LiveRunBox(self)
        self.widget.observe(self._on_comm_change, names="comm")
        self.state: dict[str, Any] | None = None
        self.refreshes = 0
        self.queries = 0
        self.connection_problem: str | None = None  # cleared by the next good refresh
        self.intent_problem: str | None = None  # cleared by the next good send or a new gate
        self.outcome: str | None = None
        self.on_state: list[Callable[[dict[str, Any]], None]] = []
        self.sends: list[Future[None]] = []
        self._stop_reason: str | None = None
        self._wake: asyncio.Event | None = None
        self._closed_seen = False
        self._changed = threading.Condition()
        self._future: Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._render_status()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> LiveView:
        self.session._register_view(self)
        self._future = self.session.loop.submit(self._main())
        return self

    @property
    def running(self) -> bool:
        return self._future is not None and not self._future.done()

    def stop(self, reason: str = "stopped") -> None:
        """Stop refreshing (thread-safe); the view keeps its last state.

        An in-flight query is abandoned: a query to a workflow nobody serves any more would
        otherwise hold the view for its whole timeout.
        """
        if self._stop_reason is None:
            self._stop_reason = reason
        self.session.loop.call_soon(self._cancel)

    def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def poke(self) -> None:
        """Refresh now (thread-safe): something says the state may have changed."""
        self.session.loop.call_soon(self._set_wake)

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _on_comm_change(self, change: dict[str, Any]) -> None:
        if change.get("new") is None:
            self.stop("the view was closed")

    def join(self, timeout: float | None = None) -> None:
        """Wait until the refresh loop has ended (after a stop or the workflow's end)."""
        if self._future is not None:
            with contextlib.suppress(Exception):
                self._future.result(timeout)

    # -- the refresh loop (on the session loop) --------------------------------------------
    async def _main(self) -> None:
        self._task = asyncio.current_task()
        self._wake = asyncio.Event()
        self.session.add_listener(self.workflow_id, self.poke)
        watcher = None
        if self.session.target.kind != "harness":
            watcher = asyncio.create_task(self._watch_history())
        interval = FAST_S
        unchanged = 0
        try:
            while self._stop_reason is None:
                self._wake.clear()
                try:
                    state = await self.session.query_state(self.workflow_id)
                except WorkflowNotFound as err:
                    self.queries += 1
                    self._finish(str(err), problem=True)
                    break
                except SessionError as err:
                    self.queries += 1
                    self._show_problem(f"{err} — retrying", connection=True)
                    interval = min(max(interval * 2, 1.0), ERROR_MAX_S)
                else:
                    interval, unchanged, closed = await self._take_state(state, interval, unchanged)
                    if closed:
                        break
                if self._stop_reason is not None:
                    break
                with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), interval)
            if self._stop_reason is not None and self.outcome is None:
                self.outcome = "stopped"
                self._render_status()
        except asyncio.CancelledError:
            self._stop_reason = self._stop_reason or "the session stopped"
            self.outcome = "stopped"
            self._render_status()
        except Exception as err:  # noqa: BLE001 - never die silently: say so in the view
            self._show_problem(f"live view stopped: {type(err).__name__}: {err}", connection=True)
            self.outcome = "stopped"
        finally:
            self.session.remove_listener(self.workflow_id, self.poke)
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(BaseException):
                    await watcher
            with self._changed:
                self._changed.notify_all()

    async def _take_state(
        self, state: dict[str, Any], interval: float, unchanged: int
    ) -> tuple[float, int, bool]:
        """Take one successful query's state into the view.

        Returns the next poll interval, the count of unchanged polls, and whether the
        workflow has closed (the refresh loop then ends). Kept apart from ``_main`` so the
        loop reads as poll, take, wait.
        """
        self.queries += 1
        if self.connection_problem is not None:
            self.connection_problem = None
            self._render_status()
        if state != self.state:
            self._apply(state)
            interval, unchanged = FAST_S, 0
        else:
            unchanged += 1
            interval = min(interval * BACKOFF, IDLE_MAX_S)
        status = str(state.get("status") or "running")
        if status not in CLOSED_STATUSES and (self._closed_seen or unchanged % 10 == 9):
            status = await self._execution_status() or status
        if status in CLOSED_STATUSES:
            self._finish(status)
            return interval, unchanged, True
        worker_error = self.session.worker_error(self.task_queue)
        if worker_error:
            self._show_problem(worker_error, connection=True)
        return interval, unchanged, False

    async def _execution_status(self) -> str | None:
        try:
            conn = await self.session.connection()
            description = await conn.client.get_workflow_handle(self.workflow_id).describe(
                rpc_timeout=timedelta(seconds=5)
            )
        except Exception:  # noqa: BLE001 - the next poll reports reachability
            return None
        return description.status.name.lower() if description.status is not None else None

    async def _watch_history(self) -> None:
        """Wake the refresh on every new history event (a long poll; dev and remote servers)."""
        close_types = _close_event_types()
        delay = 0.5
        while self._stop_reason is None:
            try:
                conn = await self.session.connection()
                handle = conn.client.get_workflow_handle(self.workflow_id)
                async for event in handle.fetch_history_events(wait_new_event=True):
                    delay = 0.5
                    if event.event_type in close_types:
                        self._closed_seen = True
                    self._set_wake()
                self._closed_seen = True
                self._set_wake()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the refresh loop reports reachability
                await asyncio.sleep(delay)
                delay = min(delay * 2, ERROR_MAX_S)

    def _apply(self, state: dict[str, Any]) -> None:
        old_gate = ((self.state or {}).get("pending_action") or {}).get("gate_id")
        new_gate = (state.get("pending_action") or {}).get("gate_id")
        if self.intent_problem is not None and old_gate != new_gate:
            self.intent_problem = None
        try:
            self.run_view.update_state(state)
        except Exception as err:  # noqa: BLE001 - a drawing bug must not stop the refreshes
            self._show_problem(
                f"could not draw the new state: {type(err).__name__}: {err}", connection=True
            )
        self.state = state
        self.refreshes += 1
        self.widget.record.changed()
        self.session.observe(state)
        self._render_status()
        for callback in list(self.on_state):
            with contextlib.suppress(Exception):
                callback(state)
        with self._changed:
            self._changed.notify_all()

    @property
    def problem(self) -> str | None:
        """What is wrong now, as the status line shows it (None when all is well)."""
        parts = [p for p in (self.connection_problem, self.intent_problem) if p]
        return " · ".join(parts) or None

    def _finish(self, outcome: str, problem: bool = False) -> None:
        self.outcome = outcome
        if problem:
            self.connection_problem = outcome
        self._render_status()
        if outcome in CLOSED_STATUSES:
            try:
                self.widget.record.finish()  # the output becomes the run's record
            except Exception as err:  # noqa: BLE001 - the view stays; say why the record did not
                self._show_problem(f"could not save the run's record: {err}", connection=True)

    def _show_problem(self, message: str, connection: bool = False) -> None:
        if connection:
            self.connection_problem = message
        else:
            self.intent_problem = message
        self._render_status()

    def notify_error(self, message: str) -> None:
        """Show a background failure that concerns this view (thread-safe)."""
        self.session.loop.call_soon(self._show_problem, message, True)

    def _render_status(self) -> None:
        state = self.state or {}
        wid = html.escape(self.workflow_id)
        outcome = self.outcome
        if outcome in ("completed",):
            text = f"✓ {wid} completed"
        elif outcome in CLOSED_STATUSES:
            error = state.get("error")
            text = f"✗ {wid} {html.escape(outcome)}" + (
                f": {html.escape(str(error))}" if error else ""
            )
        elif outcome is not None and outcome != "stopped":
            text = f"{wid}: {html.escape(outcome)}"
        elif outcome == "stopped":
            text = f"{wid} · not live ({html.escape(self._stop_reason or 'stopped')})"
        else:
            pending = state.get("pending_action") or {}
            waiting = ""
            if pending:
                kind = {
                    "interactive_review": "a review",
                    "submit_file": "an upload",
                    "submit_files": "uploads",
                    "drill_down": "child runbooks",
                }.get(str(pending.get("kind")), str(pending.get("kind")))
                waiting = f" · waiting for {kind}"
                if pending.get("step_id"):
                    waiting += f" in step {html.escape(str(pending['step_id']))}"
            text = f"● live · {wid}{waiting}"
        problem = ""
        if self.problem and self.problem != outcome:
            problem = f' <span style="color:#b91c1c">⚠ {html.escape(self.problem)}</span>'
        self.status_line.value = (
            f'<div class="ntro-live-status" style="font-size:12px;color:#555">{text}{problem}</div>'
        )
        self.widget.record.changed()

    def summary(self) -> str:
        """One line: the run, its status and what it waits for (the record's plain text)."""
        state = self.state or {}
        pending = state.get("pending_action") or {}
        status = self.outcome or str(state.get("status") or "running")
        text = f"{self.workflow_id}: {status}"
        if pending and self.outcome is None:
            text += f", waiting for {pending.get('kind')}"
            if pending.get("step_id"):
                text += f" in step {pending['step_id']}"
        return text

    # -- waiting (scripts and tests) --------------------------------------------------------
    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        """Block until a refreshed state satisfies ``predicate``; returns it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if self.state is not None and predicate(self.state):
                    return self.state
                if not self.running and self.state is not None:
                    raise SessionError(
                        f"the view of {self.workflow_id} stopped ({self.outcome}) before the "
                        f"state expected"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{self.workflow_id}: state not reached within {timeout:g} s"
                    )
                self._changed.wait(min(remaining, 0.5))

    # -- intents (any thread) -----------------------------------------------------------------
    def _on_decision(self, intent: dict[str, Any]) -> None:
        self._send("decision", intent)

    def _on_row_action(self, intent: dict[str, Any]) -> None:
        self._send("row_action", intent)

    def _on_signal(self, intent: dict[str, Any]) -> None:
        self._send("signal", intent)

    def _send(self, kind: str, intent: dict[str, Any]) -> None:
        intent = dict(intent)
        if kind != "signal" and not intent.get("reviewer"):
            intent["reviewer"] = self.reviewer
        update_id = f"ntro-{uuid.uuid4().hex}"
        future = self.session.loop.submit(self._deliver(kind, intent, update_id))
        self.sends.append(future)

    async def _deliver(self, kind: str, intent: dict[str, Any], update_id: str) -> None:
        label = {"decision": "decision", "row_action": "row action", "signal": "upload"}[kind]
        try:
            if kind == "signal":
                await self.session.send_signal(intent, self.workflow_id)
            else:
                await self.session.submit_action(self.workflow_id, intent, update_id)
        except DecisionRefused as err:
            if kind == "decision":
                self.run_view.show_error(err.reason)
            self._show_problem(f"{label} refused: {err.reason}")
        except Exception as err:  # noqa: BLE001 - shown in the view that sent it
            message = str(err) if isinstance(err, SessionError) else f"{type(err).__name__}: {err}"
            if kind == "decision":
                self.run_view.show_error(f"not sent: {message}")
            self._show_problem(f"{label} not sent: {message}")
        else:
            if self.intent_problem is not None:
                self.intent_problem = None
                self._render_status()
        finally:
            self._set_wake()


class RunHandle:
    """A workflow seen from the notebook: its live view, its state, decisions, its result.

    ``wait()`` blocks until the workflow closes; it is for scripts. In a notebook cell it blocks
    the cell, and a kernel does not process widget messages sent on the main shell while a cell
    runs, so clicks in a view of this kernel wait too, unless the front end sends widget
    messages on a subshell (JupyterLab 4.4+ with ipykernel 7). ``await handle.wait_async()``
    in a cell lets clicks through with ipykernel 7 (comm messages are dispatched while an
    async cell awaits). Decisions from elsewhere (another kernel, ``%ntro approve`` in another
    notebook, the inbox) always get through.
    """

    def __init__(
        self,
        session: Session,
        workflow_id: str,
        *,
        reviewer: str,
        live: bool = True,
        task_queue: str | None = None,
    ) -> None:
        self.session = session
        self.workflow_id = workflow_id
        self.reviewer = reviewer
        self.task_queue = task_queue
        self.live: LiveView | None = None
        if live:
            self.live = LiveView(
                session, workflow_id, reviewer=reviewer, task_queue=task_queue
            ).start()

    @property
    def view(self) -> LiveRunBox:
        """The displayed widget (the RunView and its status line)."""
        if self.live is None:
            raise SessionError(f"{self.workflow_id} was opened without a live view (live=False)")
        return self.live.widget

    @property
    def run_view(self) -> Any:
        if self.live is None:
            raise SessionError(f"{self.workflow_id} was opened without a live view (live=False)")
        return self.live.run_view

    def state(self) -> dict[str, Any]:
        return self.session.state(self.workflow_id)

    def pending(self) -> dict[str, Any] | None:
        return self.session.pending(self.workflow_id)

    def decide(
        self,
        action: str,
        *,
        corrections: list[dict[str, Any]] | tuple[()] = (),
        comment: str | None = None,
        reviewer: str | None = None,
    ) -> dict[str, Any]:
        return self.session.decide(
            self.workflow_id,
            action,
            corrections=corrections,
            comment=comment,
            reviewer=reviewer or self.reviewer,
        )

    def approve(
        self,
        *,
        corrections: list[dict[str, Any]] | tuple[()] = (),
        comment: str | None = None,
        reviewer: str | None = None,
    ) -> dict[str, Any]:
        return self.decide("approve", corrections=corrections, comment=comment, reviewer=reviewer)

    def reject(self, *, comment: str | None = None, reviewer: str | None = None) -> dict[str, Any]:
        return self.decide("reject", comment=comment, reviewer=reviewer)

    def history(self) -> list[dict[str, Any]]:
        return self.session.history(self.workflow_id)

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the workflow closes and return its result (see the class notes).

        The live view has drawn the closed run by then, so the cell's output (and a notebook
        saved after it) shows the outcome.
        """
        result = self.session.result(self.workflow_id, timeout)
        self._settle_view()
        return result

    async def wait_async(self, timeout: float | None = None) -> Any:
        """Await the result from any event loop (the kernel's, in a cell)."""
        future = self.session.loop.submit(self.session.result_async(self.workflow_id))
        result = await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        if self.live is not None:
            self.live.poke()
            await asyncio.to_thread(self.live.join, SETTLE_S)
        return result

    def _settle_view(self) -> None:
        if self.live is not None:
            self.live.poke()
            self.live.join(SETTLE_S)

    def wait_for_state(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        """Block until the live view shows a state satisfying ``predicate``."""
        if self.live is None:
            raise SessionError("no live view: open the handle with live=True")
        return self.live.wait_for(predicate, timeout)

    def refresh(self) -> None:
        if self.live is not None:
            self.live.poke()

    def stop(self) -> None:
        """Stop refreshing the view (the workflow goes on)."""
        if self.live is not None:
            self.live.stop("stopped by the handle")

    def __repr__(self) -> str:
        live = "live" if self.live is not None and self.live.running else "not live"
        return f"<RunHandle {self.workflow_id} ({live}) on {self.session.target.kind}>"
