"""Everything a run writes: results.csv and the three workbooks, rendered from one run.

The CLI calls ``produce`` and writes what it returns with ``output.write_all``; so can a
script. Nothing is written until every scenario has been read, validated, projected and
rendered, and then all files are written as one set.
"""

from __future__ import annotations

from pathlib import Path

from . import DEFAULT_SEED
from .excel import audience_workbooks, central_workbooks_in_background
from .output import results_csv
from .run import Run, forecast, with_uncertainty


def produce(
    path: Path,
    names: tuple[str, ...] = (),
    draws: int = 0,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
) -> tuple[Run, dict[str, bytes]]:
    """Forecast and render every output file. The Forum's workbook needs only the central
    projections, so it is rendered from the central run (in a second process where it can
    be) while the draws make the run with the range; the cabinet's workbook and the finance
    model are rendered from that run."""
    run = forecast(path, names)
    with central_workbooks_in_background(run) as central:
        if draws:
            run = with_uncertainty(run, draws, seed, progress)
        files = {"results.csv": results_csv(run.records), **audience_workbooks(run)}
        files.update({name: wait() for name, wait in central.items()})
    return run, files
