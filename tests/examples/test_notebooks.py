"""The example notebooks run top to bottom, headless (nbclient), on a copy of notebooks/.

Each notebook asserts what its reader is meant to see (a scenario report, a committed document,
a signed-off NAV), so a notebook that runs without error is one that still shows the right thing.
"""

from __future__ import annotations

import html
import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.util import run_sync
from nbconvert import HTMLExporter

from ntro._devserver import DevServer, running_servers
from ntro_jupyter.widgets import RECORD_MIME
from tests.examples.conftest import NOTEBOOKS

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
RESTART_TAG = "restart-kernel"
"""A cell with this tag runs after a kernel restart, as the notebook tells its reader to do."""


@pytest.fixture
def notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of notebooks/ (runbooks, data and notebooks), so runs leave nothing behind."""
    copy = tmp_path / "notebooks"
    shutil.copytree(
        NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ntro", ".ipynb_checkpoints", "__pycache__")
    )
    monkeypatch.setenv("NTRO_REVIEWER", "ci-reviewer@acme.example")
    monkeypatch.delenv("TEMPORAL_HOST", raising=False)
    return copy


def execute(path: Path, timeout: float = 120) -> tuple[nbformat.NotebookNode, float]:
    """Run every cell in order (restarting the kernel where a cell is tagged so); return the
    executed notebook and how long it took. A failing cell raises with its traceback."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.monotonic()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if RESTART_TAG in cell.get("metadata", {}).get("tags", []):
                run_sync(client.km.restart_kernel)(now=False)
                run_sync(client.kc.wait_for_ready)(timeout=60)
            client.execute_cell(cell, index)
        client.set_widgets_metadata()  # what nbclient's whole-notebook run saves at its end
    return nb, time.monotonic() - started


