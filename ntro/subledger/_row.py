"""``Row``: the standard columns every subledger row has; types subclass it with their own."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ntro.subledger._status import SubledgerStatus
from ntro.types.accounting import Period

__all__ = ["STANDARD_COLUMNS", "Row"]


def _text_id(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


class Row(BaseModel):
    """A subledger row: who it belongs to, where it came from, and its status.

    ``validation_errors`` is a list of ``{"field", "message"}``; ``raw_payload`` keeps what was
    received, so a row that needed attention can be corrected from the original.
    """

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    #: set by ``register_type``: the table name under ``ledgers.``
    subledger_name: ClassVar[str | None] = None

    id: Annotated[str, BeforeValidator(_text_id)] = Field(default_factory=lambda: str(uuid.uuid4()))
    entity_id: str
    period: Period | None = None
    task_id: str | None = None
    status: SubledgerStatus = SubledgerStatus.PENDING
    source_ref: str | None = None
    validation_errors: list[dict[str, Any]] = Field(default_factory=list)
    raw_payload: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


STANDARD_COLUMNS: tuple[str, ...] = tuple(Row.model_fields)
