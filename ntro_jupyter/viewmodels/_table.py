"""The DATA_TABLE review: datasets, columns, edits that become corrections, undo, confidence,
row rejects, validation rules, and the decision built from all of it.

Why plain Python: every review rule (what counts as a correction, what blocks approval) is
tested here without a browser; the anywidget front end only draws :meth:`table_view` and
:meth:`body_view` and reports clicks and keystrokes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ntro_jupyter.viewmodels._base import PanelModel
from ntro_jupyter.viewmodels._hint import Panel
from ntro_jupyter.viewmodels._intents import CorrectionDict, RowActionIntent, build_row_action
from ntro_jupyter.viewmodels._rules import RuleResult, RuleRow, check_rules
from ntro_jupyter.viewmodels._values import (
    COLUMN_TYPES,
    coerce_input,
    currency_places,
    display,
    format_money,
    humanize,
    infer_column_type,
    parse_dr_cr,
    parse_number,
    plain_text,
    same_value,
)

ROW_ID_KEYS = ("line_item_id", "id", "row_id", "line_id", "uuid")
CONFIDENCE_KEYS = ("confidence_scores", "field_confidence", "_confidence", "confidence")
ERROR_KEYS = ("validation_errors", "_errors", "errors")
STATUS_KEYS = ("status", "_status", "row_status")
CURRENCY_KEYS = ("currency", "currency_code", "ccy")
_HIDDEN = set(CONFIDENCE_KEYS) | set(ERROR_KEYS) | set(STATUS_KEYS)
_ROW_LIST_KEYS = ("rows", "line_items", "lines", "items", "records", "data", "entries")
DEFAULT_THRESHOLD = 0.8
PLACES_KEYS = ("decimals", "precision", "places")
ACCOUNT_CODE_KEYS = ("account_code", "account", "gl_account", "account_number")
ACCOUNT_NAME_KEYS = ("account_name",)
CHART_KEYS = ("account_names", "chart_of_accounts", "chart", "accounts")
MAX_FLAGS_LISTED = 50
SIGNED_WITH_SIDE = "a signed amount beside Dr/Cr: the sign and Dr/Cr both give the side; check both"
_NOT_TOTALLED = ("price", "rate", "per_unit", "per unit", "fx", "percent", "pct")


@dataclass
class Column:
    """One column: the row key it shows, its heading, type and whether cells can be edited."""

    key: str
    label: str
    type: str = "text"
    editable: bool = False
    places: int | None = None
    """Decimals the column's figures have (``decimals`` in its config), None: as written."""
    pinned: bool | None = None
    """Kept in view beside the line (amounts and Dr/Cr unless the config says otherwise)."""
    total: bool | None = None
    """Summed in the totals rows (amounts unless they are prices or rates)."""
    currency: str | None = None
    """The one currency of every amount in the column: named in the heading, not each cell."""

    def to_view(self) -> dict[str, Any]:
        align = "right" if self.type in ("number", "currency") else "left"
        return {
            "key": self.key,
            "label": self.label,
            "heading": f"{self.label} ({self.currency})" if self.currency else self.label,
            "type": self.type,
            "editable": self.editable,
            "align": align,
            "pinned": bool(self.pinned),
        }


@dataclass
class Row:
    """One payload row with what the table needs to show about it."""

    index: int
    row_id: str
    values: dict[str, Any]
    has_id: bool
    status: str | None = None
    currency: str | None = None
    row_confidence: float | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    row_errors: list[str] = field(default_factory=list)
    cell_errors: dict[str, list[str]] = field(default_factory=dict)

    def confidence_of(self, key: str) -> float | None:
        return self.confidence.get(key, self.row_confidence)


@dataclass
class Dataset:
    """One tab of the table."""

    key: str
    label: str
    columns: list[Column]
    rows: list[Row]
    problems: list[str] = field(default_factory=list)
    key_value: bool = False
    """Rows are named facts (``key``/``label`` and ``value``): each value has its own type."""


@dataclass
class Edit:
    """The reviewer's change to one cell: what it was, what they typed, what it means."""

    old_value: Any
    new_value: Any
    text: str
    error: str | None = None


def _as_fraction(value: Any) -> float | None:
    number = parse_number(value)
    if number is None:
        return None
    result = float(number)
    return result / 100 if result > 1 else result


def _lookup(payload: Any, path: str) -> Any:
    current = payload
    for part in str(path).split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


_MISSING = object()


