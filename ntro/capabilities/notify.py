"""``notify.send``: tell people that a run needs them (a review is waiting, a close finished).

With ``NTRO_NOTIFY_ENDPOINT`` set, the notification is POSTed there as JSON. Without it (or
when that fails), it is appended to ``notifications.jsonl`` beside the artifacts folder, where
any process reads it back (:func:`recent`): the JupyterLab inbox does, through the Jupyter
server. It is also published through the registered :mod:`ntro.events` emitter as event
``ntro.notification``, so a notebook session that registered one shows it at once.

The file is one JSON object per line, appended with one ``write`` per notification (lines from
several processes do not interleave). Readers read only its tail (:data:`TAIL_BYTES`) and skip a
line that is half-written or corrupt, logging it once, so one bad line never hides the others.
Every notification has a stable ``id``: a new one at send, and for a line stored without one
(an older writer), one derived from the line's bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ntro.capabilities import config
from ntro.events import get_emitter

__all__ = [
    "EVENT_TYPE",
    "TAIL_BYTES",
    "Notification",
    "notifications_file",
    "parse_time",
    "recent",
    "send",
]

EVENT_TYPE = "ntro.notification"
TAIL_BYTES = 1 << 20
"""How much of the end of the file a reader reads (about 3,000 notifications of 300 bytes)."""
logger = logging.getLogger(__name__)

_logged_bad_lines: set[str] = set()
_MAX_LOGGED = 1000


def _new_id() -> str:
    return uuid.uuid4().hex


class Notification(BaseModel):
    """One notification as stored and sent; ``delivered_to`` says where it went."""

    id: str = Field(default_factory=_new_id)
    type: str
    step: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    task_id: str = ""
    tenant_id: str = ""
    entity_id: str = ""
    created_at: str
    delivered_to: list[str] = Field(default_factory=list)


def notifications_file() -> Path:
    """Where notifications go with no endpoint: ``<artifacts folder>/../notifications.jsonl``."""
    return Path(config.get().artifacts_dir).expanduser().parent / "notifications.jsonl"


def _append(note: Notification) -> None:
    """Append one line in one ``write``; after a line a crashed writer left unfinished, start
    on a new line so this one stays readable."""
    path = notifications_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = note.model_dump_json(exclude={"delivered_to"}).encode("utf-8") + b"\n"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        os.write(fd, line)
    finally:
        os.close(fd)


def _post(url: str, note: Notification) -> None:
    request = urllib.request.Request(url, data=note.model_dump_json().encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


async def send(
    *,
    type: str,  # noqa: A002 - the published keyword
    step: str = "",
    data: dict[str, Any] | None = None,
    task_id: str = "",
    tenant_id: str = "",
    entity_id: str = "",
) -> Notification:
    """Record and deliver one notification; see the module docstring for where it goes."""
    if not str(type).strip():
        raise ValueError("notify.send needs a type, e.g. 'review_requested'")
    note = Notification(
        type=type,
        step=step,
        data=dict(data or {}),
        task_id=str(task_id),
        tenant_id=str(tenant_id or config.get().tenant_id or ""),
        entity_id=str(entity_id),
        created_at=datetime.now(UTC).isoformat(),
    )
    endpoint = config.get().notify_endpoint
    if endpoint:
        try:
            await asyncio.to_thread(_post, endpoint, note)
            note.delivered_to.append(endpoint)
        except (urllib.error.URLError, OSError) as err:
            logger.warning("notification to %s failed (%s); kept locally", endpoint, err)
    if not note.delivered_to:
        await asyncio.to_thread(_append, note)
        note.delivered_to.append(str(notifications_file()))
    emitter = get_emitter()
    if emitter is not None:
        await emitter.emit(EVENT_TYPE, note.model_dump(mode="json"))
        note.delivered_to.append("session")
    return note


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with its zone (``Z`` or an offset) as an aware datetime; ``ValueError``
    naming the value otherwise."""
    try:
        value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 time; write e.g. '2026-01-31T09:00:00Z'"
        ) from None
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; add 'Z' (UTC) or an offset such as '+01:00'")
    return value


def _tail_lines(path: Path, max_bytes: int) -> list[bytes]:
    """The complete lines in the last ``max_bytes`` of ``path`` (a line cut by the window's
    start, and a last line still being written, are left out)."""
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - max_bytes)
        handle.seek(max(0, start - 1))
        chunk = handle.read(size - max(0, start - 1))
    if start > 0:
        first_complete = chunk[:1] == b"\n"
        lines = chunk[1:].split(b"\n")
        if not first_complete:
            lines = lines[1:]
    else:
        lines = chunk.split(b"\n")
    lines.pop()  # what follows the last newline: empty, or a line not finished yet
    return [line for line in lines if line.strip()]


def _parse_line(line: bytes, path: Path) -> Notification | None:
    """The notification on ``line``, or None (logged once per line) when it cannot be read."""
    try:
        raw = json.loads(line)
        if not isinstance(raw, dict):
            raise ValueError(f"a JSON {type(raw).__name__}, not an object")
        if not raw.get("id"):  # stored by a writer that gave none: an id from its bytes
            raw["id"] = "h" + hashlib.sha256(line).hexdigest()[:31]
        note = Notification.model_validate(raw)
        parse_time(note.created_at)
    except (ValidationError, ValueError) as err:
        digest = hashlib.sha256(line).hexdigest()
        if digest not in _logged_bad_lines:
            if len(_logged_bad_lines) >= _MAX_LOGGED:
                _logged_bad_lines.clear()
            _logged_bad_lines.add(digest)
            reason = str(err).splitlines()[0][:200]
            logger.warning("skipped an unreadable notification line in %s (%s)", path, reason)
        return None
    return note


def recent(
    limit: int = 50,
    *,
    since: datetime | str | None = None,
    path: Path | None = None,
    max_bytes: int = TAIL_BYTES,
) -> list[Notification]:
    """The latest ``limit`` notifications kept locally (created after ``since`` if given),
    newest last. Reads only the file's last ``max_bytes``; unreadable lines are skipped."""
    source = path or notifications_file()
    try:
        lines = _tail_lines(source, max_bytes)
    except FileNotFoundError:
        return []
    after = parse_time(since) if isinstance(since, str) else since
    notes = [note for line in lines if (note := _parse_line(line, source)) is not None]
    if after is not None:
        notes = [note for note in notes if parse_time(note.created_at) > after]
    return notes[-limit:] if limit > 0 else []
