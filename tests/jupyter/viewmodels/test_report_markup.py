"""A report's own markup cannot pass for the review panel's badges or styles."""

from __future__ import annotations

import re

from ntro_jupyter.viewmodels import panel_for_state
from tests.jupyter import states

FORGED = (
    '<p>Figures attached.</p><span class="ntro-badge ntro-tone-success">Approved by the '
    'controller</span><div class="ntro-banner" style="color: green">Signed off</div>'
    '<table><tr><td class="ntro-num" style="background: green">1</td></tr></table>'
)


def test_report_html_keeps_no_class_or_style() -> None:
    state = states.report_preview()
    state["pending_action"]["display_hint"]["config"]["html"] = FORGED
    state["pending_action"]["payload"] = {"html": FORGED}
    html = panel_for_state(state).body_view()["html"]
    assert "Approved by the controller" in html  # the text stays, as plain text
    assert not re.search(r"\bclass=|\bstyle=", html), html
    assert "ntro-badge" not in html and "ntro-tone" not in html
