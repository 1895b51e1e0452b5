"""``files.parse``: a PDF, XLSX or CSV document's bytes as a :class:`CellGrid`.

PDFs are read with pdfplumber and workbooks with openpyxl (``pip install 'ntro[files]'``); CSV
needs nothing. Parsing runs in a worker thread so an activity's event loop stays free. A file
that cannot be read raises :class:`FileParseError` naming the problem (corrupt, password
protected, empty); a PDF with no text layer parses, and says so in ``metadata["warning"]``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ntro.capabilities.files._grid import CellGrid, FileParseError
from ntro.capabilities.files._pdf import parse_pdf
from ntro.capabilities.files._sheet import parse_csv, parse_xlsx

__all__ = ["FORMATS", "CellGrid", "FileParseError", "format_of", "parse", "parse_sync"]

_PARSERS: dict[str, Callable[[bytes], CellGrid]] = {
    "pdf": parse_pdf,
    "xlsx": parse_xlsx,
    "csv": parse_csv,
}
FORMATS = tuple(_PARSERS)
_ALIASES = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "xlsm": "xlsx",
}


def format_of(format: str) -> str:  # noqa: A002 - the published keyword
    """``"pdf"``, ``"xlsx"`` or ``"csv"`` for a format name, extension, filename or MIME type."""
    key = str(format).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in _PARSERS and "." in key:
        key = _ALIASES.get(key.rsplit(".", 1)[-1], key.rsplit(".", 1)[-1])
    if key not in _PARSERS:
        raise FileParseError(
            f"unsupported format {format!r}: files.parse reads {', '.join(FORMATS)}"
        )
    return key


def parse_sync(*, content: bytes, format: str) -> CellGrid:  # noqa: A002
    """:func:`parse` without the thread, for code that is not async."""
    if not isinstance(content, bytes | bytearray | memoryview):
        raise TypeError(f"files.parse expects content as bytes, got {type(content).__name__}")
    parser = _PARSERS[format_of(format)]
    if not content:
        raise FileParseError(f"the {format_of(format).upper()} file is empty (0 bytes)")
    return parser(bytes(content))


async def parse(*, content: bytes, format: str) -> CellGrid:  # noqa: A002
    """Parse ``content`` as ``format`` (``pdf``, ``xlsx`` or ``csv``) into a :class:`CellGrid`."""
    return await asyncio.to_thread(parse_sync, content=content, format=format)
