"""PDF bytes to a :class:`CellGrid`: text with PDFium, ruled tables with pdfplumber.

Why two libraries (both installed by ``pip install 'ntro[files]'``, pypdfium2 comes with
pdfplumber): pdfplumber's pure-Python layout pass takes seconds on a 20-page statement, while
PDFium (C++) gives each page's text runs and their positions in milliseconds. So every page's
text comes from PDFium: runs on the same baseline form a line, and a line whose runs sit under a
header line's columns is aligned to them (an empty "Money in" cell stays an empty cell). Only a
page that draws lines or boxes is handed to pdfplumber's table finder, whose tables replace the
lines they cover and are listed in ``metadata["tables"]``. A page with no text layer (a scan) is
reported in ``metadata`` rather than silently returning nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ntro.capabilities._extras import require
from ntro.capabilities.files._grid import CellGrid, FileParseError

_LINE_TOLERANCE = 3.0
"""Runs whose top edges are within this many points are on the same line."""
_WIDE_GAP = re.compile(r"\s{2,}")


@dataclass
class _Run:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str


def _lines(runs: list[_Run]) -> list[list[_Run]]:
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (r.top, r.x0)):
        if lines and abs(lines[-1][0].top - run.top) <= _LINE_TOLERANCE:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [sorted(line, key=lambda r: r.x0) for line in lines]


def _is_header(line: list[_Run]) -> bool:
    return len(line) >= 3 and not any(any(c.isdigit() for c in run.text) for run in line)


def _aligned(line: list[_Run], header: list[_Run]) -> list[str] | None:
    """``line``'s cells under ``header``'s columns, or None when they do not fit them."""
    bounds = [(a.x1 + b.x0) / 2 for a, b in zip(header, header[1:], strict=False)]
    cells = [""] * len(header)
    for run in line:
        middle = (run.x0 + run.x1) / 2
        column = sum(1 for bound in bounds if middle > bound)
        if cells[column]:
            return None
        cells[column] = run.text
    return cells


def _page_rows(runs: list[_Run]) -> list[tuple[float, list[str]]]:
    rows: list[tuple[float, list[str]]] = []
    header: list[_Run] | None = None
    for line in _lines(runs):
        if _is_header(line):
            header = line
            rows.append((line[0].top, [run.text for run in line]))
            continue
        cells = _aligned(line, header) if header is not None and len(line) > 1 else None
        rows.append((line[0].top, cells if cells is not None else [run.text for run in line]))
    return rows


def _page_runs(page: Any) -> list[_Run]:
    height = page.get_height()
    textpage = page.get_textpage()
    runs: list[_Run] = []
    try:
        for index in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(index)
            text = textpage.get_text_bounded(left, bottom, right, top)
            parts = [p for p in _WIDE_GAP.split(text.strip()) if p]
            if len(parts) > 1:  # one text run laid out with spaces: split it evenly
                width = (right - left) / max(len(text), 1)
                offset = left
                for part in parts:
                    start = text.find(part, int((offset - left) / width) if width else 0)
                    x0 = left + start * width
                    runs.append(
                        _Run(height - top, height - bottom, x0, x0 + len(part) * width, part)
                    )
                    offset = x0 + len(part) * width
            elif parts:
                runs.append(_Run(height - top, height - bottom, left, right, parts[0]))
    finally:
        textpage.close()
    return runs


def _draws_lines(page: Any, raw: Any) -> bool:
    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1))


def _ruled_tables(content: bytes, page_index: int) -> list[Any]:
    pdfplumber = require("pdfplumber", extra="files", needed_for="files.parse(format='pdf')")
    import io

    with pdfplumber.open(io.BytesIO(content), pages=[page_index + 1]) as pdf:
        page = pdf.pages[0]
        return [(t.bbox, t.extract()) for t in page.find_tables()]


def _open(pdfium: Any, content: bytes) -> Any:
    try:
        return pdfium.PdfDocument(content)
    except pdfium.PdfiumError as err:
        message = str(err).lower()
        if "password" in message:
            raise FileParseError(
                "the PDF is password-protected: export or print it again without a password"
            ) from None
        raise FileParseError(
            f"the PDF is damaged or not a PDF ({err}): upload the document as exported"
        ) from None


def parse_pdf(content: bytes) -> CellGrid:
    """Read every page's lines and ruled tables; see the module docstring."""
    require("pdfplumber", extra="files", needed_for="files.parse(format='pdf')")
    pdfium = require("pypdfium2", extra="files", needed_for="files.parse(format='pdf')")
    raw = require("pypdfium2.raw", extra="files", needed_for="files.parse(format='pdf')")
    if not content.lstrip()[:5].startswith(b"%PDF"):
        raise FileParseError(
            "the file is not a PDF (it does not start with %PDF): check the file or its format"
        )
    cells: list[list[str]] = []
    texts: list[str] = []
    tables: list[dict[str, Any]] = []
    pages_without_text: list[int] = []
    document = _open(pdfium, content)
    try:
        page_count = len(document)
        for index in range(page_count):
            page = document[index]
            try:
                runs = _page_runs(page)
                ruled = _ruled_tables(content, index) if runs and _draws_lines(page, raw) else []
            finally:
                page.close()
            if not runs:
                pages_without_text.append(index + 1)
                continue
            texts.append("\n".join(" ".join(r.text for r in line) for line in _lines(runs)))
            rows: list[tuple[float, list[str]]] = []
            for bbox, extracted in ruled:
                x0, top, x1, bottom = bbox
                table_rows = [[(c or "").strip() for c in row] for row in extracted]
                table_rows = [row for row in table_rows if any(row)]
                rows += [(top + i * 1e-3, row) for i, row in enumerate(table_rows)]
                tables.append(
                    {
                        "page": index + 1,
                        "bbox": [round(v, 1) for v in bbox],
                        "rows": len(table_rows),
                        "cols": max((len(r) for r in table_rows), default=0),
                    }
                )
                runs = [
                    r
                    for r in runs
                    if not (
                        x0 <= (r.x0 + r.x1) / 2 <= x1 and top <= (r.top + r.bottom) / 2 <= bottom
                    )
                ]
            rows += _page_rows(runs)
            rows.sort(key=lambda item: item[0])
            start = len(cells)
            cells += [row for _, row in rows]
            for table in tables:
                if table["page"] == index + 1 and "first_row" not in table:
                    first = next(
                        (i for i, (t, _) in enumerate(rows) if t >= table["bbox"][1] - 1e-6), 0
                    )
                    table["first_row"] = start + first
    finally:
        document.close()
    metadata: dict[str, Any] = {
        "format": "pdf",
        "pages": page_count,
        "tables": tables,
        "text_layer": len(pages_without_text) < page_count,
    }
    if pages_without_text:
        metadata["pages_without_text"] = pages_without_text
        if len(pages_without_text) == page_count:
            metadata["warning"] = (
                "the PDF has no text layer (a scan or an image): nothing could be read; "
                "export it from the source system, or run OCR on it first"
            )
        else:
            metadata["warning"] = (
                f"pages {pages_without_text} have no text layer (scanned?) and were skipped"
            )
    return CellGrid(cells=cells, plain_text="\n\n".join(texts), metadata=metadata)
