"""DATA_TABLE benchmark: a 10,000-row x 8-column review table in headless Chromium.

Run: ``python bench/datatable_bench.py [--rows 10000] [--runs 7]`` (needs Debian's
/usr/bin/chromium and the ``playwright`` package; no browser is downloaded).

Measures, for the real widget front end (``static/datatable.js`` fed exactly what the widget
syncs) and for a named baseline measured in the same run (``full-table``: the same display
text rendered as one plain ``<table>`` with every row in the DOM):

- open time: navigation start until the first frame after rendering (median of runs),
- rows in the DOM after opening and after scrolling to the end,
- scroll frame: time to draw the rows after jumping to the middle of the table,
- payload: bytes of the JSON the widget sends to the front end (and gzip, for scale),
- Python: time to build the view-model and its table view.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ntro_jupyter.viewmodels import panel_for_state  # noqa: E402
from ntro_jupyter.widgets import standalone_page  # noqa: E402
from ntro_jupyter.widgets._assets import esm_source  # noqa: E402
from ntro_jupyter.widgets._standalone import _script_json  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ORIGIN = "http://bench.ntro"

OPENED = """new Promise((resolve) => {
  const wait = () => window.__ready
    ? requestAnimationFrame(() => { const now = performance.now(); resolve([now, now - window.__started]); })
    : setTimeout(wait, 1);
  wait();
})"""


def rows(count: int) -> list[dict]:
    """``count`` ledger lines with 8 visible columns (plus an id and a confidence score)."""
    return [
        {
            "line_item_id": f"R{n:05d}",
            "date": f"2024-03-{(n % 28) + 1:02d}",
            "account": f"{4000 + n % 97}",
            "counterparty": f"Counterparty {n % 311}",
            "description": f"Line {n} payment ref {n * 7919 % 100000}",
            "amount": round((n * 37.31) % 10000 - 5000, 2),
            "currency": "USD" if n % 3 else "EUR",
            "dr_cr": "DR" if n % 2 else "CR",
            "reconciled": n % 5 != 0,
            "confidence": round(0.5 + (n * 13 % 50) / 100, 2),
        }
        for n in range(count)
    ]


def state(count: int) -> dict:
    return {
        "workflow_id": "bench",
        "steps": [],
        "pending_action": {
            "kind": "interactive_review",
            "gate_id": "g",
            "step_id": "s",
            "display_hint": {
                "component": "DATA_TABLE",
                "config": {"title": "Ledger lines", "allow_corrections": True},
            },
            "payload": {"lines": rows(count)},
        },
    }


def baseline_page(table: dict) -> str:
    """The named baseline: every row as a plain <table> (what a naive widget would draw)."""
    ds = table["datasets"][0]
    data = {
        "columns": [c["label"] for c in ds["columns"]],
        "ids": ds["row_ids"],
        "cells": ds["cells"],
    }
    return f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="root"></div>
<script type="application/json" id="data">{_script_json(data)}</script>
<script type="module">
  const t = performance.now();
  window.__started = t;
  const d = JSON.parse(document.getElementById("data").textContent);
  window.__t0 = performance.now();
  window.__parseMs = window.__t0 - t;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const label of ["Line", ...d.columns]) {{ const th = document.createElement("th"); th.textContent = label; head.append(th); }}
  const body = table.createTBody();
  d.cells.forEach((cells, r) => {{
    const tr = body.insertRow();
    tr.insertCell().textContent = d.ids[r];
    for (const text of cells) tr.insertCell().textContent = text;
  }});
  document.getElementById("root").append(table);
  window.__renderMs = performance.now() - window.__t0;
  window.__ready = true;
</script></body></html>"""


