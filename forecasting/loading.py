"""Reading assumption sets and scenarios from YAML, keeping the line of every field.

An assumption *set* is a folder: its ``*.yaml`` files are merged by their top-level
sections, and ``scenarios/*.yaml`` are scenarios. A scenario file ``extends`` the set
folder or another scenario and overrides values by dotted path. Every problem found
(YAML syntax, duplicate keys, unknown fields, wrong types, impossible values) is
reported as ``FILE:LINE: path: message``.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .consistency import check
from .errors import InputError, Problem
from .roles import ROLES
from .schema import AssumptionSet, Flag, Param, iter_params, set_model
from .textfile import CONTROL, read_bytes, read_text
from .years import parse_year, year_label

Path_ = tuple[str, ...]
SCENARIO_KEYS = {"name", "title", "description", "extends", "overrides", "role"}


@dataclass(frozen=True)
class Loc:
    file: str
    line: int | None


@dataclass
class Document:
    """Plain data read from YAML plus the file and line of every field in it."""

    data: Any
    locs: dict[Path_, Loc] = field(default_factory=dict)


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

    @property
    def label(self) -> str:
        """How a reader sees the scenario: its title, or its name in words."""
        return self.title or self.name.replace("-", " ").replace("_", " ").capitalize()

    def where(self, path: str) -> Loc | None:
        """File and line that set the field at dotted ``path`` (or its nearest parent)."""
        return nearest_loc(self.locs, tuple(path.split(".")))

    def input_hash(self) -> str:
        """SHA-256 over every file this scenario was read from, in a fixed order."""
        h = hashlib.sha256()
        for f in sorted({p.resolve() for p in self.files}):
            h.update(f.name.encode())
            h.update(read_bytes(f, display(f), "YAML"))
        return h.hexdigest()


def display(path: Path) -> str:
    """Path as the user would recognise it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic-link loop
        return os.path.normpath(path)


def _resolved(path: Path) -> Path:
    """The real path of ``path``; a symbolic-link loop gives the absolute path unresolved."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


# The YAML 1.2 core schema, the only implicit types assumption files use. PyYAML resolves
# YAML 1.1, where ``0266`` is octal 182, ``4:26`` is 266 and yes/no/on/off are booleans;
# here those stay text (or, like ``0266``, the decimal number they look like).
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_TRUE = re.compile(r"(?:true|True|TRUE)\Z")
_FALSE = re.compile(r"(?:false|False|FALSE)\Z")
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {None, "!", _STR, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
# Assumption files nest six levels deep at most; 40 leaves room for any honest layout and
# stops a file of thousands of brackets before it costs time or stack.
MAX_DEPTH = 40


def core_scalar(text: str) -> Any:
    """A plain (unquoted) YAML scalar read by the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT10.match(text):
        return int(text) if len(text) <= 1000 else text  # Python refuses >4300 digits
    if _INT8.match(text):
        return int(text[2:], 8)
    if _INT16.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    m = _INF.match(text)
    if m:
        return float(f"{m.group(1)}inf")
    if _NAN.match(text):
        return float("nan")
    return text


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser, where libyaml is not installed."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml's event parser when PyYAML was built with it (several times faster). Only its
# events are used: the document is built here, by the core schema, without recursion.
try:
    from yaml._yaml import CParser as Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    Parser = _PyParser  # type: ignore[assignment,misc]
Loader = Parser  # the name earlier versions exported
_CACHE: dict[tuple[str, int, int], Document] = {}


def read_yaml(path: Path) -> Document:
    """Parse one YAML file into data and line marks; duplicate keys are errors.

    A file already read (same path, size and modification time) is not parsed again:
    every scenario of a set reads the set's files. The document returned is shared, so
    callers copy before they change it (``apply_override`` copies what it changes).
    """
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic-link loop (Python < 3.13)
        key = None
    if key in _CACHE:
        return _CACHE[key]
    doc = _parse_yaml(path)
    if key is not None:
        _CACHE[key] = doc
    return doc


def _parse_yaml(path: Path) -> Document:
    name = display(path)
    text = read_text(path, name, "YAML")
    parser = Parser(text)
    try:
        return _compose(parser, name)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        raise InputError(Problem(name, line, None, f"YAML syntax error: {what}")) from None
    except yaml.YAMLError as e:
        raise InputError(Problem(name, None, None, f"YAML error: {e}")) from None
    finally:
        parser.dispose()


class _Frame:
    """A mapping or sequence being filled: its data, path, and the key awaiting a value."""

    __slots__ = ("data", "path", "key")

    def __init__(self, data: Any, path: Path_) -> None:
        self.data: Any = data
        self.path: Path_ = path
        self.key: str | None = None


