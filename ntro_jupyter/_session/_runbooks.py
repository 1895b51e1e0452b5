"""What a session can run: runbooks loaded from bundles or defined in notebook cells.

Each definition gets a *digest* of its source (and of the children it starts) and a task queue
named after it, ``ntro-<slug>-<digest>``. Why: a runbook redefined while workflows of the old
definition are running must not replay those workflows with new code. The old definition's
worker keeps serving the old queue, new runs go to the new one, and after a kernel restart
loading the same source gives the same queue, so ``%ntro attach`` finds its workflows again.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ntro.workflow import activity_name, is_workflow_class, workflow_name

__all__ = ["Runbook", "bundle_digest", "referenced_slugs", "source_digest", "workflow_type_of"]

# run_child_workflow(slug="x"), run_child_workflows("x", ...), collect_documents(..., slug="x")
_CHILD_CALL = re.compile(
    r"""(?:run_child_workflows?\s*\(\s*(?:slug\s*=\s*)?|\bslug\s*=\s*)["']([a-z0-9][a-z0-9_-]*)["']"""
)


def workflow_type_of(cls: type) -> str:
    return workflow_name(cls) or cls.__name__


def activity_name_of(fn: Any) -> str | None:
    return activity_name(fn)


def is_activity(obj: Any) -> bool:
    return callable(obj) and activity_name(obj) is not None


def source_digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def bundle_digest(bundle_dir: Path) -> str:
    """A hash of a bundle's ``runbook.md`` and Python files (tests excluded)."""
    parts: list[str | bytes] = []
    for file in sorted(bundle_dir.rglob("*")):
        rel = file.relative_to(bundle_dir)
        if not file.is_file() or "__pycache__" in rel.parts or rel.parts[0] == "tests":
            continue
        if file.suffix not in (".py", ".md", ".yaml", ".yml", ".json"):
            continue
        parts += [rel.as_posix(), file.read_bytes()]
    return source_digest(*parts)


def referenced_slugs(source: str) -> list[str]:
    """Slugs a workflow's source starts as children (``run_child_workflow(slug="x")``...)."""
    found: list[str] = []
    for match in _CHILD_CALL.finditer(source):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found


def class_source(cls: type) -> str:
    """The class's source, or (a class from a notebook cell, whose source inspect cannot find)
    a stand-in that changes whenever its methods' code does."""
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        pass
    import marshal

    parts = [f"{cls.__module__}.{cls.__qualname__}"]
    for klass in cls.__mro__:
        if klass is object or klass.__module__.startswith(("ntro.", "temporalio")):
            continue
        for name, member in sorted(vars(klass).items()):
            fn = (
                inspect.unwrap(getattr(member, "__func__", member))
                if callable(member) or hasattr(member, "__func__")
                else None
            )
            code = getattr(fn, "__code__", None)
            if code is not None:
                parts.append(f"{klass.__qualname__}.{name}:{marshal.dumps(_anonymous(code)).hex()}")
    return "\n".join(parts)


def _anonymous(code: Any) -> Any:
    """A code object without its file name (a cell's changes with the kernel), recursively."""
    from types import CodeType

    consts = tuple(_anonymous(c) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename="", co_consts=consts)


@dataclass
class Runbook:
    """One definition of a runbook the session can run and serve."""

    slug: str
    workflow_cls: type
    activities: list[Callable[..., Any]]
    origin: Literal["bundle", "cell", "class"]
    own_digest: str
    children: list[Runbook] = field(default_factory=list)
    path: Path | None = None
    source: str | None = None
    mock: bool = False
    pinned_queue: str | None = None
    bundle: Any = None

    @property
    def workflow_type(self) -> str:
        return workflow_type_of(self.workflow_cls)

    @property
    def digest(self) -> str:
        """Own source plus the children it starts: equal digests run the same code."""
        return source_digest(self.own_digest, *(c.digest for c in self.children))[:12]

    @property
    def task_queue(self) -> str:
        return self.pinned_queue or f"ntro-{self.slug}-{self.digest[:10]}"

    def tree(self) -> list[Runbook]:
        """This runbook and its children, each once, parents first."""
        seen: dict[int, Runbook] = {}
        stack = [self]
        while stack:
            item = stack.pop(0)
            if id(item) not in seen:
                seen[id(item)] = item
                stack.extend(item.children)
        return list(seen.values())

    def step_ids(self) -> list[str]:
        from ntro.workflow import step_definitions

        try:
            return [s.id for s in step_definitions(self.workflow_cls)]
        except Exception:  # noqa: BLE001 - a summary line must not fail
            return []

    def describe(self) -> str:
        steps = self.step_ids()
        where = (
            f" from {self.path}"
            if self.path
            else (" from a notebook cell" if self.origin == "cell" else "")
        )
        line = f"{self.slug} ({self.workflow_cls.__name__}{where}"
        if steps:
            line += f"; steps: {' → '.join(steps)}"
        if self.children:
            line += f"; children: {', '.join(c.slug for c in self.children)}"
        return line + ")"


def defined_in(namespace: dict[str, Any], before: dict[str, int]) -> tuple[list[type], list[Any]]:
    """Workflow classes and activities bound in ``namespace`` that were not there ``before``."""
    classes: list[type] = []
    activities: list[Any] = []
    for name, value in namespace.items():
        if before.get(name) == id(value):
            continue
        if is_workflow_class(value):
            classes.append(value)
        elif is_activity(value):
            activities.append(value)
    return classes, activities


def unique_by_name(items: Iterable[Any], name: Callable[[Any], str | None]) -> list[Any]:
    seen: dict[str, Any] = {}
    for item in items:
        key = name(item)
        if key is not None and key not in seen:
            seen[key] = item
    return list(seen.values())
