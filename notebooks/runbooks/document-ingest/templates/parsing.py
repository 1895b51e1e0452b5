"""Reading an uploaded file's bytes into rows of text cells: CSV (stdlib ``csv``) and XLSX
(``openpyxl``).

Why here and not in the extractor: the format is a property of the file, the meaning of its
columns a property of the document. Keeping them apart lets one extractor read a bank's CSV
export and another bank's Excel workbook alike. No I/O beyond the bytes it is given.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from .models import ParsedDocument, SourceRow

MAX_ROWS = 5_000
"""More rows than this is not a monthly document; the file is refused with a clear message."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE compound files)
_DELIMITERS = ",;\t|"


class DocumentUnreadable(ValueError):
    """The file cannot be read as a CSV or XLSX table; the message says why and what to do."""


def detect_format(data: bytes, filename: str, content_type: str | None = None) -> str:
    """``"xlsx"`` or ``"csv"``, from the bytes first (a renamed file is still read right)."""
    name = filename.lower()
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise DocumentUnreadable(
            f"{filename!r} is a legacy Excel (.xls) file; open it in Excel and save it as .xlsx "
            "or .csv, then upload it again"
        )
    if name.endswith(".xlsx"):
        raise DocumentUnreadable(
            f"{filename!r} is named .xlsx but is not an Excel workbook (it may be damaged); "
            "export it again and upload the new file"
        )
    if b"\x00" in data[:4096]:
        raise DocumentUnreadable(
            f"{filename!r} is a binary file, not a CSV or XLSX table "
            f"(content type {content_type or 'unknown'}); upload the statement as .csv or .xlsx"
        )
    return "csv"


def parse_document(data: bytes, filename: str, content_type: str | None = None) -> ParsedDocument:
    """Read ``data`` into its non-empty rows. Raises :class:`DocumentUnreadable`."""
    if not data:
        raise DocumentUnreadable(f"{filename!r} is empty; upload the exported file again")
    kind = detect_format(data, filename, content_type)
    if kind == "xlsx":
        sheet, rows = read_xlsx(data, filename)
        return ParsedDocument(filename=filename, format="xlsx", sheet=sheet, rows=rows)
    return ParsedDocument(filename=filename, format="csv", rows=read_csv(data, filename))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes, filename: str = "document.csv") -> list[SourceRow]:
    """Rows of a CSV file whatever its delimiter (comma, semicolon, tab or pipe)."""
    text = decode_text(data)
    sample = "\n".join(text.splitlines()[:50])
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    rows: list[SourceRow] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            kept = [cell.strip() for cell in cells]
            if any(kept):
                rows.append(SourceRow(number=number, cells=_trim(kept)))
                _check_size(rows, filename)
    except csv.Error as err:
        raise DocumentUnreadable(f"{filename!r} is not a readable CSV file: {err}") from None
    if not rows:
        raise DocumentUnreadable(f"{filename!r} has no rows; upload the exported file again")
    return rows


def read_xlsx(data: bytes, filename: str = "document.xlsx") -> tuple[str, list[SourceRow]]:
    """The workbook's sheet with the most filled cells, as text rows: ``(sheet name, rows)``."""
    # Imported here: only XLSX uploads need it, and a workflow sandbox never imports it.
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise DocumentUnreadable(
            f"{filename!r} is an Excel workbook, and reading one needs openpyxl on the worker "
            "(pip install 'ntro[jupyter]', or pip install openpyxl); or upload it as .csv"
        ) from None

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        raise DocumentUnreadable(
            f"{filename!r} is not a readable Excel workbook ({type(err).__name__}: {err}); "
            "export it again as .xlsx or .csv"
        ) from None
    try:
        best: tuple[int, str, list[SourceRow]] | None = None
        for sheet in book.worksheets:
            rows: list[SourceRow] = []
            filled = 0
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                if any(cells):
                    rows.append(SourceRow(number=number, cells=_trim(cells)))
                    filled += sum(1 for cell in cells if cell)
                    _check_size(rows, filename)
            if rows and (best is None or filled > best[0]):
                best = (filled, sheet.title, rows)
    finally:
        book.close()
    if best is None:
        raise DocumentUnreadable(f"{filename!r} has no filled cells in any sheet")
    return best[1], best[2]


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates ISO, numbers as plain decimals, the rest stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        # str() of a float is its shortest round-trip form: 1240.55, never 1240.5499999.
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _check_size(rows: list[SourceRow], filename: str) -> None:
    if len(rows) > MAX_ROWS:
        raise DocumentUnreadable(
            f"{filename!r} has more than {MAX_ROWS:,} rows; a monthly statement or trial "
            "balance is smaller. Split the file by month and upload each part"
        )
