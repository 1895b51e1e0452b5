"""Bundles written for the published SDK load, validate and test here unchanged.

Three bundles as third parties write them against the published API: steps in YAML flow style
with partial metadata (facade style), steps in block style with only ids and labels (Temporal
style), and a front matter with only the five required keys. Each must pass
``ntro runbook validate`` (warnings allowed, ``--strict`` fails where metadata is missing),
load through ``load_runbook`` and ``%ntro load`` (the kernel session), and pass
``ntro workflow test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ntro.cli import run
from ntro.runbook import validate_bundle
from ntro.testing import load_runbook

FLOW_MD = """\
---
slug: cash-count
name: Cash count
version: 0.2
state: draft
author: treasury@example.com
reviewers: [controller]
steps:
  - {id: count, label: Count the till, component: LOADING}
  - {id: confirm, label: Confirm the count, component: APPROVAL_FORM, sla: 2h}
---
Count the cash and have it confirmed.
"""

FLOW_WORKFLOW = """\
from datetime import timedelta

from pydantic import BaseModel

from ntro.workflow import NtroWorkflow, activity, runbook


class Count(BaseModel):
    total: float
    notes: int


@activity.defn(name="cash-count.count")
async def count_till(till: str) -> Count:
    return Count(total=0.0, notes=0)


@runbook.defn
class CashCountWorkflow(NtroWorkflow):
    @runbook.step(name="count", title="Count the till")
    async def count(self) -> Count:
        return await runbook.execute_activity(
            count_till, "till-1", start_to_close_timeout=timedelta(minutes=1)
        )

    @runbook.step(name="confirm", title="Confirm the count")
    async def confirm(self, counted: Count) -> bool:
        response = await self.wait_for_action(
            payload=counted.model_dump(), display_hint={"type": "cash_count"}
        )
        return response.action == "approved"

    @runbook.run
    async def run(self) -> bool:
        return await self.confirm(await self.count())
"""

BLOCK_MD = """\
---
slug: tb-check
name: Trial balance check
version: "3.1.0"
state: published
author: close-team@example.com
steps:
  - id: await_tb
    label: Trial balance
  - id: verify
    label: Verify balances
---
Waits for the trial balance, then verifies it.
"""

BLOCK_WORKFLOW = """\
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field
from temporalio import activity, workflow

from ntro.workflow import NtroWorkflow, ui_step


class TbContext(BaseModel):
    period: str = Field(pattern=r"^\\d{4}-\\d{2}$")
    entity_slug: str


class Verified(BaseModel):
    balanced: bool
    accounts: int = Field(gt=0)


@activity.defn
async def verify_tb(ctx: TbContext) -> Verified:
    return Verified(balanced=True, accounts=1)


@workflow.defn
class TbCheckWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._tb_received = False

    @workflow.signal
    def tb_submitted(self, payload: dict[str, Any] | None = None) -> None:
        self._tb_received = True

    @ui_step(name="await_tb", title="Trial balance", icon="Upload")
    async def _await(self, ctx: TbContext) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self._tb_received,
            action="awaiting_document_submission",
            display_hint={"source": "trial_balance", "filename_pattern": "tb_*.csv"},
        )

    @ui_step(name="verify", title="Verify balances", icon="ClipboardCheck")
    async def _verify(self, ctx: TbContext) -> Verified:
        return await workflow.execute_activity(
            verify_tb, ctx, start_to_close_timeout=timedelta(minutes=2)
        )

    @workflow.run
    async def run(self, ctx: TbContext) -> Verified:
        await self._await(ctx)
        return await self._verify(ctx)
"""

MINIMAL_MD = """\
---
slug: sign-off
name: Sign-off
version: 1
state: draft
author: cfo@example.com
---
"""

MINIMAL_WORKFLOW = """\
from temporalio import workflow

from ntro.workflow import NtroWorkflow, ui_step


@workflow.defn
class SignOffWorkflow(NtroWorkflow):
    @ui_step(name="sign", title="Sign off")
    async def _sign(self) -> str:
        response = await self.wait_for_action(payload={"nav": 1.0}, display_hint={})
        return str(response.action)

    @workflow.run
    async def run(self) -> str:
        return await self._sign()
"""

BUNDLES = {
    "flow": ("cash-count", FLOW_MD, FLOW_WORKFLOW),
    "block": ("tb-check", BLOCK_MD, BLOCK_WORKFLOW),
    "minimal": ("sign-off", MINIMAL_MD, MINIMAL_WORKFLOW),
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("published")
    out = {}
    for style, (slug, runbook_md, workflow) in BUNDLES.items():
        (root / slug / "templates").mkdir(parents=True)
        (root / slug / "runbook.md").write_text(runbook_md)
        (root / slug / "templates" / "__init__.py").write_text("")
        (root / slug / "templates" / "workflow.py").write_text(workflow)
        out[style] = root / slug
    return out


@pytest.mark.parametrize("style", BUNDLES)
def test_validate_passes_and_strict_names_the_missing_metadata(
    style: str, bundles: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = bundles[style]
    assert validate_bundle(bundle) == []
    assert run(["runbook", "validate", str(bundle)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith(f"✓ {bundle}: valid runbook '{BUNDLES[style][0]}'")
    strict = run(["runbook", "validate", "--strict", str(bundle)])
    captured = capsys.readouterr()
    if style == "minimal":
        assert strict == 0 and out == [out[-1]]  # nothing to warn about
    else:
        assert strict == 1
        assert "NTRO015" in captured.out and "(--strict)" in captured.err
        assert all(line.split(": ", 1)[1].startswith("warning ") for line in out[:-1])


def test_unknown_keys_are_warned_about_and_kept(bundles: dict[str, Path]) -> None:
    warnings = [str(p) for p in validate_bundle(bundles["flow"], warnings=True)]
    assert any("unknown key 'reviewers'" in w for w in warnings)
    assert any("unknown key 'sla'" in w for w in warnings)


@pytest.mark.parametrize("style", BUNDLES)
def test_load_runbook(style: str, bundles: dict[str, Path]) -> None:
    cls, activities = load_runbook(bundles[style])
    assert cls.__name__ == {"flow": "CashCountWorkflow", "block": "TbCheckWorkflow"}.get(
        style, "SignOffWorkflow"
    )
    assert len(activities) == (0 if style == "minimal" else 1)


@pytest.mark.parametrize("style", BUNDLES)
def test_workflow_test_passes(
    style: str, bundles: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["workflow", "test", str(bundles[style])])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1] == "summary: 2 passed, 0 failed (of 2)"


@pytest.fixture(scope="module")
def session() -> Iterator[object]:
    from ntro_jupyter import Session

    session = Session("harness", reviewer="alice")
    yield session
    session.close()


@pytest.mark.parametrize("style", BUNDLES)
def test_ntro_load_in_a_notebook(style: str, bundles: dict[str, Path], session: object) -> None:
    runbook = session.load(bundles[style])  # type: ignore[attr-defined]
    assert runbook.slug == BUNDLES[style][0]
