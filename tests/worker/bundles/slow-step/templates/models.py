"""Input of the slow-step test runbook."""

from __future__ import annotations

from pydantic import BaseModel


class SlowInput(BaseModel):
    marker_dir: str
    seconds: float = 2.0
