"""The one result type of every extractor, offline or model-based, so review panels treat both
alike."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


def line_item_key(index: int, column: str) -> str:
    """The ``confidence_scores`` key of line item ``index``'s ``column``: ``line_items[3].date``."""
    return f"line_items[{index}].{column}"


class ExtractionResult(BaseModel):
    """What was read from a document under a schema.

    ``fields`` are document-level values, ``line_items`` the table rows (each with a
    ``line_item_id`` such as ``L1`` that corrections name), ``confidence_scores`` one score in
    [0, 1] per field key and per ``line_items[i].column``, ``summary`` a sentence for the
    reviewer, and ``raw_response`` the provider's own output and facts (``provider``, ``model``,
    ``cache``: ``hit`` or ``miss``).
    """

    schema_slug: str
    fields: dict[str, Any] = Field(default_factory=dict)
    line_items: list[dict[str, Any]] = Field(default_factory=list)
    confidence_scores: dict[str, float] = Field(default_factory=dict)
    summary: str = ""
    raw_response: dict[str, Any] = Field(default_factory=dict)

    def average_confidence(self) -> float:
        """The mean of every score (1.0 when nothing was scored)."""
        scores = list(self.confidence_scores.values())
        return sum(scores) / len(scores) if scores else 1.0

    def low_confidence(self, threshold: float = 0.8) -> dict[str, float]:
        """The scores below ``threshold``, by key."""
        return {k: v for k, v in self.confidence_scores.items() if v < threshold}
