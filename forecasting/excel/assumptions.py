"""The Assumptions and sources sheet: every figure the forecast starts from, with its unit,
basis, source, file and line, and each scenario's overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..loading import iter_params
from ..schema import Flag, Param
from ..years import workbook_label
from .front import AUDIT_FONT
from .labels import param_label
from .sheets import titled
from .styles import WRAP, cell_at, header_row, look, page_setup, set_widths, text

if TYPE_CHECKING:
    from ..loading import Scenario
    from ..run import Run
    from ..yamlfile import Loc


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
            _param_row(
                ws, r, s.label if s is not base else "all (unless overridden)", dotted, p, loc, s
            )
            r += 1
    widths = {1: 24, 2: 58, 3: 13, 4: 40, 5: 10, 6: 10, 7: 9, 8: 10, 9: 80, 10: 42, 11: 6, 12: 40}
    set_widths(ws, widths)
    ws.auto_filter.ref = f"A4:L{max(r - 1, 5)}"
    page_setup(ws, freeze="C5", title_rows="4:4")
    return ws


def _param_row(
    ws: Worksheet, r: int, who: str, dotted: str, p: Param | Flag, loc: Loc | None, s: Scenario
) -> None:
    """One input on the sheet: the scenario it belongs to (``who``), its label, value (or
    yes/no), values by year, range, unit, basis, source, and the file, line and path it was
    read from."""
    values = "; ".join(
        f"{workbook_label(y)}: {v:g}" if isinstance(v, float) else f"{workbook_label(y)}: {v}"
        for y, v in (p.values or {}).items()
    )
    row = [who, param_label(dotted, s.assumptions)]
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
    look(cell_at(ws, r, 9), alignment=WRAP)
    look(text(cell_at(ws, r, 12), dotted), font=AUDIT_FONT)  # the path, for audit
