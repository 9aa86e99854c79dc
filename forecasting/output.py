"""Writing outputs whole or not at all.

Every file of a run is first written to a temporary name beside its destination; only
when all are written are they renamed into place, so a failed or interrupted run leaves
the previous outputs as they were.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem
from .results import COLUMNS, Record


def results_csv(records: list[Record]) -> bytes:
    """results.csv bytes: the contract's columns, Unix newlines, fixed float text, so the
    same inputs and seed always give the same bytes."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows((s, a, m, y, f"{v:.6f}", u) for s, a, m, y, v, u in records)
    return buf.getvalue().encode("utf-8")


def write_all(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``{name: bytes}`` into ``out_dir`` atomically as a set; returns the paths.

    A folder that cannot be made or written to is reported as bad usage (exit code 2).
    """
    try:
        return _write_all(out_dir, files)
    except (FileExistsError, NotADirectoryError):
        raise InputError(Problem(str(out_dir), None, "--out", "is a file, not a folder")) from None
    except PermissionError as e:
        raise InputError(
            Problem(str(out_dir), None, "--out", f"cannot write here ({e.strerror})")
        ) from None


def _write_all(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            staged.append((name, Path(tmp)))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    written = []
    for name, tmp in staged:
        os.replace(tmp, out_dir / name)
        written.append(out_dir / name)
    return written
