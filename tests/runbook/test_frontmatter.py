"""runbook.md front matter: what parses, and what an author reads when it does not."""

from __future__ import annotations

import pytest

from ntro.runbook import RunbookError, RunbookFrontMatter, parse_runbook_md, workflow_class_name

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
def test_timeout_minutes_must_be_a_positive_whole_number(bad: str) -> None:
    err = error_of(steps_block(timeout=bad))
    assert err.key == "steps[1] (review).timeout_minutes"
    assert "positive whole number of minutes" in str(err)
    assert err.line == 17  # the line of the bad value in runbook.md
    assert "runbooks/s/runbook.md:17:" in str(err)


def test_step_missing_a_key_names_the_step() -> None:
    text = steps_block().replace("    component: DATA_TABLE\n", "")
    err = error_of(text)
    assert err.key == "steps[1] (review).component"
    assert "add `component: FILE_UPLOAD`" in str(err) or "add `component:" in str(err)


def test_steps_must_be_a_list_of_mappings() -> None:
    err = error_of("---\nslug: s\nname: S\nversion: '1'\nstate: d\nauthor: a\nsteps: upload\n---\n")
    assert "'steps' must be a list" in str(err)
    err = error_of(
        "---\nslug: s\nname: S\nversion: '1'\nstate: d\nauthor: a\nsteps: [upload]\n---\n"
    )
    assert "'steps[0]' must be a mapping" in str(err)
    assert "timeout_minutes" in str(err)


def test_duplicate_step_ids() -> None:
    text = steps_block().replace("id: review", "id: upload")
    err = error_of(text)
    assert err.code == "NTRO005"
    assert "step id 'upload' is used by steps[0] and steps[1]" in str(err)


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
