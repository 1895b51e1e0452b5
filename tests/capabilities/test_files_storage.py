"""files.parse on real PDF, XLSX and CSV bytes; storage confined to its folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ntro.capabilities import files, storage
from tests.fixtures.statement_pdf import statement_lines, statement_pdf


async def test_a_pdf_statement_reads_as_rows_aligned_under_its_header() -> None:
    grid = await files.parse(content=statement_pdf(statement_lines(45)), format="pdf")
    assert grid.metadata["pages"] == 2 and grid.metadata["text_layer"] is True
    header = grid.cells.index(
        ["Date", "Description", "Reference", "Money out", "Money in", "Balance"]
    )
    assert grid.cells[header + 1] == [
        "01/01/2026",
        "Subscription received - Investor A",
        "REF00001",
        "",
        "1,000.00",
        "11,000.00",
    ]
    assert grid.cells[header + 2][3:5] == ["1,037.01", ""]  # money out, empty money in
    assert "Opening balance: 10,000.00" in grid.plain_text


async def test_ruled_tables_come_from_pdfplumber_with_their_position() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for row in (("Code", "Account", "Debit"), ("1000", "Cash", "50.00"), ("4000", "Sales", "")):
        for value in row:
            pdf.cell(40, 8, value, border=1)
        pdf.ln(8)
    grid = await files.parse(content=bytes(pdf.output()), format="pdf")
    assert grid.cells == [
        ["Code", "Account", "Debit"],
        ["1000", "Cash", "50.00"],
        ["4000", "Sales", ""],
    ]
    assert grid.metadata["tables"][0]["page"] == 1 and grid.metadata["tables"][0]["rows"] == 3


async def test_a_scanned_pdf_says_it_has_no_text_layer() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50, style="F")
    grid = await files.parse(content=bytes(pdf.output()), format="pdf")
    assert grid.cells == [] and grid.metadata["text_layer"] is False
    assert "no text layer" in grid.metadata["warning"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 this is not really a pdf", "damaged or not a PDF"),
        (b"hello", "not a PDF"),
        (b"", "empty"),
    ],
)
async def test_unreadable_pdfs_raise_a_clear_error(content: bytes, message: str) -> None:
    with pytest.raises(files.FileParseError, match=message):
        await files.parse(content=content, format="pdf")


async def test_a_password_protected_pdf_is_named_as_such() -> None:
    locked = statement_pdf(statement_lines(3), password="secret")
    with pytest.raises(files.FileParseError, match="password-protected"):
        await files.parse(content=locked, format="pdf")


async def test_xlsx_reads_the_fullest_sheet_with_dates_and_numbers_as_text() -> None:
    from datetime import datetime

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "prepared by finance"
    sheet = book.create_sheet("TB")
    sheet.append(["Code", "Name", "Debit", "Date"])
    sheet.append([1000, "Cash", 1250.5, datetime(2026, 1, 31)])
    sheet.append([4000, "Sales", 3.0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    grid = await files.parse(content=buffer.getvalue(), format="xlsx")
    assert grid.metadata["sheet"] == "TB"
    assert grid.cells == [
        ["Code", "Name", "Debit", "Date"],
        ["1000", "Cash", "1250.5", "2026-01-31"],
        ["4000", "Sales", "3"],
    ]


async def test_empty_or_broken_spreadsheets_are_refused() -> None:
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with pytest.raises(files.FileParseError, match="workbook is empty"):
        await files.parse(content=buffer.getvalue(), format="xlsx")
    with pytest.raises(files.FileParseError, match="not a readable .xlsx"):
        await files.parse(content=b"PK\x03\x04 broken", format="xlsx")
    with pytest.raises(files.FileParseError, match="CSV file is empty"):
        await files.parse(content=b"  \n", format="csv")


async def test_csv_sniffs_the_delimiter_and_the_format_may_be_a_filename() -> None:
    grid = await files.parse(content=b"Date;Amount\n31/01/2026;1.240,55\n", format="statement.CSV")
    assert grid.cells == [["Date", "Amount"], ["31/01/2026", "1.240,55"]]
    with pytest.raises(files.FileParseError, match="unsupported format 'docx'"):
        await files.parse(content=b"x", format="docx")


async def test_storage_round_trips_files_and_tables(tmp_path: Path) -> None:
    stored = await storage.write(
        path="periods/acme/2026-01/audit.json", content=b"{}", content_type="application/json"
    )
    assert stored == "periods/acme/2026-01/audit.json"
    assert await storage.read(path=stored) == b"{}"
    assert (tmp_path / "artifacts" / stored).read_bytes() == b"{}"
    await storage.write_file("exports/tb.csv", "a,b\n")
    assert await storage.read_file("exports/tb.csv") == b"a,b\n"
    await storage.write_table("fx", data=[{"ccy": "EUR", "rate": 1.1}], period="2026-01")
    await storage.write_table(
        "fx", data=[{"ccy": "USD", "rate": 1.3}], period="2026-01", mode="append"
    )
    assert [r["ccy"] for r in await storage.read_table("fx", period="2026-01")] == ["EUR", "USD"]
    assert await storage.read_table("fx", period="2026-02") == []
    assert await storage.list_files("exports/") == ["exports/tb.csv"]


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.txt", "a/../../outside.txt", ""])
async def test_storage_paths_cannot_leave_the_artifacts_folder(path: str, tmp_path: Path) -> None:
    with pytest.raises(storage.StoragePathError):
        await storage.write(path=path, content=b"x")
    assert not (tmp_path / "outside.txt").exists()


async def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    root = storage.root()
    (root / "escape").symlink_to(tmp_path)
    with pytest.raises(storage.StoragePathError, match="outside the artifacts folder"):
        await storage.write(path="escape/x.txt", content=b"x")
    with pytest.raises(storage.StorageError, match="no artifact at 'missing.txt'"):
        await storage.read(path="missing.txt")
