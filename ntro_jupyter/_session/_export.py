"""``%ntro export``: a runbook defined in a notebook cell, written out as a bundle.

The bundle is what ``ntro runbook new`` would make: ``runbook.md`` (front matter whose steps
match the class's ``@ui_step``s, in order), ``templates/__init__.py`` and
``templates/workflow.py`` (the cell's code). Step components come from what the session saw the
runbook show (its gates' display hints), else a neutral default. The result is checked with
the same validation as ``ntro runbook validate``; a cell that uses names defined in other cells
exports, and the validation problem says which import failed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ntro_jupyter._session._errors import SessionError
from ntro_jupyter._session._runbooks import Runbook

__all__ = ["export_runbook"]

_HEADER = '''"""Workflow of runbook {slug!r}, exported from a notebook cell by ``%ntro export``."""

'''


def _name(slug: str) -> str:
    return " ".join(re.split(r"[-_]+", slug)).capitalize()


def _front_matter(
    runbook: Runbook, observed: dict[str, dict[str, Any]], author: str
) -> dict[str, Any]:
    from ntro.workflow import step_definitions

    cls = runbook.workflow_cls
    doc = (cls.__doc__ or "").strip()
    steps = []
    for step in step_definitions(cls):
        seen = observed.get(step.id, {})
        component = seen.get("component") or "LOADING"
        responsibility = seen.get("responsibility") or (
            "human" if component not in ("LOADING",) else "system"
        )
        entry: dict[str, Any] = {
            "id": step.id,
            "label": step.title,
            "component": component,
            "responsibility": responsibility,
            "timeout_minutes": 1440 if responsibility == "human" else 60,
        }
        if step.description:
            entry["description"] = step.description
        steps.append(entry)
    return {
        "slug": runbook.slug,
        "name": _name(runbook.slug),
        "description": doc.splitlines()[0]
        if doc
        else f"Runbook {runbook.slug}, written in a notebook.",
        "version": "0.1.0",
        "state": "draft",
        "author": author,
        "steps": steps,
        "templates": [
            {"path": "templates/workflow.py", "description": "the workflow (from the notebook)"}
        ],
    }


def export_runbook(
    runbook: Runbook,
    directory: Path,
    *,
    observed: dict[str, dict[str, Any]],
    author: str,
    force: bool = False,
) -> Path:
    """Write ``runbook`` (defined in a cell) as a bundle at ``directory``; return the path."""
    from ntro.runbook import validate_bundle

    if runbook.origin == "bundle":
        raise SessionError(
            f"runbook {runbook.slug!r} was loaded from {runbook.path}: it already is a bundle"
        )
    if not runbook.source:
        raise SessionError(f"runbook {runbook.slug!r} has no source to export")
    directory = directory.expanduser()
    if directory.exists() and not directory.is_dir():
        raise SessionError(f"{directory} exists and is not a directory: choose another DIR")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise SessionError(
            f"{directory} exists and is not empty: choose another DIR or pass --force "
            f"(nothing was written)"
        )
    front = _front_matter(runbook, observed, author)
    doc = (runbook.workflow_cls.__doc__ or "").strip()
    body = (
        doc or f"Runbook {runbook.slug}."
    ) + "\n\nExported from a notebook with `%ntro export`.\n"
    templates = directory / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (directory / "runbook.md").write_text(
        "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body,
        encoding="utf-8",
    )
    (templates / "__init__.py").write_text("", encoding="utf-8")
    source = runbook.source
    if not source.endswith("\n"):
        source += "\n"
    future = [line for line in source.splitlines() if line.startswith("from __future__")]
    rest = "\n".join(line for line in source.splitlines() if not line.startswith("from __future__"))
    header = _HEADER.format(slug=runbook.slug)
    text = header + ("\n".join(future) + "\n\n" if future else "") + rest.lstrip("\n") + "\n"
    (templates / "workflow.py").write_text(text, encoding="utf-8")
    problems = validate_bundle(directory)  # exactly what `ntro runbook validate DIR` checks
    if problems:
        first = str(problems[0])
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SessionError(
            f"wrote {directory}, but `ntro runbook validate` reports: {first}{more}. If the cell "
            f"uses names defined in other cells, move them into the runbook cell and export again"
        )
    runbook.path = directory.resolve()
    return directory
