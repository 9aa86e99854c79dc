"""Hostile inputs: special files, YAML 1.1 surprises, expanding aliases, deep nesting and
control characters are each refused cleanly (exit 2, file and line named), or read as the
YAML 1.2 core schema says, never misread, never an internal error, never a hang."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from forecasting.errors import InputError, Problem
from forecasting.loading import load, read_yaml
from forecasting.textfile import read_text

from .conftest import BUNDLED


def refusal(fn, *args) -> str:
    with pytest.raises(InputError) as e:
        fn(*args)
    return str(e.value)


# ------------------------------------------------------------------ the safe reader


def test_reader_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert "pipe.yaml: is a pipe (FIFO), expected a YAML file" in refusal(
        read_text, fifo, "pipe.yaml", "YAML"
    )
    assert "is a character device" in refusal(read_text, Path("/dev/zero"), "zero", "YAML")
    assert "is a folder" in refusal(read_text, tmp_path, "here", "YAML")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert "symbolic links loop" in refusal(read_text, loop, "loop.yaml", "YAML")


def test_reader_limits_size_and_accepts_a_bom(tmp_path):
    from forecasting.textfile import MAX_TEXT_BYTES

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_TEXT_BYTES + 1))
    assert "larger than" in refusal(read_text, big, "big.yaml", "YAML")
    just = tmp_path / "just.yaml"
    just.write_bytes(b"#" * MAX_TEXT_BYTES)
    assert len(read_text(just, "just.yaml", "YAML")) == MAX_TEXT_BYTES
    bom = tmp_path / "bom.yaml"
    bom.write_bytes("\ufeffa: 1\n".encode())
    assert read_text(bom, "bom.yaml", "YAML") == "a: 1\n"
    assert read_yaml(bom).data == {"a": 1}


def test_reader_names_utf16_for_what_it_is(tmp_path):
    f = tmp_path / "u16.yaml"
    f.write_bytes("a: 1\n".encode("utf-16"))
    assert "u16.yaml: is UTF-16 text" in refusal(read_text, f, "u16.yaml", "YAML")


def test_reader_names_the_line_of_a_control_character(tmp_path):
    f = tmp_path / "ctl.yaml"
    f.write_bytes(b"a: 1\nb: x\x1b[2Jy\n")
    assert "ctl.yaml:2: contains the control character U+001B" in refusal(
        read_text, f, "ctl.yaml", "YAML"
    )


# ---------------------------------------------------------------- the YAML 1.2 loader


@pytest.mark.parametrize(
    "text, value",
    [
        ("0266", 266),  # YAML 1.1: octal 182
        ("4:26", "4:26"),  # YAML 1.1: sexagesimal 266
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("1_000", "1_000"),  # YAML 1.1: 1000
        ("0o17", 15),
        ("0x1F", 31),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("2019-20", "2019-20"),
        ("2019-04-01", "2019-04-01"),  # YAML 1.1: a date
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text, value):
    from forecasting.loading import core_scalar

    assert core_scalar(text) == value
    assert type(core_scalar(text)) is type(value)


def test_a_leading_zero_is_a_decimal_in_a_real_set(editable_set):
    f = editable_set / "childrens_services.yaml"
    f.write_text(f.read_text().replace("value: 266,", "value: 0266,", 1))
    (scenario,) = load(editable_set, ("council-plan",))
    children = scenario.assumptions.childrens_services.placements["in_house_fostering"].children
    assert children.value == 266


def test_yes_stays_a_name_where_a_name_is_expected(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("name: on\ndescription: yes\nextends: x\n")
    assert read_yaml(f).data == {"name": "on", "description": "yes", "extends": "x"}


def test_nesting_is_limited_in_block_style_too(tmp_path):
    from forecasting.loading import MAX_DEPTH

    f = tmp_path / "deep.yaml"
    f.write_text("".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 50 + "1\n")
    assert f"deep.yaml:{MAX_DEPTH + 1}: " in refusal(read_yaml, f)


def test_keys_are_the_text_written(tmp_path):
    f = tmp_path / "k.yaml"
    f.write_text("0x1F: a\n1.0: b\nyes: c\n")
    assert read_yaml(f).data == {"0x1F": "a", "1.0": "b", "yes": "c"}


# ------------------------------------------------------------ messages and options


def test_a_file_name_with_an_escape_sequence_is_echoed_escaped(editable_set, tmp_path):
    bad = editable_set / "scenarios" / "\x1b[31mred.yaml"
    bad.write_text("extends: nowhere\n")
    r = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert r.exit_code == 2
    assert "\x1b" not in r.stderr
    assert "\\x1b[31mred.yaml:1: extends: 'nowhere' not found" in r.stderr


def test_problem_text_escapes_control_characters():
    p = Problem("a\x1bb.yaml", 3, "x\x9b", "got '\x07'")
    assert str(p) == "a\\x1bb.yaml:3: x\\x9b: got '\\x07'"


def test_a_negative_seed_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["run", "--seed", "-1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "--seed" in r.stderr
    assert not (tmp_path / "o").exists()


def test_a_symbolic_link_loop_for_assumptions_is_named(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for args in (["run", str(loop), "--out", str(tmp_path / "o")], ["validate", str(loop)]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, r.stderr
        assert "loop: a symbolic link that loops or leads nowhere" in r.stderr


def test_a_special_file_given_as_assumptions_is_refused(tmp_path):
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    r = CliRunner().invoke(main, ["validate", str(fifo)])
    assert r.exit_code == 2
    assert "plan.yaml: is a pipe (FIFO), expected a YAML file" in r.stderr


# ------------------------------------------------------------- generated hostile files

SCALARS = st.sampled_from(
    [
        "0266", "4:26", "yes", "No", "on", "OFF", "~", "", "1_000", "0x1F", "0o17", ".nan",
        "-.inf", "1e999", "9" * 5000, "2019-04-01", "12:30:00", "!!binary aGk=", "!!set {a}",
        "!!python/none ''", "'\\x1b'", '"\\e[31m"', '"\\x00"', "\"\\u0085\"", "<<", "&a 1",
        "*a", "[*a, *a]", "{a: &b [1]}", "? [a]", "!!float 1", "|\n  text", "@x", "`x",
        "%YAML 1.1", "--- 1", "...",
    ]
)  # fmt: skip


@st.composite
def hostile_yaml(draw) -> str:
    """A scenario mixing odd scalars, aliases and nesting at random; the nesting sits under
    ``description`` (which takes any value), so many files are valid and read to the end."""
    lines = ["extends: .."]
    if draw(st.booleans()):
        lines.append(f"name: {draw(SCALARS)}")
    depth = draw(st.integers(0, 45))  # past the loader's limit of 40
    style = draw(st.sampled_from(["flow", "block", "scalar"]))
    leaf = draw(SCALARS)
    if style == "flow" and "\n" not in leaf:
        lines.append("description: " + "[" * depth + leaf + "]" * depth)
    elif style == "block":
        lines.append("description:")
        lines += [f"{'  ' * (i + 1)}k{i}:" for i in range(depth)]
        lines.append("  " * (depth + 1) + f"v: {leaf}")
    else:
        lines.append(f"description: {leaf}")
    n = draw(st.integers(0, 3))
    if n:
        lines.append("overrides:")
    for _ in range(n):
        path = draw(st.sampled_from(["high_needs.ehcp.growth", "general.x", "council.name"]))
        lines.append(f"  {path}: {draw(SCALARS)}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_set(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("hostile") / "set"
    shutil.copytree(BUNDLED, dest)
    return dest


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(hostile_yaml())
def test_generated_hostile_scenarios_are_read_or_refused_cleanly(hostile_set, text):
    f = hostile_set / "scenarios" / "hostile.yaml"
    f.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(f)])
    assert r.exit_code in (0, 2), (text, r.stderr)
    if r.exit_code == 2:
        assert "hostile.yaml" in r.stderr, (text, r.stderr)
        assert "Traceback" not in r.stderr
    else:  # what is accepted is text a workbook can hold
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        assert not [t for t in _texts(read_yaml(f).data) if ILLEGAL_CHARACTERS_RE.search(t)]


def _texts(data) -> list[str]:
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in (k, *_texts(v))]
    if isinstance(data, list):
        return [t for v in data for t in _texts(v)]
    return [data] if isinstance(data, str) else []


def test_an_unreadable_set_folder_is_named(editable_set, monkeypatch):
    real = Path.iterdir

    def denied(self):
        if self.resolve() == editable_set.resolve():
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", denied)
    r = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert r.exit_code == 2, r.stderr
    assert "set: folder cannot be read (Permission denied)" in r.stderr


def test_thousands_of_problems_are_reported_in_linear_time(editable_set):
    """Every problem is listed once though each of the seven scenarios finds it again; the
    deduplication was quadratic (9,000 problems took 80 s)."""
    import time

    (editable_set / "extra.yaml").write_text("".join(f"k{i}: 1\n" for i in range(9000)))
    start = time.perf_counter()
    r = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert time.perf_counter() - start < 20
    assert r.exit_code == 2
    assert r.stderr.count("unknown field") == 9000
    assert "extra.yaml:9000: k8999: unknown field" in r.stderr


def test_init_where_a_set_cannot_be_made_is_named_and_leaves_nothing(tmp_path, monkeypatch):
    import shutil as sh

    def full(src, dst, **kwargs):
        Path(dst).mkdir()
        (Path(dst) / "general.yaml").write_text("partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sh, "copytree", full)
    r = CliRunner().invoke(main, ["init", str(tmp_path / "mine")])
    assert r.exit_code == 2, r.stderr
    assert "mine: cannot create the set (No space left on device)" in r.stderr
    assert not (tmp_path / "mine").exists()


def test_the_pure_python_parser_reads_the_same_as_libyaml(monkeypatch):
    """Where PyYAML has no libyaml the same events come from its Python parser."""
    from forecasting import loading

    fast_parser = loading.Parser
    assert fast_parser is not loading._PyParser, "PyYAML without libyaml: nothing to compare"
    files = sorted(BUNDLED.rglob("*.yaml"))
    fast = [loading._parse_yaml(f) for f in files]
    monkeypatch.setattr(loading, "Parser", loading._PyParser)
    slow = [loading._parse_yaml(f) for f in files]
    assert [d.data for d in slow] == [d.data for d in fast]
    assert [d.locs for d in slow] == [d.locs for d in fast]
    for parser in (loading._PyParser, fast_parser):
        with pytest.raises(InputError, match="bomb.yaml:2: b.0: aliases"):
            loading._compose(parser("a: &a [x]\nb: [*a]\n"), "bomb.yaml")
