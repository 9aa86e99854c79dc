"""The What it takes sheet: the solver's answers to what would clear the deficit, lever
by lever, in words and figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..years import year_end
from .front import LINE_HEIGHT, scenario_labels
from .sheets import titled
from .styles import BOLD, GBP, WRAP, page_setup, set_widths, text

if TYPE_CHECKING:
    from ..run import Run


def what_it_takes_sheet(wb: Workbook, run: Run) -> Worksheet:
    """The solver's answers for the plan (values), in words and figures."""
    ws = titled(
        wb,
        "What it takes",
        "What it would take to clear the deficit",
        "Found by the forecasting engine (values, not formulas): each lever on its "
        "own, everything else as in the scenario.",
    )
    scenario = run.plan.scenario
    final = year_end(run.plan.years[-1])
    title = scenario_labels(run).get(scenario, scenario)
    text(ws.cell(4, 1), f"Scenario: {title}; deficit cleared by {final}").font = BOLD
    labels = {
        "savings": "Further high-needs savings, in all (by year in the answer)",
        "transfer": "Further schools-block transfer, each year",
        "ehcp_growth": "School-age EHCP growth held to, a year",
    }
    for r, (lever, sol) in enumerate(run.solutions, start=6):
        text(ws.cell(r, 1), labels[lever]).font = BOLD
        if isinstance(sol, str):
            text(ws.cell(r, 2), f"Not possible with this lever: {sol}").alignment = WRAP
        else:
            c = ws.cell(r, 2, sum(sol.profile.values()) if sol.profile else sol.amount)
            c.number_format = "0.00%" if lever == "ehcp_growth" else GBP
            text(ws.cell(r, 3), sol.describe(title)).alignment = WRAP
        answer = str(ws.cell(r, 3).value or ws.cell(r, 2).value or "")
        ws.row_dimensions[r].height = LINE_HEIGHT * (1 + len(answer) // 95)  # all of it shows
        ws.cell(r, 1).alignment = ws.cell(r, 2).alignment = WRAP
    set_widths(ws, {1: 40, 2: 16, 3: 100})
    page_setup(ws)
    return ws
