"""SUMMARY: a step's result as labelled sections typed number, badge or text.

Why: the end of a run (or a figure check) is read at a glance; ``sections`` say which result
fields to show and how; without them every top-level field of the result is shown.
"""

from __future__ import annotations

from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._values import format_number, humanize, parse_number, plain_text

SECTION_TYPES = ("number", "badge", "text")
_GOOD = (
    "ok",
    "pass",
    "passed",
    "complete",
    "completed",
    "approved",
    "balanced",
    "yes",
    "true",
    "success",
    "matched",
    "valid",
    "signed off",
)
_BAD = ("fail", "failed", "error", "rejected", "unbalanced", "no", "false", "invalid", "missing")


def badge_tone(value: str) -> str:
    """``good``, ``bad`` or ``neutral`` for a badge's text."""
    lowered = value.strip().lower()
    if lowered in _GOOD:
        return "good"
    if lowered in _BAD:
        return "bad"
    return "neutral"


def _lookup(data: Any, key: str) -> tuple[bool, Any]:
    current = data
    for part in key.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return False, None
    return True, current


class SummaryModel(PanelModel):
    """Sections from config (``[{key, label, type}]``) or from the result's fields."""

    panel = Panel.SUMMARY

    def __init__(self, *args: Any, result: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = self.payload if self.payload is not None else result
        self.sections = self._read_sections()

    def default_title(self) -> str:
        return "Summary"

    def _section(self, key: str, label: str, kind: str, value: Any) -> dict[str, Any]:
        if kind == "number":
            number = parse_number(value)
            text = format_number(number) if number is not None else plain_text(value)
            if number is None and value is not None:
                self._note(
                    f"section {label!r}: {plain_text(value)!r} is not a number, shown as text"
                )
        elif kind == "badge":
            text = plain_text(value)
        else:
            text = plain_text(value)
        return {
            "key": key,
            "label": label,
            "type": kind,
            "value": text,
            "tone": badge_tone(text) if kind == "badge" else None,
        }

    def _read_sections(self) -> list[dict[str, Any]]:
        configured = self.config.get("sections")
        data = self.source
        if hasattr(data, "model_dump"):
            data = data.model_dump(mode="json")
        out = []
        if isinstance(configured, list) and configured:
            for index, item in enumerate(configured):
                if isinstance(item, str):
                    item = {"key": item}
                if not isinstance(item, dict) or not item.get("key"):
                    self._note(f"section #{index + 1} names no key: skipped")
                    continue
                key = str(item["key"])
                label = plain_text(item.get("label") or humanize(key))
                kind = str(item.get("type") or "text")
                if kind not in SECTION_TYPES:
                    self._note(f"section {label!r} has unknown type {kind!r}: shown as text")
                    kind = "text"
                found, value = _lookup(data, key)
                if not found:
                    self._note(f"section {label!r}: the result has no {key!r}")
                    value = None
                out.append(self._section(key, label, kind, value))
            return out
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, bool):
                    kind = "badge"
                elif parse_number(value) is not None and not isinstance(value, str):
                    kind = "number"
                else:
                    kind = "text"
                out.append(self._section(str(key), humanize(str(key)), kind, value))
            return out
        if data is not None:
            out.append(self._section("value", "Result", "text", data))
        return out

    def body_view(self) -> dict[str, Any]:
        return {"sections": self.sections}
