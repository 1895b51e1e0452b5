"""Waiting reviews listed from the cluster alone (issue 15), on real Temporal dev servers.

Runs publish their open gate (memo + ``Ntro*`` search attributes); ``list_reviews`` reads one
visibility page per call. What a reviewer relies on: the list matches what each workflow says
of itself after approvals, rejections, timeouts and child runbooks; reviews whose worker is
stopped stay listed and are marked; a cluster without the attributes never stalls a run;
filter values are never read as query operators; a page token only continues its own list.

The dev servers here use 5 s long polls (Temporal's default is 60 s), so a stopped worker is
seen as gone after a 12 s window instead of the production 70 s.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker

import ntro.workflow._base as base
import ntro.workflow._visibility as visibility
from ntro._devserver import DevServer
from ntro.cluster import (
    PageTokenRefused,
    QueueWatch,
    ReviewFilter,
    ReviewFilterError,
    list_reviews,
    register_search_attributes,
    search_attribute_status,
    send_decision,
    visibility_support,
)
from ntro.testing import quiet_runtime
from tests.cluster.inbox_runbooks import (
    WORKFLOWS,
    InboxLedgerReviewWorkflow,
    InboxParentWorkflow,
)
from tests.jupyter.server._support import free_port

LONG_POLL_5S = ["--dynamic-config-value", 'matching.longPollExpirationInterval="5s"']
WINDOW_S = 12.0
QUEUE = "ntro-inbox-visibility"


def _server(tmp: Path, *, search_attributes: bool) -> DevServer:
    return DevServer(
        tmp / "temporal.db",
        port=free_port(),
        ui_port=free_port(),
        headless=True,
        search_attributes=search_attributes,
        extra_args=LONG_POLL_5S,
    )


@pytest.fixture(scope="module")
def indexed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = _server(tmp_path_factory.mktemp("indexed"), search_attributes=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def client(indexed_server: DevServer) -> Client:
    return await Client.connect(
        indexed_server.address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
    )


def _worker(client: Client, queue: str, *, publish: bool = True) -> Worker:
    return Worker(
        client,
        task_queue=queue,
        workflows=WORKFLOWS,
        activities=[visibility_support] if publish else [],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )


@pytest.fixture(scope="module")
async def worker(client: Client) -> AsyncIterator[Worker]:
    async with _worker(client, QUEUE) as running:
        yield running


async def start(
    client: Client, queue: str = QUEUE, workflow: Any = InboxLedgerReviewWorkflow, **inp: Any
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        workflow.run, inp, id=f"vis-{uuid.uuid4().hex[:10]}", task_queue=queue
    )


async def everything(client: Client, review_filter: ReviewFilter, **kw: Any) -> list[dict]:
    """Every page of the list."""
    rows: list[dict[str, Any]] = []
    token = None
    while True:
        page = await list_reviews(client, review_filter, page_token=token, **kw)
        rows += page.rows
        token = page.next_page_token
        if token is None:
            return rows


async def eventually(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:g} s")
        await asyncio.sleep(0.3)


async def pending_of(handle: WorkflowHandle[Any, Any]) -> dict[str, Any] | None:
    return await handle.query("current_pending_action")


async def open_gate(handle: WorkflowHandle[Any, Any], step: str = "review") -> dict[str, Any]:
    async def opened() -> dict[str, Any] | None:
        pending = await pending_of(handle)
        return pending if pending and pending.get("step_id") == step else None

    return await eventually(opened, f"{handle.id} opens its {step} gate")


def setup_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``ntro cluster setup`` as a user runs it."""
    return ntro_cli(env, "cluster", "setup", *args)


def ntro_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ntro.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def decision(action: str, gate: dict[str, Any], reviewer: str = "ana@fund.example") -> dict:
    return {"action": action, "gate_id": gate["gate_id"], "reviewer": reviewer}


# -- the list against the workflows' own word -----------------------------------------------


