"""schools-forum-dsg.xlsx: the DSG high-needs position for the Schools' Forum.

High-needs income and spend by provision, EHCP numbers, the schools-block transfer and the
limit the Forum may approve (the set's limit_share), in-year and cumulative deficit for
each scenario (the council plan is the mitigated position, ``unmitigated`` the position with
no action), what it would take to balance, and charts. Readable without the tool; the
arithmetic is live formulas.

In the shape of the DfE's DSG management plan template too (``dfe_plan``): the plan by
funding block with its movements, the mitigations log and the officer's narrative; and,
from the national dataset (``national_view``), history before the base year and the council
against its statistical neighbours and England.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..formats import prose_millions
from ..names import FURTHER_SAVINGS, RECONCILIATION
from ..projection import Projection
from ..years import workbook_label, year_end
from .common import (
    assumptions_sheet,
    breakdown,
    calibration_notes,
    charts_sheet,
    checks_sheet,
    engine_sheet,
    line_chart,
    master_check,
    stacked_chart,
    to_bytes,
    what_it_takes_sheet,
)
from .dfe_plan import (
    MITIGATIONS_SHEET,
    NARRATIVE_SHEET,
    PLAN_SHEET,
    dsg_plan_sheet,
    mitigations_sheet,
    narrative_sheet,
    plan_checks,
)
from .front import Figure, about_sheet, scenario_labels, summary_page
from .grid import Grid
from .labels import transfer_limit
from .messages import dsg_messages, transfer_proposed, transfer_refused
from .models import DSG, dsg_calcs, dsg_inputs
from .national_view import (
    COMPARATOR_SHEET,
    HISTORY_SHEET,
    bundled_extract,
    comparator_sheet,
    history_sheet,
    nearby,
)

if TYPE_CHECKING:
    from ..run import Run

BUNDLED = "bundled"  # forum_workbook's default: the national dataset shipped with the tool

HOW = [
    "Summary: the position on one page: the deficit now and at the end of the plan, the "
    "transfer against the {limit} limit, what it would take to clear the deficit.",
    "Narrative: the council officers' own account, as written in the assumption set.",
    "Deficit by scenario: the cumulative deficit at each year end for every scenario, and how "
    "far the council plan (mitigated) is from the unmitigated position.",
    "DSG plan: the DfE management plan template's financial summary for the council's plan: "
    "the grant by block, the transfer between blocks, high-needs spend by provision, the "
    "in-year and cumulative position, EHCPs by provision.",
    "Mitigations: each action in the plan that reduces the DSG deficit, its value by year, "
    "start, rating and what is delivered to date.",
    "High needs: for each scenario, EHCPs and spend by provision (plans x cost per place), "
    "alternative provision from permanent exclusions, income, the schools-block transfer with "
    "the {limit} test, and the deficit rolled forward. All live formulas over the Inputs sheet.",
    "The {limit} test: up to {limit} of the schools block may move with the Forum's approval. "
    "Above "
    "that, or if the Forum refuses, the council must ask the Secretary of State for a "
    "disapplication. Each year is a new decision.",
    "What it takes: the further savings (or transfer) that would clear the deficit by the "
    "final year.",
    "History: DfE's published figures up to the base year beside the forecast. Comparators: "
    "the council against its statistical neighbours, region and England.",
    "Checks: must all read TRUE. Assumptions and sources: where every figure comes from.",
]


def forum_workbook(run: Run, national: pd.DataFrame | str | None = BUNDLED) -> bytes:
    """The Schools' Forum workbook. ``national``: the national dataset to take history and
    comparators from (the bundled one by default; None leaves those sheets with a note)."""
    extract = bundled_extract() if isinstance(national, str) else national
    wb = Workbook()
    wb.remove(wb.active)
    labels = scenario_labels(run)
    g = Grid(run.projections[0].years, labels)
    summary, inputs, calc = _high_needs_sheets(wb, g, run)
    _deficit_summary(g, summary, run)
    plan = _plan_and_checks(wb, g, run)
    narrative_sheet(wb, run)
    _published_data_sheets(wb, g, run, plan, extract)
    _forum_charts(wb, g, run, plan, inputs, calc)
    assumptions_sheet(wb, run, ("timeline", "high_needs"))
    _forum_summary_page(wb, g, run, calc)
    limit = transfer_limit(run.plan)
    about_sheet(wb, run, "The Schools' Forum", [h.format(limit=limit) for h in HOW])
    return to_bytes(
        wb,
        [
            "Summary",
            NARRATIVE_SHEET,
            "Deficit by scenario",
            PLAN_SHEET,
            MITIGATIONS_SHEET,
            "Charts",
            "High needs",
            "What it takes",
            HISTORY_SHEET,
            COMPARATOR_SHEET,
            "Inputs",
            "Checks",
        ],
    )


def _high_needs_sheets(wb: Workbook, g: Grid, run: Run) -> tuple[Worksheet, Worksheet, Worksheet]:
    """The model itself: the Inputs sheet of high-needs drivers by scenario and the High
    needs sheet of live formulas over them (plans, spend, income, transfer, deficit); the
    Deficit by scenario sheet is made first, to be filled once these exist."""
    summary = wb.create_sheet("Deficit by scenario")
    inputs = wb.create_sheet("Inputs")
    g.sheet(
        inputs,
        "Inputs: high-needs drivers",
        "Engine drivers by scenario (yellow: inputs). Money in pounds, shown as £000.",
    )
    calc = wb.create_sheet("High needs")
    g.sheet(
        calc,
        "DSG high-needs block by scenario",
        "Live formulas over the Inputs sheet. Deficits are positive; £000 unless stated.",
    )
    for proj in run.projections:
        dsg_inputs(g, inputs, proj)
        dsg_calcs(g, calc, proj)
    return summary, inputs, calc


def _deficit_summary(g: Grid, summary: Worksheet, run: Run) -> None:
    """The Deficit by scenario sheet: for every scenario the cumulative and in-year deficit,
    the transfer made and the share of pupils in specialist provision (against England),
    linked to the High needs sheet, and how far the plan's mitigations move the deficit."""
    labels = scenario_labels(run)
    g.sheet(
        summary,
        "DSG high needs: summary for the Schools' Forum",
        "Cumulative deficit at each 31 March (positive = deficit), £000. Links to the "
        "High needs sheet.",
    )
    names = [p.scenario for p in run.projections]
    for measure, unit, title in (
        ("cumulative_deficit", "GBP", "Cumulative deficit carried forward"),
        ("in_year_deficit", "GBP", "In-year deficit"),
        ("schools_block_transfer", "GBP", "Schools-block transfer made"),
        (
            "specialist_share_of_pupils",
            "ratio",
            "Pupils in specialist provision (share of all pupils)",
        ),
    ):
        g.section(summary, title)
        for s in names:
            g.calc_row(
                summary,
                s,
                "summary",
                measure,
                labels[s],
                unit,
                lambda i, s=s, m=measure: g.ref(s, DSG, m, i, summary),
            )
    g.calc_row(
        summary,
        names[0],
        "summary",
        "specialist_england",
        "England",
        "ratio",
        lambda i: g.ref(names[0], DSG, "specialist_share_national", i, summary),
    )
    plan_name, no_action = run.plan.scenario, run.no_action
    if no_action is not None and no_action is not run.plan:
        unmitigated = no_action.scenario
        g.section(summary, "Effect of the council plan's mitigations")
        g.calc_row(
            summary,
            plan_name,
            "summary",
            "mitigation_effect",
            f"Cumulative deficit: {labels[unmitigated]} less {labels[plan_name]}",
            "GBP",
            lambda i: (
                f"{g.ref(unmitigated, DSG, 'cumulative_deficit', i, summary)}-"
                f"{g.ref(plan_name, DSG, 'cumulative_deficit', i, summary)}"
            ),
        )


