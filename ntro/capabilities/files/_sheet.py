"""Spreadsheet bytes (XLSX with openpyxl, CSV with the standard library) to a :class:`CellGrid`.

Every value becomes text the way a person reads it: dates as ``2026-01-31``, whole numbers
without ``.0``, empty cells as ``""``. Trailing empty cells and rows are dropped.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ntro.capabilities._extras import require
from ntro.capabilities.files._grid import CellGrid, FileParseError


def cell_text(value: Any) -> str:
    """How a spreadsheet value reads as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _trim(rows: list[list[str]]) -> list[list[str]]:
    trimmed = []
    for row in rows:
        while row and row[-1] == "":
            row = row[:-1]
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _text(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in rows)


def parse_xlsx(content: bytes) -> CellGrid:
    """The fullest sheet's rows as ``cells``; every sheet's text and size in the metadata."""
    openpyxl = require("openpyxl", extra="files", needed_for="files.parse(format='xlsx')")
    from zipfile import BadZipFile

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError) as err:
        raise FileParseError(
            f"the file is not a readable .xlsx workbook ({type(err).__name__}): save it from "
            f"Excel as .xlsx, or upload a CSV"
        ) from None
    sheets: list[tuple[str, list[list[str]]]] = []
    try:
        for sheet in workbook.worksheets:
            rows = _trim([[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)])
            sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    filled = [(name, rows) for name, rows in sheets if any(any(row) for row in rows)]
    if not filled:
        raise FileParseError("the workbook is empty: no sheet has any value")
    name, cells = max(filled, key=lambda item: sum(1 for row in item[1] for c in row if c))
    return CellGrid(
        cells=cells,
        plain_text="\n\n".join(f"# {n}\n{_text(rows)}" for n, rows in filled),
        metadata={
            "format": "xlsx",
            "sheet": name,
            "sheets": [
                {"name": n, "rows": len(rows), "cols": max((len(r) for r in rows), default=0)}
                for n, rows in sheets
            ],
        },
    )


def parse_csv(content: bytes) -> CellGrid:
    """Rows of a CSV (comma, semicolon or tab separated; UTF-8 with or without BOM, else
    Latin-1)."""
    try:
        text = content.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = content.decode("latin-1")
        encoding = "latin-1"
    if not text.strip():
        raise FileParseError("the CSV file is empty")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = _trim([[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)])
    if not any(any(row) for row in rows):
        raise FileParseError("the CSV file has no values")
    return CellGrid(
        cells=rows,
        plain_text=_text(rows),
        metadata={
            "format": "csv",
            "rows": len(rows),
            "delimiter": dialect.delimiter,
            "encoding": encoding,
        },
    )
