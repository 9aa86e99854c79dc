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


def _who(these: list[Scenario], every: list[Scenario]) -> str:
    """The scenarios a figure holds for, as the Scenario column says it: "all", the most
    common figure as "all but" the others, or the scenarios by name."""
    if len(these) == len(every):
        return "all"
    if 2 * len(these) > len(every):
        return "all but " + ", ".join(s.label for s in every if s not in these)
    return ", ".join(s.label for s in these)


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
    # each parameter's figures, grouped by the scenarios that share one (value and place)
    groups: dict[str, dict[tuple, tuple[Param | Flag, Loc | None, list[Scenario]]]] = {}
    for sc in run.scenarios:
        for path, prm in iter_params(sc.assumptions):
            if path[0] not in sections:
                continue
            dotted = ".".join(path)
            loc = sc.where(dotted)
            fingerprint = (
                prm.value,
                tuple((prm.values or {}).items()),
                getattr(prm, "low", None),
                getattr(prm, "high", None),
                prm.source,
                loc,
            )
            groups.setdefault(dotted, {}).setdefault(fingerprint, (prm, loc, []))[2].append(sc)
    r = 5
    for dotted, by_figure in groups.items():
        for prm, loc, who in by_figure.values():
            _param_row(ws, r, _who(who, run.scenarios), dotted, prm, loc, who[0])
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
