"""Reading one YAML file into plain data and the file and line of every field in it.

Only the YAML 1.2 core schema is read (PyYAML's 1.1 booleans and sexagesimals stay text);
aliases, merge keys, tags, duplicate keys, control characters and deep nesting are refused,
each at its line, as ``FILE:LINE: path: message``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from .errors import InputError, Problem
from .textfile import CONTROL, read_text

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Loc:
    file: str
    line: int | None


@dataclass
class Document:
    """Plain data read from YAML plus the file and line of every field in it."""

    data: Any
    locs: dict[Path_, Loc] = field(default_factory=dict)


def display(path: Path) -> str:
    """Path as the user would recognise it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic-link loop
        return os.path.normpath(path)


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


def _parse_yaml(path: Path, parser_class: Any = None) -> Document:
    """One YAML file parsed afresh, by ``parser_class`` (libyaml's when it has it)."""
    name = display(path)
    text = read_text(path, name, "YAML")
    parser = (parser_class or Parser)(text)
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
            raise fail(
                ev, _alias_path(top), "aliases (*name) are not supported; write the values out"
            )
        if top is not None and isinstance(top.data, dict) and top.key is None:
            _take_key(ev, top, locs, Loc(name, line), fail)
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


def _alias_path(top: _Frame | None) -> Path_:
    """Where an alias stands: the path of the value it would give."""
    if top is None:
        return ()
    if isinstance(top.data, list):
        return top.path + (str(len(top.data)),)
    return top.path + ((top.key,) if top.key is not None else ())


def _take_key(ev: Any, top: _Frame, locs: dict[Path_, Loc], loc: Loc, fail: Any) -> None:
    """A mapping's next key, noted with its line: plain text only, no merge key, no
    control characters, no repeat of a key the mapping already has."""
    if not isinstance(ev, yaml.events.ScalarEvent):
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
    locs[top.path + (key,)] = loc
    top.key = key


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
