"""Subledger types: ``@register_type("expenses")`` on a ``Row`` subclass gives it a table.

Each type's table ``ledgers.<name>`` has the standard ``Row`` columns plus one column per field
the type adds, created by a migration of owner ``ledgers.<name>`` (see
:func:`ntro.data.register_migrations`), so every tenant database gets it on connect.
"""

from __future__ import annotations

import importlib
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from ntro.data import register_migrations
from ntro.subledger._row import STANDARD_COLUMNS, Row

__all__ = [
    "TypeAlreadyRegisteredError",
    "TypeNotRegisteredError",
    "column_types",
    "get_type",
    "register_type",
    "registered_types",
]

R = TypeVar("R", bound=type[Row])
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")
_BUILTIN_MODULES = {
    "expenses": "ntro.subledger.types.expenses",
    "journal_proposals": "ntro.subledger.types.journal_proposals",
}


class TypeAlreadyRegisteredError(ValueError):
    """Another row class already uses this subledger name."""


class TypeNotRegisteredError(LookupError):
    """No row class is registered under this subledger name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "subledger type not registered"


_TYPES: dict[str, tuple[type[Row], str | None]] = {}

_STANDARD_DDL = {
    "id": "uuid PRIMARY KEY",
    "entity_id": "text NOT NULL",
    "period": "text",
    "task_id": "text",
    "status": "text NOT NULL DEFAULT 'PENDING'",
    "source_ref": "text",
    "validation_errors": "jsonb NOT NULL DEFAULT '[]'::jsonb",
    "raw_payload": "jsonb",
    "created_at": "timestamptz NOT NULL DEFAULT now()",
    "updated_at": "timestamptz NOT NULL DEFAULT now()",
    "gl_external_id": "text",
}


def _pg_type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _pg_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _pg_type(inner[0]) if len(inner) == 1 else "jsonb"
    if origin is typing.Literal:
        return "text"
    if origin is not None:
        return "jsonb"  # list[...], dict[...]
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "boolean"
        if issubclass(annotation, Enum):
            return "text"
        if issubclass(annotation, int):
            return "bigint"
        if issubclass(annotation, float):
            return "double precision"
        if issubclass(annotation, Decimal):
            return "numeric"
        if issubclass(annotation, datetime):
            return "timestamptz"
        if issubclass(annotation, date):
            return "date"
        if issubclass(annotation, str):
            return "text"
        if issubclass(annotation, BaseModel):
            return "jsonb"
    return "jsonb"


def column_types(row_class: type[Row]) -> dict[str, str]:
    """Every column of ``row_class``'s table and its Postgres type (standard ones first)."""
    found = {
        name: _STANDARD_DDL[name].split()[0] for name in _STANDARD_DDL if name in STANDARD_COLUMNS
    }
    for name, info in row_class.model_fields.items():
        if name not in found:
            found[name] = _pg_type(info.annotation)
    return found


def _table_sql(name: str, row_class: type[Row]) -> str:
    table = f'ledgers."{name}"'
    extra = {n: t for n, t in column_types(row_class).items() if n not in STANDARD_COLUMNS}
    columns = [f'    "{n}" {ddl}' for n, ddl in _STANDARD_DDL.items()]
    columns += [f'    "{n}" {t}' for n, t in extra.items()]
    body = ",\n".join(columns)
    return (
        f"CREATE SCHEMA IF NOT EXISTS ledgers;\n"
        f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n);\n"
        f'CREATE INDEX IF NOT EXISTS "{name}_entity_task_status" '
        f"ON {table} (entity_id, task_id, status);\n"
        f'CREATE INDEX IF NOT EXISTS "{name}_entity_period" ON {table} (entity_id, period);\n'
    )


def register_type(name: str, *, owner_runbook: str | None = None) -> Callable[[R], R]:
    """Class decorator: register a ``Row`` subclass as subledger ``name`` (table ``ledgers.<name>``).

    Registering another class under a taken name raises :class:`TypeAlreadyRegisteredError`
    (the same class re-imported, e.g. after a notebook reload, replaces itself).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"subledger name {name!r} must be lower-case letters, digits and '_' "
            "(starting with a letter), e.g. 'expenses'"
        )

    def decorate(row_class: R) -> R:
        if not (isinstance(row_class, type) and issubclass(row_class, Row)):
            raise TypeError(f"@register_type({name!r}) decorates a Row subclass, not {row_class!r}")
        known = _TYPES.get(name)
        key = f"{row_class.__module__}.{row_class.__qualname__}"
        if known is not None and f"{known[0].__module__}.{known[0].__qualname__}" != key:
            owner = f" (runbook {known[1]})" if known[1] else ""
            raise TypeAlreadyRegisteredError(
                f"subledger type {name!r} is already registered by "
                f"{known[0].__module__}.{known[0].__qualname__}{owner}; choose another name"
            )
        register_migrations(f"ledgers.{name}", [(1, _table_sql(name, row_class))])
        row_class.subledger_name = name
        _TYPES[name] = (row_class, owner_runbook)
        return row_class

    return decorate


def get_type(name: str) -> type[Row]:
    """The row class registered as ``name`` (built-in types are imported on first use)."""
    if name not in _TYPES and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
    try:
        return _TYPES[name][0]
    except KeyError:
        known = ", ".join(sorted(_TYPES)) or "none"
        raise TypeNotRegisteredError(
            f"no subledger type {name!r} is registered (registered: {known}); import the module "
            "that defines it with @register_type"
        ) from None


def registered_types() -> dict[str, type[Row]]:
    """Every registered subledger name and its row class."""
    return {name: entry[0] for name, entry in _TYPES.items()}
