"""Any other component: the payload shown readably, with approve and reject.

Why: a runbook may name a panel this version does not know; the reviewer must still see what
is asked of them and be able to decide, never face a blank cell.
"""

from __future__ import annotations

import json
from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel

MAX_CHARS = 200_000


def pretty(value: Any) -> str:
    """Indented JSON (anything else via ``str``), cut at ``MAX_CHARS`` with a note."""
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS] + f"\n… ({len(text) - MAX_CHARS} more characters not shown)"
    return text


class FallbackModel(PanelModel):
    """A readable payload view with approve/reject for components without their own panel."""

    panel = Panel.FALLBACK

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the notice in the body says it once; not also as a problem
        self.problems = [p for p in self.problems if not p.startswith("no panel for component")]

    def default_title(self) -> str:
        return self.gate.reason or f"Review: {self.hint.component}"

    def body_view(self) -> dict[str, Any]:
        config = {k: v for k, v in self.config.items() if k != "feedback"}
        return {
            "notice": f"No dedicated panel for component {self.hint.component!r}: showing its data.",
            "payload": pretty(self.payload),
            "config": pretty(config) if config else None,
        }
