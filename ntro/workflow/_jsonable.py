"""Turning payloads into plain JSON values before they enter workflow state."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticSerializationError, to_jsonable_python

from ntro.workflow._errors import WorkflowError


def to_jsonable(value: Any, what: str) -> Any:
    """``value`` as JSON-compatible data (pydantic models, dataclasses, dates, decimals...).

    Raises :class:`WorkflowError` naming ``what`` and the offending type when it cannot be
    represented, so the author sees the problem at the gate rather than in a failed query.
    """
    try:
        return to_jsonable_python(value)
    except PydanticSerializationError as err:
        raise WorkflowError(
            f"{what} cannot be serialised: {err}. Pass JSON-compatible data "
            f"(dicts, lists, str, numbers, bools, None, dates) or a pydantic model."
        ) from None


def to_jsonable_or_repr(value: Any) -> Any:
    """Like :func:`to_jsonable` but falls back to ``repr`` (for results kept for display only)."""
    try:
        return to_jsonable_python(value)
    except PydanticSerializationError:
        return repr(value)
