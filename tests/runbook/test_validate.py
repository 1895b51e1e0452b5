"""validate_bundle: each problem an author can make, reported with its code, file and fix."""

from __future__ import annotations

from pathlib import Path

from ntro.runbook import CODES, Problem, validate_bundle
from tests.runbook.conftest import FRONT_MATTER, MakeBundle, write


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_a_valid_bundle_has_no_problems(make_bundle: MakeBundle) -> None:
    assert validate_bundle(make_bundle()) == []


def test_problem_str() -> None:
    assert str(Problem("NTRO010", "rb/runbook.md", "step 'x' missing")) == (
        "rb/runbook.md: NTRO010 step 'x' missing"
    )
    problem = Problem("NTRO008", "rb/templates/workflow.py", "line 7: boom", line=7)
    assert str(problem) == "rb/templates/workflow.py: NTRO008 line 7: boom"


def test_codes_are_distinct_and_documented() -> None:
    assert len(CODES) == len(set(CODES)) >= 14
    assert all(code.startswith("NTRO") and len(code) == 7 for code in CODES)


def test_not_a_bundle(tmp_path: Path) -> None:
    problems = validate_bundle(tmp_path)
    assert codes(problems) == ["NTRO001"]
    assert problems[0].file == str(tmp_path / "runbook.md")
    assert "ntro runbook new" in problems[0].message
    assert codes(validate_bundle(tmp_path / "missing")) == ["NTRO001"]


def test_files_are_reported_under_the_path_given(
    make_bundle: MakeBundle, tmp_path: Path, monkeypatch
) -> None:
    root = make_bundle(front_matter=FRONT_MATTER.replace("author: ops@example.com\n", ""))
    monkeypatch.chdir(tmp_path)
    problems = validate_bundle("document-ingest")
    assert [str(p) for p in problems] == [
        "document-ingest/runbook.md: NTRO003 missing required key 'author': add "
        "`author: finance-ops@example.com` to the front matter"
    ]
    (root / "templates" / "models.py").write_text("import not_installed_anywhere\n")
    problems = validate_bundle("document-ingest")
    assert str(problems[-1]).startswith(
        "document-ingest/templates/models.py: NTRO008 line 1: importing templates failed: "
        "ModuleNotFoundError"
    )


def test_step_metadata_problems_are_warnings(make_bundle: MakeBundle) -> None:
    text = FRONT_MATTER.replace("timeout_minutes: 60", "timeout_minutes: 0").replace(
        "    label: Review lines\n", ""
    )
    root = make_bundle(front_matter=text)
    assert validate_bundle(root) == []  # nothing that stops loading
    problems = validate_bundle(root, warnings=True)
    assert sorted(codes(problems)) == ["NTRO004", "NTRO015"]
    assert {p.severity for p in problems} == {"warning"}
    by_code = {p.code: p for p in problems}
    assert "steps[0] (upload).timeout_minutes" in by_code["NTRO004"].message
    assert by_code["NTRO004"].line == 12
    assert "steps[1] (review) has no label" in by_code["NTRO015"].message
    assert str(by_code["NTRO015"]).startswith(f"{root}/runbook.md: warning NTRO015 line ")
    strict = validate_bundle(root, strict=True)
    assert sorted(codes(strict)) == ["NTRO004", "NTRO015"]
    assert {p.severity for p in strict} == {"error"}


def test_unparseable_front_matter_still_checks_the_code(make_bundle: MakeBundle) -> None:
    root = make_bundle(front_matter="---\nslug: [oops\n---\n")
    write(root / "templates" / "workflow.py", "import does_not_exist_anywhere\n")
    problems = validate_bundle(root)
    assert codes(problems) == ["NTRO002", "NTRO008"]


def test_listed_templates_must_exist(make_bundle: MakeBundle) -> None:
    text = FRONT_MATTER.replace(
        "steps:\n",
        "templates:\n  - path: templates/workflow.py\n  - path: models.py\n"
        "  - path: templates/missing.py\n    description: gone\nsteps:\n",
    )
    problems = validate_bundle(make_bundle(front_matter=text))
    assert codes(problems) == ["NTRO006"]
    assert "templates[2].path 'templates/missing.py' does not exist" in problems[0].message


def test_missing_templates_init(make_bundle: MakeBundle) -> None:
    root = make_bundle(init=False)
    problems = validate_bundle(root)
    assert codes(problems) == ["NTRO007"]
    assert problems[0].file.endswith("templates/__init__.py")


