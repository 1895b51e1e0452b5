"""A local, content-addressed-by-ref document store for files reviewers upload.

Why: an upload gate must not carry file bytes through Temporal history (payload limits, and
history is forever). The notebook stores the file here and sends only a ``document_ref``; an
activity (on the same machine or one sharing the folder) reads the bytes back by that ref.

Layout: ``<root>/<document_ref>/content`` holds the bytes and ``<root>/<document_ref>/info.json``
the :class:`DocumentRef`. Writes go to a temporary file first and are renamed into place, so a
reader never sees half a document. Pure Python: no Jupyter import.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ENV_VAR = "NTRO_DOCUMENT_STORE"
_REF_PATTERN = re.compile(r"^doc_[0-9a-f]{32}$")
_CONTENT = "content"
_INFO = "info.json"


class DocumentNotFound(KeyError):
    """Raised when a ``document_ref`` names no stored document (or is not a valid ref)."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "document not found"


class DocumentRef(BaseModel):
    """What the store knows about one stored document; ``document_ref`` is its key."""

    model_config = ConfigDict(extra="forbid")

    document_ref: str
    filename: str
    size: int
    content_type: str
    sha256: str
    created_at: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)


def default_store_root() -> Path:
    """``$NTRO_DOCUMENT_STORE`` if set, else ``~/.ntro/documents``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".ntro" / "documents"


def _safe_filename(filename: str) -> str:
    """The last path component of ``filename``, never empty (a browser may send a full path)."""
    name = re.split(r"[\\/]", str(filename or ""))[-1].strip()
    return name or "document"


class DocumentStore:
    """Store uploaded files on the local disk and give each a new unique ``document_ref``.

    ``root`` defaults to :func:`default_store_root`. Thread-safe for concurrent ``put`` calls
    (each document has its own folder, created atomically).
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_store_root()

    def __repr__(self) -> str:
        return f"DocumentStore(root={str(self.root)!r})"

    def put(
        self,
        data: bytes,
        filename: str,
        content_type: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> DocumentRef:
        """Store ``data`` under a new ``document_ref`` and return its :class:`DocumentRef`.

        ``content_type`` is guessed from ``filename`` when not given. ``metadata`` must be
        JSON-serialisable (it is written beside the file).
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(
                f"DocumentStore.put needs the file's bytes, got {type(data).__name__}; "
                "read the file first (Path(...).read_bytes())"
            )
        payload = bytes(data)
        name = _safe_filename(filename)
        guessed = mimetypes.guess_type(name)[0]
        ref = DocumentRef(
            document_ref=f"doc_{uuid.uuid4().hex}",
            filename=name,
            size=len(payload),
            content_type=content_type or guessed or "application/octet-stream",
            sha256=hashlib.sha256(payload).hexdigest(),
            created_at=datetime.now(UTC),
            metadata=dict(metadata or {}),
        )
        try:
            info_text = ref.model_dump_json(indent=2)
            json.loads(info_text)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"document metadata must be JSON-serialisable: {exc}") from exc
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.root))
        try:
            (staging / _CONTENT).write_bytes(payload)
            (staging / _INFO).write_text(info_text, encoding="utf-8")
            os.replace(staging, self.root / ref.document_ref)
        except BaseException:
            for leftover in staging.glob("*"):
                leftover.unlink(missing_ok=True)
            staging.rmdir()
            raise
        return ref

    def _folder(self, ref: str | DocumentRef) -> Path:
        key = ref.document_ref if isinstance(ref, DocumentRef) else ref
        if not isinstance(key, str) or not _REF_PATTERN.match(key):
            raise DocumentNotFound(
                f"{key!r} is not a document ref (expected 'doc_' and 32 hex digits, "
                "as returned by DocumentStore.put)"
            )
        folder = self.root / key
        if not (folder / _INFO).is_file():
            raise DocumentNotFound(f"no document {key!r} in the store at {self.root}")
        return folder

    def path(self, ref: str | DocumentRef) -> Path:
        """Where the document's bytes are on disk."""
        return self._folder(ref) / _CONTENT

    def get(self, ref: str | DocumentRef) -> bytes:
        """The document's bytes."""
        return self.path(ref).read_bytes()

    def info(self, ref: str | DocumentRef) -> DocumentRef:
        """The document's :class:`DocumentRef` (filename, size, content type, metadata...)."""
        text = (self._folder(ref) / _INFO).read_text(encoding="utf-8")
        return DocumentRef.model_validate_json(text)

    def exists(self, ref: str | DocumentRef) -> bool:
        """Whether ``ref`` names a stored document."""
        try:
            self._folder(ref)
        except DocumentNotFound:
            return False
        return True
