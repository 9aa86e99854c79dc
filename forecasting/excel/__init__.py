"""Workbook writers, one module per audience; they render results, never re-decide them."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
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


_HELD = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal to receive when the parent dies


def _die_with_parent(parent: int) -> None:
    """Worker start-up: ask Linux to send SIGTERM when the parent dies, die on SIGTERM, and
    leave Ctrl-C (sent to the whole process group) to the parent, which then stops the
    worker; so no rendering worker outlives an interrupted or killed run."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held by the parent while it forked
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent's cleanup
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


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
def finance_model_in_background(run: Run) -> Iterator[Callable[[], bytes]]:
    """Start rendering the finance model (the largest workbook, which needs only the central
    projections) and yield a function that waits for its bytes.

    Where the platform forks and there is a second core it is rendered in a forked process
    while the caller goes on (with the Monte Carlo draws, say); elsewhere when asked for.
    The worker is stopped if the caller fails or is interrupted, and dies with its parent.
    """
    global _RUN
    _RUN = run
    try:
        if "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1:
            pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
            try:
                # the worker is forked here; signals wait until it has set its own handlers
                if hasattr(signal, "pthread_sigmask"):
                    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
                    try:
                        future = pool.submit(_finance)
                    finally:
                        signal.pthread_sigmask(signal.SIG_SETMASK, before)
                else:  # pragma: no cover
                    future = pool.submit(_finance)
                yield future.result
            except BaseException:
                _stop(pool)
                raise
            pool.shutdown(wait=True)
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
