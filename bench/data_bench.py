"""The tenant data plane's speed on the embedded PostgreSQL, against raw asyncpg.

    python bench/data_bench.py [--runs N]

- cold start: a new process calls ``start_embedded()`` on a new folder (the cached cluster
  copied in, then started); target < 2 s. Timed inside the process (interpreter start
  excluded) and stopped after. "first ever" is the same with an empty template cache
  (``initdb`` builds it first): what the very first use on a machine costs.
- warm attach: a second process on a running server's folder: ``start_embedded()`` alone
  (target < 0.3 s) and with ``get_data_plane()`` and a first query (pool, migration check).
- 10,000 expense rows inserted with ``subledger.open(...).insert`` and moved PENDING ->
  APPROVED with ``mark_approved`` (target < 2 s in all); baseline: the same rows with a raw
  asyncpg ``executemany`` INSERT and one ``UPDATE ... WHERE id = ANY($1)``.
- ``fetch_submitted_document_by_id`` on a 5 MB document (target < 50 ms); baseline: a raw
  asyncpg ``fetchval`` of the bytea.

Figures are medians of N runs; the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from ntro import subledger
from ntro.data import clear_cache, get_data_plane, start_embedded, stop_embedded
from ntro.ingest import fetch_submitted_document_by_id, insert_submitted_document
from ntro.subledger.types.expenses import ExpenseRow

ROWS = 10_000
DOC_BYTES = 5 * 1024 * 1024

_COLD = """
import json, sys, time
t = time.perf_counter()
from ntro.data import start_embedded
s = start_embedded(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

_WARM = """
import asyncio, json, os, sys, time
os.environ["NTRO_PG_DIR"] = sys.argv[1]  # the plane on the bench's server, not ./.ntro/pg
t = time.perf_counter()
from ntro.data import start_embedded, get_data_plane
start_embedded(sys.argv[1])
attach = time.perf_counter() - t
async def first_query():
    db = await get_data_plane("bench")
    return await db.fetchval("SELECT count(*) FROM system.schema_migrations")
asyncio.run(first_query())
print(json.dumps({"attach": attach, "first_query": time.perf_counter() - t}))
"""


def _child(code: str, folder: Path, **env: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_ever() -> float:
    root = Path(tempfile.mkdtemp(prefix="ntro-bench-"))
    try:
        return _child(_COLD, root / "pg", NTRO_PG_TEMPLATE_DIR=str(root / "template"))["seconds"]
    finally:
        stop_embedded(root / "pg")
        shutil.rmtree(root, ignore_errors=True)


def cold_and_warm(runs: int) -> tuple[list[float], list[float], list[float], list[float]]:
    cold, stop, attach, first = [], [], [], []
    for _ in range(runs):
        root = Path(tempfile.mkdtemp(prefix="ntro-bench-"))
        folder = root / "pg"
        try:
            cold.append(_child(_COLD, folder)["seconds"])
            for _ in range(3):
                warm = _child(_WARM, folder)
                attach.append(warm["attach"])
                first.append(warm["first_query"])
            started = time.perf_counter()
            stop_embedded(folder)
            stop.append(time.perf_counter() - started)
        finally:
            stop_embedded(folder)
            shutil.rmtree(root, ignore_errors=True)
    return cold, attach, first, stop


async def rows_bench(runs: int) -> tuple[list[float], list[float], list[float], list[float]]:
    db = await get_data_plane("bench")
    ours_insert, ours_approve, raw_insert, raw_approve = [], [], [], []
    for _ in range(runs):
        task = uuid.uuid4().hex
        handle = subledger.open(name="expenses", entity_id="bench", task_id=task, db=db)
        started = time.perf_counter()
        rows = [
            ExpenseRow(
                entity_id="bench",
                task_id=task,
                period="2024-03",
                vendor=f"Vendor {i}",
                amount_gross="12.50",
                vat_amount="2.08",
                expense_date="2024-03-05",
                source_ref=f"row:{i}",
            )
            for i in range(ROWS)
        ]
        ids = await handle.insert(rows)
        inserted = time.perf_counter()
        moved = await handle.mark_approved(ids=ids)
        ours_insert.append(inserted - started)
        ours_approve.append(time.perf_counter() - inserted)
        assert moved == ROWS, moved

        raw_task = uuid.uuid4().hex
        async with db.connection() as conn:
            started = time.perf_counter()
            values = [
                (
                    uuid.uuid4(),
                    "bench",
                    raw_task,
                    "2024-03",
                    "PENDING",
                    f"Vendor {i}",
                    Decimal("12.50"),
                    Decimal("2.08"),
                    date(2024, 3, 5),
                    f"row:{i}",
                )
                for i in range(ROWS)
            ]
            await conn.executemany(
                "INSERT INTO ledgers.expenses (id, entity_id, task_id, period, status, vendor, "
                "amount_gross, vat_amount, expense_date, source_ref) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                values,
            )
            inserted = time.perf_counter()
            await conn.execute(
                "UPDATE ledgers.expenses SET status = 'APPROVED', approved_at = now() "
                "WHERE entity_id = 'bench' AND id = ANY($1::uuid[]) AND status = 'PENDING'",
                [v[0] for v in values],
            )
            raw_insert.append(inserted - started)
            raw_approve.append(time.perf_counter() - inserted)
    return ours_insert, ours_approve, raw_insert, raw_approve


async def fetch_bench(samples: int) -> tuple[list[float], list[float]]:
    db = await get_data_plane("bench")
    document = await insert_submitted_document(
        db,
        entity_slug="bench",
        period="2024-03",
        source="bench",
        filename="big.pdf",
        content_type="application/pdf",
        data_bytes=os.urandom(DOC_BYTES),
        task_id=None,
    )
    ours, raw = [], []
    for _ in range(samples):
        started = time.perf_counter()
        found = await fetch_submitted_document_by_id(db, document_ref=document.id)
        ours.append(time.perf_counter() - started)
        assert found is not None and len(found.data_bytes) == DOC_BYTES
        started = time.perf_counter()
        data = await db.fetchval(
            "SELECT data_bytes FROM ingest.submitted_documents WHERE id = $1::uuid", document.id
        )
        raw.append(time.perf_counter() - started)
        assert len(data) == DOC_BYTES
    return ours, raw


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    cold, attach, first, stop = cold_and_warm(args.runs)
    initdb = first_ever()

    root = Path(tempfile.mkdtemp(prefix="ntro-bench-"))
    os.environ["NTRO_PG_DIR"] = str(root / "pg")
    start_embedded()
    try:
        ours_insert, ours_approve, raw_insert, raw_approve = asyncio.run(rows_bench(args.runs))
        clear_cache()
        fetch_ours, fetch_raw = asyncio.run(fetch_bench(max(10, args.runs * 5)))
        clear_cache()
    finally:
        stop_embedded()
        shutil.rmtree(root, ignore_errors=True)

    total = [a + b for a, b in zip(ours_insert, ours_approve, strict=True)]
    raw_total = [a + b for a, b in zip(raw_insert, raw_approve, strict=True)]
    print(f"ntro data plane bench: medians of {args.runs} runs (PostgreSQL from pgserver)")
    print(f"{'measure':<46} {'ntro':>11}  {'target':>9}  {'baseline (raw asyncpg)':>24}")
    print(f"{'cold start (new folder, cached cluster)':<46} {_ms(cold)}  {'< 2000 ms':>9}")
    print(f"{'  first ever on this machine (initdb), 1 run':<46} {_ms([initdb])}")
    print(f"{'warm attach, second process':<46} {_ms(attach)}  {'< 300 ms':>9}")
    print(f"{'  ... plus get_data_plane and first query':<46} {_ms(first)}")
    print(f"{'stop (fast shutdown)':<46} {_ms(stop)}")
    print(f"{'10,000 rows: insert':<46} {_ms(ours_insert)}  {'':>9}  {_ms(raw_insert)} executemany")
    print(
        f"{'10,000 rows: PENDING -> APPROVED':<46} {_ms(ours_approve)}  {'':>9}  "
        f"{_ms(raw_approve)} UPDATE ANY"
    )
    print(f"{'10,000 rows: insert + approve':<46} {_ms(total)}  {'< 2000 ms':>9}  {_ms(raw_total)}")
    print(
        f"{'fetch_submitted_document_by_id, 5 MB':<46} {_ms(fetch_ours)}  {'< 50 ms':>9}  "
        f"{_ms(fetch_raw)} fetchval"
    )


if __name__ == "__main__":
    main()
