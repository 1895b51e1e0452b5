"""Runbook bundles: ``runbook.md`` front matter, loading the templates, validation, scaffolding.

A bundle is a directory::

    <slug>/runbook.md               YAML front matter + markdown body
    <slug>/templates/__init__.py    workflow.py, activities.py, models.py
    <slug>/tests/scenarios.py       optional custom scenarios

:func:`load_bundle` imports it (its templates may use relative imports) and finds the workflow
class; :func:`validate_bundle` lists its problems without running it; :func:`scaffold_bundle`
writes a new one. Only ``slug``, ``name``, ``version``, ``state`` and ``author`` are required
in the front matter; step metadata is optional (validate warns when it is missing).
"""

from ntro.runbook._errors import CODES, Issue, RunbookError, Severity
from ntro.runbook._frontmatter import parse_runbook_md, read_front_matter, read_runbook_md
from ntro.runbook._loader import (
    BUNDLES_PACKAGE,
    RunbookBundle,
    bundle_dir_of,
    load_bundle,
    load_scenarios,
)
from ntro.runbook._models import (
    REQUIRED_KEYS,
    STEP_METADATA_KEYS,
    ConfigSchema,
    RunbookFrontMatter,
    StepSpec,
    TemplateRef,
    workflow_class_name,
)
from ntro.runbook._scaffold import scaffold_bundle
from ntro.runbook._validate import Problem, validate_bundle

__all__ = [
    "BUNDLES_PACKAGE",
    "CODES",
    "REQUIRED_KEYS",
    "STEP_METADATA_KEYS",
    "ConfigSchema",
    "Issue",
    "Problem",
    "RunbookBundle",
    "RunbookError",
    "RunbookFrontMatter",
    "Severity",
    "StepSpec",
    "TemplateRef",
    "bundle_dir_of",
    "load_bundle",
    "load_scenarios",
    "parse_runbook_md",
    "read_front_matter",
    "read_runbook_md",
    "scaffold_bundle",
    "validate_bundle",
    "workflow_class_name",
]
