"""Write ``bank_statement_2026-01.pdf``: the January statement as a bank's PDF export.

Why a script: the PDF is committed, and this says exactly what is in it. It is made from
``bank_statement_2026-01.csv`` (the same account, balances and transactions), laid out as banks
print statements: the account's facts above an unruled table with Money out / Money in /
Balance columns. Run it again only to change the sample:

    .venv/bin/python notebooks/data/make_pdf.py
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "bank_statement_2026-01.csv"
OUTPUT = HERE / "bank_statement_2026-01.pdf"
# Fixed so the file does not change from one run to the next.
STAMP = datetime(2026, 2, 2, 9, 0, 0)
WIDTHS = (22, 72, 24, 24, 24, 26)


def read_statement() -> tuple[list[tuple[str, str]], list[str], list[list[str]]]:
    """The CSV's facts (label, value), the table's header and its rows."""
    with SOURCE.open(newline="") as handle:
        rows = [row for row in csv.reader(handle)]
    blank = rows.index([])
    facts = [(row[0], row[1]) for row in rows[:blank]]
    return facts, rows[blank + 1], rows[blank + 2 :]


def build() -> bytes:
    """The PDF bytes of the statement."""
    facts, header, lines = read_statement()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(STAMP)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, "Northwind Bank plc - Statement of account", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, value in facts:
        pdf.cell(40, 5, f"{label}:")
        pdf.cell(80, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for index, (width, title) in enumerate(zip(WIDTHS, header, strict=True)):
        pdf.cell(width, 5, title, align="R" if index >= 3 else "L")
    pdf.ln(5)
    for line in lines:
        for index, (width, value) in enumerate(zip(WIDTHS, line, strict=True)):
            pdf.cell(width, 5, value, align="R" if index >= 3 else "L")
        pdf.ln(5)
    pdf.set_y(-15)
    pdf.cell(0, 5, "Page 1 of 1", align="C")
    return bytes(pdf.output())


if __name__ == "__main__":
    OUTPUT.write_bytes(build())
    print(f"wrote {OUTPUT.relative_to(HERE.parent)} ({OUTPUT.stat().st_size:,} bytes)")
