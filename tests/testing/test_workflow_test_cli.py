"""`ntro workflow test` as a user runs it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ntro.runbook import scaffold_bundle

FAILING_SCENARIO = """
from ntro.testing import Scenario

WRONG_EXPECTATION = Scenario(
    name="wrong_expectation",
    expect=lambda result: result.status == "closed",
)
"""


def ntro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from ntro.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bundles")
    path, _ = scaffold_bundle("cash-rec", root)
    (path / "tests" / "scenarios.py").write_text(
        (path / "tests" / "scenarios.py").read_text() + FAILING_SCENARIO
    )
    return path


def test_default_scenarios_pass_with_the_documented_report(bundle: Path) -> None:
    run = ntro("workflow", "test", str(bundle))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("✓  happy  (") and lines[0].endswith("s)")
    assert lines[1].startswith("    [ 0.") and "] submit_file  " in lines[1]
    assert any(line.startswith("✓  reject_all  (") for line in lines)
    assert lines[-1] == "summary: 2 passed, 0 failed (of 2)"
    assert "WARN" not in run.stdout + run.stderr


def test_json_report_and_a_failing_custom_scenario_exit_1(bundle: Path) -> None:
    run = ntro(
        "workflow",
        "test",
        str(bundle),
        "--scenario",
        "happy",
        "--scenario",
        "wrong_expectation",
        "--json",
    )
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert [(r["scenario"], r["status"]) for r in report] == [
        ("happy", "completed"),
        ("wrong_expectation", "failed"),
    ]
    assert report[1]["error"].startswith("expectation failed")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--input", "{not json"], "--input is not valid JSON"),
        (["--input", '{"period": 5}'], "--input does not fit"),
        (["--input", "@/no/such/file.json"], "cannot read"),
        (["--workflow-class", "Missing"], "Missing"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(bundle: Path, args: list[str], message: str) -> None:
    run = ntro("workflow", "test", str(bundle), *args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_not_a_bundle_and_no_such_directory(tmp_path: Path) -> None:
    for path, message in [
        (tmp_path, "runbook.md is missing"),
        (tmp_path / "nope", "no such directory"),
    ]:
        run = ntro("workflow", "test", str(path))
        assert run.returncode == 2 and message in run.stderr
        assert "Traceback" not in run.stderr


def test_the_exit_code_is_reliable_run_after_run(bundle: Path) -> None:
    codes = [
        ntro("workflow", "test", str(bundle), "--scenario", "happy").returncode for _ in range(8)
    ]
    assert codes == [0] * 8


BENCH = Path(__file__).resolve().parents[2] / "bench" / "bundles"


@pytest.mark.slow
def test_the_first_scenario_of_a_temporal_style_bundle_is_as_fast_as_the_next() -> None:
    # The product page's style: constrained pydantic models, an upload gate advertised with
    # await_signal_with_action, a child by slug, and no --input: the input and the mocked
    # results are generated. Median of 5 whole runs, so one slow moment does not decide it.
    firsts, laters = [], []
    for _ in range(5):
        run = ntro(
            "workflow", "test", str(BENCH / "nav-close"),
            "--child", str(BENCH / "statement-ingest"), "--json",
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        first, later = (r["duration_s"] for r in json.loads(run.stdout))
        firsts.append(first)
        laters.append(later)
    firsts.sort()
    laters.sort()
    assert firsts[2] <= 2 * laters[2], (firsts, laters)
