"""The announced high-needs rise: how far each council's allocation strays from it.

A set generated as at 2019 states 2020-21's high-needs growth as the 12% announced nationally
(the Spending Round of September 2019). A council's own allocation differs from "last year's
times the national rise" (the distribution formula, its floors and caps, import and export
adjustments), so that year is drawn around the announced rate with a measured spread (the
``stated_sd`` of the rate's yearly shock). This script prints, from DfE's published
allocations in the national extract:

- the robust sd (middle 80% over 2.563) of a council's log allocation growth less England's,
  year by year and pooled over every year announced by each vintage's date
  (``forecasting.widths.spread_around_england``, what the generator uses);
- from the recorded backtest (``backtest.csv.gz``), the share of as-at-2019 outturns one year
  out that a band of +-1.2816 sd (the P10-P90 of a normal) around the central forecast holds,
  for each candidate sd.

Run: ``python benchmarks/allocation_spread.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.national import dataset
from forecasting.trend import MONEY_RULES
from forecasting.widths import robust_sd, spread_around_england
from forecasting.years import parse_year

RECORDED = Path(__file__).with_name("backtest.csv.gz")
Z90 = 1.2816  # the 90th percentile of a standard normal


def allocations() -> pd.DataFrame:
    """High-needs allocations, one row per council and England, one column per year."""
    e = dataset.load_extract()
    e = e[(e["measure"] == "high_needs_allocation") & e["level"].isin(("la", "england"))]
    return e.pivot_table(index="la_code", columns="period", values="value")


def main() -> None:
    wide = allocations()
    years = sorted(wide.columns, key=parse_year)
    print("Spread of a council's log allocation growth around England's (robust sd)")
    logs = np.log(wide)
    for a, b in zip(years, years[1:], strict=False):
        gap = (logs[b] - logs[a]).drop(index=dataset.ENGLAND) - (
            logs.loc[dataset.ENGLAND, b] - logs.loc[dataset.ENGLAND, a]
        )
        eng = np.expm1(logs.loc[dataset.ENGLAND, b] - logs.loc[dataset.ENGLAND, a])
        gap = gap.dropna()
        print(f"  {b}: England +{eng:.1%}, {len(gap)} councils, sd {robust_sd(gap):.4f}")
    print("Pooled over the years announced by each vintage's date")
    for as_at in (2019, 2020, 2021, 2022, 2023):
        got = spread_around_england(wide, dataset.ENGLAND, as_at)
        text = "none (one allocation out)" if got is None else f"{got[0]:.4f} over {got[1]}"
        print(f"  as at {as_at}: {text}")
    rule = MONEY_RULES["high_needs_allocation"]
    one_year = float(np.hypot(rule.sigma, rule.shock))
    if RECORDED.is_file():
        f = pd.read_csv(RECORDED)
        f = f[(f["measure"] == "high_needs_allocation") & (f["as_at"] == 2019)]
        f = f[f["horizon"] == 1]
        err = np.log(f["actual"] / f["forecast"])
        print(f"As at 2019, one year out ({len(f)} councils): log error mean {err.mean():+.4f}")
        for label, sd in (
            ("the rule's yearly shock", rule.shock),
            ("the rule's one-year error (in use)", one_year),
            ("2020-21's own spread (hindsight)", robust_sd(err)),
        ):
            held = float((err.abs() <= Z90 * sd).mean())
            print(f"  +-{Z90} x {sd:.4f} ({label}) holds {held:.0%}")


if __name__ == "__main__":
    main()
