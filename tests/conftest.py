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


@pytest.fixture()
def editable_set(tmp_path) -> Path:
    """A copy of the bundled set that a test may break."""
    dest = tmp_path / "set"
    shutil.copytree(BUNDLED, dest)
    return dest


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
