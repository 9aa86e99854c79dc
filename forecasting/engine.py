"""The pure engine: one scenario's assumptions in, its projection out. No files, no printing."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .childrens_services import project_childrens_services
from .high_needs import project_high_needs
from .inputs import Inputs
from .projection import Projection
from .schema import AssumptionSet


def project(
    name: str,
    assumptions: AssumptionSet,
    draws: Mapping[str, np.ndarray] | None = None,
    n_draws: int = 1,
) -> Projection:
    """Project both areas for every year; with ``draws``, every draw at once (row by row)."""
    inp = Inputs(assumptions, draws, n_draws)
    proj = Projection(name, inp.years)
    project_childrens_services(inp, proj)
    project_high_needs(inp, proj)
    return proj
