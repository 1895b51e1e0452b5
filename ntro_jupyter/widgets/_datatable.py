"""The DATA_TABLE widget: one anywidget with its own ES module front end.

Why one widget: a grid of ipywidgets slows down past a few hundred cells; this front end keeps
only the visible rows in the DOM. The rows are sent once (``table``); edits, rejects and
checks travel as small messages and come back in ``state``.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ntro_jupyter.viewmodels import DataTableModel
from ntro_jupyter.widgets._assets import css_source, esm_source
from ntro_jupyter.widgets._host import IntentSink, PanelHost


class DataTableWidget(PanelHost, anywidget.AnyWidget):
    """An editable review table for a :class:`~ntro_jupyter.viewmodels.DataTableModel`."""

    _esm = esm_source("datatable.js")
    _css = css_source()
    model: DataTableModel

    table = traitlets.Dict().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)

    def __init__(
        self, model: DataTableModel, sink: IntentSink | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._init_host(model, sink)
        self.table = model.table_view()
        self._push()
        self.on_msg(self._on_message)

    def _push(self) -> None:
        view = self.model.to_view()
        view["notice"] = self._notice
        self.state = view

    # -- what the front end sends ----------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "decide":
            self.decide(str(content.get("action")), content.get("comment"))
            return
        with self._guard():
            self._notice = None
            try:
                if kind == "edit":
                    self.edit(
                        str(content["dataset"]),
                        int(content["row"]),
                        int(content["col"]),
                        str(content.get("text", "")),
                        push=False,
                    )
                elif kind == "undo":
                    self.model.undo()
                elif kind == "revert":
                    ds = self.model.dataset(str(content["dataset"]))
                    self.model.revert(
                        ds.key, int(content["row"]), ds.columns[int(content["col"])].key
                    )
                elif kind == "reject_row":
                    self.reject_row(str(content["dataset"]), int(content["row"]), push=False)
            except (KeyError, IndexError, ValueError, TypeError, PermissionError) as exc:
                self._notice = str(exc.args[0]) if exc.args else str(exc)
            self._push()

    # -- the same actions from Python --------------------------------------------------------
    def edit(
        self, dataset: str, row: int, col: int | str, text: str, push: bool = True
    ) -> str | None:
        """Edit a cell as if typed in the table; returns the error shown, if any."""
        with self._guard():
            ds = self.model.dataset(dataset)
            key = col if isinstance(col, str) else ds.columns[col].key
            error, row_action = self.model.edit(ds.key, row, key, text)
            if row_action is not None:
                self._queue("row_action", dict(row_action))
            if error:
                self._notice = f"{ds.rows[row].row_id} · {key}: {error}"
            if push:
                self._push()
            return error

    def reject_row(self, dataset: str, row: int, push: bool = True) -> dict[str, Any]:
        """Reject one row (sent as a ``reject_row`` row action while the gate stays open)."""
        with self._guard():
            intent = dict(self.model.reject_row(dataset, row))
            self._queue("row_action", intent)
            if push:
                self._push()
            return intent

    def undo(self) -> bool:
        with self._guard():
            done = self.model.undo()
            self._push()
            return done
