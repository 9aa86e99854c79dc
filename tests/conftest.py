"""Shared fixtures: the bundled assumption set, run once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

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
