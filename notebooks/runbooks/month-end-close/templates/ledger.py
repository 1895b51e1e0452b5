"""The close's period records, beside the documents document-ingest commits:

    <root>/<entity>/<period>/period.json     opened (and later closed) by whom and when
    <root>/<entity>/<period>/nav.json        the signed-off NAV, read by next month's close

The approved journals are not here: they are posted to the general ledger (``gl``).

The root is the run's ``ledger_dir``, else ``$NTRO_LEDGER_DIR``, else ``~/.ntro/ledger`` (the
same folder document-ingest writes to). Writes go through a temporary file and a rename.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from .models import PriorNav

ENV_VAR = "NTRO_LEDGER_DIR"


def ledger_root(configured: str | None = None) -> Path:
    if configured:
        return Path(configured).expanduser()
    from_env = os.environ.get(ENV_VAR)
    return Path(from_env).expanduser() if from_env else Path.home() / ".ntro" / "ledger"


def period_dir(configured: str | None, entity_slug: str, period: str) -> Path:
    def safe(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip(".-") or "unnamed"

    return ledger_root(configured) / safe(entity_slug) / safe(period)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(to_jsonable_python(data), indent=2) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_nav(configured: str | None, entity_slug: str, period: str) -> PriorNav | None:
    """The NAV signed off for ``period``, or None when that close has not published one."""
    data = read_json(period_dir(configured, entity_slug, period) / "nav.json")
    if data is None:
        return None
    try:
        return PriorNav.model_validate(data)
    except ValidationError:
        return None
