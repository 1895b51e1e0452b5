"""Load a runbook bundle: import its ``templates`` package and find the workflow class.

A bundle directory is not on ``sys.path`` and its name need not be a Python identifier
(``runbooks/document-ingest``), yet its templates use relative imports (``from .activities import
extract``). Each bundle is therefore mounted under a synthetic package, ``ntro_bundles.<name>``,
whose ``__path__`` is the bundle directory: ``ntro_bundles.<name>.templates`` is the templates
package and ``ntro_bundles.<name>.tests.scenarios`` the optional scenarios. A finder on
``sys.meta_path`` resolves those names, so any later import by name works too, including the
re-import Temporal's workflow sandbox performs.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import re
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ntro.runbook._errors import (
    BAD_STEP_DEFINITIONS,
    IMPORT_FAILED,
    NO_TEMPLATES_PACKAGE,
    NO_WORKFLOW_CLASS,
    NOT_A_BUNDLE,
    SCENARIOS_FAILED,
    RunbookError,
)
from ntro.runbook._frontmatter import read_runbook_md
from ntro.runbook._models import RunbookFrontMatter, workflow_class_name
from ntro.workflow import activities_of, is_workflow_class

__all__ = ["BUNDLES_PACKAGE", "RunbookBundle", "load_bundle"]

BUNDLES_PACKAGE = "ntro_bundles"

_lock = threading.RLock()
_names_by_dir: dict[Path, str] = {}
_dirs_by_name: dict[str, Path] = {}


@dataclass
class RunbookBundle:
    """A loaded bundle: its front matter, workflow class, activities and custom scenarios."""

    path: Path
    slug: str
    front_matter: RunbookFrontMatter
    body: str
    workflow_cls: type
    activities: list[Callable[..., Any]]
    scenarios: dict[str, Any]
    module: ModuleType
    workflow_module: ModuleType | None = None
    package: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# ── the synthetic package ───────────────────────────────────────────────────


class _EmptyPackageLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__doc__ = "Runbook bundles mounted by ntro.runbook.load_bundle."


class _BundleFinder(importlib.abc.MetaPathFinder):
    """Resolves ``ntro_bundles`` and ``ntro_bundles.<name>``; submodules follow ``__path__``."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == BUNDLES_PACKAGE:
            spec = importlib.machinery.ModuleSpec(fullname, _EmptyPackageLoader(), is_package=True)
            spec.submodule_search_locations = []
            return spec
        parent, _, name = fullname.rpartition(".")
        if parent != BUNDLES_PACKAGE:
            return None
        with _lock:
            directory = _dirs_by_name.get(fullname)
        if directory is None:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, _EmptyPackageLoader(), is_package=True)
        spec.submodule_search_locations = [str(directory)]
        return spec


_FINDER = _BundleFinder()


