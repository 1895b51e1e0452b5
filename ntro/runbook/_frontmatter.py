"""Split ``runbook.md`` into YAML front matter and markdown body, and validate the front matter.

As in the published validator, only :data:`~ntro.runbook.REQUIRED_KEYS` are required: a problem
with one of them is an error. Everything else is optional metadata: a missing step key, an
unknown key (kept) or a bad value in an optional key (then ignored) is a warning, which
``ntro runbook validate`` prints (``--strict`` makes them errors) and loading never stops on.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ntro.runbook._errors import (
    BAD_VALUE,
    DUPLICATE_STEP,
    FRONT_MATTER_SYNTAX,
    MISSING_KEY,
    STEP_METADATA_MISSING,
    UNKNOWN_KEY,
    Issue,
    RunbookError,
)
from ntro.runbook._models import REQUIRED_KEYS, STEP_METADATA_KEYS, RunbookFrontMatter, StepSpec

__all__ = [
    "front_matter_issues",
    "parse_runbook_md",
    "read_front_matter",
    "read_runbook_md",
    "split_front_matter",
]

_FENCE = "---"
_EXAMPLES = {
    "slug": "slug: document-ingest",
    "name": "name: Document ingest",
    "version": 'version: "1.0.0"',
    "state": "state: draft",
    "author": "author: finance-ops@example.com",
    "id": "- id: upload",
    "label": "label: Upload statement",
    "component": "component: FILE_UPLOAD",
    "responsibility": "responsibility: accountant",
    "timeout_minutes": "timeout_minutes: 60",
    "path": "- path: templates/workflow.py",
}
_FENCE_HELP = (
    "runbook.md must start with a line '---', then YAML keys "
    f"({', '.join(REQUIRED_KEYS)}), then a line '---', then the markdown body"
)


def split_front_matter(text: str, filename: str = "runbook.md") -> tuple[str, str, int]:
    """Return ``(yaml_text, body, first_yaml_line)`` (1-based line of the first YAML line)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].rstrip() != _FENCE:
        raise RunbookError(
            f"no YAML front matter: {_FENCE_HELP}",
            file=filename,
            code=FRONT_MATTER_SYNTAX,
            line=start + 1 if start < len(lines) else None,
        )
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() in (_FENCE, "..."):
            yaml_text = "\n".join(lines[start + 1 : end])
            body = "\n".join(lines[end + 1 :]).lstrip("\n")
            return yaml_text, body, start + 2
    raise RunbookError(
        f"the front matter opened on line {start + 1} is never closed: add a line '---' after "
        f"the last YAML key",
        file=filename,
        code=FRONT_MATTER_SYNTAX,
        line=start + 1,
    )


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """0-based line of the YAML node at ``loc`` (or of its deepest existing parent)."""
    node = root
    line = node.start_mark.line if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line
    return line


def _key_path(loc: tuple[Any, ...], data: Any) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    # Name the step by id when we can: `steps[1] (review).timeout_minutes`.
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = data.get("steps") if isinstance(data, dict) else None
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            step_id = steps[loc[1]].get("id")
            if isinstance(step_id, str):
                out = out.replace(f"steps[{loc[1]}]", f"steps[{loc[1]}] ({step_id})", 1)
    return out


