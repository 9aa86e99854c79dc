"""Children looked after from starts and ceases: does a stock-and-flow projection beat the
growth rule and "no change"? The pooled national backtest.

For every council and vintage (as at 2019, 2020, 2021; base year N-1 to N), from figures
published by the base year: starts per child aged 0-17 and ceases per child looked after at
the start of the year, each averaged over the last three years, the population held at its
base-year figure. The stock-and-flow step is ``n + lam * (starts_rate * pop - ceases_rate *
n)`` (``lam`` = 1 the full flow; less, a damped step toward the flows' steady state). Its
four-year path gives one constant yearly rate, which is also blended half and half with the
growth rule (a quarter of England's average growth over the last three years). Scored by
the mean absolute % error against the published count at 31 March, horizons 1-4, on the
councils the flows can be computed for; the chosen rule's log error is split into a
persistent rate error and a yearly shock as in ``benchmarks/growth_methods.py``. Councils
are those the backtest can build (with a DSG allocation).

Outcome (recorded in benchmarks/README.md): no stock-and-flow rule beats the growth rule
(``forecasting.trend.GROWTH_RULES`` as it then was), so the generator does not use one. The
rule has since gained a pull toward England's rate per 10,000 children, and then moved to
the council's region's growth and rate (``benchmarks/growth_methods.py``); each does better
than every version here. Including the City
of London and the Isles of Scilly (a handful of children, errors over 100%) would reverse
the ranking: those two alone decide it.

Run: ``python benchmarks/cla_flows.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.national import dataset
from forecasting.widths import split_error
from forecasting.years import year_label

VINTAGES = (2019, 2020, 2021)
HORIZON = 4


def flow_growth(
    n0: float, starts_rate: float, ceases_rate: float, population: float, step: float, years: int
) -> float:
    """The constant yearly log growth of a ``years``-year stock-and-flow path of children
    looked after: each year ``n + step * (starts_rate * population - ceases_rate * n)``."""
    n = n0
    for _ in range(years):
        n = n + step * (starts_rate * population - ceases_rate * n)
    return float(np.log(max(n, 1e-9) / n0) / years)


def evaluate(extract: pd.DataFrame) -> pd.DataFrame:
    def wide(m: str) -> pd.DataFrame:
        return extract[extract["measure"] == m].pivot_table(
            index="la_code", columns="period", values="value"
        )

    n_, s_, c_, pop_ = (
        wide(m) for m in ("children_looked_after", "cla_starts", "cla_ceased", "population_0_17")
    )
    las = set(extract.loc[extract["level"] == "la", "la_code"])
    # the councils the backtest can build (a set needs a DSG allocation: not the City of
    # London or the Isles of Scilly, whose few children give errors of over 100%)
    las &= set(extract.loc[extract["measure"] == "high_needs_allocation", "la_code"])
    codes = sorted(las & set(n_.index) & set(s_.index) & set(c_.index) & set(pop_.index))
    eng = n_.loc[dataset.ENGLAND]
    rows = []
    for as_at in VINTAGES:
        bi = as_at - 1
        base = year_label(bi)
        last3 = [year_label(bi - k) for k in range(3)]
        before = [year_label(bi - k - 1) for k in range(3)]
        g_rule = 0.25 * np.log(eng[base] / eng[year_label(bi - 3)]) / 3
        for code in codes:
            try:
                n0 = n_.loc[code, base]
                sr = np.nanmean([s_.loc[code, y] / pop_.loc[code, y] for y in last3])
                cr = np.nanmean(
                    [c_.loc[code, y] / n_.loc[code, p] for y, p in zip(last3, before, strict=True)]
                )
                pop = pop_.loc[code, base]
            except KeyError:
                continue
            if not np.all(np.isfinite([n0, sr, cr, pop])) or n0 <= 0:
                continue
            rules = {"no change": 0.0, "growth rule (a quarter of England's)": g_rule}
            for lam in (1.0, 0.5, 0.25):
                r = flow_growth(n0, sr, cr, pop, lam, HORIZON)
                rules[f"stock-flow, step {lam}"] = r
                rules[f"half stock-flow (step {lam}), half growth rule"] = 0.5 * r + 0.5 * g_rule
            for h in range(1, HORIZON + 1):
                a = n_.loc[code].get(year_label(bi + h))
                if a is None or not np.isfinite(a) or a <= 0:
                    continue
                for name, g in rules.items():
                    fc = n0 * np.exp(g * h)
                    rows.append(
                        {
                            "rule": name,
                            "horizon": h,
                            "ape": abs(fc / a - 1) * 100,
                            "log_error": np.log(a / fc),
                        }
                    )
    return pd.DataFrame(rows)


def main() -> None:
    res = evaluate(dataset.load_extract())
    table = res.pivot_table(index="rule", columns="horizon", values="ape")
    table["mean 1-4"] = table.mean(axis=1)
    pd.set_option("display.width", 200)
    print("Children looked after: mean absolute % error by horizon, pooled over councils and")
    print("vintages 2019-2021 (councils with published starts, ceases and population)")
    print(table.sort_values("mean 1-4").round(2).to_string())
    print("n by horizon:", res[res["rule"] == "no change"].groupby("horizon").size().to_dict())
    best = table["mean 1-4"].idxmin()
    sigma, shock, sd = split_error(res[res["rule"] == best])
    print(
        f"best: {best}; robust sd of log error {sd}; growth-rate error sd "
        f"{sigma:.4f}, yearly shock sd {shock:.4f}"
    )


if __name__ == "__main__":
    main()
