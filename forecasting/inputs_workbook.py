"""The inputs workbook: an assumption set as an editable Excel workbook, and back.

``export_workbook`` writes every parameter of a set into a workbook a finance officer can
edit: a sheet per area file (one row per field, with value, a column per financial year,
low, high, unit, basis and source), the scenarios as override rows, the set's other files
(history CSVs, the caveats log) as lines of text, and a cover saying how to use it. Input
cells are yellow and unlocked; everything else is locked (sheet protection, no password).

``load_workbook`` reads the workbook back into the same plain data and line marks the YAML
reader makes, with each mark naming a cell (``inputs.xlsx!High needs!D12``), and checks it
with the same validation and consistency pass, so ``forecast run``, ``validate`` and
``solve`` accept a workbook directly. ``read_workbook`` gives the set image that
``forecast inputs import`` writes back as YAML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import posixpath
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml
from openpyxl import Workbook
from openpyxl import load_workbook as open_xlsx
from openpyxl.styles import Alignment, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from . import __version__
from .errors import InputError, Problem
from .excel.styles import (
    BOLD,
    GBP,
    TEXT,
    TITLE,
    WRAP,
    cell_style,
    header_row,
    page_setup,
    set_widths,
    text,
)
from .loading import (
    Document,
    Loc,
    Path_,
    Scenario,
    apply_override,
    baseline,
    check_unique,
    choose,
    display,
    iter_params,
    load,
    load_base,
    validate,
)
from .roles import ROLES
from .schema import Basis, Flag, Param
from .setfiles import AreaFile, ScenarioFile, SetImage, read_image
from .validating import resolve_trends
from .years import Timeline, is_year, parse_year, workbook_label


def _kinds(cls: type[Param]) -> list[type[Param]]:
    return [cls, *(k for sub in cls.__subclasses__() for k in _kinds(sub))]


# Units a parameter may carry (each parameter kind's own unit) and the basis of a figure.
UNITS: tuple[str, ...] = tuple(dict.fromkeys([k.UNIT for k in _kinds(Param) if k.UNIT] + ["flag"]))
BASES: tuple[str, ...] = get_args(Basis)

# Row types (column "Type"): a parameter, or a plain field of the set.
PARAM, FLAG = "parameter", "yes/no parameter"
TEXT_T, BOOL_T, INT_T, NUM_T, EMPTY_T = "text", "yes/no", "whole number", "number", "empty group"
LIST_T = "list of names"  # e.g. the moves a saving is linked to, written "a, b"
ROW_TYPES = (PARAM, FLAG, TEXT_T, BOOL_T, INT_T, NUM_T, EMPTY_T, LIST_T)

# Forms of a scenario override (column "Override is").
VALUE_F, FIELDS_F, BY_YEAR_F, YAML_F = "value", "fields", "by year", "YAML"
FORMS = (VALUE_F, FIELDS_F, BY_YEAR_F, YAML_F)

# Parameter columns after the year columns, and the parameter field each one holds.
TAIL = (
    ("Low", "low"),
    ("High", "high"),
    ("Unit", "unit"),
    ("Basis", "basis"),
    ("Source", "source"),
    ("Description", "description"),
    ("From trend", "from_trend"),
    # A growth rate's yearly shock (forecasting.uncertainty): one field per column.
    ("Shock sd", "yearly_shock.sd"),
    ("Shock persistence", "yearly_shock.persistence"),
    ("Shock group", "yearly_shock.group"),
    ("Shock sd in stated years", "yearly_shock.stated_sd"),
    ("Shock source", "yearly_shock.source"),
)
PARAM_FIELDS = {"value", "values", *(f.split(".")[0] for _, f in TAIL)}
RANGE_ONLY = ("low", "high", "from_trend", "yearly_shock")  # fields a yes/no cannot have


def _field(p: Any, key: str) -> Any:
    """A parameter's field by dotted key (``yearly_shock.sd``), or None."""
    for part in key.split("."):
        p = p.get(part) if isinstance(p, dict) else None
    return p


AREA_MARK = "YAML file"  # cell A2 of an area sheet; B2 names the file
HEADER_ROW = 5
SPARE_ROWS = 10  # unlocked empty rows for new items
SHEET_NAMES = {
    "general.yaml": "General",
    "childrens_services.yaml": "Children's services",
    "high_needs.yaml": "High needs",
}
COVER, SCENARIOS, FILES = "Cover", "Scenarios", "Files"
COVER_LINE = 100  # characters of how-to text a line of the cover holds
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
UNLOCKED = Protection(locked=False)


