"""The engine's output before tabulation: named lines of figures by year, with their meaning.

A ``Line`` is one measure of one area, an array ``(draws, years)``, its unit, a label a
reader understands and the assumption paths it was computed from. The engine builds a
``Projection``; ``results`` turns it into the tidy table of the results.csv contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Line:
    area: str
    measure: str
    unit: str
    values: np.ndarray
    label: str
    sources: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # measures of the same area this line is the sum of


@dataclass
class Projection:
    """Every line of one scenario's forecast, in the order a reader would want them."""

    scenario: str
    years: list[str]
    lines: dict[tuple[str, str], Line] = field(default_factory=dict)

    def add(
        self,
        area: str,
        measure: str,
        unit: str,
        values: np.ndarray,
        label: str,
        sources: tuple[str, ...] = (),
        parts: tuple[str, ...] = (),
    ) -> np.ndarray:
        key = (area, measure)
        if key in self.lines:
            raise KeyError(f"line {area}.{measure} defined twice")
        arr = np.asarray(values, dtype=float)
        self.lines[key] = Line(area, measure, unit, arr, label, sources, parts)
        return arr

    def __getitem__(self, key: tuple[str, str]) -> np.ndarray:
        return self.lines[key].values

    def measures(self, area: str) -> list[str]:
        return [m for (a, m) in self.lines if a == area]
