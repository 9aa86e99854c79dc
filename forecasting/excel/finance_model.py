"""finance-model.xlsx: every line of both models for every scenario (finance officers).

Inputs (the engine's drivers) and calculations (live formulas) are on separate sheets
with the timeline in the same columns; a Checks sheet proves the identities and the
agreement with the engine; the full projection of every scenario follows as values.
"""

from __future__ import annotations

from openpyxl import Workbook

from .common import (
    assumptions_sheet,
    breakdown,
    charts_sheet,
    checks_sheet,
    cover,
    engine_sheet,
    line_chart,
    stacked_chart,
    to_bytes,
    values_sheet,
)
from .grid import Grid
from .messages import csc_messages, dsg_messages
from .models import CSC, DSG, csc_calcs, csc_inputs, dsg_calcs, dsg_inputs

HOW = [
    "Inputs: the engine's drivers for each scenario (yellow cells): children by placement type "
    "after moves, weekly costs with inflation, workforce, EHCPs by provision, costs per place, "
    "the transfer request and the Forum's and Secretary of State's decisions.",
    "Children's social care and DSG high needs: live formulas over the Inputs, one formula "
    "along each row. Change an input and the totals, overspend and deficit follow.",
    "Checks: identities (totals, roll-forward, the 0.5% flag) and agreement with the engine; "
    "the master check at the top must read TRUE.",
    "Other lines: every other line the engine produced (workforce, caseloads, moves, savings "
    "by item, DSG detail), as values, for every scenario.",
    "Assumptions and sources: every input figure with its unit, basis, source, file and line.",
]


def finance_model(run) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    years = run.projections[0].years
    g = Grid(years)
    inputs = wb.create_sheet("Inputs")
    g.sheet(
        inputs,
        "Inputs",
        "A record of this run's drivers by scenario; edits here change nothing. To change an "
        "input, edit the inputs workbook (forecast inputs export) or the YAML, then run again. "
        "Money in pounds, shown as £000.",
    )
    csc = wb.create_sheet("Children's social care")
    g.sheet(csc, "Children's social care", "Live formulas over the Inputs sheet.")
    dsg = wb.create_sheet("DSG high needs")
    g.sheet(dsg, "DSG high needs", "Live formulas over the Inputs sheet.")
    for proj in run.projections:
        csc_inputs(g, inputs, proj)
        dsg_inputs(g, inputs, proj)
        csc_calcs(g, csc, proj)
        dsg_calcs(g, dsg, proj)
    engine_sheet(wb, g, run, [(CSC, "overspend"), (DSG, "cumulative_deficit")])
    checks_sheet(wb, g, run, (CSC, DSG))
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
    charts = []
    n = len(years)
    charts.append(
        line_chart(
            "Children's social care overspend by scenario (£m)",
            "£m",
            [(p.scenario, *g.where[(p.scenario, CSC, "overspend")]) for p in run.projections],
            n,
            csc,
        )
    )
    charts.append(
        line_chart(
            "Cumulative DSG deficit by scenario (£m)",
            "£m",
            [
                (p.scenario, *g.where[(p.scenario, DSG, "cumulative_deficit")])
                for p in run.projections
            ],
            n,
            dsg,
        )
    )
    plan = run.projections[0]
    costs = [m for m in plan.measures(CSC) if m.startswith("placement_cost.")]
    kids = [m for m in plan.measures(CSC) if m.startswith("children_in_care.")]
    charts.append(
        stacked_chart(
            f"Placement cost by type, {plan.scenario} (£m)",
            "£m",
            breakdown(g, plan, CSC, costs),
            n,
            csc,
        )
    )
    charts.append(
        stacked_chart(
            f"Children in care by placement type, {plan.scenario}",
            "children",
            breakdown(g, plan, CSC, kids),
            n,
            csc,
            money=False,
        )
    )
    charts_sheet(wb, charts)
    assumptions_sheet(wb, run, ("timeline", "childrens_services", "high_needs"))
    cover(
        wb,
        run,
        "Children's services and DSG high-needs forecast: finance model",
        "Council finance officers",
        HOW,
        messages=csc_messages(run) + dsg_messages(run),
    )
    return to_bytes(
        wb, ["Cover", "Checks", "Charts", "Inputs", "Children's social care", "DSG high needs"]
    )
