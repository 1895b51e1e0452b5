"""One widget for every panel other than the table (journal, NAV, uploads, summary, loading,
approval form, report preview, fallback): an anywidget drawing the view-model's ``view``.

Why one class: these panels are small; they share the decision footer and differ only in the
body the ES module draws. Uploads arrive as comm buffers, are checked and stored in Python.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ntro_jupyter.viewmodels import (
    JournalReviewModel,
    NavSignoffModel,
    PanelModel,
    UploadModel,
)
from ntro_jupyter.widgets._assets import css_source, esm_source
from ntro_jupyter.widgets._host import IntentSink, PanelHost


class PanelWidget(PanelHost, anywidget.AnyWidget):
    """Draws a :class:`~ntro_jupyter.viewmodels.PanelModel` and sends its intents."""

    _esm = esm_source("panels.js")
    _css = css_source()

    view = traitlets.Dict().tag(sync=True)

    def __init__(self, model: PanelModel, sink: IntentSink | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_host(model, sink)
        self._push()
        self.on_msg(self._on_message)

    def _push(self) -> None:
        view = self.model.to_view()
        view["notice"] = self._notice
        self.view = view

    def _on_message(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "decide":
            self.decide(str(content.get("action")), content.get("comment"))
        elif kind == "override":
            self.set_override(content.get("reason"))
        elif kind == "signer":
            self.set_signer(content.get("name"))
        elif kind == "upload":
            listed = content.get("files")
            files = listed if isinstance(listed, list) else []
            data = list(buffers or [])
            picked = []
            for index, meta in enumerate(files):
                if index < len(data) and isinstance(meta, dict):
                    picked.append(
                        (
                            str(meta.get("name") or "document"),
                            bytes(data[index]),
                            str(meta.get("type") or "") or None,
                        )
                    )
            self.upload(picked, slot=content.get("slot"))

    # -- the same actions from Python --------------------------------------------------------
    def set_override(self, reason: str | None) -> None:
        """Journal review: approve despite the imbalance for this reason."""
        with self._guard():
            if isinstance(self.model, JournalReviewModel):
                self.model.set_override(None if reason is None else str(reason))
            self._push()

    def set_signer(self, name: str | None) -> None:
        """NAV sign-off: the name the sign-off is made under."""
        with self._guard():
            if isinstance(self.model, NavSignoffModel):
                self.model.set_signer(None if name is None else str(name))
            self._push()

    def upload(
        self, files: list[tuple[str, bytes, str | None]], slot: str | None = None
    ) -> list[dict[str, Any]]:
        """Store the files and send the gate's signal for each; refusals show inline."""
        with self._guard():
            self._notice = None
            if not isinstance(self.model, UploadModel):
                self._notice = "this panel does not take files"
                self._push()
                return []
            try:
                intents = self.model.upload(files, slot=slot)
            except (ValueError, OSError) as exc:
                self._notice = f"Not uploaded: {exc}"
                self._push()
                return []
            for intent in intents:
                self._queue("signal", dict(intent))
            self._push()
            return [dict(intent) for intent in intents]
