"""Sheets of engine figures written as values: what the forecasting engine computed, for
the checks and notes to compare the workbook's formulas with."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..projection import Projection
from .grid import Grid

if TYPE_CHECKING:
    from ..run import Run


def values_sheet(
    wb: Workbook,
    g: Grid,
    run,
    name: str,
    subtitle: str,
    pick: Callable[[Projection], list[tuple[str, str]]],
    key: str,
    note: str,
) -> Worksheet:
    """A sheet of engine figures as values (not inputs): for each scenario the lines
    ``pick`` chooses, registered in the grid as ``<key>.<measure>``."""
    ws = wb.create_sheet(name)
    g.sheet(ws, f"{name} (values)", subtitle)
    for proj in run.projections:
        g.section(ws, "", proj.scenario)
        for area, measure in pick(proj):
            g.input_row(
                ws, proj, area, measure, key=f"{key}.{measure}", note=note or area, styled=False
            )
    return ws


def engine_sheet(wb: Workbook, g: Grid, run: Run, wanted: list[tuple[str, str]]) -> Worksheet:
    """The engine's own figures for the lines the checks compare with."""
    return values_sheet(
        wb,
        g,
        run,
        "Engine figures",
        "Figures as the forecasting engine computed them; the Checks sheet compares the "
        "workbook's formulas with these.",
        lambda proj: [m for m in wanted if m in proj.lines],
        "engine",
        "engine value",
    )
