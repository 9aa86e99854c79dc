"""The inputs workbook: export, edit, run and import back, with the YAML's checks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cli import main
from forecasting.errors import InputError
from forecasting.inputs_workbook import BASES, UNITS, export_workbook, load_workbook
from forecasting.loading import load


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """The bundled set exported once; tests that edit it work on a copy."""
    from tests.conftest import BUNDLED

    path = tmp_path_factory.mktemp("wb") / "inputs.xlsx"
    path.write_bytes(export_workbook(BUNDLED))
    return path


def edited(workbook: Path, tmp_path: Path, path: str, column: str, value) -> tuple[Path, str]:
    """A copy of the workbook with one cell of the row for ``path`` changed; returns the
    copy and the cell's address."""
    wb = openpyxl.load_workbook(workbook)
    for ws in wb.worksheets:
        heads = {c.value: c.column_letter for c in ws[5]} if ws.max_row >= 5 else {}
        for row in ws.iter_rows(min_row=6, max_col=1):
            if row[0].value == path:
                cell = f"{heads[column]}{row[0].row}"
                ws[cell] = value
                out = tmp_path / "inputs.xlsx"
                wb.save(out)
                return out, f"{ws.title}!{cell}"
    raise AssertionError(f"no row {path}")


def test_export_import_round_trip_gives_identical_parameters(bundled, workbook, tmp_path):
    result = invoke("inputs", "import", workbook, tmp_path / "back")
    assert result.exit_code == 0, result.output
    before, after = load(bundled), load(tmp_path / "back")
    assert [s.name for s in after] == [s.name for s in before]
    for a, b in zip(before, after, strict=True):
        assert (b.description, b.title) == (a.description, a.title)
        assert b.assumptions.model_dump() == a.assumptions.model_dump()
        assert b.overrides == a.overrides
    # The files that are not parameters come back byte for byte.
    for rel in ("caveats.md", "history/children_in_care.csv"):
        assert (tmp_path / "back" / rel).read_bytes() == (bundled / rel).read_bytes()
    # The workbook itself loads to the same parameters, with cells for locations.
    direct = load_workbook(workbook)
    assert [s.assumptions.model_dump() for s in direct] == [
        s.assumptions.model_dump() for s in before
    ]
    assert [s.title for s in direct] == [s.title for s in before]
    loc = direct[0].where("high_needs.calibration.deficit_brought_forward.value")
    assert loc.line is None and "inputs.xlsx!High needs!D" in loc.file


def test_run_from_workbook_gives_byte_identical_results(bundled, workbook):
    """The workbook and the YAML it came from give the same results.csv, byte for byte,
    draws included (what `forecast run` writes, without rendering the workbooks: the CLI's
    reading of a workbook is proved by the refusal tests below)."""
    from forecasting.output import results_csv
    from forecasting.run import forecast, with_uncertainty

    yaml_csv, xlsx_csv = (
        results_csv(with_uncertainty(forecast(src), 1000, 1).records) for src in (bundled, workbook)
    )
    assert len(xlsx_csv) > 10_000 and b".p90," in xlsx_csv  # the draws are in it
    assert xlsx_csv == yaml_csv


def test_negative_cost_in_a_cell_names_workbook_sheet_and_cell(workbook, tmp_path):
    path = "childrens_services.placements.ifa.weekly_cost"
    bad, cell = edited(workbook, tmp_path, path, "Value", -759)
    for args in (
        ("run", bad, "--out", tmp_path / "out", "--draws", 0),
        ("validate", bad),
        ("solve", bad, "--scenario", "council-plan", "--target-year", "2023-24"),
        ("inputs", "import", bad, tmp_path / "set"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert f"inputs.xlsx!{cell}: {path}.value: -759 is below 0" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "set").exists()


def test_text_in_a_number_cell_names_the_cell(workbook, tmp_path):
    path = "high_needs.income.high_needs_block"
    bad, cell = edited(workbook, tmp_path, path, "2019/20", "32.5m")
    result = invoke("run", bad, "--out", tmp_path / "out", "--draws", 0)
    assert result.exit_code == 2
    assert (
        f"inputs.xlsx!{cell}: {path}.values.2019-20: Input should be a valid number "
        "(got '32.5m')" in result.output
    )
    assert not (tmp_path / "out").exists()


def test_a_scenario_override_cell_is_checked_too(workbook, tmp_path):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Scenarios"]
    row = next(r for r in ws.iter_rows(min_row=1) if r[1].value == "high_needs.ehcp.growth.value")
    ws.cell(row[0].row, 4).value = -2
    wb.save(tmp_path / "inputs.xlsx")
    with pytest.raises(InputError) as e:
        load(tmp_path / "inputs.xlsx")
    p = e.value.problems[0]  # then the range check, at the parameter's own row
    assert p.file.endswith(f"inputs.xlsx!Scenarios!D{row[0].row}")
    assert "below -1" in p.message


def test_workbook_has_unit_and_basis_lists_and_locked_labels(workbook):
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames[0] == "Cover" and {"Scenarios", "Files"} <= set(wb.sheetnames)
    for name in ("General", "Children's services", "High needs"):
        ws = wb[name]
        heads = {c.value: c.column_letter for c in ws[5]}
        lists = {
            str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation
        }
        assert lists[heads["Unit"]] == '"' + ",".join(UNITS) + '"'
        assert lists[heads["Basis"]] == '"' + ",".join(BASES) + '"'
        assert "GBP/week" in UNITS and "estimate" in BASES
        assert ws.protection.sheet and not ws.protection.password
        assert ws["A6"].protection.locked  # the path is locked
        assert not ws[f"{heads['Value']}6"].protection.locked  # the value is an input


# What LibreOffice makes of this workbook (it keeps the lists and still loads) is tested with
# the other workbooks it opens, in one start of the office: tests/test_workbooks.py.


def test_export_refuses_a_broken_set(editable_set, tmp_path):
    f = editable_set / "general.yaml"
    f.write_text(f.read_text().replace("horizon_years: 5", "horizon_years: five"))
    result = invoke("inputs", "export", editable_set, tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "general.yaml:" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_a_generated_set_round_trips_with_its_drawn_announced_year(tmp_path):
    """A set built from published data as at 2019 draws its announced 2020-21 high-needs rise
    (``yearly_shock.stated_sd``): the workbook carries that setting there and back."""
    made = tmp_path / "stoke19"
    assert invoke("init", made, "--council", "861", "--as-at", "2019").exit_code == 0
    text = (made / "high_needs.yaml").read_text()
    assert "stated_sd" in text
    book = tmp_path / "inputs.xlsx"
    assert invoke("inputs", "export", made, book).exit_code == 0
    assert invoke("inputs", "import", book, tmp_path / "back").exit_code == 0
    before, after = load(made), load(tmp_path / "back")
    for a, b in zip(before, after, strict=True):
        assert b.assumptions.model_dump() == a.assumptions.model_dump()


def test_two_plan_scenarios_in_a_workbook_are_refused_at_the_role_cell(workbook, tmp_path):
    """A workbook is checked as a YAML set is: the cabinet's plan is one scenario."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Scenarios"]
    row = next(r[0].row for r in ws.iter_rows(min_row=1) if r[0].value == "demand-high")
    ws.cell(row, 6).value = "plan"  # column F: Role; council-plan already claims it
    wb.save(tmp_path / "inputs.xlsx")
    result = invoke("validate", tmp_path / "inputs.xlsx")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"inputs.xlsx!Scenarios!F{row}" in result.output
    assert "role 'plan' is also claimed by" in result.output
    assert "Scenarios!F5" in result.output  # council-plan's role cell