# ============================================================================ export


def export_workbook(folder: Path) -> bytes:
    """The inputs workbook of the set in ``folder`` (every scenario must validate first)."""
    load(folder)  # the whole set and every scenario must be valid before it is exported
    base = load_base(folder)
    kinds = {
        path: (FLAG if isinstance(p, Flag) else PARAM) for path, p in iter_params(base.assumptions)
    }
    image = read_image(folder)
    tl = base.assumptions.timeline
    years = Timeline(tl.base_year, tl.horizon_years).labels
    extra = sorted(
        {y for a in image.areas for y in _years_in(a.data)}
        | {y for s in image.scenarios for y in _years_in(s.data)},
    )
    years += [y for y in extra if y not in years]
    years.sort(key=parse_year)

    wb = Workbook()
    wb.remove(wb.active)
    _cover(wb, folder, base, image)
    for area in image.areas:
        _area_sheet(wb, area, kinds, years)
    _scenarios_sheet(wb, image.scenarios, years)
    _files_sheet(wb, image)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _years_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if is_year(k):
                yield str(k)
            yield from _years_in(v)


def set_hash(folder: Path) -> str:
    """SHA-256 over every file of the set, by relative path: which set a workbook came from."""
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        rel = p.relative_to(folder).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
            continue
        h.update(rel.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


HOW_TO = [
    "Change figures only in the yellow cells (blue figures); everything else is locked. "
    "The sheets are protected without a password: Review > Unprotect Sheet to add rows.",
    "Each area sheet has one row per field of the assumption set, named by its path. "
    "Value applies to every year; a figure under a year column replaces it in that year. "
    "Base-year figures (children by placement, unit costs) take a Value only.",
    "Low and High give the range uncertainty analysis draws from (Low <= Value <= High).",
    "Unit and Basis are chosen from a list. Source says where the figure comes from: "
    "replace every 'estimate' with the council's own figure first (see caveats.md on the "
    "Files sheet).",
    "Rows of type text, yes/no or number are plain fields (labels, yes/no choices, the "
    "start year of a saving): type the new text or value in the Value column.",
    "To add an item (a placement type, a saving), fill a spare row at the foot of its sheet "
    "with the path, the type and its fields, as the rows above it are.",
    "Scenarios sheet: each scenario extends the set (..) or another scenario and overrides "
    "fields by path. 'Override is' says how: value (replaces the value and any values by "
    "year), fields (changes only the fields filled in), by year (the year columns replace "
    "the values by year), YAML (any other change, written as YAML text).",
    "Check and run the workbook as it is: forecast validate inputs.xlsx, then forecast run "
    "inputs.xlsx --out reports. A problem is reported by sheet and cell, and nothing is "
    "written until every problem is fixed.",
    "Write it back as a YAML set: forecast inputs import inputs.xlsx DIR.",
    "The Files sheet carries the set's other files (history CSVs for fitted trends, "
    "caveats.md) line by line; import writes them back.",
    "Not carried: YAML comments other than each file's opening comment block.",
]


def _cover(wb: Workbook, folder: Path, base: Scenario, image: SetImage) -> None:
    ws = wb.create_sheet(COVER)
    a = base.assumptions
    text(ws.cell(1, 1), f"Inputs workbook: {a.council.name}").font = TITLE
    rows = [
        ("Assumption set", a.council.assumption_set),
        ("Council", a.council.name),
        ("Assumptions as at", a.council.as_at),
        ("Base year (actual)", workbook_label(a.timeline.base_year)),
        ("Forecast years", str(a.timeline.horizon_years)),
        ("Exported from", folder.name),
        ("Exported on", dt.date.today().isoformat()),
        ("Tool version", f"council-forecasting {__version__}"),
        ("Set files hash (SHA-256)", set_hash(folder)),
    ]
    for i, (k, v) in enumerate(rows, start=3):
        text(ws.cell(i, 1), k).font = BOLD
        text(ws.cell(i, 2), v).alignment = WRAP
    r = len(rows) + 4
    text(ws.cell(r, 1), "How to use this workbook").font = BOLD
    for i, line in enumerate(HOW_TO, start=1):
        text(ws.cell(r + i, 1), f"{i}.").alignment = Alignment(vertical="top")
        text(ws.cell(r + i, 2), line).alignment = WRAP
        ws.row_dimensions[r + i].height = 15 * -(-len(line) // COVER_LINE)
    r += len(HOW_TO) + 2
    text(ws.cell(r, 1), "Legend").font = BOLD
    cell_style(text(ws.cell(r + 1, 1), "input"), "input")
    text(ws.cell(r + 1, 2), "a cell you may change")
    if image.skipped:
        text(ws.cell(r + 3, 1), "Not carried").font = BOLD
        text(ws.cell(r + 3, 2), "files that are not text: " + ", ".join(image.skipped))
    set_widths(ws, {1: 26, 2: COVER_LINE + 10})
    page_setup(ws)
    ws.protection.sheet = True


def _label(data: dict, path: Path_) -> str:
    """A reader's name for the field at ``path``: its item's label and the field's name."""
    node: Any = data
    item_label, rest = "", list(path)
    for i, part in enumerate(path[:-1]):
        node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("label"), str):
            item_label, rest = node["label"], list(path[i + 1 :])
    words = " / ".join(p.replace("_", " ") for p in (rest if item_label else path[-2:]))
    return f"{item_label}: {words}" if item_label else words[:1].upper() + words[1:]


def _rows(data: dict, prefix: Path_, kinds: dict) -> Iterator[tuple[Path_, str, Any]]:
    for k, v in data.items():
        path = prefix + (str(k),)
        if path in kinds and isinstance(v, dict):
            yield path, kinds[path], v
        elif isinstance(v, dict):
            if v:
                yield from _rows(v, path, kinds)
            else:
                yield path, EMPTY_T, None
        elif isinstance(v, list):
            yield path, LIST_T, ", ".join(str(x) for x in v)
        else:
            kind = (
                BOOL_T
                if isinstance(v, bool)
                else INT_T
                if isinstance(v, int)
                else NUM_T
                if isinstance(v, float)
                else TEXT_T
            )
            yield path, kind, v


def _columns(years: list[str], first: list[str], last: list[str]) -> dict[str, int]:
    names = first + [workbook_label(y) for y in years] + [h for h, _ in TAIL] + last
    return {n: i for i, n in enumerate(names, start=1)}


def _input(cell, value: Any = None, fmt: str | None = None) -> None:
    """An input cell: yellow, unlocked, holding ``value`` as typed (text stays text)."""
    if isinstance(value, str):
        text(cell, value)
    elif value is not None:
        cell.value = value
    cell_style(cell, "input", fmt or (TEXT if isinstance(value, str) else None))
    cell.protection = UNLOCKED


def _number_format(values: list[Any], unit: Any) -> str | None:
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if str(unit).startswith("GBP") and all(float(v).is_integer() for v in nums):
        return GBP
    return None


def _param_cells(ws: Worksheet, r: int, col: dict, p: dict, years: list[str], flag: bool) -> None:
    values = p.get("values") or {}
    fmt = _number_format(
        [p.get("value"), p.get("low"), p.get("high"), *values.values()], p.get("unit")
    )
    _input(ws.cell(r, col["Value"]), p.get("value"), fmt)
    for y in years:
        _input(ws.cell(r, col[workbook_label(y)]), values.get(y), fmt)
    for header, key in TAIL:
        c = ws.cell(r, col[header])
        if flag and key.split(".")[0] in RANGE_ONLY:
            c.fill = LOCKED_FILL
            continue
        _input(c, _field(p, key), fmt if key in ("low", "high") else None)


def _validations(ws: Worksheet, col: dict, first: int, last: int, lists: dict) -> None:
    for header, options in lists.items():
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(options) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{header} not in the list",
            error=f"Choose one of: {', '.join(options)}",
            promptTitle=header,
            prompt="Choose from the list",
            showInputMessage=True,
        )
        letter = get_column_letter(col[header])
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may be changed; contents stay locked
    ws.protection.formatRows = False


