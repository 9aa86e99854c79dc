"""Writing outputs whole or not at all, as a set.

The files of a run are written into a temporary folder beside their destination; only
when every one is complete are they swapped into place, each by an atomic rename, with
the earlier outputs kept aside until the last swap has succeeded. A failure at any point
(a folder where an output should go, a read-only file, a full disk) puts every earlier
output back byte for byte and removes the temporary folder. SIGTERM and SIGINT are held
off while the set is written and swapped, so an interruption leaves the old set or the
new one, never a mixture, and no temporary file. Files are created with the permissions
the user's umask gives (0644 under the usual 022), so others on a shared drive can read them.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, Problem
from .results import COLUMNS, Record

STAGING_PREFIX = ".forecast-staging-"
EARLIER = ".earlier"  # suffix, in the staging folder, of an earlier output kept aside
# A staging folder left by a run killed outright (SIGKILL, power loss) is removed by a later
# run once it is this old and its process is gone: no live run takes an hour to write.
STALE_SECONDS = 3600


def results_csv(records: Sequence[Record]) -> bytes:
    """results.csv bytes: the contract's columns, Unix newlines, fixed float text, so the
    same inputs and seed always give the same bytes."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows((s, a, m, y, f"{v:.6f}", u) for s, a, m, y, v, u in records)
    return buf.getvalue().encode("utf-8")


def write_all(out_dir: Path, files: dict[str, bytes], option: str = "--out") -> list[Path]:
    """Write ``{name: bytes}`` into ``out_dir`` as a set, all or nothing; returns the paths.

    Anything that stops the set being written (a folder that cannot be made or written to,
    an output name taken by a folder, a read-only output) is reported as bad usage naming
    ``option`` (exit code 2), and the folder is left as it was.
    """
    with _signals_held():
        try:
            return _publish(out_dir, files, option)
        except OSError as e:
            raise InputError(Problem(str(out_dir), None, option, _reason(e, out_dir))) from None


def _reason(e: OSError, out_dir: Path) -> str:
    if e.errno == errno.ELOOP or (os.path.islink(out_dir) and not out_dir.exists()):
        return "a symbolic link that loops or leads nowhere: cannot write here"
    if isinstance(e, (FileExistsError, NotADirectoryError)):
        return "is a file, not a folder"
    return f"cannot write here ({e.strerror or e})"


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT until the block ends: a signal that arrives meanwhile is noted
    and acted on (with the handler that was in place) once the set is whole.

    The process's signal handlers are swapped rather than the thread's signal mask, so a
    signal delivered to any other thread of the process is held as well.
    """
    import threading

    wanted = [signal.SIGINT, getattr(signal, "SIGTERM", signal.SIGINT)]
    if threading.current_thread() is not threading.main_thread():  # handlers: main only
        yield
        return
    pending: list[int] = []
    before = {s: signal.signal(s, lambda signum, frame: pending.append(signum)) for s in wanted}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(pending):
            signal.raise_signal(s)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(out_dir: Path, files: dict[str, bytes], option: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {name: out_dir / name for name in files}
    for name, target in targets.items():
        _check_replaceable(target, name, option)
    _remove_stale(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    try:
        os.chmod(staging, 0o700)
        mode = 0o666 & ~_umask()
        for name, data in files.items():
            _write_file(staging / name, data, mode)
        swapped: list[tuple[str, bool]] = []  # name, whether an earlier output was kept aside
        try:
            for name, target in targets.items():
                had = os.path.lexists(target)
                if had:
                    _keep_aside(target, staging / f"{name}{EARLIER}")
                swapped.append((name, had))
                os.replace(staging / name, target)
        except BaseException:
            _roll_back(swapped, targets, staging)
            raise
        return list(targets.values())
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_stale(out_dir: Path) -> None:
    """Remove staging folders of runs that were killed before they could clean up."""
    for entry in out_dir.glob(f"{STAGING_PREFIX}*"):
        try:
            pid = int(entry.name[len(STAGING_PREFIX) :].split("-", 1)[0])
            old = time.time() - entry.lstat().st_mtime > STALE_SECONDS
        except (ValueError, OSError):
            continue
        if old and entry.is_dir() and not entry.is_symlink() and not _running(pid):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no way to ask
        return True
    return True


def _check_replaceable(target: Path, name: str, option: str) -> None:
    """Refuse, before anything is written, an output that cannot or must not be replaced."""
    try:
        st = target.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        raise InputError(
            Problem(str(target), None, option, f"is a folder where the output {name} should go")
        )
    if stat.S_ISREG(st.st_mode) and not st.st_mode & stat.S_IWUSR:
        raise InputError(
            Problem(
                str(target),
                None,
                option,
                "is read-only, so it is not replaced (make it writable to allow a new run)",
            )
        )


def _write_file(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, mode)  # exact, whatever the file system's defaults


def _keep_aside(target: Path, backup: Path) -> None:
    """Keep the earlier output under ``backup``: a second link to it where the file system
    allows, so the output's name never goes missing, else by moving it."""
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        os.replace(target, backup)


def _roll_back(swapped: list[tuple[str, bool]], targets: dict[str, Path], staging: Path) -> None:
    """Put back every earlier output already swapped out; remove new ones that had none."""
    for name, had in reversed(swapped):
        target = targets[name]
        try:
            if had:
                os.replace(staging / f"{name}{EARLIER}", target)
            elif os.path.lexists(target):
                os.unlink(target)
        except OSError:  # pragma: no cover - the folder went away under us
            pass
