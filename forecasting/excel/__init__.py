"""Workbook writers, one module per audience; they render results, never re-decide them."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..run import Run

_RUN: Run | None = None  # the run a forked worker renders (inherited, not pickled)


def _finance() -> bytes:
    from .finance_model import finance_model

    return finance_model(_RUN)


def workbooks(run: Run) -> dict[str, bytes]:
    """Every workbook of a run as bytes, keyed by file name.

    The finance model, the largest, is rendered in a forked process while this one
    renders the other two, where the platform forks and there is a second core.
    """
    from .cabinet import cabinet_workbook
    from .forum import forum_workbook

    global _RUN
    can_fork = "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1
    if not can_fork:
        _RUN = run
        try:
            finance = _finance()
        finally:
            _RUN = None
        return {
            "finance-model.xlsx": finance,
            "schools-forum-dsg.xlsx": forum_workbook(run),
            "cabinet-scenarios.xlsx": cabinet_workbook(run),
        }
    _RUN = run
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            finance = pool.submit(_finance)
            forum, cabinet = forum_workbook(run), cabinet_workbook(run)
            return {
                "finance-model.xlsx": finance.result(),
                "schools-forum-dsg.xlsx": forum,
                "cabinet-scenarios.xlsx": cabinet,
            }
    finally:
        _RUN = None
