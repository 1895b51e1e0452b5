"""``excel.generate``: rows written as a formatted XLSX workbook (``pip install 'ntro[excel]'``).

Templates: ``generic`` (a bold header, filters, frozen header, widths fitted to the values,
number and date formats), ``trial_balance`` and ``journal`` (the same, with a totals row whose
debit and credit are SUM formulas so the file stays right when someone edits it). ``data`` is a
list of row dicts (or pydantic models), or ``{sheet name: rows}`` for several sheets. A relative
``output_path`` is written inside the artifacts folder (confined like :mod:`storage`); an
absolute one where it says. The file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ntro.capabilities._extras import require

__all__ = ["TEMPLATES", "generate"]

TEMPLATES = ("generic", "trial_balance", "journal")
_TOTALLED = {"trial_balance": ("debit", "credit"), "journal": ("debit", "credit")}


def _rows(data: Any) -> list[dict[str, Any]]:
    if hasattr(data, "to_dict") and not isinstance(data, Mapping):
        data = data.to_dict("records")
    rows = []
    for index, row in enumerate(data):
        if hasattr(row, "model_dump"):
            row = row.model_dump(mode="python")
        if not isinstance(row, Mapping):
            raise TypeError(
                f"excel.generate row {index} is a {type(row).__name__}; rows must be dicts"
            )
        rows.append(dict(row))
    return rows


def _sheets(data: Any, sheet_name: str | None) -> list[tuple[str, list[dict[str, Any]]]]:
    if (
        isinstance(data, Mapping)
        and data
        and all(isinstance(v, Sequence) and not isinstance(v, str) for v in data.values())
    ):
        return [(str(name)[:31], _rows(rows)) for name, rows in data.items()]
    return [((sheet_name or "Sheet1")[:31], _rows(data))]


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 and value[4] == "-" else value
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return str(value)
    return value


def _target(output_path: str | os.PathLike[str]) -> Path:
    path = Path(output_path).expanduser()
    if path.is_absolute():
        return path
    from ntro.capabilities.storage import _resolve

    return _resolve(str(output_path))


def _add_totals(
    sheet: Any, totalled: tuple[str, ...], columns: list[Any], top: int, last: int
) -> None:
    """Write a bold "Total" row under the data, summing each totalled column present.

    Kept apart from ``_write`` so the sheet-building loop stays readable.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    total_row = last + 1
    sheet.cell(row=total_row, column=1, value="Total").font = Font(bold=True)
    for key in totalled:
        if key in columns:
            letter = get_column_letter(columns.index(key) + 1)
            cell = sheet.cell(
                row=total_row,
                column=columns.index(key) + 1,
                value=f"=SUM({letter}{top + 1}:{letter}{last})",
            )
            cell.font = Font(bold=True)
            cell.number_format = "#,##0.00"


def _write(
    data: Any,
    template: str,
    output_path: str | os.PathLike[str],
    sheet_name: str | None,
    title: str | None,
) -> str:
    openpyxl = require("openpyxl", extra="excel", needed_for="excel.generate")
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if template not in TEMPLATES:
        raise ValueError(f"unknown excel template {template!r}; known: {', '.join(TEMPLATES)}")
    target = _target(output_path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"output_path {str(output_path)!r} must end in .xlsx")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in _sheets(data, sheet_name):
        sheet = workbook.create_sheet(name)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        top = 1
        if title:
            sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
            top = 3
        for col, key in enumerate(columns, start=1):
            sheet.cell(
                row=top, column=col, value=str(key).replace("_", " ").capitalize()
            ).font = Font(bold=True)
        for r, row in enumerate(rows, start=top + 1):
            for col, key in enumerate(columns, start=1):
                value = _cell_value(row.get(key))
                cell = sheet.cell(row=r, column=col, value=value)
                if isinstance(value, float | int) and not isinstance(value, bool):
                    cell.number_format = "#,##0.00"
                elif isinstance(value, date | datetime):
                    cell.number_format = "yyyy-mm-dd"
        last = top + len(rows)
        if template in _TOTALLED and rows:
            _add_totals(sheet, _TOTALLED[template], columns, top, last)
        if columns:
            sheet.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{max(last, top)}"
            sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
        for col, key in enumerate(columns, start=1):
            width = max([len(str(key))] + [len(str(row.get(key, ""))) for row in rows[:500]])
            sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".xlsx")
    os.close(fd)
    try:
        workbook.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(target)


async def generate(
    *,
    data: Any,
    template: str = "generic",
    output_path: str | os.PathLike[str],
    sheet_name: str | None = None,
    title: str | None = None,
) -> str:
    """Write ``data`` as an XLSX workbook at ``output_path`` with ``template``; returns the path."""
    return await asyncio.to_thread(_write, data, template, output_path, sheet_name, title)
