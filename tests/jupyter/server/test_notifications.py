"""The JupyterLab inbox's notifications endpoint on a real ``jupyter server``: what
``notify.send`` kept in another process is listed newest first with a stable id, marks are
kept per user, and bad input is refused with a 400 naming the parameter (and never reaches the
store). No Temporal is needed: the server's cluster address is a closed port."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro.capabilities import config, notify
from ntro_jupyter._server._notifications import TailCache, UserMarks
from tests.jupyter.server._support import JupyterProcess, closed_port


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notify") / "artifacts"


@pytest.fixture(scope="module")
def lab_server(
    tmp_path_factory: pytest.TempPathFactory, artifacts: Path
) -> Iterator[JupyterProcess]:
    env = {"TEMPORAL_HOST": f"127.0.0.1:{closed_port()}", "NTRO_ARTIFACTS_DIR": str(artifacts)}
    with JupyterProcess(tmp_path_factory.mktemp("jupyter-notify"), env=env) as server:
        yield server


@pytest.fixture
def store(artifacts: Path) -> Iterator[Path]:
    """This process sends to the file the server reads; emptied after each test."""
    config.set(config.WorkerConfig(artifacts_dir=artifacts))
    path = notify.notifications_file()
    try:
        yield path
    finally:
        config.reset()
        path.unlink(missing_ok=True)
        for marks in (path.parent / "notifications-state").glob("*.json"):
            marks.unlink()


@pytest.fixture
async def api(lab_server: JupyterProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=lab_server.base_url + "ntro/api/",
        headers={"Authorization": f"token {lab_server.token}"},
        timeout=30,
    ) as client:
        yield client


async def listed(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await api.get("notifications", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_notifications_sent_elsewhere_are_listed_newest_first(
    api: httpx.AsyncClient, store: Path
) -> None:
    assert (await listed(api))["notifications"] == []  # no file yet: nothing, not an error
    review = await notify.send(
        type="review_requested",
        step="journals",
        task_id="month-end-close-2026-01",
        entity_id="acme-fund",
        data={"journals": 4},
    )
    done = await notify.send(type="close_finished", step="nav_signoff")
    body = await listed(api)
    assert [n["id"] for n in body["notifications"]] == [done.id, review.id]
    assert body["unread"] == 2 and body["count"] == 2
    assert body["source"] == str(store)
    first = body["notifications"][1]
    assert first["type"] == "review_requested" and first["step"] == "journals"
    assert first["workflow_id"] == "month-end-close-2026-01"  # a task's id is its workflow's
    assert first["entity_id"] == "acme-fund" and first["data"] == {"journals": 4}
    assert first["read"] is False and "delivered_to" not in first
    assert body["notifications"][0]["workflow_id"] is None
    # limit and since
    assert [n["id"] for n in (await listed(api, limit=1))["notifications"]] == [done.id]
    since = (await listed(api, since=review.created_at))["notifications"]
    assert [n["id"] for n in since] == [done.id]


async def test_read_and_dismissed_marks_change_the_count_and_the_list(
    api: httpx.AsyncClient, store: Path
) -> None:
    notes = [await notify.send(type=f"event-{n}", task_id=f"wf-{n}") for n in range(3)]
    read = await api.post("notifications", json={"action": "read", "ids": [notes[0].id]})
    assert read.status_code == 200, read.text
    assert read.json() == {"action": "read", "updated": 1, "unknown": []}
    body = await listed(api)
    assert body["unread"] == 2
    assert {n["id"]: n["read"] for n in body["notifications"]}[notes[0].id] is True
    again = await api.post("notifications", json={"action": "read", "ids": [notes[0].id, "nope"]})
    assert again.json() == {"action": "read", "updated": 0, "unknown": ["nope"]}

    dismissed = await api.post("notifications", json={"action": "dismiss", "ids": [notes[1].id]})
    assert dismissed.json()["updated"] == 1
    body = await listed(api)
    assert [n["id"] for n in body["notifications"]] == [notes[2].id, notes[0].id]
    assert body["unread"] == 1  # a dismissed notification is not waiting to be read
    everything = await listed(api, include_dismissed="true")
    shown = {n["id"]: n for n in everything["notifications"]}
    assert shown[notes[1].id]["dismissed"] is True and shown[notes[1].id]["read"] is True


def test_marks_are_kept_per_user_and_bounded(tmp_path: Path) -> None:
    ana, bo = UserMarks(tmp_path, "ana@acme.example"), UserMarks(tmp_path, "bo@acme.example")
    assert ana.mark("read", ["a1", "a2"]) == 2 and ana.mark("read", ["a1"]) == 0
    assert bo.load()["read"] == {}
    assert bo.mark("dismissed", ["a1"]) == 1
    assert set(bo.load()["read"]) == {"a1"}  # dismissed counts as read
    assert "ana" not in ana.path.name  # the file is named by a hash of the user
    (tmp_path / ana.path.name).write_text("{torn")
    assert ana.load() == {"read": {}, "dismissed": {}}  # a torn file is an empty one


async def test_a_corrupt_or_unfinished_line_hides_nothing_else(
    api: httpx.AsyncClient, store: Path, lab_server: JupyterProcess
) -> None:
    kept = await notify.send(type="kept")
    legacy = {"type": "legacy", "created_at": datetime.now(UTC).isoformat()}
    with store.open("ab") as handle:
        handle.write(b"\x00\xff garbage\n" + json.dumps(legacy).encode() + b"\n")
        handle.write(b'{"type": "being-writ')
    first = await listed(api)
    second = await listed(api)
    assert [n["type"] for n in first["notifications"]] == ["legacy", "kept"]
    assert first["notifications"][1]["id"] == kept.id
    assert [n["id"] for n in first["notifications"]] == [n["id"] for n in second["notifications"]]
    log = lab_server.log_file.read_text(errors="replace")
    assert log.count("skipped an unreadable notification line") == 1


BAD_QUERIES = [
    ({"limit": "0"}, "invalid_limit", "limit must be a whole number from 1 to 1000, got '0'"),
    ({"limit": "ten"}, "invalid_limit", "got 'ten'"),
    ({"limit": "100000"}, "invalid_limit", "from 1 to 1000"),
    ({"since": "yesterday"}, "invalid_since", "since: 'yesterday' is not an ISO 8601 time"),
    ({"since": "2026-01-31T09:00:00"}, "invalid_since", "has no time zone"),
    ({"include_dismissed": "maybe"}, "invalid_include_dismissed", "true or false, got 'maybe'"),
]


@pytest.mark.parametrize(("params", "code", "words"), BAD_QUERIES)
async def test_bad_query_parameters_are_named(
    api: httpx.AsyncClient, params: dict[str, str], code: str, words: str
) -> None:
    response = await api.get("notifications", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == code
    assert words in response.json()["message"]


async def test_bad_bodies_are_refused_and_mark_nothing(api: httpx.AsyncClient, store: Path) -> None:
    note = await notify.send(type="review_requested")
    cases: list[tuple[Any, str, str]] = [
        (b"", "missing_body", "no JSON body"),
        (b"[1]", "invalid_body", "must be a JSON object"),
        (b'{"action": "read", "ids": [NaN]}', "not_finite", "NaN"),
        ({"action": "archive", "ids": [note.id]}, "invalid_body", "action"),
        ({"action": "read", "ids": []}, "invalid_body", "ids"),
        ({"action": "read"}, "invalid_body", "ids: Field required"),
        ({"action": "read", "ids": ["../../etc"]}, "invalid_body", "ids.0"),
        ({"action": "read", "ids": [note.id], "extra": 1}, "invalid_body", "extra"),
        (
            {"action": "read", "ids": [note.id], "reviewer": "cfo"},
            "identity_from_server",
            "reviewer",
        ),
    ]
    for body, code, words in cases:
        sent = (
            await api.post("notifications", content=body)
            if isinstance(body, bytes)
            else await api.post("notifications", json=body)
        )
        assert sent.status_code == 400, (body, sent.text)
        assert sent.json()["error"] == code, (body, sent.text)
        assert words in sent.json()["message"], (body, sent.json()["message"])
    too_big = await api.post(
        "notifications", json={"action": "read", "ids": [note.id], "pad": "x" * 2_000_000}
    )
    assert too_big.status_code == 413
    assert (await listed(api))["unread"] == 1  # nothing was marked


async def test_without_the_token_nothing_is_read_or_marked(
    lab_server: JupyterProcess, store: Path
) -> None:
    note = await notify.send(type="review_requested")
    async with httpx.AsyncClient(base_url=lab_server.base_url + "ntro/api/", timeout=10) as anon:
        assert (await anon.get("notifications")).status_code == 403
        marked = await anon.post("notifications", json={"action": "dismiss", "ids": [note.id]})
        assert marked.status_code == 403
    assert not (store.parent / "notifications-state").exists() or not list(
        (store.parent / "notifications-state").glob("*.json")
    )


def test_a_notification_older_than_since_is_left_out() -> None:
    """``since`` compares times, not strings: an offset other than UTC is honoured."""
    stamp = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    assert notify.parse_time("2026-01-31T11:00:00+01:00") == stamp
    assert notify.parse_time("2026-01-31T10:00:00Z") - stamp == timedelta(0)


async def test_the_tail_is_parsed_again_only_when_the_file_changes(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Path] = []
    recent = notify.recent

    def counting(*args: Any, **kwargs: Any) -> list[notify.Notification]:
        parsed.append(kwargs["path"])
        return recent(*args, **kwargs)

    monkeypatch.setattr(notify, "recent", counting)
    cache = TailCache()
    assert cache.read(store) == [] and parsed == []  # no file: nothing to parse
    first = await notify.send(type="one")
    assert [n.id for n in cache.read(store)] == [first.id]
    assert [n.id for n in cache.read(store)] == [first.id]
    assert len(parsed) == 1
    second = await notify.send(type="two")
    assert [n.id for n in cache.read(store)] == [first.id, second.id]
    assert len(parsed) == 2
