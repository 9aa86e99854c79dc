"""Reading assumption sets and scenarios from YAML, keeping the line of every field.

An assumption *set* is a folder: its ``*.yaml`` files are merged by their top-level
sections, and ``scenarios/*.yaml`` are scenarios. A scenario file ``extends`` the set
folder or another scenario and overrides values by dotted path. Every problem found
(YAML syntax, duplicate keys, unknown fields, wrong types, impossible values) is
reported as ``FILE:LINE: path: message``.

The work is done by job: :mod:`forecasting.yamlfile` reads one file,
:mod:`forecasting.composing` merges a set and applies a scenario's overrides, and
:mod:`forecasting.validating` turns the result into checked, typed assumptions. This module
is the public API over them (``load``, ``load_scenario``, ``load_base``, ``new_set``) and
keeps their names importable from here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import yamlfile
from .composing import (
    apply_override,
    read_scenario,
    read_set,
    scenario_files,
)
from .errors import InputError, Problem
from .schema import AssumptionSet, iter_params
from .textfile import read_bytes
from .validating import resolve_trends, validate
from .yamlfile import (
    MAX_DEPTH,
    Document,
    Loc,
    Parser,
    Path_,
    _compose,
    _PyParser,
    core_scalar,
    display,
    nearest_loc,
    read_yaml,
)

__all__ = [
    "MAX_DEPTH",
    "Document",
    "Loc",
    "Parser",
    "Path_",
    "Scenario",
    "_PyParser",
    "_compose",
    "_parse_yaml",
    "apply_override",
    "core_scalar",
    "display",
    "iter_params",
    "load",
    "load_base",
    "load_scenario",
    "nearest_loc",
    "new_set",
    "read_scenario",
    "read_set",
    "read_yaml",
    "scenario_files",
    "validate",
]


@dataclass
class Scenario:
    """A validated scenario, ready for the engine."""

    name: str
    description: str
    assumptions: AssumptionSet
    locs: dict[Path_, Loc]
    set_dir: Path
    files: list[Path]
    overrides: dict[str, Any] = field(default_factory=dict)
    role: str | None = None  # roles.PLAN or roles.UNMITIGATED (not inherited through extends)
    title: str = ""
    histories: list[Path] = field(default_factory=list)  # CSVs its fitted trends were read from

    @property
    def inputs(self) -> list[Path]:
        """Every file the scenario's figures come from: its YAML (or workbook) files, then
        the history CSVs of its fitted growth trends. Change one and the forecast may change."""
        return [*self.files, *self.histories]

    @property
    def label(self) -> str:
        """How a reader sees the scenario: its title, or its name in words."""
        return self.title or self.name.replace("-", " ").replace("_", " ").capitalize()

    def where(self, path: str) -> Loc | None:
        """File and line that set the field at dotted ``path`` (or its nearest parent)."""
        return nearest_loc(self.locs, tuple(path.split(".")))

    def input_hash(self) -> str:
        """SHA-256 over every file this scenario was read from (``inputs``), in a fixed order."""
        h = hashlib.sha256()
        for f in sorted({p.resolve() for p in self.inputs}):
            h.update(f.name.encode())
            h.update(read_bytes(f, display(f), "YAML" if f.suffix.lower() != ".csv" else "CSV"))
        return h.hexdigest()


def _parse_yaml(path: Path) -> Document:
    """One YAML file parsed afresh with this module's ``Parser`` (swappable here, as before)."""
    return yamlfile._parse_yaml(path, Parser)


def load_scenario(path: Path) -> Scenario:
    """Read, merge and validate one scenario file."""
    doc, header, files = read_scenario(path)
    model = validate(doc, display(path))
    histories = resolve_trends(model, doc, header["set_dir"])
    return Scenario(
        header["name"],
        header["description"],
        model,
        doc.locs,
        header["set_dir"],
        files,
        header["overrides"],
        header["role"],
        header["title"],
        histories,
    )


