"""The accountant's review pass in Chromium (issue 18): the figures to check stay in view at
1,280 px, amounts are typed exactly, why a cell is flagged can be read without hovering and
reached by keyboard, and flagged cells keep their contrast in JupyterLab's dark theme.

The panels are notebook 02's bank review and notebook 04's journals and NAV, built by the
runbooks' own functions (tests/jupyter/review_states.py). Each is drawn at the width a
notebook's output area has in a 1,280 px JupyterLab with the file browser open, in the light
and dark themes; screenshots go to artifacts/review-pass/.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ntro_jupyter.viewmodels import panel_for_state
from ntro_jupyter.widgets import DataTableWidget, IntentSink, panel_widget_for
from ntro_jupyter.widgets._assets import esm_source
from ntro_jupyter.widgets._standalone import standalone_page
from tests.browser.panels.conftest import ORIGIN, traits_of
from tests.jupyter import review_states

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - the dev extra is not installed; tests are skipped
    pass

REPO = Path(__file__).resolve().parents[3]
SHOTS = REPO / "artifacts" / "review-pass"
LAB_THEMES = REPO / ".venv" / "share" / "jupyter" / "lab" / "themes" / "@jupyterlab"
SCREEN = 1280
OUTPUT_WIDTH = 880
"""A notebook's output area in a 1,280 px JupyterLab with the file browser open."""

CONTRAST = """(el) => {
  const parse = (text) => {
    const m = text.match(/[\\d.]+/g).map(Number);
    const srgb = text.startsWith("color(");
    const [r, g, b] = srgb ? m.slice(0, 3).map((v) => v * 255) : m.slice(0, 3);
    const a = m.length > 3 ? m[3] : 1;
    return [r, g, b, a];
  };
  // the first opaque background behind the element
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c[3] > 0.99) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255, 1];
  const fgRaw = parse(getComputedStyle(el).color);
  const fg = [0, 1, 2].map((i) => fgRaw[i] * fgRaw[3] + bg[i] * (1 - fgRaw[3]));
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}"""


def _theme_css(theme: str) -> str:
    if theme == "light":
        return ""
    path = LAB_THEMES / "theme-dark-extension" / "index.css"
    if not path.exists():
        pytest.skip(f"JupyterLab's dark theme is not installed ({path})")
    css = path.read_text()
    return f"{css}\nbody {{ background: var(--jp-layout-color1) !important; }}"


@pytest.fixture
def show(browser: Browser) -> Iterator[Any]:
    """``show(widget, theme, connect=False)``: the widget drawn at notebook width in a 1,280 px
    window, in JupyterLab's light or dark theme; clicks and keys reach Python when connected."""
    pages: list[Page] = []

    def _show(widget: Any, theme: str = "light", connect: bool = False) -> Page:
        module = "datatable.js" if isinstance(widget, DataTableWidget) else "panels.js"
        traits = traits_of(widget)
        html = standalone_page(module, traits, width=OUTPUT_WIDTH)
        html = html.replace("</head>", f"<style>{_theme_css(theme)}</style></head>")
        page = browser.new_page(viewport={"width": SCREEN, "height": 1000})
        pages.append(page)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route(
            f"{ORIGIN}/**",
            lambda route: route.fulfill(
                body=html if route.request.url.endswith("index.html") else esm_source(module),
                content_type="text/html"
                if route.request.url.endswith("index.html")
                else "text/javascript",
            ),
        )
        page.route(lambda url: not url.startswith(ORIGIN), lambda route: route.abort())
        if connect:
            last = {k: json.dumps(v, sort_keys=True) for k, v in traits.items()}

            def to_python(message: str, buffers: list[str]) -> str:
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
        if connect:
            page.evaluate("""() => {
              window.__onSend = async (message) => {
                const reply = JSON.parse(await window.__pySend(JSON.stringify(message), []));
                for (const [k, v] of Object.entries(reply)) window.__model.set(k, v);
                window.__replies = (window.__replies || 0) + 1;
              };
            }""")
        page.errors = errors  # type: ignore[attr-defined]
        return page

    yield _show
    for page in pages:
        page.close()


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.locator("#root").screenshot(path=str(path))
    return path


