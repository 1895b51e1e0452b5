"""APPROVAL_FORM: the gate's payload as labelled fields, a comment, approve and reject.

Why: the default review gate; a reviewer reads what the workflow proposes and decides.
"""

from __future__ import annotations

from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._values import humanize, plain_text


def payload_fields(payload: Any, only: Any = None) -> list[dict[str, str]]:
    """``[{label, value}]`` for a payload's top-level fields (``only`` limits and orders them)."""
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json")
    if isinstance(payload, dict):
        keys = [str(k) for k in only] if isinstance(only, list) and only else list(payload)
        return [{"label": humanize(k), "value": plain_text(payload.get(k))} for k in keys]
    if payload is None:
        return []
    return [{"label": "Value", "value": plain_text(payload)}]


class ApprovalFormModel(PanelModel):
    """Fields of the payload (``config.fields`` picks them) and a decision."""

    panel = Panel.APPROVAL_FORM

    def default_title(self) -> str:
        return self.gate.reason or "Approval"

    def body_view(self) -> dict[str, Any]:
        return {
            "fields": payload_fields(self.payload, self.config.get("fields")),
            "instructions": self._text_config("instructions") or self._text_config("description"),
        }
