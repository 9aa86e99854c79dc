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


def spread_around_england(
    allocations: pd.DataFrame, england: str | int, as_at: int
) -> tuple[float, int, list[str]] | None:
    """How far a council's yearly allocation growth strays from England's: the robust sd of
    log(council's growth) - log(England's growth), pooled over councils and every year whose
    allocation (and the one before it) was announced by September ``as_at`` (periods up to
    ``as_at``-``as_at + 1``). The error of "last year's allocation times the national rise"
    for one council, when the national rise is known (the distribution formula, its floors
    and caps, import and export adjustments).

    ``allocations``: one row per area (index, England's labelled ``england``) and one column
    per financial year label. Returns (sd, council-years, the years pooled), or None when
    fewer than two allocations were out by then (as at 2019 only 2019-20's was)."""
    from .years import parse_year

    cols = sorted((c for c in allocations.columns if parse_year(c) <= as_at), key=parse_year)
    pairs = [
        (a, b) for a, b in zip(cols, cols[1:], strict=False) if parse_year(b) == parse_year(a) + 1
    ]
    if not pairs or england not in allocations.index:
        return None
    logs = np.log(allocations.where(allocations > 0))
    growth = pd.DataFrame({b: logs[b] - logs[a] for a, b in pairs})
    gap = growth.drop(index=england) - growth.loc[england]
    x = gap.to_numpy(dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    return robust_sd(x), int(x.size), [b for _, b in pairs]
