"""Observable results: activity outputs a UI can render and update live."""

from ntro.events._observable import (
    ObservableResult,
    ObserverEmitter,
    RecordingEmitter,
    get_emitter,
    register_emitter,
)

__all__ = [
    "ObservableResult",
    "ObserverEmitter",
    "RecordingEmitter",
    "get_emitter",
    "register_emitter",
]
