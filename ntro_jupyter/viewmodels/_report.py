"""REPORT_PREVIEW: a report as sanitised HTML, from markdown, a table, or HTML.

Why: a report is formatted text, so it is the one place HTML reaches the page. Markdown is
rendered with raw HTML disabled, then everything passes ``nh3`` (an allow-list sanitiser);
a table is built here with every cell escaped. Scripts, event handlers and ``javascript:``
links never survive, and neither do ``class`` or ``style`` attributes: with them a report could
draw itself the panel's own badges ("Approved by the controller") in ntro's styles.
"""

from __future__ import annotations

import html
from typing import Any

import nh3
from markdown_it import MarkdownIt

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._values import humanize, plain_text

_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "del",
}
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)
MAX_ROWS = 500


def sanitize(markup: str) -> str:
    """Keep only safe formatting tags; links only to http(s)/mailto."""
    return nh3.clean(
        markup,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_to_html(text: str) -> str:
    """Markdown (raw HTML shown as text) to sanitised HTML."""
    return sanitize(_MARKDOWN.render(text))


def table_to_html(rows: list[Any], limit: int = MAX_ROWS) -> str:
    """A list of dicts as an HTML table, every header and cell escaped."""
    dict_rows = [r for r in rows if isinstance(r, dict)]
    keys: list[str] = []
    for row in dict_rows[:limit]:
        for key in row:
            if key not in keys:
                keys.append(str(key))
    head = "".join(f"<th>{html.escape(humanize(k))}</th>" for k in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(plain_text(row.get(k)))}</td>" for k in keys) + "</tr>"
        for row in dict_rows[:limit]
    )
    more = ""
    if len(dict_rows) > limit:
        more = f"<caption>First {limit} of {len(dict_rows)} rows</caption>"
    return sanitize(f"<table>{more}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


class ReportPreviewModel(PanelModel):
    """The report's sanitised HTML, with approve/reject when the gate asks for a decision."""

    panel = Panel.REPORT_PREVIEW

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.html = self._render()

    def default_title(self) -> str:
        return "Report preview"

    def _render(self) -> str:
        payload = self.payload
        sources: list[Any] = [self.config, payload if isinstance(payload, dict) else {}]
        for source in sources:
            for key in ("markdown", "content", "body", "text", "report"):
                if isinstance(source.get(key), str):
                    return markdown_to_html(source[key])
            if isinstance(source.get("html"), str):
                return sanitize(source["html"])
            for key in ("table", "rows", "data"):
                if isinstance(source.get(key), list):
                    return table_to_html(source[key])
        if isinstance(payload, str):
            return markdown_to_html(payload)
        if isinstance(payload, list):
            return table_to_html(payload)
        if payload is not None:
            self._note("the report has no markdown, html or table: showing its data")
            return "<pre>" + html.escape(plain_text(payload)) + "</pre>"
        self._note("the report is empty")
        return ""

    def body_view(self) -> dict[str, Any]:
        return {"html": self.html}
