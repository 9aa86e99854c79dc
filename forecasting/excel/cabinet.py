"""cabinet-scenarios.xlsx: scenarios side by side for a cabinet briefing.

Each headline figure by scenario and year, the variance to the council plan (live
formulas), a ranking, the range of outcomes from Monte Carlo (P10/P50/P90, values) with a
fan chart, the sensitivity of the final position to each assumption (a tornado), and what
it would take to balance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from .. import areas
from ..formats import prose_millions
from ..summary import ranks
from ..years import workbook_label, year_end
from .common import (
    calibration_notes,
    charts_sheet,
    line_chart,
    master_check,
    titled,
    to_bytes,
    what_it_takes_sheet,
)
from .front import (
    AUDIT_FONT,
    CHART_ROWS,
    GBP_M_PROSE,
    LINE_HEIGHT,
    Figure,
    about_sheet,
    fit_rows,
    scenario_labels,
    summary_page,
)
from .grid import NOTE, Grid
from .labels import param_label, value_text
from .messages import warnings
from .styles import (
    BOLD,
    GBP_000,
    WRAP,
    header_row,
    page_setup,
    set_widths,
    text,
)

if TYPE_CHECKING:
    from ..run import Run

COMPARE = [
    ("csc", "overspend", "Children's social care overspend"),
    ("csc", "net_spend", "Children's social care net spend"),
    ("csc", "children_in_care", "Children in care"),
    ("csc", "savings_delivered", "Savings delivered (risk-adjusted)"),
    ("dsg", "in_year_deficit", "DSG high-needs in-year deficit"),
    ("dsg", "cumulative_deficit", "DSG cumulative deficit"),
    ("dsg", "schools_block_transfer", "Schools-block transfer"),
    ("dsg", "ehcp_total", "EHCPs"),
]


def area_comparisons(run: Run) -> list[tuple[str, str, str]]:
    """The lines further areas ask a cabinet to compare (``Area.compare``), where every
    scenario of the run has them."""
    return [
        (a.code, measure, title)
        for a in areas.folders()
        for measure, title in a.compare
        if all((a.code, measure) in p.lines for p in run.projections)
    ]


HOW = [
    "Summary: the council plan's position, its likely range, the scenarios ranked with what "
    "each assumes, and the three assumptions that move the answer most, on one page.",
    "Comparison: each headline figure for every scenario by year (values from the forecast), "
    "then the variance to the council plan (live formulas: scenario less plan; positive means "
    "worse for spend and deficits).",
    "Ranking: scenarios ordered by the final cumulative DSG deficit and by the total "
    "children's social care overspend over the forecast years.",
    "Range: the 10th, 50th and 90th percentiles from Monte Carlo draws over every ranged "
    "assumption (statistical outputs, shown as values).",
    "Sensitivity: how far each assumption moves the final position from its low to its high "
    "value, largest first (a tornado).",
    "What it takes: the further savings or transfer that would clear the DSG deficit.",
]


def cabinet_workbook(run: Run) -> bytes:
    """The cabinet workbook: the scenarios side by side with their variance to the plan,
    ranked, the plan's range and sensitivities, what it takes, checks, charts and a
    one-page summary of the choices."""
    wb = Workbook()
    wb.remove(wb.active)
    labels = scenario_labels(run)
    g = Grid(run.projections[0].years, labels)
    base = run.plan.scenario
    ws = _comparison_sheet(wb, g, run, base)
    _ranking(wb, run, g)
    fan = _range(wb, run, g)
    tornado = _sensitivity(wb, run)
    what_it_takes_sheet(wb, run)
    _checks(wb, run, g, fan)
    _cabinet_charts(wb, g, run, base, fan, tornado, ws)
    cabinet_summary(wb, run, labels, base, fan, g, ws)
    about_sheet(wb, run, "Cabinet and lead members", HOW)
    return to_bytes(
        wb,
        [
            "Summary",
            "Comparison",
            "Charts",
            "Ranking",
            "Range",
            "Sensitivity",
            "What it takes",
            "Checks",
        ],
    )


def _comparison_sheet(wb: Workbook, g: Grid, run: Run, base: str) -> Worksheet:
    """The Comparison sheet: each headline measure for every scenario side by side, and
    each scenario's variance to the plan as live formulas."""
    labels = scenario_labels(run)
    names = [p.scenario for p in run.projections]
    by = {p.scenario: p for p in run.projections}
    ws = wb.create_sheet("Comparison")
    g.sheet(
        ws,
        "Scenarios side by side",
        f"Figures from the forecast; variance to "
        f"'{labels[base]}' as live formulas. Money £000; overspends and deficits positive.",
    )
    for area, measure, title in [*COMPARE, *area_comparisons(run)]:
        g.section(ws, title)
        for s in names:
            g.input_row(
                ws, by[s], area, measure, label=labels[s], note=f"forecast: {s}", styled=False
            )
        g.section(ws, f"{title}: variance to {labels[base]}")
        for s in names:
            if s == base:
                continue
            unit = by[s].lines[(area, measure)].unit
            g.calc_row(
                ws,
                s,
                area,
                f"{measure}.variance",
                f"{labels[s]} less {labels[base]}",
                unit,
                lambda i, s=s, area=area, measure=measure: (
                    f"{g.ref(s, area, measure, i, ws)}-{g.ref(base, area, measure, i, ws)}"
                ),
            )

    return ws


