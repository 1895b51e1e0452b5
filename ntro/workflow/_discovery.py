"""Reading Temporal's definitions off classes and functions, written once.

A runbook's activities (the ``@activity.defn`` functions beside its workflow) and a workflow
class's signals, queries, updates and run method are found here and nowhere else.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterable
from typing import Any


def activities_of(module_or_objects: Any) -> list[Any]:
    """Functions carrying ``@activity.defn`` among a module's globals or a list of objects,
    one per activity name."""
    values = (
        vars(module_or_objects).values()
        if inspect.ismodule(module_or_objects)
        else module_or_objects
    )
    found: dict[str, Any] = {}
    for value in values:
        definition = getattr(value, "__temporal_activity_definition", None)
        if definition is not None and definition.name:
            found.setdefault(definition.name, value)
    return list(found.values())


def activities_near(classes: Iterable[type]) -> list[Any]:
    """The activities in the modules that define ``classes`` (what they import included).

    A runtime module whose functions run activities (``ntro.workflow.task``) lists them in
    ``__ntro_activities__``; importing any of its names brings those activities along.
    """
    found: list[Any] = []
    for cls in classes:
        module = sys.modules.get(cls.__module__)
        if module is not None:
            found.extend(activities_of(module))
            for value in list(vars(module).values()):
                origin = (
                    value
                    if inspect.ismodule(value)
                    else sys.modules.get(getattr(value, "__module__", None) or "")
                )
                found.extend(getattr(origin, "__ntro_activities__", ()))
    return activities_of(found)


def signal_names(cls: type) -> list[str]:
    """Names of the signals ``cls`` declares (inherited ones included), sorted."""
    names = []
    for _, member in inspect.getmembers(cls):
        definition = getattr(member, "__temporal_signal_definition", None)
        name = getattr(definition, "name", None)
        if name:
            names.append(name)
    return sorted(names)
