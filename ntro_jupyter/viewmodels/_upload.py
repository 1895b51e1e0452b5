"""FILE_UPLOAD and MULTI_FILE_UPLOAD: check a file against ``accept``/``max_size_mb``/
``multiple``, store it in the document store, and build the signal that tells the workflow.

Why: the file's bytes go to :class:`ntro.documents.DocumentStore`; only its ``document_ref``
travels to Temporal, as the gate's ``signal_name`` sent to ``signal_task_id``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ntro.documents import DocumentStore
from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._intents import DocumentPayload, SignalIntent
from ntro_jupyter.viewmodels._review import DecidedInfo
from ntro_jupyter.viewmodels._signoff import feedback_title, plain_message
from ntro_jupyter.viewmodels._values import format_number, parse_number, plain_text

_SLOT_DONE = ("completed", "received", "uploaded", "done", "ingested")


@dataclass
class FileCandidate:
    """A file the reviewer picked: its name, size in bytes and browser-reported type."""

    filename: str
    size: int
    content_type: str | None = None


def parse_accept(accept: Any) -> list[str]:
    """``".csv,.xlsx"`` or ``["csv", "text/*"]`` -> ``[".csv", ".xlsx", "text/*"]``."""
    if accept is None:
        return []
    items = (
        accept.split(",") if isinstance(accept, str) else accept if isinstance(accept, list) else []
    )
    out = []
    for item in items:
        text = str(item).strip().lower()
        if not text:
            continue
        if "/" not in text and not text.startswith("."):
            text = "." + text
        out.append(text)
    return out


def accepts(patterns: list[str], filename: str, content_type: str | None) -> bool:
    """Whether a file matches any ``accept`` pattern (extension, MIME type or ``type/*``)."""
    if not patterns:
        return True
    name = filename.lower()
    mime = (content_type or "").lower()
    for pattern in patterns:
        if pattern.startswith(".") and name.endswith(pattern):
            return True
        if "/" in pattern and mime and fnmatch.fnmatch(mime, pattern):
            return True
    return False


def _size_text(size: float) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{int(size)} bytes"


class UploadModel(PanelModel):
    """One upload gate (``FILE_UPLOAD``) or several slots (``MULTI_FILE_UPLOAD``)."""

    panel = Panel.FILE_UPLOAD

    def __init__(self, *args: Any, store: DocumentStore | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.accept = parse_accept(self.config.get("accept"))
        max_mb = parse_number(self.config.get("max_size_mb"))
        self.max_size_mb = float(max_mb) if max_mb is not None and max_mb > 0 else None
        self.multiple = bool(self.config.get("multiple", False))
        self.instructions = self._text_config("instructions") or self._text_config("description")
        self.uploaded: list[dict[str, Any]] = []
        self.slots = self._read_slots()
        if not self._signal_name() and not self.slots:
            self._note(
                "this gate names no signal for the upload (args.signal_name): the bridge must resolve it"
            )

    @property
    def panel_kind(self) -> Panel:
        return self.panel

    def default_title(self) -> str:
        return "Upload documents" if self.slots else "Upload a document"

    def _read_slots(self) -> list[dict[str, Any]]:
        raw = self.config.get("expected")
        if raw is None:
            raw = self.gate.args.get("expected")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self._note("expected is not a list of documents: shown as one upload")
            return []
        slots = []
        for index, item in enumerate(raw):
            if isinstance(item, str):
                item = {"source": item}
            if not isinstance(item, dict):
                self._note(f"expected document #{index + 1} is not an object: not shown")
                continue
            source = plain_text(item.get("source") or item.get("slug") or index)
            slots.append(
                {
                    "source": source,
                    "label": plain_text(item.get("label") or item.get("name") or source),
                    "schema_slug": item.get("schema_slug") or item.get("schema"),
                    "status": plain_text(item.get("status") or "pending"),
                    "signal_task_id": item.get("signal_task_id") or item.get("task_id"),
                    "signal_name": item.get("signal_name"),
                    "accept": parse_accept(item.get("accept")) or self.accept,
                    "filename": plain_text(item.get("filename") or ""),
                }
            )
        return slots

    def _signal_name(self) -> str | None:
        name = self.gate.args.get("signal_name") or self.config.get("signal_name")
        return str(name) if name else None

    # -- checks --------------------------------------------------------------------------
    def check(self, files: list[FileCandidate], slot: str | None = None) -> list[str]:
        """Why these files cannot be uploaded (empty when they can)."""
        problems = []
        if self.lifecycle.read_only:
            problems.append("this upload is closed")
        if not files:
            problems.append("choose a file")
        if len(files) > 1 and not self.multiple and slot is None:
            problems.append(f"this gate takes one file; you chose {len(files)}")
        patterns = self.accept
        if slot is not None:
            found = self._slot(slot)
            if found is None:
                problems.append(f"no expected document {slot!r}")
            else:
                patterns = found["accept"]
        for candidate in files:
            if not accepts(patterns, candidate.filename, candidate.content_type):
                problems.append(
                    f"{candidate.filename!r} is not an accepted type (accepted: {', '.join(patterns)})"
                )
            if self.max_size_mb is not None and candidate.size > self.max_size_mb * 1024 * 1024:
                problems.append(
                    f"{candidate.filename!r} is {_size_text(candidate.size)}, over the "
                    f"{format_number(parse_number(self.max_size_mb) or Decimal(0))} MB limit"
                )
            if candidate.size == 0:
                problems.append(f"{candidate.filename!r} is empty")
        return problems

    def _slot(self, source: str) -> dict[str, Any] | None:
        return next((s for s in self.slots if s["source"] == source), None)

    # -- upload --------------------------------------------------------------------------
    def upload(
        self, files: list[tuple[str, bytes, str | None]], slot: str | None = None
    ) -> list[SignalIntent]:
        """Check, store and describe each file; returns one signal intent per file.

        Raises ValueError (with every reason) when the files are refused; nothing is stored
        then.
        """
        candidates = [FileCandidate(name, len(data), ctype) for name, data, ctype in files]
        problems = self.check(candidates, slot)
        if problems:
            raise ValueError("; ".join(problems))
        store = self.store or DocumentStore()
        found = self._slot(slot) if slot is not None else None
        args = self.gate.args
        source = (found or {}).get("source") or args.get("source") or self.config.get("source")
        schema = (
            (found or {}).get("schema_slug")
            or args.get("schema_slug")
            or self.config.get("schema_slug")
        )
        target = (
            (found or {}).get("signal_task_id")
            or args.get("signal_task_id")
            or self.gate.workflow_id
        )
        signal = (found or {}).get("signal_name") or self._signal_name()
        intents: list[SignalIntent] = []
        for name, data, content_type in files:
            ref = store.put(
                data,
                name,
                content_type or None,
                metadata={
                    k: v
                    for k, v in {
                        "workflow_id": self.gate.workflow_id,
                        "gate_id": self.gate.gate_id,
                        "source": source,
                        "schema_slug": schema,
                        "uploaded_by": self.reviewer,
                        "entity_id_or_slug": args.get("entity_id_or_slug")
                        or self.config.get("entity_id_or_slug"),
                    }.items()
                    if v is not None
                },
            )
            payload = DocumentPayload(
                document_ref=ref.document_ref,
                filename=ref.filename,
                size=ref.size,
                content_type=ref.content_type,
                source=None if source is None else str(source),
                schema_slug=None if schema is None else str(schema),
                tenant_id_or_slug=_opt(
                    args.get("tenant_id_or_slug") or self.config.get("tenant_id_or_slug")
                ),
                entity_id_or_slug=_opt(
                    args.get("entity_id_or_slug") or self.config.get("entity_id_or_slug")
                ),
            )
            intents.append(
                SignalIntent(
                    signal_task_id=None if target is None else str(target),
                    signal_name=signal,
                    payload=payload,
                )
            )
            self.uploaded.append(
                {
                    "filename": ref.filename,
                    "size": _size_text(ref.size),
                    "slot": slot,
                    "document_ref": ref.document_ref,
                }
            )
            if found is not None:
                found["status"] = "uploaded"
                found["filename"] = ref.filename
        if found is None or all(s["status"] in _SLOT_DONE for s in self.slots):
            self.lifecycle.status = "submitting"
            self.lifecycle.sent_info = DecidedInfo(
                action="uploaded",
                reviewer=self.reviewer,
                at=datetime.now(UTC),
                comment=", ".join(item["filename"] for item in self.uploaded),
            )
        return intents

    # -- view ----------------------------------------------------------------------------
    def feedback_view(self, feedback: Any) -> dict[str, Any] | None:
        """``ingest`` feedback as counts and a progress fraction; other kinds as a message."""
        if feedback is None:
            return None
        kind = getattr(feedback, "kind", None) or (
            feedback.get("kind") if isinstance(feedback, dict) else None
        )
        level = getattr(feedback, "level", None) or (
            feedback.get("level") if isinstance(feedback, dict) else "info"
        )
        payload = (
            getattr(feedback, "payload", None)
            if not isinstance(feedback, dict)
            else feedback.get("payload")
        )
        view: dict[str, Any] = {
            "kind": plain_text(kind),
            "title": feedback_title(plain_text(kind)),
            "level": level,
            "message": None,
            "progress": None,
            "counts": [],
        }
        if isinstance(payload, dict):
            total = parse_number(payload.get("total") or payload.get("expected"))
            done = parse_number(
                payload.get("processed")
                or payload.get("done")
                or payload.get("ingested")
                or payload.get("rows")
            )
            if total and done is not None and total > 0:
                view["progress"] = float(min(done / total, Decimal(1)))
            for key in ("processed", "ingested", "rows", "total", "failed", "skipped", "warnings"):
                if payload.get(key) is not None:
                    view["counts"].append(
                        {"label": key.capitalize(), "value": plain_text(payload[key])}
                    )
            view["message"] = plain_text(payload.get("message")) if payload.get("message") else None
        elif payload is not None:
            view["message"] = plain_text(payload)
        view["message"] = plain_message(view["message"], str(level))
        return view

    def body_view(self) -> dict[str, Any]:
        return {
            "accept": self.accept,
            "accept_attr": ",".join(self.accept),
            "max_size_mb": self.max_size_mb,
            "max_bytes": int(self.max_size_mb * 1024 * 1024) if self.max_size_mb else None,
            "multiple": self.multiple,
            "instructions": self.instructions,
            "slots": [
                {k: v for k, v in s.items() if k not in ("signal_task_id", "signal_name")}
                for s in self.slots
            ],
            "uploaded": list(self.uploaded),
            "source": plain_text(self.gate.args.get("source") or self.config.get("source") or ""),
            "filename_pattern": plain_text(self.config.get("filename_pattern") or ""),
            "feedback": self.feedback_view(self.config.get("feedback")),
        }

    def actions(self):  # type: ignore[override]
        return []


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


class MultiUploadModel(UploadModel):
    """MULTI_FILE_UPLOAD: one slot per expected document, each with its status."""

    panel = Panel.MULTI_FILE_UPLOAD
