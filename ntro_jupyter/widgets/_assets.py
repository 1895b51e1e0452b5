"""The front-end files shipped in ``static/``: each widget's ES module with the shared helpers.

Why: anywidget loads one self-contained ES module per widget, so the helpers in
``common.js`` are put in front of each module here rather than imported.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


@cache
def esm_source(name: str) -> str:
    """``common.js`` followed by ``static/<name>``: one ES module, ready for anywidget."""
    common = (STATIC / "common.js").read_text(encoding="utf-8")
    return common + "\n" + (STATIC / name).read_text(encoding="utf-8")


@cache
def css_source() -> str:
    """The shared stylesheet of every widget."""
    return (STATIC / "ntro.css").read_text(encoding="utf-8")
