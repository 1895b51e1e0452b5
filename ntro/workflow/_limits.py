"""Size limits that keep gates and decisions within what Temporal accepts.

Temporal refuses payloads over 2 MB (and gRPC messages over 4 MB), and every query of the UI
state carries the open gate's payload. Checking sizes here turns a distant server error into
a message that names the value, its size and the fix, before anything is sent or written.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import to_jsonable_python

MAX_GATE_PAYLOAD_BYTES = 1_000_000
MAX_DECISION_BYTES = 1_000_000


class PayloadTooLarge(ValueError):
    """A value is too large to travel through Temporal."""


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact JSON (what the data converter will send)."""
    return len(json.dumps(to_jsonable_python(value, fallback=repr), separators=(",", ":")))


def ensure_sendable(value: Any, what: str, limit: int = MAX_DECISION_BYTES) -> None:
    """Raise :class:`PayloadTooLarge` if ``value`` is over ``limit`` bytes of JSON."""
    size = json_size(value)
    if size > limit:
        raise PayloadTooLarge(
            f"{what} is {size / 1_000_000:.1f} MB, over the {limit / 1_000_000:.1f} MB a "
            f"Temporal message can carry; send fewer corrections at a time, or store the data "
            f"in the document store and send its document_ref"
        )
