"""Errors raised while reading or loading a runbook bundle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ntro._errors import NtroError

__all__ = ["Issue", "RunbookError", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a file: a stable code, the key (if any), and a message with the fix.

    An ``error`` stops loading; a ``warning`` (optional metadata missing, an unknown key kept,
    a bad value in an optional key that is then ignored) never does.
    """

    code: str
    message: str
    key: str | None = None
    line: int | None = None
    severity: Severity = "error"


class RunbookError(NtroError, ValueError):
    """A bundle or its ``runbook.md`` is not usable. The message names the file, key and fix.

    ``issues`` lists every problem found (front matter validation reports all of them at once);
    ``file``, ``key``, ``line`` and ``code`` describe the first.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
        code: str = "NTRO000",
        issues: list[Issue] | None = None,
    ) -> None:
        self.file = file
        self.key = key
        self.line = line
        self.code = code
        self.issues = issues or [Issue(code=code, message=message, key=key, line=line)]
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(f"{where}{message}")

    @classmethod
    def from_issues(cls, file: str, issues: list[Issue]) -> RunbookError:
        first = issues[0]
        if len(issues) == 1:
            message = first.message
        else:
            message = f"{len(issues)} problems in the front matter: " + "; ".join(
                i.message for i in issues
            )
        return cls(
            message, file=file, key=first.key, line=first.line, code=first.code, issues=issues
        )


# Stable problem codes (``ntro runbook validate`` prints them; the README lists them).
NOT_A_BUNDLE = "NTRO001"
FRONT_MATTER_SYNTAX = "NTRO002"
MISSING_KEY = "NTRO003"
BAD_VALUE = "NTRO004"
DUPLICATE_STEP = "NTRO005"
MISSING_TEMPLATE = "NTRO006"
NO_TEMPLATES_PACKAGE = "NTRO007"
IMPORT_FAILED = "NTRO008"
NO_WORKFLOW_CLASS = "NTRO009"
STEP_NOT_IN_WORKFLOW = "NTRO010"
STEP_NOT_IN_FRONT_MATTER = "NTRO011"
STEP_ORDER = "NTRO012"
SCENARIOS_FAILED = "NTRO013"
BAD_STEP_DEFINITIONS = "NTRO014"
STEP_METADATA_MISSING = "NTRO015"
UNKNOWN_KEY = "NTRO016"

CODES: dict[str, str] = {
    NOT_A_BUNDLE: "not a runbook bundle (no runbook.md)",
    FRONT_MATTER_SYNTAX: "front matter missing, not YAML, or not a mapping",
    MISSING_KEY: "a required front matter key is missing",
    BAD_VALUE: "a front matter key has the wrong type or value",
    DUPLICATE_STEP: "two front matter steps share an id",
    MISSING_TEMPLATE: "a file listed under templates does not exist",
    NO_TEMPLATES_PACKAGE: "templates/__init__.py is missing",
    IMPORT_FAILED: "the templates package raised an error on import",
    NO_WORKFLOW_CLASS: "the workflow class was not found",
    STEP_NOT_IN_WORKFLOW: "a front matter step has no @ui_step in the workflow",
    STEP_NOT_IN_FRONT_MATTER: "a @ui_step of the workflow is not listed in the front matter",
    STEP_ORDER: "front matter steps and @ui_step order differ",
    SCENARIOS_FAILED: "tests/scenarios.py raised an error on import",
    BAD_STEP_DEFINITIONS: "the workflow's @ui_step declarations are invalid",
    STEP_METADATA_MISSING: "a front matter step lacks optional metadata (warning)",
    UNKNOWN_KEY: "a front matter key ntro does not know; it is kept (warning)",
}
