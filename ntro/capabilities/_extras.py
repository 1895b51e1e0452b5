"""Importing a capability's optional backend, with an error that says which extra installs it.

Why: ``import ntro.capabilities`` must work with the core install alone; a backend (pdfplumber,
openpyxl, httpx) is imported the first time a call needs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtraError(ImportError):
    """A capability's backend is not installed; the message names the pip command."""


def require(module: str, *, extra: str, needed_for: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``pip install 'ntro[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{needed_for} needs the '{module.split('.')[0]}' package, which is not installed: "
            f"pip install 'ntro[{extra}]'"
        ) from None