def test_import_error_points_at_the_line(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    wf = root / "templates" / "workflow.py"
    wf.write_text(
        wf.read_text().replace("from .models import Ctx", "from .models import Ctx, Nope")
    )
    problems = validate_bundle(root)
    assert codes(problems) == ["NTRO008"]
    assert problems[0].file == str(root / "templates" / "workflow.py")
    assert problems[0].line == 9
    assert problems[0].message.startswith("line 9: ")
    assert "cannot import name 'Nope'" in problems[0].message


def test_workflow_class_not_found(make_bundle: MakeBundle) -> None:
    problems = validate_bundle(make_bundle(workflow="class Helper:\n    pass\n"))
    assert codes(problems) == ["NTRO009"]
    assert "classes found: Helper" in problems[0].message


def test_front_matter_step_missing_from_workflow(make_bundle: MakeBundle) -> None:
    text = FRONT_MATTER.replace(
        "---\n\n# Document",
        "  - id: post\n    label: Post\n    component: SUMMARY\n    responsibility: system\n"
        "    timeout_minutes: 5\n---\n\n# Document",
    )
    problems = validate_bundle(make_bundle(front_matter=text), warnings=True)
    assert {p.severity for p in problems} == {"warning"}
    assert codes(problems) == ["NTRO010"]
    assert "step 'post' is listed in the front matter" in problems[0].message
    assert 'no @ui_step(name="post")' in problems[0].message


def test_workflow_step_missing_from_front_matter(make_bundle: MakeBundle) -> None:
    text = FRONT_MATTER.replace(
        "  - id: review\n    label: Review lines\n    component: DATA_TABLE\n"
        "    responsibility: accountant\n    timeout_minutes: 1440\n",
        "",
    )
    problems = validate_bundle(make_bundle(front_matter=text), warnings=True)
    assert {p.severity for p in problems} == {"warning"}
    assert codes(problems) == ["NTRO011"]
    assert "declares @ui_step 'review'" in problems[0].message
    assert "add `- id: review`" in problems[0].message


def test_step_order(make_bundle: MakeBundle) -> None:
    upload = (
        "  - id: upload\n    label: Upload statement\n    component: FILE_UPLOAD\n"
        "    responsibility: accountant\n    timeout_minutes: 60\n"
    )
    text = FRONT_MATTER.replace(upload, "").replace(
        "---\n\n# Document", upload + "---\n\n# Document"
    )
    problems = validate_bundle(make_bundle(front_matter=text), warnings=True)
    assert {p.severity for p in problems} == {"warning"}
    assert codes(problems) == ["NTRO012"]
    assert "front matter review, upload; workflow upload, review" in problems[0].message


def test_duplicate_ui_step_names(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    wf = root / "templates" / "workflow.py"
    wf.write_text(wf.read_text().replace('name="review"', 'name="upload"'))
    problems = validate_bundle(root)
    assert "NTRO014" in codes(problems)


def test_scenarios_that_fail_to_import(make_bundle: MakeBundle) -> None:
    root = make_bundle(files={"tests/scenarios.py": "x = 1\nraise ValueError('bad scenario')\n"})
    problems = validate_bundle(root)
    assert codes(problems) == ["NTRO013"]
    assert problems[0].line == 2
    assert "bad scenario" in problems[0].message


def test_validate_sees_edits_without_restarting(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    assert validate_bundle(root) == []
    wf = root / "templates" / "workflow.py"
    wf.write_text(wf.read_text().replace('name="review"', 'name="check"'))
    assert sorted(codes(validate_bundle(root, warnings=True))) == ["NTRO010", "NTRO011"]


def test_steps_that_differ_from_the_workflow_do_not_stop_a_bundle(make_bundle: MakeBundle) -> None:
    text = FRONT_MATTER.replace("id: review", "id: check")
    root = make_bundle(front_matter=text)
    assert validate_bundle(root) == []
    assert sorted(codes(validate_bundle(root, strict=True))) == ["NTRO010", "NTRO011"]


def test_no_steps_listed_is_valid(make_bundle: MakeBundle) -> None:
    required_only = "---\nslug: {slug}\nname: N\nversion: 1\nstate: draft\nauthor: a\n---\n"
    assert validate_bundle(make_bundle(front_matter=required_only), strict=True) == []
