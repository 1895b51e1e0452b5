"""A run as static HTML: what a saved notebook shows when no kernel is running.

Why: widget views need a live kernel; a notebook opened later (or on a review site) should
still show the last breadcrumb, the open gate's panel and the decision history. Every value is
escaped here; the only markup that passes through is the report preview's, which was already
sanitised with an allow-list. Icons are inline SVG from the shipped Lucide set.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ntro_jupyter.viewmodels import (
    DataTableModel,
    PanelModel,
    breadcrumb_view,
    history_view,
    icon_svg,
    panel_for_state,
    parse_ui_state,
)
from ntro_jupyter.widgets._assets import css_source

MAX_ROWS = 50


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _badge(text: str, tone: str = "neutral") -> str:
    return f'<span class="ntro-badge ntro-tone-{_e(tone)}">{_e(text)}</span>'


def breadcrumb_html(view: dict[str, Any]) -> str:
    """The breadcrumb with icons, status and children, as escaped HTML."""
    tone = {"completed": "good", "failed": "bad"}.get(view.get("status") or "", "warn")
    parts = [
        '<div class="ntro-run-header">',
        f'<span class="ntro-run-type">{_e(view.get("workflow_type") or "Runbook")}</span>',
        f'<code class="ntro-run-id">{_e(view.get("workflow_id") or "")}</code>',
        _badge(view.get("status") or "running", tone),
        '</div><ol class="ntro-trail">',
    ]
    steps = view.get("steps", [])
    status_icons = view.get("status_icons", {})
    classes = {
        "completed": "done",
        "failed": "failed",
        "active": "active",
        "waiting_for_input": "waiting",
        "pending": "pending",
    }
    for index, step in enumerate(steps):
        css = "ntro-step ntro-step-" + classes.get(step["status"], "pending")
        if step.get("current"):
            css += " ntro-step-current"
        parts.append(
            f'<li class="{css}"><div class="ntro-step-label" title="{_e(step["title"])}: {_e(step["status_text"])}">'
            f'<span class="ntro-step-icon">{icon_svg(step["icon"], 16)}</span>'
            f'<span class="ntro-step-title">{_e(step["title"])}</span>'
            f'<span class="ntro-step-status">{icon_svg(status_icons.get(step["status"]), 12)}</span></div>'
        )
        if step.get("children"):
            parts.append('<ul class="ntro-step-children">')
            for child in step["children"]:
                parts.append(
                    f'<li class="ntro-child ntro-child-{_e(child["status"])}" title="{_e(child["workflow_id"])}">'
                    f"{icon_svg(child['status_icon'], 11)}<span>{_e(child['short'])}</span></li>"
                )
            parts.append("</ul>")
        parts.append("</li>")
        if index < len(steps) - 1:
            parts.append('<li class="ntro-sep" aria-hidden="true">›</li>')
    parts.append("</ol>")
    if view.get("error"):
        parts.append(
            f'<div class="ntro-banner ntro-banner-error">The run failed: {_e(view["error"])}</div>'
        )
    return "".join(parts)


def history_html(lines: list[dict[str, Any]]) -> str:
    """The decision history (who, what, when), escaped."""
    if not lines:
        return ""
    items = "".join(
        f'<li class="ntro-kind-{_e(line["kind"])}"><time>{_e(line["at"])}</time><span>{_e(line["text"])}</span></li>'
        for line in lines
    )
    return (
        f'<div class="ntro-history"><div class="ntro-section-title">Decision history ({len(lines)})</div>'
        f"<ol>{items}</ol></div>"
    )


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(
        f'<th class="{"ntro-num" if i in numeric else ""}">{_e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"ntro-num" if i in numeric else ""}">{_e(c)}</td>'
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="ntro-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _datatable_body(model: DataTableModel, max_rows: int) -> str:
    view = model.table_view()
    body = model.body_view()
    parts = []
    if view.get("source_fields"):
        items = "".join(
            f'<dt>{_e(f["label"])}</dt><dd class="{"ntro-low" if f["low"] else ""}">{_e(f["value"])}</dd>'
            for f in view["source_fields"]
        )
        parts.append(
            f'<div class="ntro-section-title">Source document</div><dl class="ntro-fields ntro-fields-wide">{items}</dl>'
        )
    edits = body.get("edits", {})
    for ds in view["datasets"]:
        changed = {(e[0], e[1]): e for e in edits.get(ds["key"], [])}
        numeric = {i + 1 for i, c in enumerate(ds["columns"]) if c["align"] == "right"}
        rows = []
        for r, cells in enumerate(ds["cells"][:max_rows]):
            shown = [
                changed[(r, c)][3] + " (was " + changed[(r, c)][2] + ")"
                if (r, c) in changed
                else text
                for c, text in enumerate(cells)
            ]
            status = ds["status"].get(str(r))
            rows.append([ds["row_ids"][r] + (f" · {status}" if status else ""), *shown])
        parts.append(
            f'<div class="ntro-section-title">{_e(ds["label"])} ({len(ds["cells"])} rows)</div>'
        )
        headings = [c.get("heading") or c["label"] for c in ds["columns"]]  # "Amount (USD)"
        parts.append(_table(["Line", *headings], rows, numeric))
        if len(ds["cells"]) > max_rows:
            parts.append(
                f'<div class="ntro-more">{len(ds["cells"]) - max_rows} more rows not shown in this saved view.</div>'
            )
    if body.get("corrections"):
        items = "".join(
            f"<li>{_e(c['row_id'])} · {_e(c['field'])}: {_e(c['old'])} → {_e(c['new'])}</li>"
            for c in body["corrections"]
        )
        parts.append(f'<div class="ntro-section-title">Corrections</div><ul>{items}</ul>')
    return "".join(parts)


def _journal_body(body: dict[str, Any]) -> str:
    parts = []
    for j in body["journals"]:
        parts.append(
            f'<div class="ntro-section-title">{_e(j["id"])} {_e(j["description"])} · '
            f"{'balanced' if j['balanced'] else 'out by ' + _e(j['difference'])}</div>"
        )
        rows = [
            [line["account"], line["memo"], line["debit"], line["credit"]] for line in j["lines"]
        ]
        rows.append(["Total", "", j["debit"], j["credit"]])
        parts.append(_table(["Account", "Description", "Debit", "Credit"], rows, {2, 3}))
    parts.append(
        f'<div class="ntro-totals {"ntro-ok" if body["balanced"] else "ntro-fail"}">Debits {_e(body["total_debit"])} · '
        f"Credits {_e(body['total_credit'])} · {'Balanced' if body['balanced'] else 'Imbalance ' + _e(body['difference'])}</div>"
    )
    return "".join(parts)


def _nav_body(body: dict[str, Any]) -> str:
    rows = [
        [
            f["label"],
            f["current"],
            f["prior"],
            f["movement"],
            f["movement_pct"],
            f["tolerance_pct"],
            f["status"],
        ]
        for f in body["figures"]
    ]
    unit = f" ({body['currency']})" if body.get("currency") else ""
    headers = [
        "Figure",
        f"Current{unit}",
        f"Prior{unit}",
        f"Movement{unit}",
        "Movement %",
        "Tolerance",
        "Status",
    ]
    return _table(headers, rows, {1, 2, 3, 4, 5})


def _upload_body(body: dict[str, Any]) -> str:
    parts = []
    if body.get("instructions"):
        parts.append(f"<p>{_e(body['instructions'])}</p>")
    if body.get("slots"):
        parts.append(
            _table(
                ["Document", "Status", "File"],
                [[s["label"], s["status"], s["filename"]] for s in body["slots"]],
            )
        )
    if body.get("accept"):
        parts.append(f'<div class="ntro-hint">Accepted: {_e(", ".join(body["accept"]))}</div>')
    feedback = body.get("feedback")
    if feedback:
        counts = " · ".join(f"{_e(c['label'])}: {_e(c['value'])}" for c in feedback["counts"])
        title = feedback.get("title") or ""
        parts.append(
            f'<div class="ntro-hint">{_e(title + ": " if title else "")}'
            f"{_e(feedback.get('message') or '')} {counts}</div>"
        )
    return "".join(parts)


def _summary_body(body: dict[str, Any]) -> str:
    cards = "".join(
        f'<div class="ntro-card"><div class="ntro-card-label">{_e(s["label"])}</div>'
        + (
            _badge(s["value"], s["tone"] or "neutral")
            if s["type"] == "badge"
            else f'<div class="ntro-card-{"number" if s["type"] == "number" else "text"}">{_e(s["value"])}</div>'
        )
        + "</div>"
        for s in body["sections"]
    )
    return f'<div class="ntro-cards">{cards}</div>'


def _loading_body(body: dict[str, Any]) -> str:
    parts = [f"<p>{_e(body.get('message') or 'Working…')}</p>"]
    for child in body.get("children", []):
        parts.append(f'<div class="ntro-child">{_e(child["status"])} {_e(child["id"])}</div>')
    return "".join(parts)


def _approval_body(body: dict[str, Any]) -> str:
    items = "".join(f"<dt>{_e(f['label'])}</dt><dd>{_e(f['value'])}</dd>" for f in body["fields"])
    return f'<dl class="ntro-fields ntro-fields-wide">{items}</dl>'


def _report_body(body: dict[str, Any]) -> str:
    return f'<div class="ntro-report">{body["html"]}</div>'  # sanitised by nh3


def _fallback_body(body: dict[str, Any]) -> str:
    return (
        f'<div class="ntro-hint">{_e(body.get("notice", ""))}</div>'
        f'<pre class="ntro-payload">{_e(body.get("payload", ""))}</pre>'
    )


# One drawer per panel (the table is drawn from its model, the others from the view's body).
_BODIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "JOURNAL_REVIEW": _journal_body,
    "NAV_SIGNOFF": _nav_body,
    "FILE_UPLOAD": _upload_body,
    "MULTI_FILE_UPLOAD": _upload_body,
    "SUMMARY": _summary_body,
    "LOADING": _loading_body,
    "APPROVAL_FORM": _approval_body,
    "REPORT_PREVIEW": _report_body,
}


def _panel_head(view: dict[str, Any]) -> list[str]:
    parts = [
        f'<div class="ntro-panel" data-panel="{_e(view["panel"])}"><div class="ntro-title">{_e(view["title"])}</div>'
    ]
    if view.get("reason") and view["reason"] != view["title"]:
        parts.append(f'<div class="ntro-reason">{_e(view["reason"])}</div>')
    if view["problems"]:
        items = "".join(f"<li>{_e(p)}</li>" for p in view["problems"])
        parts.append(
            f'<div class="ntro-problems"><div class="ntro-problems-title">Some of this gate could not be shown as sent:</div><ul>{items}</ul></div>'
        )
    return parts


def _panel_foot(view: dict[str, Any]) -> str:
    gate = view["gate"]
    if gate.get("decided"):
        decided = gate["decided"]
        return f'<div class="ntro-banner ntro-decided ntro-decided-{_e(decided["action"])}">{_e(decided["sentence"])}</div>'
    if not view["interactive"]:
        return ""
    deadline = view.get("deadline") or {}
    due = f'<div class="ntro-deadline">{_e(deadline["text"])}</div>' if deadline.get("text") else ""
    return (
        due
        + '<div class="ntro-waiting">Waiting for a reviewer: run the notebook to decide here.</div>'
    )


_CHECK_TONES = {"pass": "ntro-ok", "fail": "ntro-fail", "warn": "ntro-warn"}
_CHECK_MARKS = {"pass": "✓", "fail": "⚠", "warn": "⚠", "skipped": "–", "info": "·"}


def _checks_html(view: dict[str, Any]) -> str:
    """The gate's checks (its own and its ``checks_spec``), as ``renderCheck`` draws them."""
    checks = view.get("checks") or []
    if not checks:
        return ""
    summary = view.get("checks_summary")
    lines = []
    for check in checks:
        status = check.get("status") or "info"
        text = f"{check['name']}: {check['message']}" if check.get("quality") else check["message"]
        mark = (
            '<span class="ntro-spinner ntro-spinner-small" role="progressbar"></span>'
            if status == "running"
            else f'<span class="ntro-rule-mark">{_e(_CHECK_MARKS.get(status, "·"))}</span>'
        )
        lines.append(
            f'<div class="ntro-rule {_CHECK_TONES.get(status, "ntro-info")}" '
            f'data-status="{_e(status)}">{mark} <span class="ntro-rule-text">{_e(text)}</span></div>'
        )
    title = f"Checks · {summary}" if summary else "Checks"
    return f'<div class="ntro-section"><div class="ntro-section-title">{_e(title)}</div>{"".join(lines)}</div>'


