"""The forecast command: what it writes, what it prints, its exit codes, and that a run
that fails leaves the earlier outputs exactly as they were."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from cli import main
from forecasting.results import COLUMNS

FILES = {"results.csv", "finance-model.xlsx", "schools-forum-dsg.xlsx", "cabinet-scenarios.xlsx"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def bundled_run(bundled, tmp_path_factory) -> tuple[Path, Result]:
    """The bundled set run once for this module (50 draws): its folder and the command's
    result."""
    out = tmp_path_factory.mktemp("run")
    return out, invoke("run", bundled, "--out", out, "--draws", "50")


def test_run_writes_every_output_and_prints_the_comparison(bundled_run):
    out, r = bundled_run
    assert r.exit_code == 0, r.stderr
    assert {p.name for p in out.iterdir()} == FILES  # and no temporary files left
    df = pd.read_csv(out / "results.csv")
    assert list(df.columns) == COLUMNS
    assert set(df.unit) <= {"GBP", "count", "ratio", "FTE"}
    assert "Ranked (1 = best); variance to council-plan" in r.output
    assert "DSG cumulative deficit at 31 March" in r.output
    for scenario in df.scenario.unique():
        assert scenario in r.output
    # every scenario's central lines come first, as the golden results have them (the command
    # writes what tests/test_golden.py checks); the Monte Carlo percentile rows follow
    golden = (Path(__file__).parent / "golden" / "stoke-on-trent-2019.csv").read_text()
    written = (out / "results.csv").read_text()
    assert written.startswith(golden) and len(written) > len(golden)


def test_run_one_scenario_by_name(bundled, tmp_path):
    r = invoke("run", bundled, "--out", tmp_path, "--scenario", "unmitigated", "--draws", "0")
    assert r.exit_code == 0, r.stderr
    assert set(pd.read_csv(tmp_path / "results.csv").scenario) == {"unmitigated"}


def test_validate_and_schema(bundled):
    r = invoke("validate", bundled)
    files = len(list((bundled / "scenarios").glob("*.yaml")))
    assert files == 8 and r.exit_code == 0 and f"ok ({files} scenarios" in r.output
    r = invoke("schema")
    schema = json.loads(r.output)
    assert schema["title"].startswith("Assumption set")
    assert "high_needs" in schema["properties"]


def test_init_copies_a_set_that_validates(tmp_path):
    r = invoke("init", tmp_path / "my-council")
    assert r.exit_code == 0, r.stderr
    assert invoke("validate", tmp_path / "my-council").exit_code == 0


def test_a_failed_run_leaves_earlier_outputs_untouched(bundled, bundled_run, tmp_path, monkeypatch):
    earlier, r = bundled_run
    assert r.exit_code == 0, r.stderr
    for name in FILES:  # the outputs of an earlier run
        shutil.copyfile(earlier / name, tmp_path / name)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(run):
        raise RuntimeError("disk on fire")

    import forecasting.excel.cabinet as cabinet

    monkeypatch.setattr(cabinet, "cabinet_workbook", broken)
    r = invoke("run", bundled, "--out", tmp_path, "--draws", "0")
    assert r.exit_code == 1
    assert "internal error: RuntimeError: disk on fire" in r.stderr
    assert "Traceback" not in r.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_an_interrupted_write_leaves_earlier_outputs_untouched(tmp_path, monkeypatch):
    from forecasting import output

    output.write_all(tmp_path, {"a.csv": b"old a", "b.csv": b"old b"})
    calls = []

    def fsync_then_fail(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt  # interrupted while the second file is being written

    monkeypatch.setattr(output.os, "fsync", fsync_then_fail)
    with pytest.raises(KeyboardInterrupt):
        output.write_all(tmp_path, {"a.csv": b"new a", "b.csv": b"new b"})
    assert (tmp_path / "a.csv").read_bytes() == b"old a"
    assert (tmp_path / "b.csv").read_bytes() == b"old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_out_that_is_a_file_is_a_usage_error(bundled, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    # refused when the files are written, after the forecast: one scenario's run reaches it
    r = invoke("run", bundled, "--out", f, "--scenario", "council-plan", "--draws", "0")
    assert r.exit_code == 2
    assert "--out: is a file, not a folder" in r.stderr
    assert f.read_text() == "x"


def test_scenario_option_with_a_scenario_file_is_refused(bundled, tmp_path):
    r = invoke(
        "run",
        bundled / "scenarios" / "council-plan.yaml",
        "--scenario",
        "unmitigated",
        "--out",
        tmp_path,
    )
    assert r.exit_code == 2
    assert "choose scenarios only from a set folder" in r.stderr


def test_ranks_share_places_on_equal_figures():
    from forecasting.summary import ranks

    assert ranks([41.7, 61.9, 41.7, 34.5]) == [2, 4, 2, 1]  # as Excel's RANK does


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    """`forecast councils | head -1`: the closed pipe ends the command quietly."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        f"'{sys.executable}' -m cli councils | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.count("\n") == 1


def test_the_command_starts_without_loading_the_engine(tmp_path):
    """`forecast --help`, `--version` and `sets` answer at once: starting the command and
    running them loads none of numpy, pandas, pydantic or openpyxl (each command imports
    what it needs; `init` validates the copy it makes, so it needs pydantic)."""
    heavy = ("numpy", "pandas", "pydantic", "openpyxl")
    root = Path(__file__).resolve().parents[1]
    # one process runs each in turn: a module any of them loads stays loaded
    code = "import sys, contextlib, io, cli\n"
    for args in ([], ["--help"], ["--version"], ["sets"]):
        code += (
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try: cli.main({args!r})\n"
            "    except SystemExit: pass\n"
        )
    code += f"print([m for m in {heavy!r} if m in sys.modules])"
    started = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert started.stdout.strip() == "[]", (started.stdout, started.stderr)