async def test_the_list_matches_each_workflows_own_query_after_mixed_outcomes(
    client: Client, worker: Worker
) -> None:
    entity = f"fund-{uuid.uuid4().hex[:6]}"
    base = {"entity": entity, "period": "2026-11"}
    approved = [await start(client, **base, signoff=True) for _ in range(2)]
    rejected = [await start(client, **base) for _ in range(2)]
    timed_out = await start(client, **base, timeout_s=1)
    waiting = [await start(client, **base, amount="2500.5") for _ in range(2)]
    parent = await start(client, workflow=InboxParentWorkflow, **base)
    handles = [*approved, *rejected, timed_out, *waiting, parent]

    for handle in approved:
        await send_decision(handle, decision("approve", await open_gate(handle)))
    for handle in rejected:
        await send_decision(handle, decision("reject", await open_gate(handle)))
    assert await timed_out.result() == {"review": "reject"}  # closed by its timeout
    for handle in rejected:
        assert await handle.result() == {"review": "reject"}
    for handle in approved:
        await open_gate(handle, "signoff")  # approval opened the next gate
    child = client.get_workflow_handle(f"{parent.id}:children:inbox-ledger-review")
    await open_gate(child)

    async def truth() -> dict[str, tuple[str, str]]:
        """What each running workflow says it waits for (a person's gates only)."""
        said = {}
        for handle in [*handles, child]:
            description = await handle.describe()
            if description.status is None or description.status.name != "RUNNING":
                continue
            pending = await pending_of(handle)
            if pending and pending["kind"] in ("interactive_review", "submit_file"):
                said[handle.id] = (pending["gate_id"], pending["kind"])
        return said

    expected = await truth()
    assert set(expected) == {*(h.id for h in approved), *(h.id for h in waiting), child.id}
    assert parent.id not in expected  # its gate waits for the child, not for a person

    async def listed() -> dict[str, tuple[str, str]] | None:
        rows = await everything(client, ReviewFilter(entity=entity))
        found = {row["workflow_id"]: (row["gate_id"], row["kind"]) for row in rows}
        return found if found == expected else None

    assert await eventually(listed, "the list agrees with the workflows (visibility lags)")

    rows = {r["workflow_id"]: r for r in await everything(client, ReviewFilter(entity=entity))}
    signoff = rows[approved[0].id]
    assert (signoff["step_id"], signoff["component"]) == ("signoff", "APPROVAL_FORM")
    review = rows[waiting[0].id]
    assert review["source"] == "visibility" and review["worker_down"] is False
    assert (review["runbook"], review["entity"], review["period"]) == (
        "inbox-ledger-review",
        entity,
        "2026-11",
    )
    assert review["amount"] == {"value": "2500.50", "currency": "USD"}
    assert review["warning_count"] == 1  # one cell under the 0.8 confidence threshold
    assert review["task_queue"] == QUEUE and review["decidable"] is True
    assert review["reason"] == "Check the ledger lines" and review["title"] == "Ledger lines"
    assert rows[child.id]["runbook"] == "inbox-ledger-review"
    assert rows[child.id]["parent_workflow_id"] == parent.id
    assert review["parent_workflow_id"] is None

    by_period = await everything(client, ReviewFilter(entity=entity, period="2026-12"))
    assert by_period == []
    old = await everything(client, ReviewFilter(entity=entity, older_than_s=3600))
    assert old == []  # nothing has waited an hour

    for handle in [*approved, *waiting, child]:
        await handle.terminate("test over")


