"""The front of each workbook: a summary that prints on one landscape page, in plain words,
and an "About this run" sheet with what produced it.

The summary holds the few figures its audience needs first, a chart, and the key messages;
the metadata a reader rarely needs (versions, the inputs hash, the run date) and the guide
to the other sheets are on "About this run".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ..loading import Scenario
from ..years import workbook_label
from .styles import BOLD, LINE_HEIGHT, TITLE, WRAP, header_row, page_setup, set_widths, text

if TYPE_CHECKING:
    from ..run import Run

SUMMARY = "Summary"
ABOUT = "About this run"
GBP_M_PROSE = '"£"#,##0.0,,"m";"−£"#,##0.0,,"m";"nil"'
FIGURE_FONT = Font(bold=True, size=16, color="1F3864")
NOTE_FONT = Font(italic=True, color="595959", size=9)
AUDIT_FONT = Font(color="808080", size=8)
# Wrapped text: about this many characters fit on a line per unit of column width.
CHARS_PER_WIDTH = 1.1
CHART_ROWS = 22  # rows of the default height that the summary chart covers


@dataclass
class Figure:
    """One headline number on a summary page: what it is, its value and one line of context."""

    label: str
    value: float | str
    note: str = ""
    number_format: str = GBP_M_PROSE


def fit_rows(ws: Worksheet, row: int, chars: int, width: float) -> None:
    """Make a row tall enough for wrapped text of ``chars`` characters in ``width``."""
    lines = max(1, -(-chars // max(1, int(width * CHARS_PER_WIDTH))))
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, LINE_HEIGHT * lines)


def summary_page(
    wb: Workbook,
    title: str,
    subtitle: str,
    figures: list[Figure],
    messages: list[str],
    chart=None,
) -> tuple[Worksheet, int]:
    """The first sheet: title, the headline figures, the key messages and a chart, set to
    print on one landscape page. Returns the sheet and its next free row."""
    ws = wb.create_sheet(SUMMARY, 0)
    widths = {1: 40, 2: 16, 3: 52}
    set_widths(ws, {**widths, 4: 2})
    text(ws.cell(1, 1), title).font = TITLE
    text(ws.cell(2, 1), subtitle).font = NOTE_FONT
    r = 4
    for f in figures:
        text(ws.cell(r, 1), f.label).alignment = WRAP
        c = ws.cell(r, 2) if not isinstance(f.value, str) else text(ws.cell(r, 2), f.value)
        if not isinstance(f.value, str):
            c.value = float(f.value)
            c.number_format = f.number_format
        c.font = FIGURE_FONT
        c.alignment = Alignment(horizontal="right", vertical="top")
        text(ws.cell(r, 3), f.note).alignment = WRAP
        ws.cell(r, 3).font = NOTE_FONT
        fit_rows(ws, r, max(len(f.label) * widths[3] // widths[1], len(f.note)), widths[3])
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height, 24)
        r += 1
    if messages:
        r += 1
        text(ws.cell(r, 1), "In plain words").font = BOLD
        for line in messages:
            r += 1
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
            text(ws.cell(r, 1), line).alignment = WRAP
            fit_rows(ws, r, len(line), sum(widths.values()))
    if chart is not None:
        chart.height, chart.width = 10, 17
        ws.add_chart(chart, "E4")
    one_page(ws)
    return ws, r + 2


def one_page(ws: Worksheet) -> None:
    """Print the sheet on a single landscape A4 page, without gridlines on screen."""
    page_setup(ws)
    ws.page_setup.fitToHeight = 1
    ws.sheet_view.showGridLines = False


def input_hash(scenarios: list[Scenario]) -> str:
    """SHA-256 over every input file of every scenario: the same hash, the same inputs."""
    h = hashlib.sha256()
    for s in scenarios:
        h.update(s.input_hash().encode())
    return h.hexdigest()


def about_sheet(wb: Workbook, run: Run, audience: str, how_to_read: list[str]) -> Worksheet:
    """What produced the workbook, every scenario with its title and description, and how
    to read the other sheets."""
    ws = wb.create_sheet(ABOUT)
    first = run.scenarios[0].assumptions
    years = run.projections[0].years
    rows = [
        ("Council", first.council.name),
        ("Assumption set", first.council.assumption_set),
        ("Assumptions as at", first.council.as_at),
        (
            "Years",
            f"{workbook_label(years[0])} (actual) to {workbook_label(years[-1])} (forecast)",
        ),
        ("For", audience),
        ("Sign convention", "Deficits and overspends are positive; negatives are in brackets."),
        ("Units", "Money in £000 unless the heading says otherwise; the cells hold pounds."),
        ("Tool version", f"council-forecasting {run.version}"),
        ("Run date", run.run_date),
        ("Inputs hash (SHA-256)", input_hash(run.scenarios)),
    ]
    text(ws.cell(1, 1), "About this run").font = TITLE
    for i, (k, v) in enumerate(rows, start=3):
        text(ws.cell(i, 1), k).font = BOLD
        text(ws.cell(i, 2), v).alignment = WRAP
    r = len(rows) + 4
    text(ws.cell(r, 1), "Scenarios").font = BOLD
    r += 1
    header_row(ws, r, ["Scenario", "What it assumes", "File name"])
    for s in run.scenarios:
        r += 1
        text(ws.cell(r, 1), s.label).alignment = WRAP
        text(ws.cell(r, 2), s.description).alignment = WRAP
        text(ws.cell(r, 3), s.name).font = AUDIT_FONT
        fit_rows(ws, r, len(s.description), 100)
    r += 2
    text(ws.cell(r, 1), "How to read this workbook").font = BOLD
    for line in how_to_read:
        r += 1
        text(ws.cell(r, 2), line).alignment = WRAP
        fit_rows(ws, r, len(line), 100)
    set_widths(ws, {1: 30, 2: 100, 3: 24})
    one_page_wide(ws)
    return ws


def one_page_wide(ws: Worksheet) -> None:
    """Landscape, as many pages down as needed, one page across."""
    one_page(ws)
    ws.page_setup.fitToHeight = 0


def scenario_labels(run: Run) -> dict[str, str]:
    """Each scenario's title by its name, for tables and chart legends."""
    return {s.name: s.label for s in run.scenarios}
