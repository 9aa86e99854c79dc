"""Writing outputs whole or not at all.

Every file of a run is first written to a temporary name beside its destination; only
when all are written are they renamed into place, so a failed or interrupted run leaves
the previous outputs as they were.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from .results import COLUMNS


def results_csv(results: pd.DataFrame) -> bytes:
    """results.csv bytes: fixed column order, Unix newlines, no index, stable float text."""
    buf = io.StringIO()
    results[COLUMNS].to_csv(buf, index=False, lineterminator="\n", float_format="%.6f")
    return buf.getvalue().encode("utf-8")


def write_all(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``{name: bytes}`` into ``out_dir`` atomically as a set; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            staged.append((name, Path(tmp)))
    except BaseException:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    written = []
    for name, tmp in staged:
        os.replace(tmp, out_dir / name)
        written.append(out_dir / name)
    return written
