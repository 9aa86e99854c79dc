"""Golden results and case files: what the bundled set gives, fixed in the repository.

``tests/golden/stoke-on-trent-2019.csv`` is the bundled set's results.csv (central case, no
draws): the bytes ``forecast run --draws 0`` writes, which ``publish.produce`` makes from the
central run's records with ``output.results_csv``, as here (the workbooks are rendered from
the same run and are left to their own tests). Any change to a figure fails here first; when
the change is meant, regenerate it with ``make golden`` and review the diff (``git diff
tests/golden``) before committing.

``tests/cases/*.yaml`` are cases a finance analyst can write without Python: a set, a
scenario, overrides by dotted path, and the lines expected (measure, year, value, tolerance).
"""

from __future__ import annotations

import csv
import difflib
import os
from pathlib import Path

import pytest
import yaml

from forecasting.output import results_csv
from forecasting.run import forecast

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "stoke-on-trent-2019.csv"
CASES = sorted((HERE / "cases").glob("*.yaml"))


def test_bundled_results_are_the_golden_ones(run_result):
    got = results_csv(run_result.records)  # the central run of the bundled set, all scenarios
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(got)
        pytest.skip("golden results rewritten: review `git diff tests/golden`, then run again")
    want = GOLDEN.read_bytes()
    if got != want:
        diff = difflib.unified_diff(
            want.decode().splitlines(), got.decode().splitlines(), "golden", "now", lineterm="", n=0
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(
            "results differ from tests/golden (if the change is meant: `make golden`, then "
            f"review `git diff tests/golden`):\n{shown}"
        )


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path, bundled, tmp_path):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    folder = tmp_path / "set"
    import shutil

    shutil.copytree(bundled, folder)
    scenario = {
        "name": "case",
        "description": spec["description"],
        "extends": spec.get("extends", ".."),
        "overrides": spec.get("overrides") or {},
    }
    (folder / "scenarios" / "case.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    text = results_csv(forecast(folder, ("case",)).records).decode()
    rows = {(r[1] + "." + r[2], r[3]): float(r[4]) for r in csv.reader(text.splitlines()[1:])}
    for e in spec["expect"]:
        got = rows[(e["line"], e["year"])]
        assert abs(got - e["value"]) <= e.get("tolerance", 0.5), (e, got)