def _plan_and_checks(wb: Workbook, g: Grid, run: Run) -> Projection:
    """What it would take to clear the deficit, the DfE plan and mitigations sheets for the
    plan scenario, and the Checks sheet proving the formulas (the plan's own checks and the
    calibration warnings included). Returns the plan scenario's projection."""
    names = [p.scenario for p in run.projections]
    what_it_takes_sheet(wb, run)
    engine_sheet(wb, g, run, [(DSG, "cumulative_deficit")])
    checks, tolerance = checks_sheet(wb, g, run, (DSG,))
    plan, no_action = run.plan, run.no_action
    dsg_plan_sheet(wb, g, plan)
    mitigations_sheet(wb, g, run, plan)
    mitigated = no_action.scenario if no_action is not None and no_action is not plan else None
    plan_checks(g, checks, plan, tolerance, mitigated)
    master_check(checks, g, g.where[(names[0], "check", "check.0")][1], g.next_row["Checks"] - 1)
    calibration_notes(checks, g.next_row[checks.title] + 1, run)
    return plan


def _published_data_sheets(
    wb: Workbook, g: Grid, run: Run, plan: Projection, extract: pd.DataFrame | None
) -> None:
    """DfE's published figures: the council's history up to the base year beside the
    forecast, and the council against its statistical neighbours, region and England."""
    council = run.scenarios[0].assumptions.council
    la_code = council.la_code
    if extract is not None and la_code is not None:  # only the areas these sheets show
        sn = council.statistical_neighbours
        extract = nearby(extract, [la_code, *(sn.la_codes.values() if sn else [])])
    history_sheet(wb, g, plan, extract, la_code)
    comparator_sheet(wb, run, extract, la_code)


