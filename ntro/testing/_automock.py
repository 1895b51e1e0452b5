"""Values for auto-mocked activities and generated run inputs.

Plain types get fixed, readable values (``"auto-mock"``, ``0``, ``True``, fixed dates) so a
report is easy to read; pydantic models are built field by field, keeping the author's
defaults. A field with constraints (``pattern``, ``gt``, ``max_length``...) gets a value built
from its JSON schema in one pass (:mod:`ntro.testing._schema_values`) and validated against
the type; only when that walk cannot meet the schema is the value searched for with
``hypothesis-jsonschema`` (imported then, since its import alone takes seconds). Both are
deterministic: the same annotation and seed give the same value, run after run.
String annotations (``from __future__ import annotations``) are resolved first.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ntro.testing._schema_values import NoExample, schema_example

FIXED_DATE = date(2026, 1, 31)
FIXED_DATETIME = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)

_SIMPLE: dict[Any, Any] = {
    str: "auto-mock",
    int: 0,
    float: 0.0,
    bool: True,
    Decimal: Decimal("0"),
    bytes: b"",
    date: FIXED_DATE,
    datetime: FIXED_DATETIME,
    time: time(12, 0),
    timedelta: timedelta(0),
    type(None): None,
}


AUTO_INPUT: Any = object()
"""Passed as a run's input: generate it from the run method's annotation."""


class AutoMockError(ValueError):
    """No value could be generated for a type; says which and how to provide one."""


# What a helper of MockValues.value_for returns when it has no value for an annotation.
_NOTHING: Any = object()


class MockValues:
    """Generates a value for a type annotation; deterministic for a given ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def for_callable_return(self, fn: Callable[..., Any]) -> Any:
        """A value of ``fn``'s return annotation (None when it has none)."""
        return self.value_for(resolved_hints(fn).get("return", type(None)))

    def value_for(self, annotation: Any, _path: str = "value") -> Any:
        """A value of ``annotation``; :class:`AutoMockError` names the path when none can be
        generated."""
        if annotation in (Any, object, inspect.Parameter.empty):
            return None
        if annotation in _SIMPLE:
            return _SIMPLE[annotation]
        if annotation is uuid.UUID:
            return uuid.UUID(int=self.seed)
        origin = typing.get_origin(annotation)
        value = (
            self._generic(annotation, origin, _path)
            if origin is not None
            else self._of_class(annotation, _path)
            if isinstance(annotation, type)
            else _NOTHING
        )
        if value is not _NOTHING:
            return value
        if isinstance(annotation, typing.TypeVar | str):
            return None
        raise AutoMockError(
            f"cannot generate a value for {_path} of type {annotation!r}; give the activity a "
            f"real implementation with extra_activities=[...] or a JSON-compatible return type"
        )

    def _generic(self, annotation: Any, origin: Any, path: str) -> Any:
        """A value of a parametrised annotation (``list[int]``, ``X | None``...), or
        ``_NOTHING``."""
        args = typing.get_args(annotation)
        if origin is Annotated:
            return self._from_schema(annotation, path)
        if origin is Literal:
            return args[0]
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            return self.value_for(options[0], path) if options else None
        if (
            origin in (list, set, frozenset, Sequence, typing.Sequence)
            or origin is tuple
            and (len(args) == 2 and args[1] is Ellipsis)
        ):
            item = self.value_for(args[0], f"{path}[0]") if args else None
            return (origin if origin in (set, frozenset) else list)([item])
        if origin is tuple:
            return tuple(self.value_for(a, f"{path}[{i}]") for i, a in enumerate(args))
        if origin in (dict, Mapping, typing.Mapping):
            return {}
        return _NOTHING

    def _of_class(self, annotation: type, path: str) -> Any:
        """A value of a plain class (an enum, a model, a dataclass...), or ``_NOTHING``."""
        if issubclass(annotation, enum.Enum):
            return next(iter(annotation))
        if issubclass(annotation, BaseModel):
            return self._model(annotation, path)
        if dataclasses.is_dataclass(annotation):
            return self._dataclass(annotation, path)
        if typing.is_typeddict(annotation):
            return {
                key: self.value_for(hint, f"{path}.{key}")
                for key, hint in resolved_hints(annotation).items()
                if key in getattr(annotation, "__required_keys__", ())
            }
        if annotation in (list, tuple, set):
            return annotation()
        if annotation is dict:
            return {}
        try:
            return annotation()
        except Exception:
            return _NOTHING

    def _model(self, model: type[BaseModel], path: str) -> BaseModel:
        data: dict[str, Any] = {}
        for name, field in model.model_fields.items():
            if not field.is_required():
                continue  # keep the author's default
            key = field.alias or name
            annotation = field.annotation
            if field.metadata:
                # The model's config matters here (its regex engine, for one).
                annotation = Annotated[(annotation, *field.metadata)]  # type: ignore[valid-type,assignment]
                data[key] = self._from_schema(annotation, f"{path}.{name}", model.model_config)
            else:
                data[key] = self.value_for(annotation, f"{path}.{name}")
        try:
            return model.model_validate(data)
        except ValidationError:
            # Cross-field validators or nested constraints: draw the whole model from its schema.
            return self._from_schema(model, path)

    def _dataclass(self, cls: type, path: str) -> Any:
        hints = resolved_hints(cls)
        kwargs = {}
        for field in dataclasses.fields(cls):
            if (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                kwargs[field.name] = self.value_for(
                    hints.get(field.name, Any), f"{path}.{field.name}"
                )
        return cls(**kwargs)

    def _from_schema(self, annotation: Any, path: str, config: ConfigDict | None = None) -> Any:
        adapter = TypeAdapter(annotation, config=config)
        schema = adapter.json_schema(mode="validation")
        try:
            return adapter.validate_json(json.dumps(schema_example(schema)))
        except (NoExample, ValidationError, TypeError, ValueError):
            pass  # constraints the one-pass walk cannot meet: search for a value
        return adapter.validate_python(self._search(schema, path))

    def _search(self, schema: dict[str, Any], path: str) -> Any:
        # Imported here: hypothesis-jsonschema compiles grammars on import (seconds).
        from hypothesis.errors import HypothesisException
        from hypothesis_jsonschema import from_schema

        try:
            return draw(from_schema(schema), self.seed)
        except (HypothesisException, Exception) as err:  # noqa: BLE001 - reported with context
            raise AutoMockError(
                f"cannot generate a value for {path} satisfying {schema}: {err}; give the "
                f"activity a real implementation with extra_activities=[...]"
            ) from err


def draw(strategy: Any, seed: int) -> Any:
    """The first example ``strategy`` produces for ``seed``: reproducible run after run."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    found: list[Any] = []

    @settings(
        max_examples=1,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def capture(value: Any) -> None:
        if not found:
            found.append(value)

    capture()
    return found[0]


def resolved_hints(obj: Any) -> dict[str, Any]:
    """Type hints with string annotations resolved; raw annotations when that fails."""
    try:
        return typing.get_type_hints(obj, include_extras=True)
    except Exception:
        return dict(getattr(obj, "__annotations__", {}) or {})


def run_input_type(workflow_cls: type) -> Any:
    """The annotation of the run method's input parameter (``Any`` when unannotated)."""
    from ntro.workflow import run_method

    run = run_method(workflow_cls)
    params = list(inspect.signature(run).parameters)[1:]
    return resolved_hints(run).get(params[0], Any) if params else Any
