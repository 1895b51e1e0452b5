"""runbook.md front matter: what parses, and what an author reads when it does not."""

from __future__ import annotations

import pytest

from ntro.runbook import (
    Issue,
    RunbookError,
    RunbookFrontMatter,
    parse_runbook_md,
    read_front_matter,
    workflow_class_name,
)

VALID = """\
---
id: rb-001
slug: nav-monthly
name: NAV monthly
description: Month-end NAV for a fund.
classification: fund-accounting
tags: [nav, month-end]
jurisdictions: [LU]
version: 1.2
visibility: tenant
state: published
author: ops@example.com
owner_team: fund-ops
steps:
  - id: period_open
    label: Open period
    component: LOADING
    responsibility: system
    timeout_minutes: 5
    activity: nav-monthly.open_period
  - id: signoff
    label: NAV sign-off
    component: APPROVAL_FORM
    responsibility: reviewer
    timeout_minutes: 1440
    config: {approvers: 2}
    description: Two people sign off.
templates:
  - path: templates/workflow.py
    description: the workflow
config_schema:
  global:
    currency: {type: string}
  steps:
    signoff: {approvers: {type: integer}}
---

# NAV monthly

Steps for the accountant.
"""


def steps_block(timeout: str = "60", extra: str = "") -> str:
    return f"""\
---
slug: s
name: S
version: "1"
state: draft
author: a
steps:
  - id: upload
    label: Upload
    component: FILE_UPLOAD
    responsibility: accountant
    timeout_minutes: 30
  - id: review
    label: Review
    component: DATA_TABLE
    responsibility: accountant
    timeout_minutes: {timeout}
{extra}---
body
"""


def error_of(text: str, filename: str = "runbooks/s/runbook.md") -> RunbookError:
    with pytest.raises(RunbookError) as info:
        parse_runbook_md(text, filename=filename)
    return info.value


def warnings_of(text: str) -> tuple[RunbookFrontMatter, list[Issue]]:
    """The front matter loads; returns it with its warnings (and asserts there is no error)."""
    model, _body, issues = read_front_matter(text, "runbooks/s/runbook.md")
    assert model is not None, [i.message for i in issues]
    assert all(i.severity == "warning" for i in issues)
    parse_runbook_md(text)  # loading does not stop on warnings either
    return model, issues


def test_valid_front_matter_and_body() -> None:
    fm, body = parse_runbook_md(VALID)
    assert isinstance(fm, RunbookFrontMatter)
    assert (fm.slug, fm.name, fm.state, fm.author) == (
        "nav-monthly",
        "NAV monthly",
        "published",
        "ops@example.com",
    )
    assert fm.version == "1.2"  # YAML read a float; the version is text
    fm, _ = parse_runbook_md(VALID.replace("version: 1.2", "version: 1.10"))
    assert fm.version == "1.10"  # as written, not the float 1.1
    assert fm.tags == ["nav", "month-end"] and fm.jurisdictions == ["LU"]
    assert fm.step_ids == ["period_open", "signoff"]
    assert fm.steps[0].activity == "nav-monthly.open_period"
    assert fm.steps[1].config == {"approvers": 2}
    assert fm.templates[0].path == "templates/workflow.py"
    assert fm.config_schema is not None
    assert fm.config_schema.global_ == {"currency": {"type": "string"}}
    assert fm.config_schema.model_dump(by_alias=True)["global"] == {"currency": {"type": "string"}}
    assert fm.config_schema.steps["signoff"] == {"approvers": {"type": "integer"}}
    assert body.startswith("# NAV monthly")
    assert "Steps for the accountant." in body


def test_unknown_keys_are_kept() -> None:
    fm, _ = parse_runbook_md(VALID)
    assert fm.model_extra == {"owner_team": "fund-ops"}


def test_missing_required_keys_are_all_named_with_the_fix() -> None:
    err = error_of("---\nslug: s\nname: S\nstate: draft\n---\n")
    message = str(err)
    assert message.startswith("runbooks/s/runbook.md")
    assert "'version'" in message and "'author'" in message
    assert "add `author: " in message
    assert {i.key for i in err.issues} == {"version", "author"}
    assert all(i.code == "NTRO003" for i in err.issues)


def test_runbook_error_is_a_value_error() -> None:
    assert issubclass(RunbookError, ValueError)


@pytest.mark.parametrize("bad", ["0", "-5", "'30'", "1.5", "true"])
def test_a_bad_timeout_is_a_warning_and_ignored(bad: str) -> None:
    fm, issues = warnings_of(steps_block(timeout=bad))
    assert [(i.code, i.key, i.line) for i in issues] == [
        ("NTRO004", "steps[1] (review).timeout_minutes", 17)  # the line of the bad value
    ]
    assert "positive whole number of minutes" in issues[0].message
    assert "ignored until fixed" in issues[0].message
    assert fm.steps[1].timeout_minutes is None and fm.steps[0].timeout_minutes == 30


def test_step_missing_metadata_is_a_warning_naming_the_step() -> None:
    text = steps_block().replace("    component: DATA_TABLE\n", "")
    fm, issues = warnings_of(text)
    assert [(i.code, i.key) for i in issues] == [("NTRO015", "steps[1] (review)")]
    assert "has no component" in issues[0].message and "`component: " in issues[0].message
    assert fm.step_ids == ["upload", "review"] and fm.steps[1].component is None


