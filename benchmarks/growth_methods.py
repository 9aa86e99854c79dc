"""Which growth rule projects council demand best: the pooled national backtest.

For every council, vintage (as at 2019, 2020, 2021) and demand series (EHC plans,
children looked after), each candidate rule sets one yearly growth rate from the history
published by the base year, and the series is compounded at it for one to four years. The
mean absolute percentage error against the published outturn, pooled over councils and
vintages, is printed by rule and horizon. Candidates: the council's own average growth over
its whole history or its last ``L`` years, and that growth shrunk toward England's over the
same years with weight ``w`` on the council's own (w = 0 is England's growth, w = 1 the
council's own), and damped: a share ``d`` of that growth carried forward. The rule chosen
for each series is ``forecasting.trend.GROWTH_RULES``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.national import dataset
from forecasting.widths import split_error
from forecasting.years import parse_year, year_label

VINTAGES = (2019, 2020, 2021)
HORIZON = 4
SINCE = {"ehcp_total": "2014-15"}
MEASURES = ("ehcp_total", "children_looked_after")
# (w, d): weight on the council's own growth (the rest on England's), and damping d, the
# share of that growth carried forward (d = 0 is no change)
RULES = [(w, d) for w in (0.0, 0.25, 0.5, 1.0) for d in (1.0, 0.75, 0.5, 0.25, 0.1, 0.0)]


def log_growth(s: pd.Series, years: int | None) -> float:
    """Average yearly log growth over the last ``years`` years of ``s`` (all if None)."""
    t = np.array([parse_year(p) for p in s.index], dtype=float)
    y = s.to_numpy(dtype=float)
    if years is not None:
        keep = t >= t[-1] - years
        t, y = t[keep], y[keep]
    if len(y) < 2 or y[0] <= 0 or y[-1] <= 0:
        return float("nan")
    return float(np.log(y[-1] / y[0]) / (t[-1] - t[0]))


def evaluate(extract: pd.DataFrame) -> pd.DataFrame:
    las = extract[extract["level"] == "la"]
    rows = []
    for measure in MEASURES:
        m = extract[extract["measure"] == measure]
        wide = m.pivot_table(index="la_code", columns="period", values="value")
        eng = wide.loc[dataset.ENGLAND]
        codes = sorted(set(las["la_code"]) & set(wide.index))
        for as_at in VINTAGES:
            base = year_label(as_at - 1)
            cols = [
                c
                for c in wide.columns
                if parse_year(c) <= parse_year(base)
                and parse_year(c) >= parse_year(SINCE.get(measure, "2000-01"))
            ]
            for code in codes:
                hist = wide.loc[code, cols].dropna()
                if base not in hist.index or len(hist) < 2:
                    continue
                e_hist = eng[hist.index]
                for lookback in (None, 3):
                    own = log_growth(hist, lookback)
                    ref = log_growth(e_hist, lookback)
                    for w, d in RULES:
                        g = d * (w * own + (1 - w) * ref)
                        for h in range(1, HORIZON + 1):
                            year = year_label(as_at - 1 + h)
                            actual = wide.loc[code].get(year)
                            if actual is None or not np.isfinite(actual) or not np.isfinite(g):
                                continue
                            fc = hist[base] * np.exp(g * h)
                            rows.append(
                                {
                                    "measure": measure,
                                    "rule": f"last {lookback or 'all'} years, w={w:.2f}, d={d:.2f}",
                                    "horizon": h,
                                    "ape": abs(fc / actual - 1) * 100,
                                    "log_error": np.log(actual / fc),
                                }
                            )
    return pd.DataFrame(rows)


def main() -> None:
    res = evaluate(dataset.load_extract())
    table = res.pivot_table(index=["measure", "rule"], columns="horizon", values="ape")
    table["mean 1-4"] = table.mean(axis=1)
    pd.set_option("display.width", 200)
    print("Mean absolute % error by horizon, pooled over councils and vintages 2019-2021")
    print(table.round(2).to_string())
    best = table["mean 1-4"].groupby(level=0).idxmin()
    print("\nbest rule by measure:", {m: r for m, (_, r) in best.items()})
    # The spread of the best rule's log error by horizon, split into a persistent error in
    # the growth rate (sd grows as h) and yearly shocks that carry forward in the level (sd
    # grows as sqrt(h)): var(h) = sigma^2 h^2 + shock^2 h, least squares over horizons 1-4.
    for m, (_, r) in best.items():
        e = res[(res["measure"] == m) & (res["rule"] == r)]
        sigma, shock, sd = split_error(e)
        print(
            f"{m}: robust sd of log error by horizon {sd}; growth-rate "
            f"error sd {sigma:.4f}, yearly shock sd {shock:.4f}"
        )

if __name__ == "__main__":
    main()
