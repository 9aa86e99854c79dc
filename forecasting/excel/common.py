"""Sheets every workbook shares: cover, checks, engine figures, assumptions and sources."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from ..calibration import calibration_warnings
from ..loading import iter_params
from ..projection import Projection, written
from ..schema import Param
from ..years import workbook_label, year_end
from .cached_values import evaluate, with_cached_values
from .front import AUDIT_FONT, LINE_HEIGHT, scenario_labels
from .grid import FIRST_COL, NOTE, Grid, quoted
from .labels import param_label
from .models import CSC, DSG, fixed_lines, tolerance_cell
from .styles import (
    BOLD,
    CHECK_OK_FILL,
    GBP,
    TITLE,
    WRAP,
    header_row,
    page_setup,
    set_widths,
    text,
)

if TYPE_CHECKING:
    from ..run import Run

# Checks of totals in counts, FTE or ratios: their parts are stored inputs or formulas of
# them, so they agree to float rounding; a thousandth of a child is far below any real error.
COUNT_TOLERANCE = "0.001"
# A check: its label, and its formula by year index (without the leading "=").
Check = tuple[str, Callable[..., str]]


def arrange(wb: Workbook, first: list[str]) -> None:
    """Put the named sheets first, in this order (reading order for the audience)."""
    for idx, name in enumerate(n for n in first if n in wb.sheetnames):
        ws = wb[name]
        wb.move_sheet(ws, offset=idx - wb.index(ws))


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


def master_check(ws: Worksheet, g: Grid, first: int | None, last: int) -> None:
    """The one cell that is TRUE only when every check from row ``first`` to ``last`` is."""
    text(ws.cell(2, 1), "Master check (all checks TRUE)").font = BOLD
    formula = f"=AND({g.col(0)}{first}:{g.col(len(g.years) - 1)}{last})" if first else "=TRUE()"
    c = ws.cell(2, FIRST_COL, formula)
    c.font, c.fill = BOLD, CHECK_OK_FILL
    g.formulas += 1


def titled(wb: Workbook, name: str, title: str, note: str) -> Worksheet:
    """A plain (non-timeline) sheet with its title and a line saying what it is."""
    ws = wb.create_sheet(name)
    text(ws.cell(1, 1), title).font = TITLE
    text(ws.cell(2, 1), note).font = NOTE
    return ws


def to_bytes(wb: Workbook, order: list[str]) -> bytes:
    """The workbook, sheets in reading order, as the bytes of an .xlsx file, with every
    formula's value stored beside it for readers that do not recalculate."""
    arrange(wb, order)
    values = evaluate(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return with_cached_values(buf.getvalue(), values)


def what_it_takes_sheet(wb: Workbook, run: Run) -> Worksheet:
    """The solver's answers for the first scenario (values), in words and figures."""
    ws = titled(
        wb,
        "What it takes",
        "What it would take to clear the deficit",
        "Found by the forecasting engine (values, not formulas): each lever on its "
        "own, everything else as in the scenario.",
    )
    scenario = run.projections[0].scenario
    final = year_end(run.projections[0].years[-1])
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


def checks_sheet(wb: Workbook, g: Grid, run: Run, areas: Iterable[str]) -> Worksheet:
    """Identity checks for every scenario and year, and a master check over all of them."""
    ws = wb.create_sheet("Checks", 1)
    g.sheet(
        ws,
        "Checks",
        "Every cell should read TRUE after recalculation; the master "
        "check is TRUE only when all are.",
    )
    tol = tolerance_cell(ws, 3)
    first_check = None
    for proj in run.projections:
        s = proj.scenario
        g.section(ws, "", s)

        rows: list[Check] = []
        if CSC in areas and g.has(s, CSC, "placement_cost"):
            rows.extend(_csc_checks(g, proj, ws, tol))
        if DSG in areas and g.has(s, DSG, "cumulative_deficit"):
            rows.extend(_dsg_checks(g, proj, ws, tol))
        rows.extend(total_checks(g, proj, ws, tol, areas))
        for k, (label, formula) in enumerate(rows):
            row = g.calc_row(
                ws, s, "check", f"check.{k}", label, "flag", formula, number_format="General"
            )
            first_check = first_check or row
    master_check(ws, g, first_check, g.next_row[ws.title] - 1)
    return ws


def _csc_checks(g: Grid, proj: Projection, ws: Worksheet, tol: str) -> list[Check]:
    """Children's social care by an independent route: placement cost rebuilt with
    SUMPRODUCT over children and weekly costs, and the overspend against the engine's."""
    s = proj.scenario

    def r(area: str, m: str, i: int) -> str:
        return g.ref(s, area, m, i, ws)

    rows: list[Check] = []
    types = [m.split(".", 1)[1] for m in proj.family(CSC, "children_in_care")]
    kids = [g.where[(s, CSC, f"children_in_care.{t}")] for t in types]
    costs = [g.where[(s, CSC, f"weekly_cost.{t}")] for t in types]
    sheet = quoted(kids[0][0])

    def sumproduct(i, kids=kids, costs=costs, sheet=sheet):
        c = g.col(i)
        return (
            f"SUMPRODUCT({sheet}{c}{kids[0][1]}:{c}{kids[-1][1]},"
            f"{sheet}{c}{costs[0][1]}:{c}{costs[-1][1]})"
        )

    rows.append(
        (
            "Placement cost = children x weekly cost x weeks (all types)",
            lambda i, f=sumproduct, r=r: (
                f"ABS({r(CSC, 'placement_cost', i)}-{f(i)}*{r(CSC, 'weeks_in_year', i)})<={tol}"
            ),
        )
    )
    rows.append(
        (
            "Overspend agrees with the engine",
            lambda i, r=r: f"ABS({r(CSC, 'overspend', i)}-{r(CSC, 'engine.overspend', i)})<={tol}",
        )
    )
    return rows


def _dsg_checks(g: Grid, proj: Projection, ws: Worksheet, tol: str) -> list[Check]:
    """High needs by independent routes: spend rebuilt with SUMPRODUCT, the deficit to date
    from the brought-forward balance, the disapplication flag from the shares, the transfer
    within the request, and the cumulative deficit against the engine's."""
    s = proj.scenario

    def r(area: str, m: str, i: int) -> str:
        return g.ref(s, area, m, i, ws)

    rows: list[Check] = []
    rows.append(
        (
            "High-needs expenditure = plans x cost per place + AP + other lines",
            _expenditure_check(g, proj, ws, tol),
        )
    )

    def to_date(i, r=r, s=s):
        if i == 0:
            return (
                f"ABS({r(DSG, 'cumulative_deficit', 0)}-"
                f"{r(DSG, 'deficit_brought_forward', 0)})<={tol}"
            )
        _, row = g.where[(s, DSG, "in_year_deficit")]
        ws_iy = g.where[(s, DSG, "in_year_deficit")][0]
        span = f"{quoted(ws_iy)}{g.col(1)}{row}:{g.col(i)}{row}"
        return (
            f"ABS({r(DSG, 'cumulative_deficit', i)}-("
            f"{r(DSG, 'deficit_brought_forward', 0)}+SUM({span})))<={tol}"
        )

    rows.append(("Cumulative deficit = brought forward + in-year deficits to date", to_date))
    rows.append(
        (
            "Disapplication flag = (above the limit or refused by the Forum)",
            lambda i, r=r: (
                f"IF({r(DSG, 'transfer_requested', i)}>0,"
                f"{r(DSG, 'transfer_needs_disapplication', i)}=IF(OR("
                f"{r(DSG, 'transfer_pct_of_schools_block', i)}>"
                f"{r(DSG, 'transfer_limit_share', i)},"
                f"{r(DSG, 'forum_approves', i)}=0),1,0),"
                f"{r(DSG, 'transfer_needs_disapplication', i)}=0)"
            ),
        )
    )
    rows.append(
        (
            "Transfer within what was asked",
            lambda i, r=r: (
                f"{r(DSG, 'schools_block_transfer', i)}<={r(DSG, 'transfer_requested', i)}"
            ),
        )
    )
    rows.append(
        (
            "Cumulative deficit agrees with the engine",
            lambda i, r=r: (
                f"ABS({r(DSG, 'cumulative_deficit', i)}-"
                f"{r(DSG, 'engine.cumulative_deficit', i)})<={tol}"
            ),
        )
    )
    return rows


def total_checks(
    g: Grid, proj: Projection, ws: Worksheet, tol: str, areas: Iterable[str]
) -> list[tuple[str, Callable[..., str]]]:
    """A check for every total the workbook calculates, generated from the engine's one
    definition of it (its signed parts): the total's row equals its parts, added or taken
    away, to the pound (counts and FTE to a thousandth)."""
    out: list[tuple[str, Callable[..., str]]] = []
    s = proj.scenario
    for line in proj.totals():
        if line.area not in areas or not g.has(s, line.area, line.measure):
            continue
        if not all(g.has(s, line.area, g.shown(s, line.area, m)) for _, m in line.parts):
            continue
        parts = g.parts_formula(proj, line.area, line.measure, ws)
        within = tol if line.unit == "GBP" else COUNT_TOLERANCE

        def check(i, line=line, parts=parts, within=within):
            total = g.ref(s, line.area, line.measure, i, ws)
            return f"ABS({total}-({parts(i)}))<={within}"

        out.append((f"{line.measure} = {written(line.parts)}", check))
    return out


def calibration_notes(ws: Worksheet, row: int, run: Run) -> None:
    """The calibration guard's warnings under the checks (not part of the master check: the
    arithmetic holds, but the figures the reconciliation balances need checking). Written
    last on the Checks sheet, below every check row."""
    found = calibration_warnings(run.projections)
    text(ws.cell(row, 1), "Calibration warnings (not part of the master check)").font = BOLD
    for k, w in enumerate(found or ["None: every reconciliation line is within its share."]):
        text(ws.cell(row + 1 + k, 1), ("WARNING: " if found else "") + w)


def _expenditure_check(g: Grid, proj: Projection, ws: Worksheet, tol: str) -> Callable[..., str]:
    """High-needs spend rebuilt from the Inputs by another route (SUMPRODUCT over the
    provisions) and compared with the calculated total."""
    s = proj.scenario
    provisions = [m.split(".", 1)[1] for m in proj.family(DSG, "ehcp_total")]
    plans = [g.where[(s, DSG, f"ehcp.{p}")] for p in provisions]
    costs = [g.where[(s, DSG, f"cost_per_place.{p}")] for p in provisions]
    fixed = [g.where[(s, DSG, m)] for m in fixed_lines(proj)]
    sheet = quoted(plans[0][0])

    def formula(i: int) -> str:
        c = g.col(i)
        rebuilt = (
            f"SUMPRODUCT({sheet}{c}{plans[0][1]}:{c}{plans[-1][1]},"
            f"{sheet}{c}{costs[0][1]}:{c}{costs[-1][1]})"
            f"+{g.ref(s, DSG, 'ap_places', i, ws)}"
            f"*{g.ref(s, DSG, 'cost_per_place.alternative_provision', i, ws)}"
            f"+SUM({sheet}{c}{fixed[0][1]}:{c}{fixed[-1][1]})"
        )
        return f"ABS({g.ref(s, DSG, 'high_needs_expenditure', i, ws)}-({rebuilt}))<={tol}"

    return formula


def assumptions_sheet(wb: Workbook, run: Run, sections: tuple[str, ...]) -> Worksheet:
    """Every input with its value, unit, basis, source, file and line; overrides by scenario."""
    ws = titled(
        wb,
        "Assumptions and sources",
        "Assumptions and sources",
        "Every figure the forecast starts from. Basis 'estimate' marks a figure "
        "derived here: replace it with the council's own first.",
    )
    header_row(
        ws,
        4,
        [
            "Scenario",
            "Parameter",
            "Value",
            "Values by year",
            "Low",
            "High",
            "Unit",
            "Basis",
            "Source",
            "File",
            "Line",
            "Path in the files",
        ],
    )
    r = 5
    base = run.scenarios[0]
    seen: dict[str, tuple] = {}
    for s in run.scenarios:
        for path, p in iter_params(s.assumptions):
            dotted = ".".join(path)
            if path[0] not in sections:
                continue
            loc = s.where(dotted)
            fingerprint = (
                p.value,
                tuple((p.values or {}).items()),
                getattr(p, "low", None),
                getattr(p, "high", None),
                p.source,
                loc,
            )
            if s is not base and seen.get(dotted) == fingerprint:
                continue  # the same as the first scenario: listed once
            seen.setdefault(dotted, fingerprint)
            values = "; ".join(
                f"{workbook_label(y)}: {v:g}"
                if isinstance(v, float)
                else f"{workbook_label(y)}: {v}"
                for y, v in (p.values or {}).items()
            )
            row = [
                s.label if s is not base else "all (unless overridden)",
                param_label(dotted, s.assumptions),
            ]
            for c, v in enumerate(row, start=1):
                text(ws.cell(r, c), v)
            if isinstance(p, Param):
                for c, x in ((3, p.value), (5, p.low), (6, p.high)):
                    if x is not None:
                        ws.cell(r, c, float(x)).number_format = "#,##0.######"
            elif p.value is not None:
                text(ws.cell(r, 3), "yes" if p.value else "no")
            text(ws.cell(r, 4), values)
            for c, v in (
                (7, p.unit),
                (8, p.basis),
                (9, p.source),
                (10, loc.file if loc else ""),
                (11, str(loc.line) if loc and loc.line else ""),
            ):
                text(ws.cell(r, c), v)
            ws.cell(r, 9).alignment = Alignment(wrap_text=True, vertical="top")
            text(ws.cell(r, 12), dotted).font = AUDIT_FONT  # the path, for audit
            r += 1
    widths = {1: 24, 2: 58, 3: 13, 4: 40, 5: 10, 6: 10, 7: 9, 8: 10, 9: 80, 10: 42, 11: 6, 12: 40}
    set_widths(ws, widths)
    ws.auto_filter.ref = f"A4:L{max(r - 1, 5)}"
    page_setup(ws, freeze="C5", title_rows="4:4")
    return ws


def line_chart(
    title: str,
    y_title: str,
    series: list[tuple[str, Worksheet, int]],
    years: int,
    header_ws: Worksheet,
    thousands: bool = True,
) -> LineChart:
    """A line per (name, sheet, row) over the year columns."""
    ch = LineChart()
    ch.title, ch.y_axis.title, ch.x_axis.title = title, y_title, "Financial year"
    _plot(ch, series, years, header_ws, thousands)
    for s in ch.series:
        s.smooth = False
    return ch


def stacked_chart(
    title: str,
    y_title: str,
    series: list[tuple[str, Worksheet, int]],
    years: int,
    header_ws: Worksheet,
    money: bool = True,
) -> BarChart:
    """Stacked columns, a series per (name, sheet, row), one column a year."""
    ch = BarChart()
    ch.type, ch.grouping, ch.overlap = "col", "stacked", 100
    ch.title, ch.y_axis.title = title, y_title
    return _plot(ch, series, years, header_ws, money)


def breakdown(g: Grid, proj, area: str, measures: list[str]) -> list[tuple[str, Worksheet, int]]:
    """Chart series for the rows of ``measures`` of one scenario, named by their short label."""
    return [
        (proj.lines[(area, m)].label.split(": ", 1)[-1], *g.where[(proj.scenario, area, m)])
        for m in measures
    ]


def _plot(ch, series, years: int, header_ws: Worksheet, money: bool):
    for name, ws, row in series:
        ref = Reference(ws, min_col=FIRST_COL, max_col=FIRST_COL + years - 1, min_row=row)
        ch.add_data(ref, from_rows=True, titles_from_data=False)
        ch.series[-1].tx = _series_title(name)
    ch.set_categories(
        Reference(header_ws, min_col=FIRST_COL, max_col=FIRST_COL + years - 1, min_row=4)
    )
    ch.y_axis.number_format = '#,##0,,"m"' if money else "#,##0"
    return _tidy(ch)


def _tidy(ch):
    ch.y_axis.delete = False
    ch.x_axis.delete = False
    ch.legend.position = "b"
    ch.height, ch.width = 11, 26
    return ch


def charts_sheet(wb: Workbook, charts: list, index: int = 2) -> Worksheet:
    """Charts one under another, printed landscape one to a page."""
    ws = wb.create_sheet("Charts", index)
    for k, ch in enumerate(charts):
        ws.add_chart(ch, f"A{1 + 24 * k}")
        if k:
            from openpyxl.worksheet.pagebreak import Break

            ws.row_breaks.append(Break(id=24 * k))
    page_setup(ws)
    return ws


def _series_title(name: str):
    from openpyxl.chart.series import SeriesLabel

    return SeriesLabel(v=name)
