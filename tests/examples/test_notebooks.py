"""The example notebooks run top to bottom, headless (nbclient), on a copy of notebooks/.

Each notebook asserts what its reader is meant to see (a scenario report, a committed document,
a signed-off NAV), so a notebook that runs without error is one that still shows the right thing.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.util import run_sync

from tests.examples.conftest import NOTEBOOKS

RESTART_TAG = "restart-kernel"
"""A cell with this tag runs after a kernel restart, as the notebook tells its reader to do."""


@pytest.fixture
def notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of notebooks/ (runbooks, data and notebooks), so runs leave nothing behind."""
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ntro", ".ipynb_checkpoints", "__pycache__"))
    monkeypatch.setenv("NTRO_REVIEWER", "ci-reviewer@acme.example")
    monkeypatch.delenv("TEMPORAL_HOST", raising=False)
    return copy


def execute(path: Path, timeout: float = 120) -> tuple[nbformat.NotebookNode, float]:
    """Run every cell in order (restarting the kernel where a cell is tagged so); return the
    executed notebook and how long it took. A failing cell raises with its traceback."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if RESTART_TAG in cell.get("metadata", {}).get("tags", []):
                run_sync(client.km.restart_kernel)(now=False)
                run_sync(client.kc.wait_for_ready)(timeout=60)
            client.execute_cell(cell, index)
    return nb, time.monotonic() - started


def text_of(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                parts.append(str(output["data"].get("text/plain", "")))
    return "\n".join(parts)


def test_author_and_test_notebook(notebooks: Path) -> None:
    nb, elapsed = execute(notebooks / "01-author-and-test.ipynb")
    shown = text_of(nb)
    assert "summary: 4 passed, 0 failed (of 4)" in shown
    assert "decision=timeout, skipped_s=172800" in shown
    assert "'total': '7650.00'" in shown
    assert "summary: 3 passed, 0 failed (of 3)" in shown
    assert elapsed < 60
