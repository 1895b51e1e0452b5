"""``open(name=..., entity_id=..., task_id=...)``: one task's rows of one subledger type.

Inserts are idempotent: a row with a ``source_ref`` gets an id derived from (type, entity, task,
source_ref), and inserting an id that exists changes nothing, so a retried activity does not
duplicate rows. Status changes are one SQL statement each, filtered by the states the machine
allows, returning how many rows moved: a retry moves nothing twice. If any named row is in a
state that cannot move to the target (and is not there already), the statement changes nothing
and :class:`IllegalTransitionError` names that state and the target.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from ntro.subledger._registry import column_types, get_type
from ntro.subledger._row import STANDARD_COLUMNS, Row
from ntro.subledger._status import (
    IllegalTransitionError,
    SubledgerStatus,
    allowed_from,
)

__all__ = ["SubledgerHandle", "open"]

R = TypeVar("R", bound=Row)
_NAMESPACE = uuid.UUID("6e74726f-0000-4000-8000-7375626c6467")  # "ntro" ... "subldg"
_EDITABLE_STATES = (SubledgerStatus.NEEDS_ATTENTION, SubledgerStatus.PENDING)


def _row_id(name: str, entity_id: str, task_id: str | None, source_ref: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{name}|{entity_id}|{task_id or ''}|{source_ref}"))


def _same(value: Any) -> Any:
    return value


def _text(value: Any) -> str:
    return value if type(value) is str else str(getattr(value, "value", value))  # enums too


def _json_text(value: Any) -> str:
    return json.dumps(to_jsonable_python(value))


_CONVERTERS: dict[str, Callable[[Any], Any]] = {"jsonb": _json_text, "uuid": str, "text": _text}


def _field_adapter(row_class: type[Row], name: str) -> TypeAdapter[Any]:
    """A validator for one field as the model validates it (its Annotated validators too:
    pydantic moves those from ``annotation`` to ``metadata``)."""
    info = row_class.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[annotation, *info.metadata]
    return TypeAdapter(annotation)


def _ids(ids: Iterable[Any]) -> list[str]:
    if isinstance(ids, str | uuid.UUID):
        ids = [ids]
    out = []
    for value in ids:
        try:
            out.append(str(uuid.UUID(str(value))))
        except ValueError:
            raise ValueError(f"row id {value!r} is not a UUID (as returned by insert)") from None
    return out


class SubledgerHandle(Generic[R]):
    """Rows of subledger ``name`` for one entity and task, in one tenant's data plane."""

    def __init__(
        self,
        *,
        name: str,
        row_class: type[R],
        entity_id: str,
        task_id: str | None,
        tenant_slug: str | None,
        db: Any = None,
    ) -> None:
        self.name = name
        self.row_class = row_class
        self.entity_id = entity_id
        self.task_id = task_id
        self.tenant_slug = tenant_slug
        self._db = db
        self._types = column_types(row_class)
        self.table = f'ledgers."{name}"'

    def __repr__(self) -> str:
        return (
            f"SubledgerHandle(name={self.name!r}, entity_id={self.entity_id!r}, "
            f"task_id={self.task_id!r})"
        )

    async def db(self) -> Any:
        """The data plane this handle writes to (the tenant's, fetched on first use)."""
        if self._db is None:
            from ntro.data import get_data_plane

            self._db = await get_data_plane(self.tenant_slug)
        return self._db

    # -- building and inserting ------------------------------------------------------------
    async def row(self, **fields: Any) -> R:
        """A new (unsaved) row of this type for this entity and task; validates ``fields``."""
        values = {"entity_id": self.entity_id, "task_id": self.task_id, **fields}
        if "id" not in fields and fields.get("source_ref"):
            values["id"] = _row_id(self.name, self.entity_id, self.task_id, fields["source_ref"])
        return self.row_class(**values)

    def _column_value(self, name: str, value: Any) -> Any:
        """``value`` as the database driver takes it for column ``name`` (jsonb as JSON text)."""
        return None if value is None else _CONVERTERS.get(self._types[name], _same)(value)

    async def insert(
        self, rows: R | Mapping[str, Any] | Iterable[R | Mapping[str, Any]]
    ) -> list[str]:
        """Insert rows (models or field mappings); returns their ids.

        Rows whose id already exists are left as they are (idempotent retries). One statement
        for all rows (``INSERT ... SELECT FROM unnest(...)``).
        """
        if isinstance(rows, Row | Mapping):
            rows = [rows]
        models: list[R] = []
        for item in rows:
            if isinstance(item, self.row_class):
                models.append(item)
            elif isinstance(item, Mapping):
                models.append(await self.row(**dict(item)))
            elif isinstance(item, Row):
                models.append(await self.row(**item.model_dump(exclude={"entity_id", "task_id"})))
            else:
                raise TypeError(
                    f"insert takes {self.row_class.__name__} rows or mappings, not {item!r}"
                )
        if not models:
            return []
        now = datetime.now(UTC)
        columns = [c for c in self._types if c != "gl_external_id"]
        convert = [_CONVERTERS.get(self._types[c], _same) for c in columns]
        arrays: list[list[Any]] = [[] for _ in columns]
        stamps = {"created_at", "updated_at"}
        for model in models:
            data = model.__dict__  # the field values, without pydantic's per-field iteration
            for index, column in enumerate(columns):
                value = data.get(column)
                if column in stamps:
                    value = now if column == "updated_at" or value is None else value
                arrays[index].append(None if value is None else convert[index](value))
        # jsonb travels as text arrays (a list of lists would read as a 2-D array) and is cast
        # back per row.
        array_types = ["text" if self._types[c] == "jsonb" else self._types[c] for c in columns]
        casts = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(array_types))
        aliases = ", ".join(f"c{i}" for i in range(len(columns)))
        picks = ", ".join(
            f"c{i}::jsonb" if self._types[c] == "jsonb" else f"c{i}" for i, c in enumerate(columns)
        )
        names = ", ".join(f'"{c}"' for c in columns)
        db = await self.db()
        await db.execute(
            f"INSERT INTO {self.table} ({names}) SELECT {picks} FROM unnest({casts}) "
            f"AS u({aliases}) ON CONFLICT (id) DO NOTHING",
            *arrays,
        )
        return [m.id for m in models]

    async def insert_needs_attention(
        self,
        *,
        period: str | None,
        raw_payload: Mapping[str, Any] | None,
        validation_errors: list[Mapping[str, Any]],
        source_ref: str | None,
        type_specific_fields: Mapping[str, Any] | None = None,
    ) -> str:
        """Insert a row that failed validation as ``NEEDS_ATTENTION``; returns its id.

        Type fields that are valid on their own are stored; invalid ones stay empty (the
        original values are in ``raw_payload`` and the reasons in ``validation_errors``).
        """
        kept: dict[str, Any] = {}
        errors = [dict(e) for e in validation_errors]
        for field, value in (type_specific_fields or {}).items():
            info = self.row_class.model_fields.get(field)
            if info is None or field in STANDARD_COLUMNS:
                continue
            try:
                kept[field] = _field_adapter(self.row_class, field).validate_python(value)
            except ValidationError as err:
                if not any(e.get("field") == field for e in errors):
                    errors.append({"field": field, "message": err.errors()[0]["msg"]})
        values: dict[str, Any] = {
            "period": period,
            "raw_payload": dict(raw_payload) if raw_payload is not None else None,
            "validation_errors": errors,
            "source_ref": source_ref,
            "status": SubledgerStatus.NEEDS_ATTENTION,
        }
        if source_ref:
            values["id"] = _row_id(self.name, self.entity_id, self.task_id, source_ref)
        defaults = {
            n: f.get_default(call_default_factory=True)
            for n, f in self.row_class.model_fields.items()
            if not f.is_required()
        }
        model = self.row_class.model_construct(
            **{
                **defaults,
                "entity_id": self.entity_id,
                "task_id": self.task_id,
                **kept,
                **values,
            }
        )
        if "id" not in values:
            model.id = str(uuid.uuid4())
        [row_id] = await self.insert([model])
        return row_id

    # -- reading and correcting -------------------------------------------------------------
    def _model(self, record: Any) -> R:
        data = dict(record)
        data.pop("gl_external_id", None)
        try:
            return self.row_class.model_validate(data)
        except ValidationError:  # a NEEDS_ATTENTION row may lack required type fields
            data["id"] = str(data["id"])
            return self.row_class.model_construct(**data)

    async def query(
        self,
        status: str | SubledgerStatus | Iterable[str | SubledgerStatus] | None = None,
        *,
        ids: Iterable[Any] | None = None,
        period: str | None = None,
        all_tasks: bool = False,
    ) -> list[R]:
        """This task's rows (or the entity's, with ``all_tasks``), oldest first."""
        statuses: list[str] | None = None
        if status is not None:
            items = [status] if isinstance(status, str) else list(status)
            statuses = [SubledgerStatus(str(s).upper()).value for s in items]
        db = await self.db()
        records = await db.fetch(
            f"SELECT * FROM {self.table} WHERE entity_id = $1 "
            "AND ($2::boolean OR task_id IS NOT DISTINCT FROM $3) "
            "AND ($4::text[] IS NULL OR status = ANY($4::text[])) "
            "AND ($5::uuid[] IS NULL OR id = ANY($5::uuid[])) "
            "AND ($6::text IS NULL OR period = $6) ORDER BY created_at, id",
            self.entity_id,
            all_tasks,
            self.task_id,
            statuses,
            _ids(ids) if ids is not None else None,
            period,
        )
        return [self._model(r) for r in records]

    async def update(self, row_id: Any, **fields: Any) -> int:
        """Correct fields of one row still ``NEEDS_ATTENTION`` or ``PENDING``; returns 0 or 1.

        Values are validated as the row class's fields; standard columns other than
        ``period`` and ``validation_errors`` cannot be changed here.
        """
        [target] = _ids([row_id])
        allowed = set(self.row_class.model_fields) - set(STANDARD_COLUMNS) | {
            "period",
            "validation_errors",
        }
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise ValueError(
                f"cannot update {', '.join(unknown)} of a {self.name} row; updatable: "
                f"{', '.join(sorted(allowed))}"
            )
        if not fields:
            return 0
        values = []
        for field, value in fields.items():
            try:
                checked = _field_adapter(self.row_class, field).validate_python(value)
            except ValidationError as err:
                raise ValueError(f"{field} {value!r}: {err.errors()[0]['msg']}") from None
            values.append(self._column_value(field, checked))
        sets = ", ".join(f'"{f}" = ${i + 4}' for i, f in enumerate(fields))
        db = await self.db()
        status = await db.execute(
            f"UPDATE {self.table} SET {sets}, updated_at = now() "
            "WHERE id = $1::uuid AND entity_id = $2 AND status = ANY($3::text[])",
            target,
            self.entity_id,
            [s.value for s in _EDITABLE_STATES],
            *values,
        )
        return int(status.split()[-1])

    # -- status changes --------------------------------------------------------------------
    async def _move(
        self,
        ids: Iterable[Any],
        to: SubledgerStatus,
        *,
        refs: Mapping[str, str] | None = None,
        extra_sets: str = "",
    ) -> int:
        targets = _ids(ids)
        if not targets:
            return 0
        sources = [s.value for s in allowed_from(to)]
        ref_values = (
            [(refs or {}).get(t) for t in targets] if refs is not None else [None] * len(targets)
        )
        db = await self.db()
        record = await db.fetchrow(
            f"WITH target AS (SELECT t.id, t.status FROM {self.table} t "
            "  WHERE t.entity_id = $1 AND t.id = ANY($2::uuid[]) FOR UPDATE), "
            "bad AS (SELECT DISTINCT status FROM target "
            "  WHERE status <> $3 AND NOT (status = ANY($4::text[]))), "
            f"upd AS (UPDATE {self.table} t SET status = $3, updated_at = now(){extra_sets} "
            "  FROM target JOIN unnest($2::uuid[], $5::text[]) AS r(id, ref) ON r.id = target.id "
            "  WHERE t.id = target.id AND target.status = ANY($4::text[]) "
            "  AND NOT EXISTS (SELECT 1 FROM bad) RETURNING t.id) "
            "SELECT (SELECT count(*) FROM upd) AS changed, ARRAY(SELECT status FROM bad) AS bad",
            self.entity_id,
            targets,
            to.value,
            sources,
            ref_values,
        )
        if record["bad"]:
            raise IllegalTransitionError(sorted(record["bad"])[0], to.value)
        return int(record["changed"])

    async def mark_pending(self, *, ids: Iterable[Any]) -> int:
        """Move rows to ``PENDING`` (from ``NEEDS_ATTENTION``, or back from ``APPROVED``)."""
        return await self._move(ids, SubledgerStatus.PENDING)

    async def mark_approved(self, *, ids: Iterable[Any]) -> int:
        """Move ``PENDING`` rows to ``APPROVED``; returns how many moved."""
        extra = ", approved_at = now()" if self._types.get("approved_at") == "timestamptz" else ""
        return await self._move(ids, SubledgerStatus.APPROVED, extra_sets=extra)

    async def mark_rejected(self, *, ids: Iterable[Any]) -> int:
        """Move rows not yet approved to ``REJECTED``; returns how many moved."""
        return await self._move(ids, SubledgerStatus.REJECTED)

    async def mark_excluded(self, *, ids: Iterable[Any]) -> int:
        """Move rows not yet approved to ``EXCLUDED``; returns how many moved."""
        return await self._move(ids, SubledgerStatus.EXCLUDED)

    async def mark_posted(self, *, gl_external_ids: Mapping[Any, str]) -> int:
        """Move ``APPROVED`` rows to ``POSTED`` with their general-ledger reference."""
        refs = {str(uuid.UUID(str(k))): str(v) for k, v in gl_external_ids.items()}
        extra = ", gl_external_id = r.ref"
        if self._types.get("posted_journal_ref") == "text":
            extra += ", posted_journal_ref = r.ref"
        if self._types.get("posted_to_gl") == "boolean":
            extra += ", posted_to_gl = true"
        return await self._move(list(refs), SubledgerStatus.POSTED, refs=refs, extra_sets=extra)


def open(  # noqa: A001 - the published name
    *,
    name: str,
    entity_id: str,
    task_id: str | None,
    tenant_slug: str | None = None,
    db: Any = None,
) -> SubledgerHandle[Any]:
    """A handle on subledger ``name``'s rows for ``entity_id`` and ``task_id``.

    ``db`` is a data plane to use; by default the tenant's (``tenant_slug``, else
    ``$NTRO_TENANT_SLUG``/``local``) is fetched on first use.
    """
    if not entity_id:
        raise ValueError("entity_id is required: the entity (company) the rows belong to")
    row_class = get_type(name)
    return SubledgerHandle(
        name=name,
        row_class=row_class,
        entity_id=entity_id,
        task_id=task_id,
        tenant_slug=tenant_slug,
        db=db,
    )
