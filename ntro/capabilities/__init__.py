"""The runtime a runbook's activities use: ``files``, ``storage``, ``ai``, ``trace``, ``config``,
``checks``, ``gl``, ``excel``, ``email`` and ``notify``.

Each capability has a real local backend that works on one machine with no account (a local
folder, an offline schema extractor, a local general ledger in the tenant data plane, a local
trace file), and hosted providers behind :mod:`ntro.capabilities.config`. Importing this package
imports no optional dependency: ``from ntro.capabilities import ai, files, storage`` loads the
submodules, and a backend that is missing is named (with its ``pip install 'ntro[extra]'``) when
a call first needs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ntro.capabilities._extras import MissingExtraError

__all__ = [
    "MissingExtraError",
    "ai",
    "checks",
    "config",
    "email",
    "excel",
    "files",
    "gl",
    "notify",
    "storage",
    "trace",
]

_SUBMODULES = frozenset(__all__) - {"MissingExtraError"}


def __getattr__(name: str) -> ModuleType:
    # `import ntro.capabilities; ntro.capabilities.ai.extract(...)` loads the submodule on first
    # use, so importing the package stays cheap.
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
