"""The published import lines work, and importing them pulls in no optional backend."""

from __future__ import annotations

import subprocess
import sys

PUBLISHED = """
from ntro.capabilities import ai, files, storage, checks, config, email, excel, gl, notify, trace
from ntro.capabilities.trace import (TraceSink, current_trace_sink, resolve_trace_sink,
    HttpReasoningTraceSink, http_reasoning_sink_for_task)
from ntro.capabilities.gl.errors import (ProviderError, TransientProviderError, ConnectionError_,
    ValidationFailedError, IdempotencyConflictError)
from ntro.capabilities.checks import (QualityCheckSpec, QualityCheckItem, QualityChecksResult,
    worst_of, run_quality_check)
from ntro.capabilities.config import WorkerConfig, get, set, reset
from ntro.capabilities.ai import ExtractionResult, use_config, extract
from ntro.capabilities.files import CellGrid, parse
import sys
loaded = sorted(m for m in ("pdfplumber", "pypdfium2", "openpyxl", "httpx", "aiosmtpd", "fpdf") if m in sys.modules)
print(",".join(loaded) or "none")
"""


def test_the_published_imports_load_without_optional_backends() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PUBLISHED], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


def test_a_missing_backend_names_its_extra(monkeypatch) -> None:
    import pytest

    from ntro.capabilities import MissingExtraError, files

    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'ntro\[files\]'"):
        files.parse_sync(content=b"%PDF-1.4", format="pdf")
