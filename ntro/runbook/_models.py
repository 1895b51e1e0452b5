"""The ``runbook.md`` front matter, as pydantic models (COMPAT.md section 4).

Only the five keys of :data:`REQUIRED_KEYS` are required, as in the published validator; every
other key, and every key of a step, is optional metadata. Unknown keys are kept
(``extra="allow"``): bundles written for other tools carry their own keys and must still load.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ConfigSchema",
    "REQUIRED_KEYS",
    "RunbookFrontMatter",
    "SLUG_PATTERN",
    "STEP_METADATA_KEYS",
    "StepSpec",
    "TemplateRef",
    "workflow_class_name",
]

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)

REQUIRED_KEYS = ("slug", "name", "version", "state", "author")
# What the Tenant UI shows for a step. `ntro runbook validate` warns when one is missing.
STEP_METADATA_KEYS = ("id", "label", "component", "responsibility", "timeout_minutes")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


PositiveInt = Annotated[int, Field(strict=True, gt=0)]


class StepSpec(_Lenient):
    """One entry of the front matter's ``steps``: a breadcrumb step as the UI describes it.

    Every key is optional: published bundles omit step metadata freely.
    """

    id: str | None = Field(default=None, min_length=1)
    label: str | None = None
    component: str | None = None
    responsibility: str | None = None
    timeout_minutes: PositiveInt | None = None
    activity: str | None = None
    config: dict[str, Any] | None = None
    description: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # `- id: 1` is a step id, not a number.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


class TemplateRef(_Lenient):
    """One entry of ``templates``: a file of the bundle and what it is for."""

    path: str = Field(min_length=1)
    description: str | None = None


class ConfigSchema(_Lenient):
    """``config_schema``: settings for the whole runbook (``global``) and per step."""

    global_: dict[str, Any] = Field(default_factory=dict, alias="global")
    steps: dict[str, Any] = Field(default_factory=dict)


class RunbookFrontMatter(_Lenient):
    """The YAML front matter of ``runbook.md``."""

    id: str | None = None
    slug: str
    name: str
    description: str | None = None
    classification: str | None = None
    tags: list[str] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)
    version: str
    visibility: str | None = None
    state: str
    author: str
    steps: list[StepSpec] = Field(default_factory=list)
    templates: list[TemplateRef] = Field(default_factory=list)
    config_schema: ConfigSchema | None = None

    @field_validator("version", "id", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        # YAML reads `version: 1` as an int and `version: 1.2` as a float.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, value: str) -> str:
        if not _SLUG_RE.match(value):
            raise ValueError(
                f"{value!r} is not a valid slug: use lower-case letters, digits and single "
                f"hyphens, e.g. 'document-ingest'"
            )
        return value

    @field_validator("tags", "jurisdictions", mode="before")
    @classmethod
    def _single_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def step_ids(self) -> list[str]:
        return [step.id for step in self.steps if step.id is not None]


def workflow_class_name(slug: str) -> str:
    """The class a bundle's workflow module defines: ``document-ingest`` -> ``DocumentIngestWorkflow``."""
    parts = [p for p in re.split(r"[-_\s]+", slug) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) + "Workflow"
