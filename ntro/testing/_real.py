"""Running a bundle's own activities in the harness (``--real-activities``).

Why: a runbook author wants to test the whole runbook on one machine, its activities reading
real files, the embedded data plane and the local capability backends, not auto-mocks. Each
scenario gets a clean tenant database (a new tenant slug, made the configured tenant for the run
and dropped afterwards), and the files a scenario names (``files={"bank_statement":
"data/jan.pdf"}``, keyed by an upload's source or signal name) are stored with
``insert_submitted_document`` before the harness answers the upload gate with their real
``document_ref``. The databases stay until the harness closes (a test can read what the run
committed, ``RunResult.tenant_slug`` names it), then they are dropped; an embedded server the
harness started is stopped then too (one that was already running is left alone).
"""

from __future__ import annotations

import mimetypes
import os
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ntro.testing._errors import HarnessError

TENANT_KEYS = ("tenant_slug", "tenant_id_or_slug", "tenant")


@asynccontextmanager
async def scenario_tenant() -> AsyncIterator[str]:
    """A fresh tenant database as ``$NTRO_TENANT_SLUG`` for one scenario (drop it with
    :func:`drop_tenant` when done with it)."""
    from ntro.capabilities import config
    from ntro.data import ENV_TENANT_SLUG, get_data_plane

    slug = f"harness_{uuid.uuid4().hex[:12]}"
    saved = os.environ.get(ENV_TENANT_SLUG)
    os.environ[ENV_TENANT_SLUG] = slug
    config.reset()
    try:
        await get_data_plane(slug)  # created and migrated before the run starts
        yield slug
    finally:
        if saved is None:
            os.environ.pop(ENV_TENANT_SLUG, None)
        else:
            os.environ[ENV_TENANT_SLUG] = saved
        config.reset()


async def drop_tenant(slug: str) -> None:
    """Drop the scenario's database when it lives on the embedded server (never on a server
    given by ``NTRO_TENANT_POSTGRES_URL``, which the harness does not own), after closing every
    pool on it, whichever event loop opened it (an activity's document store uses
    ``run_sync``'s background loop)."""
    from ntro.data import drop_tenant as drop

    await drop(slug)


def with_tenant(value: Any, slug: str) -> Any:
    """``value`` (a run input: a pydantic model or a dict) with its tenant fields set to
    ``slug``, so the run's activities use the scenario's clean database."""
    if isinstance(value, BaseModel):
        fields = {k: slug for k in TENANT_KEYS if k in type(value).model_fields}
        return value.model_copy(update=fields) if fields else value
    if isinstance(value, Mapping):
        return {**value, **{k: slug for k in TENANT_KEYS if k in value}}
    return value


def file_for(files: Mapping[str, Any], *keys: Any) -> Path | None:
    """The scenario file named by the first of ``keys`` (source, signal name) it has."""
    for key in keys:
        if key is not None and str(key) in files:
            return Path(files[str(key)]).expanduser()
    return None


async def store_file(
    path: Path,
    *,
    tenant_slug: str,
    source: str | None,
    schema_slug: str | None,
    args: Mapping[str, Any],
    task_id: str,
) -> dict[str, Any]:
    """Store ``path`` as a submitted document of the scenario's tenant; the upload document
    the harness signals (with the real ``document_ref``)."""
    from ntro.data import get_data_plane
    from ntro.ingest import insert_submitted_document

    try:
        data = path.read_bytes()
    except OSError as err:
        raise HarnessError(
            f"scenario file {str(path)!r} for upload {source!r} cannot be read ({err.strerror}); "
            f"fix the path in the scenario's files={{...}}"
        ) from None
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    entity = str(args.get("entity_id_or_slug") or args.get("entity_slug") or "harness-entity")
    db = await get_data_plane(tenant_slug)
    document = await insert_submitted_document(
        db,
        entity_slug=entity,
        period=args.get("period"),
        source=str(source or path.stem),
        filename=path.name,
        content_type=content_type,
        data_bytes=data,
        task_id=task_id,
    )
    return {
        "document_ref": document.id,
        "filename": path.name,
        "content_type": content_type,
        "size": len(data),
        "source": source,
        "schema_slug": schema_slug,
        "tenant_id_or_slug": tenant_slug,
        "tenant_slug": tenant_slug,
        "entity_id_or_slug": entity,
        "entity_slug": entity,
    }


def missing_file(scenario: str, source: Any, signal: str) -> HarnessError:
    """The error of a real-activities upload the scenario names no file for."""
    return HarnessError(
        f"scenario {scenario!r} runs real activities but names no file for the upload "
        f"{source or signal!r}: add files={{{str(source or signal)!r}: 'path/to/file'}} to it"
    )
