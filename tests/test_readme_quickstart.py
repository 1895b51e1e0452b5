"""What the README tells a newcomer to type works as written: the Quick start in a fresh shell
(nothing on PATH but the system, a folder with the project's .venv as `make install` leaves it),
`make demo` with other ports, and the exit codes `ntro workflow test --help` documents."""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import pytest

from ntro._devserver import DevServer

REPO = Path(__file__).resolve().parents[1]


def quick_start() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the Quick start has no sh block"
    return block.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_the_quick_start_runs_as_written_in_a_fresh_shell(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    script = tmp_path / "quick-start.sh"
    script.write_text("set -e\n" + quick_start())
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",  # a new shell: the project's .venv is not on it
        "HOME": str(tmp_path / "home"),
        "NTRO_HOME": str(tmp_path / "ntro-home"),
        "NTRO_DEV_PORT": str(free_port()),  # not the 7233 a running demo may hold
        "NTRO_DEV_UI_PORT": str(free_port()),
    }
    try:
        run = subprocess.run(
            ["bash", str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        DevServer(
            tmp_path / ".ntro" / "temporal.db",
            port=int(env["NTRO_DEV_PORT"]),
            ui_port=int(env["NTRO_DEV_UI_PORT"]),
        ).stop()
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "runbooks" / "bank-rec" / "runbook.md").is_file()
    assert "summary: 2 passed, 0 failed (of 2)" in run.stdout
    assert f"Temporal dev server running at localhost:{env['NTRO_DEV_PORT']}" in run.stdout
    assert "Stopped the Temporal dev server" in run.stdout


def test_make_demo_takes_its_ports() -> None:
    plan = subprocess.run(
        ["make", "-n", "demo", "DEMO_PORT=7243", "DEMO_UI_PORT=8243"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plan.returncode == 0, plan.stderr
    assert "dev-server start --detach" in plan.stdout
    assert "--port 7243 --ui-port 8243" in plan.stdout
    assert "TEMPORAL_HOST=localhost:7243" in plan.stdout
    assert "NTRO_DEV_PORT=7243 NTRO_DEV_UI_PORT=8243" in plan.stdout


def test_workflow_test_help_names_its_three_exit_codes() -> None:
    shown = subprocess.run(
        [str(REPO / ".venv" / "bin" / "ntro"), "workflow", "test", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": "/tmp"},
    )
    text = " ".join(shown.stdout.split())
    assert "0 every scenario passed; 1 a scenario failed; 2 a usage error" in text
