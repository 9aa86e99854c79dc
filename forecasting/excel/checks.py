"""The Checks sheet: identity checks for every scenario and year, each total against its
parts as the engine defines them, independent rebuilds of the key figures, the engine's own
figures compared, the tolerance they allow and one master check over all of them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..calibration import calibration_warnings
from ..projection import Line, Projection, written
from .grid import FIRST_COL, Grid, quoted
from .models import CSC, DSG, fixed_lines, tolerance_cell
from .styles import BOLD, CHECK_OK_FILL, text

if TYPE_CHECKING:
    from ..run import Run


# Checks of totals in counts, FTE or ratios: their parts are stored inputs or formulas of
# them, so they agree to float rounding; a thousandth of a child is far below any real error.
COUNT_TOLERANCE = "0.001"


# A check: its label, and its formula by year index (without the leading "="); a generated
# check also carries, as its note, the definition it was generated from.
Check = tuple[str, Callable[..., str]] | tuple[str, Callable[..., str], str]


def checks_sheet(wb: Workbook, g: Grid, run: Run, areas: Iterable[str]) -> tuple[Worksheet, str]:
    """Identity checks for every scenario and year, and a master check over all of them.
    Returns the sheet and its tolerance cell (pounds), for further checks against the
    engine."""
    ws = wb.create_sheet("Checks", 1)
    g.sheet(
        ws,
        "Checks",
        "Every cell should read TRUE after recalculation; the master "
        "check is TRUE only when all are.",
    )
    tol = tolerance_cell(ws, 3)
    text(
        ws.cell(3, 1),
        "Tolerance for agreement with the engine (£); totals in counts or FTE must agree to "
        f"{COUNT_TOLERANCE}",
    )
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
        for k, (label, formula, *note) in enumerate(rows):
            row = g.calc_row(
                ws,
                s,
                "check",
                f"check.{k}",
                label,
                "flag",
                formula,
                note="".join(note),
                number_format="General",
            )
            first_check = first_check or row
    master_check(ws, g, first_check, g.next_row[ws.title] - 1)
    return ws, tol


def _csc_checks(g: Grid, proj: Projection, ws: Worksheet, tol: str) -> list[Check]:
    """Children's social care by an independent route: placement cost rebuilt with
    SUMPRODUCT over children and weekly costs, and the overspend against the engine's."""
    s = proj.scenario

    def r(area: str, m: str, i: int) -> str:
        return g.ref(s, area, m, i, ws)

    rows: list[Check] = []
    types = proj.kinds(CSC, "children_in_care")
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


def _expenditure_check(g: Grid, proj: Projection, ws: Worksheet, tol: str) -> Callable[..., str]:
    """High-needs spend rebuilt from the Inputs by another route (SUMPRODUCT over the
    provisions) and compared with the calculated total."""
    s = proj.scenario
    provisions = proj.kinds(DSG, "ehcp_total")
    plans = [g.where[(s, DSG, f"ehcp.{p}")] for p in provisions]
    costs = [g.where[(s, DSG, f"cost_per_place.{p}")] for p in provisions]
    fixed = g.sum_formula(s, DSG, fixed_lines(proj), ws)  # "0" for a set with none
    sheet = quoted(plans[0][0])

    def formula(i: int) -> str:
        c = g.col(i)
        rebuilt = (
            f"SUMPRODUCT({sheet}{c}{plans[0][1]}:{c}{plans[-1][1]},"
            f"{sheet}{c}{costs[0][1]}:{c}{costs[-1][1]})"
            f"+{g.ref(s, DSG, 'ap_places', i, ws)}"
            f"*{g.ref(s, DSG, 'cost_per_place.alternative_provision', i, ws)}"
            f"+{fixed(i)}"
        )
        return f"ABS({g.ref(s, DSG, 'high_needs_expenditure', i, ws)}-({rebuilt}))<={tol}"

    return formula


def total_checks(
    g: Grid, proj: Projection, ws: Worksheet, tol: str, areas: Iterable[str]
) -> list[Check]:
    """A check for every total the workbook calculates, generated from the engine's one
    definition of it (its signed parts): the total's row equals its parts, added or taken
    away, to the pound (counts and FTE to a thousandth)."""
    out: list[Check] = []
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

        out.append((f"{short(line.label)} = its parts", check, definition(line)))
    return out


def short(label: str) -> str:
    """A line's label without its explanation: "In-year deficit (positive) = expenditure -
    ..." reads "In-year deficit", "Children in care (average in year)" "Children in care"."""
    return re.sub(r"\s*\([^()]*\)$", "", label.split(" = ", 1)[0])


def definition(line: Line) -> str:
    """A total's definition as the Checks sheet notes it: ``measure = part + part - part``."""
    return f"{line.measure} = {written(line.parts)}"


MASTER_ROW = 2  # the Checks sheet's row of the master check, in the first year's column


def master_check_ref(g: Grid) -> str:
    """Where another sheet finds the master check (``Checks!E2``)."""
    return f"Checks!{g.col(0)}{MASTER_ROW}"


def master_check(ws: Worksheet, g: Grid, first: int | None, last: int) -> None:
    """The one cell that is TRUE only when every check from row ``first`` to ``last`` is."""
    text(ws.cell(MASTER_ROW, 1), "Master check (all checks TRUE)").font = BOLD
    formula = f"=AND({g.col(0)}{first}:{g.col(len(g.years) - 1)}{last})" if first else "=TRUE()"
    c = ws.cell(MASTER_ROW, FIRST_COL, formula)
    c.font, c.fill = BOLD, CHECK_OK_FILL
    g.formulas += 1


def calibration_notes(ws: Worksheet, row: int, run: Run) -> None:
    """The calibration guard's warnings under the checks (not part of the master check: the
    arithmetic holds, but the figures the reconciliation balances need checking). Written
    last on the Checks sheet, below every check row."""
    found = calibration_warnings(run.projections)
    text(ws.cell(row, 1), "Calibration warnings (not part of the master check)").font = BOLD
    for k, w in enumerate(found or ["None: every reconciliation line is within its share."]):
        text(ws.cell(row + 1 + k, 1), ("WARNING: " if found else "") + w)