def _read_errors(row: dict[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
    row_level: list[str] = []
    cells: dict[str, list[str]] = {}
    for key in ERROR_KEYS:
        value = row.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            row_level.append(value)
        elif isinstance(value, dict):
            for name, message in value.items():
                messages = message if isinstance(message, list) else [message]
                cells.setdefault(str(name), []).extend(plain_text(m) for m in messages)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and item.get("field") is not None:
                    cells.setdefault(str(item["field"]), []).append(
                        plain_text(item.get("message") or item.get("error") or "invalid")
                    )
                else:
                    row_level.append(
                        plain_text(item.get("message") if isinstance(item, dict) else item)
                    )
    return row_level, cells


def _read_confidence(row: dict[str, Any]) -> tuple[float | None, dict[str, float]]:
    row_level: float | None = None
    per_field: dict[str, float] = {}
    for key in CONFIDENCE_KEYS:
        value = row.get(key)
        if isinstance(value, dict):
            for name, score in value.items():
                fraction = _as_fraction(score)
                if fraction is not None:
                    per_field.setdefault(str(name), fraction)
        elif value is not None and row_level is None:
            row_level = _as_fraction(value)
    return row_level, per_field


def _configure(column: Column, item: dict[str, Any], problems: list[str]) -> None:
    """A configured column's precision, pinning and totalling (``decimals``, ``pinned``,
    ``total``); a precision that is not a whole number from 0 to 10 is reported, not used."""
    raw = next((item[k] for k in PLACES_KEYS if item.get(k) is not None), None)
    if raw is not None:
        places = parse_number(raw)
        if places is None or places != places.to_integral_value() or not 0 <= places <= 10:
            problems.append(
                f"column {column.label!r}: decimals {plain_text(raw)!r} is not a whole number "
                "from 0 to 10: shown as written"
            )
        else:
            column.places = int(places)
    if isinstance(item.get("pinned"), bool):
        column.pinned = item["pinned"]
    if isinstance(item.get("total"), bool):
        column.total = item["total"]


def _settle_columns(columns: list[Column], rows: list[Row]) -> None:
    """Defaults that depend on the rows: amounts and Dr/Cr pinned, amounts totalled unless
    they are prices or rates, and the currency in the heading when every row has the same."""
    currencies = {row.currency for row in rows}
    single = next(iter(currencies)) if len(currencies) == 1 else None
    for column in columns:
        money = column.type == "currency"
        if column.pinned is None:
            column.pinned = money or column.type == "dr_cr"
        if column.total is None:
            words = f"{column.key} {column.label}".lower()
            column.total = money and not any(word in words for word in _NOT_TOTALLED)
        if money and single:
            column.currency = single


def _totals_order(item: tuple[tuple[str, str], Any]) -> tuple[str, int]:
    """Totals by currency, debits before credits."""
    (currency, side), _sums = item
    return currency, {"DR": 0, "CR": 1}.get(side, 2)


def _read_chart(value: Any) -> dict[str, str]:
    """Account names by code from ``{"3100": "Subscriptions"}`` or ``[{code, name}, ...]``."""
    if isinstance(value, dict):
        return {plain_text(k): plain_text(v) for k, v in value.items() if isinstance(v, str)}
    chart: dict[str, str] = {}
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, dict):
                continue
            code = next((item[k] for k in ("code", *ACCOUNT_CODE_KEYS) if item.get(k)), None)
            name = next((item[k] for k in ("name", "account_name", "label") if item.get(k)), None)
            if code is not None and name is not None:
                chart[plain_text(code)] = plain_text(name)
    return chart


class DataTableModel(PanelModel):
    """The DATA_TABLE panel's state and rules (also the base of the extraction review)."""

    panel = Panel.DATA_TABLE
    corrections_by_default = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_corrections = bool(
            self.config.get("allow_corrections", self.corrections_by_default)
        )
        threshold = _as_fraction(self.config.get("confidence_warning_threshold"))
        self.threshold: float = DEFAULT_THRESHOLD if threshold is None else threshold
        self.send_cell_edits = bool(self.config.get("send_cell_edits", False))
        self.chart = self._chart()
        self.datasets: list[Dataset] = self._build_datasets()
        self._edits: dict[tuple[str, int, str], Edit] = {}
        self._undo: list[tuple[tuple[str, int, str], Edit | None]] = []
        self._rejected: dict[tuple[str, int], bool] = {}
        for dataset in self.datasets:
            for problem in dataset.problems:
                self._note(problem)
        rule_results, rule_problems = self._check_rules()
        for problem in rule_problems:
            self._note(problem)

    # -- building --------------------------------------------------------------------------
    def _dataset_specs(self) -> list[tuple[str, str, Any, Any]]:
        """``(key, label, rows, columns config)`` for each dataset the config and payload give."""
        configured = self.config.get("datasets")
        if configured is not None and not isinstance(configured, list):
            self._note("datasets is not a list: reading rows from the payload instead")
            configured = None
        if configured:
            return self._configured_specs(configured)
        payload = self.payload
        if isinstance(payload, list):
            return [("rows", plain_text(self.config.get("label") or "Rows"), payload, None)]
        if isinstance(payload, dict):
            for key in _ROW_LIST_KEYS:
                if isinstance(payload.get(key), list):
                    return [(key, humanize(key), payload[key], None)]
            specs: list[tuple[str, str, Any, Any]] = [
                (str(key), humanize(str(key)), value, None)
                for key, value in payload.items()
                if isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
            ]
            if not specs:
                self._note("the payload has no list of rows to show")
            return specs
        if payload is not None:
            self._note(f"the payload is a {type(payload).__name__}, not rows: nothing to tabulate")
        else:
            self._note("the payload is empty: no rows")
        return []

    def _configured_specs(self, configured: list[Any]) -> list[tuple[str, str, Any, Any]]:
        """The datasets the config names, each with its rows from the payload."""
        specs: list[tuple[str, str, Any, Any]] = []
        for index, item in enumerate(configured):
            if isinstance(item, str):
                item = {"key": item}
            if not isinstance(item, dict):
                self._note(f"dataset #{index + 1} is not an object: not shown")
                continue
            key = str(item.get("key") or item.get("data_key") or f"dataset{index + 1}")
            label = plain_text(item.get("label") or humanize(key))
            data_key = item.get("data_key") or item.get("key")
            rows: Any = _MISSING
            if data_key is not None:
                rows = _lookup(self.payload, str(data_key))
            if rows is _MISSING and isinstance(self.payload, list) and len(configured) == 1:
                rows = self.payload
            if rows is _MISSING:
                self._note(f"dataset {label!r}: the payload has no {data_key!r} rows")
                rows = []
            specs.append((key, label, rows, item.get("columns")))
        return specs

    def _build_datasets(self) -> list[Dataset]:
        datasets = []
        used: set[str] = set()
        for key, label, raw_rows, columns_config in self._dataset_specs():
            while key in used:
                key += "_"
            used.add(key)
            datasets.append(self._build_dataset(key, label, raw_rows, columns_config))
        return datasets

    def _build_dataset(self, key: str, label: str, raw_rows: Any, columns_config: Any) -> Dataset:
        problems: list[str] = []
        if not isinstance(raw_rows, list):
            problems.append(f"dataset {label!r} is a {type(raw_rows).__name__}, not a list of rows")
            raw_rows = []
        rows: list[Row] = []
        skipped = 0
        missing_ids = 0
        seen_ids: dict[str, int] = {}
        for index, raw in enumerate(raw_rows):
            if not isinstance(raw, dict):
                if raw is None:
                    skipped += 1
                    continue
                raw = {"value": raw}
                problems.append(
                    f"dataset {label!r}: row {index + 1} is not an object, shown as a value"
                )
            id_key = next((k for k in ROW_ID_KEYS if raw.get(k) not in (None, "")), None)
            row_id = plain_text(raw[id_key]) if id_key else str(index)
            if id_key is None:
                missing_ids += 1
            seen_ids[row_id] = seen_ids.get(row_id, 0) + 1
            row_conf, per_field = _read_confidence(raw)
            row_errors, cell_errors = _read_errors(raw)
            status = next(
                (raw[k] for k in STATUS_KEYS if isinstance(raw.get(k), str | int | bool)), None
            )
            currency = next(
                (raw[k] for k in CURRENCY_KEYS if isinstance(raw.get(k), str) and raw[k]), None
            )
            rows.append(
                Row(
                    index=index,
                    row_id=row_id,
                    values=raw,
                    has_id=id_key is not None,
                    status=plain_text(status) if status is not None else None,
                    currency=currency
                    or (
                        plain_text(self.config["currency"]) if self.config.get("currency") else None
                    ),
                    row_confidence=row_conf,
                    confidence=per_field,
                    row_errors=row_errors,
                    cell_errors=cell_errors,
                )
            )
        if skipped:
            problems.append(f"dataset {label!r}: {skipped} empty row(s) skipped")
        if missing_ids:
            problems.append(
                f"dataset {label!r}: {missing_ids} row(s) have no id; they are named by position"
            )
        duplicates = [rid for rid, n in seen_ids.items() if n > 1]
        if duplicates:
            problems.append(
                f"dataset {label!r}: row id(s) {', '.join(duplicates[:5])} appear more than once; "
                "corrections to them are ambiguous"
            )
        columns = self._build_columns(label, columns_config, rows, problems)
        _settle_columns(columns, rows)
        for column in columns:
            if column.type in ("number", "currency"):
                bad = sum(
                    1
                    for row in rows
                    if row.values.get(column.key) not in (None, "")
                    and parse_number(row.values.get(column.key)) is None
                )
                if bad:
                    problems.append(
                        f"column {column.label!r}: {bad} value(s) are not numbers, shown as text"
                    )
        keys = {c.key for c in columns}
        key_value = "value" in keys and bool(keys & {"key", "label", "field"})
        return Dataset(key, label, columns, rows, problems, key_value)

    def _build_columns(
        self, label: str, config: Any, rows: list[Row], problems: list[str]
    ) -> list[Column]:
        config = config if config is not None else self.config.get("columns")
        columns: list[Column] = []
        if config is not None and not isinstance(config, list):
            problems.append(f"columns of {label!r} is not a list: columns inferred from the rows")
            config = None
        if config:
            for index, item in enumerate(config):
                if isinstance(item, str):
                    item = {"key": item}
                if not isinstance(item, dict):
                    problems.append(f"column #{index + 1} of {label!r} is not an object: skipped")
                    continue
                key = (
                    item.get("key") or item.get("field") or item.get("name") or item.get("accessor")
                )
                if key is None:
                    problems.append(f"column #{index + 1} of {label!r} names no key: skipped")
                    continue
                key = str(key)
                column_type = item.get("type")
                if column_type is None:
                    column_type = infer_column_type(key, [r.values.get(key) for r in rows[:500]])
                elif column_type not in COLUMN_TYPES:
                    problems.append(
                        f"column {key!r} has unknown type {plain_text(column_type)!r}: shown as text"
                    )
                    column_type = "text"
                editable = bool(item.get("editable", True)) and self.allow_corrections
                column = Column(
                    key, plain_text(item.get("label") or humanize(key)), column_type, editable
                )
                _configure(column, item, problems)
                columns.append(column)
            return columns
        keys: list[str] = []
        seen: set[str] = set()
        id_keys = {k for r in rows[:1] for k in ROW_ID_KEYS if r.has_id and k in r.values}
        for row in rows[:500]:
            for key in row.values:
                if key not in seen and key not in _HIDDEN and key not in id_keys:
                    seen.add(key)
                    keys.append(str(key))
        for key in keys:
            column_type = infer_column_type(key, [r.values.get(key) for r in rows[:500]])
            columns.append(Column(key, humanize(key), column_type, self.allow_corrections))
        return columns

    # -- lookups ---------------------------------------------------------------------------
    def dataset(self, key: str | None = None) -> Dataset:
        """The dataset named ``key`` (the first one when None)."""
        if key is None and self.datasets:
            return self.datasets[0]
        for dataset in self.datasets:
            if dataset.key == key:
                return dataset
        raise KeyError(
            f"no dataset {key!r}; datasets: {', '.join(d.key for d in self.datasets) or 'none'}"
        )

    def _column(self, dataset: Dataset, key: str) -> Column:
        for column in dataset.columns:
            if column.key == key:
                return column
        raise KeyError(f"no column {key!r} in {dataset.label!r}")

    def _row(self, dataset: Dataset, index: int) -> Row:
        if not 0 <= index < len(dataset.rows):
            raise IndexError(f"row {index} is outside {dataset.label!r} ({len(dataset.rows)} rows)")
        return dataset.rows[index]

    def row_position(self, row_id: str, dataset: str | None = None) -> tuple[str, int]:
        """``(dataset key, row position)`` of the first row whose id is ``row_id``."""
        for ds in self.datasets:
            if dataset is not None and ds.key != dataset:
                continue
            for position, row in enumerate(ds.rows):
                if row.row_id == str(row_id):
                    return ds.key, position
        raise KeyError(f"no row {row_id!r}")

    def value(self, dataset: str, position: int, key: str) -> Any:
        """The cell's current value: the reviewer's valid edit, else the payload's."""
        edit = self._edits.get((dataset, position, key))
        if edit is not None and edit.error is None:
            return edit.new_value
        return self._row(self.dataset(dataset), position).values.get(key)

    # -- editing ---------------------------------------------------------------------------
    def edit(
        self, dataset: str, position: int, key: str, text: str
    ) -> tuple[str | None, RowActionIntent | None]:
        """Apply what the reviewer typed into a cell.

        Returns ``(error, row_action)``: the error when the text does not fit the column (the
        text is kept, shown with the error, and approval is blocked until it is fixed or
        undone); a ``edit_cell`` row action when the table is configured to send edits live.
        Typing the original value back removes the edit.
        """
        if self.lifecycle.read_only:
            raise PermissionError("this table is read-only now (a decision was sent)")
        ds = self.dataset(dataset)
        column = self._column(ds, key)
        if not column.editable:
            raise PermissionError(f"column {column.label!r} cannot be edited")
        row = self._row(ds, position)
        if self._rejected.get((dataset, position)):
            raise PermissionError(f"row {row.row_id!r} was rejected; it cannot be edited")
        old = row.values.get(key)
        kind = self.cell_type(ds, row, column)
        new, error = coerce_input(
            text, kind, old, currency=row.currency, places=self.cell_places(row, column, kind)
        )
        if (
            error is None
            and kind == "currency"
            and any(c.type == "dr_cr" for c in ds.columns)
            and (parse_number(new) or 0) < 0
        ):
            number = abs(parse_number(new) or 0)
            new, error = (
                None,
                f"{text.strip()!r} has a sign, but amounts beside Dr/Cr have none (Dr/Cr gives the "
                f"side): type {number} and set Dr/Cr",
            )
        cell = (dataset, position, key)
        previous = self._edits.get(cell)
        if error is None and same_value(old, new, kind):
            if previous is None:
                return None, None
            self._undo.append((cell, previous))
            del self._edits[cell]
            new = old
        else:
            self._undo.append((cell, previous))
            self._edits[cell] = Edit(old, new, text, error)
        if error is None and self.send_cell_edits:
            return None, build_row_action(
                "edit_cell",
                row_id=row.row_id,
                field=key,
                value=new,
                reviewer=self.reviewer,
                gate_id=self.gate.gate_id,
            )
        return error, None

    def edit_by_id(
        self, row_id: str, key: str, text: str, dataset: str | None = None
    ) -> tuple[str | None, RowActionIntent | None]:
        """:meth:`edit` addressed by row id instead of position."""
        ds, position = self.row_position(row_id, dataset)
        return self.edit(ds, position, key, text)

    def undo(self) -> bool:
        """Undo the last edit (or revert); False when there is nothing to undo."""
        if self.lifecycle.read_only or not self._undo:
            return False
        cell, previous = self._undo.pop()
        if previous is None:
            self._edits.pop(cell, None)
        else:
            self._edits[cell] = previous
        return True

    def revert(self, dataset: str, position: int, key: str) -> bool:
        """Put one cell back to its payload value (undoable)."""
        cell = (dataset, position, key)
        if self.lifecycle.read_only or cell not in self._edits:
            return False
        self._undo.append((cell, self._edits.pop(cell)))
        return True

    def edits(self) -> dict[tuple[str, int, str], Edit]:
        """Every edited cell, keyed by ``(dataset, position, column)``."""
        return dict(self._edits)

    def corrections(self) -> list[CorrectionDict]:
        """Valid edits on rows not rejected, in the order they were first made."""
        out: list[CorrectionDict] = []
        for (dataset, position, key), edit in self._edits.items():
            if edit.error is not None or self._rejected.get((dataset, position)):
                continue
            row = self._row(self.dataset(dataset), position)
            out.append(
                CorrectionDict(
                    line_item_id=row.row_id,
                    field=key,
                    old_value=edit.old_value,
                    new_value=edit.new_value,
                )
            )
        return out

    # -- rows --------------------------------------------------------------------------------
    def reject_row(self, dataset: str, position: int) -> RowActionIntent:
        """Mark a row rejected and return the ``reject_row`` row action to send."""
        if self.lifecycle.read_only:
            raise PermissionError("this table is read-only now (a decision was sent)")
        row = self._row(self.dataset(dataset), position)
        self._rejected[(dataset, position)] = True
        return build_row_action(
            "reject_row", row_id=row.row_id, reviewer=self.reviewer, gate_id=self.gate.gate_id
        )

    def is_rejected(self, dataset: str, position: int) -> bool:
        return bool(self._rejected.get((dataset, position)))

    def row_status(self, dataset: str, position: int) -> str | None:
        """The badge a row shows: ``rejected`` once rejected here, else its payload status."""
        if self.is_rejected(dataset, position):
            return "rejected"
        return self._row(self.dataset(dataset), position).status

    # -- confidence --------------------------------------------------------------------------
    def low_confidence_cells(self, dataset: str | None = None) -> list[tuple[str, int, str, float]]:
        """``(dataset, position, column, confidence)`` of every cell scored below the threshold
        (a field's own score; a row-level score is :meth:`low_confidence_rows`)."""
        found = []
        for ds in self.datasets:
            if dataset is not None and ds.key != dataset:
                continue
            for position, row in enumerate(ds.rows):
                for column in ds.columns:
                    score = row.confidence.get(column.key)
                    if score is not None and score < self.threshold:
                        found.append((ds.key, position, column.key, score))
        return found

    def low_confidence_rows(self, dataset: str | None = None) -> list[tuple[str, int, float]]:
        """``(dataset, position, confidence)`` of rows whose one score (no per-field scores)
        is below the threshold: the line is in doubt, not each of its cells."""
        return [
            (ds.key, position, row.row_confidence)
            for ds in self.datasets
            if dataset is None or ds.key == dataset
            for position, row in enumerate(ds.rows)
            if not row.confidence
            and row.row_confidence is not None
            and row.row_confidence < self.threshold
        ]

    def rows_by_confidence(self, dataset: str) -> list[int]:
        """Row positions, lowest confidence first; rows with no score keep their order last."""
        ds = self.dataset(dataset)

        def lowest(position: int) -> tuple[int, float, int]:
            row = ds.rows[position]
            scores = [s for c in ds.columns if (s := row.confidence_of(c.key)) is not None]
            return (0, min(scores), position) if scores else (1, 0.0, position)

        return sorted(range(len(ds.rows)), key=lowest)

    # -- cell formats --------------------------------------------------------------------------
    def cell_type(self, ds: Dataset, row: Row, column: Column) -> str:
        """The type of one cell: its column's, except the value of a named fact (the Document
        tab's ``opening_balance`` row is an amount, its ``iban`` row text)."""
        if ds.key_value and column.key == "value" and column.type == "text":
            name = next((row.values[k] for k in ("key", "field", "label") if row.values.get(k)), "")
            return infer_column_type(str(name), [row.values.get("value")])
        return column.type

    def cell_places(self, row: Row, column: Column, cell_type: str) -> int | None:
        """Decimals of a figure: the column's ``decimals``, else its currency's for amounts."""
        if column.places is not None:
            return column.places
        return currency_places(row.currency) if cell_type == "currency" else None

    def show(self, ds: Dataset, row: Row, column: Column, value: Any) -> tuple[str, bool]:
        """``(text, ok)`` of ``value`` in this cell: the currency code only when the heading
        does not name it, the column's precision, every figure grouped by thousands."""
        kind = self.cell_type(ds, row, column)
        currency = None if column.currency else row.currency
        return display(value, kind, currency, self.cell_places(row, column, kind))

    # -- account names -------------------------------------------------------------------------
    def _chart(self) -> dict[str, str]:
        payload = self.payload if isinstance(self.payload, dict) else {}
        for key in CHART_KEYS:
            for source in (self.config, payload):
                chart = _read_chart(source.get(key))
                if chart:
                    return chart
        return {}

    def _account_columns(self, ds: Dataset) -> tuple[Column, Column] | None:
        """``(code column, name column)`` when the table shows both and a chart names them."""
        if not self.chart:
            return None
        keys = {c.key: c for c in ds.columns}
        code = next((keys[k] for k in ACCOUNT_CODE_KEYS if k in keys), None)
        name = next((keys[k] for k in ACCOUNT_NAME_KEYS if k in keys), None)
        return (code, name) if code and name else None

    def derived(self, ds: Dataset, position: int) -> dict[str, tuple[Any, str]]:
        """Cells that follow an edit: the account name of a corrected account code, looked up
        in the gate's chart of accounts (``{name column: (old name, new name)}``)."""
        pair = self._account_columns(ds)
        if pair is None:
            return {}
        code, name = pair
        edit = self._edits.get((ds.key, position, code.key))
        if edit is None or edit.error is not None or (ds.key, position, name.key) in self._edits:
            return {}
        found = self.chart.get(plain_text(edit.new_value))
        old = ds.rows[position].values.get(name.key)
        return {name.key: (old, found if found is not None else "not in the chart of accounts")}

    # -- rules and blockers ------------------------------------------------------------------
    def _rule_rows(self) -> list[RuleRow]:
        rows = []
        for ds in self.datasets:
            for position, row in enumerate(ds.rows):
                if self._rejected.get((ds.key, position)):
                    continue
                values = dict(row.values)
                for column in ds.columns:
                    values[column.key] = self.value(ds.key, position, column.key)
                rows.append(RuleRow(ds.key, position, row.row_id, values))
        return rows

    def _check_rules(self) -> tuple[list[RuleResult], list[str]]:
        labels = {c.key: c.label for ds in self.datasets for c in ds.columns}
        return check_rules(self.config.get("validation_rules"), self._rule_rows(), labels=labels)

    def rule_results(self) -> list[RuleResult]:
        """Every validation rule's outcome on the current (edited) values."""
        return self._check_rules()[0]

    def blockers(self, action: str) -> list[str]:
        if action != "approve":
            return []
        found = []
        invalid = [e for e in self._edits.values() if e.error]
        if invalid:
            found.append(f"{len(invalid)} edit(s) are not valid: fix or undo them")
        for result in self.rule_results():
            if not result.ok and result.level == "error":
                found.append(result.message)
        return found

    def decision_comment(self, action: str, comment: str | None) -> str | None:
        return comment

    # -- totals --------------------------------------------------------------------------------
    def totals(self, dataset: str) -> list[dict[str, Any]]:
        """Totals rows of a dataset: per currency (and per side when it has Dr/Cr), over the
        current values of the rows not rejected. ``cells`` maps a column position to text."""
        ds = self.dataset(dataset)
        summed = [(c, col) for c, col in enumerate(ds.columns) if col.total]
        if not summed:
            return []
        side_col = next((c for c, col in enumerate(ds.columns) if col.type == "dr_cr"), None)
        sums: dict[tuple[str, str], dict[int, Any]] = {}
        for position, row in enumerate(ds.rows):
            if self._rejected.get((ds.key, position)):
                continue
            side = ""
            if side_col is not None:
                side = parse_dr_cr(self.value(ds.key, position, ds.columns[side_col].key)) or "?"
            bucket = sums.setdefault((row.currency or "", side), {})
            for c, col in summed:
                number = parse_number(self.value(ds.key, position, col.key))
                if number is not None:
                    bucket[c] = bucket.get(c, 0) + number
        several = len({currency for currency, _side in sums}) > 1
        out = []
        for (currency, side), bucket in sorted(sums.items(), key=_totals_order):
            label = " ".join(p for p in ("Total", currency if several else "", side) if p)
            cells = {
                str(c): format_money(
                    bucket.get(c, 0),
                    None if ds.columns[c].currency else currency or None,
                    ds.columns[c].places,
                )
                for c, _col in summed
            }
            if side_col is not None:
                cells[str(side_col)] = side
            out.append(
                {"label": label, "currency": currency or None, "side": side or None, "cells": cells}
            )
        return out

    # -- views -------------------------------------------------------------------------------
    def _flags(self, row: Row, columns: dict[str, int]) -> list[list[Any]]:
        """``[col or -1, reason]`` for each flagged cell of a row (-1: the line itself);
        ``columns`` is each column key's position."""
        flags: list[list[Any]] = []
        if not row.confidence and row.row_confidence is not None:
            if row.row_confidence < self.threshold:
                flags.append([-1, f"line read with {round(row.row_confidence * 100)}% confidence"])
        flags.extend([-1, message] for message in row.row_errors)
        cells: list[list[Any]] = []
        for name, messages in row.cell_errors.items():
            if name in columns:
                cells.extend([columns[name], m] for m in messages)
            else:
                flags.extend([-1, f"{name}: {m}"] for m in messages)
        for name, score in row.confidence.items():
            if name in columns and score < self.threshold:
                cells.append([columns[name], f"read with {round(score * 100)}% confidence"])
        cells.sort(key=lambda flag: (flag[0], "confidence" not in flag[1]))
        return flags + cells

    def _has_flags(self, row: Row) -> bool:
        low_row = row.row_confidence is not None and row.row_confidence < self.threshold
        return bool(
            row.row_errors
            or row.cell_errors
            or (not row.confidence and low_row)
            or any(score < self.threshold for score in row.confidence.values())
        )

    def _dataset_view(self, ds: Dataset) -> dict[str, Any]:
        positions = {c.key: i for i, c in enumerate(ds.columns)}
        # beside a Dr/Cr column, an amount's sign would say the side a second time
        has_side = any(c.type == "dr_cr" for c in ds.columns)
        money_cols = [i for i, c in enumerate(ds.columns) if c.type == "currency" and has_side]
        cells = []
        bad = []
        low = []
        low_rows = []
        errors = []
        flags: list[list[Any]] = []
        statuses: dict[str, str] = {}
        row_errors: dict[str, list[str]] = {}
        for r, row in enumerate(ds.rows):
            line = []
            if not row.confidence and row.row_confidence is not None:
                if row.row_confidence < self.threshold:
                    low_rows.append([r, round(row.row_confidence, 3)])
            for c, column in enumerate(ds.columns):
                if ds.key_value:
                    text, ok = self.show(ds, row, column, row.values.get(column.key))
                else:  # the same as show(), without its per-cell lookups: 10,000 rows add up
                    places = column.places
                    if places is None and column.type == "currency":
                        places = currency_places(row.currency)
                    currency = None if column.currency else row.currency
                    text, ok = display(row.values.get(column.key), column.type, currency, places)
                line.append(text)
                if not ok:
                    bad.append([r, c])
                score = row.confidence.get(column.key)
                if score is not None and score < self.threshold:
                    low.append([r, c, round(score, 3)])
                for message in row.cell_errors.get(column.key, []):
                    errors.append([r, c, message])
            signed = [
                [c, SIGNED_WITH_SIDE]
                for c in money_cols
                if (n := parse_number(row.values.get(ds.columns[c].key))) is not None and n < 0
            ]
            errors.extend([r, c, why] for c, why in signed)
            cells.append(line)
            if row.status:
                statuses[str(r)] = row.status
            if not signed and not self._has_flags(row):
                continue
            row_flags = self._flags(row, positions) + signed
            flags.extend([r, c, why] for c, why in row_flags)
            line_level = [why for c, why in row_flags if c == -1]
            if line_level:
                row_errors[str(r)] = line_level
        pair = self._account_columns(ds)
        return {
            "key": ds.key,
            "label": ds.label,
            "columns": [c.to_view() for c in ds.columns],
            "row_ids": [row.row_id for row in ds.rows],
            "cells": cells,
            "bad": bad,
            "low": low,
            "low_rows": low_rows,
            "low_count": len(low),
            "errors": errors,
            "flags": flags[:MAX_FLAGS_LISTED],
            "flag_count": len(flags),
            "status": statuses,
            "row_errors": row_errors,
            "confidence_order": self.rows_by_confidence(ds.key) if low or low_rows else None,
            "lookup": None
            if pair is None
            else {
                "from": ds.columns.index(pair[0]),
                "to": ds.columns.index(pair[1]),
                "names": self.chart,
            },
        }

    def table_view(self) -> dict[str, Any]:
        """The rows as display text, sent to the front end once (it is the large part)."""
        has_sides = any(c.type == "dr_cr" for ds in self.datasets for c in ds.columns)
        return {
            "title": self.title,
            "subtitle": self._text_config("subtitle"),
            "summary": self._text_config("summary"),
            "dr_cr_books": self._text_config("dr_cr_books") if has_sides else None,
            "threshold": self.threshold,
            "allow_corrections": self.allow_corrections,
            "datasets": [self._dataset_view(ds) for ds in self.datasets],
        }

    def _edit_views(self) -> tuple[dict[str, list[list[Any]]], list[dict[str, Any]]]:
        edits: dict[str, list[list[Any]]] = {}
        corrections = []
        for (dataset, position, key), edit in self._edits.items():
            ds = self.dataset(dataset)
            column = self._column(ds, key)
            row = ds.rows[position]
            c = ds.columns.index(column)
            old_text = self.show(ds, row, column, edit.old_value)[0]
            new_text = edit.text if edit.error else self.show(ds, row, column, edit.new_value)[0]
            edits.setdefault(dataset, []).append([position, c, old_text, new_text, edit.error])
            corrections.append(
                {
                    "dataset": dataset,
                    "row": position,
                    "col": c,
                    "row_id": row.row_id,
                    "field": column.label,
                    "old": old_text,
                    "new": new_text,
                    "error": edit.error,
                }
            )
            for name_key, (old, new) in self.derived(ds, position).items():
                name_col = ds.columns.index(self._column(ds, name_key))
                edits[dataset].append([position, name_col, plain_text(old), new, None, "derived"])
        return edits, corrections

    def _rejected_view(self) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
        rejected: dict[str, list[int]] = {}
        listed = []
        for (dataset, position), flag in self._rejected.items():
            if not flag:
                continue
            rejected.setdefault(dataset, []).append(position)
            ds = self.dataset(dataset)
            row = ds.rows[position]
            shown = [
                self.show(ds, row, col, self.value(dataset, position, col.key))[0]
                for col in ds.columns
                if col.pinned or col.type == "text"
            ]
            listed.append(
                {
                    "dataset": dataset,
                    "row": position,
                    "row_id": row.row_id,
                    "summary": " · ".join(t for t in shown if t)[:160],
                }
            )
        return rejected, listed

    def body_view(self) -> dict[str, Any]:
        """The changing state: edits (as diffs), rejected rows, rule results, totals, counts."""
        edits, corrections = self._edit_views()
        rejected, rejected_rows = self._rejected_view()
        results = self.rule_results()
        rule_cells: dict[str, list[list[Any]]] = {}
        for result in results:
            if result.ok:
                continue
            for dataset, position, key in result.cells:
                ds = self.dataset(dataset)
                try:
                    c = ds.columns.index(self._column(ds, key))
                except KeyError:
                    continue
                rule_cells.setdefault(dataset, []).append(
                    [position, c, result.message, result.level]
                )
        return {
            "edits": edits,
            "corrections": corrections,
            "rejected": rejected,
            "rejected_rows": rejected_rows,
            "rules": [r.to_view() for r in results],
            "rule_cells": rule_cells,
            "totals": {ds.key: self.totals(ds.key) for ds in self.datasets},
            "low_confidence": len(self.low_confidence_cells()) + len(self.low_confidence_rows()),
            "can_undo": bool(self._undo) and not self.lifecycle.read_only,
            "row_count": sum(len(ds.rows) for ds in self.datasets),
        }


class ExtractionReviewModel(DataTableModel):
    """Extraction review: the extracted lines as an editable table, with the document's
    source fields (``fields`` plus their ``confidence_scores``) shown beside them."""

    panel = Panel.EXTRACTION_REVIEW
    corrections_by_default = True
    default_approve_label = "Approve extraction"

    def default_title(self) -> str:
        schema = self.config.get("schema_slug")
        return f"Review extraction ({plain_text(schema)})" if schema else "Review extraction"

    def source_fields(self) -> list[dict[str, Any]]:
        """``[{key, label, value, confidence, low}]`` from the payload's header fields."""
        payload = self.payload if isinstance(self.payload, dict) else {}
        fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else None
        if fields is None:
            fields = {
                k: v
                for k, v in payload.items()
                if not isinstance(v, list | dict) and k not in _HIDDEN
            }
        scores = payload.get("confidence_scores") or payload.get("confidence") or {}
        scores = scores if isinstance(scores, dict) else {}
        out = []
        for key, value in fields.items():
            score = _as_fraction(scores.get(key))
            # a figure grouped and at its precision ("1250000.00" -> "1,250,000.00"), text as is
            text, ok = display(value, infer_column_type(str(key), [value]), None)
            out.append(
                {
                    "key": str(key),
                    "label": humanize(str(key)),
                    "value": text if ok else plain_text(value),
                    "confidence": None if score is None else round(score, 3),
                    "low": score is not None and score < (self.threshold or 0),
                }
            )
        return out

    def table_view(self) -> dict[str, Any]:
        view = super().table_view()
        view["source_fields"] = self.source_fields()
        view["schema_slug"] = self._text_config("schema_slug")
        return view