def measure(browser, html: str, virtual: bool, last_id: str) -> dict:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def serve(route) -> None:  # noqa: ANN001
        name = route.request.url.rsplit("/", 1)[-1]
        if name == "index.html":
            route.fulfill(body=html, content_type="text/html")
        else:
            route.fulfill(body=esm_source(name), content_type="text/javascript")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/index.html")
    page_load, opened = page.evaluate(OPENED)
    render_ms = page.evaluate("window.__renderMs || 0")
    parse_ms = page.evaluate("window.__parseMs || 0")
    row_selector = ".ntro-dt-body .ntro-dt-row" if virtual else "tbody tr"
    dom_rows = page.locator(row_selector).count()
    if virtual:
        scroll_ms = page.evaluate("""() => new Promise((resolve) => {
          const v = document.querySelector(".ntro-dt-viewport");
          const t0 = performance.now();
          v.scrollTop = v.scrollHeight / 2;
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
        })""")
        page.evaluate(
            "() => { const v = document.querySelector('.ntro-dt-viewport'); v.scrollTop = v.scrollHeight; }"
        )
        page.wait_for_function(
            f"document.querySelector('.ntro-dt-body').textContent.includes('{last_id}')"
        )
        last_visible = page.evaluate(
            "document.querySelector('.ntro-dt-body').lastElementChild.getAttribute('data-row')"
        )
        dom_rows_end = page.locator(row_selector).count()
    else:
        scroll_ms = page.evaluate("""() => new Promise((resolve) => {
          const t0 = performance.now();
          window.scrollTo(0, document.body.scrollHeight / 2);
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
        })""")
        last_visible = None
        dom_rows_end = dom_rows
    page.close()
    return {
        "open_ms": opened,
        "page_ms": page_load,
        "render_ms": render_ms,
        "parse_ms": parse_ms,
        "dom_rows": dom_rows,
        "dom_rows_end": dom_rows_end,
        "scroll_ms": scroll_ms,
        "last_row": last_visible,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 2

    build = []
    for _ in range(3):
        started = time.perf_counter()
        model = panel_for_state(state(args.rows), reviewer="bench")
        table = model.table_view()
        view = model.to_view()
        build.append((time.perf_counter() - started) * 1000)
    columns = len(table["datasets"][0]["columns"])
    synced = json.dumps({"table": table, "state": view}, separators=(",", ":")).encode()
    widget_html = standalone_page("datatable.js", {"table": table, "state": view})
    plain_html = baseline_page(table)

    results: dict[str, list[dict]] = {"widget": [], "full-table": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        last_id = f"R{args.rows - 1:05d}"
        measure(browser, widget_html, True, last_id)  # warm-up: module compile caches, fonts
        measure(browser, plain_html, False, last_id)
        for _ in range(args.runs):
            results["widget"].append(measure(browser, widget_html, True, last_id))
            results["full-table"].append(measure(browser, plain_html, False, last_id))
        browser.close()

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    print(
        f"DATA_TABLE benchmark: {args.rows:,} rows x {columns} columns, median of {args.runs} runs "
        f"(headless Chromium {CHROMIUM})"
    )
    print(
        f"  payload synced to the front end : {len(synced):,} bytes JSON "
        f"({len(gzip.compress(synced)):,} gzipped)"
    )
    print(f"  Python view-model + table view : {statistics.median(build):.0f} ms")
    print(
        f"  {'':12} {'open (ms)':>10} {'parse+import':>13} {'render (ms)':>12} {'DOM rows':>9} "
        f"{'after scroll':>13} {'scroll frame (ms)':>18} {'page load (ms)':>15}"
    )
    for name in ("widget", "full-table"):
        print(
            f"  {name:12} {med(name, 'open_ms'):10.0f} {med(name, 'parse_ms'):13.0f} "
            f"{med(name, 'render_ms'):12.1f} {med(name, 'dom_rows'):9.0f} "
            f"{med(name, 'dom_rows_end'):13.0f} {med(name, 'scroll_ms'):18.1f} {med(name, 'page_ms'):15.0f}"
        )
    print(
        "  open = the synced state is in the page -> rows on screen (JSON.parse, module import, "
        "render, first frame);\n  page load = navigation start -> same frame (adds moving the "
        "page through Playwright's route, a harness cost a notebook does not pay)"
    )
    ratio = med("full-table", "open_ms") / max(med("widget", "open_ms"), 0.001)
    print(
        f"  widget opens {ratio:.1f}x faster than the full-table baseline; "
        f"last row drawn after scrolling to the end: R{int(results['widget'][-1]['last_row']):05d}"
    )
    target = 300
    verdict = "meets" if med("widget", "open_ms") < target else "MISSES"
    print(f"  target: open < {target} ms -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
