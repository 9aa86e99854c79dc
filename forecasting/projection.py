"""The engine's output before tabulation: named lines of figures by year, with their meaning.

A ``Line`` is one measure of one area, an array ``(draws, years)``, its unit, a label a
reader understands and the assumption paths it was computed from. The engine builds a
``Projection``; ``results`` turns it into the tidy table of the results.csv contract.

A *total* (net spend, overspend, high-needs expenditure, the in-year deficit, ...) is
defined once, as signed parts: other lines of the same area added or taken away. The
engine computes it from that definition (``Projection.total``), and the same definition
writes the workbook's formula for it, its row on the Checks sheet and the identity tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

# One part of a total: +1 or -1, and a measure of the same area.
Part = tuple[int, str]


def signed(parts: Iterable[str]) -> tuple[Part, ...]:
    """Parts written as measures, a leading ``-`` for one taken away:
    ``("net_spend", "-budget")`` is net spend less the budget."""
    return tuple((-1, p[1:]) if p.startswith("-") else (1, p) for p in parts)


def written(parts: Iterable[Part]) -> str:
    """A total's definition as a reader sees it: ``net_spend - budget``."""
    out = ""
    for sign, m in parts:
        out += (" - " if sign < 0 else (" + " if out else "")) + m
    return out.lstrip() or "0"


@dataclass
class Line:
    area: str
    measure: str
    unit: str
    values: np.ndarray
    label: str
    sources: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()  # a total: the sum of these lines of its area, each signed


@dataclass
class Projection:
    """Every line of one scenario's forecast, in the order a reader would want them."""

    scenario: str
    years: list[str]
    lines: dict[tuple[str, str], Line] = field(default_factory=dict)
    draws: int = 1  # rows of every line

    def add(
        self,
        area: str,
        measure: str,
        unit: str,
        values: np.ndarray,
        label: str,
        sources: tuple[str, ...] = (),
    ) -> np.ndarray:
        """A line computed by the engine's own rule (a driver, a product, a decision)."""
        return self._put(Line(area, measure, unit, np.asarray(values, dtype=float), label, sources))

    def total(
        self,
        area: str,
        measure: str,
        unit: str,
        label: str,
        parts: Iterable[str],
        sources: tuple[str, ...] = (),
        before: str | None = None,
    ) -> np.ndarray:
        """A total: the lines ``parts`` of the same area (already added), each added or,
        written ``-measure``, taken away. Its definition is kept on the line. ``before``: a
        line of the area it is shown ahead of, as a total heading its breakdown."""
        defined = signed(parts)
        values = self.signed_sum(area, defined)
        out = self._put(Line(area, measure, unit, values, label, sources, defined))
        if before is not None:
            order = list(self.lines)
            order.insert(order.index((area, before)), order.pop())
            self.lines = {k: self.lines[k] for k in order}
        return out

    def signed_sum(self, area: str, parts: Iterable[Part]) -> np.ndarray:
        """The lines ``parts`` of ``area``, each added or taken away, by draw and year."""
        values = np.zeros((self.draws, len(self.years)))
        for sign, m in parts:
            values = values + sign * self[(area, m)]
        return values

    def _put(self, line: Line) -> np.ndarray:
        key = (line.area, line.measure)
        if key in self.lines:
            raise KeyError(f"line {line.area}.{line.measure} defined twice")
        self.lines[key] = line
        return line.values

    def __getitem__(self, key: tuple[str, str]) -> np.ndarray:
        return self.lines[key].values

    def measures(self, area: str) -> list[str]:
        return [m for (a, m) in self.lines if a == area]

    def family(self, area: str, total: str) -> list[str]:
        """The lines a total adds up (its positive parts), in its order: the placement types
        of placement cost, the provisions of the EHCPs, the spend lines of expenditure."""
        return [m for sign, m in self.lines[(area, total)].parts if sign > 0]

    def kinds(self, area: str, total: str) -> list[str]:
        """The kinds a total adds up, without the family's prefix: the placement types
        (``ifa``) of children in care, the provisions (``mainstream``) of the EHCPs."""
        return [m.split(".", 1)[1] for m in self.family(area, total)]

    def totals(self, area: str | None = None) -> list[Line]:
        """Every line defined as signed parts (in ``area``, or in all areas)."""
        return [ln for ln in self.lines.values() if ln.parts and area in (None, ln.area)]
