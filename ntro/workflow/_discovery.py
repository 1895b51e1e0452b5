"""Reading Temporal's definitions off classes and functions, written once.

A runbook's activities (the ``@activity.defn`` functions beside its workflow) and a workflow
class's name, run method, signals, queries and updates are found here and nowhere else.

Why the private reads are here: temporalio (1.x) publishes no API to list a class's handlers
or to name a decorated activity or workflow. Its decorators record each definition on the
function or class (``__temporal_signal_definition``, ``__temporal_query_definition``,
``__temporal_activity_definition``, ``__temporal_workflow_definition``, the
``__temporal_workflow_run`` flag) and, for updates, on the ``_defn`` attribute that
``temporalio.workflow.UpdateMethodMultiParam`` declares; the worker reads the same attributes
(``temporalio.workflow._Definition.from_class``). Everything in ntro that needs them goes
through this module, so a temporalio change is met in one place.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from temporalio.workflow import UpdateMethodMultiParam

from ntro.workflow._errors import WorkflowError

_ACTIVITY_DEFN = "__temporal_activity_definition"
_WORKFLOW_DEFN = "__temporal_workflow_definition"
_RUN_FLAG = "__temporal_workflow_run"
_HANDLER_DEFN = {
    "signal": "__temporal_signal_definition",
    "query": "__temporal_query_definition",
}

HandlerKind = Literal["signal", "query"]


def activity_name(fn: Any) -> str | None:
    """The name ``fn`` is registered under as an activity, or None if it is not one."""
    definition = getattr(fn, _ACTIVITY_DEFN, None)
    name = getattr(definition, "name", None)
    return name if isinstance(name, str) and name else None


def is_activity(value: Any) -> bool:
    """Whether ``value`` carries ``@activity.defn`` (dynamic activities included)."""
    return getattr(value, _ACTIVITY_DEFN, None) is not None


def workflow_name(cls: type) -> str | None:
    """The workflow type ``cls`` is registered under, or None without ``@workflow.defn``."""
    definition = getattr(cls, _WORKFLOW_DEFN, None)
    if definition is None:
        return None
    return getattr(definition, "name", None) or cls.__name__


def is_workflow_class(obj: Any) -> bool:
    """Whether ``obj`` is a class decorated ``@workflow.defn`` itself (a subclass of one that
    is not decorated again is not: the worker refuses it)."""
    return inspect.isclass(obj) and _WORKFLOW_DEFN in vars(obj)


def is_run_method(member: Any) -> bool:
    """Whether ``member`` is decorated ``@workflow.run`` (or ``@runbook.run``)."""
    return bool(getattr(member, _RUN_FLAG, False))


def run_method_of(cls: type) -> Callable[..., Any] | None:
    """The ``@workflow.run`` method of ``cls`` (inherited ones included), or None."""
    for _, member in inspect.getmembers(cls):
        if is_run_method(member):
            return member  # type: ignore[no-any-return]
    return None


def run_method(cls: type) -> Callable[..., Any]:
    """The method that runs ``cls``: its ``@workflow.run`` (or ``@runbook.run``) method.

    A class without one may still name an ``async def run``; anything else is refused with
    what to add.
    """
    found = run_method_of(cls)
    if found is not None:
        return found
    run = getattr(cls, "run", None)
    if run is None or not inspect.iscoroutinefunction(run):
        raise WorkflowError(
            f"{cls.__qualname__} has no @workflow.run (or @runbook.run) async method; add one"
        )
    return run  # type: ignore[no-any-return]


def run_takes_input(cls: type) -> bool:
    """Whether the run method of ``cls`` takes an input argument (after ``self``)."""
    params = list(inspect.signature(run_method(cls)).parameters.values())[1:]
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params
    )


def workflow_handlers(cls: type, kind: HandlerKind) -> dict[str, Callable[..., Any]]:
    """``{name: method}`` of the named ``kind`` handlers ``cls`` declares, inherited included."""
    attribute = _HANDLER_DEFN[kind]
    found: dict[str, Callable[..., Any]] = {}
    for _, member in inspect.getmembers(cls):
        name = getattr(getattr(member, attribute, None), "name", None)
        if name:
            found.setdefault(name, member)
    return found


def workflow_handler(cls: type, kind: HandlerKind, name: str) -> Callable[..., Any] | None:
    """The ``kind`` handler of ``cls`` named ``name``, or None."""
    return workflow_handlers(cls, kind).get(name)


def signal_names(cls: type) -> list[str]:
    """Names of the signals ``cls`` declares (inherited ones included), sorted."""
    return sorted(workflow_handlers(cls, "signal"))


@dataclass(frozen=True)
class UpdateHandler:
    """An update of a workflow class: its method and its validator (None if it has none)."""

    name: str
    fn: Callable[..., Any]
    validator: Callable[..., None] | None


def update_handler(cls: type, name: str) -> UpdateHandler | None:
    """The update of ``cls`` named ``name``, or None."""
    for _, member in inspect.getmembers(cls):
        if isinstance(member, UpdateMethodMultiParam) and member._defn.name == name:
            return UpdateHandler(name, member._defn.fn, member._defn.validator)
    return None


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
        name = activity_name(value)
        if name is not None:
            found.setdefault(name, value)
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


#: ntro's own activities, which the SDK's workflow code runs (``wait_for_action(checks_spec=...)``
#: runs ``ntro.checks.run_quality_check``), as ``(module, name)``. Every worker ntro builds (the
#: harness, ``ntro worker``, the notebook session, :func:`~ntro.workflow.execute_runbook`)
#: registers them, so a runbook uses them with no work by its author.
_BUILTIN_ACTIVITIES = (("ntro.capabilities.checks", "run_quality_check"),)


def builtin_activities() -> list[Any]:
    """ntro's own activities (imported on first use: the checks bring the ``ai`` package)."""
    return [getattr(importlib.import_module(module), name) for module, name in _BUILTIN_ACTIVITIES]


def with_builtin_activities(activities: Iterable[Any]) -> list[Any]:
    """``activities`` as given, then ntro's own activities they do not already name.

    An activity given under a built-in's name wins: that is how a test replaces one.
    """
    given = list(activities)
    names = {activity_name(fn) for fn in given}
    return [*given, *(fn for fn in builtin_activities() if activity_name(fn) not in names)]
