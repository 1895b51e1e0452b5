"""The extract cache's table tier, as a fresh worker meets it: a hit read from
``system.cache_extract`` is the miss's result exactly (values, line-item column order, scores),
marked ``cache == "hit"`` and ``cache_tier == "data_plane"``; a row written without the packed
copy (an older ntro, or by hand) still hits from ``result``; a damaged row is extracted again
and overwritten, with a warning, never an error."""

from __future__ import annotations

import logging
import zlib
from typing import Any

import pytest

from ntro.capabilities import ai, files
from ntro.data import PostgresDataPlane
from tests.fixtures.statement_pdf import statement_lines, statement_pdf


@pytest.fixture
async def request_kwargs() -> dict[str, Any]:
    grid = await files.parse(content=statement_pdf(statement_lines(40)), format="pdf")
    return {
        "content": grid.plain_text,
        "schema_slug": "bank_statement",
        "structured_context": {"cell_grid": grid.cells},
    }


async def fresh_worker_extract(kwargs: dict[str, Any]) -> ai.ExtractionResult:
    ai.forget_cached_in_memory()  # a fresh worker: only the table remembers
    return await ai.extract(**kwargs)


def same_result(a: ai.ExtractionResult, b: ai.ExtractionResult) -> None:
    assert a.fields == b.fields and a.summary == b.summary
    assert a.confidence_scores == b.confidence_scores
    assert a.line_items == b.line_items
    # The review table shows columns in the line items' own order: the table tier keeps it.
    assert [list(item) for item in a.line_items] == [list(item) for item in b.line_items]


async def test_a_fresh_worker_hits_the_table_with_the_misses_result(
    with_tenant: PostgresDataPlane, request_kwargs: dict[str, Any]
) -> None:
    miss = await ai.extract(**request_kwargs)
    hit = await fresh_worker_extract(request_kwargs)
    assert miss.raw_response["cache"] == "miss"
    assert hit.raw_response["cache"] == "hit" and hit.raw_response["cache_tier"] == "data_plane"
    same_result(hit, miss)
    row = await with_tenant.fetchrow(
        "SELECT key, schema_slug, result, result_packed IS NOT NULL AS packed "
        "FROM system.cache_extract"
    )
    assert row["key"] == hit.raw_response["cache_key"] and row["packed"]
    assert row["schema_slug"] == "bank_statement"
    assert row["result"]["line_items"] == miss.line_items  # still queryable as jsonb
    # A caller changing its hit changes no later one.
    hit.line_items[0]["description"] = "changed by the caller"
    again = await ai.extract(**request_kwargs)
    assert again.raw_response["cache_tier"] == "memory"
    assert again.line_items[0]["description"] == miss.line_items[0]["description"]


async def test_a_row_without_its_packed_copy_still_hits_from_result(
    with_tenant: PostgresDataPlane, request_kwargs: dict[str, Any]
) -> None:
    miss = await ai.extract(**request_kwargs)
    await with_tenant.execute("UPDATE system.cache_extract SET result_packed = NULL")
    hit = await fresh_worker_extract(request_kwargs)
    assert hit.raw_response["cache"] == "hit" and hit.raw_response["cache_tier"] == "data_plane"
    assert hit.line_items == miss.line_items and hit.fields == miss.fields


@pytest.mark.parametrize(
    "damage",
    [b"\x01\x02", zlib.compress(b'{"name": "not a result"}')],
    ids=["not-compressed", "not-a-result"],
)
async def test_a_damaged_row_is_extracted_again_and_overwritten(
    with_tenant: PostgresDataPlane,
    request_kwargs: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    damage: bytes,
) -> None:
    miss = await ai.extract(**request_kwargs)
    await with_tenant.execute("UPDATE system.cache_extract SET result_packed = $1", damage)
    caplog.set_level(logging.WARNING, logger="ntro.capabilities.ai._cache")
    again = await fresh_worker_extract(request_kwargs)
    assert again.raw_response["cache"] == "miss"
    assert "is not a result" in caplog.text and "extracting again" in caplog.text
    same_result(again, miss)
    repaired = await fresh_worker_extract(request_kwargs)
    assert repaired.raw_response["cache_tier"] == "data_plane"
    same_result(repaired, miss)
