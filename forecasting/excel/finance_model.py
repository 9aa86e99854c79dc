"""finance-model.xlsx: every line of both models for every scenario (finance officers)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from .styles import UNIT_FORMAT, header_row, page_setup, sheet_title, text


def finance_model(run) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for proj in run.projections:
        ws = wb.create_sheet(sheet_title(proj.scenario, taken))
        header_row(ws, 1, ["Line", "Measure", "Unit", *[y.replace("-", "/") for y in proj.years]])
        for r, line in enumerate(proj.lines.values(), start=2):
            text(ws.cell(r, 1), line.label)
            text(ws.cell(r, 2), f"{line.area}.{line.measure}")
            text(ws.cell(r, 3), line.unit)
            for c, v in enumerate(line.values[0], start=4):
                ws.cell(r, c, float(v)).number_format = UNIT_FORMAT.get(line.unit, "General")
        page_setup(ws, freeze="D2")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
