"""A notebook kernel that used the data plane leaves no PostgreSQL running when it exits;
a command-line process leaves the server for the next one to attach to."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ntro.data import embedded_status, stop_embedded

KERNEL_LIKE = textwrap.dedent(
    """
    import sys
    from ntro.data import start_embedded
    from ntro_jupyter import get_session

    session = get_session()          # what %ntro creates in a kernel
    start_embedded(sys.argv[1])      # what an activity run in the kernel does
    # the kernel exits: atexit closes the session
    """
)

ATTACHING = textwrap.dedent(
    """
    import sys
    from ntro.data import start_embedded, stop_started_here
    start_embedded(sys.argv[1])      # attaches: another process started it
    assert stop_started_here() == [], "attached servers are not ours to stop"
    """
)


def _run(code: str, folder: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_kernel_session_stops_the_postgres_it_started(tmp_path: Path) -> None:
    folder = tmp_path / "pg"
    try:
        _run(KERNEL_LIKE, folder)
        assert not embedded_status(folder).running
    finally:
        stop_embedded(folder)


def test_a_process_that_attached_leaves_the_server_running(tmp_path: Path) -> None:
    folder = tmp_path / "pg"
    try:
        _run(
            "import sys; from ntro.data import start_embedded; start_embedded(sys.argv[1])", folder
        )
        assert embedded_status(folder).running, "a command-line start keeps the server"
        _run(ATTACHING, folder)
        assert embedded_status(folder).running
    finally:
        stop_embedded(folder)
    assert not embedded_status(folder).running