def _area_sheet(wb: Workbook, area: AreaFile, kinds: dict, years: list[str]) -> None:
    title = SHEET_NAMES.get(area.name) or area.name.rsplit(".", 1)[0].replace("_", " ").title()
    ws = wb.create_sheet(title[:31])
    text(ws.cell(1, 1), f"{title}: assumptions").font = TITLE
    text(ws.cell(2, 1), AREA_MARK).font = BOLD
    text(ws.cell(2, 2), area.name)
    text(ws.cell(3, 1), "Notes").font = BOLD
    _input(ws.cell(3, 2), area.header or None)
    ws.cell(3, 2).alignment = Alignment(wrap_text=False, vertical="top")
    col = _columns(years, ["Parameter", "Label", "Type", "Value"], [])
    header_row(ws, HEADER_ROW, list(col))
    r = HEADER_ROW
    for r, (path, kind, v) in enumerate(_rows(area.data, (), kinds), start=HEADER_ROW + 1):
        text(ws.cell(r, col["Parameter"]), ".".join(path))
        text(ws.cell(r, col["Label"]), _label(area.data, path))
        text(ws.cell(r, col["Type"]), kind)
        if kind in (PARAM, FLAG):
            _param_cells(ws, r, col, v, years, kind == FLAG)
        elif kind == EMPTY_T:
            ws.cell(r, col["Value"]).fill = LOCKED_FILL
        else:
            _input(ws.cell(r, col["Value"]), v)
    last = r + SPARE_ROWS
    for spare in range(r + 1, last + 1):
        for c in col.values():
            _input(ws.cell(spare, c))
    _validations(ws, col, HEADER_ROW + 1, last, {"Unit": UNITS, "Basis": BASES, "Type": ROW_TYPES})
    widths = {col["Parameter"]: 58, col["Label"]: 40, col["Type"]: 14, col["Value"]: 13}
    widths.update({col[workbook_label(y)]: 12 for y in years})
    widths.update({col["Low"]: 11, col["High"]: 11, col["Unit"]: 10, col["Basis"]: 11})
    widths.update({col["Source"]: 60, col["Description"]: 30, col["From trend"]: 14})
    set_widths(ws, widths)
    page_setup(ws, freeze=f"E{HEADER_ROW + 1}", title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    _protect(ws)


def _form(value: Any) -> str:
    if not isinstance(value, dict):
        return VALUE_F
    if (
        value
        and all(is_year(k) for k in value)
        and not any(isinstance(v, (dict, list)) for v in value.values())
    ):
        return BY_YEAR_F
    if (
        value
        and set(value) <= PARAM_FIELDS
        and all(not isinstance(v, (dict, list)) for k, v in value.items() if k != "values")
        and (
            "values" not in value
            or (isinstance(value["values"], dict) and all(is_year(y) for y in value["values"]))
        )
    ):
        return FIELDS_F
    return YAML_F


def _scenarios_sheet(wb: Workbook, scenarios: list[ScenarioFile], years: list[str]) -> None:
    ws = wb.create_sheet(SCENARIOS)
    text(ws.cell(1, 1), "Scenarios: what each changes from the set").font = TITLE
    text(
        ws.cell(2, 1),
        "Each scenario extends the set (..) or another scenario (its name), then overrides "
        "fields by path. Override is: value (replaces the value and any values by year), "
        "fields (only the fields filled in), by year (replaces the values by year), YAML.",
    )
    head = ["Scenario", "Name", "Extends", "Description", "Title", "Role"]
    header_row(ws, 4, head)
    r = 4
    for r, s in enumerate(scenarios, start=5):
        text(ws.cell(r, 1), s.stem)
        for c, key in enumerate(head[1:], start=2):
            _input(ws.cell(r, c), s.data.get(key.lower()))
    for spare in range(r + 1, r + 4):
        for c in range(1, len(head) + 1):
            _input(ws.cell(spare, c))
    top = r + 5
    col = _columns(years, ["Scenario", "Override path", "Override is", "Value"], ["YAML"])
    header_row(ws, top, list(col))
    r = top
    for s in scenarios:
        for dotted, value in (s.data.get("overrides") or {}).items():
            r += 1
            form = _form(value)
            text(ws.cell(r, 1), s.stem)
            text(ws.cell(r, 2), str(dotted))
            _input(ws.cell(r, 3), form)
            if form == VALUE_F:
                _input(ws.cell(r, col["Value"]), value)
            elif form == BY_YEAR_F:
                for y, v in value.items():
                    _input(ws.cell(r, col[workbook_label(str(y))]), v)
            elif form == FIELDS_F:
                _param_cells(ws, r, col, value, years, False)
            else:
                _input(
                    ws.cell(r, col["YAML"]),
                    yaml.safe_dump(value, default_flow_style=True, width=10_000).strip(),
                )
            for c in col.values():
                if ws.cell(r, c).protection.locked and c > 3:
                    _input(ws.cell(r, c))
    last = r + SPARE_ROWS * 2
    for spare in range(r + 1, last + 1):
        for c in col.values():
            _input(ws.cell(spare, c))
    _validations(ws, col, top + 1, last, {"Unit": UNITS, "Basis": BASES, "Override is": FORMS})
    widths = {1: 24, 2: 52, 3: 14, 4: 40}
    widths.update({col[workbook_label(y)]: 12 for y in years})
    widths.update({col["Source"]: 50, col["YAML"]: 40})
    set_widths(ws, widths)
    page_setup(ws)
    _protect(ws)


def _files_sheet(wb: Workbook, image: SetImage) -> None:
    ws = wb.create_sheet(FILES)
    text(ws.cell(1, 1), "Other files of the set, line by line").font = TITLE
    text(
        ws.cell(2, 1),
        "History CSVs (for growth rates from a fitted trend) and the caveats log. "
        "`forecast inputs import` writes each back as the file named in column A.",
    )
    header_row(ws, 4, ["File", "Line", "Text"])
    r = 4
    for name, body in image.files.items():
        for i, line in enumerate(body.split("\n"), start=1):
            r += 1
            text(ws.cell(r, 1), name)
            ws.cell(r, 2, i)
            _input(ws.cell(r, 3), line if line else None, TEXT)
    set_widths(ws, {1: 30, 2: 6, 3: 120})
    page_setup(ws, freeze="A5")
    _protect(ws)


# ============================================================================ import


@dataclass
class WorkbookSet:
    """A workbook read back: the set image, and cell marks for every field."""

    name: str  # how the workbook is named in messages
    image: SetImage
    base: Document  # the area sheets merged, with a cell for every field
    scenario_docs: dict[str, Document] = field(default_factory=dict)  # by stem, with cells


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []

    def loc(self, ws: Worksheet, row: int, col: int) -> Loc:
        return Loc(f"{self.name}!{ws.title}!{get_column_letter(col)}{row}", None)

    def problem(self, loc: Loc, path: str | None, message: str) -> None:
        self.problems.append(Problem(loc.file, loc.line, path, message))


def _cell(ws: Worksheet, r: int, c: int | None) -> Any:
    if c is None:
        return None
    v = ws.cell(r, c).value
    return None if v == "" else v


def _header_map(ws: Worksheet, row: int, rd: _Reader) -> tuple[dict[str, int], dict[str, int]]:
    """Named columns and year columns (by file year label) of a header row."""
    named, years = {}, {}
    for c in range(1, ws.max_column + 1):
        h = ws.cell(row, c).value
        if h is None or h == "":
            continue
        h = str(h).strip()
        if "/" in h or (h[:4].isdigit() and "-" in h):
            label = h.replace("/", "-")
            try:
                parse_year(label)
                years[label] = c
            except ValueError as e:
                rd.problem(rd.loc(ws, row, c), None, f"column heading: {e}")
        else:
            named[h] = c
    return named, years


def _as_bool(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("yes", "true", "no", "false"):
        return v.strip().lower() in ("yes", "true")
    return v


def _as_int(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _put(doc: Document, path: Path_, value: Any, loc: Loc, rd: _Reader) -> bool:
    """Place ``value`` at ``path`` in the document, marking each new level with ``loc``."""
    node = doc.data
    for i, part in enumerate(path[:-1]):
        sub = path[: i + 1]
        if part not in node:
            node[part] = {}
            doc.locs[sub] = loc
        elif not isinstance(node[part], dict):
            rd.problem(loc, ".".join(path), f"{'.'.join(sub)} is already a single field")
            return False
        node = node[part]
    if path[-1] in node:
        first = doc.locs.get(path)
        rd.problem(
            loc,
            ".".join(path),
            f"given twice (first at {first.file if first else 'an earlier row'})",
        )
        return False
    node[path[-1]] = value
    doc.locs[path] = loc
    return True


def _param_from_row(
    ws: Worksheet, r: int, named: dict, years: dict, rd: _Reader, flag: bool
) -> tuple[dict, dict[Path_, Loc]]:
    """A parameter's fields from one row, and the cell of each (for messages)."""
    p: dict[str, Any] = {}
    cells: dict[Path_, Loc] = {}
    conv = _as_bool if flag else (lambda v: v)
    if "Value" in named:
        cells[("value",)] = rd.loc(ws, r, named["Value"])
        v = _cell(ws, r, named["Value"])
        if v is not None:
            p["value"] = conv(v)
    by_year = {}
    for y, c in years.items():
        cells[("values", y)] = rd.loc(ws, r, c)
        v = _cell(ws, r, c)
        if v is not None:
            by_year[y] = conv(v)
    if years:
        cells[("values",)] = rd.loc(ws, r, next(iter(years.values())))
    if by_year:
        p["values"] = by_year
    for header, key in TAIL:
        if header not in named:
            continue
        cells[tuple(key.split("."))] = rd.loc(ws, r, named[header])
        v = _cell(ws, r, named[header])
        if v is None:
            continue
        if "." in key:
            group, field = key.split(".")
            p.setdefault(group, {})[field] = v
        else:
            p[key] = v
    # Keep the file's order of fields readable: description first, source last.
    order = ["description", "value", "values", "low", "high", "unit", "basis", "source"]
    ordered = {k: p[k] for k in order if k in p}
    ordered.update({k: v for k, v in p.items() if k not in ordered})
    return ordered, cells


def _read_area(ws: Worksheet, rd: _Reader, base: Document) -> AreaFile | None:
    name = str(ws.cell(2, 2).value or "").strip()
    if not name.endswith((".yaml", ".yml")) or "/" in name or "\\" in name:
        rd.problem(rd.loc(ws, 2, 2), None, "the YAML file name of this sheet (e.g. general.yaml)")
        return None
    header = ws.cell(3, 2).value
    named, years = _header_map(ws, HEADER_ROW, rd)
    for need in ("Parameter", "Type", "Value"):
        if need not in named:
            rd.problem(rd.loc(ws, HEADER_ROW, 1), None, f"the heading '{need}' is missing")
            return None
    area = Document({})
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        path_text = _cell(ws, r, named["Parameter"])
        kind = _cell(ws, r, named["Type"])
        if path_text is None and kind is None:
            continue
        here = rd.loc(ws, r, named["Parameter"])
        if not isinstance(path_text, str) or not all(str(path_text).strip().split(".")):
            rd.problem(here, None, "give the field's path, e.g. high_needs.inflation")
            continue
        path = tuple(path_text.strip().split("."))
        dotted = ".".join(path)
        if kind not in ROW_TYPES:
            rd.problem(
                rd.loc(ws, r, named["Type"]),
                dotted,
                f"type {kind!r} is not one of {', '.join(ROW_TYPES)}",
            )
            continue
        value_loc = rd.loc(ws, r, named["Value"])
        if kind in (PARAM, FLAG):
            p, cells = _param_from_row(ws, r, named, years, rd, kind == FLAG)
            if _put(area, path, p, here, rd):
                area.locs.update({path + k: loc for k, loc in cells.items()})
        elif kind == EMPTY_T:
            _put(area, path, {}, value_loc, rd)
        elif kind == LIST_T:
            v = _cell(ws, r, named["Value"])
            names = [x.strip() for x in str(v).split(",")] if v is not None else []
            _put(area, path, [x for x in names if x], value_loc, rd)
        else:
            v = _cell(ws, r, named["Value"])
            v = _as_bool(v) if kind == BOOL_T else _as_int(v) if kind == INT_T else v
            if isinstance(v, (dt.datetime, dt.date, dt.time)):
                rd.problem(value_loc, dotted, f"expected {kind}, got a date ({v}); type it as text")
                continue
            _put(area, path, v, value_loc, rd)
    for section, value in area.data.items():
        if section in base.data:
            first = base.locs[(section,)]
            rd.problem(area.locs[(section,)], section, f"section also given in {first.file}")
            continue
        base.data[section] = value
    base.locs.update(area.locs)
    return AreaFile(name, header if isinstance(header, str) else "", area.data)


def _find_row(ws: Worksheet, a: str, b: str) -> int | None:
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == a and ws.cell(r, 2).value == b:
            return r
    return None


def _read_scenarios(ws: Worksheet, rd: _Reader) -> tuple[list[ScenarioFile], dict[str, Document]]:
    top = _find_row(ws, "Scenario", "Name")
    table = _find_row(ws, "Scenario", "Override path")
    if top is None or table is None:
        rd.problem(rd.loc(ws, 1, 1), None, "the scenario and override headings are missing")
        return [], {}
    files: dict[str, ScenarioFile] = {}
    docs: dict[str, Document] = {}
    for r in range(top + 1, table):
        stem = _cell(ws, r, 1)
        rest = [_cell(ws, r, c) for c in (2, 3, 4, 5, 6)]
        if stem is None and all(v is None for v in rest):
            continue
        if not isinstance(stem, str) or not stem.strip() or "/" in stem or "\\" in stem:
            rd.problem(rd.loc(ws, r, 1), None, "give the scenario a name (its file name)")
            continue
        stem = stem.strip()
        if stem in files:
            rd.problem(rd.loc(ws, r, 1), None, f"scenario '{stem}' is listed twice")
            continue
        given = {
            "name": rest[0],
            "title": rest[3],
            "role": rest[4],
            "description": rest[2],
            "extends": rest[1],
        }
        data = {k: v for k, v in given.items() if v is not None}
        doc = Document(data, {(): rd.loc(ws, r, 1)})
        for name, c in (("name", 2), ("extends", 3), ("description", 4), ("title", 5), ("role", 6)):
            doc.locs[(name,)] = rd.loc(ws, r, c)
        if rest[4] is not None and rest[4] not in ROLES:
            rd.problem(rd.loc(ws, r, 6), "role", f"expected one of {', '.join(ROLES)}")
        files[stem], docs[stem] = ScenarioFile(stem, data), doc
    named, years = _header_map(ws, table, rd)
    for r in range(table + 1, ws.max_row + 1):
        stem, dotted, form = (_cell(ws, r, c) for c in (1, 2, 3))
        row = [_cell(ws, r, c) for c in range(1, ws.max_column + 1)]
        if all(v is None for v in row):
            continue
        if stem not in files:
            rd.problem(rd.loc(ws, r, 1), None, f"no scenario '{stem}' in the table above this one")
            continue
        if not isinstance(dotted, str) or not dotted.strip():
            rd.problem(rd.loc(ws, r, 2), None, "give the path of the field to override")
            continue
        dotted = dotted.strip()
        if form not in FORMS:
            rd.problem(rd.loc(ws, r, 3), dotted, f"'Override is' must be one of {', '.join(FORMS)}")
            continue
        doc = docs[stem]
        overrides = files[stem].data.setdefault("overrides", {})
        if dotted in overrides:
            rd.problem(rd.loc(ws, r, 2), dotted, f"overridden twice in scenario '{stem}'")
            continue
        key: Path_ = ("overrides", dotted)
        if form == VALUE_F:
            value = _cell(ws, r, named.get("Value"))
            doc.locs[key] = rd.loc(ws, r, named["Value"])
        elif form == BY_YEAR_F:
            value = {y: _cell(ws, r, c) for y, c in years.items() if _cell(ws, r, c) is not None}
            doc.locs[key] = rd.loc(ws, r, 2)
            doc.locs.update({key + (y,): rd.loc(ws, r, c) for y, c in years.items()})
        elif form == FIELDS_F:
            value, cells = _param_from_row(ws, r, named, years, rd, False)
            doc.locs[key] = rd.loc(ws, r, 2)
            doc.locs.update({key + k: loc for k, loc in cells.items()})
        else:
            loc = rd.loc(ws, r, named["YAML"])
            doc.locs[key] = loc
            try:
                value = yaml.safe_load(str(_cell(ws, r, named["YAML"]) or ""))
            except yaml.YAMLError as e:
                rd.problem(loc, dotted, f"not YAML: {str(e).splitlines()[0]}")
                continue
        overrides[dotted] = value
    return list(files.values()), docs


def _read_files(ws: Worksheet, rd: _Reader) -> dict[str, str]:
    lines: dict[str, list[str]] = {}
    for r in range(5, ws.max_row + 1):
        name = _cell(ws, r, 1)
        if name is None:
            continue
        body = _cell(ws, r, 3)
        lines.setdefault(str(name), []).append("" if body is None else str(body))
    return {name: "\n".join(body) for name, body in lines.items()}


def read_workbook(path: Path) -> WorkbookSet:
    """Read an inputs workbook into a set image with the cell of every field."""
    name = display(path)
    try:
        wb = open_xlsx(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise InputError(
            Problem(name, None, None, f"cannot be read as an Excel workbook (.xlsx): {e}")
        ) from None
    rd = _Reader(name)
    base = Document({})
    areas: list[AreaFile] = []
    scenarios: list[ScenarioFile] = []
    docs: dict[str, Document] = {}
    files: dict[str, str] = {}
    for ws in wb.worksheets:
        if ws.cell(2, 1).value == AREA_MARK:
            area = _read_area(ws, rd, base)
            if area:
                areas.append(area)
        elif ws.title == SCENARIOS:
            scenarios, docs = _read_scenarios(ws, rd)
        elif ws.title == FILES:
            files = _read_files(ws, rd)
    if not areas and not rd.problems:
        rd.problem(Loc(name, None), None, "no assumption sheets: is this an inputs workbook?")
    if rd.problems:
        raise InputError(rd.problems)
    return WorkbookSet(name, SetImage(areas, scenarios, files), base, docs)


# ============================================================================== load


def _extends_target(extends: str) -> str | None:
    """The scenario stem an ``extends`` names, or None for the set itself."""
    norm = posixpath.normpath("scenarios/" + extends.strip().replace("\\", "/"))
    if norm == ".":
        return None
    head, _, tail = norm.partition("/")
    if head != "scenarios" or "/" in tail:
        raise ValueError(extends)
    for suffix in (".yaml", ".yml"):
        tail = tail.removesuffix(suffix)
    return tail


def _merged(ws_set: WorkbookSet, stem: str, chain: tuple[str, ...] = ()) -> Document:
    """The set with a scenario's overrides (and those of what it extends) applied."""
    doc = ws_set.scenario_docs[stem]
    data = doc.data
    where = doc.locs[("extends",)]
    if stem in chain:
        cycle = " -> ".join((*chain, stem))
        raise InputError(
            Problem(
                where.file, None, "extends", f"scenarios extend each other in a circle: {cycle}"
            )
        )
    extends = data.get("extends")
    if not isinstance(extends, str) or not extends.strip():
        raise InputError(
            Problem(where.file, None, "extends", "required: .. (the set) or another scenario")
        )
    try:
        target = _extends_target(extends)
    except ValueError:
        target = ""
    if target is None:
        base = ws_set.base
    elif target in ws_set.scenario_docs:
        base = _merged(ws_set, target, (*chain, stem))
    else:
        raise InputError(
            Problem(
                where.file,
                None,
                "extends",
                f"'{extends}' is neither .. (the set) nor a scenario of this workbook "
                f"({', '.join(ws_set.scenario_docs)})",
            )
        )
    merged = Document(dict(base.data), dict(base.locs))
    overrides = data.get("overrides") or {}
    for dotted, value in overrides.items():
        src = ("overrides", dotted)
        apply_override(merged, dotted, value, doc.locs, src, doc.locs[src].file)
    return merged


def load_workbook(path: Path, names: tuple[str, ...] = ()) -> list[Scenario]:
    """Scenarios to run from an inputs workbook (all, or those named), checked exactly as
    a YAML set is; every problem is named by workbook, sheet and cell."""
    ws_set = read_workbook(path)
    stems = [s.stem for s in ws_set.image.scenarios]
    chosen = choose(stems, names, ws_set.name, "--scenario")
    out: list[Scenario] = []
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as tmp:
        set_dir = Path(tmp)  # the carried files, for growth rates from a fitted trend
        for rel, body in ws_set.image.files.items():
            target = (set_dir / rel).resolve()
            if set_dir.resolve() in target.parents:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body, encoding="utf-8")
        if not chosen:
            model = validate(ws_set.base, ws_set.name)
            resolve_trends(model, ws_set.base, set_dir)
            return [baseline(model, ws_set.base.locs, path.parent, [path])]
        for stem in chosen:
            try:
                doc = _merged(ws_set, stem)
                model = validate(doc, ws_set.name)
                resolve_trends(model, doc, set_dir)
            except InputError as e:
                problems.extend(p for p in e.problems if p not in problems)
                continue
            data = ws_set.scenario_docs[stem].data
            description = data.get("description") or ""
            out.append(
                Scenario(
                    str(data.get("name") or stem),
                    description if isinstance(description, str) else str(description),
                    model,
                    doc.locs,
                    path.parent,
                    [path],
                    data.get("overrides") or {},
                    role=data.get("role"),
                    title=str(data.get("title") or ""),
                )
            )
    if problems:
        raise InputError(problems)

    def where(i: int, key: str) -> str:
        locs = ws_set.scenario_docs[chosen[i]].locs
        return (locs.get((key,)) or locs.get(("name",)) or Loc(ws_set.name, None)).file

    check_unique(out, where)
    return out
