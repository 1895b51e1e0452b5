"""Built-in subledger types: ``expenses`` and ``journal_proposals``."""
