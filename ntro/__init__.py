"""ntro: write, test and review accounting runbooks on Temporal.

Subpackages:

- :mod:`ntro.workflow`: the authoring SDK (``NtroWorkflow``, ``ui_step``, gates, facades).
- :mod:`ntro.types`: pydantic wire models shared by the SDK, the harness and the UI.
- :mod:`ntro.events`: observable activity results and event emitters.
- :mod:`ntro.runbook`: runbook bundles (``runbook.md`` front matter, loading, validation).
- :mod:`ntro.testing`: the scenario harness on Temporal's time-skipping server.

Every error raised for a person to read derives from :class:`NtroError` (see ``ntro._errors``).
"""

from ntro._errors import NtroError

__version__ = "0.1.0"

__all__ = ["NtroError", "__version__"]