def _cabinet_charts(
    wb: Workbook, g: Grid, run: Run, base: str, fan, tornado, ws: Worksheet
) -> None:
    """The Charts sheet: the overspend and cumulative DSG deficit of every scenario, the
    range of the plan's deficit (with draws) and the sensitivity tornado."""
    labels = scenario_labels(run)
    names = [p.scenario for p in run.projections]
    n = len(g.years)
    charts = [
        line_chart(
            "Children's social care overspend by scenario (£m)",
            "£m",
            [(labels[s], *g.where[(s, "csc", "overspend")]) for s in names],
            n,
            ws,
        ),
        line_chart(
            "Cumulative DSG deficit by scenario (£m)",
            "£m",
            [(labels[s], *g.where[(s, "dsg", "cumulative_deficit")]) for s in names],
            n,
            ws,
        ),
    ]
    if fan:
        charts.append(
            line_chart(
                f"Range of the cumulative DSG deficit, {labels[base]} (£m)", "£m", fan, n, ws
            )
        )
    if tornado is not None:
        charts.append(tornado)
    charts_sheet(wb, charts, index=1)


def cabinet_summary(wb: Workbook, run: Run, labels: dict[str, str], base: str, fan, g, comparison):
    """One page for cabinet: the plan's position with its range, the scenarios ranked with
    what each assumes, the three largest sensitivities in words, and the plan's fan chart."""
    final = year_end({row.scenario: row for row in run.headlines}[base].final_year)
    chart = (
        line_chart(
            f"Range of the DSG deficit, {labels[base]} (£m)", "£m", fan, len(g.years), comparison
        )
        if fan
        else None
    )
    ws, r = summary_page(
        wb,
        "Children's services and DSG: the choices for cabinet",
        f"{run.scenarios[0].assumptions.council.name}, as at "
        f"{run.scenarios[0].assumptions.council.as_at}. Figures from the forecast; "
        "overspends and deficits are positive.",
        _headline_figures(run, labels, base),
        warnings(run, "csc") + warnings(run, "dsg") + sensitivity_words(run, 3),
        chart,
    )
    _ranked_table(ws, r, run, labels, final)
    return ws


