"""The tidy results table of the results.csv contract, and the headline figures.

One row per number: ``scenario,area,measure,year,value,unit``. Money is in pounds,
deficits and overspends are positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .projection import Projection

COLUMNS = ["scenario", "area", "measure", "year", "value", "unit"]
HEADLINES = {
    "csc": ["children_in_care", "placement_cost", "staffing_cost", "investment", "savings_planned",
            "savings_delivered", "net_spend", "budget", "overspend"],
    "dsg": ["ehcp_total", "high_needs_income", "high_needs_expenditure", "schools_block_transfer",
            "in_year_deficit", "cumulative_deficit"],
}
# Decimal places kept in results.csv by unit: pence for money, finer for ratios.
DECIMALS = {"GBP": 2, "count": 3, "FTE": 3, "ratio": 6}


def tidy(projection: Projection, row: int = 0) -> pd.DataFrame:
    """One scenario's projection (one draw row) as a long table."""
    years = projection.years
    records = []
    for (area, measure), line in projection.lines.items():
        values = np.round(line.values[row], DECIMALS.get(line.unit, 6))
        for y, v in zip(years, values):
            records.append((projection.scenario, area, measure, y, float(v) + 0.0, line.unit))
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """All scenarios in one table, in a stable order."""
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def headline_table(results: pd.DataFrame) -> pd.DataFrame:
    """Final-year and horizon totals of the figures a cabinet briefing leads with."""
    rows = []
    for scenario, df in results.groupby("scenario", sort=False):
        def v(area, measure, df=df):
            s = df[(df.area == area) & (df.measure == measure)].set_index("year")["value"]
            return s
        overspend = v("csc", "overspend")
        cumulative = v("dsg", "cumulative_deficit")
        cleared = cumulative[cumulative.index != cumulative.index[0]]
        cleared = cleared[cleared <= 0]
        rows.append({
            "scenario": scenario,
            "overspend_forecast_total": overspend.iloc[1:].sum(),
            "overspend_final_year": overspend.iloc[-1],
            "transfers_total": v("dsg", "schools_block_transfer").sum(),
            "cumulative_deficit_final": cumulative.iloc[-1],
            "deficit_clears": cleared.index[0] if len(cleared) else "not by " + cumulative.index[-1],
            "final_year": overspend.index[-1],
        })
    return pd.DataFrame(rows)
