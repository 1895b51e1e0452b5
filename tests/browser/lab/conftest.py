"""JupyterLab in headless Debian Chromium: a real ``jupyter lab`` on a free loopback port with a
token, a Temporal dev server with a worker, Playwright's sync API driving /usr/bin/chromium
(never a downloaded browser; video off). Every test here is marked ``browser`` and skipped
when Chromium or Playwright is missing. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ntro._devserver import DevServer
from tests._chromium import SCREENSHOTS, launched_chromium, mark_browser_tests
from tests.jupyter.server._support import REPO, JupyterProcess, TemporalThread, free_port
from tests.jupyter.server.runbooks import WORKFLOWS

TASK_QUEUE = "ntro-browser-tests"

try:
    from playwright.sync_api import Browser, Page
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - the dev extra is not installed; tests are skipped
    pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_browser_tests(Path(__file__).parent, items)


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = DevServer(
        tmp_path_factory.mktemp("temporal") / "temporal.db",
        port=free_port(),
        ui_port=free_port(),
        headless=True,
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def temporal(dev_server: DevServer) -> Iterator[TemporalThread]:
    """Client and worker (the test runbooks) on a background loop."""
    thread = TemporalThread(dev_server.address, TASK_QUEUE, WORKFLOWS).start()
    yield thread
    thread.stop()


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder JupyterLab serves: a copy of notebooks/ when it exists."""
    root = tmp_path_factory.mktemp("lab-root")
    notebooks = REPO / "notebooks"
    if notebooks.is_dir():
        shutil.copytree(
            notebooks,
            root / "notebooks",
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".ntro", "__pycache__"),
        )
    return root


@pytest.fixture(scope="module")
def lab(
    dev_server: DevServer, lab_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterProcess]:
    workdir = tmp_path_factory.mktemp("jupyter-lab")
    env = {
        "TEMPORAL_HOST": dev_server.address,
        "NTRO_TASK_QUEUE": TASK_QUEUE,
        # The inbox's notifications: this lab's own (none), not those of ~/.ntro.
        "NTRO_ARTIFACTS_DIR": str(workdir / "artifacts"),
    }
    with JupyterProcess(workdir, app="lab", env=env, root_dir=lab_root) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


class Lab:
    """One JupyterLab tab: helpers to run commands, wait, and save screenshots."""

    def __init__(self, page: Page, server: JupyterProcess, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str = "lab") -> Lab:
        # ?reset: start from an empty workspace, whatever an earlier test left open.
        self.page.goto(self.server.url(path + ("&" if "?" in path else "?") + "reset"))
        self.page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('ntro:open-inbox')",
            timeout=60_000,
        )
        # The restored layout would otherwise hide a panel a test opens before it lands.
        self.page.evaluate("() => window.jupyterapp.restored.then(() => true)")
        return self

    def command(self, command_id: str, args: dict[str, Any] | None = None) -> Any:
        return self.page.evaluate(
            "([id, args]) => window.jupyterapp.commands.execute(id, args).then(() => true)",
            [command_id, args or {}],
        )

    def palette(self, text: str) -> None:
        """Run a command by typing its label into the command palette.

        A notebook that is still starting can take the focus back and close the modal
        palette; then it is opened again (three tries).
        """
        for attempt in range(3):
            self.command("apputils:activate-command-palette")
            box = self.page.locator(".lm-CommandPalette-input")
            active = self.page.locator(".lm-CommandPalette-item.lm-mod-active")
            try:
                box.wait_for(state="visible", timeout=5_000)
                box.fill(text, timeout=5_000)
                active.wait_for(timeout=5_000)
                self.shot("palette")
                # The inbox's refresh can take the focus and close the palette in between.
                active.click(timeout=5_000)
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
                continue
            return

    def shot(self, step: str, locator: Any = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        (locator or self.page).screenshot(path=str(path))
        return path


@pytest.fixture
def open_lab(
    browser: Browser, lab: JupyterProcess, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """``open_lab(name)`` -> a :class:`Lab` on a fresh browser context (1400x900)."""
    contexts = []

    def make(name: str | None = None, path: str = "lab") -> Lab:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        return Lab(context.new_page(), lab, name or request.node.name).open(path)

    yield make
    for context in contexts:
        context.close()
