"""How wide a range should be, from errors measured in the backtest.

A range is a promise, so its width comes from how far past forecasts missed. The measuring
scripts in ``benchmarks/`` use these two functions; the figures they print go into the
assumption files (a growth rate's ``low``/``high`` and its ``yearly_shock``) with their source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The P10 to P90 spread of a normal distribution in standard deviations (2 x 1.2816): the
# middle 80% of errors over it gives a standard deviation that outliers do not inflate.
NORMAL_P10_P90 = 2.563


def robust_sd(values) -> float:
    """A standard deviation from the middle 80% of ``values`` (non-finite ones dropped)."""
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    return float((np.quantile(x, 0.9) - np.quantile(x, 0.1)) / NORMAL_P10_P90)


def split_error(errors: pd.DataFrame) -> tuple[float, float, dict]:
    """A rule's log forecast errors split into a wrong growth rate, whose effect grows with
    the horizon h, and yearly shocks, whose effect grows as the square root of h:
    var(h) = sigma^2 h^2 + shock^2 h, fitted by least squares over the horizons.

    Returns (sigma, shock, robust sd of the log error by horizon)."""
    sd = errors.groupby("horizon")["log_error"].agg(robust_sd)
    h = sd.index.to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(np.column_stack([h**2, h]), sd.to_numpy() ** 2, rcond=None)
    sigma, shock = np.sqrt(np.maximum(coef, 0.0))
    return float(sigma), float(shock), sd.round(4).to_dict()
