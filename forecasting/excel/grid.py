"""The workbook grid: one timeline of financial years in the same columns on every sheet,
input rows holding the engine's drivers, calculation rows holding live formulas.

``Grid`` remembers where each (scenario, area, measure) row was written, so a formula can
refer to any row by its measure name and the same column (year) on any sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..projection import Projection
from ..years import workbook_label
from .styles import (
    ACTUAL_FILL,
    ACTUAL_FONT,
    BOLD,
    LINE_HEIGHT,
    NOTE,
    SECTION_FONT,
    TITLE,
    WRAP,
    cell_at,
    cell_style,
    figure,
    header_row,
    line_format,
    look,
    page_setup,
    set_widths,
    text,
    write_formula,
)

FIRST_COL = 5  # A line, B unit, C measure, D note; years from E on every sheet
LABEL_CHARS = 56  # about what column A (52 wide) shows on one line
LINK = "_link"  # suffix of a row repeating a driver on a calculation sheet
# year index -> formula text (without the leading "="); "..." because writers bind their
# loop variables as default arguments of the lambda
Formula = Callable[..., str]


def quoted(ws: Worksheet) -> str:
    """A sheet name as a formula reference prefix (apostrophes doubled)."""
    return "'" + ws.title.replace("'", "''") + "'!"


class Grid:
    def __init__(self, years: list[str], labels: dict[str, str] | None = None, actual: int = 1):
        """``labels``: each scenario's title by its name; ``actual``: how many of the first
        years are actuals (outturn), marked and shaded apart from the forecast years."""
        self.years = years
        self.labels = labels or {}
        self.actual = actual
        self.where: dict[tuple[str, str, str], tuple[Worksheet, int]] = {}
        self.next_row: dict[str, int] = {}
        self.formulas = 0

    # ------------------------------------------------------------------ layout
    def sheet(self, ws: Worksheet, title: str, subtitle: str) -> None:
        """Title, the timeline header in row 4, frozen panes, widths and print set-up."""
        look(text(cell_at(ws, 1, 1), title), font=TITLE)
        look(text(cell_at(ws, 2, 1), subtitle), font=NOTE)
        header_row(
            ws,
            4,
            [
                "Line",
                "Unit",
                "Measure",
                "Note and assumptions",
                *[
                    f"{workbook_label(y)} {'actual' if i < self.actual else 'forecast'}"
                    for i, y in enumerate(self.years)
                ],
            ],
        )
        for i in range(min(self.actual, len(self.years))):
            ws.cell(4, FIRST_COL + i).fill = ACTUAL_FILL
            ws.cell(4, FIRST_COL + i).font = ACTUAL_FONT
        ws.row_dimensions[4].height = 2 * LINE_HEIGHT  # "2019/20" over "forecast"
        set_widths(
            ws, {1: 52, 2: 9, 3: 30, 4: 34, **{FIRST_COL + i: 12 for i in range(len(self.years))}}
        )
        page_setup(ws, freeze=f"{get_column_letter(FIRST_COL)}5", title_rows="4:4")
        ws.column_dimensions["C"].hidden = False
        self.next_row[ws.title] = 5

    def col(self, i: int) -> str:
        return get_column_letter(FIRST_COL + i)

    def section(self, ws: Worksheet, title: str, scenario: str | None = None) -> None:
        """A section heading; a scenario's section is headed by its title, with its file
        name in the grey measure column for audit."""
        r = self.next_row[ws.title] + 1
        if scenario is not None:
            label = self.labels.get(scenario, scenario)
            title = f"{label}: {title}" if title else label
            cell_style(text(cell_at(ws, r, 3), scenario), "note")
        look(text(cell_at(ws, r, 1), title), font=SECTION_FONT)
        self.next_row[ws.title] = r + 1

    def label(self, scenario: str) -> str:
        """How a reader sees a scenario: its title."""
        return self.labels.get(scenario, scenario)

    def ref(self, scenario: str, area: str, measure: str, i: int, here: Worksheet) -> str:
        """Cell of a row in year column ``i``, qualified with its sheet when elsewhere."""
        ws, r = self.where[(scenario, area, measure)]
        cell = f"{self.col(i)}{r}"
        return cell if ws is here else f"{quoted(ws)}{cell}"

    def has(self, scenario: str, area: str, measure: str) -> bool:
        return (scenario, area, measure) in self.where

    # -------------------------------------------------------------------- rows
    def _label(self, ws, r, label, unit, measure, note):
        cell = text(cell_at(ws, r, 1), label)
        if len(label) > LABEL_CHARS:  # a long label wraps onto a second line, not into B
            look(cell, alignment=WRAP)
            ws.row_dimensions[r].height = 2 * LINE_HEIGHT
        text(cell_at(ws, r, 2), line_format(measure, unit)[1])
        cell_style(text(cell_at(ws, r, 3), measure), "note")
        if note:
            cell_style(text(cell_at(ws, r, 4), note), "note")

    def input_row(
        self,
        ws: Worksheet,
        proj: Projection,
        area: str,
        measure: str,
        label: str | None = None,
        only_first: bool = False,
        note: str = "",
        key: str | None = None,
        styled: bool = True,
    ) -> int:
        """The engine's figure for a driver, written as a styled input (under ``key`` when
        the measure's own name is kept for the row that calculates it)."""
        line = proj.lines[(area, measure)]
        r = self.next_row[ws.title]
        self._label(
            ws,
            r,
            label or line.label,
            line.unit,
            measure,
            "; ".join(x for x in (note or "engine driver", *line.sources) if x),
        )
        kind, fmt = "input" if styled else "value", line_format(measure, line.unit)[0]
        for i, v in enumerate(line.values[0][:1] if only_first else line.values[0]):
            cell_style(figure(cell_at(ws, r, FIRST_COL + i), v), kind, fmt)
        self.where[(proj.scenario, area, key or measure)] = (ws, r)
        self.next_row[ws.title] = r + 1
        return r

    def calc_row(
        self,
        ws: Worksheet,
        scenario: str,
        area: str,
        measure: str,
        label: str,
        unit: str,
        formula: Formula,
        total: bool = False,
        note: str = "",
        number_format: str | None = None,
    ) -> int:
        """A row of live formulas, one per year, consistent along the row."""
        r = self.next_row[ws.title]
        self._label(ws, r, label, unit, measure, note)
        self.where[(scenario, area, measure)] = (ws, r)
        kind, fmt = "total" if total else "calc", number_format or line_format(measure, unit)[0]
        for i in range(len(self.years)):
            cell_style(write_formula(cell_at(ws, r, FIRST_COL + i), formula(i)), kind, fmt)
        if total:
            look(cell_at(ws, r, 1), font=BOLD)
        self.formulas += len(self.years)
        self.next_row[ws.title] = r + 1
        return r

    def shown(self, scenario: str, area: str, measure: str) -> str:
        """The row a calculation refers to for ``measure``: its link row on the calculation
        sheet (``measure_link``) where one was written, else the row itself."""
        link = f"{measure}{LINK}"
        return link if (scenario, area, link) in self.where else measure

    def parts_formula(
        self,
        proj: Projection,
        area: str,
        measure: str,
        here: Worksheet,
        into: tuple[str, Mapping[str, str]] | None = None,
    ) -> Formula:
        """A total's formula from its one definition, the engine line's signed parts: a SUM
        where every part is added, else each part added or taken away.

        With ``into`` (a grid area and a map from part to row), the parts are read from a
        sheet that lays them out in its own rows, such as the DSG plan: each part from its
        mapped row (or the row of its own name); parts that one row holds together (the
        block's income and the transfer into it, as funding after movements) are read from
        that row once, wherever they fall in the definition, and must share a sign; a SUM
        reads its rows in the sheet's order."""
        s = proj.scenario
        line = proj.lines[(area, measure)]
        if into is None:
            parts = [(sign, self.shown(s, area, m)) for sign, m in line.parts]
        else:
            area, rows = into
            signs: dict[str, int] = {}
            for sign, m in line.parts:
                row = rows.get(m, m)
                if signs.setdefault(row, sign) != sign:
                    raise ValueError(f"{area}.{row} holds parts of {measure} of both signs")
            parts = [(sign, row) for row, sign in signs.items()]
            if all(sign > 0 for sign, _ in parts):
                parts.sort(key=lambda p: self.where[(s, area, p[1])][1])
        if all(sign > 0 for sign, _ in parts):
            return self.sum_formula(s, area, [m for _, m in parts], here)

        def formula(i: int) -> str:
            out = ""
            for sign, m in parts:
                out += ("-" if sign < 0 else ("+" if out else "")) + self.ref(s, area, m, i, here)
            return out

        return formula

    def total_row(
        self,
        ws: Worksheet,
        proj: Projection,
        area: str,
        measure: str,
        label: str | None = None,
        total: bool = False,
        note: str = "",
    ) -> int:
        """A row computing an engine total from its parts, as the engine defines it."""
        line = proj.lines[(area, measure)]
        formula = self.parts_formula(proj, area, measure, ws)
        return self.calc_row(
            ws, proj.scenario, area, measure, label or line.label, line.unit, formula, total, note
        )

    def product_row(
        self,
        ws: Worksheet,
        proj: Projection,
        area: str,
        measure: str,
        factors: Sequence[str | tuple[str, str]],
        note: str = "",
    ) -> int:
        """A row multiplying other rows year by year (plans x cost per place, children x
        weekly cost x weeks), labelled and in the unit of the engine's line it mirrors. A
        factor is a measure of ``area``, or ``(area, measure)`` of another area."""
        s = proj.scenario
        refs = [(area, f) if isinstance(f, str) else f for f in factors]
        line = proj.lines[(area, measure)]
        return self.calc_row(
            ws,
            s,
            area,
            measure,
            line.label,
            line.unit,
            lambda i: "*".join(self.ref(s, a, m, i, ws) for a, m in refs),
            note=note,
        )

    def link_row(self, ws: Worksheet, proj: Projection, area: str, measure: str, label: str = ""):
        """A row on a calculation sheet repeating a driver from the Inputs sheet, so a total's
        parts read together; totals then refer to it (see ``shown``)."""
        line = proj.lines[(area, measure)]
        s = proj.scenario
        return self.calc_row(
            ws,
            s,
            area,
            f"{measure}{LINK}",
            label or line.label,
            line.unit,
            lambda i: self.ref(s, area, measure, i, ws),
        )

    def sum_formula(
        self, scenario: str, area: str, measures: list[str], here: Worksheet
    ) -> Formula:
        """SUM over the rows of ``measures`` (a range when they are adjacent on one sheet)."""
        if not measures:
            return lambda i: "0"
        spots = [self.where[(scenario, area, m)] for m in measures]
        sheets = {ws.title for ws, _ in spots}
        rows = [r for _, r in spots]
        if len(sheets) == 1 and rows == list(range(rows[0], rows[0] + len(rows))):
            ws = spots[0][0]
            prefix = "" if ws is here else quoted(ws)
            return lambda i: f"SUM({prefix}{self.col(i)}{rows[0]}:{prefix}{self.col(i)}{rows[-1]})"
        return lambda i: (
            "SUM(" + ",".join(self.ref(scenario, area, m, i, here) for m in measures) + ")"
        )