def _headline_figures(run: Run, labels: dict[str, str], base: str) -> list[Figure]:
    """The summary's figures: the plan's deficit and overspend at the end with their likely
    range (P10 to P90, with draws), and the lowest and highest deficit of any scenario."""
    h = {row.scenario: row for row in run.headlines}
    plan = h[base]
    final = year_end(plan.final_year)
    pct = run.percentiles

    def band(measure: str) -> str:
        q = pct.get((base, measure))
        if not q:
            return "no range: run with draws"
        return (
            f"likely range {prose_millions(q['p10'][-1])} to "
            f"{prose_millions(q['p90'][-1])} (P10 to P90)"
        )

    ranked = sorted(h.values(), key=lambda r: r.cumulative_deficit_final)
    figures = [
        Figure(
            f"DSG deficit at {final}, {labels[base]}",
            plan.cumulative_deficit_final,
            band("cumulative_deficit"),
        ),
        Figure(
            f"Children's social care overspend in {workbook_label(plan.final_year)}, "
            f"{labels[base]}",
            plan.overspend_final_year,
            band("overspend"),
        ),
        Figure(
            f"Lowest deficit at {final}",
            ranked[0].cumulative_deficit_final,
            f"scenario: {labels[ranked[0].scenario]}",
        ),
        Figure(
            f"Highest deficit at {final}",
            ranked[-1].cumulative_deficit_final,
            f"scenario: {labels[ranked[-1].scenario]}",
        ),
    ]
    return figures


def _ranked_table(ws: Worksheet, r: int, run: Run, labels: dict[str, str], final: str) -> None:
    """Below the summary's chart, the scenarios ranked by the deficit at the end (equal
    deficits share a rank), each with what it assumes and its overspend."""
    h = {row.scenario: row for row in run.headlines}
    ranked = sorted(h.values(), key=lambda x: x.cumulative_deficit_final)
    deficit_ranks = ranks([x.cumulative_deficit_final for x in ranked])
    r = max(r, 4 + CHART_ROWS)  # below the chart
    text(ws.cell(r, 1), f"Scenarios ranked by the DSG deficit at {final} (1 = lowest)").font = BOLD
    header_row(
        ws,
        r + 1,
        [
            "Scenario",
            f"DSG deficit at {final}",
            "What it assumes",
            "",
            "CSC overspend over the forecast years",
            "File name",
        ],
    )
    ws.row_dimensions[r + 1].height = 2 * LINE_HEIGHT
    for k, row in enumerate(ranked, start=1):
        at = r + 1 + k
        desc = next(s.description for s in run.scenarios if s.name == row.scenario)
        rank = deficit_ranks[k - 1]  # equal deficits share a rank, as on the Ranking sheet
        text(ws.cell(at, 1), f"{rank}. {labels[row.scenario]}").alignment = WRAP
        ws.cell(at, 2, row.cumulative_deficit_final).number_format = GBP_M_PROSE
        text(ws.cell(at, 3), desc).alignment = WRAP
        ws.cell(at, 5, row.overspend_forecast_total).number_format = GBP_M_PROSE
        ws.cell(at, 2).alignment = ws.cell(at, 5).alignment = WRAP
        text(ws.cell(at, 6), row.scenario).font = AUDIT_FONT
        ws.cell(at, 6).alignment = WRAP
        fit_rows(ws, at, len(desc), 52)
    set_widths(ws, {5: 22, 6: 22})


def sensitivity_words(run: Run, top: int) -> list[str]:
    """The ``top`` assumptions that move the final position most, each in one sentence."""
    swings = sorted(run.sensitivity, key=lambda s: -s.size)[:top]
    if not swings:
        return []
    last = run.plan.years[-1]
    assumptions = run.plan_scenario.assumptions
    out = []
    for s in swings:
        deficit = abs(s.deficit_swing) >= abs(s.overspend_swing)
        swing = s.deficit_swing if deficit else s.overspend_swing
        what = (
            f"the DSG deficit at {year_end(last)}"
            if deficit
            else f"the {workbook_label(last)} children's social care overspend"
        )
        out.append(
            f"{param_label(s.parameter, assumptions)}: at the high end of its range "
            f"({value_text(s.high, s.unit)}) rather than the low end "
            f"({value_text(s.low, s.unit)}; the plan assumes {value_text(s.central, s.unit)}), "
            f"{what} would be {prose_millions(abs(swing))} "
            f"{'higher' if swing > 0 else 'lower'}."
        )
    return ["What moves the answer most:", *out]


