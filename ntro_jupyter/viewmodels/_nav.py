"""NAV sign-off: each figure against the prior period, its movement, and whether the movement
is within tolerance; signed off under the reviewer's name.

Why: the reviewer signs that the NAV is right. They need the movements in front of them, the
ones outside tolerance flagged, and an explanation recorded when they sign off anyway.

Accepted payloads: ``{"figures": [{label, current, prior, tolerance_pct?}]}``,
``{"current": {metric: value}, "prior": {metric: value}}``, or flat pairs such as
``{"nav": 105, "prior_nav": 100}``. Config: ``tolerance_pct`` (default 5), ``currency``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._values import (
    decimals_of,
    format_number,
    humanize,
    parse_number,
    plain_text,
)

_CURRENT_KEYS = ("current", "value", "amount", "this_period", "current_value")
_PRIOR_KEYS = (
    "prior",
    "previous",
    "prior_value",
    "last_period",
    "prior_period_value",
    "comparative",
)
_PRIOR_PREFIXES = ("prior_", "previous_", "prev_", "last_")
_PRIOR_SUFFIXES = ("_prior", "_previous", "_prev", "_last")
_UNITS = re.compile(r"\b(units|shares|quantity|holders|count)\b", re.IGNORECASE)


@dataclass
class NavFigure:
    """One line of the sign-off: the figure now and before, and what moved."""

    label: str
    current: Decimal | None
    prior: Decimal | None
    tolerance_pct: Decimal
    raw_current: Any = None
    raw_prior: Any = None
    places: int = 2
    """Decimals the figure is signed off at: its own ``decimals``, else as many as it is
    written with (``"123.8985"`` keeps 4), at least the currency's 2 for money."""
    unit: str | None = None
    """What the figure counts when it is not money (``units``): never shown as currency."""

    @property
    def movement(self) -> Decimal | None:
        if self.current is None or self.prior is None:
            return None
        return self.current - self.prior

    @property
    def movement_pct(self) -> Decimal | None:
        if self.movement is None or not self.prior:
            return None
        return self.movement / abs(self.prior) * 100

    @property
    def status(self) -> str:
        """``within``, ``outside``, ``new`` (no prior figure) or ``unreadable``."""
        if self.current is None:
            return "unreadable"
        if self.prior is None:
            return "new"
        if self.movement_pct is None:
            return "within" if self.movement == 0 else "outside"
        return "within" if abs(self.movement_pct) <= self.tolerance_pct else "outside"


