"""Reliability suites: CI sizes by default, long mode with NTRO_LONG=1."""

from __future__ import annotations

import os

import pytest

LONG = os.environ.get("NTRO_LONG") == "1"


def size(ci: int, long: int) -> int:
    """How many cases or trials a suite runs in this mode."""
    return long if LONG else ci


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Print a suite's figures even under ``pytest -q`` (they go in docs/reliability.md)."""

    def emit(line: str) -> None:
        with capsys.disabled():
            print(f"\n[reliability] {line}")

    return emit
