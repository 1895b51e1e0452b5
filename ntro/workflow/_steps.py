"""``@ui_step``: marks a workflow method as a breadcrumb step and tracks its lifecycle."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ntro.workflow._errors import RunbookDefinitionError

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

_STEP_ATTR = "__ntro_step__"


@dataclass(frozen=True)
class StepDefinition:
    """A step as declared on the class: its id (``name=``), title, Lucide icon and method."""

    id: str
    title: str
    icon: str | None
    method: str
    description: str | None = None


def _title_from(step_id: str) -> str:
    words = step_id.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() if words else step_id


def ui_step(
    name: str | Callable[..., Any] | None = None,
    title: str | None = None,
    icon: str | None = None,
    *,
    description: str | None = None,
) -> Any:
    """Mark an async workflow method as a step of the breadcrumb.

    Entering the method makes the step ``active``; returning marks it ``completed`` and records a
    snapshot (the gate it showed, the decision taken, its result); raising marks it ``failed``.
    Class-definition order is breadcrumb order; steps inherited from a base class come first.

    Usable as ``@ui_step(name="period_open", title="Open period", icon="Calendar")`` or bare
    ``@ui_step`` (the id is the method name without a leading ``_step_``).
    """
    if callable(name):
        return ui_step()(name)

    def decorate(fn: F) -> F:
        if not inspect.iscoroutinefunction(fn):
            raise RunbookDefinitionError(
                f"@ui_step method {fn.__qualname__!r} must be 'async def': steps await "
                f"activities and gates. Add 'async' to its definition."
            )
        step_id = name or fn.__name__.removeprefix("_step_").strip("_") or fn.__name__
        if not isinstance(step_id, str) or not step_id.strip():
            raise RunbookDefinitionError(
                f"@ui_step on {fn.__qualname__!r}: name must be a non-empty string, got {name!r}"
            )
        definition = StepDefinition(
            id=step_id,
            title=title or _title_from(step_id),
            icon=icon,
            method=fn.__name__,
            description=description,
        )

        @functools.wraps(fn)
        async def run_step(self: Any, *args: Any, **kwargs: Any) -> Any:
            self._ntro_enter_step(step_id)
            try:
                result = await fn(self, *args, **kwargs)
            except GeneratorExit:
                raise  # the worker evicted the run from its cache: not a step failure
            except BaseException as err:
                self._ntro_fail_step(step_id, err)
                raise
            self._ntro_complete_step(step_id, result)
            return result

        setattr(run_step, _STEP_ATTR, definition)
        return run_step  # type: ignore[return-value]

    return decorate


def collect_steps(cls: type) -> list[StepDefinition]:
    """The steps of ``cls`` in breadcrumb order, inherited ones included.

    Base classes are walked first, each in definition order; a method overridden in a subclass
    keeps its base position. Two different methods declaring the same step id is an error.
    """
    by_method: dict[str, StepDefinition] = {}
    for klass in reversed(cls.__mro__):
        for attr, member in vars(klass).items():
            definition = getattr(member, _STEP_ATTR, None)
            if isinstance(definition, StepDefinition):
                by_method[attr] = definition
            elif attr in by_method:
                # Overridden by a plain method: no longer a step.
                del by_method[attr]
    owner: dict[str, str] = {}
    for attr, definition in by_method.items():
        if definition.id in owner:
            raise RunbookDefinitionError(
                f"{cls.__qualname__}: step name {definition.id!r} is used by both "
                f"{owner[definition.id]!r} and {attr!r}; give each @ui_step a unique name="
            )
        owner[definition.id] = attr
    return list(by_method.values())


def step_definitions(cls: type) -> list[StepDefinition]:
    """Public view of :func:`collect_steps`, cached on the class."""
    cached = cls.__dict__.get("__ntro_steps__")
    if cached is None:
        cached = collect_steps(cls)
        type.__setattr__(cls, "__ntro_steps__", cached)
    return list(cached)
