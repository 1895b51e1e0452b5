"""One run's review as display data, built by the same view-models the notebook widgets use.

The main-area panel of the labextension draws this: the breadcrumb, the open gate's panel
(title, reason, problems, buttons, and for tables the rows as display text), the decision
history. All values are already text; the front end only puts them in text nodes.
"""

from __future__ import annotations

from typing import Any

from ntro_jupyter.viewmodels import (
    DataTableModel,
    breadcrumb_view,
    history_view,
    panel_for_state,
    parse_ui_state,
)
from ntro_jupyter.viewmodels._values import plain_text

__all__ = ["run_view"]

MAX_TABLE_ROWS = 500


def _payload_fields(payload: Any) -> list[dict[str, str]]:
    """A non-table payload as ``[{key, value}]`` lines of text."""
    if isinstance(payload, dict):
        return [{"key": plain_text(k), "value": plain_text(v)} for k, v in payload.items()]
    if payload is None:
        return []
    return [{"key": "value", "value": plain_text(payload)}]


def run_view(raw_state: Any, *, reviewer: str = "reviewer") -> dict[str, Any]:
    """``{breadcrumb, history, panel, problems}`` for a ``current_ui_state`` dict; never raises."""
    parsed = parse_ui_state(raw_state)
    state = parsed.state
    view: dict[str, Any] = {
        "breadcrumb": breadcrumb_view(state),
        "history": history_view(state),
        "problems": list(parsed.problems),
        "panel": None,
    }
    try:
        panel = panel_for_state(parsed, reviewer=reviewer)
    except Exception as exc:  # the panel is optional; the rest of the view still shows
        view["problems"].append(
            f"the review panel could not be built ({type(exc).__name__}: {exc})"
        )
        return view
    if panel is None:
        return view
    body = panel.to_view()
    body.pop("body", None)
    if isinstance(panel, DataTableModel):
        table = panel.table_view()
        datasets = []
        for ds in table.get("datasets", []):
            cells = ds.get("cells", [])
            datasets.append(
                {
                    "key": ds.get("key"),
                    "label": ds.get("label"),
                    "columns": [
                        {
                            "key": c.get("key"),
                            # "Amount (USD)": the cells leave out a currency the heading names
                            "label": c.get("heading") or c.get("label"),
                            "type": c.get("type"),
                            "editable": bool(c.get("editable")),
                        }
                        for c in ds.get("columns", [])
                    ],
                    "row_ids": ds.get("row_ids", [])[:MAX_TABLE_ROWS],
                    "cells": cells[:MAX_TABLE_ROWS],
                    "total_rows": len(cells),
                }
            )
        body["table"] = {"datasets": datasets}
    else:
        pending = state.pending_action
        payload = (
            pending.payload if pending and pending.payload is not None else state.pending_payload
        )
        body["fields"] = _payload_fields(payload)
    view["panel"] = body
    return view
