"""An activity that marks where it runs, heartbeats while it works, and marks when done."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from temporalio import activity

from .models import SlowInput


@activity.defn(name="slow-step.crunch")
async def crunch(spec: SlowInput) -> dict[str, Any]:
    pid = os.getpid()
    marker = Path(spec.marker_dir)
    (marker / f"started-{pid}-{activity.info().attempt}").touch()
    steps = max(1, int(spec.seconds / 0.1))
    for _ in range(steps):
        activity.heartbeat()
        await asyncio.sleep(0.1)
    (marker / f"done-{pid}").touch()
    return {"pid": pid, "attempt": activity.info().attempt}
