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


def mark_browser_tests(folder: Path, items: list[pytest.Item]) -> None:
    """Mark the tests under ``folder`` ``browser``, and skip them when Chromium is missing."""
    reason = None
    if sync_playwright is None:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    for item in items:
        if Path(str(item.fspath)).is_relative_to(folder):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


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
