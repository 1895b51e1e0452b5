"""Input of the quick-check test runbook."""

from __future__ import annotations

from pydantic import BaseModel


class CheckInput(BaseModel):
    entity: str = "acme"
    fail: bool = False
