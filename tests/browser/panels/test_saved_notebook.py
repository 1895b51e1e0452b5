"""The review notebook executed headless (nbclient, as a scheduled close runs it), converted to
HTML with nbconvert, and opened in Chromium with no kernel and no network: the page shows the
run as the kernel last saw it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nbconvert import HTMLExporter

from tests._chromium import SCREENSHOTS
from tests.examples.conftest import NOTEBOOKS
from tests.examples.test_notebooks import execute, saved_records

try:
    from playwright.sync_api import Browser
except ImportError:  # pragma: no cover - the dev extra is not installed; tests are skipped
    pass


@pytest.mark.slow
def test_the_saved_review_notebook_shows_the_run_in_chromium(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ntro", ".ipynb_checkpoints"))
    monkeypatch.setenv("NTRO_REVIEWER", "ci-reviewer@acme.example")
    monkeypatch.delenv("TEMPORAL_HOST", raising=False)
    nb, _ = execute(copy / "02-review-an-extraction.ipynb")
    assert len(saved_records(nb)) == 1
    page_html, _ = HTMLExporter().from_notebook_node(nb)
    saved = tmp_path / "review.html"
    saved.write_text(page_html)

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    outside: list[str] = []

    def local_only(route) -> None:  # noqa: ANN001 - the file alone, as when it is mailed
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(saved.as_uri())
    record = page.locator(".ntro-static").first
    record.scroll_into_view_if_needed()
    for text in ("Review extraction", "Commit to ledger"):
        step = record.locator(".ntro-step-done .ntro-step-title", has_text=text)
        assert step.is_visible()
    decision = record.locator(".ntro-history li", has_text="approved with corrections")
    assert decision.is_visible()
    assert "ana@acme.example" in decision.inner_text()
    assert record.locator(".ntro-history li", has_text="L3: 9999 → 2100").is_visible()
    assert page.locator(".ntro-live-status", has_text="completed").is_visible()
    assert (
        record.locator("ol.ntro-trail > li.ntro-step").first.evaluate(
            "li => getComputedStyle(li).listStyleType"
        )
        == "none"
    )  # nbconvert's page styles do not number the breadcrumb
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    record.screenshot(path=str(SCREENSHOTS / "saved_review_notebook.png"))
    page.close()
