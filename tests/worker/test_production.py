"""Done-when of issue 19, as a user meets it: two ``ntro worker`` processes on a dev server
started here, and ``ntro`` commands in other processes, with no notebook involved."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ntro.runbook import scaffold_bundle
from tests.worker._support import (
    QUICK_CHECK,
    SLOW_STEP,
    WorkerProcess,
    dev_cluster,
    ntro,
    ntro_json,
    wait_for,
    wait_view,
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("production")
    scaffold_bundle("close-books", tmp / "runbooks", author="tests")
    with dev_cluster(tmp) as env:
        bundles = [str(tmp / "runbooks" / "close-books"), str(QUICK_CHECK)]
        workers = [WorkerProcess(env, tmp / f"worker{i}.log", *bundles) for i in (1, 2)]
        try:
            for worker in workers:
                worker.wait_started()
            yield {"env": env, "tmp": tmp, "workers": workers}
        finally:
            for worker in workers:
                worker.stop()


def _previous_month(zone: str) -> str:
    today = datetime.now(ZoneInfo(zone)).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def test_run_upload_review_with_corrections_and_audit_trail(cluster: dict[str, Any]) -> None:
    env, tmp = cluster["env"], cluster["tmp"]
    workflow_id = ntro(
        env, "workflow", "run", "close-books", "--input", '{"entity": "acme", "period": "2026-02"}'
    ).stdout.strip()
    assert workflow_id.startswith("close-books-acme-2026-02-")

    # Approving a run that waits for an upload says what it waits for, and sends nothing.
    early = ntro(env, "workflow", "approve", workflow_id, "--as", "alice", check=False)
    assert early.returncode == 1
    assert "waits for an upload in step 'upload'" in early.stderr
    assert early.stderr.count("\n") == 1

    statement = tmp / "statement.csv"
    statement.write_text("date,amount\n2026-02-01,18.50\n")
    uploaded = ntro_json(env, "workflow", "upload", workflow_id, str(statement), "--as", "bob")
    ref = uploaded["document"]["document_ref"]
    stored = Path(env["NTRO_DOCUMENT_STORE"]) / ref
    assert (stored / "content").read_bytes() == statement.read_bytes()
    assert json.loads((stored / "info.json").read_text())["metadata"]["uploaded_by"] == "bob"

    def waiting_review() -> list[dict[str, Any]]:
        rows = ntro_json(env, "workflow", "ls", "--pending", "--entity", "acme")
        return [
            r
            for r in rows
            if r["workflow_id"] == workflow_id and r["pending"]["kind"] == "interactive_review"
        ]

    wait_view(
        env,
        workflow_id,
        lambda v: (v["pending_action"] or {}).get("kind") == "interactive_review",
        "the review gate",
    )
    (row,) = waiting_review()
    assert row["period"] == "2026-02" and row["slug"] == "close-books"
    assert "a review in step 'review'" in row["waiting_for"]

    # A correction to a row that does not exist: refused by the workflow in one line, gate open.
    bad = '[{"line_item_id": "NOPE", "field": "amount", "new_value": 1}]'
    refused = ntro(
        env, "workflow", "approve", workflow_id, "--corrections", bad, "--as", "al", check=False
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: {workflow_id} refused the decision: ")
    assert "NOPE" in refused.stderr and refused.stderr.count("\n") == 1

    corrections = '[{"line_item_id": "L2", "field": "amount", "new_value": 19.5}]'
    decided = ntro_json(
        env,
        "workflow",
        "approve",
        workflow_id,
        "--corrections",
        corrections,
        "--comment",
        "card fee",
        "--as",
        "alice",
    )
    assert decided["action"] == "correct" and decided["reviewer"] == "alice"

    wait_view(env, workflow_id, lambda v: v["status"] == "completed", "the run to complete")
    view = ntro_json(env, "workflow", "show", workflow_id)
    assert [s["status"] for s in view["steps"]] == ["completed"] * 4
    decision = next(e for e in view["audit_trail"] if e["kind"] == "decision")
    assert decision["reviewer"] == "alice" and decision["comment"] == "card fee"
    (fix,) = [e for e in view["audit_trail"] if e["kind"] == "correction"]
    assert (fix["line_item_id"], fix["field"], fix["old_value"], fix["new_value"]) == (
        "L2",
        "amount",
        18.5,
        19.5,
    )
    assert fix["reviewer"] == "alice"
    assert view["result"]["corrections"] == 1

    text = ntro(env, "workflow", "show", workflow_id).stdout
    assert "✓ Review lines" in text and "L2.amount: 18.5 → 19.5" in text


@pytest.mark.slow
def test_reject_ends_the_review_as_rejected(cluster: dict[str, Any]) -> None:
    env = cluster["env"]
    workflow_id = ntro(env, "workflow", "run", "close-books").stdout.strip()
    doc = cluster["tmp"] / "doc.pdf"
    doc.write_bytes(b"%PDF-1.4\n")
    ntro(env, "workflow", "upload", workflow_id, str(doc))
    wait_view(
        env,
        workflow_id,
        lambda v: (v["pending_action"] or {}).get("kind") == "interactive_review",
        "the review gate",
    )
    ntro(env, "workflow", "reject", workflow_id, "--comment", "wrong file", "--as", "al")
    done = wait_view(env, workflow_id, lambda v: v["status"] == "completed", "the run to end")
    assert done["result"]["status"] == "rejected"
    (decision,) = [e for e in done["audit_trail"] if e["kind"] == "decision"]
    assert (decision["action"], decision["reviewer"], decision["comment"]) == (
        "reject",
        "al",
        "wrong file",
    )


def test_run_wait_prints_the_result_or_the_failure(cluster: dict[str, Any]) -> None:
    env = cluster["env"]
    done = ntro(env, "workflow", "run", str(QUICK_CHECK), "--input", '{"entity": "b"}', "--wait")
    assert json.loads(done.stdout) == {"entity": "b", "balanced": True}
    failed = ntro(
        env, "workflow", "run", str(QUICK_CHECK), "--input", '{"fail": true}', "--wait", check=False
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: quick-check-acme-") and failed.stderr.count("\n") == 1
    assert "failed: no ledger for entity acme" in failed.stderr


def test_two_workers_share_the_queue(cluster: dict[str, Any]) -> None:
    """Twenty runs started at once: both worker processes take some of their first tasks."""
    from temporalio.api.enums.v1 import EventType

    from ntro.cluster import ClusterConfig, connect, find_runbook, start_run

    env = cluster["env"]
    config = ClusterConfig.from_env(env)
    ref = find_runbook(Path(env["NTRO_RUNBOOKS"]) / "close-books")

    async def first_task_identities() -> set[str]:
        client = await connect(config)
        handles = await asyncio.gather(
            *(start_run(client, ref, {"entity": f"e{i}"}) for i in range(20))
        )
        identities = set()
        for handle in handles:
            for _ in range(100):
                events = [e async for e in handle.fetch_history_events()]
                started = [
                    e.workflow_task_started_event_attributes.identity
                    for e in events
                    if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
                ]
                if started:
                    identities.add(started[0])
                    break
                await asyncio.sleep(0.05)
            await handle.terminate("test done")
        return identities

    identities = asyncio.run(first_task_identities())
    pids = {str(w.pid) for w in cluster["workers"]}
    assert {i.rsplit(":", 1)[-1] for i in identities} == pids


def test_schedule_trigger_starts_a_run_with_the_templated_period(cluster: dict[str, Any]) -> None:
    env = cluster["env"]
    template = '{"entity": "{entity}", "period": "{previous_month}"}'
    created = ntro(
        env,
        "schedule",
        "create",
        "close-books",
        "--entity",
        "globex",
        "--cron",
        "0 6 3 * *",
        "--timezone",
        "Europe/London",
        "--input",
        template,
    )
    schedule_id = created.stdout.strip()
    assert schedule_id == "close-books-globex"
    (listed,) = [s for s in ntro_json(env, "schedule", "ls") if s["schedule_id"] == schedule_id]
    assert listed["cron"] == "0 6 3 * *" and not listed["paused"] and listed["next_runs"]

    workflow_id = ntro(env, "schedule", "trigger", schedule_id).stdout.strip()
    assert workflow_id.startswith(schedule_id)
    period = _previous_month("Europe/London")
    view = wait_view(
        env, workflow_id, lambda v: v.get("pending_action"), "the scheduled run's upload gate"
    )
    assert view["period"] == period and view["entity"] == "globex"
    assert view["workflow_type"] == "CloseBooksWorkflow"
    assert f"for globex, {period}" in view["pending_action"]["reason"]
    rows = ntro_json(env, "workflow", "ls", "--entity", "globex", "--period", period)
    assert [r["workflow_id"] for r in rows] == [workflow_id]

    ntro(env, "schedule", "pause", schedule_id)
    assert [s.paused for s in _schedules(env) if s.schedule_id == schedule_id] == [True]
    ntro(env, "schedule", "delete", schedule_id)
    assert [s for s in _schedules(env) if s.schedule_id == schedule_id] == []


def _schedules(env: dict[str, str]) -> list[Any]:
    from ntro.cluster import ClusterConfig, connect, list_schedules

    async def read() -> list[Any]:
        return await list_schedules(await connect(ClusterConfig.from_env(env)))

    return asyncio.run(read())


def test_sigterm_drains_the_activity_in_flight_and_exits_0(cluster: dict[str, Any]) -> None:
    env, tmp = cluster["env"], cluster["tmp"]
    marker = tmp / "term"
    marker.mkdir()
    worker = WorkerProcess(env, tmp / "term.log", str(SLOW_STEP), "--task-queue", "q-term")
    worker.wait_started()
    spec = json.dumps({"marker_dir": str(marker), "seconds": 2.0})
    workflow_id = ntro(
        env, "workflow", "run", str(SLOW_STEP), "--input", spec, "--task-queue", "q-term"
    ).stdout.strip()
    wait_view(env, workflow_id, lambda v: v["pending_action"], "the review")
    ntro(env, "workflow", "approve", workflow_id, "--as", "dana")
    wait_for(lambda: list(marker.glob("started-*")), what="the activity to start")
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(30) == 0
    worker.stop()
    assert (marker / f"done-{worker.pid}").exists(), worker.text()
    log = worker.text()
    assert "stopping (SIGTERM)" in log and "stopped (SIGTERM)" in log


@pytest.mark.slow
def test_a_worker_killed_mid_activity_hands_it_to_the_other(cluster: dict[str, Any]) -> None:
    env, tmp = cluster["env"], cluster["tmp"]
    marker = tmp / "kill"
    marker.mkdir()
    workers = [
        WorkerProcess(env, tmp / f"kill{i}.log", str(SLOW_STEP), "--task-queue", "q-kill")
        for i in (1, 2)
    ]
    try:
        for worker in workers:
            worker.wait_started()
        spec = json.dumps({"marker_dir": str(marker), "seconds": 2.0})
        workflow_id = ntro(
            env, "workflow", "run", str(SLOW_STEP), "--input", spec, "--task-queue", "q-kill"
        ).stdout.strip()
        wait_view(env, workflow_id, lambda v: v["pending_action"], "the review")
        ntro(env, "workflow", "approve", workflow_id, "--as", "carol")
        (started,) = wait_for(lambda: list(marker.glob("started-*")), what="the activity")
        victim = int(started.name.split("-")[1])
        os.kill(victim, signal.SIGKILL)
        survivor = next(w for w in workers if w.pid != victim)
        view = wait_view(
            env,
            workflow_id,
            lambda v: v["status"] == "completed",
            "the run to complete on the other worker",
            timeout=90,
        )
        assert view["result"]["pid"] == survivor.pid
        assert view["result"]["attempt"] >= 2
        assert view["result"]["reviewer"] == "carol"
        assert [e["reviewer"] for e in view["audit_trail"] if e["kind"] == "decision"] == ["carol"]
    finally:
        for worker in workers:
            worker.stop()


def test_a_notebook_creates_and_lists_schedules_with_their_next_runs(
    cluster: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``%ntro schedule`` on the session's cluster; runs are left to the ntro workers."""
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    from ntro_jupyter import get_session

    env = cluster["env"]
    monkeypatch.setenv("NTRO_RUNBOOKS", env["NTRO_RUNBOOKS"])
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ntro_jupyter")
    session = get_session()
    try:
        shell.run_line_magic("ntro", f"connect localhost:{env['NTRO_DEV_PORT']}")
        with pytest.raises(UsageError, match="has 4 fields"):
            shell.run_line_magic(
                "ntro", "schedule create close-books --entity initech --cron '0 6 3 *'"
            )
        shell.run_line_magic(
            "ntro",
            "schedule create close-books --entity initech --cron '0 6 3 * *' "
            '--timezone Europe/London --input \'{"period": "{previous_month}"}\'',
        )
        table = shell.run_line_magic("ntro", "schedule ls --runbook close-books")
        (row,) = [r for r in table.rows() if r["entity"] == "initech"]
        assert row["schedule"] == "close-books-initech" and row["state"] == "active"
        assert row["next runs"].count("-03T") == 3  # the 3rd of the next three months
        assert "<td>close-books-initech</td>" in table._repr_html_()
        shell.run_line_magic("ntro", "schedule delete close-books-initech")
    finally:
        session.close()
