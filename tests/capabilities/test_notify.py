"""notify's local store as another process reads it: every notification has a stable id, the
reader reads only the file's tail, and a half-written or corrupt line is skipped (logged once)
without hiding the others."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ntro.capabilities import config, notify


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    config.set(config.WorkerConfig(artifacts_dir=tmp_path / "artifacts"))
    try:
        yield notify.notifications_file()
    finally:
        config.reset()


async def test_each_notification_has_its_own_id_and_is_read_back_in_order(store: Path) -> None:
    first = await notify.send(type="review_requested", step="review", task_id="wf-1")
    second = await notify.send(type="close_finished", data={"nav": "49683305.55"})
    assert store == Path(config.get().artifacts_dir).parent / "notifications.jsonl"
    assert first.id != second.id and len(first.id) == 32
    read = notify.recent()
    assert [(n.id, n.type) for n in read] == [
        (first.id, "review_requested"),
        (second.id, "close_finished"),
    ]
    assert read[1].data == {"nav": "49683305.55"}
    assert notify.recent(limit=1)[0].id == second.id
    # ``since``: strictly after that time, with its zone.
    assert [n.id for n in notify.recent(since=first.created_at)] == [second.id]
    with pytest.raises(ValueError, match="no time zone"):
        notify.recent(since="2026-01-31T09:00:00")


async def test_bad_lines_are_skipped_and_logged_once(
    store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await notify.send(type="before")
    legacy = {"type": "legacy", "created_at": datetime.now(UTC).isoformat()}
    with store.open("ab") as handle:
        handle.write(b"{not json\n")
        handle.write(b'["a", "list"]\n')
        handle.write(json.dumps(legacy).encode() + b"\n")  # an older writer: no id
        handle.write(b'{"type": "half-writ')  # a writer that died mid-line
    with caplog.at_level(logging.WARNING, logger="ntro.capabilities.notify"):
        once = notify.recent()
        again = notify.recent()
    assert [n.type for n in once] == ["before", "legacy"]
    assert [n.id for n in once] == [n.id for n in again]  # the legacy line's id is stable
    assert once[1].id.startswith("h")
    skipped = [r for r in caplog.records if "skipped an unreadable notification" in r.message]
    assert len(skipped) == 2, [r.message for r in skipped]  # each bad line once, not per read
    # The next notification starts on its own line: the unfinished one does not swallow it.
    after = await notify.send(type="after")
    assert [n.type for n in notify.recent()] == ["before", "legacy", "after"]
    assert notify.recent()[-1].id == after.id


async def test_only_the_tail_of_a_large_file_is_read(store: Path) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with store.open("w", encoding="utf-8") as handle:
        for n in range(20_000):
            note = notify.Notification(
                id=f"n{n}", type="tick", created_at=(start + timedelta(seconds=n)).isoformat()
            )
            handle.write(note.model_dump_json() + "\n")
    size = store.stat().st_size
    assert size > 4 * 1024 * 1024 // 2
    read = notify.recent(limit=100_000, max_bytes=64 * 1024)
    assert read[-1].id == "n19999"
    assert 0 < len(read) < 64 * 1024 // 100  # only what fits in the window, whole lines only
    ids = [int(n.id[1:]) for n in read]
    assert ids == list(range(ids[0], 20_000))