def bank(sink: IntentSink | None = None) -> DataTableWidget:
    model = panel_for_state(review_states.bank_review(), reviewer="ana@acme.example")
    widget = panel_widget_for(model)
    assert isinstance(widget, DataTableWidget)
    if sink is not None:
        widget._init_host(model, sink)
    return widget


def header(page: Page, label: str) -> Any:
    return page.locator(
        ".ntro-dt-head > .ntro-dt-cell", has_text=re.compile(f"^{re.escape(label)}")
    )


def inside(page: Page, locator: Any) -> bool:
    """Whether ``locator`` is drawn wholly inside the grid's visible box."""
    box = locator.bounding_box()
    view = page.locator(".ntro-dt-viewport").bounding_box()
    return box["x"] >= view["x"] - 1 and box["x"] + box["width"] <= view["x"] + view["width"] + 1


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_bank_review_keeps_amount_dr_cr_and_totals_in_view(show, theme: str) -> None:  # noqa: ANN001
    page = show(bank(), theme)
    for label in ("Amount (USD)", "Dr/Cr"):
        assert inside(page, header(page, label)), f"{label} is not in view"
    page.locator(".ntro-dt-viewport").evaluate("v => { v.scrollLeft = v.scrollWidth; }")
    page.wait_for_timeout(50)
    for label in ("Amount (USD)", "Dr/Cr"):  # pinned: still beside the line after scrolling
        assert inside(page, header(page, label)), f"{label} scrolled out of view"
    totals = page.locator(".ntro-dt-total")
    assert totals.count() == 2
    assert totals.nth(0).inner_text().split("\n")[:3] == ["Total DR", "290,740.55", "DR"]
    assert totals.nth(1).inner_text().split("\n")[:3] == ["Total CR", "1,183,685.00", "CR"]
    assert inside(page, totals.nth(0).locator(".ntro-pinned").first)
    # the runbook's own checks come first, then its quality checks with their figures, above
    # the table
    first = page.locator(".ntro-rule").first.inner_text()
    assert "every line has a date" in first
    reconciles = page.locator(".ntro-rule", has_text="opening 1,250,000.00")
    assert (
        reconciles.inner_text()
        .strip()
        .startswith(
            "Closing = opening + movements: opening 1,250,000.00 + movements -892,944.45 = "
            "closing 357,055.55"
        )
    )
    grid_top = page.locator(".ntro-dt-viewport").bounding_box()["y"]
    assert reconciles.bounding_box()["y"] < grid_top
    rules = page.locator(".ntro-dt-rules").inner_text()
    assert "Dr/Cr is DR or CR on every line" in rules and "dr_cr" not in rules
    assert "DR is money into the bank account" in page.locator(".ntro-books").inner_text()
    # the description shrinks (ellipsis) and keeps its full text in the title
    description = page.locator(".ntro-dt-body .ntro-dt-cell[data-col='1']").first
    assert description.get_attribute("title").startswith("TFR HARBOUR PENSION PLAN")
    assert page.errors == []
    page.locator(".ntro-dt-viewport").evaluate("v => { v.scrollLeft = 0; }")
    shot(page, f"bank_review_{theme}")


def test_the_document_tab_formats_every_number(show) -> None:  # noqa: ANN001
    page = show(bank())
    page.locator(".ntro-tab", has_text="Document").click()
    text = page.locator(".ntro-dt-body").inner_text()
    assert "USD 1,250,000.00" in text and "USD 357,055.55" in text
    assert "1250000.00" not in text
    iban = page.locator(".ntro-dt-body .ntro-dt-cell", has_text="GB29")
    assert iban.evaluate("el => el.scrollWidth <= el.clientWidth")  # not cut
    shot(page, "bank_review_document_tab")