def _forum_charts(
    wb: Workbook, g: Grid, run: Run, plan: Projection, inputs: Worksheet, calc: Worksheet
) -> None:
    """The Charts sheet: the cumulative deficit of every scenario, and for the plan its
    high-needs spend and its EHCPs by provision."""
    labels = scenario_labels(run)
    names = [p.scenario for p in run.projections]
    n = len(g.years)
    charts = []
    charts.append(
        line_chart(
            "Cumulative DSG deficit by scenario (£m)",
            "£m",
            [(labels[s], *g.where[(s, DSG, "cumulative_deficit")]) for s in names],
            n,
            calc,
        )
    )
    spend = [
        m
        for m in plan.family(DSG, "high_needs_expenditure")
        if m not in (f"expenditure.{RECONCILIATION}", f"expenditure.{FURTHER_SAVINGS}")
    ]
    ehcp = plan.family(DSG, "ehcp_total")
    charts.append(
        stacked_chart(
            f"High-needs spend by provision, {labels[plan.scenario]} (£m)",
            "£m",
            breakdown(g, plan, DSG, spend),
            n,
            calc,
        )
    )
    charts.append(
        stacked_chart(
            f"EHCPs by provision, {labels[plan.scenario]}",
            "plans",
            breakdown(g, plan, DSG, ehcp),
            n,
            inputs,
            money=False,
        )
    )
    charts_sheet(wb, charts)


def _forum_summary_page(wb: Workbook, g: Grid, run: Run, calc: Worksheet) -> None:
    """The one-page Summary: the deficit now and at the end of the plan, the transfer
    against the Forum's limit, the messages for the Forum and the key scenarios' deficits."""
    labels = scenario_labels(run)
    summary_page(
        wb,
        "DSG high-needs block: the position for the Schools' Forum",
        f"{run.scenarios[0].assumptions.council.name}, as at "
        f"{run.scenarios[0].assumptions.council.as_at}. Figures from the forecast; deficits "
        "are positive. How each figure is made: the High needs sheet.",
        forum_figures(run, labels),
        dsg_messages(run),
        line_chart(
            "Cumulative DSG deficit at each 31 March (£m)",
            "£m",
            [(labels[s], *g.where[(s, DSG, "cumulative_deficit")]) for s in key_scenarios(run)],
            len(g.years),
            calc,
        ),
    )


def key_scenarios(run: Run) -> list[str]:
    """The scenarios a one-page chart shows: the plan, the unmitigated position and any
    scenario in which the transfer is refused, where the set has them."""
    no_action = run.no_action
    refused = [p.scenario for p in run.projections if transfer_refused(p)]
    wanted = [
        run.plan.scenario,
        *([no_action.scenario] if no_action is not None else []),
        *refused[:1],
    ]
    return list(dict.fromkeys(wanted))


def forum_figures(run: Run, labels: dict[str, str]) -> list[Figure]:
    """The four or five numbers a Forum member needs first, from the plan (and the
    unmitigated position where the set has one)."""
    plan = run.plan
    no_action = run.no_action
    years = plan.years
    cum = plan[(DSG, "cumulative_deficit")][0]
    transfer = plan[(DSG, "schools_block_transfer")][0]
    out = [
        Figure(f"DSG deficit at {year_end(years[0])}", cum[0], "actual: carried forward"),
        Figure(
            f"DSG deficit at {year_end(years[1])}",
            cum[1],
            f"forecast: the in-year deficit of {workbook_label(years[1])} added",
        ),
        Figure(
            f"At {year_end(years[-1])}, {labels[plan.scenario]}",
            cum[-1],
            f"after schools-block transfers of {prose_millions(transfer.sum())} in all"
            if transfer.sum()
            else "with no schools-block transfer",
        ),
    ]
    if no_action is not None and no_action is not plan:
        out.append(
            Figure(
                f"At {year_end(years[-1])}, {labels[no_action.scenario]}",
                no_action[(DSG, "cumulative_deficit")][0][-1],
                "if nothing is done: no transfers, savings or change in the mix",
            )
        )
    proposal = transfer_proposed(plan)
    if proposal:
        out.append(
            Figure(
                f"Transfer proposed for {workbook_label(proposal.year)}, share of the schools "
                "block",
                proposal.share,
                proposal.against_limit()
                + ("; needs the Secretary of State" if proposal.above else ""),
                number_format="0.00%",
            )
        )
    return out