def load_base(folder: Path) -> Scenario:
    """The assumption set folder on its own, as a scenario named ``baseline``."""
    doc, files = read_set(folder)
    model = validate(doc, display(folder))
    histories = resolve_trends(model, doc, folder)
    return replace(baseline(model, doc.locs, folder, files), histories=histories)


def choose(
    available: list[str], names: tuple[str, ...], where: str, option: str | None
) -> list[str]:
    """The scenarios a run asked for (``--scenario``, repeatable), or all of them, refusing a
    name the set does not have."""
    missing = [n for n in names if n not in available]
    if missing:
        raise InputError(
            Problem(
                where,
                None,
                option,
                f"no scenario named {', '.join(missing)}; have {', '.join(available) or 'none'}",
            )
        )
    return list(names) or list(available)


def baseline(
    model: AssumptionSet, locs: dict[Path_, Loc], set_dir: Path, files: list[Path]
) -> Scenario:
    """A set with no scenarios, run as it is written: the one scenario named ``baseline``."""
    return Scenario(
        "baseline",
        "The assumption set as written, with no scenario overrides.",
        model,
        locs,
        set_dir,
        files,
        title="The assumption set as written",
    )


def check_unique(scenarios: list[Scenario], where: Callable[[int, str], str]) -> None:
    """Refuse a set whose scenarios share a name (a run's columns would collide) or claim the
    same role (the cabinet's plan and the unmitigated case are one scenario each).

    ``where(i, field)`` names where scenario ``i`` gave ``field`` (its file, or a workbook's
    sheet and cell), for the message.
    """
    for field_ in ("name", "role"):
        taken: dict[str, str] = {}
        for i, s in enumerate(scenarios):
            value = getattr(s, field_)
            if not value:
                continue
            if value in taken:
                what = "used" if field_ == "name" else "claimed"
                label = "scenario name" if field_ == "name" else "role"
                raise InputError(
                    Problem(
                        where(i, field_),
                        None,
                        field_,
                        f"{label} '{value}' is also {what} by {taken[value]}",
                    )
                )
            taken[value] = where(i, field_)


def load(path: Path, names: tuple[str, ...] = ()) -> list[Scenario]:
    """Scenarios to run from a set folder (all, or those named) or a single scenario file.

    Every scenario is read before any is returned, so one bad file stops the whole run
    with every problem listed.
    """
    if not path.exists():
        what = (
            "a symbolic link that loops or leads nowhere"
            if os.path.islink(path)
            else "assumptions not found"
        )
        raise InputError(Problem(display(path), None, None, what))
    if path.suffix.lower() == ".xlsx":  # an inputs workbook: cells in place of lines
        from .inputs_workbook import load_workbook

        return load_workbook(path, names)
    if not path.is_dir():  # a scenario file (a pipe or device is refused when read)
        if names:
            raise InputError(
                Problem(
                    display(path),
                    None,
                    "--scenario",
                    "choose scenarios only from a set folder; this is a single scenario file",
                )
            )
        files = [path]
    else:
        files = scenario_files(path)
        by_name = {f.stem: f for f in files}
        files = [
            by_name[n] for n in choose(list(by_name), names, display(path / "scenarios"), None)
        ]
        if not files:
            return [load_base(path)]
    out, problems = [], {}  # a dict keeps the order and finds a repeat at once
    for f in files:
        try:
            out.append(load_scenario(f))
        except InputError as e:
            problems.update(dict.fromkeys(e.problems))
    if problems:
        raise InputError(list(problems))
    check_unique(out, lambda i, _: display(files[i]))
    return out


def new_set(directory: Path, template: Path) -> None:
    """A new assumption set to edit: a copy of ``template`` in an empty or new folder."""
    from .setfiles import require_empty  # setfiles reads sets through this module

    require_empty(directory)
    existed = directory.exists()
    try:
        shutil.copytree(template, directory, dirs_exist_ok=True)
    except (OSError, shutil.Error) as e:
        if not existed:  # leave nothing half-copied behind
            shutil.rmtree(directory, ignore_errors=True)
        reason = getattr(e, "strerror", None) or "cannot be written"
        raise InputError(
            Problem(str(directory), None, None, f"cannot create the set ({reason})")
        ) from None
