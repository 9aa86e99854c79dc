"""The pure engine: one scenario's assumptions in, its projection out. No files, no printing."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import areas
from .inputs import Inputs
from .projection import Projection
from .schema import AssumptionSet


def project(
    name: str,
    assumptions: AssumptionSet,
    draws: Mapping[str, np.ndarray] | None = None,
    n_draws: int = 1,
) -> Projection:
    """Project every area the set has for every year; with ``draws``, every draw at once
    (row by row). Areas are projected in the registry's order (``forecasting.areas``)."""
    inp = Inputs(assumptions, draws, n_draws)
    proj = Projection(name, inp.years, draws=inp.n)
    for area in areas.present(assumptions):
        area.project(inp, proj)
    return proj
