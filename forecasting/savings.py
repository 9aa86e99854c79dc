"""Savings programmes: what is planned and what, weighted by delivery confidence, lands.

Each item has a full-year value, a start year, a RAG confidence mapped to a probability
of delivery, and a slippage in years. Planned savings count from the start year;
risk-adjusted delivery counts from the start year plus slippage, at value x probability.
"""

from __future__ import annotations

import numpy as np

from .inputs import Inputs
from .schema import Savings


def project_savings(inp: Inputs, savings: Savings) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Planned and delivered savings by item, each ``(draws, years)``, in pounds."""
    fm = inp.forecast_mask()
    years = np.arange(len(inp.years))
    out = {}
    for sid, item in savings.items.items():
        amount = inp.base(item.amount)
        prob = inp.series(savings.confidence_probability[item.confidence])
        start = inp.timeline.index(item.start_year)
        landed = start + item.slip_years
        if item.recurrent:
            planned_on, delivered_on = years >= start, years >= landed
        else:
            planned_on, delivered_on = years == start, years == landed
        planned = amount * planned_on * fm
        delivered = amount * prob * delivered_on * fm
        out[sid] = (planned, delivered)
    return out