def _install_finder() -> None:
    if not any(isinstance(f, _BundleFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _FINDER)


def _identifier(text: str) -> str:
    name = re.sub(r"\W+", "_", text).strip("_").lower() or "bundle"
    return f"b_{name}" if name[0].isdigit() else name


def bundle_package_name(bundle_dir: Path, slug: str) -> str:
    """The synthetic package a bundle directory is mounted as (stable for the process)."""
    bundle_dir = bundle_dir.resolve()
    with _lock:
        _install_finder()
        known = _names_by_dir.get(bundle_dir)
        if known is not None:
            return known
        base = f"{BUNDLES_PACKAGE}.{_identifier(slug)}"
        name, n = base, 1
        while name in _dirs_by_name:
            n += 1
            name = f"{base}_{n}"
        _names_by_dir[bundle_dir] = name
        _dirs_by_name[name] = bundle_dir
        return name


def _forget_modules(prefix: str) -> None:
    for mod_name in [m for m in sys.modules if m == prefix or m.startswith(prefix + ".")]:
        del sys.modules[mod_name]


# ── errors ──────────────────────────────────────────────────────────────────


def _user_location(err: BaseException, bundle_dir: Path) -> tuple[str | None, int | None]:
    """File (relative to the bundle) and line where the user's code raised ``err``."""
    if isinstance(err, SyntaxError) and err.filename:
        path = Path(err.filename)
        try:
            return str(path.resolve().relative_to(bundle_dir)), err.lineno
        except ValueError:
            pass
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(err.__traceback__):
        try:
            rel = Path(frame.filename).resolve().relative_to(bundle_dir)
        except (ValueError, OSError):
            continue
        found = (str(rel), frame.lineno)
    return found


def _import_error(err: BaseException, bundle_dir: Path, what: str, code: str) -> RunbookError:
    rel, line = _user_location(err, bundle_dir)
    detail = err.msg if isinstance(err, SyntaxError) else str(err)
    file = str(bundle_dir / rel) if rel else str(bundle_dir / what)
    if any(cls.__name__ == "RunbookDefinitionError" for cls in type(err).__mro__):
        code = BAD_STEP_DEFINITIONS  # e.g. two @ui_step with one name, a non-async step
    return RunbookError(
        f"importing {what} failed: {type(err).__name__}: {detail}. Fix that line, then run again.",
        file=file,
        line=line,
        code=code,
    )


# ── steps of loading ────────────────────────────────────────────────────────


def bundle_dir_of(path: str | Path) -> Path:
    """The bundle directory for ``path`` (a bundle dir or its runbook.md), checked."""
    path = Path(path).expanduser()
    if path.is_file() and path.name == "runbook.md":
        path = path.parent
    if not path.is_dir():
        raise RunbookError(
            "no such directory: pass the path of a runbook bundle (a directory holding "
            "runbook.md and templates/)",
            file=str(path),
            code=NOT_A_BUNDLE,
        )
    if not (path / "runbook.md").is_file():
        raise RunbookError(
            "not a runbook bundle: runbook.md is missing. Point at the bundle directory, or "
            "create one with `ntro runbook new SLUG`",
            file=str(path),
            code=NOT_A_BUNDLE,
        )
    return path.resolve()


def import_templates(bundle_dir: Path, slug: str, *, reload: bool = False) -> ModuleType:
    """Import ``templates/`` of ``bundle_dir`` (reused on later calls unless ``reload``)."""
    bundle_dir = bundle_dir.resolve()
    init = bundle_dir / "templates" / "__init__.py"
    if not init.is_file():
        raise RunbookError(
            "templates/__init__.py is missing: the templates folder must be a Python package. "
            "Create an empty templates/__init__.py",
            file=str(init),
            code=NO_TEMPLATES_PACKAGE,
        )
    root = bundle_package_name(bundle_dir, slug)
    name = f"{root}.templates"
    with _lock:
        if reload:
            _forget_modules(root)
        existing = sys.modules.get(name)
        if existing is not None:
            return existing
        try:
            module = importlib.import_module(name)
            if (bundle_dir / "templates" / "workflow.py").is_file():
                importlib.import_module(f"{name}.workflow")
            if (bundle_dir / "templates" / "activities.py").is_file():
                importlib.import_module(f"{name}.activities")
        except BaseException as err:
            _forget_modules(root)
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            raise _import_error(err, bundle_dir, "templates", IMPORT_FAILED) from err
        return module


def workflow_module_of(package: ModuleType) -> ModuleType:
    """``templates.workflow`` when it exists, else the templates package itself."""
    sub = sys.modules.get(f"{package.__name__}.workflow")
    return sub if sub is not None else package


def find_workflow_class(module: ModuleType, slug: str, workflow_class: str | None = None) -> type:
    """The bundle's workflow class: ``workflow_class`` if given, else CamelCase(slug)+Workflow,
    else the only ``@workflow.defn`` class defined in ``module``."""
    file = getattr(module, "__file__", None) or module.__name__
    members = vars(module)
    classes = [
        n
        for n, obj in members.items()
        if inspect.isclass(obj) and getattr(obj, "__module__", None) == module.__name__
    ]
    defined = [n for n in classes if is_workflow_class(members[n])]
    listing = ", ".join(classes) if classes else "none"

    def check(name: str, how: str) -> type:
        cls = members[name]
        if not inspect.isclass(cls):
            raise RunbookError(
                f"{name} is not a class ({type(cls).__name__}); define `class {name}(NtroWorkflow)`",
                file=file,
                code=NO_WORKFLOW_CLASS,
            )
        if not is_workflow_class(cls):
            raise RunbookError(
                f"class {name} ({how}) is not a Temporal workflow: decorate it with "
                f"@runbook.defn (or @workflow.defn)",
                file=file,
                code=NO_WORKFLOW_CLASS,
            )
        return cls

    if workflow_class:
        if workflow_class not in members:
            raise RunbookError(
                f"no class {workflow_class} (given as the workflow class); classes found: "
                f"{listing}. Pass one of those, or define it",
                file=file,
                code=NO_WORKFLOW_CLASS,
            )
        return check(workflow_class, "given as the workflow class")
    expected = workflow_class_name(slug)
    if expected in members:
        return check(expected, f"named after slug '{slug}'")
    if len(defined) == 1:
        return members[defined[0]]
    if defined:
        raise RunbookError(
            f"no class {expected} (the CamelCase of slug '{slug}' plus 'Workflow') and several "
            f"workflow classes ({', '.join(defined)}): rename the bundle's workflow to {expected} "
            f"or pass --workflow-class NAME",
            file=file,
            code=NO_WORKFLOW_CLASS,
        )
    raise RunbookError(
        f"no class {expected} (the CamelCase of slug '{slug}' plus 'Workflow') and no "
        f"@workflow.defn class; classes found: {listing}. Define `@runbook.defn class "
        f"{expected}(NtroWorkflow)` or pass --workflow-class NAME",
        file=file,
        code=NO_WORKFLOW_CLASS,
    )


def find_activities(*modules: ModuleType | None) -> list[Callable[..., Any]]:
    """Activity functions (``@activity.defn``) among the modules' globals, first seen first."""
    return activities_of(
        [obj for module in modules if module is not None for obj in list(vars(module).values())]
    )


def _builtin_scenarios() -> list[Any]:
    testing = sys.modules.get("ntro.testing")
    if testing is None:
        return []
    return [getattr(testing, n) for n in ("HAPPY", "REJECT_ALL") if hasattr(testing, n)]


def _is_scenario(obj: Any) -> bool:
    return type(obj).__name__ == "Scenario" and isinstance(getattr(obj, "name", None), str)


def load_scenarios(bundle_dir: Path, slug: str, *, reload: bool = False) -> dict[str, Any]:
    """Custom scenarios from ``tests/scenarios.py`` (``{}`` when the file does not exist).

    A ``SCENARIOS`` list wins; otherwise every module-level ``Scenario`` object counts, except
    ntro's own ``HAPPY`` and ``REJECT_ALL`` imported by name.
    """
    bundle_dir = bundle_dir.resolve()
    file = bundle_dir / "tests" / "scenarios.py"
    if not file.is_file():
        return {}
    name = f"{bundle_package_name(bundle_dir, slug)}.tests.scenarios"
    with _lock:
        if reload:
            sys.modules.pop(name, None)
        try:
            module = importlib.import_module(name)
        except BaseException as err:
            sys.modules.pop(name, None)
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            raise _import_error(err, bundle_dir, "tests/scenarios.py", SCENARIOS_FAILED) from err
    listed = getattr(module, "SCENARIOS", None)
    if isinstance(listed, list | tuple):
        candidates = [s for s in listed if isinstance(getattr(s, "name", None), str)]
    else:
        builtins = [id(s) for s in _builtin_scenarios()]
        candidates = [
            obj for obj in vars(module).values() if _is_scenario(obj) and id(obj) not in builtins
        ]
    return {s.name: s for s in candidates}


def load_bundle(
    path: str | Path, workflow_class: str | None = None, *, reload: bool = False
) -> RunbookBundle:
    """Load the bundle at ``path``. Raises :class:`RunbookError` naming the file and the fix.

    Loading the same directory again reuses the imported modules unless ``reload=True``.
    """
    bundle_dir = bundle_dir_of(path)
    front_matter, body = read_runbook_md(bundle_dir / "runbook.md")
    package = import_templates(bundle_dir, front_matter.slug, reload=reload)
    wf_module = workflow_module_of(package)
    cls = find_workflow_class(wf_module, front_matter.slug, workflow_class)
    activities_module = sys.modules.get(f"{package.__name__}.activities")
    activities = find_activities(activities_module, wf_module)
    scenarios = load_scenarios(bundle_dir, front_matter.slug, reload=reload)
    return RunbookBundle(
        path=bundle_dir,
        slug=front_matter.slug,
        front_matter=front_matter,
        body=body,
        workflow_cls=cls,
        activities=activities,
        scenarios=scenarios,
        module=package,
        workflow_module=wf_module,
        package=package.__name__,
    )
