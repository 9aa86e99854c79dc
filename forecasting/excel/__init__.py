"""Workbook writers, one module per audience; they render results, never re-decide them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..run import Run


def workbooks(run: Run) -> dict[str, bytes]:
    """Every workbook of a run as bytes, keyed by file name."""
    from .cabinet import cabinet_workbook
    from .finance_model import finance_model
    from .forum import forum_workbook

    return {
        "finance-model.xlsx": finance_model(run),
        "schools-forum-dsg.xlsx": forum_workbook(run),
        "cabinet-scenarios.xlsx": cabinet_workbook(run),
    }
