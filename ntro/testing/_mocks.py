"""What a harness puts in place of the outside world: activities and uploaded documents.

Activities are auto-mocked from their return annotations (:mod:`ntro.testing._automock`);
an activity nobody told the harness about is answered with None so the run does not hang; an
upload gate gets a generated document shaped for the signal that answers it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from typing import Any

import temporalio.activity
from pydantic import BaseModel, ValidationError
from temporalio.common import RawValue

from ntro.testing._automock import MockValues, resolved_hints
from ntro.workflow import (
    activities_of,
    activity_name,
    builtin_activities,
    with_builtin_activities,
    workflow_handler,
)

__all__ = [
    "harness_activities",
    "mock_activity",
    "mock_document",
    "signal_args",
    "unknown_activity",
]


def _name(fn: Any) -> str:
    name = activity_name(fn)
    assert name is not None, "activities_of() returns named activities only"
    return name


def mock_activity(fn: Any, values: MockValues) -> Any:
    """An activity registered under ``fn``'s name that returns a generated value of its return
    type (the same value on every call), for running a runbook without its services."""
    value = values.for_callable_return(fn)

    @temporalio.activity.defn(name=_name(fn))
    async def mocked(*args: Any) -> Any:
        return value

    return mocked


@temporalio.activity.defn(dynamic=True)
async def unknown_activity(args: Sequence[RawValue]) -> None:
    """Answers activities the worker was not told about, so the run does not hang on them."""
    return None


def harness_activities(
    activities: Iterable[Any], extra: Iterable[Any], values: MockValues, *, all_real: bool
) -> list[Any]:
    """What a harness worker registers: ``activities`` mocked (unless ``all_real``), the
    ``extra`` ones real, ntro's own activities real (local and deterministic: the quality
    checks of a gate's ``checks_spec``) unless ``extra`` names one, and
    :func:`unknown_activity` for anything else."""
    activities = list(activities)
    real = {_name(fn): fn for fn in activities_of(list(extra))}
    if all_real:
        real = {_name(fn): fn for fn in activities_of([*activities, *extra])}
    builtin = {_name(fn) for fn in builtin_activities()}
    mocked = {}
    for fn in activities_of(activities):
        name = _name(fn)
        if name not in real and name not in builtin:
            mocked[name] = mock_activity(fn, values)
    return [*mocked.values(), *with_builtin_activities(real.values()), unknown_activity]


def mock_document(
    number: int, source: Any, schema_slug: Any, args: dict[str, Any]
) -> dict[str, Any]:
    """The ``number``-th generated upload for a gate whose ``args`` are given."""
    name = str(source or "document")
    return {
        "document_ref": f"harness-doc-{number}",
        "filename": f"{name}.csv",
        "content_type": "text/csv",
        "size": 0,
        "source": source,
        "schema_slug": schema_slug,
        "tenant_id_or_slug": args.get("tenant_id_or_slug"),
        "entity_id_or_slug": args.get("entity_id_or_slug"),
    }


def signal_args(
    cls: type | None,
    signal: str,
    document: dict[str, Any],
    values: MockValues | None = None,
) -> list[Any]:
    """Shape an upload's ``document`` for the parameter of ``cls``'s ``signal`` handler.

    No parameter: no argument; a ``str``: the document ref; a pydantic model: the document's
    matching fields, the rest generated when ``values`` is given (the harness), else left to
    the model's validation; anything else: the document as is. The harness and the notebook
    session send uploads this way.
    """
    handler = workflow_handler(cls, "signal", signal) if cls is not None else None
    if handler is None:
        return [document]
    params = [
        p
        for p in list(inspect.signature(handler).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if not params:
        return []
    hint = resolved_hints(handler).get(params[0].name, Any)
    if isinstance(hint, type) and issubclass(hint, BaseModel) and values is not None:
        base = values.value_for(hint).model_dump()
        fields = {k: v for k, v in document.items() if k in hint.model_fields and v is not None}
        try:
            return [hint.model_validate({**base, **fields})]
        except ValidationError:
            return [hint.model_validate(base)]
    if hint is str:
        return [document.get("document_ref")]
    return [document]
