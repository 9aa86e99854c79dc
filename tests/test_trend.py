"""Fitted trends: the output contract, short and irregular series, bad history files, and
growth taken from a trend."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from cli import main
from forecasting.loading import load_scenario
from forecasting.trend import Series, fit

HEADER = "period,forecast,lower_80,upper_80,lower_95,upper_95"


def run_trend(path, *args):
    return CliRunner().invoke(main, ["trend", str(path), *args])


def _csv_block(output: str) -> list[list[str]]:
    lines = output.strip().splitlines()
    start = lines.index(HEADER)
    return [line.split(",") for line in lines[start + 1 :]]


def test_annual_series_gets_a_method_a_backtest_error_and_ordered_intervals(tmp_path):
    p = tmp_path / "h.csv"
    values = [100 * 1.05**i + (3 if i % 2 else -3) for i in range(12)]
    p.write_text("period,value\n" + "".join(f"{2008 + i},{v}\n" for i, v in enumerate(values)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = run_trend(p, "--horizon", "3")
    assert r.exit_code == 0, r.stderr
    assert not caught, [str(w.message) for w in caught]  # no wall of library warnings
    assert "damped trend (ETS)" in r.output  # the statsmodels fits were among the candidates
    assert "# method: combination of" in r.output
    assert "# backtest mean absolute error" in r.output
    rows = _csv_block(r.output)
    assert [row[0] for row in rows] == ["2020", "2021", "2022"]
    for row in rows:
        f, lo80, hi80, lo95, hi95 = map(float, row[1:])
        assert lo95 <= lo80 <= f <= hi80 <= hi95


def test_financial_years_and_short_series_warn_and_use_drift(tmp_path):
    p = tmp_path / "fy.csv"
    p.write_text("period,value\n2016-17,10\n2017-18,12\n2018-19,15\n")
    r = run_trend(p, "--horizon", "2")
    assert r.exit_code == 0, r.stderr
    assert "short series (3 points)" in r.output
    rows = _csv_block(r.output)
    assert [row[0] for row in rows] == ["2019-20", "2020-21"]
    assert float(rows[0][1]) == pytest.approx(17.5)  # average change of 2.5 a year


def test_irregular_dates_are_accepted(bundled):
    r = run_trend(bundled / "history" / "children_in_care.csv")
    assert r.exit_code == 0, r.stderr
    assert "irregular spacing" in r.output
    assert len(_csv_block(r.output)) == 5


@pytest.mark.parametrize(
    "content,expected",
    [
        ("", "empty"),
        ("year,count\n2019,5\n", "missing column 'period'"),
        ("period,value\n2019,abc\n", ":2: value: 'abc' is not a number"),
        ("period,value\n2019,nan\n2020,3\n", "not a finite number"),
        ("period,value\n2019/20,3\n2020,4\n", "is not a year"),
        ("period,value\n2019,3\n2019,4\n", "repeats line 2"),
        ("period,value\n2019,3\n", "needs at least 2 observations"),
        ("period,value\n2019,3\n2020-21,4\n", "mixes period formats"),
        ("period,value\n2019\n", "expected 2 columns"),
    ],
)
def test_malformed_history_is_reported(tmp_path, content, expected):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    r = run_trend(p)
    assert r.exit_code == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr


def test_binary_and_missing_history(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\x02")
    assert run_trend(p).exit_code == 2
    assert run_trend(tmp_path / "none.csv").exit_code == 2


def test_intervals_hold_most_actuals_on_a_noisy_trend():
    rng = np.random.default_rng(5)
    held, total = 0, 0
    for _ in range(30):
        y = 500 + 20 * np.arange(16) + rng.normal(0, 15, 16)
        t = np.arange(2000, 2016, dtype=float)
        s = Series([str(int(v)) for v in t[:12]], t[:12], y[:12], "year", True, 1.0)
        tr = fit(s, 4)
        held += int(np.sum((tr.lower_95 <= y[12:]) & (y[12:] <= tr.upper_95)))
        total += 4
    assert held / total >= 0.8


def test_growth_can_come_from_a_fitted_trend(editable_set):
    cs = editable_set / "childrens_services.yaml"
    text = cs.read_text()
    start = text.index("    growth:\n")
    end = text.index("      basis: report\n", start) + len("      basis: report\n")
    cs.write_text(
        text[:start] + "    growth:\n      unit: ratio\n      basis: estimate\n"
        "      source: trend of the council's own counts\n"
        "      from_trend: history/children_in_care.csv\n" + text[end:]
    )
    s = load_scenario(editable_set / "scenarios" / "council-plan.yaml")
    g = s.assumptions.childrens_services.children_in_care.growth
    assert g.low <= g.value <= g.high
    assert 0.05 < g.value < 0.5  # 746 -> 890 in 15 months is fast growth
    assert "fitted trend" in g.source


def test_no_library_warnings_even_where_statsmodels_complains(tmp_path):
    # A flat series makes ETS divide by zero and fail to converge: the user must not see it.
    p = tmp_path / "flat.csv"
    p.write_text("period,value\n" + "".join(f"{2010 + i},100\n" for i in range(10)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = run_trend(p)
    assert r.exit_code == 0, r.stderr
    assert not caught, [str(w.message) for w in caught]
    assert [float(row[1]) for row in _csv_block(r.output)] == [100.0] * 5
