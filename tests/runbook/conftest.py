"""Helpers that write small runbook bundles into a temporary directory."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

FRONT_MATTER = """\
---
slug: {slug}
name: Document ingest
version: "1.0.0"
state: draft
author: ops@example.com
steps:
  - id: upload
    label: Upload statement
    component: FILE_UPLOAD
    responsibility: accountant
    timeout_minutes: 60
  - id: review
    label: Review lines
    component: DATA_TABLE
    responsibility: accountant
    timeout_minutes: 1440
---

# Document ingest

Body text.
"""

MODELS = """\
from __future__ import annotations

from pydantic import BaseModel


class Ctx(BaseModel):
    period: str = "2026-01"
"""

ACTIVITIES = """\
from __future__ import annotations

from ntro.workflow import activity

from .models import Ctx


@activity.defn(name="{slug}.load")
async def load(ctx: Ctx) -> str:
    return ctx.period
"""

WORKFLOW = """\
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, activity, runbook

from .activities import load
from .models import Ctx


@activity.defn(name="{slug}.local_helper")
async def local_helper(value: str) -> str:
    return value


@runbook.defn
class {cls}(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._doc: dict[str, Any] | None = None

    @runbook.signal
    def document_submitted(self, payload: dict[str, Any] | None = None) -> None:
        self._doc = dict(payload or {{}})

    @runbook.step(name="upload", title="Upload statement", icon="Upload")
    async def upload(self, ctx: Ctx) -> str:
        await self.await_signal_with_action(
            predicate=lambda: self._doc is not None,
            action={{"kind": "submit_file", "args": {{"signal_name": "document_submitted"}}}},
        )
        return await runbook.execute_activity(load, ctx, start_to_close_timeout=timedelta(minutes=1))

    @runbook.step(name="review", title="Review lines", icon="Table")
    async def review(self, period: str) -> bool:
        decision = await self.wait_for_action(
            payload={{"lines": [{{"id": "L1", "amount": 1.0}}]}},
            display_hint={{"component": "DATA_TABLE", "config": {{}}}},
        )
        return decision.approved

    @runbook.run
    async def run(self, ctx: Ctx) -> bool:
        period = await self.upload(ctx)
        return await self.review(period)
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MakeBundle = Callable[..., Path]


@pytest.fixture
def make_bundle(tmp_path: Path) -> MakeBundle:
    """``make_bundle(dirname, slug=..., front_matter=..., workflow=..., files={...})``."""

    def make(
        dirname: str = "document-ingest",
        *,
        slug: str = "document-ingest",
        cls: str = "DocumentIngestWorkflow",
        front_matter: str | None = None,
        workflow: str | None = None,
        files: dict[str, str] | None = None,
        init: bool = True,
    ) -> Path:
        root = tmp_path / dirname
        write(root / "runbook.md", (front_matter or FRONT_MATTER).replace("{slug}", slug))
        if init:
            write(root / "templates" / "__init__.py", "")
        write(root / "templates" / "models.py", MODELS)
        write(root / "templates" / "activities.py", ACTIVITIES.format(slug=slug))
        write(
            root / "templates" / "workflow.py",
            workflow if workflow is not None else WORKFLOW.format(slug=slug, cls=cls),
        )
        for rel, text in (files or {}).items():
            write(root / rel, text)
        return root

    return make
