"""Which panel renders a gate: ``display_hint`` in any spelling -> a :class:`ResolvedHint`.

Why: runbooks pass ``{"component": "DATA_TABLE", "config": {...}}``, the product page passes
``{"type": "review_extraction", "schema_slug": ...}``, some pass a bare string or nothing, and
a malformed hint must still render something. This module never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Panel(StrEnum):
    """The panels the widgets can draw."""

    LOADING = "LOADING"
    FILE_UPLOAD = "FILE_UPLOAD"
    MULTI_FILE_UPLOAD = "MULTI_FILE_UPLOAD"
    DATA_TABLE = "DATA_TABLE"
    EXTRACTION_REVIEW = "EXTRACTION_REVIEW"
    JOURNAL_REVIEW = "JOURNAL_REVIEW"
    NAV_SIGNOFF = "NAV_SIGNOFF"
    SUMMARY = "SUMMARY"
    APPROVAL_FORM = "APPROVAL_FORM"
    REPORT_PREVIEW = "REPORT_PREVIEW"
    FALLBACK = "FALLBACK"


_ALIASES: dict[str, Panel] = {
    **{name.value: name for name in Panel},
    "SPINNER": Panel.LOADING,
    "WAITING": Panel.LOADING,
    "DRILL_DOWN": Panel.LOADING,
    "UPLOAD": Panel.FILE_UPLOAD,
    "FILE": Panel.FILE_UPLOAD,
    "SUBMIT_FILE": Panel.FILE_UPLOAD,
    "DOCUMENT_UPLOAD": Panel.FILE_UPLOAD,
    "MULTI_UPLOAD": Panel.MULTI_FILE_UPLOAD,
    "FILES_UPLOAD": Panel.MULTI_FILE_UPLOAD,
    "SUBMIT_FILES": Panel.MULTI_FILE_UPLOAD,
    "COLLECT_DOCUMENTS": Panel.MULTI_FILE_UPLOAD,
    "TABLE": Panel.DATA_TABLE,
    "DATATABLE": Panel.DATA_TABLE,
    "GRID": Panel.DATA_TABLE,
    "REVIEW_TABLE": Panel.DATA_TABLE,
    "REVIEW_EXTRACTION": Panel.EXTRACTION_REVIEW,
    "EXTRACTION": Panel.EXTRACTION_REVIEW,
    "EXTRACTION_REVIEW": Panel.EXTRACTION_REVIEW,
    "REVIEW_LINES": Panel.EXTRACTION_REVIEW,
    "JOURNAL": Panel.JOURNAL_REVIEW,
    "JOURNALS": Panel.JOURNAL_REVIEW,
    "REVIEW_JOURNAL": Panel.JOURNAL_REVIEW,
    "REVIEW_JOURNALS": Panel.JOURNAL_REVIEW,
    "JOURNAL_REVIEW": Panel.JOURNAL_REVIEW,
    "JOURNAL_APPROVAL": Panel.JOURNAL_REVIEW,
    "NAV_SIGNOFF": Panel.NAV_SIGNOFF,
    "NAV_SIGN_OFF": Panel.NAV_SIGNOFF,
    "SIGNOFF_NAV": Panel.NAV_SIGNOFF,
    "SIGN_OFF_NAV": Panel.NAV_SIGNOFF,
    "NAV_REVIEW": Panel.NAV_SIGNOFF,
    "NAV_APPROVAL": Panel.NAV_SIGNOFF,
    "NAV": Panel.NAV_SIGNOFF,
    "SUMMARY_CARD": Panel.SUMMARY,
    "RESULT": Panel.SUMMARY,
    "APPROVAL": Panel.APPROVAL_FORM,
    "APPROVE": Panel.APPROVAL_FORM,
    "REVIEW": Panel.APPROVAL_FORM,
    "FORM": Panel.APPROVAL_FORM,
    "REPORT": Panel.REPORT_PREVIEW,
    "PREVIEW": Panel.REPORT_PREVIEW,
    "MARKDOWN": Panel.REPORT_PREVIEW,
}

_DEFAULT_BY_KIND: dict[str, Panel] = {
    "submit_file": Panel.FILE_UPLOAD,
    "submit_files": Panel.MULTI_FILE_UPLOAD,
    "interactive_review": Panel.APPROVAL_FORM,
    "drill_down": Panel.LOADING,
}


@dataclass
class ResolvedHint:
    """A hint made usable: the panel to draw, the name the runbook used, and its config."""

    panel: Panel
    component: str
    config: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.strip().upper()).strip("_")


def panel_for_component(name: str) -> Panel | None:
    """The panel a component or type name asks for (case and separators ignored), or None."""
    return _ALIASES.get(_key(name))


def resolve_hint(hint: Any, kind: str | None = None) -> ResolvedHint:
    """Resolve any ``display_hint`` value; unknown components resolve to ``Panel.FALLBACK``.

    The component comes from ``component``, else ``type``, else the gate ``kind``'s default;
    ``config`` and every other top-level key are merged into the config.
    """
    default = _DEFAULT_BY_KIND.get(kind or "", Panel.APPROVAL_FORM)
    problems: list[str] = []
    if hasattr(hint, "model_dump"):
        hint = hint.model_dump(mode="json")
    if hint is None:
        return ResolvedHint(default, default.value, {}, problems)
    if isinstance(hint, str):
        found = panel_for_component(hint) if hint.strip() else default
        if found is None:
            return ResolvedHint(Panel.FALLBACK, hint, {}, [f"no panel for component {hint!r}"])
        return ResolvedHint(found, hint or default.value, {}, problems)
    if not isinstance(hint, dict):
        problems.append(
            f"display_hint is a {type(hint).__name__}, not an object: showing the default panel"
        )
        return ResolvedHint(default, default.value, {"value": hint}, problems)
    rest = dict(hint)
    name = rest.pop("component", None)
    type_name = rest.pop("type", None)
    chosen = name if isinstance(name, str) and name.strip() else None
    if chosen is None and isinstance(type_name, str) and type_name.strip():
        chosen = type_name
    elif type_name is not None and chosen is not None:
        rest["type"] = type_name
    config: dict[str, Any] = {}
    raw_config = rest.pop("config", None)
    if isinstance(raw_config, dict):
        config.update(raw_config)
    elif raw_config is not None:
        problems.append(f"display_hint.config is a {type(raw_config).__name__}, not an object")
        config["value"] = raw_config
    for key, value in rest.items():
        config.setdefault(key, value)
    if chosen is None:
        if name is not None:
            problems.append(f"display_hint.component {name!r} is not a name")
        return ResolvedHint(default, default.value, config, problems)
    found = panel_for_component(chosen)
    if found is None:
        problems.append(f"no panel for component {chosen!r}: showing the payload")
        return ResolvedHint(Panel.FALLBACK, chosen, config, problems)
    return ResolvedHint(found, chosen, config, problems)
