"""Worker processes that end with the run: the forked processes that render workbooks and
build a backtest's sets stop quietly when the run stops, and never outlive it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

HELD = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal to receive when the parent dies


def die_with_parent(parent: int) -> None:
    """Worker start-up: ask Linux to send SIGTERM when the parent dies, die on SIGTERM
    (quietly, without the parent's clean-up handler), and leave Ctrl-C (sent to the whole
    process group) to the parent, which then stops the worker; so no worker outlives an
    interrupted or killed run, or prints a traceback when the parent ends it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held by the parent while it forked
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent's cleanup
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


@contextmanager
def signals_held() -> Iterator[None]:
    """Fork workers inside this: Ctrl-C and SIGTERM wait until each worker has set its own
    handlers (``die_with_parent``) instead of reaching it with the parent's."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
