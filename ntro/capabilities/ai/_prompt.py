"""The prompt an LLM provider gets for a schema, and reading its answer back into an
:class:`ExtractionResult` normalised exactly like the offline extractor's (amounts as decimal
strings, ISO dates, enum spellings, ``line_item_id`` on every row)."""

from __future__ import annotations

import json
import re
from typing import Any

from ntro.capabilities.ai._errors import ProviderResponseError
from ntro.capabilities.ai._result import ExtractionResult, line_item_key
from ntro.capabilities.ai._schema import Schema
from ntro.capabilities.ai._values import CERTAIN, Reading, read_value

MAX_TEXT_CHARS = 60_000
MAX_GRID_ROWS = 400
UNSCORED = 0.75
"""The confidence of a value the model returned without scoring it."""


def system_prompt(schema: Schema, field_enums: dict[str, list[str]] | None) -> str:
    """Instructions describing ``schema`` and the JSON shape to answer with."""
    enums = dict(field_enums or {})
    lines = [
        "You extract structured data from financial documents. Answer with one JSON object and "
        "nothing else, of the form:",
        '{"fields": {...}, "line_items": [{...}], "confidence_scores": {"<field>": 0.0-1.0, '
        '"line_items[<i>].<column>": 0.0-1.0}, "summary": "<one sentence>"}',
        "Dates as YYYY-MM-DD, amounts as plain numbers with a minus sign for negatives, null "
        "for values not in the document. Do not invent values.",
        f"Document kind: {schema.title}. {schema.description}",
        "Fields:",
    ]
    for field in schema.fields:
        allowed = enums.get(field.key) or field.enum
        lines.append(
            f"- {field.key} ({field.type}{', required' if field.required else ''})"
            + (f": one of {allowed}" if allowed else "")
            + (f" - labelled {', '.join(field.labels[:4])}" if field.labels else "")
        )
    if schema.line_items:
        lines.append("Line item columns (one object per table row, in document order):")
        for column in schema.line_items:
            allowed = enums.get(column.key) or column.enum
            lines.append(
                f"- {column.key} ({column.type}{', required' if column.required else ''})"
                + (f": one of {allowed}" if allowed else "")
            )
    return "\n".join(lines)


def user_prompt(text: str, grid: list[list[str]], instructions: str) -> str:
    """The document as text, and its table cells when there are any."""
    parts = []
    if instructions.strip():
        parts.append(f"Instructions: {instructions.strip()}")
    parts.append("Document text:\n" + text[:MAX_TEXT_CHARS])
    if grid:
        rows = "\n".join("\t".join(row) for row in grid[:MAX_GRID_ROWS])
        parts.append("Table cells (tab-separated rows):\n" + rows)
    return "\n\n".join(parts)


def _json_object(text: str, provider: str) -> dict[str, Any]:
    body = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", body, flags=re.DOTALL)
    if fenced:
        body = fenced.group(1).strip()
    start, end = body.find("{"), body.rfind("}")
    try:
        if start < 0 or end < start:
            raise ValueError("no JSON object")
        parsed = json.loads(body[start : end + 1])
        if not isinstance(parsed, dict):
            raise ValueError("not an object")
        return parsed
    except ValueError as err:
        preview = " ".join(text.split())[:160]
        raise ProviderResponseError(
            f"{provider} returned a response that is not the JSON object asked for ({err}): "
            f"{preview!r}; the full text is in the trace",
            provider=provider,
        ) from None


def _normal(
    raw: Any, value_type: str, allowed: list[str] | None, schema: Schema
) -> tuple[Any, float | None]:
    if raw is None:
        return None, None
    reading = read_value(raw, value_type, day_first=schema.day_first)
    if allowed and reading.value is not None:
        from ntro.capabilities.ai._extractor import _match_enum

        reading = _match_enum(Reading(reading.value, reading.confidence), allowed)
    return reading.value, (reading.confidence if reading.value is not None else 0.0)


def _score(scores: dict[str, Any], key: str, reading_score: float | None) -> float:
    given = scores.get(key)
    value = float(given) if isinstance(given, int | float) else UNSCORED
    value = max(0.0, min(1.0, value))
    # only an ambiguous reading (a decimal comma, a day/month order) lowers the model's score
    if reading_score is not None and reading_score < CERTAIN:
        value = min(value, reading_score)
    return round(value, 3)


def _dict_or_empty(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def result_from_answer(
    text: str,
    schema: Schema,
    *,
    provider: str,
    model: str,
    field_enums: dict[str, list[str]] | None,
) -> ExtractionResult:
    """Read a model's answer into an :class:`ExtractionResult`; malformed output raises
    :class:`ProviderResponseError` (retryable)."""
    answer = _json_object(text, provider)
    enums = dict(field_enums or {})
    given_fields = _dict_or_empty(answer.get("fields"))
    given_scores = _dict_or_empty(answer.get("confidence_scores"))
    fields: dict[str, Any] = {}
    scores: dict[str, float] = {}
    for field in schema.fields:
        value, reading = _normal(
            given_fields.get(field.key), field.type, enums.get(field.key) or field.enum, schema
        )
        fields[field.key] = value
        scores[field.key] = _score(given_scores, field.key, reading) if value is not None else 0.0
    items: list[dict[str, Any]] = []
    raw_line_items = answer.get("line_items")
    raw_items: list[Any] = raw_line_items if isinstance(raw_line_items, list) else []
    for index, raw_item in enumerate(raw_items):
        if not isinstance(raw_item, dict):
            continue
        item: dict[str, Any] = {"line_item_id": f"L{len(items) + 1}"}
        for column in schema.line_items:
            value, reading = _normal(
                raw_item.get(column.key),
                column.type,
                enums.get(column.key) or column.enum,
                schema,
            )
            item[column.key] = value
            key = line_item_key(len(items), column.key)
            scores[key] = _score(given_scores, line_item_key(index, column.key), reading)
        items.append(item)
    summary = answer.get("summary")
    return ExtractionResult(
        schema_slug=schema.slug,
        fields=fields,
        line_items=items,
        confidence_scores=scores,
        summary=str(summary) if summary else f"{schema.title}: {len(items)} line items",
        raw_response={"provider": provider, "model": model, "text": text},
    )
