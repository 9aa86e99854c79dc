"""Workbook writers, one module per audience; they render results, never re-decide them."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..workers import die_with_parent, signals_held

if TYPE_CHECKING:
    from ..run import Run

FINANCE = "finance-model.xlsx"
FORUM = "schools-forum-dsg.xlsx"
CABINET = "cabinet-scenarios.xlsx"
_RUN: Run | None = None  # the run a forked worker renders (inherited, not pickled)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a workbook is rendered, and restore it after.

    A workbook is some hundred thousand small objects (cells, their style ids, formulas
    being evaluated), all alive until it is saved; the collector would otherwise go over
    them, and over everything the run holds, again and again as they are made (about a
    sixth of the finance model's time) only to find nothing to free. Objects without cycles
    are still freed as usual; the workbooks themselves once the collector runs again."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _forum() -> bytes:
    assert _RUN is not None  # set before any workbook is rendered
    with _collector_paused():  # from the imports on (pandas), all made in the worker
        from .forum import forum_workbook

        return forum_workbook(_RUN)


# A workbook that needs only the central projections (not the Monte Carlo percentiles), and
# can therefore be rendered in a second process while this one draws and renders the rest:
# the Forum's, the slowest (it reads the national dataset). One worker, since a second
# would contend for the same two cores.
CENTRAL = {FORUM: _forum}


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the worker now (the run was interrupted or failed): terminate, then reap it."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():  # pragma: no cover - ignored SIGTERM
            p.kill()
            p.join(timeout=5)
    pool.shutdown(wait=True, cancel_futures=True)  # its threads see the worker gone and end


@contextmanager
def central_workbooks_in_background(run: Run) -> Iterator[dict[str, Callable[[], bytes]]]:
    """Start rendering the workbooks of ``CENTRAL`` and yield, for each file name, a
    function that waits for its bytes.

    Where the platform forks and there is a second core each is rendered in a forked
    process while the caller goes on (with the Monte Carlo draws, say); elsewhere when
    asked for. The workers are stopped if the caller fails or is interrupted, and die with
    their parent.
    """
    global _RUN
    _RUN = run
    try:
        if "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1:
            pool = ProcessPoolExecutor(
                len(CENTRAL),
                mp_context=multiprocessing.get_context("fork"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
            try:
                # the workers are forked here; signals wait until they have set their handlers
                with signals_held():
                    futures = {name: pool.submit(job) for name, job in CENTRAL.items()}
                yield {name: f.result for name, f in futures.items()}
            except BaseException:
                _stop(pool)
                raise
            pool.shutdown(wait=True)
        else:
            yield dict(CENTRAL)
    finally:
        _RUN = None


def audience_workbooks(run: Run) -> dict[str, bytes]:
    """The workbooks rendered in the run's own process (the cabinet's, which needs the Monte
    Carlo percentiles, and the finance model), as bytes keyed by file name."""
    with _collector_paused():  # from the imports (openpyxl) on
        from .cabinet import cabinet_workbook
        from .finance_model import finance_model

        return {CABINET: cabinet_workbook(run), FINANCE: finance_model(run)}
