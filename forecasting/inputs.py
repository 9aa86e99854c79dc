"""Turning parameters into arrays on the timeline, for one run or many draws at once.

Every quantity the engine works with is an array of shape ``(draws, years)``: one row
per Monte Carlo draw (a single row for a deterministic run), one column per financial
year from the base year. A ranged parameter's ``value`` may be replaced by a vector of
draws; years listed under ``values`` keep their stated figure, except a growth rate's
forecast years when its yearly shock has a ``stated_sd`` (a drawn announced rise).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .schema import AssumptionSet, Flag, Param
from .years import Timeline


class Inputs:
    """Resolves the parameters of one scenario to arrays on its timeline."""

    def __init__(
        self,
        assumptions: AssumptionSet,
        draws: Mapping[str, np.ndarray] | None = None,
        n_draws: int = 1,
    ):
        self.a = assumptions
        self.timeline = Timeline(assumptions.timeline.base_year, assumptions.timeline.horizon_years)
        self.years = self.timeline.labels
        self.n = n_draws
        self.draws = dict(draws or {})
        for path, d in self.draws.items():
            if d.shape not in ((n_draws,), (n_draws, len(self.years))):
                raise ValueError(
                    f"draws for {path} have shape {d.shape}, expected ({n_draws},) or "
                    f"({n_draws}, {len(self.years)}) for a path by year"
                )

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, len(self.years))

    def zeros(self) -> np.ndarray:
        return np.zeros(self.shape)

    def _central(self, p: Param) -> np.ndarray:
        """The parameter's ``value`` as a column ``(draws, 1)``: drawn when a draw is given
        (``(draws, years)`` when the draw is a path by year, as a growth rate with yearly
        shocks is)."""
        if p.path in self.draws:
            d = self.draws[p.path]
            return d if d.ndim == 2 else d[:, None]
        return np.full((self.n, 1), np.nan if p.value is None else p.value)

    def series(self, p: Param) -> np.ndarray:
        """The parameter in every year, ``(draws, years)``. Stated years hold their figure,
        unless the parameter's drawn path covers them (:func:`draws_stated_years`): then its
        forecast years come from the draws, which centre on the stated figure."""
        central = self._central(p)
        drawn_path = central.ndim == 2 and central.shape[1] > 1 and draws_stated_years(p)
        out = np.broadcast_to(central, self.shape).copy()
        for year, v in (p.values or {}).items():
            t = self.timeline.index(year)
            if not (drawn_path and t > 0):
                out[:, t] = v
        return out

    def base(self, p: Param) -> np.ndarray:
        """A base-year figure as a column ``(draws, 1)``, to broadcast across years."""
        return self._central(p)

    def index(self, rate: Param) -> np.ndarray:
        """Cumulative growth index: 1 in the base year, times (1 + rate) each year after."""
        g = self.series(rate)
        g[:, 0] = 0.0
        return np.cumprod(1.0 + g, axis=1)

    def anchored(self, p: Param, growth: Param) -> np.ndarray:
        """Figures given for some years, grown by ``growth`` from the year before otherwise."""
        g = self.series(growth)
        given = p.values
        assert given is not None, f"{p.path}: an anchored figure needs values by year"
        out = np.empty(self.shape)
        for t, year in enumerate(self.years):
            if year in given:
                out[:, t] = given[year]
            else:
                out[:, t] = out[:, t - 1] * (1.0 + g[:, t])
        return out

    def flag(self, f: Flag) -> np.ndarray:
        """A yes/no decision by year, ``(years,)`` of booleans."""
        out = np.full(len(self.years), bool(f.value))
        for year, v in (f.values or {}).items():
            out[self.timeline.index(year)] = v
        return out

    def forecast_mask(self) -> np.ndarray:
        """1 in forecast years, 0 in the base (actual) year: levers act only in the forecast."""
        m = np.ones(len(self.years))
        m[0] = 0.0
        return m


def draws_stated_years(p: Param) -> bool:
    """Whether Monte Carlo draws the years stated under ``values`` of ``p`` as well (a growth
    rate whose ``yearly_shock`` has a ``stated_sd``); otherwise they hold in every draw."""
    shock = getattr(p, "yearly_shock", None)
    return shock is not None and shock.stated_sd is not None
