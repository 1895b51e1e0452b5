"""``storage``: a runbook's artifacts (audit copies, exports, small tables) in a local folder.

The folder is ``config.get().artifacts_dir`` (``$NTRO_ARTIFACTS_DIR``, default
``~/.ntro/artifacts``). Every path is relative to it and confined to it: an absolute path, a
``..`` that climbs out, or a symlink pointing outside raises :class:`StoragePathError` before
anything is written. Writes go to a temporary file renamed into place, so a reader never sees
half a file and a failed write leaves nothing behind. Tables are JSON arrays of row objects
under ``tables/<name>/<period or _>.json``. File work runs in a thread.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from ntro.capabilities import config

__all__ = [
    "StorageError",
    "StoragePathError",
    "list_files",
    "read",
    "read_file",
    "read_table",
    "root",
    "write",
    "write_file",
    "write_table",
]

_TYPES_SUFFIX = ".content-type"


class StorageError(OSError):
    """An artifact could not be read or written; the message names the path."""


class StoragePathError(StorageError, ValueError):
    """A path is not a relative path inside the artifacts folder."""


def root() -> Path:
    """The artifacts folder (created on first use)."""
    folder = Path(config.get().artifacts_dir).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _resolve(path: str) -> Path:
    text = str(path).replace("\\", "/").strip()
    pure = PurePosixPath(text)
    if not text or text in {".", "/"}:
        raise StoragePathError(
            f"storage path {path!r} is empty: name a file, e.g. 'exports/tb.json'"
        )
    if pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
        raise StoragePathError(
            f"storage path {path!r} must be relative and stay inside the artifacts folder "
            f"(no leading '/', no '..'): e.g. 'periods/acme/2026-01/audit.json'"
        )
    base = root()
    target = (base / pure).resolve()
    if target != base and base not in target.parents:
        raise StoragePathError(
            f"storage path {path!r} leads outside the artifacts folder {str(base)!r} "
            f"(through a symlink); choose another path"
        )
    return target


def _write_sync(path: str, content: bytes, content_type: str | None) -> str:
    target = _resolve(path)
    if target.is_dir():
        raise StorageError(f"storage path {path!r} is a folder; name a file inside it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    guessed = mimetypes.guess_type(target.name)[0]
    marker = target.with_name(target.name + _TYPES_SUFFIX)
    if content_type and content_type != guessed:
        marker.write_text(content_type, encoding="utf-8")
    else:
        marker.unlink(missing_ok=True)
    return str(target.relative_to(root()).as_posix())


def _read_sync(path: str) -> bytes:
    target = _resolve(path)
    try:
        return target.read_bytes()
    except FileNotFoundError:
        raise StorageError(
            f"no artifact at {path!r} in {str(root())!r}: list_files() shows what is stored"
        ) from None
    except IsADirectoryError:
        raise StorageError(f"storage path {path!r} is a folder; name a file inside it") from None


async def write(
    *, path: str, content: bytes | str, content_type: str = "application/octet-stream"
) -> str:
    """Store ``content`` at ``path`` (replacing what was there); returns the stored path."""
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    return await asyncio.to_thread(_write_sync, path, data, content_type)


async def read(*, path: str) -> bytes:
    """The bytes stored at ``path``; :class:`StorageError` when there are none."""
    return await asyncio.to_thread(_read_sync, path)


async def write_file(path: str, content: bytes | str, content_type: str | None = None) -> str:
    """:func:`write` with positional arguments and the content type guessed from the name."""
    guessed = content_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return await write(path=path, content=content, content_type=guessed)


async def read_file(path: str) -> bytes:
    """:func:`read` with a positional path."""
    return await read(path=path)


def _table_path(name: str, period: str) -> str:
    for label, value in (("table name", name), ("period", period)):
        if "/" in value or "\\" in value or value in {".", ".."}:
            raise StoragePathError(f"{label} {value!r} may not contain '/' or be '.'/'..'")
    if not name:
        raise StoragePathError("table name is empty: name the table, e.g. 'fx_rates'")
    return f"tables/{name}/{period or '_'}.json"


async def write_table(
    name: str,
    *,
    data: Sequence[Mapping[str, Any]] | Any,
    period: str = "",
    mode: Literal["overwrite", "append"] = "overwrite",
) -> str:
    """Store rows (dicts, pydantic models, or a DataFrame-like with ``to_dict('records')``) as
    table ``name`` for ``period``; ``mode="append"`` adds them after the stored rows."""
    if mode not in ("overwrite", "append"):
        raise ValueError(f"write_table mode {mode!r}: use 'overwrite' or 'append'")
    path = _table_path(name, period)
    rows = _rows(data)
    if mode == "append":
        try:
            rows = json.loads(await read(path=path)) + rows
        except StorageError:
            pass
    payload = json.dumps(rows, default=str, ensure_ascii=False, indent=1).encode("utf-8")
    return await write(path=path, content=payload, content_type="application/json")


async def read_table(name: str, *, period: str = "") -> list[dict[str, Any]]:
    """The rows of table ``name`` for ``period``; ``[]`` when it was never written."""
    try:
        return json.loads(await read(path=_table_path(name, period)))
    except StorageError:
        return []


def _rows(data: Any) -> list[dict[str, Any]]:
    if hasattr(data, "to_dict") and not isinstance(data, Mapping):
        data = data.to_dict("records")
    if isinstance(data, Mapping):
        raise TypeError("write_table expects a list of rows (dicts), not one dict")
    rows = []
    for index, row in enumerate(data):
        if hasattr(row, "model_dump"):
            row = row.model_dump(mode="json")
        if not isinstance(row, Mapping):
            raise TypeError(
                f"write_table row {index} is a {type(row).__name__}; each row must be a dict"
            )
        rows.append(dict(row))
    return rows


async def list_files(prefix: str = "") -> list[str]:
    """Stored paths (relative, sorted) that start with ``prefix``."""

    def scan() -> list[str]:
        base = root()
        found = []
        for dirpath, _dirs, names in os.walk(base):
            for name in names:
                if name.startswith(".tmp-") or name.endswith(_TYPES_SUFFIX):
                    continue
                relative = (Path(dirpath) / name).relative_to(base).as_posix()
                if relative.startswith(prefix.lstrip("/")):
                    found.append(relative)
        return sorted(found)

    return await asyncio.to_thread(scan)
