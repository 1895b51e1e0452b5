"""A local document store: uploaded files are kept on disk and named by a ``document_ref``.

Upload gates send the ref, never the bytes, through Temporal.
"""

from ntro.documents._store import (
    ENV_VAR,
    DocumentNotFound,
    DocumentRef,
    DocumentStore,
    default_store_root,
)

__all__ = ["ENV_VAR", "DocumentNotFound", "DocumentRef", "DocumentStore", "default_store_root"]
