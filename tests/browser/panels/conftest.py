"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) for the widget
front ends. Each widget's ES module is rendered in a plain page with a stand-in model; a test
can connect that model to the real Python widget so clicks and keys go through Python."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._chromium import SCREENSHOTS, launched_chromium, mark_browser_tests

ORIGIN = "http://ntro.test"
REPO = Path(__file__).resolve().parents[3]
JUPYTER = Path(sys.executable).parent / "jupyter"
KERNEL_IDLE = """(() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.status === "idle";
})()"""
RUN_CELL = """(index) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  notebook.activeCellIndex = index;
  return window.jupyterapp.commands.execute("notebook:run-cell");
}"""

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - the dev extra is not installed; tests are skipped
    pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_browser_tests(Path(__file__).parent, items)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


class Rendered:
    """A page showing one widget front end, optionally wired to its Python widget."""

    def __init__(self, page: Page, widget: Any = None) -> None:
        self.page = page
        self.widget = widget
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sent(self) -> list[dict[str, Any]]:
        return self.page.evaluate("window.__sent")


def traits_of(widget: Any) -> dict[str, Any]:
    return {
        name: getattr(widget, name) for name in ("table", "state", "view") if widget.has_trait(name)
    }


@pytest.fixture
def render(browser: Browser) -> Iterator[Any]:
    """``render(module, traits_or_widget, connect=False, width=1100, height=800)``."""
    from ntro_jupyter.widgets import standalone_page
    from ntro_jupyter.widgets._assets import esm_source

    pages: list[Page] = []

    def _render(
        module: str, source: Any, connect: bool = False, width: int = 1100, height: int = 800
    ) -> Rendered:
        widget = None if isinstance(source, dict) else source
        traits = source if isinstance(source, dict) else traits_of(source)
        html = standalone_page(module, traits, width=width - 40)
        page = browser.new_page(viewport={"width": width, "height": height})
        pages.append(page)

        def serve(route: Any) -> None:
            name = route.request.url.rsplit("/", 1)[-1]
            if name == "index.html":
                route.fulfill(body=html, content_type="text/html")
            elif name.endswith(".js"):
                route.fulfill(body=esm_source(name), content_type="text/javascript")
            else:
                route.fulfill(status=404, body="")

        page.route(f"{ORIGIN}/**", serve)
        page.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
        rendered = Rendered(page, widget)
        if connect and widget is not None:
            last = {k: json.dumps(v, sort_keys=True) for k, v in traits.items()}

            def to_python(message: str, buffers: list[str]) -> str:
                """Like the widget comm: only traits that changed travel back."""
                data = [base64.b64decode(b) for b in buffers]
                widget._on_message(widget, json.loads(message), data)
                changed = {}
                for key, value in traits_of(widget).items():
                    text = json.dumps(value, sort_keys=True)
                    if last.get(key) != text:
                        changed[key] = value
                        last[key] = text
                return json.dumps(changed)

            page.expose_function("__pySend", to_python)
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function("window.__ready === true")
        if connect and widget is not None:
            page.evaluate("""() => {
              const toB64 = (buf) => { let s = ""; const b = new Uint8Array(buf);
                for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]); return btoa(s); };
              window.__onSend = async (message, buffers) => {
                const reply = JSON.parse(await window.__pySend(JSON.stringify(message), buffers.map(toB64)));
                for (const [k, v] of Object.entries(reply)) window.__model.set(k, v);
                window.__replies = (window.__replies || 0) + 1;
              };
            }""")
        return rendered

    yield _render
    for page in pages:
        page.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def jupyter_lab(root: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A real ``jupyter lab`` serving ``root`` on a free loopback port (no token, no browser,
    no news); yields its URL and stops it after."""
    if not JUPYTER.exists():
        pytest.skip("jupyter is not installed in this environment")
    port = _free_port()
    process = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--ServerApp.disable_check_xsrf=True",
        ],
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
            "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
            **(env or {}),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
