"""Write ``bank_statement_2026-01.xlsx``: the January statement as a bank's Excel export.

Why a script: the workbook is committed, and this says exactly what is in it. It holds the same
transactions as ``bank_statement_2026-01.csv`` in another bank's layout (one signed amount
column, real Excel dates and numbers, brought/carried-forward rows, a second sheet of notes),
so the extractor is shown working on both shapes. Run it again only to change the sample:

    /work/venv/bin/python notebooks/data/make_xlsx.py
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "bank_statement_2026-01.xlsx"
# Fixed so the file does not change from one run to the next.
STAMP = datetime(2026, 2, 2, 9, 0, 0)

TRANSACTIONS: list[tuple[datetime, str, float]] = [
    (datetime(2026, 1, 2), "Subscription - Harbour Pension Plan", 247_000.00),
    (datetime(2026, 1, 5), "Purchase - Northwind 4.5% 2031 bonds", -1_000_000.00),
    (datetime(2026, 1, 12), "Management fee December - Acme Capital Mgmt", -60_000.00),
    (datetime(2026, 1, 15), "Dividend - Contoso plc", 42_500.00),
    (datetime(2026, 1, 20), "Redemption - J Smith", -123_500.00),
    (datetime(2026, 1, 28), "Bank charge - account maintenance", -185.00),
    (datetime(2026, 1, 31), "Credit interest", 1_240.55),
]
OPENING = 1_250_000.00


def build() -> Workbook:
    """The workbook: a statement sheet and a notes sheet the extractor must ignore."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Statement"
    sheet.append(["Acme Fund LP - USD current account"])
    sheet.append(["Account number", "60161331926819"])
    sheet.append(["Sort code", "60-16-13"])
    sheet.append(["Currency", "USD"])
    sheet.append(["From", datetime(2026, 1, 1), "To", datetime(2026, 1, 31)])
    sheet.append([])
    sheet.append(["Transaction Date", "Details", "Amount", "Running Balance"])
    sheet.append([datetime(2026, 1, 1), "Balance brought forward", None, OPENING])
    balance = OPENING
    for when, details, amount in TRANSACTIONS:
        balance = round(balance + amount, 2)
        sheet.append([when, details, amount, balance])
    sheet.append([datetime(2026, 1, 31), "Balance carried forward", None, balance])
    for row in sheet.iter_rows(min_row=8, min_col=1, max_col=1):
        row[0].number_format = "dd/mm/yyyy"
    for row in sheet.iter_rows(min_row=8, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "#,##0.00"
    notes = book.create_sheet("Notes")
    notes.append(["Amounts are in USD. Negative amounts are payments out of the account."])
    book.properties.created = STAMP
    book.properties.modified = STAMP
    book.properties.creator = "ntro sample data"
    return book


def main() -> None:
    build().save(OUTPUT)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
