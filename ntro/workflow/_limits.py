"""Size limits that keep gates and decisions within what Temporal accepts.

Temporal refuses payloads over 2 MB (and gRPC messages over 4 MB), and every query of the UI
state carries the open gate's payload. Checking sizes here turns a distant server error into
a message that names the value, its size and the fix, before anything is sent or written.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic_core import to_jsonable_python

MAX_GATE_PAYLOAD_BYTES = 1_000_000
MAX_DECISION_BYTES = 1_000_000
#: How deeply a decision's JSON may nest. A correction's value is a scalar or a small object;
#: deeper input is refused before any parser or serialiser recurses into it.
MAX_DECISION_DEPTH = 32


class PayloadTooLarge(ValueError):
    """A value is too large to travel through Temporal."""


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact JSON (what the data converter will send)."""
    return len(json.dumps(to_jsonable_python(value, fallback=repr), separators=(",", ":")))


def ensure_sendable(value: Any, what: str, limit: int = MAX_DECISION_BYTES) -> None:
    """Raise :class:`PayloadTooLarge` if ``value`` is over ``limit`` bytes of JSON (or nested
    too deeply to be serialised at all)."""
    try:
        size = json_size(value)
    except (RecursionError, ValueError) as err:
        # pydantic-core stops at its own depth limit with a ValueError; json with RecursionError.
        if isinstance(err, ValueError) and "depth" not in str(err):
            raise
        raise PayloadTooLarge(
            f"{what} is nested too deeply to send; keep it within {MAX_DECISION_DEPTH} levels"
        ) from None
    if size > limit:
        raise PayloadTooLarge(
            f"{what} is {size / 1_000_000:.1f} MB, over the {limit / 1_000_000:.1f} MB a "
            f"Temporal message can carry; send fewer corrections at a time, or store the data "
            f"in the document store and send its document_ref"
        )


def find_unsendable(value: Any, max_depth: int = MAX_DECISION_DEPTH) -> str | None:
    """What in ``value`` JSON cannot carry or a parser should not recurse into, or None.

    Names the first number that is not finite (NaN, Infinity, or a literal such as
    ``1e999999`` that overflows to it) with its path, or the first place nested deeper than
    ``max_depth``. The walk is iterative, so any depth is safe to inspect.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return f"a number that is not finite ({item}) at {path or 'the top level'}"
        if isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                return (
                    f"values nested deeper than {max_depth} levels (at {path or 'the top level'})"
                )
            children = (
                [(v, f"{path}.{k}" if path else str(k)) for k, v in item.items()]
                if isinstance(item, dict)
                else [(v, f"{path}[{i}]") for i, v in enumerate(item)]
            )
            stack.extend((child, where, depth + 1) for child, where in reversed(children))
    return None
