from __future__ import annotations

from ntro.workflow import activity

from .models import Extraction, Line


@activity.defn(name="invoice-review.extract")
async def extract(document_ref: str) -> Extraction:
    return Extraction(
        lines=[
            Line(id="L1", description="Consulting", amount=1200.0),
            Line(id="L2", description="Travel", amount=250.0),
            Line(id="L3", description="Licences", amount=99.0),
        ]
    )