def _ranking(wb: Workbook, run: Run, g: Grid) -> None:
    ws = titled(
        wb,
        "Ranking",
        "Scenarios ranked (1 = best)",
        "Values from the forecast; the ranks are formulas over them.",
    )
    h = run.headlines
    final = year_end(h[0].final_year)
    header_row(
        ws,
        3,
        [
            "Scenario",
            f"Cumulative DSG deficit at {final}, £000",
            "Rank by deficit",
            "CSC overspend over the forecast years, £000",
            "Rank by overspend",
            "Deficit clears",
            "File name",
        ],
    )
    last = 3 + len(h)
    labels = scenario_labels(run)
    for r, row in enumerate(h, start=4):
        text(ws.cell(r, 1), labels[row.scenario])
        text(ws.cell(r, 7), row.scenario).font = AUDIT_FONT
        ws.cell(r, 2, row.cumulative_deficit_final).number_format = GBP_000
        ws.cell(r, 3, f"=RANK(B{r},$B$4:$B${last},1)")
        ws.cell(r, 4, row.overspend_forecast_total).number_format = GBP_000
        ws.cell(r, 5, f"=RANK(D{r},$D$4:$D${last},1)")
        text(ws.cell(r, 6), workbook_label(row.deficit_clears))
        g.formulas += 2
    set_widths(ws, {1: 40, 2: 22, 3: 12, 4: 22, 5: 12, 6: 18, 7: 22})
    page_setup(ws, freeze="B4")


def _range(wb: Workbook, run: Run, g: Grid) -> list:
    """P10/P50/P90 by scenario; returns the fan-chart series of the plan."""
    ws = wb.create_sheet("Range")
    pct = run.percentiles
    g.sheet(
        ws,
        "Range of outcomes (Monte Carlo percentiles)",
        "Statistical outputs, shown as values: "
        + (
            f"{run.draws['n']:,} draws, seed {run.draws['seed']}."
            if run.draws
            else "run with --draws N to fill this sheet."
        ),
    )
    fan = []
    labels = scenario_labels(run)
    for measure, title in (
        ("cumulative_deficit", "DSG cumulative deficit"),
        ("overspend", "Children's social care overspend"),
    ):
        g.section(ws, title)
        for s in [p.scenario for p in run.projections]:
            for q in ("p10", "p50", "p90"):
                if (s, measure) not in pct:
                    continue
                r = g.next_row[ws.title]
                text(ws.cell(r, 1), f"{labels[s]} {q.upper()}")
                text(ws.cell(r, 2), "£000")
                text(ws.cell(r, 3), f"{measure}.{q}").font = NOTE
                text(ws.cell(r, 4), s).font = NOTE
                for i, v in enumerate(pct[(s, measure)][q]):
                    ws.cell(r, 5 + i, float(v)).number_format = GBP_000
                g.where[(s, "range", f"{measure}.{q}")] = (ws, r)
                g.next_row[ws.title] = r + 1
                if measure == "cumulative_deficit" and s == run.plan.scenario:
                    fan.append((f"{q.upper()}", ws, r))
    return fan


