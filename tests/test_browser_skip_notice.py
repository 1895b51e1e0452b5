"""Without Chromium the browser tests are skipped, and the run says once why and how to run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_skipped_browser_tests_say_why_once_with_the_install_command(tmp_path: Path) -> None:
    suite = tmp_path / "browser"
    suite.mkdir()
    (suite / "conftest.py").write_text(
        "from pathlib import Path\n"
        "from tests._chromium import mark_browser_tests\n\n"
        "def pytest_collection_modifyitems(config, items):\n"
        "    mark_browser_tests(Path(__file__).parent, items)\n"
    )
    (suite / "test_page.py").write_text(
        "def test_one():\n    assert False\n\ndef test_two():\n    assert False\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO), "NTRO_CHROMIUM": str(tmp_path / "none")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout
    assert run.stdout.count("browser test(s) skipped") == 1
    assert f"2 browser test(s) skipped: {tmp_path / 'none'} is missing" in run.stdout
    assert "apt-get install -y chromium" in run.stdout
