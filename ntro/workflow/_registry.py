"""The slug registry: which runbook class a ``run_child_workflow(slug=...)`` starts."""

from __future__ import annotations

import re

from ntro.workflow._errors import WorkflowError

_registry: dict[str, type] = {}


def slug_for_class(cls: type) -> str:
    """``DocumentIngestWorkflow`` -> ``document-ingest`` (or the class's ``__ntro_slug__``)."""
    explicit = getattr(cls, "__ntro_slug__", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    base = cls.__name__.removesuffix("Workflow") or cls.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "-", base).lower()


def register_workflow(slug: str, cls: type) -> type:
    """Register ``cls`` as the runbook started for ``slug``; returns ``cls``.

    Registering the same class twice is harmless; re-registering a slug replaces it (a
    notebook redefining a runbook). The class remembers its slug.
    """
    if not isinstance(slug, str) or not slug.strip():
        raise ValueError(f"register_workflow: slug must be a non-empty string, got {slug!r}")
    if not isinstance(cls, type):
        raise TypeError(f"register_workflow({slug!r}, ...) expects a workflow class, got {cls!r}")
    _registry[slug] = cls
    if "__ntro_slug__" not in cls.__dict__:
        type.__setattr__(cls, "__ntro_slug__", slug)
    return cls


def unregister_workflow(slug: str) -> None:
    _registry.pop(slug, None)


def registered_slugs() -> list[str]:
    return sorted(_registry)


def resolve_slug(slug: str) -> type:
    """The class registered for ``slug``, or a :class:`WorkflowError` listing what is registered."""
    try:
        return _registry[slug]
    except KeyError:
        known = ", ".join(registered_slugs()) or "none"
        raise WorkflowError(
            f"no runbook is registered under slug {slug!r} (registered: {known}). Register it "
            f"with register_workflow({slug!r}, YourWorkflow), or pass it to "
            f"WorkflowHarness(child_workflows=[...]) / `ntro workflow test --child DIR`.",
            type="UnknownSlug",
        ) from None