def panel_html(model: PanelModel, max_rows: int = MAX_ROWS) -> str:
    """One panel, read-only, as escaped HTML."""
    view = model.to_view()
    parts = _panel_head(view)
    if isinstance(model, DataTableModel):
        parts.append(_datatable_body(model, max_rows))
    else:
        parts.append(_BODIES.get(view["panel"], _fallback_body)(view["body"]))
    parts.append(_checks_html(view))
    parts.append(_panel_foot(view))
    parts.append("</div>")
    return "".join(parts)


def render_run_html(state: Any, reviewer: str = "reviewer", max_rows: int = MAX_ROWS) -> str:
    """The whole run (breadcrumb, open gate, history) as one self-contained HTML fragment."""
    parsed = parse_ui_state(state)
    crumbs = breadcrumb_view(parsed.state)
    panel = panel_for_state(parsed, reviewer=reviewer)
    body = [f'<div class="ntro-crumbs">{breadcrumb_html(crumbs)}</div>']
    if panel is not None:
        body.append(panel_html(panel, max_rows))
    elif parsed.state.status == "completed":
        body.append('<div class="ntro-banner ntro-decided">The run completed.</div>')
    body.append(history_html(history_view(parsed.state)))
    return (
        f'<div class="ntro-root ntro-static"><style>{css_source()}</style>'
        + "".join(body)
        + "</div>"
    )