class NavSignoffModel(PanelModel):
    """Figures vs prior period with tolerance; sign-off needs a name, and a comment when any
    movement is outside tolerance."""

    panel = Panel.NAV_SIGNOFF
    default_approve_label = "Sign off NAV"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tolerance = parse_number(self.config.get("tolerance_pct", self.config.get("tolerance")))
        payload = self.payload if isinstance(self.payload, dict) else {}
        if tolerance is None:
            tolerance = parse_number(payload.get("tolerance_pct"))
        self.tolerance_pct = tolerance if tolerance is not None else Decimal(5)
        currency = self.config.get("currency") or payload.get("currency")
        self.currency = plain_text(currency) if currency else None
        self.period = plain_text(self.config.get("period") or payload.get("period") or "")
        self.prior_period = plain_text(
            self.config.get("prior_period") or payload.get("prior_period") or ""
        )
        self.signer: str = self.reviewer
        self.figures = self._read_figures()
        for figure in self.figures:
            if figure.status == "unreadable":
                self._note(f"{figure.label}: {plain_text(figure.raw_current)!r} is not a number")

    def default_title(self) -> str:
        return "NAV sign-off"

    def _figure(
        self, label: str, current: Any, prior: Any, tolerance: Any = None, item: Any = None
    ) -> NavFigure:
        own = parse_number(tolerance)
        item = item if isinstance(item, dict) else {}
        now, before = parse_number(current), parse_number(prior)
        unit = item.get("unit")
        if unit is None and _UNITS.search(f"{item.get('key') or ''} {label}".replace("_", " ")):
            unit = "units"
        written = [  # "123.5000" is written with 4 decimals; a float says nothing
            decimals_of(number)
            for number, raw in ((now, current), (before, prior))
            if number is not None and isinstance(raw, str)
        ]
        places = parse_number(item.get("decimals"))
        if places is None or not 0 <= places <= 10:
            places = Decimal(max(written or [0], default=0))
            if unit is None:
                places = max(places, Decimal(2))
        return NavFigure(
            label,
            now,
            before,
            own if own is not None else self.tolerance_pct,
            current,
            prior,
            int(places),
            plain_text(unit) if unit else None,
        )

    def _read_figures(self) -> list[NavFigure]:
        payload = self.payload
        if isinstance(payload, dict) and isinstance(payload.get("figures"), list):
            figures = []
            for index, item in enumerate(payload["figures"]):
                if not isinstance(item, dict):
                    self._note(f"figure #{index + 1} is not an object: not shown")
                    continue
                label = (
                    item.get("label")
                    or item.get("name")
                    or item.get("metric")
                    or item.get("key")
                    or f"Figure {index + 1}"
                )
                current = next((item[k] for k in _CURRENT_KEYS if k in item), None)
                prior = next((item[k] for k in _PRIOR_KEYS if k in item), None)
                figures.append(
                    self._figure(plain_text(label), current, prior, item.get("tolerance_pct"), item)
                )
            return figures
        if isinstance(payload, dict) and isinstance(payload.get("current"), dict):
            before: dict[str, Any] = (
                payload["prior"] if isinstance(payload.get("prior"), dict) else {}
            )
            return [
                self._figure(humanize(str(k)), v, before.get(k))
                for k, v in payload["current"].items()
            ]
        if isinstance(payload, dict):
            figures = []
            consumed: set[str] = set()
            for key, value in payload.items():
                if (
                    key in consumed
                    or not isinstance(value, int | float | str)
                    or isinstance(value, bool)
                ):
                    continue
                prior_key = next(
                    (
                        k
                        for k in [p + key for p in _PRIOR_PREFIXES]
                        + [key + s for s in _PRIOR_SUFFIXES]
                        if k in payload
                    ),
                    None,
                )
                if prior_key is None:
                    continue
                consumed.update({key, prior_key})
                figures.append(
                    self._figure(humanize(key).replace("Nav", "NAV"), value, payload[prior_key])
                )
            if figures:
                return figures
        self._note("the payload has no figures to compare with the prior period")
        return []

    def set_signer(self, name: str | None) -> None:
        """The name the sign-off is made for (defaults to the reviewer). A name other than the
        reviewer's is recorded as "on behalf of", beside the signed-in reviewer."""
        self.signer = (name or "").strip()
        self.on_behalf_of = self.signer if self.signer and self.signer != self.reviewer else None

    def outside(self) -> list[NavFigure]:
        return [f for f in self.figures if f.status == "outside"]

    def blockers(self, action: str) -> list[str]:
        if action != "approve":
            return []
        found = []
        if not self.signer:
            found.append("type your name to sign off")
        return found

    def _all_blockers(self, action: str, comment: str | None) -> list[str]:
        found = super()._all_blockers(action, comment)
        if action == "approve" and self.outside() and not (comment or "").strip():
            names = ", ".join(f.label for f in self.outside())
            found.append(f"explain the movements outside tolerance ({names}) in the comment")
        return found

    def decision_comment(self, action: str, comment: str | None) -> str | None:
        if action != "approve":
            return comment
        note = f"NAV signed off by {self.signer}"
        if self.period:
            note += f" for {self.period}"
        return f"{note}. {comment.strip()}" if comment and comment.strip() else note

    def _amount(self, number: Decimal | None, figure: NavFigure | None = None) -> str:
        """A figure at its own precision, grouped; money without the currency code (it is in
        the column headings), a count with its unit (``401,000.000 units``)."""
        if number is None:
            return "—"
        places = figure.places if figure is not None else 2
        text = format_number(number, max(places, decimals_of(number)))
        return f"{text} {figure.unit}" if figure is not None and figure.unit else text

    def body_view(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "prior_period": self.prior_period,
            "currency": self.currency,
            "tolerance_pct": format_number(self.tolerance_pct),
            "signer": self.signer,
            "outside_count": len(self.outside()),
            "figures": [
                {
                    "label": f.label,
                    "current": self._amount(f.current, f)
                    if f.current is not None
                    else plain_text(f.raw_current),
                    "prior": self._amount(f.prior, f),
                    "movement": "—"
                    if f.movement is None
                    else (("+" if f.movement > 0 else "") + self._amount(f.movement, f)),
                    "unit": f.unit,
                    "decimals": f.places,
                    "movement_pct": "—"
                    if f.movement_pct is None
                    else (
                        ("+" if f.movement_pct > 0 else "") + format_number(f.movement_pct, 2) + "%"
                    ),
                    "tolerance_pct": format_number(f.tolerance_pct) + "%",
                    "status": f.status,
                }
                for f in self.figures
            ],
        }
