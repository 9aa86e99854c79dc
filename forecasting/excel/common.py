"""Sheets every workbook shares, by job: the Checks sheet (:mod:`.checks`), engine figures
as values (:mod:`.values`), the Assumptions and sources sheet (:mod:`.assumptions`), charts
(:mod:`.charts`), the What it takes sheet (:mod:`.what_it_takes`) and titled sheets, their
order and the saved file (:mod:`.sheets`). Their names stay importable from here."""

from __future__ import annotations

from .assumptions import assumptions_sheet
from .charts import breakdown, charts_sheet, line_chart, stacked_chart
from .checks import (
    COUNT_TOLERANCE,
    Check,
    calibration_notes,
    checks_sheet,
    master_check,
    total_checks,
)
from .sheets import arrange, titled, to_bytes
from .values import engine_sheet, values_sheet
from .what_it_takes import what_it_takes_sheet

__all__ = [
    "COUNT_TOLERANCE",
    "Check",
    "arrange",
    "assumptions_sheet",
    "breakdown",
    "calibration_notes",
    "charts_sheet",
    "checks_sheet",
    "engine_sheet",
    "line_chart",
    "master_check",
    "stacked_chart",
    "titled",
    "to_bytes",
    "total_checks",
    "values_sheet",
    "what_it_takes_sheet",
]
