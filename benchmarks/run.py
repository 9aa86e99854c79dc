"""Speed and memory of the tool, against the targets written beside each measure.

Run with `make bench` (or `python benchmarks/run.py`). Prints a Markdown report; the
latest figures are kept in benchmarks/README.md. Timings are medians of repeated runs on
whatever machine runs this, so compare ratios, not seconds, across machines.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "assumptions" / "stoke-on-trent-2019"
sys.path.insert(0, str(ROOT))

TARGETS = {
    # forecast run within 2.5x the bare import of numpy+pandas+openpyxl (issue 10: the run
    # now also stores every formula's value and publishes its outputs as one set)
    "run_vs_import": 2.5,
    "mc_10k_seconds": 1.0,  # 10,000 draws of one scenario in under 1 s of engine time
    "mc_10k_megabytes": 500.0,  # ... and under 500 MB
}


def _median_wall(cmd: list[str], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _scenario(horizon: int = 5):
    from forecasting.loading import iter_params, load_scenario
    from forecasting.schema import Param

    a = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml").assumptions
    if horizon != a.timeline.horizon_years:
        a = a.model_copy(deep=True)
        a.timeline.horizon_years = horizon
        for _, p in iter_params(a):
            if isinstance(p, Param) and p.value is None and p.values:
                p.value = list(p.values.values())[-1]  # later years repeat the last figure
    return a


def _engine_seconds(a, draws: int, repeats: int = 3) -> float:
    from forecasting.uncertainty import simulate

    simulate("warm-up", a, 10, 1)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        simulate("bench", a, draws, 1)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    python = sys.executable
    forecast = str(Path(python).with_name("forecast"))
    imports = _median_wall([python, "-c", "import numpy, pandas, openpyxl"])
    with tempfile.TemporaryDirectory() as out:
        run_default = _median_wall([forecast, "run", str(BUNDLED), "--out", out])
        run_central = _median_wall([forecast, "run", str(BUNDLED), "--out", out, "--draws", "0"])
    a = _scenario()
    mc = _engine_seconds(a, 10_000)
    from forecasting.uncertainty import simulate

    tracemalloc.start()
    simulate("memory", a, 10_000, 1)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()

    ok = {True: "met", False: "NOT met"}
    ratio = run_default / imports
    print("| measure | result | target | |")
    print("|---|---|---|---|")
    print(f"| bare import of numpy + pandas + openpyxl | {imports:.2f} s | (baseline) | |")
    print(
        f"| `forecast run` on the bundled set (8 scenarios, 1,000 draws, 3 workbooks) | "
        f"{run_default:.2f} s = {ratio:.1f}x import | <= {TARGETS['run_vs_import']:.1f}x "
        f"import | {ok[ratio <= TARGETS['run_vs_import']]} |"
    )
    print(
        f"| `forecast run --draws 0` | {run_central:.2f} s = {run_central / imports:.1f}x "
        f"import | (for comparison) | |"
    )
    print(
        f"| 10,000 Monte Carlo draws, one scenario, engine time | {mc:.3f} s | < "
        f"{TARGETS['mc_10k_seconds']:.0f} s | {ok[mc < TARGETS['mc_10k_seconds']]} |"
    )
    print(
        f"| 10,000 draws, peak memory allocated (tracemalloc) | {peak_mb:.0f} MB | < "
        f"{TARGETS['mc_10k_megabytes']:.0f} MB | {ok[peak_mb < TARGETS['mc_10k_megabytes']]} |"
    )
    print()
    print("Engine time (s) by draws and horizon, one scenario:")
    print()
    horizons = [5, 10, 20, 30]
    print("| draws | " + " | ".join(f"{h} years" for h in horizons) + " |")
    print("|---|" + "---|" * len(horizons))
    sets = {h: _scenario(h) for h in horizons}
    for draws in (1_000, 10_000, 100_000):
        cells = [f"{_engine_seconds(sets[h], draws, repeats=1):.3f}" for h in horizons]
        print(f"| {draws:,} | " + " | ".join(cells) + " |")
    met = [
        ratio <= TARGETS["run_vs_import"],
        mc < TARGETS["mc_10k_seconds"],
        peak_mb < TARGETS["mc_10k_megabytes"],
    ]
    return 0 if all(met) else 1  # a target missed fails `make bench`


if __name__ == "__main__":
    sys.exit(main())
