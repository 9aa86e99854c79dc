"""cabinet-scenarios.xlsx: scenarios side by side for a cabinet briefing.

Each headline figure by scenario and year, the variance to the council plan (live
formulas), a ranking, the range of outcomes from Monte Carlo (P10/P50/P90, values) with a
fan chart, the sensitivity of the final position to each assumption (a tornado), and what
it would take to balance.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from ..roles import PLAN, with_role
from ..years import workbook_label, year_end
from .common import (
    calibration_notes,
    charts_sheet,
    cover,
    line_chart,
    master_check,
    titled,
    to_bytes,
    what_it_takes_sheet,
)
from .grid import NOTE, Grid
from .messages import csc_messages, dsg_messages
from .styles import (
    GBP_000,
    header_row,
    page_setup,
    set_widths,
    text,
)

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
HOW = [
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


def cabinet_workbook(run) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    years = run.projections[0].years
    n = len(years)
    g = Grid(years)
    names = [p.scenario for p in run.projections]
    base = with_role(run.scenarios, PLAN) or names[0]
    by = {p.scenario: p for p in run.projections}

    ws = wb.create_sheet("Comparison")
    g.sheet(
        ws,
        "Scenarios side by side",
        f"Figures from the forecast; variance to "
        f"'{base}' as live formulas. Money £000; overspends and deficits positive.",
    )
    for area, measure, title in COMPARE:
        g.section(ws, title)
        for s in names:
            g.input_row(ws, by[s], area, measure, label=s, note="forecast", styled=False)
        g.section(ws, f"{title}: variance to {base}")
        for s in names:
            if s == base:
                continue
            unit = by[s].lines[(area, measure)].unit
            g.calc_row(
                ws,
                s,
                area,
                f"{measure}.variance",
                f"{s} less {base}",
                unit,
                lambda i, s=s, area=area, measure=measure: (
                    f"{g.ref(s, area, measure, i, ws)}-{g.ref(base, area, measure, i, ws)}"
                ),
            )

    _ranking(wb, run, g)
    fan = _range(wb, run, g)
    tornado = _sensitivity(wb, run)
    what_it_takes_sheet(wb, run)
    _checks(wb, run, g, fan)
    charts = [
        line_chart(
            "Children's social care overspend by scenario (£m)",
            "£m",
            [(s, *g.where[(s, "csc", "overspend")]) for s in names],
            n,
            ws,
        ),
        line_chart(
            "Cumulative DSG deficit by scenario (£m)",
            "£m",
            [(s, *g.where[(s, "dsg", "cumulative_deficit")]) for s in names],
            n,
            ws,
        ),
    ]
    if fan:
        charts.append(
            line_chart(f"Range of the cumulative DSG deficit, {base} (£m)", "£m", fan, n, ws)
        )
    if tornado is not None:
        charts.append(tornado)
    charts_sheet(wb, charts, index=1)
    cover(
        wb,
        run,
        "Children's services and DSG: scenarios for cabinet",
        "Cabinet and lead members",
        HOW,
        messages=csc_messages(run) + dsg_messages(run),
    )
    return to_bytes(
        wb,
        [
            "Cover",
            "Comparison",
            "Charts",
            "Ranking",
            "Range",
            "Sensitivity",
            "What it takes",
            "Checks",
        ],
    )


def _ranking(wb: Workbook, run, g: Grid) -> None:
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
        ],
    )
    last = 3 + len(h)
    for r, row in enumerate(h, start=4):
        text(ws.cell(r, 1), row.scenario)
        ws.cell(r, 2, row.cumulative_deficit_final).number_format = GBP_000
        ws.cell(r, 3, f"=RANK(B{r},$B$4:$B${last},1)")
        ws.cell(r, 4, row.overspend_forecast_total).number_format = GBP_000
        ws.cell(r, 5, f"=RANK(D{r},$D$4:$D${last},1)")
        text(ws.cell(r, 6), workbook_label(row.deficit_clears))
        g.formulas += 2
    set_widths(ws, {1: 28, 2: 22, 3: 12, 4: 22, 5: 12, 6: 18})
    page_setup(ws, freeze="B4")


def _range(wb: Workbook, run, g: Grid) -> list:
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
                text(ws.cell(r, 1), f"{s} {q.upper()}")
                text(ws.cell(r, 2), "£000")
                text(ws.cell(r, 3), f"{measure}.{q}").font = NOTE
                for i, v in enumerate(pct[(s, measure)][q]):
                    ws.cell(r, 5 + i, float(v)).number_format = GBP_000
                g.where[(s, "range", f"{measure}.{q}")] = (ws, r)
                g.next_row[ws.title] = r + 1
                if measure == "cumulative_deficit" and s == run.projections[0].scenario:
                    fan.append((f"{q.upper()}", ws, r))
    return fan


def _sensitivity(wb: Workbook, run):
    sens = run.sensitivity
    scenario = run.projections[0].scenario
    last_year = run.projections[0].years[-1]
    ws = titled(
        wb,
        "Sensitivity",
        f"Sensitivity: swing from each assumption's low to high value ({scenario})",
        "Other assumptions at their central values. A positive swing means the "
        "high value makes things worse. Swings in base-year unit costs are net of the "
        "calibration to the known outturn.",
    )
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
        ],
    )
    if not sens:
        text(ws.cell(5, 1), "No ranged assumptions.")
        return None
    for r, row in enumerate(sens, start=5):
        text(ws.cell(r, 1), row.parameter)
        for c, v in ((2, row.low), (3, row.central), (4, row.high)):
            ws.cell(r, c, float(v)).number_format = "#,##0.####"
        text(ws.cell(r, 5), row.unit)
        ws.cell(r, 6, row.deficit_swing).number_format = GBP_000
        ws.cell(r, 7, row.overspend_swing).number_format = GBP_000
    set_widths(ws, {1: 66, 2: 11, 3: 11, 4: 11, 5: 10, 6: 24, 7: 24})
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


def _checks(wb: Workbook, run, g: Grid, fan: list) -> None:
    ws = wb.create_sheet("Checks", 1)
    g.sheet(ws, "Checks", "Every cell should read TRUE after recalculation.")
    first = None
    plan = with_role(run.scenarios, PLAN) or run.projections[0].scenario
    for s in [p.scenario for p in run.projections]:
        for measure in ("cumulative_deficit", "overspend"):
            if not g.has(s, "range", f"{measure}.p10"):
                continue
            g.calc_row(
                ws,
                s,
                "check",
                f"order.{measure}",
                f"{s}: {measure} P10 <= P50 <= P90",
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
                f"{s}: variance = scenario less plan (DSG)",
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
