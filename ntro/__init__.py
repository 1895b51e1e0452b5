"""ntro: write, test and review accounting runbooks on Temporal.

Subpackages:

- :mod:`ntro.workflow`: the authoring SDK (``NtroWorkflow``, ``ui_step``, gates, facades).
- :mod:`ntro.types`: pydantic wire models shared by the SDK, the harness and the UI.
- :mod:`ntro.events`: observable activity results and event emitters.
- :mod:`ntro.runbook`: runbook bundles (``runbook.md`` front matter, loading, validation).
- :mod:`ntro.testing`: the scenario harness on Temporal's time-skipping server.
"""

__version__ = "0.1.0"
