"""How long `forecast trend` takes on a long daily history (target: 10,000 points < 10 s).

Writes a synthetic daily series (a random walk with drift) to a temporary file and times
the command end to end, including Python start-up and imports, as a user would see it,
and the CPU time it used (steadier than elapsed time on a shared machine).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

SIZES = (1_000, 10_000)
TARGET_SECONDS = 10.0


def history(n: int, folder: Path) -> Path:
    rng = np.random.default_rng(1)
    values = 1000 + np.cumsum(rng.normal(0.5, 5, n))
    start = date(1990, 1, 1)
    path = folder / f"daily-{n}.csv"
    rows = (f"{(start + timedelta(days=i)).isoformat()},{v:.2f}\n" for i, v in enumerate(values))
    path.write_text("period,value\n" + "".join(rows))
    return path


def main() -> None:
    forecast = Path(sys.executable).with_name("forecast")
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            path = history(n, Path(tmp))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([str(forecast), "trend", str(path)], check=True, capture_output=True)
            took = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            verdict = "met" if took < TARGET_SECONDS else "NOT met"
            print(
                f"forecast trend, {n:>6,} daily points: {took:5.2f} s elapsed, {cpu:5.2f} s CPU "
                f"({verdict}: < {TARGET_SECONDS:.0f} s)"
            )


if __name__ == "__main__":
    main()
