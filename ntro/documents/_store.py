"""A local, content-addressed-by-ref document store for files reviewers upload.

Why: an upload gate must not carry file bytes through Temporal history (payload limits, and
history is forever). The notebook stores the file here and sends only a ``document_ref``; an
activity (on the same machine or one sharing the folder) reads the bytes back by that ref.

Two backends, one API:

- the tenant data plane (the default): ``put`` stores the file with
  :func:`ntro.ingest.insert_submitted_document` in ``ingest.submitted_documents``, and the
  ``document_ref`` is that row's id, so activities find it with
  :func:`ntro.ingest.fetch_submitted_document_by_id` (entity, source, task and period are taken
  from the upload's metadata: ``entity_slug``/``entity_id_or_slug``, ``source``,
  ``workflow_id``/``task_id``, ``period``);
- a folder, when ``root`` is given or ``$NTRO_DOCUMENT_STORE`` is set:
  ``<root>/<document_ref>/content`` holds the bytes and ``<root>/<document_ref>/info.json`` the
  :class:`DocumentRef`. Writes go to a temporary file first and are renamed into place, so a
  reader never sees half a document.

Pure Python: no Jupyter import.
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
    """Store uploaded files and give each a new unique ``document_ref``.

    In the tenant data plane (``tenant_slug``, default ``$NTRO_TENANT_SLUG``/``local``) unless
    ``root`` is given or ``$NTRO_DOCUMENT_STORE`` is set, then in that folder. Thread-safe for
    concurrent ``put`` calls.
    """

    def __init__(
        self, root: str | os.PathLike[str] | None = None, *, tenant_slug: str | None = None
    ) -> None:
        configured = root if root is not None else os.environ.get(ENV_VAR)
        self.root: Path | None = Path(configured).expanduser() if configured else None
        self.tenant_slug = tenant_slug

    def __repr__(self) -> str:
        if self.root is None:
            return f"DocumentStore(tenant_slug={self._tenant()!r})"
        return f"DocumentStore(root={str(self.root)!r})"

    def _tenant(self) -> str:
        from ntro.data import default_tenant_slug

        return self.tenant_slug or default_tenant_slug()

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
        if self.root is None:
            return _plane_put(
                self._tenant(),
                payload,
                name,
                content_type or guessed or "application/octet-stream",
                dict(metadata or {}),
            )
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
        if self.root is None:
            raise DocumentNotFound(
                f"{key!r}: documents in the data plane have no folder; read them with get()"
            )
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
        """Where the document's bytes are on disk (folder stores only)."""
        return self._folder(ref) / _CONTENT

    def get(self, ref: str | DocumentRef) -> bytes:
        """The document's bytes."""
        if self.root is None:
            return _plane_get(self._tenant(), _key(ref))
        return self.path(ref).read_bytes()

    def info(self, ref: str | DocumentRef) -> DocumentRef:
        """The document's :class:`DocumentRef` (filename, size, content type, metadata...)."""
        if self.root is None:
            return _plane_info(self._tenant(), _key(ref))
        text = (self._folder(ref) / _INFO).read_text(encoding="utf-8")
        return DocumentRef.model_validate_json(text)

    def exists(self, ref: str | DocumentRef) -> bool:
        """Whether ``ref`` names a stored document."""
        try:
            if self.root is None:
                self.info(ref)
            else:
                self._folder(ref)
        except DocumentNotFound:
            return False
        return True


def _key(ref: str | DocumentRef) -> str:
    return ref.document_ref if isinstance(ref, DocumentRef) else str(ref)


def _plane_put(
    tenant: str, payload: bytes, name: str, content_type: str, metadata: dict[str, Any]
) -> DocumentRef:
    from ntro.data import get_data_plane, run_sync
    from ntro.ingest import insert_submitted_document

    try:
        json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"document metadata must be JSON-serialisable: {exc}") from exc
    digest = hashlib.sha256(payload).hexdigest()
    entity = metadata.get("entity_slug") or metadata.get("entity_id_or_slug") or "unassigned"
    task = metadata.get("task_id") or metadata.get("workflow_id")

    async def store() -> Any:
        db = await get_data_plane(tenant)
        return await insert_submitted_document(
            db,
            entity_slug=str(entity),
            period=metadata.get("period"),
            source=str(metadata.get("source") or "upload"),
            filename=name,
            content_type=content_type,
            data_bytes=payload,
            task_id=None if task is None else str(task),
            metadata=metadata,
            sha256=digest,
        )

    document = run_sync(store)
    return DocumentRef(
        document_ref=document.id,
        filename=name,
        size=len(payload),
        content_type=content_type,
        sha256=digest,
        created_at=document.uploaded_at,
        metadata=metadata,
    )


def _not_found(tenant: str, key: str) -> DocumentNotFound:
    return DocumentNotFound(
        f"no document {key!r} in tenant {tenant!r} (ingest.submitted_documents); upload it "
        "again, or pass the document_ref the upload returned"
    )


def _plane_get(tenant: str, key: str) -> bytes:
    from ntro.data import get_data_plane, run_sync
    from ntro.ingest import fetch_submitted_document_by_id

    async def fetch() -> Any:
        return await fetch_submitted_document_by_id(await get_data_plane(tenant), document_ref=key)

    document = run_sync(fetch)
    if document is None:
        raise _not_found(tenant, key)
    return document.data_bytes


def _plane_info(tenant: str, key: str) -> DocumentRef:
    from ntro.data import get_data_plane, run_sync

    try:
        ref = str(uuid.UUID(key))
    except ValueError:
        raise _not_found(tenant, key) from None

    async def fetch() -> Any:
        db = await get_data_plane(tenant)
        return await db.fetchrow(
            "SELECT id::text AS id, filename, octet_length(data_bytes) AS size, content_type, "
            "sha256, uploaded_at, metadata FROM ingest.submitted_documents WHERE id = $1::uuid",
            ref,
        )

    row = run_sync(fetch)
    if row is None:
        raise _not_found(tenant, key)
    return DocumentRef(
        document_ref=row["id"],
        filename=row["filename"],
        size=row["size"],
        content_type=row["content_type"],
        sha256=row["sha256"] or "",
        created_at=row["uploaded_at"],
        metadata=row["metadata"] or {},
    )
