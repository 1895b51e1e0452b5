"""Subledgers: typed rows per entity and task, with a status machine, stored in ``ledgers.*``.

    from ntro.subledger import open
    from ntro.subledger.types.expenses import ExpenseRow

    expenses = open(name="expenses", entity_id="acme-uk", task_id=task_id)
    ids = await expenses.insert([await expenses.row(vendor="Rail", amount_gross="42.00", ...)])
    await expenses.mark_approved(ids=ids)          # -> how many rows moved (0 on a retry)

Row types register with ``@register_type("name")`` on a :class:`Row` subclass; each gets its own
table through a migration (:func:`ntro.data.register_migrations`). Importing this package does
not import the database driver; the first query does.
"""

from ntro.subledger._handle import SubledgerHandle, open
from ntro.subledger._registry import (
    TypeAlreadyRegisteredError,
    TypeNotRegisteredError,
    column_types,
    get_type,
    register_type,
    registered_types,
)
from ntro.subledger._row import STANDARD_COLUMNS, Row
from ntro.subledger._status import (
    IllegalTransitionError,
    SubledgerStatus,
    allowed_from,
    transition,
)

__all__ = [
    "STANDARD_COLUMNS",
    "IllegalTransitionError",
    "Row",
    "SubledgerHandle",
    "SubledgerStatus",
    "TypeAlreadyRegisteredError",
    "TypeNotRegisteredError",
    "allowed_from",
    "column_types",
    "get_type",
    "open",
    "register_type",
    "registered_types",
    "transition",
]
