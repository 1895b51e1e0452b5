"""Normalising ``display_hint`` values into ``{component, config}``.

Runbooks in the wild pass hints keyed by ``component``, by ``type`` (the product page's
``{"type": "review_extraction", ...}``), or with no component at all (``{"source": ...}`` on an
upload gate). All of them are accepted: the component comes from ``component``, else ``type``,
else the gate kind's default, and every other key becomes config.
"""

from __future__ import annotations

from typing import Any

from ntro.types import UIComponent

DEFAULT_COMPONENT_BY_KIND: dict[str, str] = {
    "submit_file": UIComponent.FILE_UPLOAD,
    "submit_files": UIComponent.MULTI_FILE_UPLOAD,
    "interactive_review": UIComponent.APPROVAL_FORM,
    "drill_down": UIComponent.LOADING,
}


def normalize_display_hint(hint: Any, kind: str) -> dict[str, Any]:
    """Return ``{"component": str, "config": dict}`` for any hint a runbook may pass.

    Never raises: a hint that is not a mapping becomes the default component with the value
    kept under ``config["value"]`` so nothing the author sent is lost.
    """
    default = str(DEFAULT_COMPONENT_BY_KIND.get(kind, UIComponent.APPROVAL_FORM))
    if hint is None:
        return {"component": default, "config": {}}
    if isinstance(hint, str):
        return {"component": str(hint) or default, "config": {}}
    if hasattr(hint, "model_dump"):
        hint = hint.model_dump(mode="json")
    if not isinstance(hint, dict):
        return {"component": default, "config": {"value": hint}}
    rest = dict(hint)
    component = rest.pop("component", None) or rest.pop("type", None) or default
    if not isinstance(component, str):
        rest["component_value"] = component
        component = default
    component = str(component)  # a UIComponent member becomes its plain name
    config = rest.pop("config", None)
    merged: dict[str, Any] = dict(config) if isinstance(config, dict) else {}
    if config is not None and not isinstance(config, dict):
        merged["value"] = config
    merged.update(rest)
    return {"component": component, "config": merged}
