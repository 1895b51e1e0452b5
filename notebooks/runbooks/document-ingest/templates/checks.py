"""The review gate's checks, in two kinds.

- The runbook's own (``document_checks``): is every line dated, is every bank line posted to a
  real account of this fund's chart? Pure functions, recomputed on the lines as they are each
  time the review opens (after corrections) and shown as the gate's ``checks``.
- Quality checks (``quality_checks``): does the statement reconcile (closing = opening +
  movements), does the trial balance balance, is no reference or account listed twice? They are
  ntro's own ``code`` rules (``ntro.capabilities.checks``), run by the gate's ``checks_spec``
  as activities on what the reviewer sees; the review shows each running, then its outcome, and
  an approval waits until none runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ntro.capabilities.checks import QualityCheckSpec

from .chart import SUSPENSE
from .models import Extraction, SchemaSlug


class Check(BaseModel):
    """One check: its name, whether it holds, how serious a failure is, and what it found."""

    name: str
    ok: bool
    level: Literal["error", "warning"] = "error"
    message: str


def document_checks(extraction: Extraction) -> list[Check]:
    """The checks that apply to this kind of document, on its current lines."""
    checks: list[Check] = []
    undated = [line.line_item_id for line in extraction.lines if line.date is None]
    checks.append(
        Check(
            name="dated",
            ok=not undated,
            message="every line has a date"
            if not undated
            else f"lines without a date: {', '.join(undated)}",
        )
    )
    if extraction.schema_slug == "bank_statement":
        suspense = [line.line_item_id for line in extraction.lines if line.account_code == SUSPENSE]
        checks.append(
            Check(
                name="accounts",
                ok=not suspense,
                level="warning",
                message="every line has an account"
                if not suspense
                else f"lines in suspense ({SUSPENSE}): {', '.join(suspense)}; choose their accounts",
            )
        )
    return checks


def quality_checks(schema_slug: SchemaSlug) -> list[QualityCheckSpec]:
    """The quality checks the review of this kind of document runs (its ``checks_spec``), on
    the gate's payload: its ``lines`` and its ``header`` facts."""
    if schema_slug == "bank_statement":
        return [
            QualityCheckSpec(
                id="reconciles",
                title="Closing = opening + movements",
                evaluator="code",
                rule="reconciles",
                params={"rows": "lines"},
            ),
            QualityCheckSpec(
                id="unique-references",
                title="No duplicate references",
                evaluator="code",
                rule="unique",
                params={"rows": "lines", "column": "reference"},
            ),
        ]
    return [
        QualityCheckSpec(
            id="balances",
            title="Debits = credits",
            evaluator="code",
            rule="balanced",
            params={"rows": "lines"},
        ),
        QualityCheckSpec(
            id="unique-accounts",
            title="No account listed twice",
            evaluator="code",
            rule="unique",
            params={"rows": "lines", "column": "account_code"},
        ),
    ]
