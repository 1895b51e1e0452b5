"""The subledger row status machine: ``NEEDS_ATTENTION -> PENDING -> APPROVED -> POSTED``.

``REJECTED`` and ``EXCLUDED`` end a row before posting; ``APPROVED -> PENDING`` reopens a row
for correction while it is not posted yet. ``POSTED``, ``REJECTED`` and ``EXCLUDED`` are final.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["IllegalTransitionError", "SubledgerStatus", "allowed_from", "transition"]


class SubledgerStatus(StrEnum):
    """Where a subledger row is in its life (stored as its name)."""

    NEEDS_ATTENTION = "NEEDS_ATTENTION"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    POSTED = "POSTED"
    REJECTED = "REJECTED"
    EXCLUDED = "EXCLUDED"


_S = SubledgerStatus
_ALLOWED: dict[SubledgerStatus, frozenset[SubledgerStatus]] = {
    _S.NEEDS_ATTENTION: frozenset({_S.PENDING, _S.REJECTED, _S.EXCLUDED}),
    _S.PENDING: frozenset({_S.APPROVED, _S.NEEDS_ATTENTION, _S.REJECTED, _S.EXCLUDED}),
    _S.APPROVED: frozenset({_S.POSTED, _S.PENDING}),
    _S.POSTED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.EXCLUDED: frozenset(),
}


class IllegalTransitionError(ValueError):
    """A status change the machine does not allow; names both states."""

    def __init__(self, from_status: str, to_status: str) -> None:
        allowed = (
            sorted(_ALLOWED.get(SubledgerStatus(from_status), ()))
            if from_status in _S.__members__
            else []
        )
        hint = (
            f"; from {from_status} a row may go to {', '.join(allowed)}"
            if allowed
            else (f"; {from_status} is final" if from_status in _S.__members__ else "")
        )
        super().__init__(f"cannot move a subledger row from {from_status} to {to_status}{hint}")
        self.from_status = from_status
        self.to_status = to_status


def _status(value: str | SubledgerStatus) -> SubledgerStatus:
    try:
        return SubledgerStatus(str(value).upper())
    except ValueError:
        names = ", ".join(s.value for s in SubledgerStatus)
        raise ValueError(f"status {value!r} is not a subledger status ({names})") from None


def transition(
    from_status: str | SubledgerStatus, to_status: str | SubledgerStatus
) -> SubledgerStatus:
    """``to_status`` if the machine allows ``from_status -> to_status``, else
    :class:`IllegalTransitionError`."""
    source, target = _status(from_status), _status(to_status)
    if target not in _ALLOWED[source]:
        raise IllegalTransitionError(source.value, target.value)
    return target


def allowed_from(to_status: str | SubledgerStatus) -> list[SubledgerStatus]:
    """The statuses a row may move to ``to_status`` from."""
    target = _status(to_status)
    return [s for s, targets in _ALLOWED.items() if target in targets]
