"""A plain, deterministic value satisfying a JSON schema's constraints, built in one pass.

:class:`~ntro.testing.MockValues` needs values for constrained fields (``pattern``, ``gt``,
``min_length``, ``max_items``...) in the first scenario as fast as in the next. A search-based
generator (``hypothesis-jsonschema``) spends seconds on its first use (its import alone compiles
grammars); this walk reads the constraints and builds the most readable value that meets them:
numbers as close to 0 as the bounds allow, ``"auto-mock"`` for free text, the
:mod:`~ntro.testing._pattern` example for a ``pattern``, fixed dates, the minimum number of
items (at least one). The caller validates the result against the type and falls back to a
search only when this walk could not meet the schema.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime
from typing import Any

from ntro.testing._pattern import pattern_example

__all__ = ["NoExample", "schema_example"]

_FIXED_DATE = date(2026, 1, 31)
_FIXED_DATETIME = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
_TEXT = "auto-mock"
_MAX_DEPTH = 12
_MAX_EXTRA = 64

_FORMATS: dict[str, str] = {
    "date": _FIXED_DATE.isoformat(),
    "date-time": _FIXED_DATETIME.isoformat(),
    "time": "12:00:00",
    "duration": "PT0S",
    "email": "auto-mock@example.com",
    "idn-email": "auto-mock@example.com",
    "uri": "https://example.com/auto-mock",
    "iri": "https://example.com/auto-mock",
    "uri-reference": "https://example.com/auto-mock",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "ipvanyaddress": "127.0.0.1",
    "ipvanyinterface": "127.0.0.1/32",
    "ipvanynetwork": "127.0.0.0/8",
    "binary": "",
    "base64": "",
    "path": "auto-mock",
    "file-path": "auto-mock",
    "directory-path": ".",
    "regex": ".*",
    "json-string": "null",
    "multi-host-uri": "https://example.com/auto-mock",
}


class NoExample(ValueError):
    """The walk could not build a value meeting the schema (the caller searches instead)."""


def schema_example(schema: dict[str, Any], *, variant: int = 0) -> Any:
    """A JSON value meeting ``schema``; ``variant`` > 0 gives a different one where it can
    (items of an array are variants 0, 1, 2..., so rows get distinct values)."""
    return _Walk(schema).value(schema, variant, 0)


class _Walk:
    def __init__(self, root: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = {**root.get("definitions", {}), **root.get("$defs", {})}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            if name not in self.defs or seen > _MAX_DEPTH:
                raise NoExample(f"unresolvable reference {schema['$ref']!r}")
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self.defs[name], **rest}
            seen += 1
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = {**self.resolve(part), **merged}
            schema = merged
        return schema

    def value(self, schema: Any, variant: int, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise NoExample("the schema nests too deep (a recursive model with required children)")
        if schema is True or schema == {}:
            return None
        if not isinstance(schema, dict):
            raise NoExample(f"unreadable schema {schema!r}")
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            options = schema["enum"]
            return options[variant % len(options)]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [o for o in schema[key] if self.resolve(o).get("type") != "null"]
                if not options:
                    return None
                return self.value(options[0], variant, depth + 1)
        return self.of_kind(schema, _kind(schema), variant, depth)

    def of_kind(self, schema: dict[str, Any], kind: str | None, variant: int, depth: int) -> Any:
        """An example of a resolved ``schema`` whose JSON type is ``kind``."""
        if kind == "string":
            return self.string(schema, variant)
        if kind in ("integer", "number"):
            return self.number(schema, variant, integer=kind == "integer")
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "null":
            return None
        if kind == "array":
            return self.array(schema, variant, depth)
        if kind == "object":
            return self.object(schema, variant, depth)
        if "default" in schema:
            return schema["default"]
        return None

    # ── scalars ───────────────────────────────────────────────────────

    def string(self, schema: dict[str, Any], variant: int) -> str:
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        fits = lambda text: len(text) >= low and (high is None or len(text) <= high)  # noqa: E731
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            for extra in range(variant, variant + _MAX_EXTRA):
                text = pattern_example(pattern, extra=extra)
                if text is None or (high is not None and len(text) > high):
                    break
                if fits(text):
                    return text
            raise NoExample(f"no short example of pattern {pattern!r} fits the length bounds")
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.UUID(int=variant))
        if fmt in _FORMATS and fits(_FORMATS[fmt]):
            return _FORMATS[fmt]
        text = _TEXT if variant == 0 else f"{_TEXT}-{variant}"
        if len(text) < low:
            text += "x" * (low - len(text))
        if high is not None and len(text) > high:
            text = text[-int(high) :] if variant else text[: int(high)]
        return text

    def number(self, schema: dict[str, Any], variant: int, *, integer: bool) -> int | float:
        low, low_open = schema.get("minimum"), False
        if schema.get("exclusiveMinimum") is not None and (
            low is None or schema["exclusiveMinimum"] >= low
        ):
            low, low_open = schema["exclusiveMinimum"], True
        high, high_open = schema.get("maximum"), False
        if schema.get("exclusiveMaximum") is not None and (
            high is None or schema["exclusiveMaximum"] <= high
        ):
            high, high_open = schema["exclusiveMaximum"], True
        step = schema.get("multipleOf")

        def allowed(x: float) -> bool:
            if low is not None and (x < low or (low_open and x == low)):
                return False
            if high is not None and (x > high or (high_open and x == high)):
                return False
            return not step or math.isclose(x / step, round(x / step), abs_tol=1e-9)

        unit = step or 1
        candidates = self._candidates(low, low_open, high, high_open, step)
        base = next(
            (c for c in candidates if allowed(c) and (not integer or float(c).is_integer())),
            None,
        )
        if base is None:
            raise NoExample(f"no number meets the bounds of {schema}")
        for value in (base + variant * unit, base - variant * unit, base):
            if allowed(value):
                return int(value) if integer or float(value).is_integer() else value
        raise NoExample(f"no number meets the bounds of {schema}")

    @staticmethod
    def _candidates(
        low: float | None, low_open: bool, high: float | None, high_open: bool, step: float | None
    ) -> list[float]:
        """0, then the numbers nearest the bounds with the fewest decimals (1, 0.5, 0.25...)."""
        out: list[float] = [0]
        if step:
            if low is not None:
                start = math.ceil(low / step) * step
                out.append(start + step if low_open and start == low else start)
            if high is not None:
                end = math.floor(high / step) * step
                out.append(end - step if high_open and end == high else end)
            return out
        for decimals in range(7):
            scale = 10**decimals
            if low is not None:
                start = math.ceil(low * scale) / scale
                out.append(start + 1 / scale if low_open and start == low else start)
            if high is not None:
                end = math.floor(high * scale) / scale
                out.append(end - 1 / scale if high_open and end == high else end)
        return out

    # ── containers ────────────────────────────────────────────────────

    def array(self, schema: dict[str, Any], variant: int, depth: int) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", {})
        count = max(int(schema.get("minItems", 0)), 1, len(prefix))
        if schema.get("maxItems") is not None:
            count = min(count, int(schema["maxItems"]))
        out = []
        for index in range(count):
            item = prefix[index] if index < len(prefix) else items
            if item is False:
                break
            out.append(self.value(item, variant + index, depth + 1))
        return out

    def object(self, schema: dict[str, Any], variant: int, depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        out = {
            name: self.value(properties.get(name, {}), variant, depth + 1)
            for name in schema.get("required", [])
        }
        extra = schema.get("additionalProperties")
        index = 0
        while len(out) < int(schema.get("minProperties", 0)):
            key = f"key{index}"
            index += 1
            if key in out:
                continue
            sub = extra if isinstance(extra, dict) else {}
            out[key] = self.value(sub, variant, depth + 1)
        return out


def _kind(schema: dict[str, Any]) -> str | None:
    """The JSON type a schema describes (the first non-null one of a list), inferred from its
    keys when it names none."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    return kind
