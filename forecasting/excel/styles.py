"""Shared workbook presentation: number formats, input styling, headings, sheet set-up.

Money is stored in pounds and shown in £000 (a number format, so formulas and checks
work on exact pounds); negatives are in brackets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import copy
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

GBP_000 = '#,##0,;(#,##0,);"-"'
GBP = '#,##0;(#,##0);"-"'
COUNT = '#,##0;(#,##0);"-"'
COUNT_1 = '#,##0.0;(#,##0.0);"-"'
PCT = '0.00%;(0.00%);"-"'
TEXT = "@"

YES_NO = '"Yes";"Yes";"No"'  # a 0/1 flag read as a word; the cell keeps its number
UNIT_FORMAT = {"GBP": GBP_000, "count": COUNT, "FTE": COUNT_1, "ratio": PCT}
UNIT_HEADING = {"GBP": "£000", "count": "number", "FTE": "FTE", "ratio": "%"}
# Unit costs are shown in whole pounds, not thousands, so a reader sees £759 a week.
UNIT_COSTS = ("weekly_cost.", "cost_per_place.", "cost_per_fte.", "cost_per_pupil")
# Lines that are yes/no decisions or tests (1 yes, 0 no), shown as Yes and No.
FLAGS = (
    "forum_approves",
    "disapplication_granted",
    "transfer_needs_disapplication",
    "transfer_above_limit",
    "deficit_cleared",
)


def line_format(measure: str, unit: str) -> tuple[str, str]:
    """Number format and unit heading for a line of the given measure and unit."""
    if unit == "GBP" and measure.startswith(UNIT_COSTS):
        return GBP, "£"
    if measure in FLAGS:
        return YES_NO, "yes/no"
    return UNIT_FORMAT.get(unit, "General"), UNIT_HEADING.get(unit, unit)


TITLE = Font(bold=True, size=14, color="1F3864")
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
ACTUAL_FILL = PatternFill("solid", fgColor="D9D9D9")  # actual (outturn) years, apart from forecasts
ACTUAL_FONT = Font(bold=True, color="1F3864")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # FAST: inputs visibly styled
INPUT_FONT = Font(color="0000FF")
CHECK_OK_FILL = PatternFill("solid", fgColor="E2EFDA")
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
SECTION_FONT = Font(bold=True, color="1F3864", size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
NOTE = Font(italic=True, color="808080", size=9)  # a note beside a row, or a missing figure
LINE_HEIGHT = 15  # points: one line of text in a row


# The control characters a workbook cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE, written as
# one character class (the same characters, found in a fraction of the time).
ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
MAX_TEXT = 32767  # characters a cell holds; openpyxl cuts longer text to this


def text(cell: Cell, value: object) -> Cell:
    """Write text from an input file as text, never as a formula (=, +, - or @ at the start),
    without the control characters a workbook cannot hold (the loader refuses them in input
    files; this keeps any other source from failing a run deep inside the writer).

    Sets the cell as openpyxl's value setter sets text (cut to ``MAX_TEXT`` characters),
    without its second search for those characters: most cells of a workbook are text."""
    cell._value = "" if value is None else ILLEGAL.sub("", str(value))[:MAX_TEXT]
    cell.data_type = "s"
    return cell


def write_formula(cell: Cell, expression: str) -> Cell:
    """Write a formula the writers built (``expression`` without its ``=``) into a cell, as
    openpyxl's value setter does for text starting with ``=``, without searching the
    writers' own text for control characters."""
    cell._value = "=" + expression
    cell.data_type = "f"
    return cell


HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def header_row(ws: Worksheet, row: int, values: list[str], start_col: int = 1) -> None:
    for i, v in enumerate(values):
        c = text(cell_at(ws, row, start_col + i), v)
        look(c, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT)


def cell_at(ws: Worksheet, row: int, column: int) -> Cell:
    """The cell at ``row`` and ``column``, made if new: what ``ws.cell(row, column)`` returns,
    without its layers of calls (the grid makes tens of thousands of cells)."""
    cell = ws._cells.get((row, column))
    if cell is None:
        if row < 1 or column < 1:
            raise ValueError("Row or column values must be at least 1")
        cell = ws._cells[(row, column)] = Cell(ws, row=row, column=column)
        if row > ws._current_row:
            ws._current_row = row
    return cell


def figure(cell: Cell, value: float) -> Cell:
    """Write a figure into a cell, as openpyxl's value setter does for a float."""
    cell._value = float(value)
    cell.data_type = "n"
    return cell


# openpyxl's style descriptors: the look's collection in the workbook and its id in a cell
_LOOKS = {
    "font": ("_fonts", "fontId"),
    "fill": ("_fills", "fillId"),
    "border": ("_borders", "borderId"),
    "alignment": ("_alignments", "alignmentId"),
}


def look(cell: Cell, **looks: Font | PatternFill | Border | Alignment) -> Cell:
    """Give a cell a font, fill, border or alignment (``look(c, font=BOLD)``), as setting
    ``c.font = BOLD`` does: the workbook registers each look once. Each look object's id in
    the workbook is remembered, so it is not hashed and compared again for every cell (the
    looks used are this module's constants, never changed)."""
    known = _look_ids.get(cell.parent.parent)
    if known is None:
        known = _look_ids[cell.parent.parent] = {}
    for attr, value in looks.items():
        seen = known.get((attr, id(value)))
        if seen is None:
            setattr(cell, attr, value)  # registers the look; keep it alive beside its id
            known[(attr, id(value))] = (getattr(cell._style, _LOOKS[attr][1]), value)
        else:
            if cell._style is None:
                cell._style = StyleArray()
            setattr(cell._style, _LOOKS[attr][1], seen[0])
    return cell


def set_widths(ws: Worksheet, widths: Mapping[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def page_setup(ws: Worksheet, freeze: str | None = None, title_rows: str | None = None) -> None:
    """Landscape, fit to page width, frozen headings."""
    if freeze:
        ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if title_rows:
        ws.print_title_rows = title_rows


def cell_style(cell: Cell, kind: str, number_format: str | None = None) -> None:
    """Give a cell one of the workbook's named styles (registered on first use).

    Named styles are set once per workbook rather than per cell, which keeps writing
    large workbooks fast. Kinds: ``input`` (yellow, blue figures), ``calc``, ``total``,
    ``value`` and ``note``.
    """
    fmt = number_format or "General"
    name = f"{kind} {fmt}"
    wb = cell.parent.parent
    try:
        done = _applied[wb]
    except KeyError:
        done = _applied[wb] = {}
    ids = done.get(name)
    if ids is not None:
        # Copying the style ids of a cell already styled is openpyxl's own idiom for
        # copying styles, and avoids looking the named style up for every cell.
        cell._style = StyleArray(ids)
        return
    if name not in wb.named_styles:
        style = NamedStyle(name=name, number_format=fmt)
        if kind == "input":
            style.fill, style.font = INPUT_FILL, INPUT_FONT
        elif kind == "total":
            style.font, style.border = BOLD, TOTAL_BORDER
        elif kind == "note":
            style.font = NOTE
        wb.add_named_style(style)
    cell.style = name
    done[name] = copy(cell._style)


_applied: WeakKeyDictionary = WeakKeyDictionary()  # workbook -> style name -> style ids
_look_ids: WeakKeyDictionary = WeakKeyDictionary()  # workbook -> (attribute, id) -> (id, look)