async def test_assigned_to_lists_gates_naming_the_reviewer(
    client: Client, worker: Worker, indexed_server: DevServer
) -> None:
    entity = f"fund-{uuid.uuid4().hex[:6]}"
    mine = await start(client, entity=entity, period="2026-11", reviewers=["bo@fund.example"])
    open_to_all = await start(client, entity=entity, period="2026-11")
    for handle in (mine, open_to_all):
        await open_gate(handle)

    async def assigned() -> list[dict[str, Any]]:
        return await everything(
            client, ReviewFilter(entity=entity, assigned_to=("bo@fund.example", "role:clerk"))
        )

    rows = await eventually(assigned, "bo's review is listed as assigned to bo")
    assert [r["workflow_id"] for r in rows] == [mine.id]
    assert rows[0]["reviewers"] == ["bo@fund.example"]

    # The same filters from a terminal: `ntro workflow ls --pending --mine --older-than`.
    env = {
        **os.environ,
        "TEMPORAL_HOST": indexed_server.address,
        "NTRO_REVIEWER": "bo@fund.example",
    }
    base = ["workflow", "ls", "--pending", "--entity", entity, "--json"]
    listed = await asyncio.to_thread(ntro_cli, env, *base, "--mine")
    assert [r["workflow_id"] for r in json.loads(listed.stdout)] == [mine.id], listed.stderr
    both = json.loads((await asyncio.to_thread(ntro_cli, env, *base)).stdout)
    assert {r["workflow_id"] for r in both} == {mine.id, open_to_all.id}
    assert all(r["waiting_for"].startswith("a review in step 'review'") for r in both)
    text = ["workflow", "ls", "--pending", "--entity", entity, "--limit", "1"]
    first = (await asyncio.to_thread(ntro_cli, env, *text)).stdout
    assert "1 of 2 waiting reviews shown; --limit 2 lists them all" in first
    old = await asyncio.to_thread(ntro_cli, env, *base, "--older-than", "2h")
    assert json.loads(old.stdout) == []
    bad = await asyncio.to_thread(ntro_cli, env, *base, "--older-than", "soon")
    assert bad.returncode != 0 and "--older-than 'soon' is not an age" in bad.stderr
    for handle in (mine, open_to_all):
        await handle.terminate("test over")


# -- workers down ---------------------------------------------------------------------------


async def test_reviews_whose_worker_stopped_stay_listed_and_marked(
    client: Client, worker: Worker
) -> None:
    queue = f"vis-down-{uuid.uuid4().hex[:6]}"
    entity = f"fund-{uuid.uuid4().hex[:6]}"
    async with _worker(client, queue):
        stranded = [await start(client, queue, entity=entity, period="2026-11") for _ in range(3)]
        alive = await start(client, entity=entity, period="2026-11")  # the module's worker
        for handle in [*stranded, alive]:
            await open_gate(handle)
    # The worker of `queue` is stopped now: no query could answer for those three.

    async def marked() -> list[dict[str, Any]] | None:
        rows = await everything(
            client, ReviewFilter(entity=entity), watch=QueueWatch(client, WINDOW_S)
        )
        down = {r["workflow_id"] for r in rows if r["worker_down"]}
        return rows if len(rows) == 4 and down == {h.id for h in stranded} else None

    rows = await eventually(marked, "the stopped worker's reviews are listed as down", 40)
    for row in rows:
        assert row["task_queue"] == (QUEUE if row["workflow_id"] == alive.id else queue)
    page = await list_reviews(
        client, ReviewFilter(entity=entity), watch=QueueWatch(client, WINDOW_S)
    )
    assert len(page.rows) == 4 and page.queued_without_worker == [queue]

    for handle in [*stranded, alive]:
        await handle.terminate("test over")


# -- bad input ------------------------------------------------------------------------------

HOSTILE = [
    "x' OR NtroAwaiting = false OR NtroEntity = 'y",
    "') OR ('1' = '1",
    '" OR 1=1 --',
    "\\' OR 1=1",
    "fund-a\\",
    "%",
    "*",
    "NtroAwaiting = true",
]


