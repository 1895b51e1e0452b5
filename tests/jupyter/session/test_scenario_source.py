"""``%ntro scenario save`` writes what a workflow recorded as data, never as code.

Everything in ``tests/scenarios.py`` that came from a workflow (its id, reviewer names, comments,
corrected values, the run's input) must read back as the same data, whatever characters it holds:
the file is imported by every ``ntro workflow test``.
"""

from __future__ import annotations

import ast
import runpy
from pathlib import Path
from typing import Any

import pytest

from ntro_jupyter import SessionError
from ntro_jupyter._session._scenarios import _identifier, scenario_source

HOSTILE = [
    "close-1\nimport os; os.system('touch PWNED')\n",
    "close-2\r__import__('pathlib').Path('PWNED').touch()\r",
    "a'b\"c'''d\"\"\"e",
    '""")\nopen("PWNED", "w")\n("""',
    "tab\there \\ backslash \x00 nul \u2028 sep \x0c ff",
    "# not a comment\n# ) ; x = (",
]


def calls(tree: ast.Module) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_read_back_as_the_same_data(
    hostile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments: dict[str, Any] = {
        "name": hostile,
        "review_overrides": {hostile: "approved", "review": "rejected"},
        "corrections": {
            hostile: [
                {"line_item_id": hostile, "field": hostile, "old_value": 1.5, "new_value": hostile}
            ]
        },
        "reviewer": hostile,
        "input": {"entity": hostile, "nested": [hostile, {"k": [None, True, 3, -0.25]}]},
        "description": f"recorded from workflow {hostile} on 2026-12-02 21:00 UTC",
    }
    left_out = {"row_actions": {hostile: [{"action": "edit_cell", "value": hostile}]}}
    ident = _identifier(hostile)
    source = '"""Scenarios."""\n' + scenario_source(ident, arguments, left_out)
    tree = ast.parse(source)
    # Only the fixed statements: a docstring, one import, the scenario and the left-out data.
    kinds = [type(node).__name__ for node in tree.body]
    assert kinds == ["Expr", "ImportFrom", "Assign", "Assign"], kinds
    (scenario,) = [c for c in calls(tree) if getattr(c.func, "id", None) == "Scenario"]
    assert calls(tree) == [scenario], "no call but Scenario(...)"
    read_back = {kw.arg: ast.literal_eval(kw.value) for kw in scenario.keywords}
    assert read_back == arguments
    assert ast.literal_eval(tree.body[3].value) == left_out  # type: ignore[attr-defined]
    # No value is written into a comment: every '#' outside a string literal is ours.
    comments = [line for line in source.splitlines() if line.lstrip().startswith("#")]
    assert comments == ["# Recorded by %ntro scenario save.", comments[1]]
    assert comments[1].startswith("# Left out of the scenario")
    # Loading it runs nothing it should not.
    monkeypatch.chdir(tmp_path)
    file = tmp_path / "scenarios.py"
    file.write_text(source, encoding="utf-8")
    namespace = runpy.run_path(str(file))
    assert namespace[ident].name == hostile
    assert not (tmp_path / "PWNED").exists()


def test_identifiers_are_plain_ascii() -> None:
    for name in [*HOSTILE, "März²", "class", "1st", ""]:
        ident = _identifier(name)
        assert ident.isidentifier() and ident.isascii(), ident
    with pytest.raises(SessionError):
        scenario_source("X = 1; Y", {"name": "x"})


def test_values_that_are_not_data_are_refused() -> None:
    with pytest.raises(SessionError, match="type object cannot be written"):
        scenario_source("X", {"name": "x", "input": object()})
