"""Monte Carlo over ranged assumptions, percentiles of the headline measures, and the
sensitivity of the final position to each assumption (a tornado).

Each ranged parameter is drawn from a PERT distribution on ``low``..``high`` with its
``value`` as the most likely figure (see docs/decisions.md). Every parameter has its own
random stream seeded from the run's seed and its path, so a scenario that shares a
parameter with another sees the same draws (common random numbers) and a given seed
always gives the same results. The engine evaluates a whole block of draws at once.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from .engine import project
from .inputs import draws_stated_years
from .loading import Scenario, iter_params
from .projection import Projection
from .results import Record, rounded
from .schema import AssumptionSet, Param, Rate, YearlyShock
from .years import Timeline

# A drawn yearly rate is kept above -100% (a count or a price cannot fall below nil).
LOWEST_RATE = -0.99

PERCENTILES = (10, 50, 90)
MEASURES = [
    ("csc", "overspend"),
    ("csc", "net_spend"),
    ("csc", "children_in_care"),
    ("dsg", "cumulative_deficit"),
    ("dsg", "in_year_deficit"),
    ("dsg", "high_needs_expenditure"),
    ("dsg", "ehcp_total"),
]
CHUNK = 10_000  # draws evaluated at once: bounds memory whatever N is
PERT_SHAPE = 4.0  # the standard PERT weight on the most likely value


def ranged(a: AssumptionSet) -> list[tuple[str, Param]]:
    """Every parameter with a range, by path (``low``, ``value`` and ``high`` all given)."""
    return [
        (".".join(path), p)
        for path, p in iter_params(a)
        if isinstance(p, Param) and p.ranged and p.value is not None
    ]


def _range(p: Param) -> tuple[float, float, float]:
    """Low, central and high of a parameter :func:`ranged` returned."""
    return cast(tuple[float, float, float], (p.low, p.value, p.high))


def shocked(a: AssumptionSet) -> list[tuple[str, Rate]]:
    """Every growth rate whose year-to-year wandering is drawn too (``yearly_shock``)."""
    return [
        (".".join(path), p)
        for path, p in iter_params(a)
        if isinstance(p, Rate) and p.yearly_shock is not None and p.value is not None
    ]


def shock_paths(
    rng: np.random.Generator,
    sd: float | np.ndarray,
    persistence: float,
    n: int,
    years: int,
) -> np.ndarray:
    """``(n, years)`` yearly shocks, zero in the base year: each year carries
    ``persistence`` of the last year's shock and adds a fresh normal one of ``sd`` (one
    figure, or one per year)."""
    z = rng.standard_normal((n, years)) * sd
    e = np.zeros((n, years))
    for t in range(1, years):
        e[:, t] = persistence * e[:, t - 1] + z[:, t]
    return e


def pert(rng: np.random.Generator, low: float, mode: float, high: float, n: int) -> np.ndarray:
    """PERT draws: a beta distribution scaled to low..high with its mode at ``mode``."""
    if high <= low:
        return np.full(n, mode)
    alpha = 1.0 + PERT_SHAPE * (mode - low) / (high - low)
    beta = 1.0 + PERT_SHAPE * (high - mode) / (high - low)
    return low + (high - low) * rng.beta(alpha, beta, n)


def draw(a: AssumptionSet, n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` draws of every ranged parameter, each from its own seeded stream. A ranged
    value is drawn once per path and holds in every year (an underlying rate that persists);
    a growth rate with a ``yearly_shock`` becomes a path by year, ``(n, years)``: its drawn
    (or stated) value plus shocks that carry forward, from a stream of its own or of its
    shock ``group`` (rates in one group move together). Years stated under ``values`` keep
    their figure unless the shock has a ``stated_sd``: then such a year is its stated figure
    plus a shock of that sd (a rise announced nationally, which each council's own
    allocation misses by a measured spread), and :meth:`Inputs.series` uses the drawn path
    there too (see :func:`draws_stated_years`)."""
    out: dict[str, np.ndarray] = {}
    for path, p in ranged(a):
        rng = np.random.default_rng([seed, zlib.crc32(path.encode())])
        low, central, high = _range(p)
        out[path] = pert(rng, low, central, high, n)
    timeline = Timeline(a.timeline.base_year, a.timeline.horizon_years)
    years = len(timeline.labels)
    for path, p in shocked(a):
        shock = cast(YearlyShock, p.yearly_shock)  # shocked(): set
        stream = f"shock group {shock.group}" if shock.group else path
        rng = np.random.default_rng([seed, zlib.crc32(stream.encode()), 1])
        level = out.get(path, np.full(n, p.value))
        stated = _stated_columns(p, timeline) if draws_stated_years(p) else {}
        sd: float | np.ndarray = shock.sd
        if stated:
            sd = np.full(years, shock.sd)
            sd[list(stated)] = shock.stated_sd
        e = shock_paths(rng, sd, shock.persistence, n, years)
        rate = level[:, None] + e
        for t, v in stated.items():
            rate[:, t] = v + e[:, t]
        out[path] = np.maximum(rate, LOWEST_RATE)
    return out


