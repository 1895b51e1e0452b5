"""Debian's Chromium for the browser tests (never a downloaded browser), shared by every
browser suite: where it is, its headless flags, skipping cleanly without it, launching it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("NTRO_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra is not installed
    sync_playwright = None  # type: ignore[assignment]


class _SkipNotice:
    """Says once, at the end of the run, why the browser tests were skipped and how to run them."""

    name = "ntro-browser-skip-notice"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        count = sum(
            1
            for report in terminalreporter.stats.get("skipped", [])
            if self.reason in str(getattr(report, "longrepr", ""))
        )
        if not count:
            return
        terminalreporter.write_sep("-", "browser tests skipped")
        terminalreporter.write_line(
            f"{count} browser test(s) skipped: {self.reason}. Install Chromium with "
            f"`apt-get install -y chromium` (Debian; or set NTRO_CHROMIUM to a Chromium binary) "
            f"and run them with `.venv/bin/pytest -m browser`."
        )


def mark_browser_tests(folder: Path, items: list[pytest.Item]) -> None:
    """Mark the tests under ``folder`` ``browser``, and skip them when Chromium is missing
    (saying so once at the end of the run, with the command that installs it)."""
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing"
    mine = [item for item in items if Path(str(item.fspath)).is_relative_to(folder)]
    for item in mine:
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
    if reason and mine:
        plugins = mine[0].config.pluginmanager
        if plugins.get_plugin(_SkipNotice.name) is None:
            plugins.register(_SkipNotice(reason), _SkipNotice.name)


def launched_chromium() -> Iterator[Any]:
    """A headless Chromium for one test module.

    Module scope, not session: playwright's sync API keeps an event loop running on the main
    thread while it is open, and pytest-asyncio tests in later modules cannot start theirs.
    """
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield browser
        browser.close()
