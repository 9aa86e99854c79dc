"""The transport area in the finance model: its drivers on the Inputs sheet, its arithmetic
as live formulas over them and over the high-needs EHCPs by provision."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...excel.grid import Grid
from ...projection import Projection
from . import CODE
from .engine import DSG


def _provisions(proj: Projection) -> list[str]:
    """The provisions transported, as the pupils' total is made of them."""
    return proj.kinds(CODE, "pupils")


def inputs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    g.section(ws, "home-to-school transport drivers", proj.scenario)
    for pid in _provisions(proj):
        g.input_row(ws, proj, CODE, f"eligible_share.{pid}")
    g.input_row(ws, proj, CODE, "cost_per_pupil", note="with inflation")


def calcs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    s = proj.scenario

    def r(m: str, i: int, area: str = CODE) -> str:
        return g.ref(s, area, m, i, ws)

    g.section(ws, "transport (£000 unless stated)", s)
    provisions = _provisions(proj)
    for pid in provisions:
        g.product_row(
            ws,
            proj,
            CODE,
            f"pupils.{pid}",
            ((DSG, f"ehcp.{pid}"), f"eligible_share.{pid}"),
            note="EHCPs x share transported",
        )
    g.total_row(ws, proj, CODE, "pupils", total=True)
    for pid in provisions:
        g.product_row(
            ws,
            proj,
            CODE,
            f"cost.{pid}",
            (f"pupils.{pid}", "cost_per_pupil"),
            note="pupils x cost per pupil",
        )
    g.total_row(ws, proj, CODE, "cost", total=True)
    g.calc_row(
        ws,
        s,
        CODE,
        "rise_since_base_year",
        proj.lines[(CODE, "rise_since_base_year")].label,
        "GBP",
        lambda i: f"{r('cost', i)}-{r('cost', 0)}",
    )
