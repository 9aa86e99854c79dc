"""An assumption set as plain data: its area files, its scenarios and the other files it
holds (history CSVs for fitted trends, the caveats log), read and written whole.

The inputs workbook and the base-year roll-forward both work on this image of a set and
write it back as an ordinary YAML set folder. Writing is all or nothing: the new folder is
built beside its destination and renamed into place only when every file is written.

What the image does not hold: YAML comments other than each file's opening comment block,
and the quoting or flow style a file was typed in (the values are the same).
"""

from __future__ import annotations

import copy
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem
from .loading import display, read_set, read_yaml, scenario_files
from .textfile import read_text
from .years import is_year

SCENARIOS = "scenarios"


@dataclass
class AreaFile:
    """One top-level YAML file of a set (one area: general, children's services, high needs)."""

    name: str  # file name, e.g. high_needs.yaml
    header: str  # the opening comment block, without the leading '#'
    data: dict[str, Any]


@dataclass
class ScenarioFile:
    """One scenario file: ``name``, ``description``, ``extends`` and ``overrides``."""

    stem: str  # file name without .yaml: how --scenario chooses it
    data: dict[str, Any]


@dataclass
class SetImage:
    """Everything an assumption set folder holds, as data."""

    areas: list[AreaFile]
    scenarios: list[ScenarioFile]
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text
    skipped: list[str] = field(default_factory=list)  # files that are not text


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    return "\n".join(lines)


def read_image(folder: Path) -> SetImage:
    """Read a set folder (its YAML must parse; validation is the loader's job)."""
    _, files = read_set(folder)
    areas = [
        AreaFile(
            f.name,
            _header(read_text(f, display(f), "YAML")),
            copy.deepcopy(read_yaml(f).data),
        )
        for f in files
    ]
    scenarios = []
    for f in scenario_files(folder):
        data = read_yaml(f).data
        if not isinstance(data, dict):
            raise InputError(Problem(display(f), 1, None, "a scenario is a mapping"))
        scenarios.append(ScenarioFile(f.stem, copy.deepcopy(data)))
    image = SetImage(areas, scenarios)
    taken = {f.resolve() for f in files} | {f.resolve() for f in scenario_files(folder)}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or p.resolve() in taken:
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        try:
            image.files[rel.as_posix()] = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            image.skipped.append(rel.as_posix())
    return image


# ------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no anchors, values by year on one line."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class _ByYear(dict):
    pass


_Dumper.add_representer(
    _ByYear,
    lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True),
)


def _by_year_inline(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _by_year_inline(v) for k, v in node.items()}
        if (
            out
            and all(is_year(k) for k in out)
            and not any(isinstance(v, dict) for v in out.values())
        ):
            return _ByYear(out)
        return out
    return node


def yaml_text(data: Any, header: str = "") -> str:
    """YAML for ``data`` (keys in the order given), with ``header`` as a comment block."""
    body = yaml.dump(
        _by_year_inline(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    top = "".join(f"# {line}".rstrip() + "\n" for line in header.split("\n")) if header else ""
    return top + body


def image_texts(image: SetImage) -> dict[str, str]:
    """Every file of the set folder by relative path."""
    out = {a.name: yaml_text(a.data, a.header) for a in image.areas}
    for s in image.scenarios:
        out[f"{SCENARIOS}/{s.stem}.yaml"] = yaml_text(s.data)
    out.update(image.files)
    return out


def require_empty(directory: Path) -> None:
    """Refuse to make a set in ``directory`` unless it is new or an empty folder: a new set
    never mixes with files already there."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(Problem(str(directory), None, None, "already exists and is not empty"))


def write_image(image: SetImage, directory: Path) -> list[Path]:
    """Write the set into ``directory`` (new or empty), whole or not at all; a folder that
    cannot be written is bad input naming it, and nothing is left behind."""
    require_empty(directory)
    texts = image_texts(image)
    for rel in texts:
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or not parts:
            raise InputError(Problem(rel, None, None, "a file of a set must lie inside it"))
    try:
        _publish(texts, directory)
    except OSError as e:
        reason = e.strerror or "cannot be written"
        raise InputError(
            Problem(str(directory), None, None, f"cannot create the set ({reason})")
        ) from None
    return [directory / rel for rel in texts]


def _publish(texts: dict[str, str], directory: Path) -> None:
    """Build the set in a staging folder beside ``directory``, then rename it into place."""
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    # an ordinary new folder (the umask's mode, not mkdtemp's 0700), with a name no other run
    # takes: mkdir fails rather than reuse one
    staging = parent / f".{directory.name}.{secrets.token_hex(8)}"
    staging.mkdir()
    try:
        for rel, text in texts.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        if directory.exists():
            directory.rmdir()
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
