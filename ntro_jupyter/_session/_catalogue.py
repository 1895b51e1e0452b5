"""The catalogue of a session's runbooks: what was loaded from bundles or defined in cells.

The current definition of each runbook is kept by slug; every definition is kept by task
queue, so workflows started with an older version are still served by it after a redefinition
(a changed runbook gets a new task queue, see :class:`~ntro_jupyter._session._runbooks.Runbook`).
Nothing here talks to Temporal: the session starts the workers for what the catalogue holds.
"""

from __future__ import annotations

import linecache
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ntro_jupyter._session._errors import SessionError, one_line
from ntro_jupyter._session._runbooks import (
    Runbook,
    activity_name_of,
    bundle_digest,
    class_source,
    defined_in,
    referenced_slugs,
    source_digest,
    unique_by_name,
    workflow_type_of,
)

__all__ = ["Catalogue"]


class Catalogue:
    """Runbooks by slug (current) and by task queue (every version still served)."""

    def __init__(self) -> None:
        self.runbooks: dict[str, Runbook] = {}
        self.units: dict[str, Runbook] = {}
        self._cells = 0

    def get(self, slug: str) -> Runbook:
        runbook = self.runbooks.get(slug)
        if runbook is None:
            known = ", ".join(sorted(self.runbooks)) or "none yet"
            raise SessionError(
                f"no runbook {slug!r} in this session (loaded: {known}); load it with "
                f"%ntro load PATH or define it with %%ntro runbook"
            )
        return runbook

    # -- bundles ---------------------------------------------------------------------------------
    def from_bundle(
        self,
        path: Path,
        workflow_class: str | None,
        task_queue: str | None,
        mock: bool,
        children: list[Runbook] | None = None,
    ) -> Runbook:
        """The runbook of the bundle at ``path``: the loaded one if unchanged, else loaded anew."""
        from ntro.runbook import RunbookError, bundle_dir_of, load_bundle

        try:
            bundle_dir = bundle_dir_of(path)
            digest = bundle_digest(bundle_dir)
            current = next(
                (
                    rb
                    for rb in self.runbooks.values()
                    if rb.path == bundle_dir and rb.own_digest == digest
                ),
                None,
            )
            if (
                current is not None
                and current.mock == mock
                and (task_queue is None or current.pinned_queue == task_queue)
            ):
                bundle = current.bundle
            else:
                bundle = load_bundle(bundle_dir, workflow_class=workflow_class, reload=True)
        except RunbookError as err:
            raise SessionError(one_line(err)) from None
        source = ""
        module = getattr(bundle, "workflow_module", None)
        if module is not None and getattr(module, "__file__", None):
            source = Path(module.__file__).read_text(encoding="utf-8", errors="replace")
        kids = list(children or [])
        for slug in referenced_slugs(source):
            if slug != bundle.slug and slug in self.runbooks and all(k.slug != slug for k in kids):
                kids.append(self.runbooks[slug])
        if (
            current is not None
            and current.bundle is bundle
            and [k.digest for k in current.children] == [k.digest for k in kids]
        ):
            return current
        return Runbook(
            slug=bundle.slug,
            workflow_cls=bundle.workflow_cls,
            activities=list(bundle.activities),
            origin="bundle",
            own_digest=digest,
            children=kids,
            path=bundle_dir,
            source=source,
            mock=mock,
            pinned_queue=task_queue,
            bundle=bundle,
        )

    # -- cells and classes -------------------------------------------------------------------------
    def from_code(
        self,
        code: str | type,
        *,
        namespace: dict[str, Any] | None,
        slug: str | None,
        activities: Iterable[Any],
        mock: bool,
        task_queue: str | None,
    ) -> list[Runbook]:
        """The runbooks a cell (executed in ``namespace``) or a class defines."""
        from ntro.workflow import slug_for_class

        if isinstance(code, type):
            classes, found, source = [code], list(activities), class_source(code)
        else:
            source = code
            ns = namespace if namespace is not None else {"__name__": "__main__"}
            before = {k: id(v) for k, v in ns.items()}
            self._cells += 1
            filename = f"<ntro runbook cell {self._cells}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            exec(compile(source, filename, "exec"), ns)  # noqa: S102 - the user's own cell
            classes, found = defined_in(ns, before)
            found += list(activities)
            if not classes:
                raise SessionError(
                    "the cell defines no runbook: define a class decorated with @runbook.defn "
                    "(or @workflow.defn) that subclasses NtroWorkflow"
                )
        if slug is not None and len(classes) > 1:
            named = [c for c in classes if slug_for_class(c) == slug]
            if len(named) != 1:
                raise SessionError(
                    f"--slug {slug!r} is ambiguous: the cell defines {len(classes)} runbooks "
                    f"({', '.join(c.__name__ for c in classes)}); name each with __ntro_slug__"
                )
        runbooks = []
        for cls in classes:
            cls_slug = (
                slug
                if (slug is not None and (len(classes) == 1 or slug_for_class(cls) == slug))
                else slug_for_class(cls)
            )
            own = [a for a in found if getattr(a, "__module__", None) == cls.__module__] or list(
                found
            )
            kids = [
                self.runbooks[s]
                for s in referenced_slugs(source)
                if s in self.runbooks and s != cls_slug
            ]
            runbooks.append(
                Runbook(
                    slug=cls_slug,
                    workflow_cls=cls,
                    activities=own,
                    origin="cell" if not isinstance(code, type) else "class",
                    own_digest=source_digest(source, cls.__qualname__),
                    children=kids,
                    source=source,
                    mock=mock,
                    pinned_queue=task_queue,
                )
            )
        return runbooks

    # -- keeping them ------------------------------------------------------------------------------
    def add(self, runbook: Runbook) -> Runbook | None:
        """Make ``runbook`` the current definition of its slug (registered for child runs by
        slug); returns the definition it replaces, if on another task queue."""
        from ntro.workflow import register_workflow

        previous = self.runbooks.get(runbook.slug)
        register_workflow(runbook.slug, runbook.workflow_cls)
        self.runbooks[runbook.slug] = runbook
        self.units[runbook.task_queue] = runbook
        if previous is not None and previous.task_queue != runbook.task_queue:
            return previous
        return None

    def redefined(self, runbook: Runbook, previous: Runbook, running: list[str]) -> str:
        """The note said when ``runbook`` replaces ``previous`` (``running`` keep the old one)."""
        line = f"runbook {runbook.slug!r} redefined: new runs use the new definition"
        if running:
            line += (
                f"; {len(running)} running workflow(s) keep the previous one "
                f"(task queue {previous.task_queue}): {', '.join(running[:3])}"
            )
            if len(running) > 3:
                line += ", ..."
        parents = [
            rb.slug
            for rb in self.runbooks.values()
            if any(c.slug == runbook.slug for c in rb.children) and rb is not runbook
        ]
        if parents:
            line += f"; runbooks that start it ({', '.join(parents)}) use it once reloaded"
        return line

    # -- finding them ------------------------------------------------------------------------------
    def hosted(self, runbook: Runbook) -> tuple[list[type], list[Any]]:
        """Workflow classes and activities a runbook's worker serves: its own, its children's,
        then the other runbooks' current ones (so any child started by slug finds a worker)."""
        tree = runbook.tree()
        others = [rb for slug, rb in self.runbooks.items() if all(t.slug != slug for t in tree)]
        workflows = unique_by_name([rb.workflow_cls for rb in [*tree, *others]], workflow_type_of)
        activities = unique_by_name(
            [a for rb in [*tree, *others] for a in rb.activities], activity_name_of
        )
        return workflows, activities

    def of_type(self, workflow_type: str) -> list[Runbook]:
        """Every definition (any version) serving ``workflow_type``, as a runbook or a child."""
        units = list(self.units.values())
        return [rb for rb in units if rb.workflow_type == workflow_type] + [
            rb for rb in units for c in rb.tree() if c.workflow_type == workflow_type
        ]

    def class_of_type(self, workflow_type: str) -> type | None:
        return next(
            (rb.workflow_cls for rb in self.units.values() if rb.workflow_type == workflow_type),
            None,
        )

    def bundle_for_type(self, workflow_type: str) -> Runbook | None:
        """The runbook (loaded from a bundle if any) whose workflow type is ``workflow_type``."""
        current = [rb for rb in self.runbooks.values() if rb.workflow_type == workflow_type]
        older = [rb for rb in self.units.values() if rb.workflow_type == workflow_type]
        for rb in [*current, *older]:
            if rb.path is not None:
                return rb
        return next(iter([*current, *older]), None)
