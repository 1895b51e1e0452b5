"""``ntro runbook new``: write a new bundle from the templates in ``ntro/runbook/scaffold``."""

from __future__ import annotations

import getpass
import json
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ntro.runbook._errors import BAD_VALUE, RunbookError
from ntro.runbook._models import SLUG_PATTERN, workflow_class_name

__all__ = ["scaffold_bundle"]

_SUFFIX = ".tmpl"


def _default_author() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in containers without a passwd entry
        return "author"


def _title(slug: str) -> str:
    words = re.split(r"[-_]+", slug)
    return " ".join(words).capitalize()


def _walk(node: Traversable, prefix: Path = Path()) -> list[tuple[Path, Traversable]]:
    out: list[tuple[Path, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        if child.is_dir():
            out += _walk(child, prefix / child.name)
        elif child.name.endswith(_SUFFIX):
            out.append((prefix / child.name.removesuffix(_SUFFIX), child))
    return out


def scaffold_bundle(
    slug: str,
    directory: str | Path = ".",
    *,
    name: str | None = None,
    author: str | None = None,
    force: bool = False,
) -> tuple[Path, list[Path]]:
    """Create ``<directory>/<slug>/`` holding a working bundle; return it and the files written.

    The bundle has an upload gate, an extraction activity, a DATA_TABLE review and a summary
    activity, front matter whose steps match the workflow, and one custom scenario. Refuses to
    write into a non-empty directory unless ``force``.
    """
    if not re.match(SLUG_PATTERN, slug):
        raise RunbookError(
            f"'{slug}' is not a valid slug: use lower-case letters, digits and single hyphens, "
            f"e.g. 'document-ingest'",
            code=BAD_VALUE,
            key="slug",
        )
    target = Path(directory) / slug
    if target.exists() and not target.is_dir():
        raise RunbookError(
            "exists and is not a directory: choose another slug or --dir",
            file=str(target),
            code=BAD_VALUE,
        )
    if target.is_dir() and any(target.iterdir()) and not force:
        raise RunbookError(
            "already exists and is not empty: choose another slug or --dir (nothing was written)",
            file=str(target),
            code=BAD_VALUE,
        )
    values = {
        "slug": slug,
        "name": json.dumps(name or _title(slug)),
        "author": json.dumps(author or _default_author()),
        "class_name": workflow_class_name(slug),
        "path": target.as_posix(),
    }
    # The markdown body shows the plain name; YAML gets the quoted one.
    plain = {**values, "name": name or _title(slug)}
    root = resources.files("ntro.runbook") / "scaffold"
    written: list[Path] = []
    for rel, source in _walk(root):
        text = source.read_text(encoding="utf-8")
        if rel.name == "runbook.md":
            head, sep, body = text.partition("\n---\n")
            text = _fill(head, values) + sep + _fill(body, plain)
        else:
            text = _fill(text, plain)
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        written.append(dest)
    return target, written


def _fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values.get(m.group(1), m.group(0)), text)
