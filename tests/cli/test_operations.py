"""``ntro workflow run|ls|show|upload|approve|reject``, ``ntro schedule`` and ``ntro worker``
on bad input: one line, the right exit code, and nothing needs a cluster to say so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ntro.cli import run
from ntro.runbook import scaffold_bundle

CLI = Path(__file__).resolve().parents[2] / "ntro" / "cli"


@pytest.fixture
def runbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundle on the runbook path and no cluster anywhere (nothing listens on the port)."""
    scaffold_bundle("close-books", tmp_path / "runbooks", author="tests")
    for name in ("TEMPORAL_HOST", "TEMPORAL_ADDRESS", "TEMPORAL_API_KEY", "TEMPORAL_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NTRO_RUNBOOKS", str(tmp_path / "runbooks"))
    monkeypatch.setenv("NTRO_DEV_DB", str(tmp_path / "no-server.db"))
    return tmp_path / "runbooks"


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_the_cluster_commands_do_not_load_temporal_when_the_cli_starts() -> None:
    for name in ("_cluster.py", "_operations.py", "_schedule.py", "_worker.py"):
        tree = ast.parse((CLI / name).read_text())
        top = [
            node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert all(
            m
            and m.split(".")[0]
            in (
                "__future__",
                "typing",
                "pathlib",
                "json",
                "asyncio",
                "collections",
                "typer",
                "ntro",
            )
            for m in top
        ), top
        assert not [m for m in top if m and m.startswith(("ntro.cluster", "ntro.worker"))]


def test_help_lists_the_production_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    assert "worker" in out and "schedule" in out
    assert run(["workflow", "--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "ls", "show", "upload", "approve", "reject"):
        assert f"  {command} " in out


def test_a_run_input_that_does_not_fit_names_the_field(
    runbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["workflow", "run", "close-books", "--input", '{"period": "March"}'])
    assert code == 2
    assert "--input does not fit RunbookInput (runbook 'close-books'): period:" in _error(capsys)


def test_an_unknown_runbook_lists_what_is_there(
    runbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["workflow", "run", "close-book"]) == 1
    assert "no runbook 'close-book' in" in _error(capsys)


def test_no_cluster_says_how_to_get_one(runbooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["workflow", "ls"]) == 1
    assert "`ntro dev-server start --detach`, or set TEMPORAL_HOST" in _error(capsys)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--cron", "0 6 3 *", "--timezone", "UTC"], "cron '0 6 3 *' has 4 fields"),
        (["--cron", "0 6 3 * *", "--timezone", "Mars/Base"], "time zone 'Mars/Base'"),
        (
            ["--cron", "0 6 3 * *", "--input", '{"period": "{previous_quarter}"}'],
            "period: String should match pattern",
        ),
        (
            ["--cron", "0 6 3 * *", "--input", '{"period": "{last_month}"}'],
            "unknown placeholder {last_month}",
        ),
    ],
)
def test_a_schedule_that_would_fail_is_refused_before_connecting(
    runbooks: Path, capsys: pytest.CaptureFixture[str], args: list[str], named: str
) -> None:
    code = run(["schedule", "create", "close-books", "--entity", "acme", *args])
    assert code == 2
    assert named in _error(capsys)


def test_corrections_must_be_a_list(runbooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["workflow", "approve", "wf-1", "--corrections", '{"a": 1}']) == 2
    assert "--corrections must be a JSON list" in _error(capsys)
    assert run(["workflow", "approve", "wf-1", "--corrections", "[oops"]) == 2
    assert "--corrections is not valid JSON" in _error(capsys)


def test_worker_refuses_a_folder_that_is_not_a_bundle(
    runbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["worker", str(runbooks)]) == 2
    assert "no runbook.md there" in _error(capsys)


def test_worker_without_a_cluster_exits_1_in_one_line(
    runbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["worker", str(runbooks / "close-books"), "--address", "127.0.0.1:9"]) == 1
    assert "cannot reach the Temporal cluster at 127.0.0.1:9" in _error(capsys)


def test_worker_with_a_bundle_that_does_not_load_names_the_file(
    runbooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = runbooks / "close-books" / "templates" / "workflow.py"
    workflow.write_text(workflow.read_text() + "\nthis is not python\n")
    assert run(["worker", str(runbooks / "close-books"), "--address", "127.0.0.1:9"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "workflow.py" in err
    assert "cannot reach" not in err
