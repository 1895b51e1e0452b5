"""``ntro worker``: serve runbook bundles on a Temporal cluster, in production.

``python -m ntro.worker DIR [DIR ...]`` is the same as ``ntro worker DIR [DIR ...]`` (for
containers). :func:`serve` is the async API behind both.
"""

from ntro.worker._serve import WorkerPlan, plan_worker, serve

__all__ = ["WorkerPlan", "plan_worker", "serve"]
