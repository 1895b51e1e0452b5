"""Shared fixtures: one time-skipping Temporal test server per test session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from ntro._binaries import test_server_path
from ntro.data.testing import (  # noqa: F401  (data plane fixtures)
    embedded_pg,
    isolated_pg_dir,
    tenant_db,
)
from ntro.testing import quiet_runtime


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's in-memory time-skipping server, from the pip-installed binary."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path(),
        data_converter=pydantic_data_converter,
        runtime=quiet_runtime(),
    )
    async with env:
        yield env
