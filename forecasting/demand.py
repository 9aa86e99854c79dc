"""Demand: children in care, education, health and care plans (EHCPs) and permanent
exclusions, each grown from its base-year figure by a yearly growth rate."""

from __future__ import annotations

import numpy as np

from .inputs import Inputs
from .schema import ChildrensServices, HighNeeds


def children_in_care(inp: Inputs, csc: ChildrensServices) -> dict[str, np.ndarray]:
    """Children in each placement type by year, before any placement moves.

    The total grows with the children-in-care growth rate. Fixed-capacity types (such as
    in-house children's homes) keep their base count; the rest of the total is shared
    among the other types in their base-year proportions.
    """
    base = {k: inp.base(t.children) for k, t in csc.placements.items()}
    total = sum(base.values()) * inp.index(csc.children_in_care.growth)
    fixed = sum(
        (base[k] for k, t in csc.placements.items() if not t.grows_with_demand),
        np.zeros((inp.n, 1)),
    )
    growing = sum(
        (base[k] for k, t in csc.placements.items() if t.grows_with_demand), np.zeros((inp.n, 1))
    )
    flexible = np.maximum(total - fixed, 0.0)
    share = {
        k: np.divide(base[k], growing, out=np.zeros_like(growing), where=growing > 0) for k in base
    }
    return {
        k: (
            np.broadcast_to(base[k], inp.shape).copy()
            if not t.grows_with_demand
            else flexible * share[k]
        )
        for k, t in csc.placements.items()
    }


def ehcps(inp: Inputs, hn: HighNeeds) -> tuple[np.ndarray, np.ndarray]:
    """School-age and 16-25 EHCPs by year (January census), each on its own growth rate."""
    school = inp.base(hn.ehcp.school_age_plans) * inp.index(hn.ehcp.growth)
    post16 = inp.base(hn.ehcp.post16_plans) * inp.index(hn.ehcp.post16_growth)
    return school, post16


def permanent_exclusions(inp: Inputs, hn: HighNeeds) -> tuple[np.ndarray, np.ndarray]:
    """Permanent exclusions on trend, and after the reduction target (a mitigation)."""
    ex = hn.exclusions
    trend = inp.base(ex.permanent_exclusions) * inp.index(ex.growth)
    reduction = inp.series(ex.reduction) * inp.forecast_mask()
    return trend, trend * (1.0 - reduction)
