"""Observable activity results and the emitters that publish them.

An activity returns an :class:`ObservableResult` subclass; its inner ``ObserverMeta`` names the
event type under which the value is published. Where the event goes is pluggable: whoever hosts
the runbook (a worker, the Jupyter session, a test) registers an :class:`ObserverEmitter`.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, create_model


@runtime_checkable
class ObserverEmitter(Protocol):
    """Publishes an event somewhere a UI can see it."""

    async def emit(self, event_type: str, payload: dict[str, Any]) -> None: ...


class ObservableResult(BaseModel):
    """Base for activity results that a UI renders and updates live.

    Subclasses name their event with an inner class::

        class Extraction(ObservableResult):
            class ObserverMeta:
                event_type = "document.extracted"
            lines: list[Line]

    Without ``ObserverMeta`` the event type is the class name in snake case.

    ``ObservableResult[SomeModel]`` (the product page's spelling) is ``SomeModel`` made
    observable: same fields, plus ``emit``. ``ObservableResult[int]`` wraps a ``value`` field.
    """

    ObserverMeta: ClassVar[type]

    def __class_getitem__(cls, item: Any) -> Any:  # type: ignore[override]
        return _observable_of(cls, item)

    @classmethod
    def event_type(cls) -> str:
        meta = cls.__dict__.get("ObserverMeta") or getattr(cls, "ObserverMeta", None)
        declared = getattr(meta, "event_type", None) if meta is not None else None
        if declared:
            return str(declared)
        name = cls.__name__
        return "".join(
            f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name)
        )

    async def emit(self, emitter: ObserverEmitter | None = None) -> bool:
        """Publish this result through ``emitter`` or the registered one.

        Returns False (and publishes nothing) when no emitter is registered, so activities
        work the same with and without a UI attached.
        """
        target = emitter or get_emitter()
        if target is None:
            return False
        await target.emit(self.event_type(), self.model_dump(mode="json"))
        return True


class RecordingEmitter:
    """An emitter that keeps every event in memory; for tests and notebooks."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def emit(self, event_type: str, payload: dict[str, Any]) -> None:
        self.events.append((event_type, payload))


_emitter: ObserverEmitter | None = None


def register_emitter(emitter: ObserverEmitter | None) -> None:
    """Make ``emitter`` the process-wide destination of observable results (None clears it)."""
    global _emitter
    if emitter is not None and not isinstance(emitter, ObserverEmitter):
        raise TypeError(
            f"register_emitter expects an object with 'async def emit(event_type, payload)', "
            f"got {type(emitter).__name__}"
        )
    _emitter = emitter


def get_emitter() -> ObserverEmitter | None:
    """The registered emitter, or None."""
    return _emitter


@cache
def _observable_of(base: type[ObservableResult], item: Any) -> type[ObservableResult]:
    if isinstance(item, type) and issubclass(item, BaseModel):
        return type(f"Observable{item.__name__}", (item, base), {"__module__": item.__module__})
    name = getattr(item, "__name__", "Value")
    return create_model(f"Observable{name.title()}", __base__=base, value=(item, ...))
