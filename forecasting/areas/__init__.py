"""The areas of a forecast, found rather than listed.

An *area* is one part of the council's budget the tool projects: children's social care
(``csc``) and the DSG high-needs block (``dsg``) are built in; any further area is a
folder here, ``forecasting/areas/<name>/``, holding

- ``__init__.py`` with ``AREA = Area(...)``: its section of the assumption set, the area
  code its lines carry in results.csv, and the title of its finance-model sheet;
- ``schema.py`` with ``Section``, the typed model of its section (optional in a set: a set
  without the section simply has no such lines), and optionally ``check(model, found)`` for
  rules that look across sections;
- ``engine.py`` with ``project(inp, proj)``, adding its lines to a scenario's projection;
- ``workbook.py`` with ``inputs(g, ws, proj)`` and ``calcs(g, ws, proj)``, its drivers on
  the finance model's Inputs sheet and its live formulas on a sheet of its own.

``Area.compare`` may name lines a cabinet should see side by side across scenarios.

The set's schema, validation, the engine, the finance model (with its Checks, generated
from each total's definition) and the tests find an area here: adding one edits none of
them. Folder areas are projected after the built-in ones, in name order, so they may use
built-in lines (EHCPs by provision, for example).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Area:
    """One area: where its pieces are and how it is named to a reader."""

    key: str  # its top-level section in the assumption set's YAML
    code: str  # the ``area`` column of its lines in results.csv
    title: str  # its sheet in the finance model
    package: str = ""  # a folder area's package; built-in areas name each piece instead
    engine_ref: str = ""  # "module:function" adding its lines
    inputs_ref: str = ""  # "module:function" writing its drivers
    calcs_ref: str = ""  # "module:function" writing its formulas
    built_in: bool = False
    # (measure, title) of the lines a cabinet compares across scenarios, beside the built-in
    # areas' overspend and deficit
    compare: tuple[tuple[str, str], ...] = ()

    def _piece(self, ref: str, default: str) -> Any:
        module, _, name = (ref or f"{self.package}.{default}").partition(":")
        return getattr(importlib.import_module(module), name)

    @property
    def project(self) -> Callable[..., None]:
        return self._piece(self.engine_ref, "engine:project")

    @property
    def inputs(self) -> Callable[..., None]:
        return self._piece(self.inputs_ref, "workbook:inputs")

    @property
    def calcs(self) -> Callable[..., None]:
        return self._piece(self.calcs_ref, "workbook:calcs")

    @property
    def section(self) -> Any:
        """The pydantic model of a folder area's section."""
        return self._piece("", "schema:Section")

    @property
    def check(self) -> Callable[..., None] | None:
        """A folder area's cross-section rules, if it has any."""
        return getattr(importlib.import_module(f"{self.package}.schema"), "check", None)


BUILT_IN = (
    Area(
        "childrens_services",
        "csc",
        "Children's social care",
        engine_ref="forecasting.childrens_services:project_childrens_services",
        inputs_ref="forecasting.excel.models:csc_inputs",
        calcs_ref="forecasting.excel.models:csc_calcs",
        built_in=True,
    ),
    Area(
        "high_needs",
        "dsg",
        "DSG high needs",
        engine_ref="forecasting.high_needs:project_high_needs",
        inputs_ref="forecasting.excel.models:dsg_inputs",
        calcs_ref="forecasting.excel.models:dsg_calcs",
        built_in=True,
    ),
)


@cache
def folders() -> tuple[Area, ...]:
    """Every folder area, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.ispkg:
            module = importlib.import_module(f"{__name__}.{info.name}")
            area = getattr(module, "AREA", None)
            if isinstance(area, Area):
                found.append(area)
    return tuple(found)


def every() -> tuple[Area, ...]:
    """Built-in areas, then folder areas: the order they are projected and shown in."""
    return BUILT_IN + folders()


def present(assumptions: Any) -> tuple[Area, ...]:
    """The areas a set has: the built-in ones, and each folder area whose section it gives."""
    return tuple(a for a in every() if a.built_in or assumptions.area(a.key))
