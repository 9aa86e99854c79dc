"""backtest.xlsx: how good the forecasts were, by measure and horizon, with a sheet for each
chosen council showing its forecast, band and outturns."""

from __future__ import annotations

from io import BytesIO
from typing import cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment

from ..backtest import (
    BASELINE_LABELS,
    BASELINES,
    SHARES,
    pooled_coverage,
    pooled_horizon,
    summary,
)
from .styles import BOLD, COUNT, LINE_HEIGHT, header_row, page_setup, set_widths

CENTRE = Alignment(horizontal="center")


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "council"
    title, k = clean, 2
    while title in taken:
        title, k = f"{clean[:26]} {k}", k + 1
    taken.add(title)
    return title


def _heading(ws, row: int, head: list[str]) -> None:
    """The column headings on ``row``, styled and wrapped as in the other workbooks."""
    header_row(ws, row, head)
    ws.row_dimensions[row].height = 2.2 * LINE_HEIGHT


def _scores(ws, frame: pd.DataFrame, title: str, by_vintage: bool) -> tuple[int, int]:
    """The error table (``backtest.summary``, pooled or vintage by vintage) under a title and
    its note, headings on row 4; returns its first and last rows."""
    s = summary(frame, by_vintage=by_vintage)
    ws.append([title])
    ws["A1"].font = BOLD
    ws.append(
        [
            "Mean absolute error: % of the outturn for counts and money, percentage points "
            "for the DSG balance share. Bias: mean signed error (positive: forecast too high). "
            "Best baseline: the one with the lowest error in the row."
        ]
    )
    ws.append([])
    head = [
        "measure",
        *(["as at"] if by_vintage else []),
        "horizon (years)",
        "outturns",
        "model",
        *(BASELINE_LABELS[k] for k in BASELINES),
        "best baseline",
        "model bias",
        "P10-P90 coverage",
        "model beat every baseline",
    ]
    _heading(ws, 4, head)
    for r in s.itertuples():
        # pandas' stubs type each field as any scalar; these columns are floats
        model, bias, coverage = cast(tuple[float, float, float], (r.model, r.bias, r.coverage))
        ws.append(
            [
                r.measure,
                *([r.as_at] if by_vintage else []),
                r.horizon,
                r.n,
                round(model, 2),
                *(round(getattr(r, k), 2) for k in BASELINES),
                BASELINE_LABELS[str(r.best)],
                round(bias, 2),
                round(coverage, 3),
                "yes" if r.won else "no",
            ]
        )
        ws.cell(ws.max_row, len(head) - 1).number_format = "0%"
        ws.cell(ws.max_row, len(head)).alignment = CENTRE
    # the measure, the best baseline's name, then the figures
    set_widths(ws, {1: 26, **{i: 14 for i in range(2, len(head) + 1)}, len(head) - 3: 20})
    page_setup(ws, freeze="B5", title_rows="4:4")
    return 5, 4 + len(s)


def _summary_sheet(ws, frame: pd.DataFrame) -> None:
    first, last = _scores(
        ws, frame, "How good the forecasts were: pooled over councils and vintages", False
    )
    ws.append([])
    h = pooled_horizon(frame)
    ws.append([f"P10-P90 coverage, horizons 1-{h}", round(pooled_coverage(frame, h), 3)])
    ws.cell(ws.max_row, 2).number_format = "0.0%"
    head = ["model", *(BASELINE_LABELS[k] for k in BASELINES)]
    # One chart per demand measure: error by horizon, model against each baseline.
    anchor_row = 4
    for measure in ("ehcp_total", "children_looked_after"):
        rows = [i for i in range(first, last + 1) if ws.cell(i, 1).value == measure]
        if not rows:
            continue
        chart = LineChart()
        chart.title = f"{measure}: mean absolute % error by horizon"
        chart.y_axis.title = "% of outturn"
        chart.x_axis.title = "years ahead"
        chart.add_data(
            Reference(ws, min_col=4, max_col=4 + len(BASELINES), min_row=rows[0], max_row=rows[-1])
        )
        for ser, name in zip(chart.series, head, strict=True):
            ser.tx = SeriesLabel(v=name)
        chart.set_categories(Reference(ws, min_col=2, min_row=rows[0], max_row=rows[-1]))
        chart.height, chart.width = 7.5, 15
        ws.add_chart(chart, f"N{anchor_row}")  # beside the table
        anchor_row += 16


def _vintage_sheet(ws, frame: pd.DataFrame) -> None:
    """The summary vintage by vintage: a pooled win can hide a vintage that lost."""
    _scores(
        ws, frame, "How good the forecasts were, vintage by vintage (pooled over councils)", True
    )


def _council_sheet(ws, frame: pd.DataFrame, name: str) -> None:
    ws.append([f"{name}: forecasts from each vintage against the published outturn"])
    ws["A1"].font = BOLD
    ws.append([])
    head = ["measure", "as at", "year", "horizon", "outturn", "forecast", "P10", "P90"]
    head += [BASELINE_LABELS[k] for k in BASELINES]
    _heading(ws, 3, head)
    anchor = 3
    for (measure, as_at), g in frame.groupby(["measure", "as_at"], sort=True):
        start = ws.max_row + 1
        for r in g.itertuples():
            ws.append(
                [
                    measure,
                    as_at,
                    r.year,
                    r.horizon,
                    r.actual,
                    r.forecast,
                    r.p10,
                    r.p90,
                    *(getattr(r, k) for k in BASELINES),
                ]
            )
            # counts and money to the unit; the DSG balance share as a percentage
            shown = "0.0%" if measure in SHARES else COUNT
            for cell in ws[ws.max_row][4:]:
                cell.number_format = shown
        end = ws.max_row
        chart = LineChart()
        chart.title = f"{measure}, as at {as_at}: outturn, forecast and P10-P90"
        chart.add_data(Reference(ws, min_col=5, max_col=8, min_row=start, max_row=end))
        for ser, label in zip(chart.series, ["outturn", "forecast", "P10", "P90"], strict=True):
            ser.tx = SeriesLabel(v=label)
        chart.set_categories(Reference(ws, min_col=3, min_row=start, max_row=end))
        chart.height, chart.width = 6, 12
        ws.add_chart(chart, f"N{anchor}")
        anchor += 13
    set_widths(ws, {1: 24, **{i: 13 for i in range(5, len(head) + 1)}})
    page_setup(ws, freeze="A4", title_rows="3:3")


def workbook(frame: pd.DataFrame, chosen: list[str]) -> bytes:
    """The backtest workbook: a summary sheet, the same vintage by vintage, and one sheet
    per chosen council (by name)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _summary_sheet(ws, frame)
    _vintage_sheet(wb.create_sheet("By vintage"), frame)
    taken = {"Summary", "By vintage"}
    for name in chosen:
        part = frame[frame["council"] == name]
        if not part.empty:
            _council_sheet(wb.create_sheet(_sheet_title(name, taken)), part, name)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
