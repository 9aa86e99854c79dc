"""Shared fixtures: the bundled assumption set, run once per test session."""

from __future__ import annotations

import os

# One BLAS/OpenMP thread per test process (and the tool's subprocesses, which inherit it):
# the suite runs in parallel workers on a small machine, where threads only contend. Set
# before numpy is first imported, which is when the libraries read it.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "assumptions" / "stoke-on-trent-2019"


@pytest.fixture(scope="session")
def bundled() -> Path:
    return BUNDLED


@pytest.fixture(scope="session")
def run_result():
    from forecasting.run import forecast

    return forecast(BUNDLED)


@pytest.fixture(scope="session")
def results(run_result) -> pd.DataFrame:
    return run_result.results


def series(results: pd.DataFrame, scenario: str, area: str, measure: str) -> pd.Series:
    """One measure of one scenario by year."""
    df = results[
        (results.scenario == scenario) & (results.area == area) & (results.measure == measure)
    ]
    assert len(df), f"no {area}.{measure} for {scenario}"
    return df.set_index("year")["value"]


def leaves(node, marker: str, path: tuple[str, ...] = ()):
    """Every mapping holding ``marker`` (a figure's ``value``, a parameter's ``basis``) in
    plain YAML data, with its dotted path: the raw file's figures, before any model reads
    them."""
    if isinstance(node, dict):
        if marker in node:
            yield ".".join(path), node
            return
        for k, v in node.items():
            yield from leaves(v, marker, path + (str(k),))


@pytest.fixture()
def editable_set(tmp_path) -> Path:
    """A copy of the bundled set that a test may break."""
    dest = tmp_path / "set"
    shutil.copytree(BUNDLED, dest)
    return dest


def with_trend(set_dir: Path) -> Path:
    """Edit the set so its children-in-care growth is fitted from its history file (a trend
    instead of the report's figure); returns that history file."""
    cs = set_dir / "childrens_services.yaml"
    text = cs.read_text()
    start = text.index("    growth:\n")
    end = text.index("      basis: report\n", start) + len("      basis: report\n")
    cs.write_text(
        text[:start] + "    growth:\n      unit: ratio\n      basis: estimate\n"
        "      source: trend of the council's own counts\n"
        "      from_trend: history/children_in_care.csv\n" + text[end:]
    )
    return set_dir / "history" / "children_in_care.csv"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice_convert(
    files: list[Path], fmt: str, outdir: Path, profile: Path, options: str = ""
) -> list[Path]:
    """Convert files with LibreOffice headless in one call (one start of the office), using
    the given user profile, ``options`` being the export filter's (``:filter:{...}``); the
    converted files, in the same order."""
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            *(["--calc"] if fmt == "xlsx" else []),
            "--convert-to",
            fmt + options,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    out = [outdir / f"{f.stem}.{fmt}" for f in files]
    missing = [f.name for f in out if not f.exists()]
    assert not missing, f"LibreOffice did not convert {missing}"
    return out


@pytest.fixture(scope="session")
def soffice_profile(tmp_path_factory) -> Path:
    """A LibreOffice user profile with its defaults, made on first use and kept for the
    session (each test process has its own, so parallel workers never share one)."""
    return tmp_path_factory.mktemp("soffice-profile")


# --- Scheduling: the slowest files start first --------------------------------------------
# `make test` gives each of two processes whole files (--dist loadfile, so a file's module
# fixtures are built once) in collection order (--no-loadscope-reorder). A slow file that
# starts last runs alone while the other process idles, so files are collected slowest first,
# by the seconds each took in the last passing run (kept in pytest's cache dir), or, before
# any run, by these seconds measured on a two-core machine; an unknown file counts its tests.
FILE_SECONDS_KEY = "council-forecasting/file-seconds"
FIRST_RUN_SECONDS = {
    "tests/test_workbooks.py": 20.0,
    "tests/test_install.py": 10.0,
    "tests/test_output_set.py": 7.0,
    "tests/test_national_newset.py": 5.5,
    "tests/test_fuzz_inputs.py": 4.5,
    "tests/test_trend.py": 4.0,
    "tests/test_inputs_workbook.py": 4.0,
    "tests/test_backtest.py": 3.5,
    "tests/test_bad_input.py": 3.0,
}
SECONDS_PER_UNKNOWN_TEST = 0.1


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the files by how long each took last time, slowest first (longest first is
    what keeps two processes finishing together); tests keep their order within a file."""
    cache = getattr(config, "cache", None)
    seconds = dict(FIRST_RUN_SECONDS)
    if cache is not None:
        seconds.update(cache.get(FILE_SECONDS_KEY, {}))
    counts: dict[str, int] = {}
    for item in items:
        counts[_file_of(item.nodeid)] = counts.get(_file_of(item.nodeid), 0) + 1

    def cost(file: str) -> float:
        return seconds.get(file, SECONDS_PER_UNKNOWN_TEST * counts[file])

    first_seen = {f: i for i, f in enumerate(dict.fromkeys(_file_of(i.nodeid) for i in items))}
    items.sort(key=lambda i: (-cost(_file_of(i.nodeid)), first_seen[_file_of(i.nodeid)]))


_seconds_this_run: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each file's setup, call and teardown seconds (in the process that reports:
    the controller when the suite runs in parallel)."""
    file = _file_of(report.nodeid)
    _seconds_this_run[file] = _seconds_this_run.get(file, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After a passing run, keep each file's seconds for the next run's order (the
    controller only: parallel processes each see part of the suite)."""
    cache = getattr(session.config, "cache", None)
    if exitstatus != 0 or cache is None or hasattr(session.config, "workerinput"):
        return
    seconds = cache.get(FILE_SECONDS_KEY, {})
    seconds.update({f: round(s, 2) for f, s in _seconds_this_run.items()})
    cache.set(FILE_SECONDS_KEY, seconds)
