"""Journal proposals built from amounts: allocating one amount across accounts by weight."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ntro.accounting.models import JournalLine, JournalProposal, to_decimal

__all__ = ["propose_allocation_journal"]

_CENT = Decimal("0.01")


def propose_allocation_journal(
    *,
    amount: Any,
    from_account: str,
    allocations: Mapping[str, Any],
    period: str | None = None,
    entity_id: str | None = None,
    description: str = "Allocation",
    currency: str = "GBP",
    source_row_ids: list[str] | None = None,
) -> JournalProposal:
    """Move ``amount`` out of ``from_account`` into ``allocations`` (account -> weight).

    Each target gets ``amount * weight / total weight`` rounded to the cent; the rounding
    remainder goes to the largest allocation, so the journal always balances exactly. A
    positive amount credits ``from_account`` and debits the targets.
    """
    total = to_decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    weights = {str(k): to_decimal(v, field=f"weight of {k}") for k, v in allocations.items()}
    if not weights:
        raise ValueError("allocations is empty: name at least one account and its weight")
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"allocation weights must not be negative: {dict(allocations)!r}")
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum == 0:
        raise ValueError(f"allocation weights add up to zero: {dict(allocations)!r}")
    shares = {
        code: (total * w / weight_sum).quantize(_CENT, rounding=ROUND_HALF_UP)
        for code, w in weights.items()
    }
    largest = max(weights, key=lambda code: weights[code])
    shares[largest] += total - sum(shares.values(), Decimal(0))
    lines = [
        JournalLine(
            account_code=code,
            debit=share if share >= 0 else Decimal(0),
            credit=-share if share < 0 else Decimal(0),
            description=description,
        )
        for code, share in shares.items()
    ]
    lines.append(
        JournalLine(
            account_code=from_account,
            debit=-total if total < 0 else Decimal(0),
            credit=total if total >= 0 else Decimal(0),
            description=description,
        )
    )
    return JournalProposal(
        entity_id=entity_id,
        period=period,
        description=description,
        currency=currency,
        lines=lines,
        source_row_ids=list(source_row_ids or []),
    )
