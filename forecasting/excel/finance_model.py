"""finance-model.xlsx: every line of both models for every scenario (finance officers).

Inputs (the engine's drivers) and calculations (live formulas) are on separate sheets
with the timeline in the same columns; a Checks sheet proves the identities and the
agreement with the engine; the full projection of every scenario follows as values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .. import areas
from ..projection import Line
from ..years import workbook_label, year_end
from .checks import master_check_ref
from .common import (
    assumptions_sheet,
    breakdown,
    calibration_notes,
    charts_sheet,
    checks_sheet,
    engine_sheet,
    line_chart,
    stacked_chart,
    to_bytes,
    values_sheet,
)
from .front import Figure, about_sheet, scenario_labels, summary_page
from .grid import Grid
from .messages import csc_messages, dsg_messages
from .models import CSC, DSG

if TYPE_CHECKING:
    from ..run import Run

HOW = [
    "Summary: the plan's overspend and deficit, whether every check passes, and the key "
    "messages, on one page.",
    "Inputs: the engine's drivers for each scenario (yellow cells): children by placement type "
    "after moves, weekly costs with inflation, workforce, EHCPs by provision, costs per place, "
    "the transfer request and the Forum's and Secretary of State's decisions.",
    "Children's social care and DSG high needs: live formulas over the Inputs, one formula "
    "along each row. Change an input and the totals, overspend and deficit follow.",
    "Checks: identities (totals, roll-forward, the transfer-limit flag) and agreement with "
    "the engine; "
    "the master check at the top must read TRUE.",
    "Other lines: every other line the engine produced (workforce, caseloads, moves, savings "
    "by item, DSG detail), as values, for every scenario.",
    "Assumptions and sources: every input figure with its unit, basis, source, file and line.",
]


def _lines(run: Run) -> list[Line]:
    return [ln for p in run.projections for ln in p.lines.values()]


def finance_model(run: Run) -> bytes:
    """The finance officers' workbook: every line of every area for every scenario, the
    drivers on Inputs, live formulas on each area's sheet, the checks that prove them, the
    rest of the projection as values, charts and a one-page summary."""
    wb = Workbook()
    wb.remove(wb.active)
    g = Grid(run.projections[0].years, scenario_labels(run))
    shown, sheets = _model_sheets(wb, g, run)
    _proof_sheets(wb, g, run, shown)
    _finance_charts(wb, g, run, sheets[CSC], sheets[DSG])
    assumptions_sheet(wb, run, ("timeline", *(a.key for a in shown)))
    _finance_summary(wb, g, run, sheets[CSC])
    more = [
        f"{a.title}: live formulas over the Inputs (and the lines they use from other areas)."
        for a in shown
        if not a.built_in
    ]
    about_sheet(wb, run, "Council finance officers", [*HOW[:3], *more, *HOW[3:]])
    return to_bytes(wb, ["Summary", "Checks", "Charts", "Inputs", *(a.title for a in shown)])


def _model_sheets(wb: Workbook, g: Grid, run: Run) -> tuple[list[areas.Area], dict[str, Worksheet]]:
    """The model itself: the Inputs sheet recording each scenario's drivers, and a sheet of
    live formulas over them for each area the run has (children's social care, DSG high
    needs and any other). Returns the areas shown and each area's sheet by code."""
    inputs = wb.create_sheet("Inputs")
    g.sheet(
        inputs,
        "Inputs",
        "A record of this run's drivers by scenario; edits here change nothing. To change an "
        "input, edit the inputs workbook (forecast inputs export) or the YAML, then run again. "
        "Money in pounds, shown as £000.",
    )
    shown = [a for a in areas.every() if any(a.code == ln.area for ln in _lines(run))]
    sheets = {}
    for area in shown:
        sheets[area.code] = wb.create_sheet(area.title)
        g.sheet(sheets[area.code], area.title, "Live formulas over the Inputs sheet.")
    for proj in run.projections:
        present = [a for a in shown if proj.measures(a.code)]
        for area in present:
            area.inputs(g, inputs, proj)
        for area in present:
            area.calcs(g, sheets[area.code], proj)
    return shown, sheets