def _stated_columns(p: Param, timeline: Timeline) -> dict[int, float]:
    """The stated forecast years of ``p`` by column of the timeline, with their figure (the
    base year is an outturn and never shocked)."""
    return {
        timeline.index(y): v
        for y, v in (p.values or {}).items()
        if y in timeline.labels and timeline.index(y) > 0
    }


def simulate(
    name: str,
    a: AssumptionSet,
    n: int,
    seed: int,
    tick: Callable[[int], None] | None = None,
    measures: list[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], np.ndarray]:
    """The headline measures (or ``measures``) over ``n`` draws, ``(n, years)`` each, in
    chunks."""
    draws = draw(a, n, seed)
    wanted = MEASURES if measures is None else measures
    kept: dict[tuple[str, str], list[np.ndarray]] = {m: [] for m in wanted}
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        proj = project(name, a, {k: v[start:stop] for k, v in draws.items()}, stop - start)
        for m in wanted:
            kept[m].append(proj[m])
        if tick:
            tick(stop - start)
    return {m: np.concatenate(v, axis=0) for m, v in kept.items()}


def band(draws: np.ndarray) -> np.ndarray:
    """P10, P50, P90 by year of one measure's draws (``(draws, years)``): a ``(3, years)``
    array."""
    return np.percentile(draws, PERCENTILES, axis=0)


def percentiles(sims: dict[tuple[str, str], np.ndarray]) -> dict[tuple[str, str], np.ndarray]:
    """P10, P50, P90 of each measure by year: ``(3, years)`` arrays."""
    return {m: band(arr) for m, arr in sims.items()}


def percentile_rows(name: str, years: list[str], pcts: dict, units: dict) -> list[Record]:
    """``<measure>.p10`` / ``.p50`` / ``.p90`` rows of the results table."""
    records: list[Record] = []
    for (area, measure), qs in pcts.items():
        unit = units[(area, measure)]
        for q, row in zip(PERCENTILES, qs, strict=True):
            for y, v in zip(years, rounded(row, unit), strict=True):
                records.append((name, area, f"{measure}.p{q}", y, v, unit))
    return records


@dataclass(frozen=True)
class Swing:
    """How far one assumption moves the final position from its low to its high value."""

    parameter: str
    low: float
    central: float
    high: float
    unit: str
    deficit_swing: float
    overspend_swing: float

    @property
    def size(self) -> float:
        return max(abs(self.deficit_swing), abs(self.overspend_swing))


def sensitivity(name: str, a: AssumptionSet) -> list[Swing]:
    """Swing in the final cumulative deficit and final-year overspend from each ranged
    assumption moving from its low to its high value, the others central; largest first."""
    params = ranged(a)
    if not params:
        return []
    k = len(params)
    draws = {}
    for j, (path, p) in enumerate(params):
        col = np.full(2 * k, p.value, dtype=float)
        col[2 * j], col[2 * j + 1] = p.low, p.high
        draws[path] = col
    proj = project(name, a, draws, 2 * k)
    deficit = proj[("dsg", "cumulative_deficit")][:, -1]
    overspend = proj[("csc", "overspend")][:, -1]
    swings = [
        Swing(
            path,
            *_range(p),
            p.unit,
            float(deficit[2 * j + 1] - deficit[2 * j]),
            float(overspend[2 * j + 1] - overspend[2 * j]),
        )
        for j, (path, p) in enumerate(params)
    ]
    return sorted(swings, key=lambda s: -s.size)  # stable: equal swings keep file order


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled and total > 0

    def __call__(self, n: int) -> None:
        if not self.enabled:
            return
        self.done += n
        width = 30
        filled = int(width * self.done / self.total)
        sys.stderr.write(
            f"\rdraws [{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,}"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


@dataclass(frozen=True)
class MonteCarlo:
    """What the draws give for a run: how many were drawn and from which seed, the P10, P50
    and P90 of each headline measure by (scenario, measure), and their results rows."""

    draws: dict[str, int]  # "n" draws from "seed"
    percentiles: dict[tuple[str, str], dict[str, np.ndarray]]  # "p10".. by year
    records: tuple[Record, ...]


def monte_carlo(
    scenarios: Sequence[Scenario],
    projections: Sequence[Projection],
    n: int,
    seed: int,
    progress: bool = False,
) -> MonteCarlo:
    """The range around each scenario's central projection: ``n`` draws of every ranged
    assumption from ``seed``, summarised as percentiles of the headline measures."""
    bar = _Progress(n * len(scenarios), progress)
    kept: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    records: list[Record] = []
    for s, proj in zip(scenarios, projections, strict=True):
        pcts = percentiles(simulate(s.name, s.assumptions, n, seed, bar))
        units = {m: proj.lines[m].unit for m in MEASURES}
        records.extend(percentile_rows(s.name, proj.years, pcts, units))
        for (_, measure), qs in pcts.items():
            kept[(s.name, measure)] = {f"p{q}": row for q, row in zip(PERCENTILES, qs, strict=True)}
    return MonteCarlo({"n": n, "seed": seed}, kept, tuple(records))