def test_steps_that_are_not_mappings() -> None:
    head = "---\nslug: s\nname: S\nversion: '1'\nstate: d\nauthor: a\n"
    fm, issues = warnings_of(head + "steps: upload\n---\n")
    assert fm.steps == [] and "'steps' must be a list" in issues[0].message
    fm, issues = warnings_of(head + "steps: [upload, review]\n---\n")
    assert fm.step_ids == ["upload", "review"]  # a bare entry is the step's id
    assert {i.code for i in issues} == {"NTRO015"}
    fm, issues = warnings_of(head + "steps: [[1, 2], {id: review}]\n---\n")
    assert fm.step_ids == ["review"]
    assert "'steps[0]' must be a mapping" in issues[0].message


def test_duplicate_step_ids_warn() -> None:
    _fm, issues = warnings_of(steps_block().replace("id: review", "id: upload"))
    assert [i.code for i in issues] == ["NTRO005"]
    assert "step id 'upload' is used by steps[0] and steps[1]" in issues[0].message


FLOW = """\
---
slug: nav-monthly
name: NAV monthly
version: 2
state: draft
author: ops@example.com
steps:
  - {id: period_open, label: Open period, component: LOADING}
  - {id: check_tb, label: Verify starting TB, component: DATA_TABLE, approvers: 2}
  - {id: summary}
---
body
"""


def test_steps_in_flow_style_with_partial_metadata() -> None:
    fm, issues = warnings_of(FLOW)
    assert fm.step_ids == ["period_open", "check_tb", "summary"]
    assert fm.steps[1].model_extra == {"approvers": 2}  # unknown step keys are kept
    assert fm.version == "2"
    by_key = {(i.code, i.key): i for i in issues}
    assert set(by_key) == {
        ("NTRO015", "steps[0] (period_open)"),
        ("NTRO015", "steps[1] (check_tb)"),
        ("NTRO015", "steps[2] (summary)"),
        ("NTRO016", "steps[1] (check_tb).approvers"),
    }
    assert "has no label, component, responsibility, timeout_minutes" in (
        by_key[("NTRO015", "steps[2] (summary)")].message
    )
    assert by_key[("NTRO016", "steps[1] (check_tb).approvers")].line == 9


def test_only_the_five_required_keys() -> None:
    fm, issues = warnings_of("---\nslug: s\nname: S\nversion: 1.0\nstate: draft\nauthor: a\n---\n")
    assert issues == [] and fm.steps == [] and fm.version == "1.0"


def test_unknown_top_level_keys_warn_and_suggest_the_spelling() -> None:
    text = VALID.replace("description:", "descripton:")
    fm, issues = warnings_of(text)
    assert fm.model_extra == {"owner_team": "fund-ops", "descripton": "Month-end NAV for a fund."}
    messages = {i.key: i.message for i in issues}
    assert "did you mean 'description'?" in messages["descripton"]
    assert "kept as written" in messages["owner_team"]


def test_a_bad_optional_top_level_value_is_ignored_not_fatal() -> None:
    fm, issues = warnings_of(VALID.replace("tags: [nav, month-end]", "tags: {a: 1}"))
    assert fm.tags == [] and ("NTRO004", "tags") in [(i.code, i.key) for i in issues]


def test_invalid_slug() -> None:
    err = error_of("---\nslug: Document Ingest\nname: S\nversion: '1'\nstate: d\nauthor: a\n---\n")
    assert "'Document Ingest' is not a valid slug" in str(err)
    assert "document-ingest" in str(err)


def test_no_front_matter() -> None:
    err = error_of("# Just markdown\n")
    assert err.code == "NTRO002"
    assert "must start with a line '---'" in str(err)


def test_unclosed_front_matter() -> None:
    err = error_of("---\nslug: s\nname: S\n")
    assert "never closed" in str(err)
    assert "add a line '---'" in str(err)


def test_yaml_syntax_error_gives_the_line() -> None:
    err = error_of("---\nslug: s\nname: S\n  bad: [unclosed\nversion: '1'\n---\n")
    assert err.code == "NTRO002"
    assert "not valid YAML" in str(err)
    assert err.line is not None and 3 <= err.line <= 6


def test_front_matter_that_is_not_a_mapping() -> None:
    err = error_of("---\n- a\n- b\n---\n")
    assert "not a mapping" in str(err)
    err = error_of("---\n---\nbody\n")
    assert "is empty" in str(err)


def test_windows_newlines_and_bom() -> None:
    fm, body = parse_runbook_md("\ufeff" + VALID.replace("\n", "\r\n"))
    assert fm.slug == "nav-monthly"
    assert body.startswith("# NAV monthly")


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("document-ingest", "DocumentIngestWorkflow"),
        ("nav_monthly", "NavMonthlyWorkflow"),
        ("bank-rec-2", "BankRec2Workflow"),
        ("simple", "SimpleWorkflow"),
    ],
)
def test_workflow_class_name(slug: str, name: str) -> None:
    assert workflow_class_name(slug) == name
