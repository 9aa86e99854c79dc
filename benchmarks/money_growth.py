"""How the money the backtest checks moves from year to year, and which rule projects it
best: the measured errors behind the generated sets' price, allocation and DSG ranges.

From the national extract (DfE's published figures), pooled over every council:

- **Cost per child looked after** (s251 gross spend on children looked after over the
  children looked after at 31 March): each candidate rule sets one yearly growth rate from
  the history published by the base year (the council's own average log growth over all
  years or the last three, shrunk toward England's with weight ``w`` on its own, a share
  ``d`` carried forward), compounded one to four years, scored by the mean absolute %
  error against the outturn for every council as at 2019, 2020 and 2021.
- **High-needs allocation**: the same rules on the allocations announced by the as-at date
  (up to N-(N+1)); as at 2019 only one allocation was out, and the reference rate is the
  12% announced nationally for 2020-21 (the Spending Round of September 2019). Horizon 1 is
  the first year not yet announced. The flat 3% the bundled set assumes is scored too.
- **DSG balance**: the yearly change in the cumulative DSG balance as a share of the DSG,
  pooled over councils and years: the error of a first-year in-year deficit estimated
  without the council's own forecast.

For each chosen rule the log error's robust sd by horizon (the middle 80% over 2.563) is
split into an error in the rate that persists (sd growing as h) and yearly shocks carried
in the level (sd growing as sqrt(h)): var(h) = sigma^2 h^2 + shock^2 h, least squares over
horizons 1-4, as ``benchmarks/growth_methods.py`` does for demand. The results are the
``MONEY_RULES`` of ``forecasting.trend``.

Run: ``python benchmarks/money_growth.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.national import benchmarks, dataset
from forecasting.widths import robust_sd, split_error
from forecasting.years import parse_year, year_label

VINTAGES = (2019, 2020, 2021)
HORIZON = 4
ANNOUNCED_2020_21 = benchmarks.load().announced_high_needs[2019].value  # the Spending Round
LAS: set[int] = set()  # council codes (level "la"), set in main
RULES = [(w, d) for w in (0.0, 0.25, 0.5, 1.0) for d in (1.0, 0.75, 0.5, 0.25, 0.0)]


def log_growth(s: pd.Series, years: int | None) -> float:
    """Average yearly log growth over the last ``years`` years of ``s`` (all if None)."""
    s = s.dropna()
    t = np.array([parse_year(p) for p in s.index], dtype=float)
    y = s.to_numpy(dtype=float)
    if years is not None and len(t):
        keep = t >= t[-1] - years
        t, y = t[keep], y[keep]
    if len(y) < 2 or y[0] <= 0 or y[-1] <= 0:
        return float("nan")
    return float(np.log(y[-1] / y[0]) / (t[-1] - t[0]))


def wide(extract: pd.DataFrame, measure: str) -> pd.DataFrame:
    m = extract[extract["measure"] == measure]
    return m.pivot_table(index="la_code", columns="period", values="value").sort_index(axis=1)


def unit_cost(extract: pd.DataFrame) -> pd.DataFrame:
    """Gross spend on children looked after per child looked after at 31 March, by council
    and year."""
    spend, cla = wide(extract, "cla_gross_spend"), wide(extract, "children_looked_after")
    cols = [c for c in spend.columns if c in cla.columns]
    return spend[cols] / cla[cols].where(cla[cols] > 0)


def score(
    table: pd.DataFrame, last_known: dict[int, str], first_rate: dict[int, float] | None = None
) -> pd.DataFrame:
    """Every rule's errors, by council, vintage and horizon. ``last_known[as_at]`` is the
    last period known at the vintage; ``first_rate`` a rate already announced for the first
    year after it (horizon 0 here, not scored: it is known)."""
    eng = table.loc[dataset.ENGLAND]
    codes = [c for c in table.index if c in LAS]
    rows = []
    for as_at, last in last_known.items():
        cols = [c for c in table.columns if parse_year(c) <= parse_year(last)]
        announced = (first_rate or {}).get(as_at)
        for code in codes:
            hist = table.loc[code, cols].dropna()
            if last not in hist.index:
                continue
            anchor = hist[last]
            step = 0
            if announced is not None:
                anchor, step = anchor * (1 + announced), 1
            candidates = {}
            for lookback in (None, 3):
                own = log_growth(hist, lookback)
                ref = log_growth(eng[cols], lookback)
                if not np.isfinite(ref) and announced is not None:
                    ref = np.log1p(announced)
                if not np.isfinite(own):
                    own = ref
                for w, d in RULES:
                    name = f"last {lookback or 'all'} years, w={w:.2f}, d={d:.2f}"
                    candidates[name] = d * (w * own + (1 - w) * ref)
            candidates["flat 3%"] = np.log1p(0.03)
            for h in range(1, HORIZON + 1):
                year = year_label(parse_year(last) + step + h)
                actual = table.loc[code].get(year)
                if actual is None or not np.isfinite(actual) or actual <= 0:
                    continue
                for name, g in candidates.items():
                    if not np.isfinite(g):
                        continue
                    fc = anchor * np.exp(g * h)
                    rows.append(
                        {
                            "rule": name,
                            "as_at": as_at,
                            "horizon": h,
                            "ape": abs(fc / actual - 1) * 100,
                            "log_error": np.log(actual / fc),
                        }
                    )
    return pd.DataFrame(rows)


def report(name: str, res: pd.DataFrame) -> None:
    table = res.pivot_table(index="rule", columns="horizon", values="ape")
    table["mean"] = table.mean(axis=1)
    table = table.sort_values("mean")
    print(f"\n{name}: mean absolute % error by horizon, pooled over councils and vintages")
    print(table.head(8).round(2).to_string())
    print("...")
    print(table.loc[[r for r in ("flat 3%",) if r in table.index]].round(2).to_string())
    best = table.index[0]
    e = res[res["rule"] == best]
    sigma, shock, sd = split_error(e)
    bias = e.groupby("horizon")["log_error"].mean().round(4).to_dict()
    print(
        f"chosen: {best}; n by horizon {e.groupby('horizon').size().to_dict()}; mean log error "
        f"(actual over forecast) {bias}; robust sd {sd}; growth-rate error sd {sigma:.4f}, "
        f"yearly shock sd {shock:.4f}"
    )


def dsg_balance(extract: pd.DataFrame) -> None:
    share = wide(extract, "dsg_balance_share")
    las = share[[c in LAS for c in share.index]]
    change = las.diff(axis=1).iloc[:, 1:]
    flat = change.to_numpy().ravel()
    flat = flat[np.isfinite(flat)]
    sd = robust_sd(flat)
    print(
        f"\nDSG balance share: yearly change over {list(change.columns)}, {len(flat)} "
        f"council-years: mean {flat.mean():+.4f}, median {np.median(flat):+.4f}, P10 "
        f"{np.quantile(flat, 0.1):+.4f}, P90 {np.quantile(flat, 0.9):+.4f}; robust sd {sd:.4f} "
        "of the DSG"
    )
    for c in change.columns:
        x = change[c].dropna()
        print(
            f"  {c}: mean {x.mean():+.4f}, robust sd "
            f"{(x.quantile(0.9) - x.quantile(0.1)) / 2.563:.4f}, n {len(x)}"
        )


def main() -> None:
    e = dataset.load_extract()
    LAS.update(e.loc[e["level"] == "la", "la_code"].unique())
    pd.set_option("display.width", 200)
    uc = unit_cost(e)
    report(
        "Cost per child looked after",
        score(uc, {y: year_label(y - 1) for y in VINTAGES}),
    )
    hn = wide(e, "high_needs_allocation")
    report(
        "High-needs allocation",
        score(hn, {y: year_label(y) for y in VINTAGES}, {2019: ANNOUNCED_2020_21}),
    )
    dsg_balance(e)


if __name__ == "__main__":
    main()
