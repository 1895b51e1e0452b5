"""Fixtures of the kernel-bridge tests: real kernels, a harness session, fixture bundles."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.jupyter.session._kernel import Kernel

HERE = Path(__file__).parent
INVOICE = HERE / "bundles" / "invoice-review"
ROOT = HERE.parents[2]
BENCH_CLOSE = ROOT / "bench" / "bundles" / "bench-close"
BENCH_SIGNOFF = ROOT / "bench" / "bundles" / "bench-signoff"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def kernel_env(tmp_path: Path) -> dict[str, str]:
    return {
        "NTRO_REVIEWER": "alice",
        "NTRO_DOCUMENT_STORE": str(tmp_path / "documents"),
        "TEMPORAL_HOST": "",
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def start_kernel(tmp_path: Path, kernel_env: dict[str, str]) -> Iterator[Callable[..., Kernel]]:
    """Start real kernels (cwd: the test's tmp dir); all are shut down after the test."""
    kernels: list[Kernel] = []

    def start(**env: str) -> Kernel:
        kernel = Kernel(tmp_path, {**kernel_env, **env}).start()
        kernels.append(kernel)
        kernel.execute("%load_ext ntro_jupyter").check()
        return kernel

    yield start
    for kernel in kernels:
        kernel.shutdown()


@pytest.fixture(scope="module")
def harness_session() -> Iterator[object]:
    """One in-process session on the harness for a module's tests."""
    from ntro_jupyter import Session

    session = Session("harness", reviewer="alice")
    session.load(INVOICE)
    yield session
    session.close()
