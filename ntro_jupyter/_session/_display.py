"""Tables the magics return: readable as text (``repr``) and as HTML in a notebook."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from ntro_jupyter._session._session import WorkflowSummary
from ntro_jupyter.widgets import RECORD_MIME

__all__ = ["AuditTable", "RunSnapshot", "WorkflowTable"]


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()
    out = [line]
    for row in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    return "\n".join(out)


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f"<div class='ntro-table-empty'>{html.escape(empty)}</div>"
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table class='ntro-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class WorkflowTable:
    """``%ntro ls``: workflows, those waiting for a person first."""

    headers = ("workflow id", "runbook", "status", "waiting for", "started")

    def __init__(self, rows: list[WorkflowSummary], pending_only: bool = False) -> None:
        self.rows = rows
        self.pending_only = pending_only

    def _cells(self) -> list[list[str]]:
        return [
            [
                r.workflow_id,
                r.workflow_type,
                r.status,
                r.waiting_for() or "—",
                r.start_time.strftime("%Y-%m-%d %H:%M:%S") if r.start_time else "",
            ]
            for r in self.rows
        ]

    @property
    def empty(self) -> str:
        return "No workflow waits for a person." if self.pending_only else "No workflows."

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __repr__(self) -> str:
        return _text_table(self.headers, self._cells()) if self.rows else self.empty

    def _repr_html_(self) -> str:
        return _html_table(self.headers, self._cells(), self.empty)


SNAPSHOT_MIME = RECORD_MIME


class RunSnapshot:
    """``%ntro snapshot``: a run's state frozen into the notebook's output.

    Unlike a live view (a widget, which needs its kernel), this output is plain data: the
    JupyterLab extension draws breadcrumb, decisions and audit trail from it with no kernel,
    and any other viewer shows the static HTML.
    """

    def __init__(self, state: dict[str, Any], taken_at: str) -> None:
        self.state = state
        self.taken_at = taken_at

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ntro_jupyter.widgets._static import render_run_html

        return {
            SNAPSHOT_MIME: {"state": self.state, "taken_at": self.taken_at},
            "text/html": render_run_html(self.state),
            "text/plain": f"run snapshot of {self.state.get('workflow_id')} "
            f"({self.state.get('status')}) taken {self.taken_at}",
        }


def _value(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


class AuditTable:
    """``%ntro history``: the workflow's audit trail."""

    headers = ("at", "kind", "step", "reviewer", "what")

    def __init__(self, workflow_id: str, entries: list[dict[str, Any]]) -> None:
        self.workflow_id = workflow_id
        self.entries = entries

    @staticmethod
    def _what(entry: dict[str, Any]) -> str:
        kind = entry.get("kind")
        if kind in ("decision", "timeout"):
            text = str(entry.get("action") or "")
            if entry.get("comment"):
                text += f" — {entry['comment']}"
            return text
        if kind in ("correction", "row_action"):
            action = entry.get("action")
            head = f"{action} " if kind == "row_action" and action else ""
            row = f"{entry.get('line_item_id')}"
            if entry.get("field"):
                row += f".{entry['field']}"
                return f"{head}{row}: {_value(entry.get('old_value'))} → {_value(entry.get('new_value'))}"
            return head + row
        if kind == "refused":
            return str(entry.get("reason") or "")
        return ""

    def _cells(self) -> list[list[str]]:
        return [
            [
                _value(e.get("at")),
                _value(e.get("kind")),
                _value(e.get("step_id")),
                _value(e.get("reviewer")),
                self._what(e),
            ]
            for e in self.entries
        ]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Any:
        return iter(self.entries)

    def __repr__(self) -> str:
        if not self.entries:
            return f"{self.workflow_id}: no decisions yet."
        return f"{self.workflow_id}\n" + _text_table(self.headers, self._cells())

    def _repr_html_(self) -> str:
        title = f"<div><b>{html.escape(self.workflow_id)}</b> — audit trail</div>"
        return title + _html_table(self.headers, self._cells(), "No decisions yet.")