def test_why_a_cell_is_flagged_is_written_out_and_reached_by_keyboard(show) -> None:  # noqa: ANN001
    rows: list[dict] = []
    widget = bank(IntentSink(on_row_action=rows.append))
    page = show(widget, connect=True)
    flags = page.locator(".ntro-dt-flags").inner_text()
    assert "L1 · Account: read with 30% confidence" in flags  # visible, no hovering
    # a row-level score does not colour every cell
    assert (
        page.locator(".ntro-dt-body .ntro-low").count()
        <= page.locator(".ntro-dt-body .ntro-dt-row").count()
    )
    page.locator(".ntro-dt-flags button", has_text="L1 · Account").press("Enter")
    info = page.locator(".ntro-dt-info")
    assert "L1 · Account: read with 30% confidence" in info.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('ntro-dt-viewport')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert info.inner_text().startswith("L3 · Account: read with 30% confidence")
    # flagged only
    all_rows = page.locator(".ntro-dt-body .ntro-dt-row").count()
    page.get_by_label(re.compile("Flagged only")).check()
    flagged = page.locator(".ntro-dt-body .ntro-dt-row")
    assert 0 < flagged.count() < all_rows
    assert [flagged.nth(i).get_attribute("data-row") for i in range(flagged.count())] == ["0", "2"]
    # reject the active line from the keyboard
    page.locator(".ntro-dt-viewport").focus()
    page.keyboard.press("Control+Delete")
    page.wait_for_function("window.__replies >= 1")
    assert rows[-1]["payload"] == {"action": "reject_row", "row_id": "L1"}
    assert "Rejected lines (1)" in page.locator(".ntro-dt-rejected").text_content()
    assert "L1" in page.locator(".ntro-dt-rejected").inner_text()
    button = page.locator("button[data-reject-active]")
    page.keyboard.press("ArrowDown")
    assert button.inner_text().strip() == "Reject line L3"
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("window.__replies >= 2")
    assert rows[-1]["payload"] == {"action": "reject_row", "row_id": "L3"}
    assert page.errors == []


def test_amounts_are_typed_exactly_through_the_page(show) -> None:  # noqa: ANN001
    widget = bank(IntentSink())
    page = show(widget, connect=True)
    amount = page.locator(".ntro-dt-body .ntro-dt-cell[data-pos='0'][data-col='5']")
    amount.click()
    page.keyboard.press("Enter")
    editor = page.locator(".ntro-dt-input")
    assert editor.input_value() == "247000.00"  # the bare number, not "USD 247,000.00"
    editor.fill("USD 247,000.50")
    editor.press("Enter")
    page.wait_for_function("window.__replies >= 1")
    assert widget.model.corrections()[-1]["new_value"] == "247000.50"
    assert "247,000.50" in amount.inner_text()
    expected = {
        "1.234,56": "type 1234.56",
        "€12": "is in EUR, but this column is in USD",
        "12.345": "USD amounts have 2 decimals",
    }
    for n, (typed, message) in enumerate(expected.items(), start=2):
        amount.click()
        page.keyboard.press("Enter")
        page.locator(".ntro-dt-input").fill(typed)
        page.locator(".ntro-dt-input").press("Enter")
        page.wait_for_function(f"window.__replies >= {n}")
        assert message in page.locator(".ntro-banner-warn").inner_text(), typed
        assert page.locator("button[data-action='approve']").is_disabled()
    assert page.errors == []


def test_a_corrected_account_code_shows_its_name_as_it_is_typed(show) -> None:  # noqa: ANN001
    widget = bank(IntentSink())
    page = show(widget, connect=True)
    page.locator(".ntro-dt-body .ntro-dt-cell[data-pos='0'][data-col='3']").dblclick()
    page.keyboard.press("Control+a")
    page.keyboard.type("3100")
    assert "3100 → Subscriptions" in page.locator(".ntro-dt-info").inner_text()
    page.keyboard.type("9")
    assert "31009 is not in the chart of accounts" in page.locator(".ntro-dt-info").inner_text()
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__replies >= 1")
    name = page.locator(".ntro-dt-body .ntro-dt-cell[data-pos='0'][data-col='4']")
    assert name.locator(".ntro-new").inner_text() == "Subscriptions"
    assert name.locator(".ntro-old").inner_text() == "Suspense"
    shot(page, "bank_review_corrected")


