"""Extraction schemas: what to read from a kind of document, and how to recognise it.

A schema is a YAML (or JSON) file named ``<slug>.yaml``: document fields with their labels and
value types (and optionally a regular expression over the text), line-item columns with the
header words that announce them, and enums. Lookup order: the running bundle's ``schemas/``
folder, folders in ``$NTRO_SCHEMAS_PATH`` (``os.pathsep``-separated), then the built-in ones
shipped here (bank statement, supplier invoice, trial balance, expense receipt). An unknown slug
raises :class:`UnknownSchemaError` listing the known ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from types import FrameType
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ValueType = Literal["text", "amount", "date", "currency", "integer", "enum"]
BUILT_IN = Path(__file__).with_name("schemas")
SCHEMAS_PATH_VAR = "NTRO_SCHEMAS_PATH"


class UnknownSchemaError(LookupError):
    """No schema file has the slug asked for; the message lists the known slugs."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown schema"


class SchemaField(BaseModel):
    """One document-level value: where it is announced (``labels``) and what it is."""

    model_config = ConfigDict(extra="forbid")

    key: str
    labels: list[str] = Field(default_factory=list)
    type: ValueType = "text"
    pattern: str | None = None
    """A regular expression over the plain text whose first group is the value."""
    enum: list[str] | None = None
    required: bool = False
    description: str = ""


class SchemaColumn(BaseModel):
    """One line-item column: the header words that name it and its value type."""

    model_config = ConfigDict(extra="forbid")

    key: str
    labels: list[str]
    type: ValueType = "text"
    enum: list[str] | None = None
    required: bool = False
    running_balance: bool = False
    """A balance carried from row to row, not a movement: a row whose only amount is here (a
    "balance brought forward" row) is not a line item; it is listed in ``raw_response``."""
    description: str = ""


class Schema(BaseModel):
    """A document kind: its fields, its line-item columns and the day order of its dates."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    title: str
    description: str = ""
    day_first: bool = True
    fields: list[SchemaField] = Field(default_factory=list)
    line_items: list[SchemaColumn] = Field(default_factory=list)
    source: str = ""

    @property
    def fingerprint(self) -> str:
        """A short hash of the schema's content: a changed schema misses the extract cache."""
        body = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1024)
def _bundle_of(filename: str) -> Path | None:
    """The ``schemas/`` folder of the bundle holding source file ``filename`` (the nearest
    folder above it with ``runbook.md``), or None."""
    path = Path(filename)
    if not path.is_absolute():
        return None
    for folder in path.parents:
        if (folder / "runbook.md").is_file():
            return folder / "schemas" if (folder / "schemas").is_dir() else None
        if folder.parent == folder or (folder / "pyproject.toml").exists():
            return None
    return None


def _bundle_schema_dirs() -> list[Path]:
    """``schemas/`` of the runbook bundles whose code is calling (frames outside this package)."""
    found: list[Path] = []
    here = str(Path(__file__).resolve().parents[1])
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(here):
            folder = _bundle_of(filename)
            if folder is not None and folder not in found:
                found.append(folder)
        frame = frame.f_back
    return found


def search_path(extra: list[Path] | None = None) -> list[Path]:
    """Folders searched for schema files, first match wins."""
    dirs = list(extra or []) + _bundle_schema_dirs()
    dirs += [Path(p) for p in os.environ.get(SCHEMAS_PATH_VAR, "").split(os.pathsep) if p]
    return [*dirs, BUILT_IN]


@lru_cache(maxsize=256)
def _load(path: str, mtime: float) -> Schema:
    file = Path(path)
    try:
        data = (
            json.loads(file.read_text(encoding="utf-8"))
            if file.suffix == ".json"
            else yaml.safe_load(file.read_text(encoding="utf-8"))
        )
        data = dict(data or {})
        data.setdefault("slug", file.stem)
        return Schema(**data, source=str(file))
    except (ValidationError, yaml.YAMLError, json.JSONDecodeError, TypeError) as err:
        raise ValueError(f"schema file {path} is invalid: {err}") from None


def known_slugs(extra: list[Path] | None = None) -> list[str]:
    """Every slug a lookup could find."""
    slugs = {
        f.stem
        for d in search_path(extra)
        if d.is_dir()
        for f in d.iterdir()
        if f.suffix in {".yaml", ".yml", ".json"}
    }
    return sorted(slugs)


def load_schema(slug: str, extra: list[Path] | None = None) -> Schema:
    """The schema named ``slug`` from the first folder of :func:`search_path` that has it."""
    for folder in search_path(extra):
        for suffix in (".yaml", ".yml", ".json"):
            file = folder / f"{slug}{suffix}"
            if file.is_file():
                return _load(str(file), file.stat().st_mtime)
    raise UnknownSchemaError(
        f"unknown schema_slug {slug!r}; known: {', '.join(known_slugs(extra))} "
        f"(add {slug}.yaml to the bundle's schemas/ folder to define it)"
    )