def _proof_sheets(wb: Workbook, g: Grid, run: Run, shown: list[areas.Area]) -> None:
    """What proves the formulas: the engine's own overspend and deficit, the Checks sheet
    with the calibration warnings under it, and every other line of the projection as the
    engine computed it."""
    engine_sheet(wb, g, run, [(CSC, "overspend"), (DSG, "cumulative_deficit")])
    checks, _ = checks_sheet(wb, g, run, [a.code for a in shown])
    calibration_notes(checks, g.next_row[checks.title] + 1, run)
    values_sheet(
        wb,
        g,
        run,
        "Other lines",
        "The rest of every scenario's projection as the engine computed it: workforce and "
        "caseloads, moves, savings by item, DSG detail.",
        lambda proj: [k for k in proj.lines if not g.has(proj.scenario, *k)],
        "other",
        "",
    )


def _finance_charts(wb: Workbook, g: Grid, run: Run, csc: Worksheet, dsg: Worksheet) -> None:
    """The Charts sheet: the overspend and the cumulative DSG deficit of every scenario, and
    for the first scenario its placement cost and children in care by placement type."""
    labels = scenario_labels(run)
    charts = []
    n = len(g.years)
    charts.append(
        line_chart(
            "Children's social care overspend by scenario (£m)",
            "£m",
            [
                (labels[p.scenario], *g.where[(p.scenario, CSC, "overspend")])
                for p in run.projections
            ],
            n,
            csc,
        )
    )
    charts.append(
        line_chart(
            "Cumulative DSG deficit by scenario (£m)",
            "£m",
            [
                (labels[p.scenario], *g.where[(p.scenario, DSG, "cumulative_deficit")])
                for p in run.projections
            ],
            n,
            dsg,
        )
    )
    plan = run.plan
    costs = plan.family(CSC, "placement_cost")
    kids = plan.family(CSC, "children_in_care")
    charts.append(
        stacked_chart(
            f"Placement cost by type, {labels[plan.scenario]} (£m)",
            "£m",
            breakdown(g, plan, CSC, costs),
            n,
            csc,
        )
    )
    charts.append(
        stacked_chart(
            f"Children in care by placement type, {labels[plan.scenario]}",
            "children",
            breakdown(g, plan, CSC, kids),
            n,
            csc,
            money=False,
        )
    )
    charts_sheet(wb, charts)


def _finance_summary(wb: Workbook, g: Grid, run: Run, csc: Worksheet) -> None:
    """The one-page Summary: the plan's overspend and DSG deficit now and at the
    end, whether every check passes (a live cell), the key messages and a chart of both."""
    labels = scenario_labels(run)
    years = g.years
    n = len(years)
    plan = run.plan
    final = years[-1]
    over = plan[(CSC, "overspend")][0]
    cum = plan[(DSG, "cumulative_deficit")][0]
    label = labels[plan.scenario]
    ws, _ = summary_page(
        wb,
        "Children's services and DSG high-needs forecast: finance model",
        f"{run.scenarios[0].assumptions.council.name}, as at "
        f"{run.scenarios[0].assumptions.council.as_at}. Figures from the forecast; "
        "overspends and deficits are positive. Every line is on its own sheet.",
        [
            Figure(
                f"Children's social care overspend, {workbook_label(years[0])}", over[0], "actual"
            ),
            Figure(f"Overspend in {workbook_label(final)}, {label}", over[-1], "forecast"),
            Figure(f"DSG deficit at {year_end(years[0])}", cum[0], "actual"),
            Figure(f"DSG deficit at {year_end(final)}, {label}", cum[-1], "forecast"),
            Figure("Checks", "", "every identity and agreement with the engine (Checks sheet)"),
        ],
        csc_messages(run) + dsg_messages(run),
        line_chart(
            f"Overspend and DSG deficit, {label} (£m)",
            "£m",
            [
                ("Children's social care overspend", *g.where[(plan.scenario, CSC, "overspend")]),
                ("Cumulative DSG deficit", *g.where[(plan.scenario, DSG, "cumulative_deficit")]),
            ],
            n,
            csc,
        ),
    )
    checks = ws.cell(8, 2, f'=IF({master_check_ref(g)},"All pass","FAIL: see Checks")')
    g.formulas += 1
    checks.number_format = "General"
