"""Rolling an assumption set forward to a later base (actual) year.

The forecast window keeps its length and moves on. Figures by year before the new base
year are actuals now: they leave the parameters and are kept, with their sources, in
``history/rebased-from-<old base year>.csv``. What the new base year needs and the set does
not give (a base-year figure such as children by placement or a unit cost at the new base
year's prices, the new base year's outturn, a value for the new final year) is not guessed:
the old figure is carried unchanged as a placeholder, its basis set to ``estimate`` and its
source saying so, and each one is listed (printed and written to ``rebase.md``) so the
officer replaces it with the council's own figure.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .consistency import field_kind
from .errors import InputError, Problem
from .loading import Path_, display, load, load_base
from .schema import Flag, Param
from .setfiles import SetImage, read_image, write_image
from .years import Timeline, is_year, parse_year, year_label

# Outturns of the base year itself, which are not marked as base-year figures in the schema
# because they take no growth: each needs the new base year's actual.
BASE_YEAR_OUTTURNS: tuple[Path_, ...] = (
    ("childrens_services", "calibration", "base_year_overspend"),
    ("high_needs", "calibration", "deficit_brought_forward"),
)
# Plan figures that are marked as base-year figures but are not actuals of a year.
NOT_ACTUALS: tuple[Path_, ...] = (("childrens_services", "savings", "items"),)
CALIBRATION_YEAR: Path_ = ("high_needs", "calibration", "calibration_year")
CALIBRATED_DEFICIT: Path_ = ("high_needs", "calibration", "in_year_deficit")
SAVINGS_ITEMS: Path_ = ("childrens_services", "savings", "items")
NOTES_FILE = "rebase.md"


def _params(model: Any, path: Path_ = (), kind: str = "") -> Iterator[tuple[Path_, Any, str]]:
    """Every parameter with its path and kind (``base``, ``anchored`` or ``""``)."""
    if isinstance(model, (Param, Flag)):
        yield path, model, kind
    elif isinstance(model, dict):
        for k, v in model.items():
            yield from _params(v, path + (str(k),))
    elif hasattr(model, "__pydantic_fields__"):
        for name, info in type(model).__pydantic_fields__.items():
            yield from _params(
                getattr(model, name), path + (info.alias or name,), field_kind(model, name)
            )


def _node(image: SetImage, path: Path_) -> Any:
    for area in image.areas:
        node: Any = area.data
        for part in path:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            return node
    return None


class _Rebase:
    def __init__(self, old: str, new: Timeline):
        self.old, self.new = old, new
        self.start = parse_year(new.base_year)
        self.old_end = year_label(parse_year(old) + len(new.labels) - 1)
        self.notes: list[str] = []
        self.history: list[tuple[str, str, Any, str, str, str]] = []

    def note(self, path: Path_, message: str) -> None:
        self.notes.append(f"{'.'.join(path)}: {message}")

    def keep(self, p: dict, path: Path_, year: str, value: Any) -> None:
        self.history.append(
            (
                ".".join(path),
                year,
                value,
                str(p.get("unit", "")),
                str(p.get("basis", "")),
                str(p.get("source", "")),
            )
        )

    def placeholder(self, p: dict, path: Path_, what: str, year: str | None = None) -> None:
        """Mark a figure carried unchanged where the new base year needs its own."""
        year = year or self.old
        p["basis"] = "estimate"
        p["source"] = (
            f"placeholder: the {year} figure carried unchanged; replace with {what}. "
            f"Was: {p.get('source', '')}"
        )
        self.note(path, f"needs {what}; the {year} figure is carried as a placeholder")

    def param(self, p: dict, path: Path_, kind: str) -> None:
        values: dict = p.get("values") or {}
        last_before = None
        for y in sorted(values, key=parse_year):
            if parse_year(y) < self.start:
                self.keep(p, path, y, values[y])
                last_before = (y, values.pop(y))
        if "values" in p and not values:
            del p["values"]
        actual = not any(path[: len(n)] == n for n in NOT_ACTUALS)
        if (kind == "base" or path in BASE_YEAR_OUTTURNS) and actual and "value" in p:
            self.keep(p, path, self.old, p["value"])
            self.placeholder(p, path, f"the {self.new.base_year} figure")
        elif kind == "anchored":
            if self.new.base_year not in values and last_before is not None:
                p["values"] = {self.new.base_year: last_before[1], **values}
                self.placeholder(p, path, f"the {self.new.base_year} figure", last_before[0])
        elif p.get("value") is None and values:
            for y in self.new.labels:
                if y not in values:
                    known = [k for k in values if parse_year(k) < parse_year(y)]
                    if known:
                        prior = max(known, key=parse_year)
                        values[y] = values[prior]
                        self.note(
                            path,
                            f"no figure for {y}; the {prior} figure {values[y]} is carried "
                            "as a placeholder",
                        )
                        p["basis"] = "estimate"
            p["values"] = dict(sorted(values.items(), key=lambda kv: parse_year(kv[0])))
        elif values and p.get("value") is not None:
            last = max(values, key=parse_year)
            end = self.new.labels[-1]
            if last == self.old_end and parse_year(last) < parse_year(end):
                self.note(
                    path,
                    f"given by year to {last} (the old final year); {end} takes its value "
                    f"{p['value']} (not {values[last]}): check",
                )


def rebase_image(image: SetImage, model: Any, old: str, new: Timeline) -> _Rebase:
    """Move the image's base year to ``new``; returns what was done and what to check."""
    rb = _Rebase(old, new)
    for path, _, kind in _params(model):
        p = _node(image, path)
        if isinstance(p, dict):
            rb.param(p, path, kind)
    timeline = _node(image, ("timeline",))
    timeline["base_year"] = new.base_year
    for sid, item in (_node(image, SAVINGS_ITEMS) or {}).items():
        start = item.get("start_year")
        if isinstance(start, str) and parse_year(start) <= rb.start:
            if parse_year(start) < rb.start:
                item["start_year"] = new.base_year
            rb.note(
                SAVINGS_ITEMS + (sid, "start_year"),
                f"started {start}, now in or before the base year: what it delivered is in "
                "the outturn; check the amount still to deliver",
            )
    calibration = _node(image, CALIBRATION_YEAR[:-1])
    cal_year = calibration.get("calibration_year") if isinstance(calibration, dict) else None
    if isinstance(cal_year, str) and parse_year(cal_year) <= rb.start:
        first = year_label(rb.start + 1)
        calibration["calibration_year"] = first
        rb.placeholder(
            calibration["in_year_deficit"],
            CALIBRATED_DEFICIT,
            f"the known in-year deficit of {first} (calibration year moved from {cal_year})",
            cal_year,
        )
    council = _node(image, ("council",))
    if isinstance(council, dict):
        rb.note(("council", "as_at"), f"still '{council.get('as_at')}': say when the figures are")
    for area in image.areas:
        area.header = area.header.replace(f"Base year {old}", f"Base year {new.base_year}")
    for s in image.scenarios:
        overrides = s.data.get("overrides") or {}
        for dotted in list(overrides):
            last = dotted.rsplit(".", 1)[-1]
            if is_year(last) and parse_year(last) < rb.start:
                del overrides[dotted]
                rb.note((f"scenarios/{s.stem}", dotted), "override of a year now past: dropped")
                continue
            value = overrides[dotted]
            years = value.get("values") if isinstance(value, dict) and "values" in value else value
            if isinstance(years, dict):
                for y in [y for y in years if is_year(y) and parse_year(y) < rb.start]:
                    del years[y]
                    rb.note((f"scenarios/{s.stem}", dotted), f"{y} is now past: dropped")
    rows = io.StringIO()
    w = csv.writer(rows, lineterminator="\n")
    w.writerow(["parameter", "year", "value", "unit", "basis", "source"])
    w.writerows(rb.history)
    image.files[f"history/rebased-from-{old}.csv"] = rows.getvalue()
    image.files[NOTES_FILE] = (
        f"# Rolled forward from base year {old} to {new.base_year}\n\n"
        f"Figures by year before {new.base_year} moved to history/rebased-from-{old}.csv. "
        "Each item below needs the council's own figure; until then the old figure stands "
        "as a placeholder (basis: estimate).\n\n" + "".join(f"- {n}\n" for n in rb.notes)
    )
    return rb


