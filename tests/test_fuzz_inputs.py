"""Hand-edited files go wrong in ways no catalogue lists: random edits to the bundled
files (deleted, repeated or swapped lines, stray characters, odd values, changed
indentation) must give either a forecast or a clean error (exit 2), never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main

from .conftest import BUNDLED

FILES = [
    "general.yaml",
    "childrens_services.yaml",
    "high_needs.yaml",
    "scenarios/council-plan.yaml",
    "scenarios/savings-slip.yaml",
    "scenarios/unmitigated.yaml",
]
ODD = ["-1", "1.0e309", ".nan", "''", "[]", "{}", "true", "2019-20", "~", "0x1F", "1_000"]


@st.composite
def edits(draw):
    name = draw(st.sampled_from(FILES))
    lines = (BUNDLED / name).read_text().splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["delete", "repeat", "swap", "char", "value", "indent"]))
    if op == "delete":
        del lines[i]
    elif op == "repeat":
        lines.insert(i, lines[i])
    elif op == "swap":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "char" and lines[i]:
        k = draw(st.integers(0, len(lines[i]) - 1))
        lines[i] = (
            lines[i][:k]
            + draw(st.sampled_from(list(":{}[],-'\"#&*!|>%@ \t0.")))
            + lines[i][k + 1 :]
        )
    elif op == "value":
        lines[i] = lines[i].replace("0", draw(st.sampled_from(ODD)), 1)
    elif op == "indent":
        lines[i] = "  " + lines[i]
    return name, "\n".join(lines) + "\n"


def _edited(edit, tmp: str) -> Path:
    """A copy of the bundled set with one file replaced by its edited text."""
    name, text = edit
    d = Path(tmp) / "set"
    shutil.copytree(BUNDLED, d)
    (d / name).write_text(text)
    return d


# Checking is where almost every edit ends, and it is quick: many edits. A full run (the
# engine, Monte Carlo and every workbook) is slow: fewer, so the suite stays fast.
@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(edits())
def test_random_edits_are_refused_cleanly_or_validate(edit):
    with tempfile.TemporaryDirectory() as tmp:
        r = CliRunner().invoke(main, ["validate", str(_edited(edit, tmp))])
        assert r.exit_code in (0, 2), (r.exit_code, r.stderr, r.output)
        assert "Traceback" not in r.stderr
        if r.exit_code == 2:
            assert "error: " in r.stderr


def _reading(edit) -> list[str]:
    """``--scenario`` options for a run that reads the edited file: the plan and the no-action
    scenario (which every scenario's comparison is made with), and the edited scenario. Each
    reads every file of the set folder (general.yaml and the rest); another scenario's file is
    read only when that scenario runs."""
    names = ["council-plan", "unmitigated"]
    name = edit[0]
    if name.startswith("scenarios/") and Path(name).stem not in names:
        names.append(Path(name).stem)
    return [option for n in names for option in ("--scenario", n)]


@settings(
    max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(edits())
def test_random_edits_never_crash(edit):
    with tempfile.TemporaryDirectory() as tmp:
        d = _edited(edit, tmp)
        out = str(Path(tmp) / "out")
        args = ["run", str(d), *_reading(edit), "--out", out, "--draws", "10"]
        r = CliRunner().invoke(main, args)
        assert r.exit_code in (0, 2), (r.exit_code, r.stderr, r.output)
        assert "Traceback" not in r.stderr
        if r.exit_code == 2:
            assert "error: " in r.stderr and not (Path(tmp) / "out").exists()