def _describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _issue_for(error: dict[str, Any], data: Any) -> tuple[str, str]:
    """(code, message with fix) for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    key = _key_path(loc, data)
    leaf = loc[-1] if loc else ""
    kind = error.get("type", "")
    value = error.get("input")
    if kind == "missing":
        example = _EXAMPLES.get(str(leaf), f"{leaf}: ...")
        where = "the front matter" if len(loc) == 1 else _key_path(loc[:-1], data)
        return MISSING_KEY, f"missing required key '{key}': add `{example}` to {where}"
    if leaf == "timeout_minutes" and kind in ("greater_than", "int_type", "int_parsing"):
        return BAD_VALUE, (
            f"'{key}' must be a positive whole number of minutes, got {_describe(value)}: "
            f"write e.g. `timeout_minutes: 60`"
        )
    if loc == ("steps",) and kind == "list_type":
        return BAD_VALUE, (
            f"'steps' must be a list of mappings (`- id: upload` ...), got {_describe(value)}"
        )
    if len(loc) == 2 and loc[0] in ("steps", "templates") and kind in ("model_type", "dict_type"):
        needed = ", ".join(STEP_METADATA_KEYS) if loc[0] == "steps" else "path, description"
        return BAD_VALUE, (f"'{key}' must be a mapping with keys {needed}; got {_describe(value)}")
    if kind == "string_type":
        return BAD_VALUE, f"'{key}' must be text, got {_describe(value)}: quote the value"
    if kind in ("list_type",):
        return BAD_VALUE, f"'{key}' must be a list (`- item` lines), got {_describe(value)}"
    if kind in ("dict_type", "model_type"):
        return (
            BAD_VALUE,
            f"'{key}' must be a mapping (indented `key: value` lines), got {_describe(value)}",
        )
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return BAD_VALUE, f"'{key}': {message}"


def _numbers_as_written(data: dict[str, Any], root: yaml.Node | None) -> dict[str, Any]:
    """Keep ``version: 1.10`` as the text "1.10" (YAML would read the float 1.1)."""
    if not isinstance(root, yaml.MappingNode):
        return data
    out = dict(data)
    for key_node, value_node in root.value:
        key = getattr(key_node, "value", None)
        if (
            key in ("version", "id")
            and isinstance(value_node, yaml.ScalarNode)
            and isinstance(out.get(key), int | float)
            and not isinstance(out.get(key), bool)
        ):
            out[key] = value_node.value
    return out


def _line(root: yaml.Node | None, loc: tuple[Any, ...], first_line: int) -> int | None:
    node_line = _node_line(root, loc) if loc else None
    return None if node_line is None else node_line + first_line


def _steps_as_mappings(
    data: dict[str, Any], root: yaml.Node | None, first_line: int, issues: list[Issue]
) -> dict[str, Any]:
    """``steps`` as a list of mappings: a bare ``- upload`` is a step id; anything else that
    is not a mapping is ignored with a warning."""
    steps = data.get("steps")
    if steps is None or "steps" not in data:
        return data
    out = dict(data)
    if not isinstance(steps, list):
        issues.append(
            Issue(
                BAD_VALUE,
                f"'steps' must be a list of mappings (`- id: upload` ...), got "
                f"{_describe(steps)}; the steps are ignored until fixed",
                key="steps",
                line=_line(root, ("steps",), first_line),
                severity="warning",
            )
        )
        del out["steps"]
        return out
    kept: list[Any] = []
    for index, step in enumerate(steps):
        if isinstance(step, dict):
            kept.append(step)
        elif isinstance(step, str | int) and not isinstance(step, bool):
            kept.append({"id": str(step)})
        else:
            issues.append(
                Issue(
                    BAD_VALUE,
                    f"'steps[{index}]' must be a mapping such as `- {{id: upload, label: "
                    f"Upload}}`, got {_describe(step)}; the entry is ignored until fixed",
                    key=f"steps[{index}]",
                    line=_line(root, ("steps", index), first_line),
                    severity="warning",
                )
            )
            kept.append(None)
    out["steps"] = kept
    return out


def _without(data: dict[str, Any], locs: list[tuple[Any, ...]]) -> dict[str, Any]:
    """``data`` minus the optional values pydantic refused (a step's key, else the top key)."""
    out = copy.deepcopy(data)
    for loc in locs:
        if len(loc) >= 3 and loc[0] == "steps" and isinstance(loc[1], int):
            step = out["steps"][loc[1]]
            if isinstance(step, dict):
                step.pop(loc[2], None)
        elif loc:
            out.pop(loc[0], None)
    if isinstance(out.get("steps"), list):
        out["steps"] = [step for step in out["steps"] if step is not None]
    return out


def _validation_errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    """pydantic's errors for the top-level keys and for each step, located in ``data``."""
    errors: list[dict[str, Any]] = []
    try:
        RunbookFrontMatter.model_validate({k: v for k, v in data.items() if k != "steps"})
    except ValidationError as err:
        errors += [dict(e) for e in err.errors()]
    steps = data.get("steps")
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if step is None:
            continue
        try:
            StepSpec.model_validate(step)
        except ValidationError as err:
            errors += [{**e, "loc": ("steps", index, *e["loc"])} for e in err.errors()]
    return errors


def _unknown(key: str, known: list[str], where: str) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key '{key}' in {where} is kept as written (ntro does not read it){hint}"


def _metadata_issues(data: dict[str, Any], root: yaml.Node | None, first_line: int) -> list[Issue]:
    """Warnings: unknown keys (top level and steps), missing step metadata, duplicate ids."""
    issues: list[Issue] = []
    top_known = [f.alias or name for name, f in RunbookFrontMatter.model_fields.items()]
    for key in data:
        if isinstance(key, str) and key not in top_known:
            issues.append(
                Issue(
                    UNKNOWN_KEY,
                    _unknown(key, top_known, "the front matter"),
                    key=key,
                    line=_line(root, (key,), first_line),
                    severity="warning",
                )
            )
    step_known = list(StepSpec.model_fields)
    steps = data.get("steps")
    seen: dict[str, int] = {}
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        step_id = step.get("id")
        name = f"steps[{index}]" + (f" ({step_id})" if isinstance(step_id, str) else "")
        line = _line(root, ("steps", index), first_line)
        missing = [key for key in STEP_METADATA_KEYS if step.get(key) is None]
        if missing:
            examples = ", ".join(f"`{_EXAMPLES[key].removeprefix('- ')}`" for key in missing)
            issues.append(
                Issue(
                    STEP_METADATA_MISSING,
                    f"{name} has no {', '.join(missing)} (optional; the Tenant UI shows "
                    f"them): add e.g. {examples}",
                    key=name,
                    line=line,
                    severity="warning",
                )
            )
        for key in step:
            if isinstance(key, str) and key not in step_known:
                issues.append(
                    Issue(
                        UNKNOWN_KEY,
                        _unknown(key, step_known, name),
                        key=f"{name}.{key}",
                        line=_line(root, ("steps", index, key), first_line),
                        severity="warning",
                    )
                )
        if isinstance(step_id, str):
            if step_id in seen:
                issues.append(
                    Issue(
                        DUPLICATE_STEP,
                        f"step id '{step_id}' is used by steps[{seen[step_id]}] and "
                        f"steps[{index}]: give each step a unique id",
                        key=f"steps[{index}].id",
                        line=line,
                        severity="warning",
                    )
                )
            else:
                seen[step_id] = index
    return issues


def front_matter_issues(
    data: Any, root: yaml.Node | None = None, first_line: int = 1
) -> tuple[RunbookFrontMatter | None, list[Issue]]:
    """Validate parsed YAML; return the model and every issue found, errors and warnings.

    The model is None when there is an error (a required key missing or wrong); warnings
    never withhold it: optional values that do not validate are left out of it.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        return None, [
            Issue(
                FRONT_MATTER_SYNTAX,
                f"the front matter is {kind}, not a mapping of keys: write `key: value` lines "
                f"({', '.join(REQUIRED_KEYS)} are required)",
                line=first_line,
            )
        ]
    issues: list[Issue] = []
    data = _steps_as_mappings(_numbers_as_written(data, root), root, first_line, issues)
    ignored: list[tuple[Any, ...]] = []
    for error in _validation_errors(data):
        loc = tuple(error.get("loc", ()))
        code, message = _issue_for(error, data)
        # A missing top-level key has no line; a missing step key points at its step.
        where = loc[:-1] if error.get("type") == "missing" else loc
        required = bool(loc) and loc[0] in REQUIRED_KEYS
        if not required:
            ignored.append(loc)
            message += " (optional: the value is ignored until fixed)"
        issues.append(
            Issue(
                code,
                message,
                key=_key_path(loc, data) or None,
                line=_line(root, where, first_line),
                severity="error" if required else "warning",
            )
        )
    model: RunbookFrontMatter | None = None
    if not any(i.severity == "error" for i in issues):
        model = RunbookFrontMatter.model_validate(_without(data, ignored))
    issues += _metadata_issues(data, root, first_line)
    return model, issues


def read_front_matter(
    text: str, filename: str = "runbook.md"
) -> tuple[RunbookFrontMatter | None, str, list[Issue]]:
    """Parse without raising: ``(model or None, body, issues)``; issues include warnings."""
    try:
        yaml_text, body, first_line = split_front_matter(text, filename)
    except RunbookError as err:
        return None, "", list(err.issues)
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + first_line if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        return (
            None,
            body,
            [
                Issue(
                    FRONT_MATTER_SYNTAX,
                    f"the front matter is not valid YAML ({problem}): check indentation and quote "
                    f"values containing ':' or '#'",
                    line=line,
                )
            ],
        )
    model, issues = front_matter_issues(data, root, first_line)
    return model, body, issues


def parse_runbook_md(text: str, *, filename: str = "runbook.md") -> tuple[RunbookFrontMatter, str]:
    """Split and validate ``runbook.md`` text. Raises :class:`RunbookError` naming every error;
    warnings (optional metadata) do not stop it."""
    model, body, issues = read_front_matter(text, filename)
    if model is None:
        raise RunbookError.from_issues(filename, [i for i in issues if i.severity == "error"])
    return model, body


def read_runbook_md(path: str | Path) -> tuple[RunbookFrontMatter, str]:
    """Read and parse a ``runbook.md`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RunbookError(
            "file not found: a runbook bundle needs a runbook.md with YAML front matter "
            "(create one with `ntro runbook new SLUG`)",
            file=str(path),
            code="NTRO001",
        ) from None
    return parse_runbook_md(text, filename=str(path))
