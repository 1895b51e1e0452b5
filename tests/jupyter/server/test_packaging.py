"""The labextension ships prebuilt: the committed build matches its sources, the package data
and data-files put it where ``jupyter labextension list`` finds it, the server extension is
discoverable, and the front end never turns data into markup."""

from __future__ import annotations

import glob
import hashlib
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.jupyter.server._support import REPO

SOURCES = REPO / "labextension"
BUILT = REPO / "ntro_jupyter" / "labextension"


def source_hash() -> str:
    """What labextension/scripts/stamp.mjs computes after `npm run build`."""
    files = ["package.json", "tsconfig.json"]
    for folder in ("src", "style"):
        files += [f"{folder}/{p.name}" for p in (SOURCES / folder).iterdir()]
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0")
        digest.update((SOURCES / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_committed_build_is_made_from_the_current_sources() -> None:
    recorded = (SOURCES / "build-hash.txt").read_text().strip()
    assert recorded == source_hash(), (
        "labextension/ sources changed since the committed build: run "
        "`make labextension` (npm ci && npm run build in labextension/) and commit "
        "ntro_jupyter/labextension/ and labextension/build-hash.txt"
    )


def test_the_built_extension_declares_its_entry_points() -> None:
    package = json.loads((BUILT / "package.json").read_text())
    assert package["name"] == "ntro-jupyter"
    build = package["jupyterlab"]["_build"]
    assert (BUILT / build["load"]).is_file()
    assert build["extension"] == "./extension" and build["mimeExtension"] == "./mimeExtension"
    bundle = "".join(p.read_text() for p in (BUILT / "static").glob("*.js"))
    assert "application/vnd.ntro.run+json" in bundle
    assert "ntro-jupyter:plugin" in bundle and "ntro:open-inbox" in bundle


def test_data_files_install_the_build_where_jupyter_looks() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    data_files = config["tool"]["setuptools"]["data-files"]
    installed: dict[str, set[str]] = {}
    for target, patterns in data_files.items():
        for pattern in patterns:
            matches = glob.glob(str(REPO / pattern))
            assert matches, f"data-files pattern {pattern!r} matches nothing"
            installed.setdefault(target, set()).update(Path(m).name for m in matches)
    ext = "share/jupyter/labextensions/ntro-jupyter"
    assert {"package.json", "install.json"} <= installed[ext]
    assert installed[f"{ext}/static"] == {p.name for p in (BUILT / "static").iterdir()}
    assert installed["etc/jupyter/jupyter_server_config.d"] == {"ntro_jupyter.json"}
    enabled = json.loads(
        (SOURCES / "jupyter-config" / "jupyter_server_config.d" / "ntro_jupyter.json").read_text()
    )
    assert enabled == {"ServerApp": {"jpserver_extensions": {"ntro_jupyter": True}}}
    assert "labextension/**/*" in config["tool"]["setuptools"]["package-data"]["ntro_jupyter"]


def test_jupyter_finds_both_extensions_through_the_package() -> None:
    import importlib

    import ntro_jupyter

    [lab] = ntro_jupyter._jupyter_labextension_paths()
    assert lab["dest"] == "ntro-jupyter"
    assert (Path(ntro_jupyter.__file__).parent / lab["src"] / "package.json").is_file()
    [point] = ntro_jupyter._jupyter_server_extension_points()
    assert callable(importlib.import_module(point["module"])._load_jupyter_server_extension)


def test_the_front_end_never_writes_markup_and_ranks_below_html() -> None:
    sources = {p.name: p.read_text() for p in (SOURCES / "src").glob("*.ts")}
    for name, text in sources.items():
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "dangerouslySetInnerHTML",
            "eval(",
            "new Function",
        ):
            assert sink not in text, f"{name} uses {sink}"
    ranks = [int(r) for r in re.findall(r"(?:defaultRank|rank):\s*(\d+)", sources["mime.ts"])]
    assert ranks and all(rank < 50 for rank in ranks)  # text/html is 50: ours must win


@pytest.mark.slow
def test_a_wheel_carries_the_labextension_and_the_server_switch(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
    )
    [wheel] = tmp_path.glob("ntro-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = "ntro-0.1.0.data/data/"
    assert f"{data}share/jupyter/labextensions/ntro-jupyter/package.json" in names
    assert f"{data}etc/jupyter/jupyter_server_config.d/ntro_jupyter.json" in names
    static = {
        n.rsplit("/", 1)[1]
        for n in names
        if n.startswith(f"{data}share/jupyter/labextensions/ntro-jupyter/static/")
    }
    assert static == {p.name for p in (BUILT / "static").iterdir()}
