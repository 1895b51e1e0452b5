"""Fixtures for the example runbooks under notebooks/: their paths, loaded bundles, and a
document store and ledger in a temporary folder for each test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ntro.documents import DocumentStore
from ntro.runbook import RunbookBundle, load_bundle

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
RUNBOOKS = NOTEBOOKS / "runbooks"
DATA = NOTEBOOKS / "data"
INGEST = RUNBOOKS / "document-ingest"
CLOSE = RUNBOOKS / "month-end-close"


@dataclass
class Workdir:
    """Where a test's uploads and commits live."""

    store: DocumentStore
    ledger: Path

    def dirs(self) -> dict[str, Any]:
        """The run-input fields that point a runbook at this folder."""
        return {"document_store_dir": str(self.store.root), "ledger_dir": str(self.ledger)}


@pytest.fixture
def workdir(tmp_path: Path) -> Workdir:
    return Workdir(DocumentStore(tmp_path / "documents"), tmp_path / "ledger")


@pytest.fixture(scope="session")
def ingest_bundle() -> RunbookBundle:
    return load_bundle(INGEST)


@pytest.fixture(scope="session")
def close_bundle() -> RunbookBundle:
    return load_bundle(CLOSE)
