"""History and comparators for the Forum workbook, from the national dataset.

**History**: DfE's published figures for the council in the years up to the base year
(EHCPs, EHCPs by SEN2 age band, the DSG blocks, the DSG balance), beside the forecast's own
lines for the plan scenario, so a reader sees whether the forecast starts where the
published series leave off.

**Comparators**: the council against its statistical neighbours, its region and England on
EHCPs as a share of pupils, the share of EHC plans in special schools, the DSG deficit as a
share of the grant and children looked after per 10,000 children.

Every published figure carries the dataset's source file and indicator. The selection is
pure (a DataFrame in, rows out); the sheets only lay the rows out. Without the dataset, or
without the council's LA number in the assumption set, each sheet says why it is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..national.dataset import ENGLAND, find_council
from ..projection import Projection
from ..years import parse_year, workbook_label, year_label
from .front import AUDIT_FONT, fit_rows
from .grid import NOTE, Grid, quoted
from .models import DSG
from .styles import (
    ACTUAL_FILL,
    ACTUAL_FONT,
    BOLD,
    COUNT,
    GBP_000,
    PCT,
    SECTION_FONT,
    TITLE,
    TOP,
    WRAP,
    cell_style,
    header_row,
    page_setup,
    set_widths,
    text,
)

HISTORY_SHEET, COMPARATOR_SHEET = "History", "Comparators"
HISTORY_YEARS = 5  # published years shown before the base year
PERCENT_NUMBER = '0.0"%"'  # a figure published as a percentage (3.7 is 3.7%)
FORMATS = {"count": COUNT, "GBP": GBP_000, "ratio": PCT, "percent": PERCENT_NUMBER}
COUNCIL_FILL = ACTUAL_FILL


def bundled_extract() -> pd.DataFrame | None:
    """The national dataset shipped with the tool, or None where this install has none."""
    try:
        from ..errors import InputError
        from ..national.dataset import load_extract
    except ImportError:
        return None
    try:
        return load_extract()
    except InputError:
        return None


def nearby(extract: pd.DataFrame, councils: list[int]) -> pd.DataFrame:
    """The rows of these councils and of every region and England: all that the history
    and comparator sheets read, a small part of the national extract."""
    keep = extract["la_code"].isin(councils) | (extract["level"] != "la")
    return extract[keep]


def _sources(rows: pd.DataFrame) -> tuple[str, str]:
    """The distinct source files and indicators of some dataset rows, in order."""
    files = list(dict.fromkeys(rows["source_file"].astype(str)))
    indicators = list(dict.fromkeys(rows["indicator"].astype(str)))
    return "; ".join(files), "; ".join(indicators)


# ------------------------------------------------------------------------- history


@dataclass
class HistoryLine:
    """One published series for the council (values by financial year) and, where the
    forecast has the same line, the grid key of the plan's row for it."""

    label: str
    unit: str
    values: dict[str, float]
    source_file: str
    indicator: str
    forecast: str | None = None  # the engine line beside it (a DSG measure)
    forecast_label: str = ""
    sign: float = 1.0


# (measure, label, unit as shown, engine line beside it, its label, sign applied)
HISTORY = (
    ("ehcp_total", "EHCPs (January census)", "count", "ehcp_total", "EHCPs", 1.0),
    ("high_needs_allocation", "High needs block", "GBP", "high_needs_income", "", 1.0),
    ("schools_block", "Schools block", "GBP", "schools_block", "", 1.0),
    ("dsg_total", "Total DSG", "GBP", "total_dsg", "", 1.0),
    (
        "dsg_balance_share",
        "DSG deficit, share of total DSG (DfE balance, sign reversed)",
        "ratio",
        "deficit_share_of_dsg",
        "Cumulative deficit as a share of total DSG",
        -1.0,
    ),
)
AGE_BANDS = (
    ("ehcp_by_age.under_5", "under 5"),
    ("ehcp_by_age.5_to_10", "5 to 10"),
    ("ehcp_by_age.11_to_15", "11 to 15"),
    ("ehcp_by_age.16_to_19", "16 to 19"),
    ("ehcp_by_age.20_to_25", "20 to 25"),
)


