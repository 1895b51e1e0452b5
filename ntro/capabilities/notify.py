"""``notify.send``: tell people that a run needs them (a review is waiting, a close finished).

With ``NTRO_NOTIFY_ENDPOINT`` set, the notification is POSTed there as JSON. Without it, it is
appended to ``notifications.jsonl`` beside the artifacts folder (read back with
:func:`recent`), and published through the registered :mod:`ntro.events` emitter as event
``ntro.notification``, so a notebook session that registered one shows it at once.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ntro.capabilities import config
from ntro.events import get_emitter

__all__ = ["EVENT_TYPE", "Notification", "notifications_file", "recent", "send"]

EVENT_TYPE = "ntro.notification"
logger = logging.getLogger(__name__)


class Notification(BaseModel):
    """One notification as stored and sent; ``delivered_to`` says where it went."""

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
    path = notifications_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(note.model_dump_json() + "\n")


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


def recent(limit: int = 50) -> list[Notification]:
    """The latest ``limit`` notifications kept locally, newest last."""
    path = notifications_file()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    return [Notification.model_validate_json(line) for line in lines if line.strip()]
