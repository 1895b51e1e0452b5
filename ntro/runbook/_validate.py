"""``validate_bundle``: every problem of a bundle, each with a stable code, file and fix.

Errors are what the published validator refuses (a required key, the bundle's files, code that
does not import) and what stops loading; warnings are optional metadata (step keys, steps that
do not match the workflow's ``@ui_step``s, unknown keys): reported, never blocking.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ntro.runbook._errors import (
    BAD_STEP_DEFINITIONS,
    MISSING_TEMPLATE,
    NO_TEMPLATES_PACKAGE,
    NOT_A_BUNDLE,
    STEP_NOT_IN_FRONT_MATTER,
    STEP_NOT_IN_WORKFLOW,
    STEP_ORDER,
    RunbookError,
    Severity,
)
from ntro.runbook._frontmatter import read_front_matter, split_front_matter
from ntro.runbook._loader import (
    find_workflow_class,
    import_templates,
    load_scenarios,
    workflow_module_of,
)

__all__ = ["Problem", "validate_bundle"]


@dataclass(frozen=True)
class Problem:
    """One problem of a bundle: a stable ``code``, the ``file`` and a ``message`` with the fix.

    ``str()`` gives ``"{file}: {code} {message}"`` for an error and
    ``"{file}: warning {code} {message}"`` for a warning. When the line is known it is in
    ``line`` and the message starts with ``"line N: "``.
    """

    code: str
    file: str
    message: str
    line: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        mark = "warning " if self.severity == "warning" else ""
        return f"{self.file}: {mark}{self.code} {self.message}"


def _issue_problem(
    code: str, file: str, message: str, line: int | None, severity: Severity = "error"
) -> Problem:
    return Problem(code, file, f"line {line}: {message}" if line else message, line, severity)


def _from_error(err: RunbookError, default_file: str) -> list[Problem]:
    file = err.file or default_file
    return [_issue_problem(i.code, file, i.message, i.line, i.severity) for i in err.issues]


def _template_exists(bundle_dir: Path, ref: str) -> bool:
    candidates = [bundle_dir / ref, bundle_dir / "templates" / ref]
    return any(c.exists() for c in candidates)


def validate_bundle(
    path: str | Path,
    workflow_class: str | None = None,
    *,
    warnings: bool = False,
    strict: bool = False,
) -> list[Problem]:
    """Check a bundle without running it; an empty list means it loads and runs.

    Errors: runbook.md exists and its front matter parses; the required keys (slug, name,
    version, state, author) are there and well-formed; listed templates exist;
    templates/__init__.py exists; the workflow imports and its class is found; its ``@ui_step``
    declarations are valid; ``tests/scenarios.py`` (when present) imports.

    Warnings, returned only with ``warnings=True`` (severity ``"warning"``): a step lacks
    optional metadata (label, component, responsibility, timeout_minutes) or has a bad value
    there; an unknown key (kept); the front matter ``steps`` and the class's ``@ui_step`` ids
    differ (either way, or in order). ``strict=True`` returns them as errors.
    """
    problems = _validate(path, workflow_class)
    if strict:
        return [replace(p, severity="error") for p in problems]
    if warnings:
        return problems
    return [p for p in problems if p.severity == "error"]


def _validate(path: str | Path, workflow_class: str | None) -> list[Problem]:
    shown = Path(path)
    runbook_md = str(shown / "runbook.md")
    if not shown.is_dir():
        return [
            Problem(NOT_A_BUNDLE, str(shown), "no such directory: pass a runbook bundle directory")
        ]
    if not (shown / "runbook.md").is_file():
        return [
            Problem(
                NOT_A_BUNDLE,
                runbook_md,
                "missing: a runbook bundle needs runbook.md with YAML front matter "
                "(scaffold one with `ntro runbook new SLUG`)",
            )
        ]
    bundle_dir = shown.resolve()
    problems: list[Problem] = []
    try:
        text = (shown / "runbook.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [Problem(NOT_A_BUNDLE, runbook_md, f"cannot be read ({err}); save it as UTF-8")]
    front_matter, _body, issues = read_front_matter(text, runbook_md)
    problems += [_issue_problem(i.code, runbook_md, i.message, i.line, i.severity) for i in issues]

    # Even when the front matter has errors, check what can be read of it.
    raw = _raw_front_matter(text) if front_matter is None else None
    template_paths = (
        [ref.path for ref in front_matter.templates]
        if front_matter is not None
        else _raw_list(raw, "templates", "path")
    )
    for index, ref_path in enumerate(template_paths):
        if ref_path is not None and not _template_exists(bundle_dir, ref_path):
            problems.append(
                Problem(
                    MISSING_TEMPLATE,
                    runbook_md,
                    f"templates[{index}].path '{ref_path}' does not exist in the bundle: "
                    f"create the file or fix the path (relative to the bundle directory)",
                )
            )

    templates_init = shown / "templates" / "__init__.py"
    if not templates_init.is_file():
        problems.append(
            Problem(
                NO_TEMPLATES_PACKAGE,
                str(templates_init),
                "missing: the templates folder must be a Python package; create an empty "
                "templates/__init__.py",
            )
        )
        return problems

    if front_matter is not None:
        slug = front_matter.slug
        listed: list[str] | None = front_matter.step_ids
    else:
        raw_slug = raw.get("slug") if raw is not None else None
        slug = raw_slug if isinstance(raw_slug, str) and raw_slug else bundle_dir.name
        ids = _raw_list(raw, "steps", "id")
        listed = [i for i in ids if i is not None] if ids and None not in ids else None
    if not listed:
        listed = None  # no steps listed: nothing to compare with the workflow
    try:
        package = import_templates(bundle_dir, slug, reload=True)
        module = workflow_module_of(package)
        cls = find_workflow_class(module, slug, workflow_class)
    except RunbookError as err:
        return _relative_files(problems + _from_error(err, str(templates_init)), shown, bundle_dir)

    workflow_file = str(shown / "templates" / Path(module.__file__ or "__init__.py").name)
    try:
        from ntro.workflow import step_definitions

        declared = [s.id for s in step_definitions(cls)]
    except Exception as err:  # RunbookDefinitionError and friends
        problems.append(Problem(BAD_STEP_DEFINITIONS, workflow_file, f"{cls.__name__}: {err}"))
        declared = None

    if listed is not None and declared is not None:
        problems += _compare_steps(listed, declared, cls.__name__, runbook_md)

    try:
        load_scenarios(bundle_dir, slug, reload=True)
    except RunbookError as err:
        problems += _from_error(err, str(shown / "tests" / "scenarios.py"))
    return _relative_files(problems, shown, bundle_dir)


def _raw_front_matter(text: str) -> dict[str, Any] | None:
    try:
        yaml_text, _body, _line = split_front_matter(text)
        data = yaml.safe_load(yaml_text)
    except (RunbookError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _raw_list(raw: dict[str, Any] | None, key: str, field: str) -> list[str | None]:
    """``[entry[field] ...]`` of a raw front matter list (None for unreadable entries)."""
    entries = raw.get(key) if raw is not None else None
    if not isinstance(entries, list):
        return []
    out: list[str | None] = []
    for entry in entries:
        value = entry.get(field) if isinstance(entry, dict) else None
        out.append(value if isinstance(value, str) else None)
    return out


def _compare_steps(
    listed: list[str], declared: list[str], cls_name: str, file: str
) -> list[Problem]:
    problems: list[Problem] = []
    for step_id in listed:
        if step_id not in declared:
            problems.append(
                Problem(
                    STEP_NOT_IN_WORKFLOW,
                    file,
                    f"step '{step_id}' is listed in the front matter but {cls_name} has no "
                    f'@ui_step(name="{step_id}"); add the step to the workflow or remove it '
                    f"from `steps` (workflow steps: {', '.join(declared) or 'none'})",
                    severity="warning",
                )
            )
    for step_id in declared:
        if step_id not in listed:
            problems.append(
                Problem(
                    STEP_NOT_IN_FRONT_MATTER,
                    file,
                    f"{cls_name} declares @ui_step '{step_id}' but the front matter `steps` "
                    f"does not list it; add `- id: {step_id}` to `steps`",
                    severity="warning",
                )
            )
    in_listed = [s for s in listed if s in declared]
    in_declared = [s for s in declared if s in listed]
    if in_listed != in_declared:
        problems.append(
            Problem(
                STEP_ORDER,
                file,
                f"steps are in a different order than in {cls_name} (breadcrumb order is "
                f"class-definition order): front matter {', '.join(in_listed)}; workflow "
                f"{', '.join(in_declared)}. Reorder `steps` to match",
                severity="warning",
            )
        )
    return problems


def _relative_files(problems: list[Problem], shown: Path, bundle_dir: Path) -> list[Problem]:
    """Report files under the path the user typed, not the resolved absolute one."""
    out = []
    for p in problems:
        file = p.file
        try:
            rel = Path(file).relative_to(bundle_dir)
            file = str(shown / rel)
        except ValueError:
            pass
        out.append(replace(p, file=file))
    return out
