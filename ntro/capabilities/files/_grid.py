"""The shape every parser returns: rows of cell text, the text in reading order, and facts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class CellGrid(BaseModel):
    """A parsed document: ``cells`` (rows of strings, tables first-class), ``plain_text`` (the
    document's text in reading order) and ``metadata`` (format, pages or sheets, table
    positions, and a ``warning`` when the file parsed but holds no readable text)."""

    cells: list[list[str]] = Field(default_factory=list)
    plain_text: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class FileParseError(ValueError):
    """The bytes could not be read as the format given; the message says why and what to do."""
