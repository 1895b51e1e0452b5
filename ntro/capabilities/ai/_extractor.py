"""The offline schema extractor: a schema's fields and line items read from a cell grid.

How it reads, and why each value's confidence is what it is:

- a **field** is the cell after (or the text after) one of its labels, read as its type; found
  beside an exact label it keeps the reading's own confidence, found by the schema's regular
  expression over the text 0.9 of it, an enum value spotted in the text alone 0.5;
- the **line-item table** starts at the row whose cells name the most schema columns; every
  later row whose required columns read is an item (repeated page headers, page footers and
  ``Total`` rows are left out and counted in ``raw_response``);
- a date column's day order is settled by the column itself (a ``31/01`` anywhere proves day
  first), so ``03/01`` only scores low when nothing in the file tells;
- ``field_enums`` restrict a field or column to allowed values: a near spelling is mapped with a
  lower score, anything else is left empty for the reviewer.

Pure and deterministic: the same file always gives the same result.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ntro.capabilities.ai._result import ExtractionResult, line_item_key
from ntro.capabilities.ai._schema import Schema, SchemaColumn, SchemaField
from ntro.capabilities.ai._values import CERTAIN, NOTHING, Reading, read_value

_PUNCT = re.compile(r"[:#.()\[\]*]+")
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}\s*$")
LOW = 0.8


def _norm(text: Any) -> str:
    return " ".join(_PUNCT.sub(" ", str(text or "").lower()).split())


def _match_enum(reading: Reading, allowed: list[str]) -> Reading:
    if reading.value is None:
        return reading
    text = str(reading.value).strip().lower()
    for option in allowed:
        if option.lower() == text:
            return Reading(option, reading.confidence)
    close = difflib.get_close_matches(text, [o.lower() for o in allowed], n=1, cutoff=0.75)
    if close:
        option = next(o for o in allowed if o.lower() == close[0])
        return Reading(
            option, min(reading.confidence, 0.6), f"{reading.value!r} read as {option!r}"
        )
    for option in allowed:  # "VISA card" -> "card"
        if re.search(rf"\b{re.escape(option.lower())}\b", text):
            return Reading(option, min(reading.confidence, 0.7), f"{option!r} found in the value")
    return Reading(None, 0.0, f"{reading.value!r} is not one of {allowed}")


class _Reader:
    def __init__(
        self, schema: Schema, text: str, grid: list[list[str]], enums: dict[str, list[str]]
    ):
        self.schema = schema
        self.text = text
        self.grid = [[str(c) if c is not None else "" for c in row] for row in grid]
        self.enums = enums

    def _allowed(self, key: str, declared: list[str] | None) -> list[str] | None:
        return self.enums.get(key) or declared

    def _typed(self, raw: Any, value_type: str, allowed: list[str] | None) -> Reading:
        reading = read_value(raw, value_type, day_first=self.schema.day_first)
        return _match_enum(reading, allowed) if allowed else reading

    # ── fields ───────────────────────────────────────────────────────────

    def _from_grid(self, field: SchemaField, rows: list[list[str]]) -> Reading:
        labels = {_norm(label) for label in field.labels}
        allowed = self._allowed(field.key, field.enum)
        for row in rows:
            for index, cell in enumerate(row):
                norm = _norm(cell)
                if norm in labels:
                    for candidate in row[index + 1 :]:
                        if candidate.strip():
                            reading = self._typed(candidate, field.type, allowed)
                            if reading.value is not None:
                                return reading
                            break
                elif ":" in cell:
                    label, _, value = cell.partition(":")
                    if _norm(label) in labels and value.strip():
                        reading = self._typed(value, field.type, allowed)
                        if reading.value is not None:
                            return reading
        return NOTHING

    def _from_text(self, field: SchemaField) -> Reading:
        allowed = self._allowed(field.key, field.enum)
        if field.pattern:
            match = re.search(field.pattern, self.text, flags=re.MULTILINE)
            if match:
                reading = self._typed(
                    match.group(1) if match.groups() else match.group(0), field.type, allowed
                )
                if reading.value is not None:
                    return Reading(
                        reading.value, round(reading.confidence * 0.9, 3), "found by pattern"
                    )
        for label in field.labels:
            match = re.search(rf"(?im)^\s*{re.escape(label)}\s*[:\-]?\s+(.+?)\s*$", self.text)
            if match:
                reading = self._typed(match.group(1), field.type, allowed)
                if reading.value is not None:
                    return Reading(
                        reading.value, round(reading.confidence * 0.9, 3), "found in the text"
                    )
        if allowed:
            lowered = self.text.lower()
            for option in allowed:
                if re.search(rf"\b{re.escape(option.lower())}\b", lowered):
                    return Reading(option, 0.5, f"{option!r} appears in the text")
        return NOTHING

    def fields(self, rows: list[list[str]]) -> tuple[dict[str, Any], dict[str, float], list[str]]:
        values: dict[str, Any] = {}
        scores: dict[str, float] = {}
        notes: list[str] = []
        for field in self.schema.fields:
            reading = self._from_grid(field, rows)
            if reading.value is None:
                reading = self._from_text(field)
            values[field.key] = reading.value
            scores[field.key] = round(reading.confidence, 3)
            if reading.note and reading.value is not None:
                notes.append(f"{field.key}: {reading.note}")
        return values, scores, notes

    # ── line items ───────────────────────────────────────────────────────

    def _header(self) -> tuple[int, dict[int, SchemaColumn]] | None:
        best: tuple[int, dict[int, SchemaColumn]] | None = None
        labels = [
            ({_norm(label) for label in col.labels} | {_norm(col.key)}, col)
            for col in self.schema.line_items
        ]
        for row_index, row in enumerate(self.grid):
            mapping: dict[int, SchemaColumn] = {}
            used: set[str] = set()
            for cell_index, cell in enumerate(row):
                norm = _norm(cell)
                for names, column in labels:
                    if norm and norm in names and column.key not in used:
                        mapping[cell_index] = column
                        used.add(column.key)
                        break
            required = {c.key for c in self.schema.line_items if c.required}
            if (
                len(mapping) >= 2
                and required <= used
                and (best is None or len(mapping) > len(best[1]))
            ):
                best = (row_index, mapping)
        return best

    def _day_first(self, rows: list[list[str]], index: int) -> tuple[bool, bool]:
        """(day first?, proven by the column itself?)"""
        for row in rows:
            match = _NUMERIC_DATE.match(row[index]) if index < len(row) else None
            if match:
                first, second = int(match.group(1)), int(match.group(2))
                if first > 12:
                    return True, True
                if second > 12:
                    return False, True
        return self.schema.day_first, False

    def line_items(
        self,
    ) -> tuple[list[dict[str, Any]], dict[str, float], dict[str, Any], int]:
        found = self._header()
        if found is None:
            return [], {}, {"header_row": None}, len(self.grid)
        header_index, mapping = found
        header_norm = [_norm(c) for c in self.grid[header_index]]
        body = self.grid[header_index + 1 :]
        order = {i: self._day_first(body, i) for i, col in mapping.items() if col.type == "date"}
        amount_columns = [
            i for i, col in mapping.items() if col.type == "amount" and not col.running_balance
        ]
        balance_rows: list[dict[str, Any]] = []
        source_rows: list[int] = []
        items: list[dict[str, Any]] = []
        scores: dict[str, float] = {}
        repeated_headers = skipped = 0
        totals: list[list[str]] = []
        for offset, row in enumerate(body):
            if [_norm(c) for c in row] == header_norm:
                repeated_headers += 1
                continue
            first = next((c for c in row if c.strip()), "")
            if _norm(first).startswith(("total", "balance carried", "balance brought")):
                totals.append(row)
                continue
            item: dict[str, Any] = {column.key: None for column in self.schema.line_items}
            item_scores: dict[str, float] = {}
            ok = True
            for index, column in mapping.items():
                raw = row[index] if index < len(row) else ""
                if column.type == "date":
                    day_first, proven = order[index]
                    reading = read_value(raw, "date", day_first=day_first)
                    if proven and reading.value is not None:
                        reading = Reading(reading.value, CERTAIN)
                else:
                    reading = self._typed(raw, column.type, self._allowed(column.key, column.enum))
                if column.required and reading.value is None:
                    ok = False
                    break
                if raw.strip() and reading.value is None and column.type == "amount":
                    ok = False  # text where a number belongs: not a transaction line
                    break
                item[column.key] = reading.value
                item_scores[column.key] = round(reading.confidence if raw.strip() else CERTAIN, 3)
            if (
                ok
                and amount_columns
                and all(item.get(mapping[i].key) is None for i in amount_columns)
            ):
                ok = False
                balances = {
                    c.key: item[c.key]
                    for c in mapping.values()
                    if c.running_balance and item.get(c.key) is not None
                }
                if balances:  # "balance brought forward": a fact, not a movement
                    balance_rows.append(
                        {"row": header_index + 1 + offset, "cells": row, **balances}
                    )
                    continue
            if not ok:
                skipped += 1
                continue
            number = len(items)
            items.append({"line_item_id": f"L{number + 1}", **item})
            source_rows.append(header_index + 1 + offset)
            scores.update({line_item_key(number, k): v for k, v in item_scores.items()})
        facts = {
            "header_row": header_index,
            "columns": {str(i): c.key for i, c in mapping.items()},
            "repeated_headers": repeated_headers,
            "totals_rows": totals,
            "balance_rows": balance_rows,
            "source_rows": source_rows,
        }
        return items, scores, facts, skipped


def extract_offline(
    schema: Schema,
    *,
    text: str,
    grid: list[list[str]],
    field_enums: dict[str, list[str]] | None = None,
    instructions: str = "",
) -> ExtractionResult:
    """Read ``schema``'s fields and line items from ``grid`` and ``text``; see the module doc."""
    reader = _Reader(schema, text, grid, dict(field_enums or {}))
    items, item_scores, facts, skipped = reader.line_items()
    header_rows = grid[: facts["header_row"]] if facts["header_row"] is not None else grid
    values, field_scores, notes = reader.fields(header_rows or grid)
    if any(v is None for v in values.values()) and facts["header_row"] is not None:
        more, more_scores, more_notes = reader.fields(grid)
        for key, value in more.items():
            if values[key] is None and value is not None:
                values[key], field_scores[key] = value, more_scores[key]
        notes += more_notes
    scores = {**field_scores, **item_scores}
    found = sum(1 for v in values.values() if v is not None)
    missing = [f.key for f in schema.fields if f.required and values.get(f.key) is None]
    low = sum(1 for v in scores.values() if v < LOW)
    summary = (
        f"{schema.title}: {len(items)} line item{'s' if len(items) != 1 else ''}, "
        f"{found} of {len(schema.fields)} fields"
    )
    if missing:
        summary += f"; not found: {', '.join(missing)}"
    if low:
        summary += f"; {low} value{'s' if low != 1 else ''} below {LOW:.0%} confidence"
    return ExtractionResult(
        schema_slug=schema.slug,
        fields=values,
        line_items=items,
        confidence_scores=scores,
        summary=summary,
        raw_response={
            "provider": "schema",
            "model": f"schema-extractor:{schema.fingerprint}",
            "schema_source": schema.source,
            "skipped_rows": skipped,
            "notes": notes,
            "instructions_ignored": bool(instructions.strip()),
            **facts,
        },
    )
