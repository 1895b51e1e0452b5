"""load_bundle: importing a bundle's templates (relative imports and all) and finding its parts."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from ntro.runbook import BUNDLES_PACKAGE, RunbookError, load_bundle
from tests.runbook.conftest import MakeBundle, write

SCENARIOS = """\
from ntro.testing import HAPPY, Scenario

LATE_UPLOAD = Scenario(name="late_upload", review_overrides={"review": "rejected"})
EXTRA = Scenario(name="extra")
not_a_scenario = "ignored"
"""


def test_loads_workflow_activities_and_scenarios(make_bundle: MakeBundle) -> None:
    root = make_bundle(files={"tests/scenarios.py": SCENARIOS})
    bundle = load_bundle(root)

    assert bundle.slug == "document-ingest"
    assert bundle.path == root.resolve()
    assert bundle.workflow_cls.__name__ == "DocumentIngestWorkflow"
    assert bundle.front_matter.step_ids == ["upload", "review"]
    assert bundle.body.startswith("# Document ingest")
    # Activities from templates/activities.py first, then the ones defined in workflow.py.
    assert [fn.__name__ for fn in bundle.activities] == ["load", "local_helper"]
    # Custom scenarios by name; ntro's own HAPPY imported by name is not a custom one.
    assert sorted(bundle.scenarios) == ["extra", "late_upload"]
    assert bundle.scenarios["late_upload"].review_overrides == {"review": "rejected"}
    assert bundle.module.__name__.startswith(f"{BUNDLES_PACKAGE}.")
    assert bundle.module.__file__ == str(root.resolve() / "templates" / "__init__.py")


def test_scenarios_list_wins(make_bundle: MakeBundle) -> None:
    text = SCENARIOS + "\nSCENARIOS = [EXTRA]\n"
    bundle = load_bundle(make_bundle(files={"tests/scenarios.py": text}))
    assert list(bundle.scenarios) == ["extra"]


def test_no_scenarios_file_means_no_custom_scenarios(make_bundle: MakeBundle) -> None:
    assert load_bundle(make_bundle()).scenarios == {}


def test_path_may_be_the_runbook_md(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    assert load_bundle(root / "runbook.md").path == root.resolve()


def test_loading_again_reuses_the_modules(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    first = load_bundle(root)
    again = load_bundle(str(root))
    assert again.workflow_cls is first.workflow_cls
    assert again.module is first.module


def test_reload_picks_up_edits(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    first = load_bundle(root)
    models = root / "templates" / "models.py"
    models.write_text(models.read_text().replace('"2026-01"', '"2027-12"'))
    again = load_bundle(root, reload=True)
    assert again.workflow_cls is not first.workflow_cls
    ctx_cls = sys.modules[f"{again.module.__name__}.models"].Ctx
    assert ctx_cls().period == "2027-12"


def test_same_slug_in_two_directories_are_distinct(make_bundle: MakeBundle) -> None:
    one = load_bundle(make_bundle("copy-a"))
    two = load_bundle(make_bundle("copy-b"))
    assert one.module.__name__ != two.module.__name__
    assert one.workflow_cls is not two.workflow_cls
    assert one.path != two.path


def test_modules_are_importable_by_name_again(make_bundle: MakeBundle) -> None:
    """Temporal's sandbox re-imports the workflow module by name in a fresh sys.modules."""
    bundle = load_bundle(make_bundle())
    name = bundle.workflow_cls.__module__
    root = name.rsplit(".", 2)[0]
    saved = {k: v for k, v in sys.modules.items() if k == BUNDLES_PACKAGE or k.startswith(root)}
    try:
        for key in saved:
            del sys.modules[key]
        fresh = importlib.import_module(name)
        assert fresh.DocumentIngestWorkflow is not bundle.workflow_cls
        assert fresh.DocumentIngestWorkflow.__name__ == "DocumentIngestWorkflow"
    finally:
        for key in [k for k in sys.modules if k == BUNDLES_PACKAGE or k.startswith(root)]:
            del sys.modules[key]
        sys.modules.update(saved)