def _compose(parser: Any, name: str) -> Document:
    """Build plain data and line marks from the parser's events, iteratively.

    Refused, each at its line: anchors' aliases (``*name``, which can expand a few bytes
    into billions of values), nesting deeper than :data:`MAX_DEPTH`, tags other than the
    plain ones, keys that are not text, duplicate keys, merge keys, and control characters.
    """
    events = yaml.events
    parser.get_event()  # stream start
    if parser.check_event(events.StreamEndEvent):
        raise InputError(Problem(name, None, None, "file is empty"))
    parser.get_event()  # document start
    locs: dict[Path_, Loc] = {}
    stack: list[_Frame] = []
    root: Any = None

    def fail(event: Any, path: Path_, message: str) -> InputError:
        return InputError(Problem(name, event.start_mark.line + 1, _dotted(path), message))

    while True:
        ev = parser.get_event()
        if isinstance(ev, (events.MappingEndEvent, events.SequenceEndEvent)):
            done = stack.pop()
            if not stack:
                root = done.data
                break
            continue
        top = stack[-1] if stack else None
        line = ev.start_mark.line + 1
        if isinstance(ev, events.AliasEvent):
            if top is None:
                where: Path_ = ()
            elif isinstance(top.data, list):
                where = top.path + (str(len(top.data)),)
            else:
                where = top.path + ((top.key,) if top.key is not None else ())
            raise fail(ev, where, "aliases (*name) are not supported; write the values out")
        if top is not None and isinstance(top.data, dict) and top.key is None:
            # a mapping key: plain text only
            if not isinstance(ev, events.ScalarEvent):
                raise fail(ev, top.path, "a key must be text")
            if ev.tag not in _PLAIN_TAGS:
                raise fail(ev, top.path, f"tags ({ev.tag}) are not supported")
            key = ev.value
            if key == "<<" and ev.implicit[0]:
                raise fail(ev, top.path, "merge keys (<<) are not supported; write the values out")
            if CONTROL.search(key):
                raise fail(ev, top.path, "a key must not contain control characters")
            if key in top.data:
                first = locs[top.path + (key,)].line
                raise fail(ev, top.path + (key,), f"duplicate key (first given on line {first})")
            locs[top.path + (key,)] = Loc(name, line)
            top.key = key
            continue
        if top is None:
            path: Path_ = ()
            locs[()] = Loc(name, line)
        elif isinstance(top.data, dict):
            path = top.path + (cast(str, top.key),)  # a mapping's value follows its key
        else:
            path = top.path + (str(len(top.data)),)
            locs[path] = Loc(name, line)
        if isinstance(ev, events.ScalarEvent):
            value = _scalar(ev, path, fail)
            if top is None:
                root = value
                break
        elif isinstance(ev, (events.MappingStartEvent, events.SequenceStartEvent)):
            if ev.tag not in _PLAIN_TAGS:
                raise fail(ev, path, f"tags ({ev.tag}) are not supported")
            if len(stack) >= MAX_DEPTH:
                raise fail(ev, path, f"nested more than {MAX_DEPTH} levels deep")
            value = {} if isinstance(ev, events.MappingStartEvent) else []
        else:  # pragma: no cover - the parser yields no other event inside a document
            raise fail(ev, path, f"unexpected YAML event {type(ev).__name__}")
        if top is not None:
            if isinstance(top.data, dict):
                top.data[top.key] = value
                top.key = None
            else:
                top.data.append(value)
        if isinstance(value, (dict, list)):
            stack.append(_Frame(value, path))
    parser.get_event()  # document end
    if not parser.check_event(events.StreamEndEvent):
        ev = parser.get_event()
        raise InputError(
            Problem(name, ev.start_mark.line + 1, None, "expected one YAML document, found more")
        )
    return Document(root, locs)


def _scalar(ev: Any, path: Path_, fail: Any) -> Any:
    """The value of a scalar event: plain ones by the core schema, quoted ones as text."""
    if ev.tag in (None, "!") and ev.implicit[0]:
        value = core_scalar(ev.value)
    elif ev.tag in (None, "!", _STR):
        value = ev.value
    elif ev.tag == "tag:yaml.org,2002:binary":
        raise fail(ev, path, "binary values are not allowed")
    else:
        raise fail(ev, path, f"tags ({ev.tag}) are not supported; write the value plainly")
    control = CONTROL.search(value) if isinstance(value, str) else None
    if control:
        bad = control.group()
        raise fail(
            ev,
            path,
            f"contains the control character U+{ord(bad):04X}; remove it "
            "(a workbook cannot hold it)",
        )
    return value


