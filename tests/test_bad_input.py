"""The bad-input catalogue: every malformed input gives exit code 2, a message naming the
file (and line and field where there is one), no traceback, untouched inputs, and no
output written over an earlier run's."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

from .conftest import BUNDLED

CS = "childrens_services.yaml"
HN = "high_needs.yaml"
GEN = "general.yaml"
PLAN = "scenarios/council-plan.yaml"


def replace(file, old, new):
    def mutate(d: Path) -> None:
        p = d / file
        text = p.read_text()
        assert old in text, old
        p.write_text(text.replace(old, new, 1))

    return mutate


def write(file, content: bytes | str):
    def mutate(d: Path) -> None:
        p = d / file
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode())

    return mutate


def append(file, text):
    def mutate(d: Path) -> None:
        with open(d / file, "a") as fh:
            fh.write(text)

    return mutate


def fifo(file):
    def mutate(d: Path) -> None:
        os.mkfifo(d / file)

    return mutate


def link(file, target):
    def mutate(d: Path) -> None:
        (d / file).symlink_to(target)

    return mutate


# A few hundred bytes that YAML 1.1 loaders expand into 9**9 (387 million) values
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

CATALOGUE = {
    "yaml syntax: unclosed bracket": (
        replace(CS, "values: {2019-20: 0.108}", "values: {2019-20: 0.108"),
        CS,
        "YAML syntax error",
    ),
    "yaml syntax: tab indentation": (
        replace(GEN, "  horizon_years: 5", "\thorizon_years: 5"),
        GEN,
        "YAML syntax error",
    ),
    "misspelt key": (
        replace(CS, "      weekly_cost: {value: 759", "      weekly_cst: {value: 759"),
        CS,
        "weekly_cst: unknown field",
    ),
    "unknown section": (append(GEN, "\nsettings: {fast: true}\n"), GEN, "settings: unknown field"),
    "duplicate key": (
        replace(GEN, "  horizon_years: 5", "  horizon_years: 5\n  horizon_years: 6"),
        GEN,
        "duplicate key",
    ),
    "duplicate section across files": (
        write("extra.yaml", "timeline: {}\n"),
        "extra.yaml",
        "section also given in",
    ),
    "text for a number": (
        replace(CS, "value: 266,", "value: lots,"),
        CS,
        "in_house_fostering.children.value: Input should be a valid number",
    ),
    "yes for a number": (replace(CS, "value: 266,", "value: yes,"), CS, "valid number"),
    "number as text": (replace(CS, "value: 266,", "value: '266',"), CS, "valid number"),
    "NaN": (replace(CS, "value: 266,", "value: .nan,"), CS, "finite number"),
    "infinity": (replace(CS, "value: 266,", "value: .inf,"), CS, "finite number"),
    "overflowing number": (replace(CS, "value: 266,", "value: 1.0e+999,"), CS, "finite number"),
    "huge integer": (replace(CS, "value: 266,", "value: " + "9" * 400 + ","), CS, "valid number"),
    "negative count": (replace(CS, "value: 266,", "value: -5,"), CS, "a count cannot be negative"),
    "negative cost": (
        replace(CS, "{value: 759,", "{value: -759,"),
        CS,
        "a weekly cost cannot be negative",
    ),
    "share above one": (
        replace(
            CS,
            "agency_cover_share: {value: 0.8, low: 0.6, high: 1.0",
            "agency_cover_share: {value: 1.8, low: 0.6, high: 2.0",
        ),
        CS,
        "a share must be between 0 and 1",
    ),
    "shares not summing to one": (
        replace(HN, "share: {value: 0.376524, unit", "share: {value: 0.476524, unit"),
        HN,
        "provision shares add up to",
    ),
    "malformed year key": (
        replace(CS, "values: {2019-20: 0.108}", "values: {2019/20: 0.108}"),
        CS,
        "not a financial year",
    ),
    "financial year that is not consecutive": (
        replace(CS, "values: {2019-20: 0.108}", "values: {2019-21: 0.108}"),
        CS,
        "not a financial year",
    ),
    "year outside the horizon": (
        replace(CS, "values: {2019-20: 0.108}", "values: {2031-32: 0.108}"),
        CS,
        "outside the timeline",
    ),
    "missing source": (
        replace(GEN, "    source: 365 days / 7\n", ""),
        GEN,
        "source: required field is missing",
    ),
    "missing value": (replace(CS, "{value: 266, ", "{"), CS, "needs a value"),
    "wrong unit": (
        replace(
            CS,
            "{value: 759, low: 700, high: 820, unit: GBP/week",
            "{value: 759, low: 700, high: 820, unit: GBP/month",
        ),
        CS,
        "wrong unit",
    ),
    "value outside its range": (
        replace(CS, "{value: 759, low: 700", "{value: 759, low: 800"),
        CS,
        "outside its range",
    ),
    "range with one end": (
        replace(CS, "{value: 759, low: 700, high: 820,", "{value: 759, low: 700,"),
        CS,
        "needs both low and high",
    ),
    "horizon of zero years": (
        replace(GEN, "horizon_years: 5", "horizon_years: 0"),
        GEN,
        "horizon_years",
    ),
    "unknown placement type in a move": (
        replace(CS, "from: unregulated", "from: unregulatd"),
        CS,
        "unknown placement type",
    ),
    "savings start outside the horizon": (
        replace(CS, "start_year: 2019-20", "start_year: 2040-41"),
        CS,
        "outside the timeline",
    ),
    "empty file": (write(GEN, ""), GEN, "file is empty"),
    "binary file": (write(GEN, b"\x89PNG\r\n\x1a\n\x00\x00binary"), GEN, "binary file"),
    "not UTF-8": (write(GEN, "council:\n  name: Stoke \xe9\n".encode("latin-1")), GEN, "not UTF-8"),
    "scenario extends a missing file": (
        replace(PLAN, "extends: ..", "extends: ../nothing-here"),
        PLAN,
        "not found",
    ),
    "scenarios extend each other in a circle": (
        write("scenarios/a.yaml", "extends: b\n"),
        "scenarios/a.yaml",
        "circle",
    ),
    "override of a path that does not exist": (
        write(
            "scenarios/typo.yaml", "extends: ..\noverrides:\n  high_needs.transfer.requested: 0\n"
        ),
        "scenarios/typo.yaml:3",
        "no field 'transfer'",
    ),
    "override of the wrong type": (
        write("scenarios/wrong.yaml", "extends: ..\noverrides:\n  high_needs.ehcp.growth: fast\n"),
        "scenarios/wrong.yaml:3",
        "valid number",
    ),
    "unknown scenario key": (
        write("scenarios/odd.yaml", "extends: ..\noverride: {}\n"),
        "scenarios/odd.yaml:2",
        "did you mean 'overrides'",
    ),
    "scenario that is a list": (
        write("scenarios/list.yaml", "- extends\n"),
        "scenarios/list.yaml",
        "a scenario is a mapping",
    ),
    # YAML 1.1 types the loader no longer knows (issue 17, class 3)
    "sexagesimal for a number": (replace(CS, "value: 266,", "value: 4:26,"), CS, "valid number"),
    "on for a number": (replace(CS, "value: 266,", "value: on,"), CS, "valid number (got 'on')"),
    # unbounded work from tiny or special files (class 4)
    "alias": (
        write("scenarios/alias.yaml", "extends: ..\noverrides: &o\n  x: *o\n"),
        "scenarios/alias.yaml:3",
        "aliases (*name) are not supported",
    ),
    "alias bomb": (write("extra.yaml", BOMB), "extra.yaml:2", "aliases (*name) are not supported"),
    "nesting too deep": (
        write("extra.yaml", "deep: " + "[" * 500 + "]" * 500 + "\n"),
        "extra.yaml:1",
        "nested more than 40 levels deep",
    ),
    "a FIFO for a set file": (fifo("extra.yaml"), "extra.yaml", "is a pipe (FIFO)"),
    "/dev/zero for a set file": (
        link("extra.yaml", "/dev/zero"),
        "extra.yaml",
        "is a character device",
    ),
    "a symbolic-link loop for a set file": (
        link("extra.yaml", "extra.yaml"),
        "extra.yaml",
        "symbolic links loop",
    ),
    "a file too large": (
        write("extra.yaml", "# padding\n" * 300_000),
        "extra.yaml",
        "larger than the 2,097,152 bytes",
    ),
    "several documents in one file": (
        write("scenarios/two.yaml", "extends: ..\n---\nextends: ..\n"),
        "scenarios/two.yaml:2",
        "expected one YAML document",
    ),
    "a language-specific tag": (
        write("scenarios/tag.yaml", "extends: ..\nname: !!python/name:os.system x\n"),
        "scenarios/tag.yaml:2",
        "tags (tag:yaml.org,2002:python/name:os.system) are not supported",
    ),
    # internal errors that are bad input (class 5)
    "a scenario name that is not text": (
        write("scenarios/named.yaml", "name: [a, b]\nextends: ..\n"),
        "scenarios/named.yaml:1",
        "a scenario name must be text",
    ),
    "a number for a scenario name": (
        write("scenarios/named.yaml", "name: 12\nextends: ..\n"),
        "scenarios/named.yaml:1",
        "a scenario name must be text (got 12)",
    ),
    "an escaped control character in a label": (
        replace(GEN, "name: Stoke-on-Trent City Council", 'name: "Stoke\\e[31m"'),
        f"{GEN}:11",
        "council.name: contains the control character U+001B",
    ),
    "a raw control character in a file": (
        replace(GEN, "name: Stoke-on-Trent City Council", "name: Stoke\x07"),
        f"{GEN}:11",
        "contains the control character U+0007",
    ),
    "a horizon past the year 9999": (
        replace(GEN, "base_year: 2018-19", "base_year: 9995-96"),
        f"{GEN}:{1 + (BUNDLED / GEN).read_text().splitlines().index('  horizon_years: 5')}",
        "timeline.horizon_years: the forecast's last year would start in 10000",
    ),
    # a message at the scenario's line, not the base file's (class 6)
    "an override inside a parameter": (
        write(
            "scenarios/inner.yaml", "extends: ..\noverrides:\n  high_needs.ehcp.growth.value: 5\n"
        ),
        "scenarios/inner.yaml:3: high_needs.ehcp.growth",
        "outside its range",
    ),
}


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_bad_input_is_reported_cleanly(case, editable_set, tmp_path):
    mutate, where, expected = CATALOGUE[case]
    if case == "scenarios extend each other in a circle":
        write("scenarios/b.yaml", "extends: a\n")(editable_set)
    mutate(editable_set)
    before = _snapshot(editable_set)
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("earlier run\n")
    result = CliRunner().invoke(main, ["run", str(editable_set), "--out", str(out)])
    assert result.exit_code == 2, (result.output, result.stderr)
    assert "Traceback" not in result.output + result.stderr
    assert where in result.stderr, result.stderr
    assert expected in result.stderr, result.stderr
    assert (out / "results.csv").read_text() == "earlier run\n"
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]
    assert _snapshot(editable_set) == before


def test_messages_name_the_line(editable_set):
    replace(CS, "value: 266,", "value: -5,")(editable_set)
    result = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert result.exit_code == 2
    line = next(
        i
        for i, t in enumerate((editable_set / CS).read_text().splitlines(), 1)
        if "value: -5," in t
    )
    assert (
        f"{CS}:{line}: childrens_services.placements.in_house_fostering.children.value"
        in result.stderr
    )


def test_missing_assumptions_path(tmp_path):
    result = CliRunner().invoke(
        main, ["run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "nowhere: assumptions not found" in result.stderr
    assert not (tmp_path / "o").exists()


def test_unknown_scenario_name(bundled, tmp_path):
    result = CliRunner().invoke(
        main, ["run", str(bundled), "--scenario", "council-plna", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "no scenario named council-plna" in result.stderr


def test_every_problem_is_listed_at_once(editable_set):
    replace(CS, "value: 266,", "value: -5,")(editable_set)
    replace(CS, "{value: 759,", "{value: -759,")(editable_set)
    result = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert result.exit_code == 2
    assert "children.value" in result.stderr and "weekly_cost.value" in result.stderr


def test_usage_errors_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["run", "--draws", "-3"])
    assert result.exit_code == 2


def test_two_scenarios_with_one_name(editable_set, tmp_path):
    write("scenarios/copy.yaml", "name: council-plan\nextends: ..\n")(editable_set)
    result = CliRunner().invoke(main, ["run", str(editable_set), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "scenario name 'council-plan' is also used by" in result.stderr


def test_an_overflowing_forecast_names_the_line(editable_set, tmp_path):
    replace(
        CS,
        "permanent_cost_per_fte: {value: 45000, low: 40000,",
        "permanent_cost_per_fte: {value: 1.0e-305, low: 0,",
    )(editable_set)
    result = CliRunner().invoke(main, ["run", str(editable_set), "--out", str(tmp_path)])
    assert result.exit_code == 2, result.stderr
    assert "is not a finite number in 2019-20" in result.stderr
    assert "Traceback" not in result.stderr


# Refusals of the command line and the output folder: exit 2 naming the option, the inputs
# and any earlier outputs untouched, no temporary file left. An output folder is refused
# when the run's files are written, after the forecast: one scenario's run reaches it.
SOLVE = ["solve", "--scenario", "council-plan", "--target-year", "2022-23"]
ONE = ["--scenario", "council-plan", "--draws", "0"]
USAGE = {
    "negative seed": (["run", "{set}", "--seed", "-1", "--out", "{out}"], "--seed"),
    "seed too large": (["run", "{set}", "--seed", str(2**32), "--out", "{out}"], "--seed"),
    "a folder where an output should go": (
        ["run", "{set}", *ONE, "--out", "{out}"],
        "cabinet-scenarios.xlsx: --out: is a folder where the output",
    ),
    "out is a symbolic-link loop": (
        ["run", "{set}", *ONE, "--out", "{out}/loop"],
        "--out: a symbolic link that loops",
    ),
    "write-scenario onto a set file": (
        [*SOLVE, "{set}", "--write-scenario", "{set}/general.yaml", "--force"],
        "--write-scenario: is one of the input files",
    ),
    "write-scenario into the set": (
        [*SOLVE, "{set}", "--write-scenario", "{set}/scenarios/new.yaml"],
        "--write-scenario: is inside the assumption set",
    ),
    "write-scenario onto a folder": (
        [*SOLVE, "{set}", "--write-scenario", "{out}"],
        "--write-scenario: is a folder",
    ),
    "write-scenario over a file": (
        [*SOLVE, "{set}", "--write-scenario", "{out}/results.csv"],
        "--write-scenario: already exists; add --force",
    ),
}


@pytest.mark.parametrize("case", sorted(USAGE))
def test_usage_refusals_change_nothing(case, editable_set, tmp_path):
    args, expected = USAGE[case]
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("earlier run\n")
    (out / "cabinet-scenarios.xlsx").mkdir()
    (out / "loop").symlink_to(out / "loop")
    before, outputs = _snapshot(editable_set), sorted(p.name for p in out.iterdir())
    args = [a.format(set=editable_set, out=out) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (result.output, result.stderr)
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "results.csv").read_text() == "earlier run\n"
    assert sorted(p.name for p in out.iterdir()) == outputs
    assert _snapshot(editable_set) == before
