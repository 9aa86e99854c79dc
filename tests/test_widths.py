"""The measured widths of ranges: a robust standard deviation, and the split of forecast
errors into a wrong growth rate and yearly shocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.widths import robust_sd, split_error


def test_robust_sd_of_a_normal_sample_and_its_outliers():
    x = np.random.default_rng(1).normal(0, 0.05, 200_000)
    assert robust_sd(x) == pytest.approx(0.05, rel=0.01)
    assert robust_sd(np.append(x, [50.0] * 100)) == pytest.approx(0.05, rel=0.02)


def test_errors_split_into_a_rate_error_and_yearly_shocks():
    """Errors built from a known rate error (sd 0.02) and yearly shocks (sd 0.03) come back."""
    rng = np.random.default_rng(2)
    rows = []
    for _ in range(20_000):
        rate = rng.normal(0, 0.02)
        walk = np.cumsum(rng.normal(0, 0.03, 4))
        rows += [{"horizon": h, "log_error": rate * h + walk[h - 1]} for h in range(1, 5)]
    sigma, shock, sd = split_error(pd.DataFrame(rows))
    assert sigma == pytest.approx(0.02, rel=0.1) and shock == pytest.approx(0.03, rel=0.1)
    assert sd[4] > sd[1]


def test_spread_around_england_uses_only_allocations_announced_by_then():
    """Three councils growing 2%, 0% and -2% in log terms against England's 10% in 2020-21:
    a robust sd of their gaps; as at 2019 only one allocation was out, so nothing."""
    from forecasting.widths import spread_around_england

    growth = {"e": 0.10, 1: 0.12, 2: 0.10, 3: 0.08}
    table = pd.DataFrame(
        {
            "2019-20": {k: 100.0 for k in growth},
            "2020-21": {k: 100.0 * np.exp(g) for k, g in growth.items()},
            "2021-22": {k: 500.0 for k in growth},  # announced after 2020: never read
        }
    )
    assert spread_around_england(table, "e", 2019) is None
    sd, n, years = spread_around_england(table, "e", 2020)
    assert (n, years) == (3, ["2020-21"])
    gaps = np.array([0.02, 0.0, -0.02])
    assert sd == pytest.approx(robust_sd(gaps), abs=1e-12)
    assert sd == pytest.approx((0.016 - -0.016) / 2.563, abs=1e-9)  # middle 80% of the gaps


def test_spread_around_england_of_the_published_high_needs_allocations():
    """DfE's allocations: no spread measurable as at 2019; 3.1% in 2020-21 (the year of the
    8% floor), 2.5% pooled with 2021-22."""
    from forecasting.national import dataset
    from forecasting.widths import spread_around_england

    e = dataset.load_extract()
    e = e[(e["measure"] == "high_needs_allocation") & e["level"].isin(("la", "england"))]
    wide = e.pivot_table(index="la_code", columns="period", values="value")
    assert spread_around_england(wide, dataset.ENGLAND, 2019) is None
    sd, n, _ = spread_around_england(wide, dataset.ENGLAND, 2020)
    assert (round(sd, 4), n) == (0.0308, 149)
    sd, n, years = spread_around_england(wide, dataset.ENGLAND, 2021)
    assert (round(sd, 4), n, years) == (0.0254, 297, ["2020-21", "2021-22"])


def test_the_pert_half_width_matches_the_pert_shape_drawn():
    """trend.PERT_HALF_WIDTH_SD sets a drawn rate's range so its P10-P90 is the measured
    error's 80% band: it must follow the PERT shape uncertainty.py draws with."""
    from scipy import stats

    from forecasting.trend import PERT_HALF_WIDTH_SD
    from forecasting.uncertainty import PERT_SHAPE

    a = 1.0 + PERT_SHAPE / 2  # a symmetric PERT is Beta(a, a) on [low, high]
    p90 = 2 * stats.beta.ppf(0.9, a, a) - 1  # as a share of the half-width
    assert PERT_HALF_WIDTH_SD == pytest.approx(stats.norm.ppf(0.9) / p90, abs=0.005)