def _dotted(path: Path_) -> str:
    return ".".join(path) if path else "(top level)"


def nearest_loc(locs: dict[Path_, Loc], path: Path_) -> Loc | None:
    while True:
        if path in locs:
            return locs[path]
        if not path:
            return None
        path = path[:-1]


# --------------------------------------------------------------------------- sets


def read_set(folder: Path) -> tuple[Document, list[Path]]:
    """Merge the top-level YAML files of an assumption set folder by section."""
    name = display(folder)
    if not folder.exists():
        raise InputError(Problem(name, None, None, "assumption set not found"))
    if not folder.is_dir():
        raise InputError(Problem(name, None, None, "expected an assumption set folder"))
    files = _yaml_files(folder)
    if not files:
        raise InputError(Problem(name, None, None, "no .yaml files in this assumption set"))
    merged = Document({})
    problems: list[Problem] = []
    for f in files:
        try:
            doc = read_yaml(f)
        except InputError as e:
            problems.extend(e.problems)
            continue
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(display(f), 1, None, "expected sections (a mapping) at the top")
            )
            continue
        for section, value in doc.data.items():
            if section in merged.data:
                first = merged.locs[(section,)]
                problems.append(
                    Problem(
                        display(f),
                        doc.locs[(section,)].line,
                        section,
                        f"section also given in {first.file}:{first.line}",
                    )
                )
                continue
            merged.data[section] = value
        merged.locs.update({k: v for k, v in doc.locs.items() if k})
    if problems:
        raise InputError(problems)
    return merged, files


def _yaml_files(folder: Path) -> list[Path]:
    """The YAML files of a folder; anything but a folder is listed, for the reader to check."""
    try:
        entries = list(folder.iterdir())
    except OSError as e:
        raise InputError(
            Problem(display(folder), None, None, f"folder cannot be read ({e.strerror})")
        ) from None
    return sorted(p for p in entries if p.suffix in (".yaml", ".yml") and not p.is_dir())


def scenario_files(folder: Path) -> list[Path]:
    """The scenarios of a set, ``council-plan`` first, then by name."""
    d = folder / "scenarios"
    if not d.is_dir():
        return []
    files = _yaml_files(d)
    return sorted(files, key=lambda p: (p.stem != "council-plan", p.stem))


def _resolve_extends(target: str, base: Path) -> Path:
    p = base / target
    if p.is_dir():
        return p
    for candidate in (p, p.with_name(p.name + ".yaml"), p.with_name(p.name + ".yml")):
        if os.path.lexists(candidate) and not candidate.is_dir():  # read_yaml refuses non-files
            return candidate
    return p


