"""``RunView``: one workflow in a notebook cell: breadcrumb, the open gate's panel, history.

Why: this is what the kernel bridge drives. It takes ``current_ui_state`` dicts in
(:meth:`RunView.update_state`), hands intents out through callbacks (``on_decision``,
``on_row_action``, ``on_signal``), shows a refused decision inline (:meth:`RunView.show_error`)
and never blocks a cell: displaying it returns at once, clicks act later. A saved notebook
shows the last state as static HTML (:meth:`RunView._repr_mimebundle_`).
"""

from __future__ import annotations

import getpass
import os
import threading
from typing import Any

import ipywidgets

from ntro.documents import DocumentStore
from ntro_jupyter.viewmodels import (
    DataTableModel,
    DecidedInfo,
    PanelModel,
    breadcrumb_view,
    history_view,
    panel_for_snapshot,
    panel_for_state,
    parse_ui_state,
)
from ntro_jupyter.viewmodels._review import decided_from_audit
from ntro_jupyter.widgets._breadcrumb import BreadcrumbWidget
from ntro_jupyter.widgets._datatable import DataTableWidget
from ntro_jupyter.widgets._host import IntentCallback, IntentSink
from ntro_jupyter.widgets._panel import PanelWidget
from ntro_jupyter.widgets._static import history_html, render_run_html


def default_reviewer() -> str:
    """``$NTRO_REVIEWER``, else the operating-system user name."""
    configured = os.environ.get("NTRO_REVIEWER")
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reviewer"


def panel_widget_for(
    model: PanelModel, sink: IntentSink | None = None
) -> DataTableWidget | PanelWidget:
    """The widget that draws ``model``: the table widget for tables, the panel widget else."""
    if isinstance(model, DataTableModel):
        return DataTableWidget(model, sink)
    return PanelWidget(model, sink)


def _gate_key(model: PanelModel) -> tuple[Any, ...]:
    gate = model.gate
    if gate.gate_id:
        return ("gate", gate.gate_id)
    return ("step", gate.step_id, gate.kind, model.panel.value)


