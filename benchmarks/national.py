"""The national dataset: how long loading the extract adds to a command, and whether a set
generated for every council as at a year validates and runs (and how fast).

Run with `python benchmarks/national.py [AS_AT ...]` (default 2019). Prints a Markdown
report; the latest figures are kept in benchmarks/README.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {
    "load_seconds": 0.2,  # loading the extract adds under 0.2 s to a command
    "run_seconds": 2.0,  # each generated set runs (all scenarios, central case) within 2 s
}


def load_time(repeats: int = 7) -> tuple[float, float]:
    """Median seconds to read the extract once pandas is imported, and to import pandas."""
    code = (
        "import time; t=time.perf_counter(); import pandas; t1=time.perf_counter();"
        "from forecasting.national.dataset import load_extract; load_extract();"
        "print(t1-t, time.perf_counter()-t1)"
    )
    loads, imports = [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout.split()
        imports.append(float(out[0]))
        loads.append(float(out[1]))
    return statistics.median(loads), statistics.median(imports)


def every_council(as_at: int) -> dict:
    """Generate, validate and run a set for every council in the dataset as at ``as_at``."""
    from forecasting.errors import InputError
    from forecasting.loading import load
    from forecasting.national import dataset
    from forecasting.national.newset import generate
    from forecasting.run import forecast

    ok, refused, crashed, gen_t, run_t = 0, [], [], [], []
    for c in dataset.councils():
        try:
            t = time.perf_counter()
            new = generate(str(c.code), as_at)
            t1 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                for name, text in new.files.items():
                    (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
                    (Path(tmp) / name).write_text(text, encoding="utf-8")
                load(Path(tmp))
                t2 = time.perf_counter()
                forecast(Path(tmp))
                t3 = time.perf_counter()
            gen_t.append(t1 - t)
            run_t.append(t3 - t2)
            ok += 1
        except InputError as e:
            refused.append(f"{c.name} ({c.code}): {e.problems[0].message[:90]}")
        except Exception as e:  # noqa: BLE001 - a benchmark reports, it does not stop
            crashed.append(f"{c.name} ({c.code}): {type(e).__name__}: {e}")
    return {
        "as_at": as_at,
        "councils": len(dataset.councils()),
        "ok": ok,
        "refused": refused,
        "crashed": crashed,
        "gen_median": statistics.median(gen_t) if gen_t else 0.0,
        "run_median": statistics.median(run_t) if run_t else 0.0,
        "run_max": max(run_t) if run_t else 0.0,
    }


def main(years: list[int]) -> None:
    load, imp = load_time()
    verdict = "met" if load < TARGETS["load_seconds"] else "NOT met"
    print("| measure | result | target | |")
    print("|---|---|---|---|")
    print(f"| import pandas (paid by any command that loads the extract) | {imp:.2f} s | | |")
    print(f"| load the national extract, pandas imported | {load:.3f} s | < 0.2 s | {verdict} |")
    for y in years:
        r = every_council(y)
        v = "met" if r["run_max"] < TARGETS["run_seconds"] else "NOT met"
        print(
            f"| as at {y}: councils whose set generates, validates and runs | {r['ok']} of "
            f"{r['councils']} ({len(r['refused'])} refused with exit 2, {len(r['crashed'])} "
            "crashed) | all the data support | |"
        )
        print(f"| as at {y}: generate a set, median | {r['gen_median']:.2f} s | | |")
        print(
            f"| as at {y}: run a set (central case, all scenarios), median / max | "
            f"{r['run_median']:.2f} s / {r['run_max']:.2f} s | < 2 s each | {v} |"
        )
        for line in r["refused"] + r["crashed"]:
            print(f"<!-- {y}: {line} -->")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2019])
