"""`forecast init DIR --council ...` writes the generated set whole or not at all, as an
ordinary folder, and refuses a folder that already holds files."""

from __future__ import annotations

import dataclasses
import os
import stat

from click.testing import CliRunner

from cli import main
from forecasting.national import newset

STOKE = ["--council", "861", "--as-at", "2019"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_failure_part_way_leaves_no_half_written_set(tmp_path, monkeypatch):
    real = newset.generate

    def clashing(council, as_at):
        """The real set, then a file named like its scenarios folder: writing it fails only
        after the area files and the scenarios have been written."""
        new = real(council, as_at)
        return dataclasses.replace(new, files={**new.files, "scenarios": "a clash\n"})

    monkeypatch.setattr(newset, "generate", clashing)
    r = invoke("init", tmp_path / "set", *STOKE)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and "cannot create the set" in r.output
    assert sorted(os.listdir(tmp_path)) == []  # no set, no staging folder


def test_the_set_is_an_ordinary_folder_with_every_generated_file(tmp_path):
    old = os.umask(0o022)
    try:
        r = invoke("init", tmp_path / "set", *STOKE)
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    made = tmp_path / "set"
    assert stat.S_IMODE(made.stat().st_mode) == 0o755  # not a staging folder's 0700
    files = newset.generate("861", 2019).files
    on_disk = {p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_file()}
    assert on_disk == set(files)
    for rel, text in files.items():
        assert (made / rel).read_bytes() == text.encode("utf-8"), rel
    assert sorted(os.listdir(tmp_path)) == ["set"]


def test_a_folder_with_files_is_refused_before_anything_is_generated(tmp_path, monkeypatch):
    def never(council, as_at):
        raise AssertionError("generated a set for a folder that is not empty")

    monkeypatch.setattr(newset, "generate", never)
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "notes.txt").write_text("mine\n")
    r = invoke("init", tmp_path / "set", *STOKE)
    assert r.exit_code == 2 and "already exists and is not empty" in r.output
    assert os.listdir(tmp_path / "set") == ["notes.txt"]