def rebase_set(source: Path, destination: Path, to_year: str) -> list[str]:
    """Write ``source`` rolled forward to base year ``to_year`` as a new set in
    ``destination``; returns the figures to check or replace. The new set is checked
    before it is written; nothing is written if it fails."""
    load(source)  # the set and its scenarios must be valid to start from
    base = load_base(source)
    old = base.assumptions.timeline.base_year
    try:
        new_start = parse_year(to_year)
    except ValueError as e:
        raise InputError(Problem(to_year, None, "--to", str(e))) from None
    if new_start <= parse_year(old):
        raise InputError(Problem(to_year, None, "--to", f"must be after the set's base year {old}"))
    last = parse_year(old) + base.assumptions.timeline.horizon_years
    if new_start > last:  # past the set's horizon nothing it says about a year carries over
        raise InputError(
            Problem(
                to_year,
                None,
                "--to",
                f"must be within the set's years ({year_label(parse_year(old) + 1)} to "
                f"{year_label(last)}): beyond them the set holds no figure to carry forward",
            )
        )
    new = Timeline(to_year, base.assumptions.timeline.horizon_years)
    image = read_image(source)
    rb = rebase_image(image, base.assumptions, old, new)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / destination.name
        write_image(image, trial)
        try:
            load(trial)
        except InputError as e:
            shown = display(trial)
            raise InputError(
                [
                    Problem(p.file.replace(shown, str(destination)), p.line, p.field, p.message)
                    for p in e.problems
                ]
            ) from None
    write_image(image, destination)
    return rb.notes
