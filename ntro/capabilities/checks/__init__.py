"""``checks``: quality checks a review gate shows beside the data (``QualityCheckSpec`` in,
``QualityCheckItem`` out), run by the ``run_quality_check`` activity.

``code`` rules (debits equal credits, closing = opening + movements, no duplicate references,
within N% of the baseline, required fields) and the ``types`` evaluator run locally; ``llm``
checks go through the ``ai`` provider and are skipped with a clear reason when none is
configured. :func:`worst_of` and :meth:`QualityChecksResult.of` summarise a gate's checks.
"""

from ntro.capabilities.checks._models import (
    Evaluator,
    QualityCheckItem,
    QualityCheckSpec,
    QualityChecksResult,
    Status,
    worst_of,
)
from ntro.capabilities.checks._rules import register_rule, rule_names
from ntro.capabilities.checks._run import NO_PROVIDER, evaluate, run_quality_check

__all__ = [
    "NO_PROVIDER",
    "Evaluator",
    "QualityCheckItem",
    "QualityCheckSpec",
    "QualityChecksResult",
    "Status",
    "evaluate",
    "register_rule",
    "rule_names",
    "run_quality_check",
    "worst_of",
]
