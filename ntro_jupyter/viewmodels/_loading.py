"""LOADING: a spinner, the step's title and how long it has been running.

Why: while a child runbook or a long activity runs, the reviewer should see that work is in
progress, on which step, since when, and which children it waits for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._values import plain_text


class LoadingModel(PanelModel):
    """Nothing to decide: the front end ticks the elapsed time from ``started_at``."""

    panel = Panel.LOADING
    interactive = False

    def __init__(
        self,
        *args: Any,
        children: list[dict[str, Any]] | None = None,
        now: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = children or []
        self.now = now or datetime.now(UTC)

    def default_title(self) -> str:
        return "Working…"

    def elapsed_seconds(self) -> float | None:
        started = self.gate.opened_at
        if started is None:
            return None
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        return max(0.0, (self.now - started).total_seconds())

    def body_view(self) -> dict[str, Any]:
        started = self.gate.opened_at
        if started is not None and started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        return {
            "message": self._text_config("message") or self.gate.reason,
            "started_at_ms": int(started.timestamp() * 1000) if started else None,
            "elapsed_s": self.elapsed_seconds(),
            "children": [
                {
                    "id": plain_text(c.get("workflow_id") or c.get("task_id")),
                    "slug": plain_text(c.get("slug")),
                    "status": plain_text(c.get("status") or "running"),
                }
                for c in self.children
            ],
        }
