"""What both panel widgets share: intent callbacks, decisions, refusals, thread safety.

Why: a widget message may arrive on the kernel's shell thread or on a subshell thread
(JupyterLab 4.4+ with ipykernel 7). Every change to a view-model therefore happens under one
re-entrant lock, and callbacks are plain functions the bridge provides; a widget never blocks
waiting for Temporal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ntro_jupyter.viewmodels import DecidedInfo, DecisionBlocked, PanelModel

IntentCallback = Callable[[dict[str, Any]], Any]


class IntentSink:
    """Where intents go: ``on_decision``, ``on_row_action`` and ``on_signal`` callbacks.

    Every intent is also appended to :attr:`sent` (kind, intent), which makes a widget usable
    and testable with no bridge at all.
    """

    def __init__(
        self,
        on_decision: IntentCallback | None = None,
        on_row_action: IntentCallback | None = None,
        on_signal: IntentCallback | None = None,
    ) -> None:
        self.callbacks: dict[str, IntentCallback | None] = {
            "decision": on_decision,
            "row_action": on_row_action,
            "signal": on_signal,
        }
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def emit(self, kind: str, intent: dict[str, Any]) -> None:
        """Record the intent and hand it to its callback (exceptions propagate)."""
        self.sent.append((kind, intent))
        callback = self.callbacks.get(kind)
        if callback is not None:
            callback(intent)


class PanelHost:
    """Mixin: the decision/refusal/confirm behaviour of a panel widget around a view-model.

    State changes happen under one re-entrant lock; intents are queued while it is held and
    handed to the callbacks only after it is released, so a callback that calls back into the
    view (``show_error``) from any thread cannot deadlock against a state update.
    """

    model: PanelModel
    sink: IntentSink
    _lock: threading.RLock
    _notice: str | None
    #: How long ``decide("approve")`` waits for the gate's quality checks still running.
    checks_wait_s: float = 60.0

    def _init_host(self, model: PanelModel, sink: IntentSink | None) -> None:
        self.model = model
        self.sink = sink or IntentSink()
        self._lock = threading.RLock()
        self._notice = None
        self._depth = 0
        self._outbox: list[tuple[str, dict[str, Any]]] = []

    def _push(self) -> None:  # pragma: no cover - each widget pushes its own traits
        raise NotImplementedError

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Hold the lock; on leaving the outermost guard, send the queued intents."""
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                pending: list[tuple[str, dict[str, Any]]] = []
                if self._depth == 0:
                    pending, self._outbox = self._outbox, []
        for kind, intent in pending:
            try:
                self.sink.emit(kind, intent)
            except Exception as exc:  # the bridge could not send: say so, keep the edits
                with self._lock:
                    message = f"could not send ({type(exc).__name__}: {exc})"
                    if (
                        kind in ("decision", "signal")
                        and self.model.lifecycle.status == "submitting"
                    ):
                        self.model.lifecycle.refuse(message)
                    else:
                        self._notice = message[:1].upper() + message[1:]
                    self._push()

    def _queue(self, kind: str, intent: dict[str, Any]) -> None:
        """Send ``intent`` once the current guard is released."""
        self._outbox.append((kind, intent))

    def _await_checks(self) -> None:
        """Until the gate's quality checks end (the run view shows them as the run publishes
        them), at most :attr:`checks_wait_s`; only on a live panel, whose intents a bridge
        sends: a panel drawn from a saved state never sees its checks end."""
        if self.sink.callbacks.get("decision") is None:
            return
        deadline = time.monotonic() + self.checks_wait_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self.model.running_checks():
                    return
            time.sleep(0.05)

    def decide(self, action: str, comment: str | None = None) -> dict[str, Any] | None:
        """Approve or reject from Python (what the buttons do); returns the intent sent.

        An approval while the gate's quality checks run waits for them to end first (the
        button is held until then); if they still run after :attr:`checks_wait_s`, it is not
        sent and :attr:`notice` says how many still run."""
        if action in ("approve", "correct"):
            self._await_checks()
        with self._guard():
            self._notice = None
            try:
                intent = self.model.decide(action, comment)
            except DecisionBlocked as exc:
                self._notice = f"Not sent: {exc}"
                self._push()
                return None
            self._queue("decision", dict(intent))
            self._push()
            return dict(intent)

    def refresh_checks(self, checks: list[Any]) -> None:
        """The run published this gate's checks again (a quality check ended): draw them as
        they are now, so approving is let through once none runs; the reviewer's edits stay."""
        with self._guard():
            if self.model.gate.checks != checks:
                self.model.gate.checks = list(checks)
                self._push()

    def show_error(self, message: str) -> None:
        """The workflow refused the decision: show it inline, keep the reviewer's edits."""
        with self._guard():
            self.model.lifecycle.refuse(str(message))
            self._push()

    def mark_decided(self, info: DecidedInfo | None = None) -> None:
        """The workflow took the decision: the panel becomes read-only and says who/what/when."""
        with self._guard():
            self.model.lifecycle.confirm(info)
            self._push()

    @property
    def notice(self) -> str | None:
        """The last message shown under the panel (a blocked decision, a refused edit)."""
        return self._notice