class RunView(ipywidgets.VBox):
    """A run's breadcrumb, its open gate's panel and its decision history, updated in place."""

    def __init__(
        self,
        state: Any = None,
        *,
        reviewer: str | None = None,
        store: DocumentStore | None = None,
        on_decision: IntentCallback | None = None,
        on_row_action: IntentCallback | None = None,
        on_signal: IntentCallback | None = None,
        **kwargs: Any,
    ) -> None:
        self.reviewer = reviewer or default_reviewer()
        self.store = store
        self.sink = IntentSink(on_decision, on_row_action, on_signal)
        self.crumbs = BreadcrumbWidget()
        self.slot = ipywidgets.VBox()
        self.history = ipywidgets.HTML()
        super().__init__(children=[self.crumbs, self.slot, self.history], **kwargs)
        self.add_class("ntro-run-view")
        self._lock = threading.RLock()
        self._raw: Any = None
        self._gate_panel: DataTableWidget | PanelWidget | None = None
        self._selected: str | None = None
        self._last_decision: str | None = None
        self.crumbs.on_select(self.select_step)
        self.update_state(state if state is not None else {})

    # -- what the bridge calls ---------------------------------------------------------------
    def update_state(self, state: Any) -> None:
        """Show a fresh ``current_ui_state``; the open gate's panel keeps the reviewer's edits."""
        with self._lock:
            self._raw = state
            parsed = parse_ui_state(state)
            self._parsed = parsed
            current = self._gate_panel
            fresh = panel_for_state(parsed, reviewer=self.reviewer, store=self.store)
            if current is not None:
                key = _gate_key(current.model)
                still_open = fresh is not None and _gate_key(fresh) == key
                decided = decided_from_audit(parsed.state.audit_trail, current.model.gate.gate_id)
                if still_open and fresh is not None:
                    self._second_approval(current, fresh)
                if decided is not None and current.model.lifecycle.status != "decided":
                    current.mark_decided(decided)
                elif not still_open and current.model.lifecycle.status == "submitting":
                    current.mark_decided()
                if current.model.lifecycle.decided is not None and not still_open:
                    self._last_decision = self._decision_line(
                        current.model, current.model.lifecycle.decided
                    )
            if fresh is None:
                pass  # keep the last panel (read-only once decided) until a new gate opens
            elif current is not None and _gate_key(fresh) == _gate_key(current.model):
                if (
                    not isinstance(current.model, DataTableModel)
                    and current.model.lifecycle.status == "open"
                ):
                    fresh.lifecycle = current.model.lifecycle
                    self._copy_local_input(current.model, fresh)
                    current.model = fresh  # refresh feedback, slot status, elapsed time
                    current._push()
                else:  # a table keeps its model (the edits); its checks follow the run
                    current.refresh_checks(fresh.gate.checks)
            else:
                self._gate_panel = panel_widget_for(fresh, self.sink)
            self._render()

    def show_error(self, message: str) -> None:
        """The workflow refused the last decision: shown on the panel, edits kept.

        Takes no run-view lock: the bridge may call this from inside an intent callback.
        """
        panel = self._gate_panel
        if panel is not None:
            panel.show_error(message)

    def select_step(self, step_id: str | None) -> None:
        """Show a finished step's snapshot (None: back to the open gate)."""
        with self._lock:
            snapshots = self._parsed.state.step_snapshots
            self._selected = step_id if step_id in snapshots else None
            self._render()

    # -- reading it back --------------------------------------------------------------------
    @property
    def panel(self) -> DataTableWidget | PanelWidget | None:
        """The open gate's panel widget (None before any gate)."""
        return self._gate_panel

    @property
    def intents(self) -> list[tuple[str, dict[str, Any]]]:
        """Every intent sent so far, as ``(kind, intent)``."""
        return list(self.sink.sent)

    def to_html(self) -> str:
        """The last state as static, escaped HTML (what a saved notebook shows)."""
        return render_run_html(self._raw, reviewer=self.reviewer)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/html"] = self.to_html()
        return bundle

    # -- drawing ----------------------------------------------------------------------------
    @staticmethod
    def _second_approval(current: DataTableWidget | PanelWidget, fresh: PanelModel) -> None:
        """The gate's policy now lists this reviewer's approval as the first of two: the panel
        reopens and says a second reviewer must approve (the workflow kept the gate open)."""
        current.model.gate.policy = fresh.gate.policy
        approvals = (fresh.gate.policy or {}).get("override_approvals") or []
        lifecycle = current.model.lifecycle
        if lifecycle.status == "submitting" and current.model.reviewer in approvals:
            lifecycle.await_second_approver([str(a) for a in approvals])
            current._push()

    @staticmethod
    def _copy_local_input(old: PanelModel, new: PanelModel) -> None:
        for attribute in ("override_reason", "signer", "on_behalf_of", "uploaded"):
            if hasattr(old, attribute) and hasattr(new, attribute):
                setattr(new, attribute, getattr(old, attribute))

    @staticmethod
    def _decision_line(model: PanelModel, decided: DecidedInfo) -> str:
        return f"Last decision: {decided.sentence} — {model.title}"

    def _render(self) -> None:
        state = self._parsed.state
        crumbs = breadcrumb_view(state)
        crumbs["selected"] = self._selected
        crumbs["problems"] = [p for p in self._parsed.problems]
        crumbs["last_decision"] = self._last_decision
        self.crumbs.view = crumbs
        if self._selected is not None:
            titles = {s.id: s.title for s in state.steps}
            model = panel_for_snapshot(
                self._selected,
                state.step_snapshots[self._selected],
                title=titles.get(self._selected),
                reviewer=self.reviewer,
            )
            self.slot.children = [panel_widget_for(model)]
        elif self._gate_panel is not None:
            self.slot.children = [self._gate_panel]
        elif state.status == "completed":
            self.slot.children = [
                ipywidgets.HTML('<div class="ntro-hint">The run completed.</div>')
            ]
        else:
            self.slot.children = []
        self.history.value = history_html(history_view(state))
