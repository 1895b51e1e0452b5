"""A widget's ES module in a plain HTML page, driven by a tiny stand-in for the widget model.

Why: the front ends are tested and benchmarked in headless Chromium without a Jupyter
server. The page imports the same ``static/*.js`` module anywidget loads, gives it a model
with ``get``/``set``/``on``/``off``/``send``, and records what the module sends in
``window.__sent`` (or hands it to ``window.__onSend`` when a test connects it to Python).
"""

from __future__ import annotations

import json
from typing import Any

from ntro_jupyter.widgets._assets import STATIC, css_source, esm_source

__all__ = ["STATIC", "esm_source", "standalone_page"]


def _script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` or ``<!--`` can close it)."""
    return (
        json.dumps(data, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def standalone_page(
    module: str, traits: dict[str, Any], *, width: int = 1100, title: str = "ntro"
) -> str:
    """HTML that renders ``static/<module>`` with ``traits`` as the model's values.

    The module is imported from ``./<module>`` relative to the page; serve
    :func:`esm_source` there (Playwright's ``page.route`` does this in tests, with no network).
    """
    css = css_source()
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>{css}</style>
<style>body {{ margin: 16px; background: #fff; }} #root {{ max-width: {int(width)}px; }}</style>
</head><body>
<div id="root"></div>
<script type="application/json" id="ntro-data">{_script_json(traits)}</script>
<script type="module">
  const started = performance.now();
  window.__started = started;
  const data = JSON.parse(document.getElementById("ntro-data").textContent);
  const listeners = {{}};
  window.__sent = [];
  const model = {{
    get: (key) => data[key],
    set: (key, value) => {{ data[key] = value; for (const cb of listeners["change:" + key] || []) cb(); }},
    on: (event, cb) => {{ (listeners[event] ||= []).push(cb); }},
    off: (event, cb) => {{ listeners[event] = (listeners[event] || []).filter((f) => f !== cb); }},
    save_changes: () => {{}},
    send: (message, callbacks, buffers) => {{
      window.__sent.push(message);
      if (window.__onSend) window.__onSend(message, buffers || []);
    }},
  }};
  window.__model = model;
  const mod = await import("./{module}");
  const renderStart = performance.now();
  mod.default.render({{ model, el: document.getElementById("root") }});
  window.__renderMs = performance.now() - renderStart;
  window.__parseMs = renderStart - started;
  window.__ready = true;
</script>
</body></html>
"""
