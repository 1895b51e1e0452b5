"""Which runbook a slug names, on which task queue it is served, and what input it takes.

A command such as ``ntro workflow run month-end-close`` runs in a process that may not serve
the runbook, yet it must start the right workflow type on the queue the workers poll and refuse
an input the runbook would fail on. It therefore loads the bundle from the runbook path:
``--runbooks DIR`` (repeatable), else ``NTRO_RUNBOOKS`` (directories separated by ``:``), else
``./runbooks``. A path to a bundle works as well as a slug.

The task queue of a bundle is ``task_queue`` in its front matter, else ``ntro-<slug>``: stable
across versions, unlike the notebook session's per-version queues, so workers deployed by a
team and commands run from a terminal meet on it without configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ntro.cluster._errors import RunbookNotFound, RunInputError
from ntro.runbook import RunbookBundle, load_bundle, read_runbook_md
from ntro.testing import run_input_type
from ntro.workflow import run_takes_input, workflow_name

__all__ = [
    "RunbookRef",
    "find_runbook",
    "runbook_path",
    "task_queue_of",
    "validate_input",
    "workflow_type_of",
]

ENV_VAR = "NTRO_RUNBOOKS"


def runbook_path(
    dirs: Sequence[str | os.PathLike[str]] = (), environ: Mapping[str, str] | None = None
) -> list[Path]:
    """Where bundles are looked up: ``dirs``, else ``NTRO_RUNBOOKS``, else ``./runbooks``."""
    if dirs:
        return [Path(d).expanduser() for d in dirs]
    env = os.environ if environ is None else environ
    configured = [p for p in (env.get(ENV_VAR) or "").split(os.pathsep) if p.strip()]
    return [Path(p).expanduser() for p in configured] or [Path("runbooks")]


def task_queue_of(bundle: RunbookBundle) -> str:
    """The front matter's ``task_queue``, else ``ntro-<slug>``."""
    configured = (bundle.front_matter.model_extra or {}).get("task_queue")
    return str(configured).strip() if configured else f"ntro-{bundle.slug}"


def workflow_type_of(cls: type) -> str:
    """The name Temporal knows a workflow class by."""
    return workflow_name(cls) or cls.__name__


@dataclass(frozen=True)
class RunbookRef:
    """A loaded runbook as a cluster sees it: type, queue and input model."""

    slug: str
    path: Path
    workflow_type: str
    task_queue: str
    takes_input: bool
    input_type: Any
    bundle: RunbookBundle


def _ref(bundle: RunbookBundle) -> RunbookRef:
    takes = run_takes_input(bundle.workflow_cls)
    return RunbookRef(
        slug=bundle.slug,
        path=bundle.path,
        workflow_type=workflow_type_of(bundle.workflow_cls),
        task_queue=task_queue_of(bundle),
        takes_input=takes,
        input_type=run_input_type(bundle.workflow_cls) if takes else None,
        bundle=bundle,
    )


def _bundle_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "runbook.md").is_file())


def find_runbook(
    slug_or_path: str | os.PathLike[str], runbooks: Sequence[str | os.PathLike[str]] = ()
) -> RunbookRef:
    """Load the bundle ``slug_or_path`` names (a bundle directory, or a slug on the path)."""
    given = Path(slug_or_path).expanduser()
    if (given / "runbook.md").is_file():
        return _ref(load_bundle(given))
    slug = str(slug_or_path)
    roots = runbook_path(runbooks)
    for root in roots:
        if (root / slug / "runbook.md").is_file():
            return _ref(load_bundle(root / slug))
    for root in roots:
        for candidate in _bundle_dirs(root):
            try:
                front_matter, _ = read_runbook_md(candidate / "runbook.md")
            except Exception:  # noqa: BLE001 - a broken neighbour is not this runbook
                continue
            if front_matter.slug == slug:
                return _ref(load_bundle(candidate))
    looked = ", ".join(str(r) for r in roots)
    known = sorted({p.name for r in roots for p in _bundle_dirs(r)})
    listing = f" (bundles there: {', '.join(known)})" if known else ""
    raise RunbookNotFound(
        f"no runbook {slug!r} in {looked}{listing}: pass the bundle's path, --runbooks DIR, or "
        f"set {ENV_VAR}"
    )


def validate_input(ref: RunbookRef, data: Any, what: str = "the input") -> Any:
    """``data`` as the runbook's input model (JSON-ready), or :class:`RunInputError`."""
    if not ref.takes_input:
        if data is None:
            return None
        raise RunInputError(f"runbook {ref.slug!r} takes no input; drop {what}")
    adapter: TypeAdapter[Any] = TypeAdapter(ref.input_type)
    try:
        value = adapter.validate_python({} if data is None else data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in err.errors()
        )
        name = getattr(ref.input_type, "__name__", str(ref.input_type))
        raise RunInputError(
            f"{what} does not fit {name} (runbook {ref.slug!r}): {problems}"
        ) from None
    return adapter.dump_python(value, mode="json")