async def test_hostile_filter_values_are_literals(client: Client, worker: Worker) -> None:
    quoted = f"O'Brien & Co {uuid.uuid4().hex[:4]}"
    handle = await start(client, entity=quoted, period="2026-11")
    other = await start(client, entity=f"fund-{uuid.uuid4().hex[:6]}", period="2026-11")
    for h in (handle, other):
        await open_gate(h)

    async def found() -> list[dict[str, Any]]:
        return await everything(client, ReviewFilter(entity=quoted))

    rows = await eventually(found, "the entity with a quote in it is found")
    assert [r["workflow_id"] for r in rows] == [handle.id]
    for value in HOSTILE:
        for name in ("entity", "runbook", "period"):
            listed = await everything(client, ReviewFilter(**{name: value}))
            assert listed == [], (name, value)
        assert await everything(client, ReviewFilter(assigned_to=(value,))) == []
    for bad, words in (
        ({"entity": "a\nb"}, "control characters"),
        ({"period": "x" * 201}, "over 200"),
        ({"older_than_s": -5}, "0 or more"),
        ({"older_than_s": float("nan")}, "number of seconds"),
    ):
        with pytest.raises(ReviewFilterError, match=words):
            ReviewFilter(**bad)
    for h in (handle, other):
        await h.terminate("test over")


async def test_a_page_token_only_continues_its_own_list(client: Client, worker: Worker) -> None:
    entity = f"fund-{uuid.uuid4().hex[:6]}"
    handles = [await start(client, entity=entity, period="2026-11") for _ in range(3)]
    for handle in handles:
        await open_gate(handle)

    async def three() -> bool:
        return len(await everything(client, ReviewFilter(entity=entity))) == 3

    await eventually(three, "three reviews are listed")
    first = await list_reviews(client, ReviewFilter(entity=entity), page_size=2)
    assert len(first.rows) == 2 and first.next_page_token
    with pytest.raises(PageTokenRefused, match="another filter"):
        await list_reviews(
            client, ReviewFilter(entity=entity, period="2026-12"), page_token=first.next_page_token
        )
    for garbage in ("not-a-token", "eyJ2IjogMX0", first.next_page_token[:-3]):
        with pytest.raises(PageTokenRefused, match="not one this inbox gave"):
            await list_reviews(client, ReviewFilter(entity=entity), page_token=garbage)
    rest = await everything(client, ReviewFilter(entity=entity))
    following = await list_reviews(
        client, ReviewFilter(entity=entity), page_size=2, page_token=first.next_page_token
    )
    seen = {r["workflow_id"] for r in [*first.rows, *following.rows]}
    assert len(seen) == 3 == len(rest)
    for handle in handles:
        await handle.terminate("test over")


# -- runs that publish nothing --------------------------------------------------------------


async def test_runs_of_a_worker_that_does_not_publish_are_read_by_query(client: Client) -> None:
    queue = f"vis-legacy-{uuid.uuid4().hex[:6]}"
    entity = f"fund-{uuid.uuid4().hex[:6]}"
    async with _worker(client, queue, publish=False):
        handle = await start(client, queue, entity=entity, period="2026-11")
        await open_gate(handle)

        async def listed() -> list[dict[str, Any]]:
            return await everything(client, ReviewFilter(entity=entity))

        rows = await eventually(listed, "a run that publishes nothing is listed by its query")
        assert [(r["workflow_id"], r["source"]) for r in rows] == [(handle.id, "query")]
        assert rows[0]["gate_id"] == "review:1"
        described = await handle.describe()
        memo = await described.memo()
        assert "ntro_review" not in memo  # it published nothing
        await handle.terminate("test over")


# -- a cluster without the attributes -------------------------------------------------------


