"""Knowing the moment a workflow's state changed, and what it is, without polling.

The harness runs its own worker, so it wraps the worker's workflow runner: after every
activation that is not just a query (an activity result, a signal, an update, a timer, a
child's completion), the callback fires with the workflow id and, for an ``NtroWorkflow`` on
the unsandboxed runner, a copy of its UI state read right there on the worker thread (the
activation is over and the next cannot start before the server has its completion). That
saves the harness a query round trip per change; other workflows are queried.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner

OnActivation = Callable[[str, dict[str, Any] | None], None]

_QUERY_ONLY = {"query_workflow"}


class NotifyingRunner(WorkflowRunner):
    """A workflow runner that reports each state-changing activation to ``on_activation``."""

    def __init__(self, inner: WorkflowRunner, on_activation: OnActivation) -> None:
        self._inner = inner
        self._on_activation = on_activation

    def prepare_workflow(self, defn: Any) -> None:
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        # Its abstract methods are delegated below (they vary between temporalio releases).
        instance = _NotifyingInstance(self._inner.create_instance(det), self._on_activation)  # type: ignore[abstract]
        return instance

    def set_worker_level_failure_exception_types(self, types: Any) -> None:
        self._inner.set_worker_level_failure_exception_types(types)


class _NotifyingInstance(WorkflowInstance):
    def __init__(self, inner: WorkflowInstance, on_activation: OnActivation) -> None:
        self._inner = inner
        self._on_activation = on_activation
        self._workflow_id = inner.get_info().workflow_id

    def activate(self, act: Any) -> Any:
        completion = self._inner.activate(act)
        if any(job.WhichOneof("variant") not in _QUERY_ONLY for job in act.jobs):
            self._on_activation(self._workflow_id, self._ui_state())
        return completion

    def _ui_state(self) -> dict[str, Any] | None:
        workflow = getattr(self._inner, "_object", None)
        read = getattr(workflow, "current_ui_state", None)
        if read is None or getattr(getattr(workflow, "_ntro_state", None), "info", None) is None:
            return None
        try:
            # A deep, detached copy: the workflow goes on mutating its own state.
            return json.loads(json.dumps(read(), default=str))
        except Exception:  # noqa: BLE001 - the harness then queries instead
            return None

    def get_thread_id(self) -> int | None:
        return self._inner.get_thread_id()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _delegate(name: str) -> Callable[..., Any]:
    def method(self: _NotifyingInstance, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._inner, name)(*args, **kwargs)

    method.__name__ = name
    return method


# The abstract methods of WorkflowInstance vary between temporalio releases; delegate them all.
for _name in WorkflowInstance.__abstractmethods__ - {"activate"}:
    setattr(_NotifyingInstance, _name, _delegate(_name))
_NotifyingInstance.__abstractmethods__ = frozenset()
