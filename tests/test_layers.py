"""The flow runs one way: base -> inputs and data -> engine -> results -> writers -> command
line. No module imports a module of a higher layer (a test walks every import)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from forecasting import areas

from .conftest import ROOT

# Each module of the package by layer; a module may import its own layer or lower ones.
LAYERS: list[set[str]] = [
    {  # base: words, years, errors, reading text
        "forecasting",
        "forecasting.years",
        "forecasting.errors",
        "forecasting.formats",
        "forecasting.names",
        "forecasting.workers",  # worker processes that end with the run
        "forecasting.roles",
        "forecasting.textfile",
        "forecasting.bundled",
        "forecasting.excel.styles",  # cell styling with no model in it, for any workbook
        "forecasting.areas",  # the area registry: finds areas, imports none of their pieces
    },
    {  # inputs and data: what a set is, reading it, published data, fitted trends
        "forecasting.schema",
        "forecasting.loading",
        "forecasting.yamlfile",
        "forecasting.composing",
        "forecasting.validating",
        "forecasting.consistency",
        "forecasting.inputs_workbook",
        "forecasting.setfiles",
        "forecasting.rebase",
        "forecasting.trend",
        "forecasting.widths",
        "forecasting.national",
        "forecasting.national.dataset",
    },
    {  # engine: pure arithmetic over a set
        "forecasting.inputs",
        "forecasting.demand",
        "forecasting.savings",
        "forecasting.childrens_services",
        "forecasting.high_needs",
        "forecasting.projection",
        "forecasting.calibration",
        "forecasting.engine",
        "forecasting.solve",
    },
    {  # results: runs, tables, sets built from data and scored against it
        "forecasting.results",
        "forecasting.uncertainty",
        "forecasting.run",
        "forecasting.national.newset",
        "forecasting.backtest",
    },
    {  # writers: files, workbooks, the terminal summary
        "forecasting.output",
        "forecasting.summary",
        "forecasting.publish",
        "forecasting.excel",
        "forecasting.national.build",  # writes the bundled extract from DfE's raw files
    },
    {"cli"},
]


# An area folder's pieces (forecasting/areas/<name>/) sit in the layer of what they are.
AREA_PIECES = {"schema": 1, "engine": 2, "workbook": 4}


def layer_of(module: str) -> int:
    """The layer a module is listed in, or else the layer of its nearest listed package; an
    area's schema, engine and workbook modules by what they are."""
    if module.startswith("forecasting.areas.") and module.count(".") == 3:
        return AREA_PIECES[module.rpartition(".")[2]]
    name = module
    while name and (name != "forecasting" or module == "forecasting"):
        # (the package root is a layer of its own: an unlisted module does not fall into it)
        for i, names in enumerate(LAYERS):
            if name in names:
                return i
        name = name.rpartition(".")[0]
    raise AssertionError(f"{module} is in no layer: add it to tests/test_layers.py")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def imports(path: Path, module: str) -> set[str]:
    """The package modules ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] not in ("forecasting", "cli"):
                continue
            for alias in node.names:  # `from . import x` may name a submodule
                sub = f"{target}.{alias.name}"
                out.add(
                    sub
                    if (ROOT / Path(*sub.split("."))).with_suffix(".py").exists()
                    or (ROOT / Path(*sub.split("."))).is_dir()
                    else target
                )
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] in ("forecasting", "cli")}
    return out


def test_no_module_imports_a_higher_layer():
    files = [ROOT / "cli.py", *sorted((ROOT / "forecasting").rglob("*.py"))]
    upward = []
    for f in files:
        me = module_name(f)
        mine = layer_of(me)
        for target in imports(f, me):
            if layer_of(target) > mine:
                upward.append(f"{me} imports {target}")
    assert not upward, upward


def test_an_unlisted_module_is_in_no_layer():
    with pytest.raises(AssertionError, match="is in no layer"):
        layer_of("forecasting.brand_new_writer")


def test_the_area_registry_names_pieces_of_the_right_layer():
    """The registry finds an area's engine and workbook pieces by name (imported when used),
    which the import walk cannot see: each must be of the layer its role needs."""
    for area in areas.every():
        refs = {
            "engine": area.engine_ref or f"{area.package}.engine:project",
            "writers": area.inputs_ref or f"{area.package}.workbook:inputs",
            "writers ": area.calcs_ref or f"{area.package}.workbook:calcs",
        }
        for role, ref in refs.items():
            module = ref.partition(":")[0]
            assert layer_of(module) == {"engine": 2, "writers": 4}[role.strip()], (area, ref)