async def test_a_cluster_without_the_attributes_never_stalls_a_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = _server(tmp_path, search_attributes=False)
    server.start()
    try:
        bare = await Client.connect(
            server.address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
        )
        assert set((await search_attribute_status(bare)).values()) == {"missing"}
        caplog.set_level(logging.WARNING, logger="ntro.visibility")
        entity = "fund-bare"
        async with _worker(bare, QUEUE):
            handles = [
                await start(bare, entity=entity, period="2026-11", signoff=True) for _ in range(3)
            ]
            gate = await open_gate(handles[0])
            await send_decision(handles[0], decision("approve", gate))
            signoff = await open_gate(handles[0], "signoff")
            await send_decision(handles[0], decision("approve", signoff))
            assert await asyncio.wait_for(handles[0].result(), 20) == {
                "review": "approve",
                "signoff": "approve",
            }
            for handle in handles[1:]:
                await open_gate(handle)

            async def two() -> list[dict[str, Any]] | None:
                page = await list_reviews(bare, ReviewFilter(entity=entity))
                return page.rows if len(page.rows) == 2 and not page.indexed else None

            rows = await eventually(two, "the two waiting runs are listed from their memos")
            assert {r["workflow_id"] for r in rows} == {h.id for h in handles[1:]}
            assert all(r["source"] == "visibility" for r in rows)
            assert await everything(bare, ReviewFilter(entity="fund-other")) == []

        lines = [r.getMessage() for r in caplog.records if r.name == "ntro.visibility"]
        assert len(lines) == 1, lines  # one line for three runs, saying what to run
        assert "ntro cluster setup" in lines[0] and "NtroAwaiting" in lines[0]

        env = {**os.environ, "TEMPORAL_HOST": server.address}
        check = await asyncio.to_thread(setup_cli, env, "--check")
        assert check.returncode == 3, check.stderr
        assert "NtroAwaiting       missing" in check.stdout and "ntro cluster setup" in check.stdout
        done = await asyncio.to_thread(setup_cli, env)
        assert done.returncode == 0, done.stderr
        assert "NtroReviewers      ok  (added now)" in done.stdout
        assert set((await search_attribute_status(bare)).values()) == {"ok"}
        assert await register_search_attributes(bare) == []  # again: nothing to add
        async with _worker(bare, QUEUE):
            late = await start(bare, entity=entity, period="2026-11")
            await open_gate(late)

            async def three() -> list[dict[str, Any]] | None:
                rows = await everything(bare, ReviewFilter(entity=entity))
                return rows if len(rows) == 3 else None

            rows = await eventually(three, "runs from before and after registering are listed")
            assert {r["workflow_id"] for r in rows} == {late.id, *(h.id for h in handles[1:])}
            for handle in [*handles[1:], late]:
                await handle.terminate("test over")
    finally:
        server.stop()


# -- replay ---------------------------------------------------------------------------------


async def _decided_history(client: Client, queue: str) -> Any:
    async with _worker(client, queue):
        handle = await start(client, queue, entity="fund-replay", period="2026-11", signoff=True)
        for step in ("review", "signoff"):
            await send_decision(handle, decision("approve", await open_gate(handle, step)))
        await handle.result()
    return await handle.fetch_history()


async def test_histories_from_before_and_after_publishing_replay(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    published = await _decided_history(client, f"vis-replay-{uuid.uuid4().hex[:6]}")
    assert (
        await replayer.replay_workflow(published, raise_on_replay_failure=False)
    ).replay_failure is None

    async def before_this_feature(*args: Any, **kwargs: Any) -> None:
        return None  # the code before runs published: no patch marker, no activity, no upsert

    monkeypatch.setattr(visibility, "prepare_visibility", before_this_feature)
    monkeypatch.setattr(base, "prepare_visibility", before_this_feature)
    old = await _decided_history(client, f"vis-replay-{uuid.uuid4().hex[:6]}")
    monkeypatch.undo()
    kinds = {event.WhichOneof("attributes") for event in old.events}
    assert "marker_recorded_event_attributes" not in kinds  # recorded without the feature
    assert (
        await replayer.replay_workflow(old, raise_on_replay_failure=False)
    ).replay_failure is None
