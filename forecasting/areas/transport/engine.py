"""Home-to-school transport for pupils with EHCPs, year by year.

pupils transported (by provision) = EHCPs in the provision x eligible share;
cost per pupil = base-year cost x inflation index;
cost (by provision) = pupils transported x cost per pupil, and the totals of both.
"""

from __future__ import annotations

from ...high_needs import AREA as DSG  # the area whose EHCPs by provision drive this one
from ...inputs import Inputs
from ...names import POST16, POST16_LABEL
from ...projection import Projection
from . import CODE, KEY


def project(inp: Inputs, proj: Projection) -> None:
    """Add the transport lines of one scenario (after the high-needs lines they use)."""
    t = inp.a.area(KEY)
    add = proj.add
    unit = add(
        CODE,
        "cost_per_pupil",
        "GBP",
        inp.base(t.cost_per_pupil) * inp.index(t.inflation),
        "Cost per pupil transported a year",
        (f"{KEY}.cost_per_pupil", f"{KEY}.inflation"),
    )
    provisions = list(t.eligible_share)
    for pid in provisions:
        add(
            CODE,
            f"eligible_share.{pid}",
            "ratio",
            inp.series(t.eligible_share[pid]),
            f"Share transported: {_provision(inp, pid)}",
            (f"{KEY}.eligible_share.{pid}",),
        )
    for pid in provisions:
        add(
            CODE,
            f"pupils.{pid}",
            "count",
            proj[(DSG, f"ehcp.{pid}")] * proj[(CODE, f"eligible_share.{pid}")],
            f"Pupils transported: {_provision(inp, pid)}",
            (f"{KEY}.eligible_share.{pid}",),
        )
    proj.total(
        CODE,
        "pupils",
        "count",
        "Pupils with EHCPs transported",
        [f"pupils.{pid}" for pid in provisions],
    )
    for pid in provisions:
        add(
            CODE,
            f"cost.{pid}",
            "GBP",
            proj[(CODE, f"pupils.{pid}")] * unit,
            f"Transport cost: {_provision(inp, pid)}",
            (f"{KEY}.eligible_share.{pid}", f"{KEY}.cost_per_pupil", f"{KEY}.inflation"),
        )
    cost = proj.total(
        CODE,
        "cost",
        "GBP",
        "Home-to-school transport cost, pupils with EHCPs (general fund)",
        [f"cost.{pid}" for pid in provisions],
    )
    add(
        CODE,
        "rise_since_base_year",
        "GBP",
        cost - cost[:, :1],
        "Rise in transport cost since the base year (a general fund pressure)",
    )


def _provision(inp: Inputs, pid: str) -> str:
    """A provision as the high-needs section names it."""
    return POST16_LABEL if pid == POST16 else inp.a.high_needs.provisions[pid].label
