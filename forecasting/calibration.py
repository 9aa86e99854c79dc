"""The calibration guard: a reconciliation line is what the drivers do not explain, and a
large one means the figures behind it need checking before the forecast is used.

Each area's reconciliation is set against the modelled spend it balances; above the share
the assumption set names (``reconciliation_warning_share``) the run warns, the workbooks
say so on their cover and Checks sheet, and ``forecast validate`` reports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from .formats import prose_millions
from .inputs import Inputs
from .projection import Projection
from .schema import Share

if TYPE_CHECKING:
    from .loading import Scenario

# What to check when an area's reconciliation is too large: its line, and the figures it
# balances (the calibration target and the drivers that explain it).
CHECK = {
    "csc": (
        "reconciliation",
        "children's social care",
        "the base-year overspend (childrens_services.calibration.base_year_overspend), the "
        "base-year budget (childrens_services.budget), children and weekly costs by "
        "placement type, the workforce and the other spend lines",
    ),
    "dsg": (
        "expenditure.reconciliation",
        "DSG high needs",
        "the in-year deficit (high_needs.calibration.in_year_deficit), the high-needs block "
        "(high_needs.income.high_needs_block), EHCPs, provision shares and costs per place, "
        "exclusions and the fixed lines",
    ),
}


def reconciliation_share(
    inp: Inputs,
    proj: Projection,
    area: str,
    recon: np.ndarray,
    modelled: np.ndarray,
    warning_share: Share,
    cal: str,
) -> None:
    """The reconciliation line as a share of the modelled spend it balances, the share above
    which it is a warning, and the warning flag (1 where it is above)."""
    share = proj.add(
        area,
        "reconciliation_share",
        "ratio",
        np.divide(np.abs(recon), np.abs(modelled), out=np.zeros(recon.shape), where=modelled != 0),
        "Reconciliation line as a share of the modelled spend it balances",
        (cal,),
    )
    limit = proj.add(
        area,
        "reconciliation_warning_share",
        "ratio",
        inp.series(warning_share),
        "Share above which the reconciliation line is a warning",
        (f"{cal}.reconciliation_warning_share",),
    )
    proj.add(
        area,
        "reconciliation_warning",
        "count",
        (share > limit).astype(float),
        "Reconciliation above the warning share (1 yes): check the figures it balances",
    )


def calibration_warnings(projections: Iterable[Projection]) -> list[str]:
    """One sentence per area (and figure) whose reconciliation is above its warning share,
    naming the scenarios, the year, the amount, its share and the figures to check."""
    found: dict[str, list[str]] = {}
    for p in projections:
        for area, (line, name, figures) in CHECK.items():
            if (area, "reconciliation_warning") not in p.lines:
                continue
            flags = p[(area, "reconciliation_warning")][0]
            if not flags.any():
                continue
            t = int(np.argmax(flags))
            recon = p[(area, line)][0][t]
            share = p[(area, "reconciliation_share")][0][t]
            limit = p[(area, "reconciliation_warning_share")][0][t]
            text = (
                f"{name}: the reconciliation line is {prose_millions(recon)} in "
                f"{p.years[t]}, {share:.1%} of the {prose_millions(abs(recon) / share)}"
                f" of modelled spend it balances (warning above {limit:.1%}); "
                f"the drivers do not explain the outturn. Check {figures}"
            )
            found.setdefault(text, []).append(p.scenario)
    return [f"{text} (scenarios: {', '.join(names)})." for text, names in found.items()]


def scenario_warnings(scenarios: Iterable[Scenario]) -> list[str]:
    """The calibration warnings of scenarios as loaded, before any run: each central case is
    projected (no draws) and its reconciliation lines checked as a run would check them."""
    from .engine import project  # the engine's areas use this module's reconciliation_share

    return calibration_warnings(project(s.name, s.assumptions) for s in scenarios)