def test_journals_share_column_widths_and_show_the_credit_whole(show) -> None:  # noqa: ANN001
    widget = panel_widget_for(
        panel_for_state(review_states.journal_review(), reviewer="ana@acme.example")
    )
    for theme in ("light", "dark"):
        page = show(widget, theme)
        tables = page.locator("table.ntro-journal")
        assert tables.count() == 4
        lefts = {
            round(tables.nth(i).locator("thead th").nth(3).bounding_box()["x"]) for i in range(4)
        }
        assert len(lefts) == 1  # the Credit column lines up in every journal
        assert tables.first.locator("thead th").nth(3).inner_text() == "Credit (USD)"
        for cell in page.locator("table.ntro-journal td.ntro-num").all():
            assert cell.evaluate("el => el.scrollWidth <= el.clientWidth"), cell.inner_text()
        assert "41,166.67" in page.locator("#root").inner_text()
        shot(page, f"journals_{theme}")


def test_nav_figures_keep_their_precision_and_units(show) -> None:  # noqa: ANN001
    widget = panel_widget_for(
        panel_for_state(review_states.nav_signoff(), reviewer="ana@acme.example")
    )
    for theme in ("light", "dark"):
        page = show(widget, theme)
        per_unit = page.locator("tr", has_text="NAV per unit").inner_text()
        assert "123.8985" in per_unit and "123.90" not in per_unit
        assert "401,000.000 units" in page.locator("tr", has_text="Units in issue").inner_text()
        shot(page, f"nav_{theme}")


DARK_FLAGGED = [
    ("bank", ".ntro-dt-body .ntro-dt-cell.ntro-low"),
    ("bank", ".ntro-dt-body .ntro-chip"),
    ("journal", ".ntro-totals.ntro-fail"),
    ("journal", ".ntro-badge.ntro-tone-bad"),
    ("nav", ".ntro-row-outside td"),
    ("nav", ".ntro-badge.ntro-tone-bad"),
]


@pytest.mark.parametrize(("panel", "selector"), DARK_FLAGGED)
def test_flagged_cells_keep_their_contrast_in_the_dark_theme(
    show, panel: str, selector: str
) -> None:  # noqa: ANN001
    state = {
        "bank": review_states.bank_review,
        "journal": lambda: review_states.journal_review(balanced=False),
        "nav": review_states.nav_signoff,
    }[panel]()
    page = show(panel_widget_for(panel_for_state(state, reviewer="ana")), "dark")
    found = page.locator(selector)
    assert found.count() > 0, selector
    page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert page_bg == "rgb(33, 33, 33)"  # JupyterLab's dark layout colour is in force
    for element in found.all()[:6]:
        ratio = element.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{selector} {element.inner_text()!r}: contrast {ratio:.2f}"
        background = element.evaluate("el => getComputedStyle(el).backgroundColor")
        assert "255, 2" not in background  # no pale hard-coded tint left behind
    if panel == "journal":
        shot(page, "journals_unbalanced_dark")


def test_holdings_keep_market_value_in_view_with_totals_per_currency(show) -> None:  # noqa: ANN001
    from tests.jupyter import states

    page = show(panel_widget_for(panel_for_state(states.data_table(), reviewer="ana")))
    page.locator(".ntro-dt-viewport").evaluate("v => { v.scrollLeft = v.scrollWidth; }")
    assert inside(page, header(page, "Market value"))
    totals = [t.split("\n") for t in page.locator(".ntro-dt-total").all_inner_texts()]
    assert [t[0] for t in totals] == ["Total GBP", "Total USD"]
    assert "GBP 16,530.00" in totals[0] and "USD 101,250.00" in totals[1]
    # why H2 is flagged is written out, not only in a tooltip
    assert "H2 · Price: price older than 5 days" in page.locator(".ntro-dt-flags").inner_text()
    page.locator(".ntro-dt-viewport").evaluate("v => { v.scrollLeft = 0; }")
    shot(page, "holdings")
