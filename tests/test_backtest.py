"""The backtest: baselines, vintage discipline, the command's outputs, and the pooled
targets recomputed from the recorded national run (benchmarks/backtest.csv.gz)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from forecasting import backtest as bt
from forecasting.national import dataset
from forecasting.years import parse_year

RECORDED = Path(__file__).resolve().parent.parent / "benchmarks" / "backtest.csv.gz"
STOKE = 861


def test_baselines_are_the_four_spreadsheet_rules():
    history = pd.Series(
        [100.0, 110.0, 121.0, 127.05], index=["2015-16", "2016-17", "2017-18", "2018-19"]
    )
    b = bt.baselines(history, 2)
    assert b["no_change"] == pytest.approx([127.05, 127.05])
    assert b["last_growth"] == pytest.approx([127.05 * 1.05, 127.05 * 1.05**2])
    slope, intercept = np.polyfit([2015, 2016, 2017, 2018], history.to_numpy(), 1)
    assert b["straight_line"] == pytest.approx([intercept + slope * 2019, intercept + slope * 2020])
    rate = 1.2705 ** (1 / 3)  # 100 -> 127.05 over three years
    assert b["average_growth"] == pytest.approx([127.05 * rate, 127.05 * rate**2])


def _stoke_part() -> pd.DataFrame:
    return bt.parts(dataset.load_extract(), [STOKE])[STOKE]


def test_a_vintage_uses_only_what_was_published_by_then():
    part = _stoke_part()
    honest = pd.DataFrame(bt.run_vintage(STOKE, 2019, 4, 0, 1, part).rows)
    # Rewrite history after the base year: the forecasts must not move, the actuals must.
    later = part["period"].map(parse_year) > parse_year("2018-19")
    # (allocations announced by September 2019, for 2019-20, are known then: keep them)
    announced = (part["measure"] == "high_needs_allocation") & (part["period"] == "2019-20")
    tampered = part.copy()
    tampered.loc[later & ~announced, "value"] *= 3
    moved = pd.DataFrame(bt.run_vintage(STOKE, 2019, 4, 0, 1, tampered).rows)
    assert len(honest) == len(moved) > 0
    for col in ("forecast", *bt.BASELINES):
        assert moved[col].to_numpy() == pytest.approx(honest[col].to_numpy(), rel=1e-12)
    assert moved["actual"].to_numpy() == pytest.approx(3 * honest["actual"].to_numpy())
    assert set(honest["measure"]) >= {"ehcp_total", "children_looked_after", "cla_gross_spend"}


def test_command_writes_csv_and_workbook_and_prints_the_table(tmp_path):
    r = CliRunner().invoke(
        main,
        [
            "backtest",
            "--council",
            "Stoke-on-Trent",
            "--as-at",
            "2019",
            "--as-at",
            "2020",
            "--draws",
            "200",
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output + r.stderr
    assert "P10-P90 coverage, pooled" in r.output
    frame = pd.read_csv(tmp_path / "backtest.csv")
    assert list(frame.columns) == bt.COLUMNS
    assert set(frame["as_at"]) == {2019, 2020}
    assert (frame["council"] == "Stoke-on-Trent").all()
    assert (frame["p10"] <= frame["p90"]).all()
    # Stoke's EHC plans in January 2020 (2019-20), as published
    ehcp = frame[(frame.measure == "ehcp_total") & (frame.as_at == 2019) & (frame.horizon == 1)]
    assert ehcp["actual"].iloc[0] == 2290
    wb = load_workbook(tmp_path / "backtest.xlsx")
    assert wb.sheetnames == ["Summary", "Stoke-on-Trent"]
    assert wb["Summary"]._charts and wb["Stoke-on-Trent"]._charts


def test_command_needs_councils_and_a_supported_year(tmp_path):
    r = CliRunner().invoke(main, ["backtest", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--council NAME" in r.stderr
    r = CliRunner().invoke(main, ["backtest", "--all", "--as-at", "2015", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "2015" in r.stderr
    assert not (tmp_path / "backtest.csv").exists()


def test_recorded_run_is_what_the_code_gives_for_a_sample():
    """The recorded national run (benchmarks/backtest.csv.gz) matches a fresh run of a sample
    of its councils, so the targets below are recomputed from what the code produces."""
    recorded = pd.read_csv(RECORDED)
    sample = sorted(recorded["la_code"].unique())[::40]
    fresh, _ = bt.backtest(sample, [2019], 4, 1000, 2019)
    old = recorded[recorded["la_code"].isin(sample) & (recorded["as_at"] == 2019)]
    old = old.reset_index(drop=True)
    assert len(fresh) == len(old) > 0
    for col in ("actual", "forecast", "p10", "p90", *bt.BASELINES):
        assert fresh[col].to_numpy() == pytest.approx(old[col].to_numpy(), rel=1e-5), col


def _pooled(measure: str) -> pd.DataFrame:
    frame = pd.read_csv(RECORDED)
    s = bt.summary(frame)
    return s[(s["measure"] == measure) & (s["horizon"] <= 4)].set_index("horizon")


CLA_H4 = pytest.param(
    "children_looked_after",
    4,
    marks=pytest.mark.xfail(
        strict=True,
        reason="measured: 11.63% against no change's 11.62% (children looked after stopped "
        "growing nationally after 2019; no growth rule tried beats carrying the count forward "
        "four years out)",
    ),
)


@pytest.mark.parametrize(
    "measure,horizon",
    [("ehcp_total", h) for h in (1, 2, 3, 4)]
    + [("children_looked_after", h) for h in (1, 2, 3)]
    + [CLA_H4],
)
def test_model_beats_every_baseline_pooled(measure, horizon):
    s = _pooled(measure)
    assert list(s.index) == [1, 2, 3, 4]
    row = s.loc[horizon]
    best = min(row[k] for k in bt.BASELINES)
    assert row["model"] < best, s[["model", *bt.BASELINES]].round(2).to_string()


def test_p10_p90_coverage_of_demand_is_between_70_and_90_percent():
    frame = pd.read_csv(RECORDED)
    demand = frame[frame["measure"].isin(["ehcp_total", "children_looked_after"])]
    cov = bt.pooled_coverage(demand)
    assert 0.70 <= cov <= 0.90, cov


@pytest.mark.xfail(
    strict=True,
    reason="measured: 48.9% over all measures; the bands of spend, the high-needs allocation "
    "and the DSG balance come from the bundled set's benchmark ranges, not measured errors",
)
def test_p10_p90_coverage_pooled_over_every_measure_is_between_70_and_90_percent():
    cov = bt.pooled_coverage(pd.read_csv(RECORDED))
    assert 0.70 <= cov <= 0.90, cov


def test_generated_sets_take_growth_from_the_backtest_chosen_rule():
    from forecasting.national import newset

    built = newset.generate("Stoke-on-Trent", 2019)
    text = built.files["high_needs.yaml"] + built.files["childrens_services.yaml"]
    assert text.count("national backtest") >= 3  # EHCPs, post-16 plans, children looked after
    assert text.count("yearly_shock") >= 3
