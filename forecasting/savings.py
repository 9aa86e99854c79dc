"""Savings programmes: what is planned and what, weighted by delivery confidence, lands.

Each item has a full-year value, a start year and month, a RAG confidence mapped to a
probability of delivery, a slippage in years, and the spend line it reduces. Planned
savings count from the start; risk-adjusted delivery counts from the start plus slippage,
at value x probability. A recurring saving that starts after April counts in its first
year only for the months to March (a saving consulted on to late September lands for
half a year). A saving made outside children's social care (``reduces: other_services``)
is reported but does not reduce its spend; a saving that is the cost effect of modelled
placement moves (``linked_moves``) is delivered by those moves and not counted again.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .inputs import Inputs
from .schema import Savings, SavingsItem

FIRST_MONTH = 4  # April: the financial year runs April to March
MONTHS = 12


class ItemSavings(NamedTuple):
    planned: np.ndarray  # planned in each year, part-year in the first, pounds
    full_year: np.ndarray  # full-year value of the planned saving once started, pounds
    delivered: np.ndarray  # risk-adjusted delivery counted as a saving, pounds


def first_year_share(start_month: int) -> float:
    """Share of the first financial year a saving starting in ``start_month`` covers:
    1 from April, 0.5 from October, 1/12 from March."""
    return (MONTHS - (start_month - FIRST_MONTH) % MONTHS) / MONTHS


def _timing(item: SavingsItem, start: int, n_years: int) -> np.ndarray:
    """1 in each year the saving counts, the first-year share in its first year."""
    years = np.arange(n_years)
    if not item.recurrent:
        return (years == start).astype(float)
    on = (years >= start).astype(float)
    if start < n_years:
        on[start] = first_year_share(item.start_month)
    return on


def project_savings(inp: Inputs, savings: Savings) -> dict[str, ItemSavings]:
    """Planned, full-year and delivered savings by item, each ``(draws, years)``, in pounds.

    An item linked to placement moves delivers nothing here: its delivery is the moves'
    cost effect, already in placement cost.
    """
    fm = inp.forecast_mask()
    n_years = len(inp.years)
    years = np.arange(n_years)
    out = {}
    for sid, item in savings.items.items():
        amount = inp.base(item.amount)
        prob = inp.series(savings.confidence_probability[item.confidence])
        start = inp.timeline.index(item.start_year)
        planned_on = _timing(item, start, n_years)
        full_on = (years >= start) if item.recurrent else (years == start)
        delivered_on = _timing(item, start + item.slip_years, n_years)
        delivered = amount * prob * delivered_on * fm
        if item.linked_moves:
            delivered = np.zeros_like(delivered)
        out[sid] = ItemSavings(amount * planned_on * fm, amount * full_on * fm, delivered)
    return out
