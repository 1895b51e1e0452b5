"""scaffold_bundle (``ntro runbook new``): the new bundle validates, loads and runs as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ntro.runbook import (
    RunbookError,
    load_bundle,
    parse_runbook_md,
    scaffold_bundle,
    validate_bundle,
)
from ntro.workflow import step_definitions

EXPECTED_FILES = [
    "runbook.md",
    "templates/__init__.py",
    "templates/activities.py",
    "templates/models.py",
    "templates/workflow.py",
    "tests/scenarios.py",
]


def test_scaffold_writes_a_complete_bundle(tmp_path: Path) -> None:
    target, files = scaffold_bundle(
        "cash-rec", tmp_path, name="Cash: reconciliation", author="Ann O'Neil"
    )
    assert target == tmp_path / "cash-rec"
    assert sorted(f.relative_to(target).as_posix() for f in files) == EXPECTED_FILES
    fm, body = parse_runbook_md((target / "runbook.md").read_text())
    assert (fm.slug, fm.name, fm.author, fm.state) == (
        "cash-rec",
        "Cash: reconciliation",
        "Ann O'Neil",
        "draft",
    )
    assert body.startswith("# Cash: reconciliation")
    assert "{{" not in "".join(f.read_text() for f in files)


def test_scaffold_validates_and_steps_match(tmp_path: Path) -> None:
    target, _ = scaffold_bundle("month-end-close", tmp_path)
    assert validate_bundle(target) == []
    bundle = load_bundle(target)
    assert bundle.workflow_cls.__name__ == "MonthEndCloseWorkflow"
    assert [s.id for s in step_definitions(bundle.workflow_cls)] == bundle.front_matter.step_ids
    assert [s.label for s in bundle.front_matter.steps] == [
        s.title for s in step_definitions(bundle.workflow_cls)
    ]
    assert [fn.__name__ for fn in bundle.activities] == ["extract_lines", "summarise"]
    assert list(bundle.scenarios) == ["rejected_review"]
    source = (target / "templates" / "workflow.py").read_text()
    assert 'signal_name": "document_submitted"' in source
    assert "@runbook.signal\n    def document_submitted" in source
    assert '"component": "DATA_TABLE"' in source and "wait_for_action" in source


def test_scaffold_is_lint_clean(tmp_path: Path) -> None:
    target, _ = scaffold_bundle("lint-me", tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--isolated",
            "--select",
            "E,F,W,B,UP",
            "--target-version",
            "py311",
            "--line-length",
            "100",
            str(target),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def test_scaffold_runs_its_scenarios(tmp_path: Path) -> None:
    from ntro.testing import run_bundle

    target, _ = scaffold_bundle("statement-ingest", tmp_path)
    results = await run_bundle(target, scenario_names=["happy", "reject_all", "rejected_review"])
    assert [(r.scenario, r.status) for r in results] == [
        ("happy", "completed"),
        ("reject_all", "completed"),
        ("rejected_review", "completed"),
    ], [r.error for r in results]

    def status(result: object) -> str:
        return result["status"] if isinstance(result, dict) else result.status  # type: ignore[attr-defined,index]

    # Activities are auto-mocked by the harness; a rejected review skips the summary activity.
    assert status(results[0].result) != "rejected"
    assert status(results[1].result) == "rejected"


def test_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "cash-rec").mkdir()
    (tmp_path / "cash-rec" / "notes.txt").write_text("mine")
    with pytest.raises(RunbookError, match="already exists and is not empty"):
        scaffold_bundle("cash-rec", tmp_path)
    assert sorted(p.name for p in (tmp_path / "cash-rec").iterdir()) == ["notes.txt"]
    target, _ = scaffold_bundle("cash-rec", tmp_path, force=True)
    assert (target / "runbook.md").is_file()


@pytest.mark.parametrize("slug", ["Cash Rec", "cash--rec", "-cash", "cash/rec", ""])
def test_rejects_invalid_slugs(tmp_path: Path, slug: str) -> None:
    with pytest.raises(RunbookError, match="not a valid slug"):
        scaffold_bundle(slug, tmp_path)
    assert list(tmp_path.iterdir()) == []
