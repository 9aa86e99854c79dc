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
