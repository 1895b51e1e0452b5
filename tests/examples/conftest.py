"""Fixtures for the example runbooks under notebooks/: their paths, loaded bundles, and a
document store and artifacts folder (``ntro.capabilities.storage``, where document-ingest keeps
its audit copies) in a temporary folder for each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ntro.capabilities import config
from ntro.documents import DocumentStore
from ntro.runbook import RunbookBundle, load_bundle

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
RUNBOOKS = NOTEBOOKS / "runbooks"
DATA = NOTEBOOKS / "data"
INGEST = RUNBOOKS / "document-ingest"
CLOSE = RUNBOOKS / "month-end-close"


@dataclass
class Workdir:
    """Where a test's uploads and artifacts live."""

    store: DocumentStore
    artifacts: Path

    def dirs(self) -> dict[str, Any]:
        """The run-input fields that point a runbook at this folder's uploads."""
        return {"document_store_dir": str(self.store.root)}


@pytest.fixture(autouse=True)
def artifacts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test's ``$NTRO_ARTIFACTS_DIR`` (what ``storage`` writes to), never ~/.ntro."""
    folder = tmp_path / "artifacts"
    monkeypatch.setenv("NTRO_ARTIFACTS_DIR", str(folder))
    config.reset()
    yield folder
    config.reset()


@pytest.fixture
def workdir(tmp_path: Path, artifacts: Path) -> Workdir:
    return Workdir(DocumentStore(tmp_path / "documents"), artifacts)


@pytest.fixture(scope="session")
def ingest_bundle() -> RunbookBundle:
    return load_bundle(INGEST)


@pytest.fixture(scope="session")
def close_bundle() -> RunbookBundle:
    return load_bundle(CLOSE)
