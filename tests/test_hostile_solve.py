"""``forecast solve --write-scenario`` never changes an input, never replaces a file unasked,
never writes through a symbolic link into a set; and a scenario that already clears its
deficit is told so, not given a lever setting."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

SOLVE = ["--scenario", "council-plan", "--target-year", "2022-23"]


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def solve(*args) -> object:
    return CliRunner().invoke(main, ["solve", *[str(a) for a in args]])


@pytest.mark.parametrize(
    "target",
    [
        "general.yaml",
        "high_needs.yaml",
        "scenarios/council-plan.yaml",
        "history/children_in_care.csv",
        "scenarios/balanced.yaml",  # new, but inside the set
        "caveats.md",
    ],
)
@pytest.mark.parametrize("force", [False, True])
def test_no_file_of_the_input_set_is_written(editable_set, target, force):
    before = snapshot(editable_set)
    dest = editable_set / target
    r = solve(editable_set, *SOLVE, "--write-scenario", dest, *(["--force"] if force else []))
    assert r.exit_code == 2, r.output
    assert "--write-scenario:" in r.stderr
    assert snapshot(editable_set) == before
    assert sorted(p.name for p in editable_set.iterdir() if p.name.startswith(".")) == []


def test_a_symbolic_link_into_the_set_is_not_written_through(editable_set, tmp_path):
    before = snapshot(editable_set)
    for name, into in (("link.yaml", "general.yaml"), ("dangling.yaml", "scenarios/new.yaml")):
        link = tmp_path / name
        link.symlink_to(editable_set / into)
        r = solve(editable_set, *SOLVE, "--write-scenario", link, "--force")
        assert r.exit_code == 2, r.output
        assert "is inside the assumption set" in r.stderr or "input files" in r.stderr
        assert link.is_symlink()
    assert snapshot(editable_set) == before


def test_a_folder_is_refused(editable_set, tmp_path):
    r = solve(editable_set, *SOLVE, "--write-scenario", tmp_path)
    assert r.exit_code == 2, r.output
    assert f"{tmp_path}: --write-scenario: is a folder" in r.stderr


def test_an_existing_file_needs_force_and_is_then_replaced_readably(editable_set, tmp_path):
    dest = tmp_path / "balanced.yaml"
    dest.write_text("mine\n")
    r = solve(editable_set, *SOLVE, "--write-scenario", dest)
    assert r.exit_code == 2
    assert "already exists; add --force to replace it" in r.stderr
    assert dest.read_text() == "mine\n"
    before = os.umask(0o022)
    try:
        r = solve(editable_set, *SOLVE, "--write-scenario", dest, "--force")
    finally:
        os.umask(before)
    assert r.exit_code == 0, r.stderr
    assert dest.read_text().startswith("name: council-plan-balanced-2022-23\n")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["balanced.yaml", "set"]


def test_a_scenario_already_clear_is_told_so(editable_set, tmp_path):
    balanced = tmp_path / "balanced.yaml"
    r = solve(editable_set, *SOLVE, "--write-scenario", balanced)
    assert r.exit_code == 0, r.stderr
    r = solve(balanced, *SOLVE, "--lever", "ehcp_growth", "--write-scenario", tmp_path / "x.yaml")
    assert r.exit_code == 0, r.stderr
    assert "already clears the DSG deficit by the end of 2022-23" in r.stdout
    assert "held to" not in r.stdout and "0.00%" not in r.stdout
    assert not (tmp_path / "x.yaml").exists()


def test_the_already_clear_answer_names_no_lever_setting():
    from forecasting.solve import Solution

    text = Solution("ehcp_growth", 0.1, [], "2022-23", -5.0, -5.0, {}).describe("plan")
    assert text.startswith("Scenario 'plan' already clears the DSG deficit by the end of 2022-23")
    assert "held to" not in text


def test_a_history_file_outside_the_set_is_protected_too(tmp_path):
    from forecasting.errors import InputError
    from forecasting.solve import check_destination

    history = tmp_path / "shared" / "cic.csv"
    history.parent.mkdir()
    history.write_text("period,value\n")
    link = tmp_path / "out.yaml"
    link.symlink_to(history)
    for dest in (history, link):
        with pytest.raises(InputError, match="one of the input files"):
            check_destination(dest, [history], tmp_path / "set", force=True)
    assert history.read_text() == "period,value\n"