def history_years(base_year: str) -> list[str]:
    """The published years shown: ``HISTORY_YEARS`` before the base year, and the base year."""
    start = parse_year(base_year)
    return [year_label(y) for y in range(start - HISTORY_YEARS, start + 1)]


def history_lines(extract: pd.DataFrame, la_code: int, base_year: str) -> list[HistoryLine]:
    """The council's published series for the years up to and including the base year."""
    wanted = set(history_years(base_year))
    mine = extract[(extract["la_code"] == la_code) & (extract["period"].isin(wanted))]
    out = []
    spec: list[tuple[str, str, str, str | None, str, float]] = list(HISTORY)
    spec[1:1] = [(m, f"EHCPs aged {band}", "count", None, "", 1.0) for m, band in AGE_BANDS]
    for measure, label, unit, line, forecast_label, sign in spec:
        rows = mine[mine["measure"] == measure].dropna(subset=["value"]).sort_values("period")
        files, indicators = _sources(rows) if len(rows) else ("", "")
        out.append(
            HistoryLine(
                label,
                unit,
                {
                    str(p): sign * float(v)
                    for p, v in zip(rows["period"], rows["value"], strict=True)
                },
                files,
                indicators,
                line,
                forecast_label or label,
                sign,
            )
        )
    return out


def history_sheet(
    wb: Workbook, g: Grid, plan: Projection, extract: pd.DataFrame | None, la_code: int | None
) -> Worksheet:
    """Published history up to the base year beside the plan's forecast (live links)."""
    ws = wb.create_sheet(HISTORY_SHEET)
    text(ws.cell(1, 1), "History: DfE's published figures beside the forecast").font = TITLE
    if extract is None or la_code is None:
        text(ws.cell(2, 1), _missing(extract, la_code)).font = NOTE
        set_widths(ws, {1: 120})
        return ws
    text(
        ws.cell(2, 1),
        f"Published: DfE figures for LA {la_code} up to the base year, from the national "
        f"dataset (file and indicator in the grey columns). Forecast: {g.label(plan.scenario)}, "
        "linked to the High needs and Inputs sheets. £000 unless stated.",
    ).font = NOTE
    past = history_years(g.years[0])[:-1]
    years = past + g.years
    first = 3
    heads = ["Line", "Unit"] + [
        f"{workbook_label(y)} "
        + ("published" if y in past else "actual" if y == g.years[0] else "forecast")
        for y in years
    ]
    last = first + len(years)
    header_row(ws, 4, [*heads, "Source file", "Indicator"])
    ws.row_dimensions[4].height = 30
    for j in range(len(past) + g.actual):
        ws.cell(4, first + j).fill, ws.cell(4, first + j).font = ACTUAL_FILL, ACTUAL_FONT
    r = 5
    for line in history_lines(extract, la_code, g.years[0]):
        if line.label.startswith("EHCPs aged") and not line.values:
            continue
        text(ws.cell(r, 1), f"{line.label}, published")
        text(ws.cell(r, 2), _unit(line.unit))
        if not line.values:
            text(ws.cell(r, first), f"none published up to {workbook_label(g.years[0])}")
            ws.cell(r, first).font = NOTE
        for j, y in enumerate(years[: len(past) + 1]):
            if y in line.values:
                c = ws.cell(r, first + j, line.values[y])
                cell_style(c, "value", FORMATS[line.unit])
        for c, v in ((last, line.source_file), (last + 1, line.indicator)):
            text(ws.cell(r, c), v).font = AUDIT_FONT
            ws.cell(r, c).alignment = WRAP
        fit_rows(ws, r, len(line.source_file) * 2 // 3, 26)
        for c in range(1, last):
            ws.cell(r, c).alignment = TOP
        r += 1
        if line.forecast and g.has(plan.scenario, DSG, line.forecast):
            src, row = g.where[(plan.scenario, DSG, line.forecast)]
            text(ws.cell(r, 1), f"{line.forecast_label}, this forecast")
            text(ws.cell(r, 2), _unit(line.unit))
            for i in range(len(g.years)):
                c = ws.cell(r, first + len(past) + i, f"={quoted(src)}{g.col(i)}{row}")
                cell_style(c, "calc", FORMATS[line.unit])
            g.formulas += len(g.years)
            text(ws.cell(r, last), f"{src.title} sheet").font = AUDIT_FONT
            text(ws.cell(r, last + 1), line.forecast).font = AUDIT_FONT
            r += 1
        r += 1
    text(
        ws.cell(r, 1),
        "Where the base year's published figure and the forecast's differ, the forecast starts "
        "from the assumption set's figure (see Assumptions and sources for its basis).",
    ).font = NOTE
    set_widths(ws, {1: 50, 2: 8, **{first + j: 11 for j in range(len(years))}})
    set_widths(ws, {last: 26, last + 1: 30})
    page_setup(ws, freeze=f"{get_column_letter(first)}5", title_rows="4:4")
    return ws


def _unit(unit: str) -> str:
    return {"count": "number", "GBP": "£000", "ratio": "%", "percent": "%"}[unit]


def _missing(extract: pd.DataFrame | None, la_code: int | None) -> str:
    if la_code is None:
        return (
            "Not shown: the assumption set does not name the council's LA number. Add "
            "council: la_code: (e.g. 861) to general.yaml to compare with DfE's published "
            "figures."
        )
    return (
        "Not shown: this installation has no national dataset (rebuild it with "
        "`forecast data build data/dfe`)."
    )


# --------------------------------------------------------------------- comparators


@dataclass
class Compared:
    """One area's figure on one measure, with the dataset rows it comes from."""

    name: str
    role: str
    la_code: int
    value: float | None
    source_file: str = ""
    indicator: str = ""


@dataclass
class Comparison:
    """One measure for the council, its neighbours, their average, region and England."""

    label: str
    unit: str
    year: str | None
    year_note: str
    rows: list[Compared] = field(default_factory=list)

    def value(self, role: str) -> float | None:
        return next((r.value for r in self.rows if r.role == role), None)


SPECIAL = (
    "ehcp_by_type.special_maintained",
    "ehcp_by_type.special_academy",
    "ehcp_by_type.special_independent",
)
# (label, unit, measures: a single measure, or numerator measures over a denominator; sign)
COMPARISONS = (
    ("Pupils with an EHC plan (% of pupils, January)", "percent", ("ehcp_pupil_share",), 1.0),
    (
        "EHC plans in special schools (share of all plans)",
        "ratio",
        (*SPECIAL, "/ehcp_total"),
        1.0,
    ),
    (
        "DSG deficit as a share of total DSG (positive = deficit; DfE publishes the balance)",
        "ratio",
        ("dsg_balance_share",),
        -1.0,
    ),
    ("Children looked after per 10,000 children (31 March)", "per 10,000", ("cla_per_10k",), 1.0),
)
COUNCIL, NEIGHBOUR, AVERAGE, REGION = "this council", "statistical neighbour", "average", "region"


def _figure(rows: list[dict], measures: tuple[str, ...], sign: float) -> Compared | None:
    """One area's figure for one year from its dataset rows: a measure as published, or the
    sum of some measures over another (a share)."""
    parts = [m for m in measures if not m.startswith("/")]
    over = [m[1:] for m in measures if m.startswith("/")]
    used = [r for r in rows if r["measure"] in parts + over and not pd.isna(r["value"])]
    have = {r["measure"] for r in used}
    if not have & set(parts) or (over and over[0] not in have):
        return None
    top = float(sum(r["value"] for r in used if r["measure"] in parts))
    if over:
        bottom = float(sum(r["value"] for r in used if r["measure"] == over[0]))
        if bottom <= 0:
            return None
        top /= bottom
    files = "; ".join(dict.fromkeys(str(r["source_file"]) for r in used))
    indicators = "; ".join(dict.fromkeys(str(r["indicator"]) for r in used))
    return Compared("", "", 0, sign * top, files, indicators)


def comparisons(
    extract: pd.DataFrame, la_code: int, neighbours: list[int], base_year: str
) -> list[Comparison]:
    """Each comparison measure for the council, its statistical neighbours (in the order
    given, closest first), their average, its region and England, all for one year: the
    base year, else the latest published before it, else the first published after it."""
    names = extract.drop_duplicates("la_code").set_index("la_code")
    if la_code not in names.index:
        return []
    region = find_council(la_code, extract).region_code
    areas = [(la_code, COUNCIL)]
    areas += [(c, f"{NEIGHBOUR} {k}") for k, c in enumerate(neighbours, start=1)]
    areas += [(region, REGION)] if region is not None and region in names.index else []
    areas += [(ENGLAND, "England")]
    base = parse_year(base_year)
    out = []
    for label, unit, measures, sign in COMPARISONS:
        key = measures[-1].lstrip("/")
        have = extract[(extract["la_code"] == la_code) & (extract["measure"] == key)]
        periods = sorted(have.dropna(subset=["value"])["period"].astype(str), key=parse_year)
        before = [p for p in periods if parse_year(p) <= base]
        year = before[-1] if before else periods[0] if periods else None
        note = (
            ""
            if year is None or parse_year(year) == base
            else "latest before the base year"
            if before
            else "first published: after the base year"
        )
        comp = Comparison(label, unit, year, note)
        if year is not None:
            at = extract[
                (extract["period"] == year)
                & (extract["measure"].isin([m.lstrip("/") for m in measures]))
            ]
            by_code: dict[int, list[dict]] = {}
            for rec in at.to_dict("records"):
                by_code.setdefault(int(rec["la_code"]), []).append(rec)
            for code, role in areas:
                fig = _figure(by_code.get(code, []), measures, sign)
                name = str(names.loc[code, "la_name"]) if code in names.index else str(code)
                comp.rows.append(
                    Compared(
                        name,
                        role,
                        code,
                        fig.value if fig else None,
                        fig.source_file if fig else "",
                        fig.indicator if fig else "not published",
                    )
                )
            values = [
                r.value for r in comp.rows if r.role.startswith(NEIGHBOUR) and r.value is not None
            ]
            if values:
                comp.rows.insert(
                    len(neighbours) + 1,
                    Compared(
                        f"Statistical neighbours' average ({len(values)} with a figure)",
                        AVERAGE,
                        0,
                        sum(values) / len(values),
                        "the neighbours' rows above",
                        "simple average",
                    ),
                )
        out.append(comp)
    return out


def comparator_sheet(
    wb: Workbook, run, extract: pd.DataFrame | None, la_code: int | None
) -> Worksheet:
    """The council against its statistical neighbours, region and England."""
    council = run.scenarios[0].assumptions.council
    ws = wb.create_sheet(COMPARATOR_SHEET)
    text(
        ws.cell(1, 1), f"{council.name} against its statistical neighbours and England"
    ).font = TITLE
    set_widths(ws, {1: 50, 2: 24, 3: 14, 4: 14, 5: 14, 6: 14, 7: 28, 8: 48})
    if extract is None or la_code is None:
        text(ws.cell(2, 1), _missing(extract, la_code)).font = NOTE
        return ws
    sn = council.statistical_neighbours
    neighbours = list(sn.la_codes.values()) if sn else []
    found = comparisons(extract, la_code, neighbours, run.projections[0].years[0])
    text(
        ws.cell(2, 1),
        "DfE's published figures from the national dataset; each figure's file and indicator "
        "are in the grey columns. Statistical neighbours: "
        + (
            sn.source
            if sn
            else "none named in the assumption set (council: statistical_neighbours:)"
        ),
    ).font = NOTE
    ws.cell(2, 1).alignment = WRAP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
    ws.row_dimensions[2].height = 36
    if not found:
        text(ws.cell(4, 1), f"LA {la_code} is not in the national dataset.")
        return ws
    r = _comparison_table(ws, council.name, found)
    spans, r = _comparison_detail(ws, found, r + 1)
    ws.row_breaks.append(Break(id=r))  # the charts on a page of their own
    for k, (comp, top, bottom) in enumerate(spans):
        if comp.year is not None:
            ws.add_chart(_bar(ws, comp, top, bottom), f"{'AE'[k % 2]}{r + 1 + 27 * (k // 2)}")
    text(ws.cell(r + 55, 1), "")  # the print area reaches below the last chart
    page_setup(ws)
    return ws


def _comparison_table(ws: Worksheet, council_name: str, found: list[Comparison]) -> int:
    """The table at the top: each measure's year and figure for the council, its
    neighbours' average, its region and England. Returns the row after it."""
    header_row(ws, 4, ["Measure", "Year", council_name, "Neighbours' average", "Region", "England"])
    ws.row_dimensions[4].height = 30
    r = 5
    for comp in found:
        text(ws.cell(r, 1), comp.label).alignment = WRAP
        text(ws.cell(r, 2), _year(comp)).alignment = WRAP
        for c, role in ((3, COUNCIL), (4, AVERAGE), (5, REGION), (6, "England")):
            _value(ws.cell(r, c), comp.value(role), comp.unit)
        ws.cell(r, 3).fill = COUNCIL_FILL
        fit_rows(ws, r, max(len(comp.label) * 24 // 50, len(_year(comp))), 24)
        r += 1
    return r


def _comparison_detail(
    ws: Worksheet, found: list[Comparison], r: int
) -> tuple[list[tuple[Comparison, int, int]], int]:
    """Under the table, each measure council by council (its neighbours named, each with
    its source file and indicator), from row ``r``. Returns the rows each measure spans, for
    its chart, and the row after the last."""
    spans: list[tuple[Comparison, int, int]] = []
    for comp in found:
        text(ws.cell(r, 1), f"{comp.label}: {_year(comp)}").font = SECTION_FONT
        r += 1
        header_row(
            ws,
            r,
            [
                "Council or area",
                "Compared as",
                "Figure",
                "LA number",
                "",
                "",
                "Source file",
                "Indicator",
            ],
        )
        r += 1
        spans.append((comp, r, r + len(comp.rows) - 1))
        for row in comp.rows:
            text(ws.cell(r, 1), row.name)
            text(ws.cell(r, 2), row.role)
            _value(ws.cell(r, 3), row.value, comp.unit)
            if row.la_code:
                text(ws.cell(r, 4), str(row.la_code)).font = AUDIT_FONT
            for c, v in ((7, row.source_file), (8, row.indicator)):
                text(ws.cell(r, c), v).font = AUDIT_FONT
                ws.cell(r, c).alignment = WRAP
            # the audit font is about two-thirds the size of the body text
            fit_rows(ws, r, len(row.indicator) * 2 // 3, 48)
            if row.role in (COUNCIL, AVERAGE):
                ws.cell(r, 1).font = BOLD
            if row.role == COUNCIL:
                ws.cell(r, 3).fill = COUNCIL_FILL
            r += 1
        r += 1
    return spans, r


def _bar(ws: Worksheet, comp: Comparison, top: int, bottom: int) -> BarChart:
    """Bars of one comparison: the council, each neighbour, their average, region, England."""
    ch = BarChart()
    year = cast(str, comp.year)  # charted only when the comparison has a year
    ch.type, ch.title = "bar", f"{comp.label.split(' (')[0]}, {workbook_label(year)}"
    ch.add_data(Reference(ws, min_col=3, min_row=top, max_row=bottom), titles_from_data=False)
    ch.set_categories(Reference(ws, min_col=1, min_row=top, max_row=bottom))
    ch.legend = None
    ch.y_axis.number_format = {"ratio": "0%", "percent": '0.0"%"'}.get(comp.unit, "#,##0")
    ch.x_axis.scaling.orientation = "maxMin"  # the council at the top, as in the table
    ch.y_axis.delete = ch.x_axis.delete = False
    ch.x_axis.tickLblSkip = 1  # every area named
    ch.height, ch.width = 12.5, 17
    return ch


def _year(comp: Comparison) -> str:
    if comp.year is None:
        return "not published"
    return workbook_label(comp.year) + (f" ({comp.year_note})" if comp.year_note else "")


def _value(cell, value: float | None, unit: str) -> None:
    if value is None:
        text(cell, "not published").font = NOTE
        return
    cell.value = float(value)
    cell.number_format = {"per 10,000": "#,##0"}.get(unit, FORMATS.get(unit, "General"))
