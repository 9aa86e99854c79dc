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
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .consistency import check
from .errors import InputError, Problem
from .roles import ROLES
from .schema import AssumptionSet, Flag, Param
from .textfile import read_text

Path_ = tuple[str, ...]
SCENARIO_KEYS = {"name", "title", "description", "extends", "overrides", "role"}


@dataclass(frozen=True)
class Loc:
    file: str
    line: int


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
            h.update(f.read_bytes())
        return h.hexdigest()


def display(path: Path) -> str:
    """Path as the user would recognise it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.normpath(path)


# libyaml's parser when PyYAML was built with it (several times faster), else pure Python.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
    except OSError:
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
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(Problem(name, None, None, "file is empty"))
        doc = Document(None)
        doc.data = _build(loader, node, (), doc.locs, name)
        return doc
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        raise InputError(Problem(name, line, None, f"YAML syntax error: {what}")) from None
    except yaml.YAMLError as e:
        raise InputError(Problem(name, None, None, f"YAML error: {e}")) from None
    finally:
        loader.dispose()


def _build(loader: Any, node: yaml.Node, path: Path_, locs: dict, name: str) -> Any:
    locs[path] = Loc(name, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError(
                    Problem(
                        name,
                        key_node.start_mark.line + 1,
                        _dotted(path),
                        "merge keys (<<) are not supported; write the values out",
                    )
                )
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise InputError(
                    Problem(name, key_node.start_mark.line + 1, _dotted(path), "a key must be text")
                )
            key = str(key)
            if key in out:
                first = locs[path + (key,)].line
                raise InputError(
                    Problem(
                        name,
                        key_node.start_mark.line + 1,
                        _dotted(path + (key,)),
                        f"duplicate key (first given on line {first})",
                    )
                )
            locs[path + (key,)] = Loc(name, key_node.start_mark.line + 1)
            out[key] = _build(loader, value_node, path + (key,), locs, name)
            locs[path + (key,)] = Loc(name, key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, n, path + (str(i),), locs, name) for i, n in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if isinstance(value, (bytes, bytearray)):
        raise InputError(
            Problem(name, node.start_mark.line + 1, _dotted(path), "binary values are not allowed")
        )
    if not isinstance(value, (str, int, float, bool, type(None))):
        # dates and timestamps: keep the text so the field's own check reports it
        value = node.value
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
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
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


def scenario_files(folder: Path) -> list[Path]:
    """The scenarios of a set, ``council-plan`` first, then by name."""
    d = folder / "scenarios"
    if not d.is_dir():
        return []
    files = sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return sorted(files, key=lambda p: (p.stem != "council-plan", p.stem))


def _resolve_extends(target: str, base: Path) -> Path:
    p = base / target
    if p.is_dir():
        return p
    for candidate in (p, p.with_name(p.name + ".yaml"), p.with_name(p.name + ".yml")):
        if candidate.is_file():
            return candidate
    return p


def read_scenario(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[Document, dict, list[Path]]:
    """Read a scenario and everything it extends; returns merged data, header and files read."""
    name = display(path)
    resolved = path.resolve()
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
    elif target.is_file():
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
    current = node.get(last)
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
        model = AssumptionSet.model_validate(doc.data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            path = tuple(str(p) for p in err["loc"])
            loc = nearest_loc(doc.locs, path) or Loc(fallback, None)
            problems.append(Problem(loc.file, loc.line, ".".join(path) or None, _message(err)))
        raise InputError(problems) from None
    _name_params(model)
    problems = [
        Problem(*_where(doc.locs, path, fallback), ".".join(path), msg)
        for path, msg in check(model)
    ]
    if problems:
        raise InputError(problems)
    return model


def _where(locs, path: Path_, fallback: str) -> tuple[str, int | None]:
    loc = nearest_loc(locs, path)
    return (loc.file, loc.line) if loc else (fallback, None)


def _message(err: dict) -> str:
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


def iter_params(model: Any, prefix: Path_ = ()):
    """Every parameter of a model with its path, in file order."""
    if isinstance(model, (Param, Flag)):
        yield prefix, model
        return
    if isinstance(model, dict):
        for k, v in model.items():
            yield from iter_params(v, prefix + (str(k),))
        return
    if hasattr(model, "__pydantic_fields__"):
        for name, info in type(model).__pydantic_fields__.items():
            yield from iter_params(getattr(model, name), prefix + (info.alias or name,))


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
        raise InputError(Problem(display(path), None, None, "assumptions not found"))
    if path.suffix.lower() == ".xlsx":  # an inputs workbook: cells in place of lines
        from .inputs_workbook import load_workbook

        return load_workbook(path, names)
    if path.is_file():
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
    out, problems = [], []
    for f in files:
        try:
            out.append(load_scenario(f))
        except InputError as e:
            problems.extend(p for p in e.problems if p not in problems)
    if problems:
        raise InputError(problems)
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
                Problem(display(f), None, "role", f"role '{s.role}' is also claimed by "
                        f"{display(claimed[s.role])}")
            )
        if s.role:
            claimed[s.role] = f
    return out


def new_set(directory: Path, template: Path) -> None:
    """A new assumption set to edit: a copy of ``template`` in an empty or new folder."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(Problem(str(directory), None, None, "already exists and is not empty"))
    shutil.copytree(template, directory, dirs_exist_ok=True)


def _resolve_trends(model: AssumptionSet, doc: Document, set_dir: Path) -> None:
    """Replace ``from_trend`` growth rates by the fitted trend of their history file."""
    pending = [
        (p, prm) for p, prm in iter_params(model) if isinstance(prm, Param) and prm.from_trend
    ]
    if not pending:
        return
    from .trend import growth_from_history  # statsmodels only when a trend is used

    for path, prm in pending:
        loc = nearest_loc(doc.locs, path + ("from_trend",))
        central, low, high, method = growth_from_history(
            set_dir / prm.from_trend, model.timeline.base_year, loc
        )
        prm.value, prm.low, prm.high, prm.values = central, low, high, None
        prm.source = f"{prm.source}; fitted trend of {prm.from_trend} ({method})"
