"""Charts of the year columns: lines and stacked columns drawn from rows of the sheets,
and the sheet that holds them, one to a printed page."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from .grid import FIRST_COL, Grid
from .styles import page_setup


def line_chart(
    title: str,
    y_title: str,
    series: list[tuple[str, Worksheet, int]],
    years: int,
    header_ws: Worksheet,
) -> LineChart:
    """A line per (name, sheet, row) of money over the year columns."""
    ch = LineChart()
    ch.title, ch.y_axis.title, ch.x_axis.title = title, y_title, "Financial year"
    _plot(ch, series, years, header_ws, money=True)
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
