"""DATA_TABLE review of subledger rows: columns from the row class, a display hint, a payload.

``data_table_config(ExpenseRow, title="Review expenses")`` gives the display hint a gate
passes to ``wait_for_action(display_hint=...)``; ``table_payload(rows)`` the rows it shows.
Columns come from the row class's fields (types from their annotations); standard columns
(status, period, ...) are left out unless ``include_standard``. Corrections a reviewer makes
name the row by its ``id`` and the field by its column key, ready for ``handle.update``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ntro.subledger._row import STANDARD_COLUMNS, Row

__all__ = ["DEFAULT_ACTIONS", "columns_for", "data_table_config", "table_payload"]

DEFAULT_ACTIONS: list[dict[str, Any]] = [
    {"kind": "reject", "label": "Reject"},
    {"kind": "approve", "label": "Approve", "primary": True},
]

# Fields a reviewer never edits: set by the system as the row moves on.
_SYSTEM_FIELDS = {
    "approved_at",
    "posted_to_gl",
    "posted_journal_ref",
    "category_source",
    "confidence",
}
_MONEY_WORDS = ("amount", "gross", "net", "vat", "total", "tax", "price", "cost")
_SHOWN_STANDARD = ("status", "period", "source_ref")


def _base(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base(inner[0]) if len(inner) == 1 else None
    return annotation


def _column_type(name: str, annotation: Any) -> str | None:
    base = _base(annotation)
    if typing.get_origin(base) is not None or (
        isinstance(base, type) and issubclass(base, BaseModel)
    ):
        return None  # lists and objects are not table cells
    if base is bool:
        return "boolean"
    if base in (int, float, Decimal):
        return "currency" if any(w in name for w in _MONEY_WORDS) else "number"
    if base in (date, datetime):
        return "date"
    return "text"


def columns_for(
    row_class: type[Row],
    *,
    include_standard: bool = False,
    editable_overrides: Mapping[str, bool] | None = None,
    exclude: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """DATA_TABLE columns (``key, label, type, editable``) for ``row_class``'s fields."""
    overrides = dict(editable_overrides or {})
    skipped = set(exclude)
    columns = []
    for name, info in row_class.model_fields.items():
        standard = name in STANDARD_COLUMNS
        if name in skipped or (standard and not (include_standard and name in _SHOWN_STANDARD)):
            continue
        kind = _column_type(name, info.annotation)
        if kind is None:
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        editable = not standard and name not in _SYSTEM_FIELDS and extra.get("editable", True)
        if name == "period":
            editable = True
        columns.append(
            {
                "key": name,
                "label": info.title or name.replace("_", " ").capitalize(),
                "type": kind,
                "editable": bool(overrides.get(name, editable)),
            }
        )
    unknown = sorted(set(overrides) - {c["key"] for c in columns})
    if unknown:
        raise ValueError(
            f"editable_overrides names no column of {row_class.__name__}: {', '.join(unknown)}"
        )
    return columns


def data_table_config(
    row_class: type[Row],
    *,
    title: str | None = None,
    columns: Sequence[str | Mapping[str, Any]] | None = None,
    actions: Sequence[Mapping[str, Any]] | None = None,
    editable_overrides: Mapping[str, bool] | None = None,
    include_standard: bool = False,
) -> dict[str, Any]:
    """The display hint ``{"component": "DATA_TABLE", "config": {...}}`` for reviewing rows.

    ``columns`` picks and orders columns by key (or gives full column dicts); by default
    every table-friendly field of ``row_class``. Corrections are allowed on editable columns.
    """
    available = {
        c["key"]: c for c in columns_for(row_class, include_standard=True, editable_overrides=None)
    }
    chosen: list[dict[str, Any]]
    if columns is None:
        chosen = columns_for(
            row_class, include_standard=include_standard, editable_overrides=editable_overrides
        )
    else:
        chosen = []
        for item in columns:
            if isinstance(item, Mapping):
                chosen.append(dict(item))
                continue
            if item not in available:
                raise ValueError(
                    f"column {item!r} is not a field of {row_class.__name__}; fields: "
                    f"{', '.join(available)}"
                )
            column = dict(available[item])
            if editable_overrides and item in editable_overrides:
                column["editable"] = bool(editable_overrides[item])
            chosen.append(column)
    name = row_class.subledger_name or row_class.__name__
    return {
        "component": "DATA_TABLE",
        "config": {
            "title": title or f"Review {name.replace('_', ' ')}",
            "columns": chosen,
            "actions": [dict(a) for a in (actions if actions is not None else DEFAULT_ACTIONS)],
            "allow_corrections": any(c.get("editable") for c in chosen),
            "reject_requires_comment": True,
        },
    }


def table_payload(rows: Iterable[Row], *, key: str = "rows") -> dict[str, Any]:
    """``{"rows": [...]}``: the rows as JSON data, named by ``id``, with status and errors."""
    return {key: [row.model_dump(mode="json", exclude={"raw_payload"}) for row in rows]}
