"""The assumption sets that ship with the tool, found inside the installed package.

In a wheel the folder ``assumptions/`` of the source tree is installed as the package data
``forecasting.sets`` (see ``setup.cfg``), so the bundled sets are found wherever the tool
is run from. In a source checkout (an editable install, or the tests) that package does not
hold the sets, which are read from ``assumptions/`` beside this package.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from .errors import InputError, Problem

DEFAULT_SET = "stoke-on-trent-2019"
CAVEATS = "caveats.md"  # each set's log of the figures that are not published or reported


def sets_root() -> Path:
    """The folder holding the bundled sets."""
    installed = importlib.resources.files("forecasting") / "sets"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "assumptions"  # a source checkout


def bundled_sets() -> dict[str, Path]:
    """Every bundled set by name (a set is a folder holding ``*.yaml`` files)."""
    root = sets_root()
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and any(p.glob("*.yaml"))}


def bundled_set(name: str = DEFAULT_SET) -> Path:
    """The folder of the bundled set ``name``; an unknown name is a usage error."""
    sets = bundled_sets()
    if name not in sets:
        raise InputError(
            Problem(
                name,
                None,
                "--from",
                "is not a bundled set; `forecast sets` lists them: " + ", ".join(sets),
            )
        )
    return sets[name]


def set_title(path: Path) -> str:
    """The first line of a set's ``general.yaml`` comment: what council and date it is."""
    general = path / "general.yaml"
    if general.is_file():
        first = general.read_text(encoding="utf-8").splitlines()[:1]
        if first and first[0].startswith("#"):
            return first[0].lstrip("# ").strip()
    return ""
