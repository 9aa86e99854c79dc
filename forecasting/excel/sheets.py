"""Workbook scaffolding: a titled plain sheet, the reading order of the sheets, and the
saved file with every formula's value stored beside it."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .cached_values import results
from .grid import NOTE
from .saving import workbook_bytes
from .styles import TITLE, text


def titled(wb: Workbook, name: str, title: str, note: str) -> Worksheet:
    """A plain (non-timeline) sheet with its title and a line saying what it is."""
    ws = wb.create_sheet(name)
    text(ws.cell(1, 1), title).font = TITLE
    text(ws.cell(2, 1), note).font = NOTE
    return ws


def arrange(wb: Workbook, first: list[str]) -> None:
    """Put the named sheets first, in this order (reading order for the audience)."""
    for idx, name in enumerate(n for n in first if n in wb.sheetnames):
        ws = wb[name]
        wb.move_sheet(ws, offset=idx - wb.index(ws))


def to_bytes(wb: Workbook, order: list[str]) -> bytes:
    """The workbook, sheets in reading order, as the bytes of an .xlsx file, with every
    formula's value stored beside it for readers that do not recalculate."""
    arrange(wb, order)
    return workbook_bytes(wb, results(wb))