def read_scenario(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[Document, dict, list[Path]]:
    """Read a scenario and everything it extends; returns merged data, header and files read."""
    name = display(path)
    resolved = _resolved(path)
    if resolved in _chain:
        cycle = " -> ".join(display(p) for p in (*_chain, resolved))
        raise InputError(
            Problem(name, None, "extends", f"scenarios extend each other in a circle: {cycle}")
        )
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError(
            Problem(name, 1, None, "a scenario is a mapping with extends and overrides")
        )
    unknown = [k for k in doc.data if k not in SCENARIO_KEYS]
    if unknown:
        k = unknown[0]
        raise InputError(
            Problem(
                name,
                doc.locs[(k,)].line,
                k,
                f"unknown key; expected one of "
                f"{', '.join(sorted(SCENARIO_KEYS))}{_suggest(k, SCENARIO_KEYS)}",
            )
        )
    extends = doc.data.get("extends")
    if not isinstance(extends, str) or not extends.strip():
        if extends is not None:
            raise InputError(
                Problem(
                    name,
                    doc.locs[("extends",)].line,
                    "extends",
                    f"must be a path as text (got {extends!r}): the assumption "
                    "set folder (e.g. ..) or a scenario file",
                )
            )
        raise InputError(
            Problem(
                name,
                doc.locs.get(("extends",), Loc(name, 1)).line,
                "extends",
                "required: the assumption set folder (e.g. ..) or a scenario",
            )
        )
    target = _resolve_extends(extends, path.parent)
    if target.is_dir():
        base, files = read_set(target)
        set_dir = target
    elif os.path.lexists(target):
        base, header, files = read_scenario(target, (*_chain, resolved))
        set_dir = header["set_dir"]
    else:
        raise InputError(
            Problem(
                name,
                doc.locs[("extends",)].line,
                "extends",
                f"'{extends}' not found (looked for {display(target)})",
            )
        )
    scenario_name = doc.data.get("name")
    if scenario_name is not None and not isinstance(scenario_name, str):
        raise InputError(
            Problem(
                name,
                doc.locs[("name",)].line,
                "name",
                f"a scenario name must be text (got {scenario_name!r}); put it in quotes",
            )
        )
    overrides = doc.data.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise InputError(
            Problem(
                name,
                doc.locs[("overrides",)].line,
                "overrides",
                "expected a mapping of dotted paths to values",
            )
        )
    merged = Document(dict(base.data), dict(base.locs))
    for dotted, value in overrides.items():
        apply_override(merged, dotted, value, doc.locs, ("overrides", dotted), name)
    role = doc.data.get("role")
    if role is not None and role not in ROLES:
        raise InputError(
            Problem(name, doc.locs[("role",)].line, "role", f"expected one of {', '.join(ROLES)}")
        )
    description = doc.data.get("description") or ""
    title = doc.data.get("title") or ""
    header = {
        "role": role,
        "name": doc.data.get("name") or path.stem,
        "title": title if isinstance(title, str) else str(title),
        "description": description if isinstance(description, str) else str(description),
        "set_dir": set_dir,
        "overrides": overrides,
    }
    return merged, header, [*files, path]


def apply_override(
    doc: Document, dotted: str, value: Any, src_locs: dict, src_path: Path_, src_name: str
) -> None:
    """Set the field at ``dotted`` to ``value``.

    On a parameter, a plain value replaces its value (and any values by year) and a
    mapping updates just the keys it names; anywhere else the value replaces the field
    (so ``items: {}`` removes every item).
    """
    line = src_locs[src_path].line
    parts = tuple(dotted.split("."))
    if not all(parts):
        raise InputError(Problem(src_name, line, dotted, "malformed path (empty part)"))
    node = doc.data
    for i, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part not in node:
            raise InputError(
                Problem(
                    src_name,
                    line,
                    dotted,
                    f"no field '{part}' at {_dotted(parts[:i])}"
                    f"{_suggest(part, node if isinstance(node, dict) else {})}",
                )
            )
        if isinstance(node[part], dict):
            node[part] = dict(node[part])  # copy on write: the base document is shared
        node = node[part]
    last = parts[-1]
    # A new last key is allowed (a year, an item, a field left at its default); if it is
    # not a field at all, validation reports it at this override's line.
    if not isinstance(node, dict):
        raise InputError(
            Problem(
                src_name,
                line,
                dotted,
                f"no field '{last}' at "
                f"{_dotted(parts[:-1])}"
                f"{_suggest(last, node if isinstance(node, dict) else {})}",
            )
        )
    # Re-key the overriding subtree's line marks to their new place.
    for k in [k for k in doc.locs if k[: len(parts)] == parts]:
        del doc.locs[k]
    for k, loc in src_locs.items():
        if k[: len(src_path)] == src_path:
            doc.locs[parts + k[len(src_path) :]] = loc
    # A change inside a parameter (``growth.value: x``) is this line's doing: checks of the
    # parameter as a whole (a value outside its range, say) are reported here too.
    inner = doc.data
    for i, part in enumerate(parts[:-1]):
        inner = inner[part]
        if isinstance(inner, dict) and "source" in inner:
            doc.locs[parts[: i + 1]] = Loc(src_name, line)
    current: Any = node.get(last)
    value = copy.deepcopy(value)
    is_param = isinstance(current, dict) and "source" in current
    if is_param and not isinstance(value, dict):
        current = dict(current)
        current.pop("values", None)
        current["value"] = value
        node[last] = current
        doc.locs[parts + ("value",)] = Loc(src_name, line)
    elif is_param and isinstance(value, dict):
        node[last] = {**current, **value}
    else:
        node[last] = value


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, [str(o) for o in options], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# ------------------------------------------------------------------------ validate


def validate(doc: Document, fallback: str) -> AssumptionSet:
    """Typed, checked assumptions; every problem found is reported together."""
    try:
        model = set_model().model_validate(doc.data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            path = tuple(str(p) for p in err["loc"])
            loc = nearest_loc(doc.locs, path) or Loc(fallback, None)
            problems.append(Problem(loc.file, loc.line, ".".join(path) or None, _message(err)))
        raise InputError(problems) from None
    _name_params(model)
    _check_calendar(model, doc, fallback)
    problems = [
        Problem(*_where(doc.locs, path, fallback), ".".join(path), msg)
        for path, msg in check(model)
    ]
    if problems:
        raise InputError(problems)
    return model


# Financial years are written with four-digit starting years; a workbook's dates end at 9999.
LAST_START_YEAR = 9998


def _check_calendar(model: AssumptionSet, doc: Document, fallback: str) -> None:
    """A forecast must end by 31 March 9999, the last date years and workbooks can hold."""
    try:
        last = parse_year(model.timeline.base_year) + model.timeline.horizon_years
    except ValueError:
        return  # the base year's own check reports it
    if last > LAST_START_YEAR:
        path = ("timeline", "horizon_years")
        raise InputError(
            Problem(
                *_where(doc.locs, path, fallback),
                ".".join(path),
                f"the forecast's last year would start in {last}, past the last financial "
                f"year a label or workbook date can hold ({year_label(LAST_START_YEAR)})",
            )
        )


def _where(locs, path: Path_, fallback: str) -> tuple[str, int | None]:
    loc = nearest_loc(locs, path)
    return (loc.file, loc.line) if loc else (fallback, None)


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against `forecast schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error" and err["loc"] and err["loc"][-1] == "unit":
        return (
            f"wrong unit {err.get('input')!r}: {err['msg'].replace('Input should be', 'must be')}"
        )
    msg = err["msg"]
    if "input" in err and not isinstance(err["input"], (dict, list)):
        msg += f" (got {err['input']!r})"
    return msg


def _name_params(model: Any, prefix: Path_ = ()) -> None:
    """Give every parameter its dotted path, so draws and sources can refer to it."""
    if isinstance(model, (Param, Flag)):
        model._path = ".".join(prefix)
        return
    if isinstance(model, dict):
        for k, v in model.items():
            _name_params(v, prefix + (str(k),))
        return
    if hasattr(model, "__pydantic_fields__"):
        for name, info in type(model).__pydantic_fields__.items():
            _name_params(getattr(model, name), prefix + (info.alias or name,))


# ----------------------------------------------------------------------- public


def load_scenario(path: Path) -> Scenario:
    """Read, merge and validate one scenario file."""
    doc, header, files = read_scenario(path)
    model = validate(doc, display(path))
    _resolve_trends(model, doc, header["set_dir"])
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
    )


def load_base(folder: Path) -> Scenario:
    """The assumption set folder on its own, as a scenario named ``baseline``."""
    doc, files = read_set(folder)
    model = validate(doc, display(folder))
    _resolve_trends(model, doc, folder)
    return Scenario(
        "baseline",
        "The assumption set as written, with no scenario overrides.",
        model,
        doc.locs,
        folder,
        files,
        title="The assumption set as written",
    )


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
        if names:
            by_name = {f.stem: f for f in files}
            missing = [n for n in names if n not in by_name]
            if missing:
                raise InputError(
                    Problem(
                        display(path / "scenarios"),
                        None,
                        None,
                        f"no scenario named {', '.join(missing)}; have "
                        f"{', '.join(by_name) or 'none'}",
                    )
                )
            files = [by_name[n] for n in names]
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
    seen: dict[str, Path] = {}
    for f, s in zip(files, out, strict=True):
        if s.name in seen:
            raise InputError(
                Problem(
                    display(f),
                    None,
                    "name",
                    f"scenario name '{s.name}' is also used by {display(seen[s.name])}",
                )
            )
        seen[s.name] = f
    claimed: dict[str, Path] = {}
    for f, s in zip(files, out, strict=True):
        if s.role and s.role in claimed:
            raise InputError(
                Problem(
                    display(f),
                    None,
                    "role",
                    f"role '{s.role}' is also claimed by {display(claimed[s.role])}",
                )
            )
        if s.role:
            claimed[s.role] = f
    return out


def new_set(directory: Path, template: Path) -> None:
    """A new assumption set to edit: a copy of ``template`` in an empty or new folder."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(Problem(str(directory), None, None, "already exists and is not empty"))
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


def _resolve_trends(model: AssumptionSet, doc: Document, set_dir: Path) -> None:
    """Replace ``from_trend`` growth rates by the fitted trend of their history file."""
    pending = [
        (p, prm) for p, prm in iter_params(model) if isinstance(prm, Param) and prm.from_trend
    ]
    if not pending:
        return
    from .trend import growth_from_history  # statsmodels only when a trend is used

    for path, prm in pending:  # each with from_trend set
        loc = nearest_loc(doc.locs, path + ("from_trend",))
        central, low, high, method = growth_from_history(
            set_dir / cast(str, prm.from_trend), model.timeline.base_year, loc
        )
        prm.value, prm.low, prm.high, prm.values = central, low, high, None
        prm.source = f"{prm.source}; fitted trend of {prm.from_trend} ({method})"
