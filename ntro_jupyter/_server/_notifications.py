"""The notifications endpoint of the JupyterLab inbox: what ``ntro.capabilities.notify.send``
kept locally, from whichever process sent it, with each Jupyter user's read and dismissed marks.

- ``GET ntro/api/notifications?limit=50&since=<ISO time>&include_dismissed=false``: the latest
  notifications, newest first, each with ``read`` and ``workflow_id`` (its ``task_id``: a
  task's id is its workflow's), and ``unread``, how many of those read are neither read nor
  dismissed. Only the tail of the file is read (``notify.TAIL_BYTES``); a corrupt line is
  skipped (and logged once). The tail is parsed again only when the file changed (its size,
  modification time or inode): every open JupyterLab polls this every few seconds.
- ``POST ntro/api/notifications`` ``{"action": "read" | "dismiss", "ids": [...]}``: mark them
  for the signed-in user; answers how many changed and which ids are not among the recent
  notifications.

The marks live beside the notifications file, one small JSON file per user
(``notifications-state/<hash of the user>.json``), written through a temporary file and a
rename, and bounded: the oldest marks go first past :data:`MAX_MARKS`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from tornado import web

from ntro.capabilities import notify
from ntro.capabilities.config import ConfigError
from ntro_jupyter._server._handlers import ApiError, NtroHandler, _Body

__all__ = ["NotificationsHandler", "TailCache", "UserMarks", "notifications_handlers"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_MARKS = 5000
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_TRUE = {"1", "true", "yes"}
_FALSE = {"", "0", "false", "no"}


NotificationId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class MarkBody(_Body):
    action: Literal["read", "dismiss"]
    ids: list[NotificationId] = Field(min_length=1, max_length=MAX_LIMIT)


class UserMarks:
    """One user's read and dismissed notification ids (id -> when), kept in a small file."""

    _lock = threading.Lock()

    def __init__(self, folder: Path, user: str) -> None:
        digest = hashlib.sha256(user.encode("utf-8")).hexdigest()[:32]
        self.path = folder / f"{digest}.json"
        self.user = user

    def load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"read": {}, "dismissed": {}}
        marks = {}
        for kind in ("read", "dismissed"):
            found = data.get(kind) if isinstance(data, dict) else None
            marks[kind] = {str(k): str(v) for k, v in (found or {}).items()}
        return marks

    def mark(self, kind: Literal["read", "dismissed"], ids: list[str]) -> int:
        """Add ``ids`` to ``kind`` (dismissed ones count as read too); how many were new."""
        with self._lock:
            marks = self.load()
            now = datetime.now(UTC).isoformat()
            changed = 0
            for key in (kind, "read") if kind == "dismissed" else (kind,):
                for note_id in ids:
                    if note_id not in marks[key]:
                        marks[key][note_id] = now
                        changed += key == kind
                if len(marks[key]) > MAX_MARKS:
                    newest = sorted(marks[key].items(), key=lambda item: item[1])[-MAX_MARKS:]
                    marks[key] = dict(newest)
            self._write({"user": self.user, **marks})
        return changed

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class TailCache:
    """The notifications of the file's tail, parsed once per version of the file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int, int, int] | None = None
        self._notes: list[notify.Notification] = []

    def read(self, path: Path) -> list[notify.Notification]:
        """Oldest first, as :func:`ntro.capabilities.notify.recent` returns them."""
        try:
            info = path.stat()
        except FileNotFoundError:
            return []
        key = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
        with self._lock:
            if key == self._key:
                return self._notes
        notes = notify.recent(MAX_LIMIT * 4, path=path)
        with self._lock:
            self._key, self._notes = key, notes
        return notes


_TAIL = TailCache()


class NotificationsHandler(NtroHandler):
    """``GET``/``POST ntro/api/notifications`` (see the module docstring)."""

    def _source(self) -> Path:
        try:
            return notify.notifications_file()
        except ConfigError as err:
            raise ApiError(
                503,
                "notifications_unavailable",
                f"The Jupyter server cannot say where notifications are kept: {err}",
            ) from None

    def _marks(self, source: Path) -> UserMarks:
        return UserMarks(source.parent / "notifications-state", self.view_reviewer())

    def _limit(self) -> int:
        text = self.get_query_argument("limit", str(DEFAULT_LIMIT)).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            raise ApiError(
                400,
                "invalid_limit",
                f"limit must be a whole number from 1 to {MAX_LIMIT}, got {text[:40]!r}.",
            )
        return int(text)

    def _since(self) -> datetime | None:
        text = self.get_query_argument("since", "").strip()
        if not text:
            return None
        try:
            return notify.parse_time(text[:80])
        except ValueError as err:
            raise ApiError(400, "invalid_since", f"since: {err}.") from None

    def _include_dismissed(self) -> bool:
        text = self.get_query_argument("include_dismissed", "").strip().lower()
        if text not in _TRUE | _FALSE:
            raise ApiError(
                400,
                "invalid_include_dismissed",
                f"include_dismissed must be true or false, got {text[:40]!r}.",
            )
        return text in _TRUE

    @web.authenticated
    async def get(self) -> None:
        limit, since, with_dismissed = self._limit(), self._since(), self._include_dismissed()
        source = self._source()
        notes = await asyncio.to_thread(_TAIL.read, source)
        if since is not None:
            notes = [note for note in notes if notify.parse_time(note.created_at) > since]
        marks = await asyncio.to_thread(self._marks(source).load)
        shown: list[dict[str, Any]] = []
        unread = 0
        for note in reversed(notes):  # newest first
            dismissed = note.id in marks["dismissed"]
            read = dismissed or note.id in marks["read"]
            unread += not read
            if dismissed and not with_dismissed:
                continue
            if len(shown) < limit:
                shown.append(_row(note, read=read, dismissed=dismissed))
        self.finish(
            json.dumps(
                {
                    "notifications": shown,
                    "count": len(shown),
                    "unread": unread,
                    "fetched_at": datetime.now(UTC).isoformat(),
                    "source": str(source),
                },
                default=str,
            )
        )

    @web.authenticated
    async def post(self) -> None:
        body: MarkBody = self.body(MarkBody)
        source = self._source()
        known = {note.id for note in await asyncio.to_thread(_TAIL.read, source)}
        ids = list(dict.fromkeys(body.ids))
        found = [i for i in ids if i in known]
        kind: Literal["read", "dismissed"] = "read" if body.action == "read" else "dismissed"
        marks = self._marks(source)
        changed = await asyncio.to_thread(marks.mark, kind, found) if found else 0
        self.finish(
            json.dumps(
                {
                    "action": body.action,
                    "updated": changed,
                    "unknown": [i for i in ids if i not in known],
                }
            )
        )


def _row(note: notify.Notification, *, read: bool, dismissed: bool) -> dict[str, Any]:
    return {
        **note.model_dump(mode="json", exclude={"delivered_to"}),
        "workflow_id": note.task_id or None,
        "read": read,
        "dismissed": dismissed,
    }


def notifications_handlers(api: str) -> list[tuple[str, type[NtroHandler]]]:
    """The routes of this module under ``api`` (``{base_url}ntro/api``)."""
    from jupyter_server.utils import url_path_join

    return [(url_path_join(api, "notifications"), NotificationsHandler)]
