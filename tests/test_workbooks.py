"""The workbooks: live formulas that LibreOffice recalculates to the engine's figures,
checks that all pass, charts, and text from inputs kept as text.

openpyxl stores formulas without computed values, so each workbook is recalculated with
LibreOffice headless and read back. Without LibreOffice these tests are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
WORKBOOKS = ["finance-model.xlsx", "schools-forum-dsg.xlsx", "cabinet-scenarios.xlsx"]
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)


def recalculate(src: Path, dest: Path) -> Path:
    """Open in LibreOffice headless, recalculate, save as xlsx with computed values."""
    dest.mkdir(parents=True, exist_ok=True)
    profile = dest / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(dest),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    out = dest / src.name
    assert out.exists(), f"LibreOffice did not convert {src.name}"
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, bundled):
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(main, ["run", str(bundled), "--out", str(out), "--draws", "300"])
    assert result.exit_code == 0, result.output + result.stderr
    return out


@pytest.fixture(scope="module")
def recalculated(outputs, tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    dest = tmp_path_factory.mktemp("recalc")
    return {
        name: load_workbook(recalculate(outputs / name, dest), data_only=True) for name in WORKBOOKS
    }


def formulas(path: Path) -> int:
    wb = load_workbook(path)
    return sum(
        1
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    )


def test_each_workbook_has_formulas_and_charts(outputs):
    counts = {name: formulas(outputs / name) for name in WORKBOOKS}
    assert counts["finance-model.xlsx"] >= 100
    assert counts["schools-forum-dsg.xlsx"] >= 20
    assert counts["cabinet-scenarios.xlsx"] >= 100
    for name in WORKBOOKS:
        with zipfile.ZipFile(outputs / name) as z:
            assert any(n.startswith("xl/charts/chart") for n in z.namelist()), name


def test_cabinet_names_every_scenario_with_sensitivity_and_range(outputs, results):
    wb = load_workbook(outputs / "cabinet-scenarios.xlsx")
    assert "Sensitivity" in wb.sheetnames
    assert wb["Sensitivity"].max_row > 10
    comparison = {c.value for c in wb["Comparison"]["A"] if c.value}
    for s in results.scenario.unique():
        assert s in comparison
    labels = {c.value for c in wb["Range"]["A"] if c.value}
    assert "council-plan P10" in labels and "council-plan P90" in labels


@needs_soffice
def test_no_error_values_and_every_check_true(recalculated):
    for name, wb in recalculated.items():
        assert wb["Checks"]["E2"].value is True, f"{name}: master check"
        for ws in wb:
            for row in ws.iter_rows():
                for c in row:
                    assert not (
                        isinstance(c.value, str)
                        and c.value.startswith("#")
                        and c.value[1:4].isupper()
                    ), (name, ws.title, c.coordinate, c.value)
                    assert c.value is not False, (name, ws.title, c.coordinate)


def _calc_rows(ws, area):
    """(scenario, measure, values) for each calculated row, scenario from its section."""
    scenario = None
    for row in ws.iter_rows(min_row=5):
        label, measure = row[0].value, row[2].value
        if label and measure is None and ": " in str(label):
            scenario = str(label).split(": ", 1)[0]
            continue
        if scenario and measure:
            yield scenario, area, measure, [c.value for c in row[4:]]


@needs_soffice
def test_recalculated_formulas_equal_the_engine_to_the_pound(recalculated, outputs):
    results = pd.read_csv(outputs / "results.csv")
    engine = {(r.scenario, r.area, r.measure, r.year): r.value for r in results.itertuples()}
    years = sorted(results.year.unique())
    compared = 0
    for name, sheets in (
        ("finance-model.xlsx", (("Children's social care", "csc"), ("DSG high needs", "dsg"))),
        ("schools-forum-dsg.xlsx", (("High needs", "dsg"),)),
    ):
        for sheet, area in sheets:
            for scenario, area_, measure, values in _calc_rows(recalculated[name][sheet], area):
                for y, v in zip(years, values, strict=False):
                    key = (scenario, area_, measure, y)
                    if key in engine and v is not None:
                        assert abs(float(v) - engine[key]) <= 1.0, (name, key, v, engine[key])
                        compared += 1
    assert compared > 1000


@needs_soffice
def test_forum_cumulative_deficit_row_matches_the_engine(recalculated, results):
    ws = recalculated["schools-forum-dsg.xlsx"]["High needs"]
    rows = [
        r for r in _calc_rows(ws, "dsg") if r[0] == "council-plan" and r[2] == "cumulative_deficit"
    ]
    assert len(rows) == 1
    expected = results[
        (results.scenario == "council-plan") & (results.measure == "cumulative_deficit")
    ]["value"].tolist()
    assert [round(v) for v in rows[0][3][:6]] == [round(v) for v in expected]
    assert round(rows[0][3][1]) == 19_493_000


def test_text_from_inputs_is_never_a_formula(editable_set, tmp_path):
    cs = editable_set / "childrens_services.yaml"
    cs.write_text(
        cs.read_text().replace(
            "label: Independent fostering agency", 'label: \'=HYPERLINK("http://x","click")\''
        )
    )
    plan = editable_set / "scenarios" / "council-plan.yaml"
    plan.write_text(
        plan.read_text()
        .replace("name: council-plan", "name: council-plan\n# injected\n")
        .replace(
            "overrides:\n",
            "overrides:\n  council.name: '@SUM(1+1)'\n"
            "  childrens_services.savings.items.fees_and_income.label: '+cmd|calc'\n"
            "  childrens_services.savings.items.early_help_redesign.label: '-2+3'\n",
        )
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(editable_set), "--out", str(out), "--draws", "0"])
    assert result.exit_code == 0, result.output + result.stderr
    seen = set()
    for name in WORKBOOKS:
        wb = load_workbook(out / name)
        for ws in wb:
            for row in ws.iter_rows():
                for c in row:
                    v = c.value
                    if isinstance(v, str) and (
                        "HYPERLINK" in v or "cmd|calc" in v or "@SUM" in v or v.endswith("-2+3")
                    ):
                        assert c.data_type == "s", (name, ws.title, c.coordinate, v)
                        seen.add(v.split(": ")[-1][:4])
    assert {"=HYP", "+cmd", "@SUM", "-2+3"} <= seen


def test_forum_cover_leads_with_the_position_and_the_half_percent_test(outputs):
    wb = load_workbook(outputs / "schools-forum-dsg.xlsx")
    cover = " ".join(str(c.value) for c in wb["Cover"]["B"] if c.value)
    assert "£14.2m at 31 March 2019 and £19.5m at 31 March 2020" in cover
    assert "1.92% of the schools block: above the 0.5% the Forum may approve" in cover
    assert "further high-needs savings of £16.5m a year from 2020/21" in cover
