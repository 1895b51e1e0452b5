"""Lucide icons shipped with the package: names (any spelling) to SVG, offline.

Why: step icons are Lucide names (``"CheckCircle2"``, ``"file-up"``). The notebook must draw
them with no network, so the icons the runbooks use are kept in
``ntro_jupyter/widgets/static/lucide-icons.json`` (ISC licence, see that file), with Lucide's
old names as aliases. An unknown name falls back to a default icon.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

ICONS_FILE = Path(__file__).resolve().parent.parent / "widgets" / "static" / "lucide-icons.json"
IconNodes = list[list[Any]]


@cache
def _catalogue() -> tuple[dict[str, IconNodes], dict[str, str], str]:
    data = json.loads(ICONS_FILE.read_text(encoding="utf-8"))
    icons: dict[str, IconNodes] = data["icons"]
    lookup: dict[str, str] = {}
    for name in icons:
        lookup[_normal(name)] = name
    for alias, target in data.get("aliases", {}).items():
        lookup.setdefault(_normal(alias), target)
    return icons, lookup, data.get("default", "circle-dot")


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def default_icon() -> str:
    """The icon drawn for unknown names."""
    return _catalogue()[2]


def resolve_icon(name: Any) -> tuple[str, bool]:
    """``(canonical name, known)``; unknown or missing names give the default icon."""
    icons, lookup, default = _catalogue()
    if isinstance(name, str) and name.strip():
        found = lookup.get(_normal(name))
        if found is not None and found in icons:
            return found, True
    return default, False


def icon_nodes(name: Any) -> IconNodes:
    """The icon's SVG children as ``[[tag, {attr: value}], ...]`` (Lucide's node format)."""
    icons = _catalogue()[0]
    return icons[resolve_icon(name)[0]]


def icon_svg(name: Any, size: int = 16, css_class: str = "ntro-icon") -> str:
    """The icon as an inline ``<svg>`` string, every attribute escaped."""
    parts = []
    for tag, attrs in icon_nodes(name):
        if not re.fullmatch(r"[a-z]+", str(tag)):
            continue
        rendered = " ".join(
            f'{html.escape(str(k))}="{html.escape(str(v))}"'
            for k, v in attrs.items()
            if re.fullmatch(r"[a-zA-Z-]+", str(k)) and k != "key"
        )
        parts.append(f"<{tag} {rendered}/>")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{html.escape(css_class)}" width="{int(size)}" '
        f'height="{int(size)}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">'
        + "".join(parts)
        + "</svg>"
    )


def icons_for(names: list[Any]) -> dict[str, IconNodes]:
    """The node data of every icon named (canonical names as keys), for the front end."""
    out: dict[str, IconNodes] = {}
    for name in names:
        canonical = resolve_icon(name)[0]
        out[canonical] = icon_nodes(canonical)
    return out
