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

from .conftest import with_trend

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


def test_financial_years_and_short_series_warn_and_compound(tmp_path):
    p = tmp_path / "fy.csv"
    p.write_text("period,value\n2016-17,10\n2017-18,12\n2018-19,15\n")
    r = run_trend(p, "--horizon", "2")
    assert r.exit_code == 0, r.stderr
    assert "short series (3 points)" in r.output
    assert "average growth" in r.output
    rows = _csv_block(r.output)
    assert [row[0] for row in rows] == ["2019-20", "2020-21"]
    # 10 -> 15 in two years is 22.47% a year, compounding (not 2.5 a year added)
    assert float(rows[0][1]) == pytest.approx(15 * 1.5**0.5, abs=1e-3)
    assert float(rows[1][1]) == pytest.approx(22.5, abs=1e-3)


def test_five_points_growing_ten_percent_keep_growing_ten_percent(tmp_path):
    p = tmp_path / "ehcp.csv"
    p.write_text("period,value\n" + "".join(f"{2015 + i},{1000 * 1.1**i}\n" for i in range(5)))
    r = run_trend(p, "--horizon", "4")
    assert r.exit_code == 0, r.stderr
    f = [float(row[1]) for row in _csv_block(r.output)]
    growth = np.diff([1000 * 1.1**4, *f]) / np.array([1000 * 1.1**4, *f[:-1]])
    assert growth == pytest.approx([0.10] * 4, abs=1e-4)


def test_two_point_decline_stays_above_zero_and_inside_its_interval():
    t = np.array([2018.0, 2019.0])
    s = Series(["2018", "2019"], t, np.array([100.0, 40.0]), "year", True, 1.0)
    tr = fit(s, 5)
    assert np.all(tr.forecast > 0)
    assert tr.forecast[0] == pytest.approx(16.0)  # 40 x 0.4: the same fall again
    assert np.all(tr.lower_95 <= tr.lower_80)
    assert np.all(tr.lower_80 <= tr.forecast)
    assert np.all(tr.forecast <= tr.upper_80)
    assert np.all(tr.lower_95 >= 0)


def test_a_long_declining_series_is_never_forecast_below_zero():
    t = np.arange(2000, 2012, dtype=float)
    y = np.array([120, 100, 95, 70, 60, 40, 30, 20, 12, 6, 2, 0], dtype=float)
    tr = fit(Series([str(int(v)) for v in t], t, y, "year", True, 1.0), 4)
    assert np.all(tr.forecast >= 0)
    assert np.all(tr.lower_95 <= tr.forecast)


def test_ten_thousand_daily_points_are_fitted_with_bounded_work(tmp_path, monkeypatch):
    from statsmodels.tsa.exponential_smoothing import ets

    import forecasting.trend as trend

    lengths: list[int] = []

    original = ets.ETSModel.__init__

    def counting(self, endog, *a, **k):
        lengths.append(len(endog))
        original(self, endog, *a, **k)

    monkeypatch.setattr(ets.ETSModel, "__init__", counting)
    start = np.datetime64("1990-01-01")
    rng = np.random.default_rng(3)
    values = 1000 + np.cumsum(rng.normal(0.5, 5, 10_000))
    p = tmp_path / "daily.csv"
    p.write_text("period,value\n" + "".join(f"{start + i},{v:.2f}\n" for i, v in enumerate(values)))
    r = run_trend(p, "--horizon", "7")
    assert r.exit_code == 0, r.stderr
    assert len(_csv_block(r.output)) == 7
    # ETS (the costly fit) runs on a bounded window from a bounded number of origins
    assert 0 < len(lengths) <= 2 * (trend.MAX_ORIGINS + 1)
    assert max(lengths) <= trend.ETS_WINDOW


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
        ("period,value\n2015,1,004\n2016,5\n", ":2: value: has 3 fields but the header has 2"),
        ("period,value\n2015,1,004\n2016,5\n", "thousands separator: write it as 1004"),
        ("period,value\n2015,12,5\n2016,5\n", "decimal comma: write it as 12.5"),
        ("period,value\n2015,1,2,3\n2016,5\n", "quote any value that contains a comma"),
        ('period,value\n2015,"1,5"\n2016,5\n', "not a thousands separator"),
    ],
)
def test_malformed_history_is_reported(tmp_path, content, expected):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    r = run_trend(p)
    assert r.exit_code == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr


def test_what_a_spreadsheet_writes_is_read(tmp_path):
    """BOM, CRLF, quoted values (with a thousands separator), trailing empty fields and
    trailing blank lines are all legitimate."""
    p = tmp_path / "excel.csv"
    p.write_bytes(
        b"\xef\xbb\xbfperiod,value,source\r\n"
        b'2015,"1,004",DfE\r\n2016,1100,\r\n"2017","1,210.5","DfE, SEN2"\r\n\r\n\r\n'
    )
    from forecasting.trend import read_history

    s = read_history(p)
    assert list(s.y) == [1004.0, 1100.0, 1210.5]
    assert s.labels == ["2015", "2016", "2017"]


def test_binary_and_missing_history(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\x02")
    assert run_trend(p).exit_code == 2
    assert run_trend(tmp_path / "none.csv").exit_code == 2


def test_intervals_hold_most_actuals_on_a_noisy_trend():
    rng = np.random.default_rng(5)
    held, total = 0, 0
    for _ in range(15):  # 60 held-out years: 59 inside the 95% band with this seed
        y = 500 + 20 * np.arange(16) + rng.normal(0, 15, 16)
        t = np.arange(2000, 2016, dtype=float)
        s = Series([str(int(v)) for v in t[:12]], t[:12], y[:12], "year", True, 1.0)
        tr = fit(s, 4)
        held += int(np.sum((tr.lower_95 <= y[12:]) & (y[12:] <= tr.upper_95)))
        total += 4
    assert held / total >= 0.93  # an 80% or 90% band would hold fewer (88% seen for 80%)


def test_growth_can_come_from_a_fitted_trend(editable_set):
    with_trend(editable_set)
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


def test_demand_growth_blends_own_and_englands_growth_over_the_whole_history():
    import math

    from forecasting.trend import GROWTH_RULES, PERT_HALF_WIDTH_SD, demand_growth

    periods = ["2014-15", "2015-16", "2016-17", "2017-18", "2018-19"]
    own = np.array([50.0, 100.0, 110.0, 121.0, 133.1])  # doubled, then 10% a year
    england = {p: 1000 * 1.06**i for i, p in enumerate(periods)}  # 6% a year
    central, low, high, shock, how = demand_growth("ehcp_total", periods, own, england)
    rule = GROWTH_RULES["ehcp_total"]
    # the whole published history (from 2014-15), not the last three years: a quarter of
    # the council's log growth from 50 to 133.1 over four years and three quarters of
    # England's, carried forward in full (the last three years alone would give 7.0%)
    whole = math.log(133.1 / 50) / 4
    g = rule.carry * (rule.weight * whole + (1 - rule.weight) * math.log(1.06))
    assert central == pytest.approx(math.expm1(g))
    assert central == pytest.approx(0.1106, abs=5e-4)
    assert "whole published history" in how
    assert math.log1p(high) - g == pytest.approx(PERT_HALF_WIDTH_SD * rule.sigma)
    assert math.log1p(low) - g == pytest.approx(-PERT_HALF_WIDTH_SD * rule.sigma)
    assert shock == rule.shock
    assert "England" in how and "national backtest" in how
    # post-16 plans take the rate of all plans: the generator reads the total's history
    from forecasting.trend import growth_series

    assert growth_series("ehcp_by_type.post16") == "ehcp_total"
    assert demand_growth("cla_gross_spend", periods, own, england) is None


def test_children_looked_after_growth_is_pulled_toward_the_regions_rate():
    import math

    from forecasting.trend import GROWTH_RULES, demand_growth

    assert GROWTH_RULES["children_looked_after"].reference == "region"
    periods = ["2015-16", "2016-17", "2017-18", "2018-19"]
    own = np.array([100.0, 110.0, 121.0, 133.1])  # 10% a year: no weight in this rule
    region = {p: 1000 * 1.04**i for i, p in enumerate(periods)}  # 4% a year
    region["2019-20"] = 5000.0  # after the base year: never read
    flat = 0.25 * math.log(1.04)
    name = "the West Midlands region"
    # twice the region's rate per 10,000 children: 5% of log 2 a year off a quarter of 4%
    central, low, high, shock, how = demand_growth(
        "children_looked_after", periods, own, region, (130.0, 65.0), name
    )
    assert central == pytest.approx(math.expm1(flat - 0.05 * math.log(2)))
    assert central == pytest.approx(-0.0245, abs=1e-4)
    assert low == high == central and shock == 0.0734
    assert f"25% of {name}'s average growth over its last 3 years (4.0% a year)" in how
    assert f"per 10,000 children (130, cla_per_10k) and {name}'s (65)" in how
    assert "benchmarks/growth_methods.py" in how
    # half the region's rate: pulled up by as much
    up = demand_growth("children_looked_after", periods, own, region, (32.5, 65.0), name)
    assert up is not None and up[0] == pytest.approx(math.expm1(flat + 0.05 * math.log(2)))
    # no published rate: the region's growth alone, and the source says why
    alone = demand_growth("children_looked_after", periods, own, region, None, name)
    assert alone is not None and alone[0] == pytest.approx(math.expm1(flat))
    assert f"no cla_per_10k published for the council: no pull toward {name}'s" in alone[4]
    # a council formed in the base year (one published count) still takes the region's
    # growth over the three years to it, since the rule puts no weight on its own
    new = demand_growth("children_looked_after", ["2018-19"], np.array([500.0]), region, None)
    assert new is not None and new[0] == pytest.approx(math.expm1(flat))
    # but EHCPs, which weigh the council's own growth, cannot be set from one count
    assert demand_growth("ehcp_total", ["2018-19"], np.array([500.0]), region) is None


def test_values_too_large_to_carry_forward_and_years_past_9998_are_refused(tmp_path):
    from click.testing import CliRunner

    from cli import main

    big = tmp_path / "big.csv"
    big.write_text("period,value\n2015,1e308\n2016,1.5e308\n")
    r = CliRunner().invoke(main, ["trend", str(big)])
    assert r.exit_code == 2 and "big.csv:2: value:" in r.stderr
    late = tmp_path / "late.csv"
    late.write_text("period,value\n9997,10\n9998,11\n")
    r = CliRunner().invoke(main, ["trend", str(late)])
    assert r.exit_code == 2 and "--horizon" in r.stderr and "past 9998" in r.stderr


def test_the_growth_rules_are_read_from_their_file_with_sources():
    """Every rule's figures come from forecasting/national/growth_rules.yaml, each rule with
    the backtest's evidence; an edit out of range or without a source is refused."""
    from importlib import resources

    from forecasting.errors import InputError
    from forecasting.trend import GROWTH_RULES, MONEY_RULES, RULES_FILE, parse_rules

    text = (resources.files("forecasting") / "national" / RULES_FILE).read_text()
    assert set(GROWTH_RULES) == {"ehcp_total", "ehcp_by_type.post16", "children_looked_after"}
    assert set(MONEY_RULES) == {"cla_unit_cost", "high_needs_allocation"}
    ehcp = GROWTH_RULES["ehcp_total"]
    assert (ehcp.lookback, ehcp.weight, ehcp.carry, ehcp.sigma, ehcp.shock) == (
        None,
        0.25,
        1.0,
        0.0192,
        0.0464,
    )
    assert GROWTH_RULES["ehcp_by_type.post16"] == ehcp  # post-16 plans grow with all plans
    assert ehcp.evidence.startswith("pooled MAPE 3.99/6.46/8.33/10.18% at 1-4 years, as at")
    assert "\n" not in ehcp.evidence  # one line in the sets' source text
    assert parse_rules(text).demand["ehcp_total"].rule() == ehcp
    lines = text.splitlines(keepends=True)
    at = next(i for i, t in enumerate(lines) if t.startswith("      pooled MAPE 7.3")) - 1
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("      "))
    no_source = "".join(lines[:at] + lines[end:])
    for bad, field, reason in (
        (text.replace("carry: 0.25", "carry: 1.25"), "carry", "less than or equal to 1"),
        (
            text.replace("yearly_shock_sd: 0.0734", "yearly_shock_sd: -0.0734"),
            "demand.children_looked_after.yearly_shock_sd",
            "greater than or equal to 0",
        ),
        (
            text.replace("  ehcp_total: &ehcp\n", "  ehcp_total: &ehcp\n    typo: 1\n"),
            "demand.ehcp_total.typo",
            "Extra inputs are not permitted",
        ),
        (
            text.replace("    reference: region\n", "    reference: county\n"),
            "demand.children_looked_after.reference",
            "'england' or 'region'",
        ),
        (
            text.replace("  cla_unit_cost:\n", "  cla_unit_cost:\n    reference: region\n"),
            "money",
            "cla_unit_cost: a money rule's reference can only be england",
        ),
        (no_source, "money.cla_unit_cost.source", "Field required"),
        (
            text.replace("  value: 0.0131\n", "  value: 1.31\n"),
            "dsg_balance_change_sd",
            "between 0 and 1",
        ),
    ):
        assert bad != text
        with pytest.raises(InputError) as e:
            parse_rules(bad)
        file, named, why = str(e.value).split(": ", 2)
        assert file.endswith("growth_rules.yaml") and named.endswith(field), str(e.value)
        assert reason in why, str(e.value)
