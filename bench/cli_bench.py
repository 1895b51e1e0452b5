"""The command line as a user meets it: start-up, and two-scenario runs as whole processes.

    python bench/cli_bench.py [--runs N]

Everything is measured in one run, each figure against a named baseline measured alongside it
(runs of the variants are interleaved, so a busy machine slows all of them alike):

1. Start-up, median of N: ``ntro --help`` and ``ntro runbook validate`` against the baseline
   ``python -c pass`` (the interpreter alone); and whether either loads temporalio's client or
   hypothesis.
2. First use of the constraint-aware generator, median of 3 fresh processes: a value for a
   model with ``pattern``/``gt``/``min_length`` fields built by ntro's one-pass walk, against
   the baseline of drawing each field with ``hypothesis-jsonschema`` as ntro did before (the
   generator the first scenario used to wait for: its import compiles grammars).
3. Two-scenario runs (``happy``, ``reject_all``) of ``ntro workflow test --json`` as whole
   processes, median of N: the facade bundle ``bench-close`` (child ``bench-signoff``) and the
   product-page Temporal-style ``nav-close`` (child ``statement-ingest``, constrained pydantic
   models, no ``--input``), against the baseline of ``nav-close`` with ``--input`` given. For
   each, the first scenario and the later one separately, and their ratio.

With ``--against COMMIT`` the start-up and the two-scenario runs are also timed on the code of an
earlier commit (extracted with ``git archive``, run with the same interpreter and packages), a
"before" baseline in the same run; a run that commit cannot do is counted as failed, with why.

Machines are shared and noisy: read the medians and the ratios, not single runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUNDLES = HERE / "bundles"
NTRO = [sys.executable, "-c", "from ntro.cli import main; main()"]
# The same command on the code of another commit, extracted to a folder (see --against).
NTRO_AT = (
    "import sys; sys.path.insert(0, {src!r}); "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
    "from ntro.cli import main; main()"
)
NAV_INPUT = json.dumps({"period": "2026-10", "entity_slug": "fund-a", "source": "bank"})

RUNS = {
    "facade bench-close + child": [
        "workflow", "test", str(BUNDLES / "bench-close"),
        "--child", str(BUNDLES / "bench-signoff"), "--json",
    ],
    "temporal nav-close + child": [
        "workflow", "test", str(BUNDLES / "nav-close"),
        "--child", str(BUNDLES / "statement-ingest"), "--json",
    ],
    "baseline: nav-close --input": [
        "workflow", "test", str(BUNDLES / "nav-close"),
        "--child", str(BUNDLES / "statement-ingest"), "--json", "--input", NAV_INPUT,
    ],
}  # fmt: skip

HEAVY_CHECK = """
import sys
from ntro.cli import run
run({args!r})
heavy = ("temporalio.client", "hypothesis", "hypothesis_jsonschema")
print("LOADED", sorted(m for m in heavy if m in sys.modules))
"""

GENERATOR = """
import time
from typing import Annotated
from pydantic import BaseModel, Field, TypeAdapter

class Ctx(BaseModel):
    period: str = Field(pattern=r"^\\d{{4}}-(0[1-9]|1[0-2])$")
    entity_slug: str = Field(pattern=r"^[a-z][a-z0-9-]{{2,30}}$")
    source: str = Field(min_length=2, max_length=40)
    journals: int = Field(ge=0, le=10_000)
    nav: float = Field(gt=0)

start = time.perf_counter()
if {search!r}:
    # What ntro did before: each constrained field drawn from its JSON schema by a search.
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis_jsonschema import from_schema

    def draw(schema):
        found = []

        @settings(max_examples=1, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), deadline=None)
        @seed(0)
        @given(from_schema(schema))
        def capture(value):
            found.append(value)

        capture()
        return found[0]

    data = {{}}
    for name, field in Ctx.model_fields.items():
        adapter = TypeAdapter(Annotated[(field.annotation, *field.metadata)])
        data[name] = draw(adapter.json_schema(mode="validation"))
    value = Ctx.model_validate(data)
else:
    from ntro.testing import MockValues
    value = MockValues().value_for(Ctx)