def text_of(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                data = output["data"]
                parts.append(str(data.get("text/markdown") or data.get("text/plain", "")))
    return "\n".join(parts)


def test_author_and_test_notebook(notebooks: Path) -> None:
    nb, elapsed = execute(notebooks / "01-author-and-test.ipynb")
    shown = text_of(nb)
    assert "summary: 4 passed, 0 failed (of 4)" in shown
    assert "decision=timeout, skipped_s=172800" in shown
    assert "'total': '7650.00'" in shown
    assert "summary: 3 passed, 0 failed (of 3)" in shown
    assert elapsed < 60


def test_review_an_extraction_notebook(notebooks: Path) -> None:
    nb, _ = execute(notebooks / "02-review-an-extraction.ipynb")
    shown = text_of(nb)
    assert "2 cell(s) are below 80% confidence" in shown
    assert "L1  TFR HARBOUR PENSION PLAN SUB0141" in shown and "{'account_code': 0.3}" in shown
    assert "sent: correct with 2 corrections" in shown
    assert "committed - 7 lines committed - reviewed by ana@acme.example" in shown
    assert "L3.account_code: 9999 -> 2100" in shown
    # The checks as they ended: the runbook's own, then its quality checks.
    assert "! lines in suspense (9999): L1, L3; choose their accounts" in shown
    assert (
        "✓ Closing = opening + movements: opening 1,250,000.00 + movements -892,944.45 = "
        "closing 357,055.55" in shown
    )
    assert "✓ No duplicate references: no duplicate reference" in shown
    # The audit copy, read back with storage, is in the notebook's own artifacts folder.
    audit = "audit/document-ingest/acme-fund/2026-01/bank_statement.json"
    assert f"{audit} approved by ana@acme.example" in shown
    assert (notebooks / ".ntro" / "review-demo" / "artifacts" / audit).is_file()
    assert_saved_record(nb)


def saved_records(nb: nbformat.NotebookNode) -> list[dict]:
    """The outputs that hold a run's record (the live views' outputs, as saved)."""
    return [
        output["data"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if RECORD_MIME in output.get("data", {})
    ]


def assert_saved_record(nb: nbformat.NotebookNode) -> str:
    """The saved notebook, and the HTML made from it, show the run as the kernel last saw it:
    every step done, the decision with its reviewer and corrections, the outcome. Returns the
    HTML."""
    (record,) = saved_records(nb)
    assert WIDGET_MIME not in record  # no widget left that would need the kernel
    state = record[RECORD_MIME]["state"]
    assert state["status"] == "completed"
    assert {step["status"] for step in state["steps"]} == {"completed"}
    page, _ = HTMLExporter().from_notebook_node(nb)
    text = html.unescape(page)
    for shown in (
        "Review extraction",
        "Commit to ledger",
        "ana@acme.example approved with corrections on Review extraction",
        "ana@acme.example corrected account_code of L1: 9999 → 3100",
        "completed",
    ):
        assert shown in text
    return page


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return int(probe.getsockname()[1])


def test_live_temporal_notebook_survives_a_kernel_restart(
    notebooks: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NTRO_DEV_PORT", str(free_port()))
    monkeypatch.setenv("NTRO_DEV_UI_PORT", str(free_port()))
    monkeypatch.delenv("NTRO_DEV_DB", raising=False)  # else the notebook uses that server
    monkeypatch.setenv("NTRO_HOME", str(notebooks / ".ntro" / "home"))  # servers ntro started
    db = notebooks / ".ntro" / "live-demo" / "temporal.db"
    server = DevServer(
        db, port=int(os.environ["NTRO_DEV_PORT"]), ui_port=int(os.environ["NTRO_DEV_UI_PORT"])
    )
    try:
        nb, _ = execute(notebooks / "03-live-temporal.ipynb", timeout=180)
        # The kernel has stopped: the server it started stopped with it.
        deadline = time.monotonic() + 15
        while server.status().running and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not server.status().running
        assert running_servers() == []
    finally:
        server.stop()
    shown = text_of(nb)
    run_id = (db.parent / "last-run.txt").read_text()
    assert "Temporal dev server running at" in shown
    assert run_id in shown  # %ntro ls --pending after the restart lists the waiting run
    assert "flagged: ['L3']" in shown
    assert "committed - 7 lines committed - reviewed by ana@acme.example" in shown
    assert f"/namespaces/default/workflows/{run_id}" in shown


def test_month_end_close_notebook(notebooks: Path) -> None:
    nb, _ = execute(notebooks / "04-month-end-close.ipynb")
    shown = text_of(nb)
    assert "J-MGMT-FEE   Management fee 2026-01: 1.5% a year on NAV 49,400,000.00" in shown
    assert "Net asset value                 49683305.55      49400000.00" in shown
    assert (
        "signed_off - NAV 49,683,305.55 USD signed off by ana@acme.example on behalf of Dana Cho, CFO"
        in shown
    )
    # Read back from the data plane by the notebook itself: the NAV February's close will read.
    assert (
        "ledgers.navs 2026-01: NAV 49683305.55 signed off by ana@acme.example on behalf of "
        "Dana Cho, CFO" in shown
    )
    assert "ledgers.periods 2026-01: closed, closed by ana@acme.example" in shown
    records = saved_records(nb)  # every live view saved as its run's record, each run closed
    assert records and all(WIDGET_MIME not in record for record in records)
    assert {record[RECORD_MIME]["state"]["status"] for record in records} == {"completed"}


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local Temporal dev server, as `make demo` starts one; yields its address."""
    server = DevServer(
        tmp_path_factory.mktemp("dev") / "temporal.db", port=free_port(), headless=True
    )
    status = server.start()
    try:
        yield status.address
    finally:
        server.stop()


@pytest.mark.parametrize("name", ["02-review-an-extraction.ipynb", "04-month-end-close.ipynb"])
def test_review_notebooks_on_the_cluster_temporal_host_names(
    notebooks: Path,
    monkeypatch: pytest.MonkeyPatch,
    dev_server: str,
    name: str,
) -> None:
    """What `make demo` does: the notebook's runs go to the cluster, where the inbox sees them."""
    monkeypatch.setenv("TEMPORAL_HOST", dev_server)
    nb, _ = execute(notebooks / name, timeout=180)
    shown = text_of(nb)
    assert f"Connected to cluster {dev_server}" in shown
    assert (
        "signed_off - NAV 49,683,305.55 USD"
        if name.startswith("04")
        else "committed - 7 lines committed"
    ) in shown
