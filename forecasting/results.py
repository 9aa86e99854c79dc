"""The tidy results table of the results.csv contract, and the headline figures.

One row per number: ``scenario,area,measure,year,value,unit``. Money is in pounds,
deficits and overspends are positive. Rows are plain tuples so a run needs no pandas;
``to_frame`` gives a DataFrame for analysis and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .projection import Projection

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["scenario", "area", "measure", "year", "value", "unit"]
Record = tuple[str, str, str, str, float, str]
HEADLINES = {
    "csc": [
        "children_in_care",
        "placement_cost",
        "staffing_cost",
        "investment",
        "savings_planned",
        "savings_delivered",
        "net_spend",
        "budget",
        "overspend",
    ],
    "dsg": [
        "ehcp_total",
        "high_needs_income",
        "high_needs_expenditure",
        "schools_block_transfer",
        "in_year_deficit",
        "cumulative_deficit",
    ],
}
# Decimal places kept in results.csv by unit: pence for money, finer for ratios.
DECIMALS = {"GBP": 2, "count": 3, "FTE": 3, "ratio": 6}


def rounded(values: np.ndarray, unit: str) -> list[float]:
    """Figures as results.csv keeps them (and without negative zeros)."""
    return [float(v) + 0.0 for v in np.round(values, DECIMALS.get(unit, 6))]


def tidy(projection: Projection, row: int = 0) -> list[Record]:
    """One scenario's projection (one draw row) as long-format records."""
    years = projection.years
    out: list[Record] = []
    for (area, measure), line in projection.lines.items():
        for y, v in zip(years, rounded(line.values[row], line.unit), strict=True):
            out.append((projection.scenario, area, measure, y, v, line.unit))
    return out


def to_frame(records: Sequence[Record]) -> pd.DataFrame:
    """The results rows as a DataFrame with the results.csv columns, for analysis."""
    import pandas as pd

    return pd.DataFrame.from_records(records, columns=COLUMNS)


@dataclass(frozen=True)
class Headline:
    """What a cabinet briefing leads with for one scenario."""

    scenario: str
    overspend_forecast_total: float
    overspend_final_year: float
    transfers_total: float
    cumulative_deficit_final: float
    deficit_clears: str  # the first forecast year ending with no deficit, or "not by YEAR"
    final_year: str


def headline(projection: Projection) -> Headline:
    years = projection.years
    overspend = projection[("csc", "overspend")][0]
    cumulative = projection[("dsg", "cumulative_deficit")][0]
    flags = projection[("dsg", "deficit_cleared")][0]
    cleared = [y for y, f in zip(years[1:], flags[1:], strict=True) if f]
    return Headline(
        scenario=projection.scenario,
        overspend_forecast_total=float(overspend[1:].sum()),
        overspend_final_year=float(overspend[-1]),
        transfers_total=float(projection[("dsg", "schools_block_transfer")][0].sum()),
        cumulative_deficit_final=float(cumulative[-1]),
        deficit_clears=cleared[0] if cleared else f"not by {years[-1]}",
        final_year=years[-1],
    )
