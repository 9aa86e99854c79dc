"""Workbook writers, one module per audience; they render results, never re-decide them."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..run import Run

FINANCE = "finance-model.xlsx"
_RUN: Run | None = None  # the run a forked worker renders (inherited, not pickled)


def _finance() -> bytes:
    from .finance_model import finance_model

    return finance_model(_RUN)


@contextmanager
def finance_model_in_background(run: Run) -> Iterator[Callable[[], bytes]]:
    """Start rendering the finance model (the largest workbook, which needs only the central
    projections) and yield a function that waits for its bytes.

    Where the platform forks and there is a second core it is rendered in a forked process
    while the caller goes on (with the Monte Carlo draws, say); elsewhere when asked for.
    """
    global _RUN
    _RUN = run
    try:
        if "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
                yield pool.submit(_finance).result
        else:
            yield _finance
    finally:
        _RUN = None


def audience_workbooks(run: Run) -> dict[str, bytes]:
    """The Schools' Forum and cabinet workbooks, as bytes keyed by file name."""
    from .cabinet import cabinet_workbook
    from .forum import forum_workbook

    return {
        "schools-forum-dsg.xlsx": forum_workbook(run),
        "cabinet-scenarios.xlsx": cabinet_workbook(run),
    }
