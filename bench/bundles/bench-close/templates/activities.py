from __future__ import annotations

from ntro.workflow import activity

from .models import Extraction, Line


@activity.defn(name="bench-close.extract")
async def extract(document_ref: str) -> Extraction:
    return Extraction(lines=[Line(id="L1", amount=10.0), Line(id="L2", amount=-10.0)])