print("SECONDS", time.perf_counter() - start)
"""


def timed(cmd: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start, done


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def at_commit(commit: str) -> list[str]:
    """The ``ntro`` command on ``commit``'s code (extracted once into a temporary folder)."""
    src = Path(tempfile.mkdtemp(prefix="ntro-bench-"))
    archive = subprocess.run(
        ["git", "archive", commit, "ntro"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    return [sys.executable, "-c", NTRO_AT.format(src=str(src))]


def startup(runs: int, before: list[str] | None) -> None:
    variants = {
        "baseline: python -c pass": [sys.executable, "-c", "pass"],
        "ntro --help": [*NTRO, "--help"],
        "ntro runbook validate nav-close": [
            *NTRO, "runbook", "validate", str(BUNDLES / "nav-close"),
        ],
    }  # fmt: skip
    if before is not None:
        variants["before: ntro --help"] = [*before, "--help"]
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, cmd in variants.items():
            seconds, done = timed(cmd)
            if done.returncode != 0 and not name.startswith("before"):
                raise SystemExit(f"{name} failed:\n{done.stdout}\n{done.stderr}")
            times[name].append(seconds)
    base = median(times["baseline: python -c pass"])
    print(f"1. start-up, median of {runs} (interleaved)")
    for name, values in times.items():
        extra = "" if name.startswith("baseline") else f"   (+{median(values) - base:.3f} s)"
        print(f"   {name:<34} {median(values):6.3f} s{extra}")
    for args in (["--help"], ["runbook", "validate", str(BUNDLES / "nav-close")]):
        _, done = timed([sys.executable, "-c", HEAVY_CHECK.format(args=args)])
        loaded = next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))
        print(f"   ntro {args[0]:<9} loads temporalio.client/hypothesis: {loaded[7:]}")


def generator() -> None:
    print("2. first constrained value in a fresh process, median of 3")
    results = {}
    for label, search in (("baseline: hypothesis-jsonschema", True), ("ntro one-pass walk", False)):
        values = []
        for _ in range(3):
            _, done = timed([sys.executable, "-c", GENERATOR.format(search=search)])
            line = next((ln for ln in done.stdout.splitlines() if ln.startswith("SECONDS")), None)
            if line is None:
                raise SystemExit(f"{label} failed:\n{done.stderr}")
            values.append(float(line.split()[1]))
        results[label] = median(values)
        print(f"   {label:<34} {results[label]:6.3f} s")
    ratio = results["baseline: hypothesis-jsonschema"] / max(results["ntro one-pass walk"], 1e-6)
    print(f"   the walk is {ratio:,.0f}x faster on first use")


def scenarios(runs: int, before: list[str] | None) -> None:
    commands = {name: [*NTRO, *args] for name, args in RUNS.items()}
    if before is not None:
        for name in ("facade bench-close + child", "temporal nav-close + child"):
            commands[f"before: {name.split()[0]} {name.split()[1]}"] = [*before, *RUNS[name]]
    wall: dict[str, list[float]] = {name: [] for name in commands}
    first: dict[str, list[float]] = {name: [] for name in commands}
    later: dict[str, list[float]] = {name: [] for name in commands}
    failed: dict[str, list[str]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            seconds, done = timed(cmd)
            if done.returncode != 0:  # counted and shown, not timed
                try:
                    errors = [r["error"] for r in json.loads(done.stdout) if r["error"]]
                except ValueError:
                    errors = []
                failed[name].append("; ".join(errors)[:200] or done.stderr.strip()[:200])
                continue
            report = json.loads(done.stdout)
            wall[name].append(seconds)
            first[name].append(report[0]["duration_s"])
            later[name].extend(r["duration_s"] for r in report[1:])
    print(f"3. two scenarios as a whole process (ntro workflow test --json), median of {runs}")
    print(f"   {'':<30} {'process':>8} {'first':>8} {'later':>8} {'first/later':>12}")
    for name in commands:
        if not first[name]:
            continue
        f, lt = median(first[name]), median(later[name])
        print(f"   {name:<30} {median(wall[name]):7.3f}s {f:7.3f}s {lt:7.3f}s {f / lt:11.2f}x")
    for name, errors in failed.items():
        if errors:
            print(f"   {name}: {len(errors)} of {runs} runs failed, e.g. {errors[0]}")
    baseline = median(first["baseline: nav-close --input"])
    generated = median(first["temporal nav-close + child"])
    print(f"   first scenario without --input vs the --input baseline: {generated / baseline:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per figure (default 10)")
    parser.add_argument(
        "--against", metavar="COMMIT", help="also time an earlier commit's code, as a baseline"
    )
    args = parser.parse_args()
    before = at_commit(args.against) if args.against else None
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    startup(args.runs, before)
    generator()
    scenarios(args.runs, before)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
