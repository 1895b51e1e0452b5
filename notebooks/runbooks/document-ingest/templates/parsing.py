"""Reading an uploaded file's bytes into rows of text cells, with ``ntro.capabilities.files``
(PDF statements, XLSX workbooks, CSV exports).

Why here and not in the extractor: the format is a property of the file, the meaning of its
columns a property of the document. Keeping them apart lets one extractor read a bank's CSV
export and another bank's Excel workbook alike. No I/O beyond the bytes it is given.
"""

from __future__ import annotations

from ntro.capabilities import files

from .models import ParsedDocument, SourceRow

MAX_ROWS = 5_000
"""More rows than this is not a monthly document; the file is refused with a clear message."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE compound files)
_DELIMITERS = ",;\t|"


class DocumentUnreadable(ValueError):
    """The file cannot be read as a PDF, CSV or XLSX document; the message says why and what
    to do."""


def detect_format(data: bytes, filename: str, content_type: str | None = None) -> str:
    """``"pdf"``, ``"xlsx"`` or ``"csv"``, from the bytes first (a renamed file is still read
    right)."""
    name = filename.lower()
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
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
            f"{filename!r} is a binary file, not a PDF, CSV or XLSX document "
            f"(content type {content_type or 'unknown'}); upload the statement as .pdf, .csv "
            f"or .xlsx"
        )
    return "csv"


def parse_document(data: bytes, filename: str, content_type: str | None = None) -> ParsedDocument:
    """Read ``data`` into its non-empty rows with ``ntro.capabilities.files`` (PDF, XLSX or CSV).
    Raises :class:`DocumentUnreadable`."""
    if not data:
        raise DocumentUnreadable(f"{filename!r} is empty; upload the exported file again")
    kind = detect_format(data, filename, content_type)
    try:
        grid = files.parse_sync(content=data, format=kind)
    except files.FileParseError as err:
        raise DocumentUnreadable(f"{filename!r}: {err}") from None
    if not grid.cells and grid.metadata.get("warning"):
        raise DocumentUnreadable(f"{filename!r}: {grid.metadata['warning']}")
    rows = [
        SourceRow(number=number, cells=cells)
        for number, cells in enumerate(grid.cells, start=1)
        if any(cell.strip() for cell in cells)
    ]
    _check_size(rows, filename)
    return ParsedDocument(
        filename=filename, format=kind, sheet=grid.metadata.get("sheet"), rows=rows
    )


def _check_size(rows: list[SourceRow], filename: str) -> None:
    if len(rows) > MAX_ROWS:
        raise DocumentUnreadable(
            f"{filename!r} has more than {MAX_ROWS:,} rows; a monthly statement or trial "
            "balance is smaller. Split the file by month and upload each part"
        )