def test_workflow_class_argument(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    extra = "\n\n@runbook.defn(name='Other')\nclass OtherWorkflow(NtroWorkflow):\n    @runbook.run\n    async def run(self) -> None:\n        return None\n"
    wf = root / "templates" / "workflow.py"
    wf.write_text(wf.read_text() + extra)
    assert load_bundle(root, "OtherWorkflow").workflow_cls.__name__ == "OtherWorkflow"
    with pytest.raises(RunbookError) as info:
        load_bundle(root, "MissingWorkflow")
    message = str(info.value)
    assert "no class MissingWorkflow" in message
    assert "DocumentIngestWorkflow" in message and "OtherWorkflow" in message


def test_single_defn_class_is_used_when_the_name_differs(make_bundle: MakeBundle) -> None:
    bundle = load_bundle(make_bundle(cls="IngestStatements"))
    assert bundle.workflow_cls.__name__ == "IngestStatements"


def test_class_not_found_lists_the_classes(make_bundle: MakeBundle) -> None:
    root = make_bundle(workflow="class Helper:\n    pass\n\n\nclass Another:\n    pass\n")
    with pytest.raises(RunbookError) as info:
        load_bundle(root)
    message = str(info.value)
    assert "workflow.py" in message
    assert "no class DocumentIngestWorkflow" in message
    assert "classes found: Helper, Another" in message
    assert "--workflow-class" in message


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(RunbookError) as info:
        load_bundle(tmp_path)
    assert "runbook.md is missing" in str(info.value)
    assert str(tmp_path) in str(info.value)
    with pytest.raises(RunbookError, match="no such directory"):
        load_bundle(tmp_path / "nope")


def test_missing_templates_init(make_bundle: MakeBundle) -> None:
    root = make_bundle(init=False)
    with pytest.raises(RunbookError) as info:
        load_bundle(root)
    message = str(info.value)
    assert str(root / "templates" / "__init__.py") in message
    assert "Create an empty templates/__init__.py" in message


def test_import_error_names_the_users_file_and_line(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    write(
        root / "templates" / "activities.py",
        "from __future__ import annotations\n\nfrom .models import Ctx, Missing\n",
    )
    with pytest.raises(RunbookError) as info:
        load_bundle(root)
    message = str(info.value)
    assert f"{root.resolve() / 'templates' / 'activities.py'}:3:" in message
    assert "ImportError" in message and "Missing" in message
    assert "Traceback" not in message


def test_syntax_error_names_file_and_line(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    write(root / "templates" / "models.py", "x = 1\ndef broken(:\n")
    with pytest.raises(RunbookError) as info:
        load_bundle(root)
    assert info.value.line == 2
    assert "models.py:2:" in str(info.value)
    assert "SyntaxError" in str(info.value)


def test_a_fixed_import_error_loads_on_the_next_try(make_bundle: MakeBundle) -> None:
    root = make_bundle()
    models = root / "templates" / "models.py"
    good = models.read_text()
    models.write_text("raise RuntimeError('not yet')\n")
    with pytest.raises(RunbookError, match="not yet"):
        load_bundle(root)
    models.write_text(good)
    assert load_bundle(root).workflow_cls.__name__ == "DocumentIngestWorkflow"


def test_scenarios_import_error(make_bundle: MakeBundle) -> None:
    root = make_bundle(files={"tests/scenarios.py": "import not_a_module_anywhere\n"})
    with pytest.raises(RunbookError) as info:
        load_bundle(root)
    assert "scenarios.py:1:" in str(info.value)
    assert info.value.code == "NTRO013"


def test_invalid_front_matter_is_reported_before_importing(make_bundle: MakeBundle) -> None:
    root = make_bundle(front_matter="---\nslug: x\n---\n")
    with pytest.raises(RunbookError) as info:
        load_bundle(root)
    assert "runbook.md" in str(info.value)
    assert "'name'" in str(info.value)
