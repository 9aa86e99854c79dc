"""Composing a scenario: an assumption set's files merged by section, a scenario's
``extends`` followed to its set, and its overrides applied by dotted path, keeping the file
and line of every field."""

from __future__ import annotations

import copy
import difflib
import os
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .roles import ROLES
from .yamlfile import Document, Loc, Path_, _dotted, display, read_yaml

SCENARIO_KEYS = {"name", "title", "description", "extends", "overrides", "role"}


def _resolved(path: Path) -> Path:
    """The real path of ``path``; a symbolic-link loop gives the absolute path unresolved."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


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
    _check_keys(doc, name)
    base, set_dir, files = _read_extended(doc, path, name, (*_chain, resolved))
    overrides = _overrides(doc, name)
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


def _check_keys(doc: Document, name: str) -> None:
    """A scenario file is a mapping of the scenario keys only (a misspelt key is refused)."""
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


def _read_extended(
    doc: Document, path: Path, name: str, chain: tuple[Path, ...]
) -> tuple[Document, Path, list[Path]]:
    """What a scenario ``extends``: the set folder, or another scenario read in turn; returns
    its merged data, the set folder it rests on and the files read."""
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
        base, header, files = read_scenario(target, chain)
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
    return base, set_dir, files


def _overrides(doc: Document, name: str) -> dict:
    """A scenario's overrides, dotted path to value, once its name is checked to be text."""
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
    return overrides


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
                f"no field '{last}' at {_dotted(parts[:-1])}",
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
