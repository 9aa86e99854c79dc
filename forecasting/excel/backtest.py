"""backtest.xlsx: how good the forecasts were, by measure and horizon, with a sheet for each
chosen council showing its forecast, band and outturns."""

from __future__ import annotations

from io import BytesIO
from typing import cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel

from ..backtest import BASELINE_LABELS, BASELINES, pooled_coverage, summary
from .styles import BOLD


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book."""
    clean = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "council"
    title, k = clean, 2
    while title in taken:
        title, k = f"{clean[:26]} {k}", k + 1
    taken.add(title)
    return title


def _summary_sheet(ws, frame: pd.DataFrame) -> None:
    s = summary(frame)
    ws.append(["How good the forecasts were: pooled over councils and vintages"])
    ws["A1"].font = BOLD
    ws.append(
        [
            "Mean absolute error: % of the outturn for counts and money, percentage points "
            "for the DSG balance share. Bias: mean signed error (positive: forecast too high)."
        ]
    )
    ws.append([])
    head = [
        "measure",
        "horizon (years)",
        "outturns",
        "model",
        *(BASELINE_LABELS[k] for k in BASELINES),
        "model bias",
        "P10-P90 coverage",
    ]
    ws.append(head)
    for c in ws[4]:
        c.font = BOLD
    first = ws.max_row + 1
    for r in s.itertuples():
        # pandas' stubs type each field as any scalar; these columns are floats
        model, bias, coverage = cast(tuple[float, float, float], (r.model, r.bias, r.coverage))
        ws.append(
            [
                r.measure,
                r.horizon,
                r.n,
                round(model, 2),
                *(round(getattr(r, k), 2) for k in BASELINES),
                round(bias, 2),
                round(coverage, 3),
            ]
        )
        ws.cell(ws.max_row, len(head)).number_format = "0%"
    last = ws.max_row
    ws.append([])
    ws.append(["P10-P90 coverage, pooled over horizons 1-4", round(pooled_coverage(frame), 3)])
    ws.cell(ws.max_row, 2).number_format = "0.0%"
    ws.column_dimensions["A"].width = 26
    for col in "BCDEFGHIJ":
        ws.column_dimensions[col].width = 14
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
        for ser, name in zip(chart.series, head[3 : 4 + len(BASELINES)], strict=True):
            ser.tx = SeriesLabel(v=name)
        chart.set_categories(Reference(ws, min_col=2, min_row=rows[0], max_row=rows[-1]))
        chart.height, chart.width = 7.5, 15
        ws.add_chart(chart, f"L{anchor_row}")
        anchor_row += 16


def _council_sheet(ws, frame: pd.DataFrame, name: str) -> None:
    ws.append([f"{name}: forecasts from each vintage against the published outturn"])
    ws["A1"].font = BOLD
    ws.append([])
    head = ["measure", "as at", "year", "horizon", "outturn", "forecast", "P10", "P90"]
    head += [BASELINE_LABELS[k] for k in BASELINES]
    ws.append(head)
    for c in ws[3]:
        c.font = BOLD
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
    ws.column_dimensions["A"].width = 24


def workbook(frame: pd.DataFrame, chosen: list[str]) -> bytes:
    """The backtest workbook: a summary sheet and one sheet per chosen council (by name)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _summary_sheet(ws, frame)
    taken = {"Summary"}
    for name in chosen:
        part = frame[frame["council"] == name]
        if not part.empty:
            _council_sheet(wb.create_sheet(_sheet_title(name, taken)), part, name)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
