"""The ``ntro`` command: exit codes, one-line errors, ``runbook new/validate``, ``dev-server``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ntro
from ntro.cli import run

CLI = [sys.executable, "-c", "from ntro.cli import main; main()"]


def ntro_cmd(
    *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (its exit code goes through os._exit)."""
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ── in process ───────────────────────────────────────────────────────────────


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"ntro {ntro.__version__} (temporalio ")


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("runbook", "workflow", "dev-server"):
        assert command in out


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--frobnicate"]) == 2
    assert "No such option: --frobnicate" in capsys.readouterr().err


def test_new_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["runbook", "new", "cash-rec", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"Created runbook bundle {tmp_path / 'cash-rec'}" in out
    assert "templates/workflow.py" in out
    assert f"ntro workflow test {tmp_path / 'cash-rec'}" in out

    assert run(["runbook", "validate", str(tmp_path / "cash-rec")]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"✓ {tmp_path / 'cash-rec'}: valid runbook 'cash-rec' v0.1.0 (4 steps)"


def test_validate_prints_one_problem_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["runbook", "new", "cash-rec", "--dir", str(tmp_path)])
    runbook_md = tmp_path / "cash-rec" / "runbook.md"
    runbook_md.write_text(
        runbook_md.read_text().replace("author: ", "owner: ").replace("id: summary", "id: totals")
    )
    capsys.readouterr()
    assert run(["runbook", "validate", str(tmp_path / "cash-rec")]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(f"{runbook_md}: NTRO003 missing required key 'author'")
    assert any("warning NTRO016" in line and "unknown key 'owner'" in line for line in lines)
    # Steps that differ from the workflow's @ui_step are warnings, printed with the errors.
    assert any("warning NTRO010 step 'totals'" in line for line in lines)
    assert any("warning NTRO011" in line and "'summary'" in line for line in lines)
    assert "1 problem found" in captured.err


def test_validate_warns_and_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["runbook", "new", "cash-rec", "--dir", str(tmp_path)])
    bundle = tmp_path / "cash-rec"
    runbook_md = bundle / "runbook.md"
    runbook_md.write_text(runbook_md.read_text().replace("    responsibility: system\n", "", 1))
    capsys.readouterr()
    assert run(["runbook", "validate", str(bundle)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 2 and captured.err == ""
    assert lines[0].startswith(f"{runbook_md}: warning NTRO015 line ")
    assert "has no responsibility" in lines[0]
    assert lines[1] == f"✓ {bundle}: valid runbook 'cash-rec' v0.1.0 (4 steps, 1 warning)"

    assert run(["runbook", "validate", "--strict", str(bundle)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{runbook_md}: NTRO015 line ")
    assert "1 problem found (--strict)" in captured.err


def test_validate_missing_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["runbook", "validate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {tmp_path / 'nope'}: no such directory")


def test_errors_are_one_line_without_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cash-rec").mkdir()
    (tmp_path / "cash-rec" / "keep.txt").write_text("x")
    assert run(["runbook", "new", "cash-rec", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "already exists and is not empty" in err
    assert run(["--debug", "runbook", "new", "cash-rec", "--dir", str(tmp_path)]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_workflow_group_exists(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["workflow", "--help"]) == 0
    assert "Usage: ntro workflow" in capsys.readouterr().out


# ── the real entry point, in a subprocess ─────────────────────────────────────


def test_exit_codes_through_the_entry_point(tmp_path: Path) -> None:
    created = ntro_cmd("runbook", "new", "bank-rec", "--dir", str(tmp_path))
    assert created.returncode == 0, created.stderr
    ok = ntro_cmd("runbook", "validate", str(tmp_path / "bank-rec"))
    assert (ok.returncode, ok.stderr) == (0, "")
    assert "valid runbook 'bank-rec'" in ok.stdout

    (tmp_path / "bank-rec" / "templates" / "__init__.py").unlink()
    bad = ntro_cmd("runbook", "validate", str(tmp_path / "bank-rec"))
    assert bad.returncode == 1
    assert "NTRO007" in bad.stdout

    missing = ntro_cmd("runbook", "validate", str(tmp_path / "absent"))
    assert missing.returncode == 2
    assert "no such directory" in missing.stderr and "Traceback" not in missing.stderr

    usage = ntro_cmd("runbook", "validate")
    assert usage.returncode == 2
    assert "Missing argument" in usage.stderr


def test_unexpected_errors_are_one_line_too(tmp_path: Path) -> None:
    # A bundle directory that is a file: validate says so in one line, exit 2.
    (tmp_path / "file").write_text("x")
    result = ntro_cmd("runbook", "validate", str(tmp_path / "file"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'file'}: is a file, not a directory; pass the path of a runbook "
        f"bundle (a directory holding runbook.md)"
    )


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ntro.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("ntro ")


def test_dev_server_detached_status_stop(tmp_path: Path) -> None:
    port, ui = str(free_port()), str(free_port())
    common = ["--db", str(tmp_path / "t.db"), "--port", port, "--ui-port", ui]
    started = ntro_cmd("dev-server", "start", "--detach", *common, cwd=tmp_path)
    try:
        assert started.returncode == 0, started.stderr
        assert f"gRPC address: localhost:{port}" in started.stdout
        assert f"Web UI:       http://localhost:{ui}" in started.stdout
        status = ntro_cmd("dev-server", "status", "--db", str(tmp_path / "t.db"), cwd=tmp_path)
        assert status.returncode == 0
        assert f"running at localhost:{port}" in status.stdout
        again = ntro_cmd("dev-server", "start", "--detach", *common, cwd=tmp_path)
        assert again.returncode == 0 and "Already running" in again.stdout
        foreground = ntro_cmd("dev-server", *common, cwd=tmp_path)
        assert foreground.returncode == 1
        assert (
            "already running" in foreground.stderr and "ntro dev-server stop" in foreground.stderr
        )
    finally:
        stopped = ntro_cmd("dev-server", "stop", "--db", str(tmp_path / "t.db"), cwd=tmp_path)
    assert stopped.returncode == 0 and "Stopped" in stopped.stdout
    status = ntro_cmd("dev-server", "status", "--db", str(tmp_path / "t.db"), cwd=tmp_path)
    assert status.returncode == 3
    assert "not running" in status.stdout


def test_dev_server_foreground_stops_on_ctrl_c(tmp_path: Path) -> None:
    port, ui = str(free_port()), str(free_port())
    proc = subprocess.Popen(
        [*CLI, "dev-server", "--db", str(tmp_path / "t.db"), "--port", port, "--ui-port", ui],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Press Ctrl-C" in line or not line:
                break
        assert f"gRPC address: localhost:{port}" in "".join(lines)
        with socket.create_connection(("localhost", int(port)), timeout=2):
            pass
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        # Whatever happened, leave no server behind.
        ntro_cmd("dev-server", "stop", "--db", str(tmp_path / "t.db"), cwd=tmp_path)
    assert proc.returncode == 0, err
    assert "Stopped the Temporal dev server" in out
    with pytest.raises(OSError):
        socket.create_connection(("localhost", int(port)), timeout=0.5).close()


# ── start-up: what the light commands import ─────────────────────────────────

_HEAVY = ("temporalio.client", "temporalio.worker", "hypothesis", "hypothesis_jsonschema")
_HEAVY_CHECK = (
    "import sys\n"
    "from ntro.cli import run\n"
    "code = run({args!r})\n"
    "print('HEAVY', code, sorted(m for m in {heavy!r} if m in sys.modules))\n"
)


def _heavy_modules(*args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-c", _HEAVY_CHECK.format(args=list(args), heavy=_HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("HEAVY"))
    _, code, modules = line.split(" ", 2)
    return int(code), modules


def test_help_and_validate_load_no_temporal_client_nor_hypothesis() -> None:
    # A bundle whose tests/scenarios.py imports ntro.testing, as published bundles do.
    bundle = Path(__file__).resolve().parents[2] / "bench" / "bundles" / "nav-close"
    assert (bundle / "tests" / "scenarios.py").is_file()
    assert _heavy_modules("--help") == (0, "[]")
    assert _heavy_modules("runbook", "validate", str(bundle)) == (0, "[]")
