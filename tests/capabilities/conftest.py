"""Every capability test runs with its own artifacts and trace folders and a fresh config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ntro.capabilities import ai, config


@pytest.fixture(autouse=True)
def capability_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[config.WorkerConfig]:
    for name in [n for names in config.ENV_VARS.values() for n in names] + ["NTRO_CONFIG_FILE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NTRO_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("NTRO_TRACE_DIR", str(tmp_path / "traces"))
    monkeypatch.setenv("NTRO_AI_CACHE", "0")
    config.reset()
    ai.use_config(None)
    yield config.get()
    config.reset()
    ai.use_config(None)


@pytest.fixture
def with_tenant(tenant_db, monkeypatch: pytest.MonkeyPatch):
    """The fresh tenant database as the configured tenant, with the extract cache on."""
    monkeypatch.setenv("NTRO_TENANT_SLUG", tenant_db.tenant_slug)
    monkeypatch.setenv("NTRO_AI_CACHE", "1")
    config.reset()
    return tenant_db