def _sensitivity(wb: Workbook, run: Run):
    sens = run.sensitivity
    scenario = run.plan.scenario
    last_year = run.plan.years[-1]
    ws = titled(
        wb,
        "Sensitivity",
        f"Sensitivity: swing from each assumption's low to high value "
        f"({scenario_labels(run)[scenario]})",
        "Other assumptions at their central values. A positive swing means the "
        "high value makes things worse. Swings in base-year unit costs are net of the "
        "calibration to the known outturn.",
    )
    assumptions = run.plan_scenario.assumptions
    header_row(
        ws,
        4,
        [
            "Assumption",
            "Low",
            "Central",
            "High",
            "Unit",
            f"Swing in the cumulative DSG deficit at {year_end(last_year)}, £000",
            f"Swing in the {workbook_label(last_year)} CSC overspend, £000",
            "Assumption path",
        ],
    )
    if not sens:
        text(ws.cell(5, 1), "No ranged assumptions.")
        return None
    for r, row in enumerate(sens, start=5):
        text(ws.cell(r, 1), param_label(row.parameter, assumptions))
        text(ws.cell(r, 8), row.parameter).font = AUDIT_FONT
        for c, v in ((2, row.low), (3, row.central), (4, row.high)):
            ws.cell(r, c, float(v)).number_format = "#,##0.####"
        text(ws.cell(r, 5), row.unit)
        ws.cell(r, 6, row.deficit_swing).number_format = GBP_000
        ws.cell(r, 7, row.overspend_swing).number_format = GBP_000
    set_widths(ws, {1: 52, 2: 11, 3: 11, 4: 11, 5: 10, 6: 24, 7: 24, 8: 40})
    page_setup(ws, freeze="B5", title_rows="4:4")
    top = min(len(sens), 12)
    ch = BarChart()
    ch.type = "bar"
    ch.title = "Largest swings (£m): DSG deficit and CSC overspend"
    ch.add_data(
        Reference(ws, min_col=6, max_col=7, min_row=4, max_row=4 + top), titles_from_data=True
    )
    ch.set_categories(Reference(ws, min_col=1, min_row=5, max_row=4 + top))
    ch.y_axis.number_format = '#,##0,,"m"'
    ch.x_axis.scaling.orientation = "maxMin"
    ch.x_axis.tickLblPos = "low"  # labels at the left edge, clear of negative bars
    ch.y_axis.delete = ch.x_axis.delete = False
    ch.legend.position = "b"
    ch.height, ch.width = 14, 26
    return ch


def _checks(wb: Workbook, run: Run, g: Grid, fan: list) -> None:
    ws = wb.create_sheet("Checks", 1)
    g.sheet(ws, "Checks", "Every cell should read TRUE after recalculation.")
    first = None
    plan = run.plan.scenario
    for s in [p.scenario for p in run.projections]:
        for measure in ("cumulative_deficit", "overspend"):
            if not g.has(s, "range", f"{measure}.p10"):
                continue
            g.calc_row(
                ws,
                s,
                "check",
                f"order.{measure}",
                f"{g.label(s)}: {measure} P10 <= P50 <= P90",
                "flag",
                lambda i, s=s, m=measure: (
                    f"AND({g.ref(s, 'range', m + '.p10', i, ws)}<="
                    f"{g.ref(s, 'range', m + '.p50', i, ws)},"
                    f"{g.ref(s, 'range', m + '.p50', i, ws)}<="
                    f"{g.ref(s, 'range', m + '.p90', i, ws)})"
                ),
                number_format="General",
            )
            first = first or g.next_row[ws.title] - 1
        if g.has(s, "dsg", "cumulative_deficit.variance") and g.has(
            plan, "dsg", "cumulative_deficit"
        ):
            g.calc_row(
                ws,
                s,
                "check",
                "variance",
                f"{g.label(s)}: variance = scenario less plan (DSG)",
                "flag",
                lambda i, s=s: (
                    f"{g.ref(s, 'dsg', 'cumulative_deficit.variance', i, ws)}="
                    f"{g.ref(s, 'dsg', 'cumulative_deficit', i, ws)}-"
                    f"{g.ref(plan, 'dsg', 'cumulative_deficit', i, ws)}"
                ),
                number_format="General",
            )
            first = first or g.next_row[ws.title] - 1
    master_check(ws, g, first, g.next_row[ws.title] - 1)
    calibration_notes(ws, g.next_row[ws.title] + 1, run)
