"""One forecast run: load every scenario, project and tabulate it, with the solver's
answers, the sensitivities and (on request) the Monte Carlo percentiles.

This is the results layer: it knows nothing of workbooks or files. ``publish.produce``
renders a run into its output files.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from . import DEFAULT_SEED, __version__
from .engine import project
from .errors import InputError, Problem
from .loading import Scenario, load
from .projection import Projection
from .results import Headline, Record, headline, tidy, to_frame
from .roles import UNMITIGATED, plan_name, plan_scenario, with_role
from .solve import Solution, solve
from .uncertainty import Swing, monte_carlo, sensitivity

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Run:
    """Everything one run produced, for the writers and the summary; built once, never
    changed (a run with the Monte Carlo range is a new ``Run``: :func:`with_uncertainty`).
    The scenario and projection lists are not to be changed either."""

    scenarios: list[Scenario]
    projections: list[Projection]
    # The results table's rows: every line of every scenario, then any percentile rows
    records: tuple[Record, ...]
    # What it takes to clear the DSG deficit in the plan: (lever, answer or why not)
    solutions: tuple[tuple[str, Solution | str], ...] = ()
    # How far each ranged assumption moves the plan's final position
    sensitivity: tuple[Swing, ...] = ()
    # Monte Carlo: draws and seed used, and P10/P50/P90 by (scenario, measure)
    draws: dict[str, int] | None = None
    percentiles: dict[tuple[str, str], dict[str, np.ndarray]] = field(default_factory=dict)
    run_date: str = field(default_factory=lambda: date.today().isoformat())
    version: str = __version__
    # The results table, built when first asked for (the records never change after)
    _frame: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def results(self) -> pd.DataFrame:
        """The results table as a pandas DataFrame (built when first asked for)."""
        if self._frame is None:
            object.__setattr__(self, "_frame", to_frame(self.records))  # a cache, not a change
        return cast("pd.DataFrame", self._frame)

    @property
    def headlines(self) -> list[Headline]:
        return [headline(p) for p in self.projections]

    @property
    def plan(self) -> Projection:
        """The council's plan: the projection of the scenario with the plan role (or named
        council-plan), else of the first scenario. Variances, messages and plan sheets use it."""
        name = plan_name(self.scenarios)
        return next(p for p in self.projections if p.scenario == name)

    @property
    def plan_scenario(self) -> Scenario:
        """The plan's scenario (its assumptions and where each came from)."""
        return plan_scenario(self.scenarios)

    @property
    def no_action(self) -> Projection | None:
        """The unmitigated (no action) position a mitigation is measured against: the
        scenario with the unmitigated role (or so named), if the set has one."""
        name = with_role(self.scenarios, UNMITIGATED)
        return next((p for p in self.projections if p.scenario == name), None)


def forecast(
    path: Path,
    names: tuple[str, ...] = (),
    draws: int = 0,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
) -> Run:
    """Load and project every scenario (the central case); find what it would take to clear
    the DSG deficit by the final year in the plan (:attr:`Run.plan`) and how sensitive its
    final position is to each ranged assumption; with ``draws``, add the Monte Carlo
    percentiles."""
    scenarios = load(path, names)
    projections = [project(s.name, s.assumptions) for s in scenarios]
    for s, p in zip(scenarios, projections, strict=True):
        check_finite(s, p)
    central = Run(scenarios, projections, tuple(r for p in projections for r in tidy(p)))
    plan = central.plan_scenario
    run = replace(
        central,
        solutions=tuple(what_it_takes(plan, central.plan.years[-1])),
        sensitivity=tuple(sensitivity(plan.name, plan.assumptions)),
    )
    return with_uncertainty(run, draws, seed, progress) if draws else run


def with_uncertainty(run: Run, draws: int, seed: int, progress: bool = False) -> Run:
    """The same run with the Monte Carlo range: ``draws`` draws from ``seed``, their
    percentiles and their rows after the central ones (a new ``Run``; ``run`` is unchanged)."""
    mc = monte_carlo(run.scenarios, run.projections, draws, seed, progress)
    return replace(
        run, records=run.records + mc.records, draws=mc.draws, percentiles=mc.percentiles
    )


def check_finite(scenario: Scenario, projection: Projection) -> None:
    """Valid but extreme inputs (a cost of a billionth of a penny, growth compounding past
    the largest number) can still overflow; say which line and where it comes from."""
    for (area, measure), line in projection.lines.items():
        bad = ~np.isfinite(line.values[0])
        if bad.any():
            year = projection.years[int(np.argmax(bad))]
            where = scenario.where(line.sources[0]) if line.sources else None
            raise InputError(
                Problem(
                    where.file if where else scenario.name,
                    where.line if where else None,
                    f"{area}.{measure}",
                    f"is not a finite number in {year} in scenario '{scenario.name}': check "
                    + (", ".join(line.sources) if line.sources else "the assumptions it uses"),
                )
            )


def what_it_takes(scenario: Scenario, target_year: str) -> list[tuple[str, Solution | str]]:
    """The savings and transfer levers' answers, or why they cannot balance, for the Forum
    and cabinet (the EHCP-growth lever is a search, so it is left to ``forecast solve``)."""
    out: list[tuple[str, Solution | str]] = []
    for lever in ("savings", "transfer"):
        try:
            out.append((lever, solve(scenario.assumptions, target_year, lever)))
        except InputError as e:
            out.append((lever, "; ".join(p.message for p in e.problems)))
    return out
