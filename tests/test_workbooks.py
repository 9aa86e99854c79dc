"""The workbooks: live formulas that LibreOffice recalculates to the engine's figures,
checks that all pass, charts, and text from inputs kept as text.

Each formula is stored with its value (for readers that do not recalculate); LibreOffice is
told to recalculate every formula on load (its profile's OOXMLRecalcMode), so the
recalculated workbook proves the formulas, not the stored values. Without LibreOffice these
tests are skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from forecasting import areas

from .conftest import SOFFICE, soffice_convert

WORKBOOKS = ["finance-model.xlsx", "schools-forum-dsg.xlsx", "cabinet-scenarios.xlsx"]
FORUM = "schools-forum-dsg.xlsx"
SV = "safety-valve"  # the bundled scenario with a safety-valve agreement
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)


# LibreOffice's setting "recalculate on load" for Excel files: 0 = always (default: never,
# which would read back the stored values instead of the formulas' results).
ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="session")
def recalc_profile(tmp_path_factory) -> Path:
    """A LibreOffice profile set to recalculate every formula on load, kept for the session."""
    profile = tmp_path_factory.mktemp("recalc-profile")
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE)
    return profile


def recalculate(srcs: list[Path], dest: Path, profile: Path) -> list[Path]:
    """Open in LibreOffice headless (one start for all the files), recalculate every
    formula, save as xlsx with the recalculated values."""
    dest.mkdir(parents=True, exist_ok=True)
    return soffice_convert(srcs, "xlsx", dest, profile)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, bundled):
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(main, ["run", str(bundled), "--out", str(out), "--draws", "300"])
    assert result.exit_code == 0, result.output + result.stderr
    return out


@pytest.fixture(scope="module")
def opened(outputs) -> dict:
    """Each workbook of the run opened once with its formulas and once with its stored values
    (openpyxl takes about half a second for the finance model; the tests only read them)."""
    return {
        name: (load_workbook(outputs / name), load_workbook(outputs / name, data_only=True))
        for name in WORKBOOKS
    }


def formula_cells(wb):
    """(sheet, cell) of every formula in a workbook opened with its formulas."""
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    yield ws.title, c.coordinate


def test_every_formula_cell_stores_a_value(opened):
    """A reader that does not recalculate (a preview, pandas, a script) sees a value in
    every formula cell, and the headline figures are there."""
    for name in WORKBOOKS:
        wb, stored = opened[name]
        cells = list(formula_cells(wb))
        assert cells, name
        empty = [(s, c) for s, c in cells if stored[s][c].value is None]
        assert not empty, (name, empty[:5])
        assert stored["Checks"]["E2"].value is True, name
    forum = opened["schools-forum-dsg.xlsx"][1]["High needs"]
    plan = [
        r
        for r in _calc_rows(forum, "dsg")
        if r[:3] == ("council-plan", "dsg", "cumulative_deficit")
    ]
    assert round(plan[0][3][1]) == 19_493_000


@pytest.fixture(scope="module")
def wrong_values(outputs, tmp_path_factory) -> Path:
    """The Forum workbook with every stored formula value wrong (123) and its master check
    stored as FALSE: recalculated, it must come back with the formulas' own results."""
    from openpyxl.utils.cell import coordinate_to_tuple

    from forecasting.excel.saving import workbook_bytes

    src = outputs / "schools-forum-dsg.xlsx"
    wb = load_workbook(src)  # its own copy: saving stamps the file's modified time
    for sheet in wb:  # an empty text cell reads back as an empty inline string: text again
        for row in sheet.iter_rows():
            for c in row:
                if c.data_type == "inlineStr" and c.value is None:
                    c.value = ""
    wrong: dict[str, dict[tuple[int, int], object]] = {s: {} for s in wb.sheetnames}
    for sheet, cell in formula_cells(wb):
        wrong[sheet][coordinate_to_tuple(cell)] = 123.0
    wrong["Checks"][coordinate_to_tuple("E2")] = False
    bad = tmp_path_factory.mktemp("wrong") / src.name
    # stored as the writers store every formula's value, only wrong
    bad.write_bytes(workbook_bytes(wb, wrong))
    return bad


# What this module has LibreOffice open and save, in one start of the office: the run's finance
# model and cabinet workbook, its Forum workbook from the copy whose stored values are all
# wrong (so what comes back can only be the formulas' own results), the transfer-branch
# run's finance model (whose high-needs sheet is written by the same code as the Forum's),
# and the inputs workbook a finance officer edits.
BRANCH_PREFIX = "branches-"
BRANCH_RECALCULATED = "finance-model.xlsx"
INPUTS = "inputs.xlsx"


@pytest.fixture(scope="module")
def inputs_workbook(tmp_path_factory, bundled) -> Path:
    """The bundled set exported as the inputs workbook (`forecast inputs export`)."""
    from forecasting.inputs_workbook import export_workbook

    path = tmp_path_factory.mktemp("inputs") / INPUTS
    path.write_bytes(export_workbook(bundled))
    return path


@pytest.fixture(scope="module")
def recalculated_all(
    outputs, branch_run, wrong_values, inputs_workbook, tmp_path_factory, recalc_profile
):
    if SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    staged = tmp_path_factory.mktemp("to-recalc")
    sources = {name: outputs / name for name in WORKBOOKS}
    sources[wrong_values.name] = wrong_values
    sources[BRANCH_PREFIX + BRANCH_RECALCULATED] = branch_run / BRANCH_RECALCULATED
    sources[INPUTS] = inputs_workbook
    for name, src in sources.items():
        shutil.copyfile(src, staged / name)
    dest = tmp_path_factory.mktemp("recalc")
    done = recalculate([staged / n for n in sources], dest, recalc_profile)
    return dict(zip(sources, done, strict=True))


@pytest.fixture(scope="module")
def recalculated(recalculated_all) -> dict:
    """The run's workbooks as LibreOffice recalculates them."""
    return {name: load_workbook(recalculated_all[name], data_only=True) for name in WORKBOOKS}


@needs_soffice
def test_libreoffice_keeps_the_inputs_workbooks_lists_and_it_still_loads(recalculated_all, bundled):
    """Saved by LibreOffice, the inputs workbook keeps its unit and basis lists and loads to
    the same parameters as the set it was exported from."""
    from forecasting.inputs_workbook import BASES
    from forecasting.loading import load

    saved = recalculated_all[INPUTS]
    ws = load_workbook(saved)["High needs"]
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"' + ",".join(BASES) + '"' in formulas
    assert [s.assumptions.model_dump() for s in load(saved)] == [
        s.assumptions.model_dump() for s in load(bundled)
    ]


def formulas(wb) -> int:
    return sum(
        1
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    )


def test_each_workbook_has_formulas_and_charts(outputs, opened):
    counts = {name: formulas(opened[name][0]) for name in WORKBOOKS}
    assert counts["finance-model.xlsx"] >= 100
    assert counts["schools-forum-dsg.xlsx"] >= 20
    assert counts["cabinet-scenarios.xlsx"] >= 100
    for name in WORKBOOKS:
        with zipfile.ZipFile(outputs / name) as z:
            assert any(n.startswith("xl/charts/chart") for n in z.namelist()), name


def test_cabinet_names_every_scenario_with_sensitivity_and_range(opened, results, bundled):
    from forecasting.loading import load

    wb = opened["cabinet-scenarios.xlsx"][0]
    assert "Sensitivity" in wb.sheetnames
    assert wb["Sensitivity"].max_row > 10
    comparison = {c.value for c in wb["Comparison"]["A"] if c.value}
    titles = {s.name: s.label for s in load(bundled)}
    for s in results.scenario.unique():
        assert titles[s] in comparison  # by its title; the file name is in a grey column
        assert s not in comparison
    labels = {c.value for c in wb["Range"]["A"] if c.value}
    assert "The council's plan P10" in labels and "The council's plan P90" in labels


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
    """(scenario, measure, values) for each calculated row; a scenario's section heading
    carries the scenario's file name in the measure column."""
    scenario = None
    for row in ws.iter_rows(min_row=5):
        label, measure = row[0].value, row[2].value
        if label and measure and row[1].value is None:  # a section: title, then file name
            scenario = str(measure)
            continue
        if scenario and measure:
            yield scenario, area, measure, [c.value for c in row[4:]]


# How close a formula must come to the engine, by unit: money to the pound, counts and FTE
# to 0.01 (so a 0/1 flag cannot flip), ratios to results.csv's rounding (1e-6).
TOLERANCE = {"GBP": 0.5, "count": 0.01, "FTE": 0.01, "ratio": 5.1e-7}
# The sheets whose calculation rows mirror the engine's lines, by workbook.
ENGINE_SHEETS = {
    "finance-model.xlsx": tuple((a.title, a.code) for a in areas.every()),
    "schools-forum-dsg.xlsx": (("High needs", "dsg"),),
}


def engine_line(measure: str) -> str:
    """A row that links to an input row (``budget_link``) shows the engine line it links."""
    for suffix in ("_link",):
        if measure.endswith(suffix):
            return measure[: -len(suffix)]
    return measure


def compare_with_engine(
    workbooks: dict, results: pd.DataFrame, engine_sheets: dict = ENGINE_SHEETS
) -> int:
    """Every formula row of the engine sheets equals its engine line in every year, within
    its unit's tolerance; a formula row with no engine line to compare with is a failure."""
    engine = {(r.scenario, r.area, r.measure, r.year): r.value for r in results.itertuples()}
    units = {(a, m): u for a, m, u in results[["area", "measure", "unit"]].itertuples(index=False)}
    years = sorted(results.year.unique())
    compared, uncompared = 0, set()
    for name, sheets in engine_sheets.items():
        for sheet, area in sheets:
            for scenario, area_, measure, values in _calc_rows(workbooks[name][sheet], area):
                line = engine_line(measure)
                if (area_, line) not in units:
                    uncompared.add((name, sheet, measure))
                    continue
                tol = TOLERANCE[units[(area_, line)]]
                for y, v in zip(years, values, strict=False):
                    want = engine[(scenario, area_, line, y)]
                    assert v is not None and abs(float(v) - want) <= tol, (
                        name,
                        scenario,
                        measure,
                        y,
                        v,
                        want,
                    )
                    compared += 1
    assert not uncompared, f"formula rows not compared with the engine: {sorted(uncompared)}"
    return compared


@needs_soffice
def test_recalculated_formulas_equal_the_engine(recalculated, outputs):
    """Every scenario of the bundled set, the safety-valve agreement's rows among them (the
    comparison fails on any formula row it cannot compare, so rows present were compared)."""
    assert compare_with_engine(recalculated, pd.read_csv(outputs / "results.csv")) > 1000
    agreement = {"safety_valve.condition_met", "safety_valve.dfe_payment"}
    for name, sheet in (("finance-model.xlsx", "DSG high needs"), (FORUM, "High needs")):
        shown = {m for s, _, m, _ in _calc_rows(recalculated[name][sheet], "dsg") if s == SV}
        assert agreement <= shown, (name, sorted(shown)[:5])


def test_stored_values_equal_the_engine(outputs, opened):
    """The same proof on the stored values, so it runs without LibreOffice too."""
    stored = {n: opened[n][1] for n in ENGINE_SHEETS}
    assert compare_with_engine(stored, pd.read_csv(outputs / "results.csv")) > 1000


# Scenarios that between them take every branch of the transfer rule: no request; within
# 0.5% and approved; within 0.5%, refused, disapplication granted; above 0.5%, granted;
# above, refused by the Secretary of State but approved by the Forum (the 0.5% moves);
# refused by both.
BRANCHES = {
    "no-request": {"requested": 0},
    "within-approved": {"requested.values": "{2020-21: 500000}", "forum_approves": "true"},
    "within-forum-refuses-granted": {
        "requested.values": "{2020-21: 500000}",
        "forum_approves": "false",
        "disapplication_granted": "true",
    },
    "above-granted": {"forum_approves": "true", "disapplication_granted": "true"},
    "above-sos-refuses": {"forum_approves": "true", "disapplication_granted": "false"},
    "both-refuse": {"forum_approves": "false", "disapplication_granted": "false"},
}


@pytest.fixture(scope="module")
def branch_run(tmp_path_factory, bundled):
    folder = tmp_path_factory.mktemp("branches") / "set"
    shutil.copytree(bundled, folder)
    for old in (folder / "scenarios").glob("*.yaml"):
        if old.name != "council-plan.yaml":
            old.unlink()
    for name, overrides in BRANCHES.items():
        lines = [
            f"name: {name}",
            f"description: the transfer rule, {name}",
            "extends: ..",
            "overrides:",
        ]
        lines += [f"  high_needs.transfers.{k}: {v}" for k, v in overrides.items()]
        (folder / "scenarios" / f"{name}.yaml").write_text("\n".join(lines) + "\n")
    out = folder.parent / "out"
    r = CliRunner().invoke(main, ["run", str(folder), "--out", str(out), "--draws", "0"])
    assert r.exit_code == 0, r.output + r.stderr
    return out


def test_every_branch_of_the_transfer_rule_equals_the_engine(branch_run):
    results = pd.read_csv(branch_run / "results.csv")
    got = results[results.year == "2020-21"].pivot_table(
        index="scenario", columns="measure", values="value"
    )
    t, req = got["schools_block_transfer"], got["transfer_requested"]
    assert t["no-request"] == 0
    assert t["within-approved"] == req["within-approved"] == 500_000
    assert got["transfer_needs_disapplication"]["within-approved"] == 0
    assert t["within-forum-refuses-granted"] == 500_000
    assert got["transfer_needs_disapplication"]["within-forum-refuses-granted"] == 1
    assert t["above-granted"] == req["above-granted"] == 3_500_000
    assert 0 < t["above-sos-refuses"] == pytest.approx(got["transfer_limit"]["above-sos-refuses"])
    assert t["above-sos-refuses"] < req["above-sos-refuses"]
    assert t["both-refuse"] == 0
    stored = {n: load_workbook(branch_run / n, data_only=True) for n in ENGINE_SHEETS}
    assert compare_with_engine(stored, results) > 1000


@needs_soffice
def test_every_branch_recalculates_to_the_engine(branch_run, recalculated_all):
    saved = recalculated_all[BRANCH_PREFIX + BRANCH_RECALCULATED]
    recalc = {BRANCH_RECALCULATED: load_workbook(saved, data_only=True)}
    sheets = {BRANCH_RECALCULATED: ENGINE_SHEETS[BRANCH_RECALCULATED]}
    assert compare_with_engine(recalc, pd.read_csv(branch_run / "results.csv"), sheets) > 1000


@needs_soffice
def test_stored_values_equal_libreoffice_recalculation(recalculated, opened):
    """Every formula's stored value is what LibreOffice computes from the formula: numbers
    to the pound (and to 1e-9 for ratios and flags), logicals and text exactly."""
    compared = 0
    for name in WORKBOOKS:
        wb, stored = opened[name]
        for sheet, cell in formula_cells(wb):
            mine, theirs = stored[sheet][cell].value, recalculated[name][sheet][cell].value
            if isinstance(theirs, bool) or isinstance(mine, bool):
                assert mine is theirs, (name, sheet, cell, mine, theirs)
            elif isinstance(theirs, (int, float)):
                tol = 0.5 if abs(theirs) >= 100 else 1e-9
                assert abs(mine - theirs) <= tol, (name, sheet, cell, mine, theirs)
            else:
                assert mine == theirs, (name, sheet, cell, mine, theirs)
            compared += 1
    assert compared > 4000


@needs_soffice
def test_libreoffice_recalculates_rather_than_reading_stored_values(wrong_values, recalculated):
    """The recalculation proof is real: the Forum workbook whose stored values are wrong comes
    back from LibreOffice with the formulas' own results."""
    stored = load_workbook(wrong_values, data_only=True)
    assert stored["Checks"]["E2"].value is False
    again = recalculated[wrong_values.name]
    assert again["Checks"]["E2"].value is True
    for wb, deficit in ((stored, 123), (again, 19_493_000)):
        hn = [r for r in _calc_rows(wb["High needs"], "dsg") if r[2] == "cumulative_deficit"]
        assert round(hn[0][3][1]) == deficit


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
    # the plan alone: it carries every injected text (the others would only repeat them)
    plan_only = ["--scenario", "council-plan", "--draws", "0"]
    result = CliRunner().invoke(main, ["run", str(editable_set), "--out", str(out), *plan_only])
    assert result.exit_code == 0, result.output + result.stderr
    seen = set()
    for name in WORKBOOKS:
        wb = load_workbook(out / name, read_only=True)
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


def test_forum_summary_leads_with_the_position_and_the_half_percent_test(opened):
    wb = opened["schools-forum-dsg.xlsx"][0]
    assert wb.sheetnames[0] == "Summary" and "About this run" in wb.sheetnames
    cover = " ".join(str(c.value) for c in wb["Summary"]["A"] if c.value)
    assert "£14.2m at 31 March 2019 and £19.5m at 31 March 2020" in cover
    assert "2.02% of the schools block: above the 0.5% the Forum may approve" in cover
    assert "further high-needs savings of £7.7m in 2020/21 rising to £23.1m in 2023/24" in cover


PDFTOTEXT = shutil.which("pdftotext")
needs_printing = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None, reason="needs LibreOffice and poppler (pdftotext)"
)
# Only the pages the tests read are printed (the rest only cost time): the Forum's workbook
# opens with its summary, the narrative, the high-needs summary and the DfE plan.
FIRST_PAGES = 5
PAGE_RANGE = ":calc_pdf_Export:" + json.dumps(
    {"PageRange": {"type": "string", "value": f"1-{FIRST_PAGES}"}}
)


@pytest.fixture(scope="module")
def printed(outputs, tmp_path_factory, soffice_profile) -> dict[str, list[str]]:
    """The first pages of each workbook as LibreOffice prints them (one start of the office
    for all three), each page's text with its whitespace collapsed."""
    if SOFFICE is None or PDFTOTEXT is None:
        pytest.skip("needs LibreOffice and poppler (pdftotext)")
    dest = tmp_path_factory.mktemp("printed")
    pdfs = soffice_convert(
        [outputs / n for n in WORKBOOKS], "pdf", dest, soffice_profile, PAGE_RANGE
    )
    pages = {}
    for name, pdf in zip(WORKBOOKS, pdfs, strict=True):
        text = subprocess.run(
            [PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        pages[name] = [" ".join(page.split()) for page in text.split("\f")][:FIRST_PAGES]
    return pages


def one_page(pages: list[str], wb, sheet: str) -> str:
    """The one printed page that holds ``sheet``: the page that starts with its title, the
    next page already the next sheet's title (so nothing of the sheet spilled over)."""
    title = wb[sheet]["A1"].value
    at = [i for i, p in enumerate(pages) if p.startswith(title)]
    assert len(at) == 1, (sheet, [p[:80] for p in pages])
    assert at[0] + 1 < len(pages), f"{sheet} is not within the first {FIRST_PAGES} pages"
    following = wb[wb.sheetnames[wb.sheetnames.index(sheet) + 1]]["A1"].value
    assert pages[at[0] + 1].startswith(following), (sheet, pages[at[0] + 1][:200])
    return pages[at[0]]


@needs_printing
def test_each_workbook_opens_with_a_one_page_summary(printed, opened):
    """Printed as LibreOffice prints it, page 1 is the whole summary and page 2 is already
    the next sheet, so the summary fits one page."""
    for name in WORKBOOKS:
        wb = opened[name][0]
        assert wb.sheetnames[0] == "Summary", name
        assert one_page(printed[name], wb, "Summary") == printed[name][0], name


@needs_printing
def test_the_dsg_plan_and_the_narrative_each_print_on_one_page(printed, opened, run_result):
    """Printed as LibreOffice prints it, the Forum's DSG plan is one page from its title to
    its last note, and the narrative page holds every paragraph."""
    from forecasting.excel.dfe_plan import NARRATIVE_SHEET, PLAN_SHEET

    name = "schools-forum-dsg.xlsx"
    wb, pages = opened[name][0], printed[name]
    plan = one_page(pages, wb, PLAN_SHEET)
    assert plan.startswith("DSG management plan:")
    assert "Total DSG after movements" in plan and "The model forecasts EHCPs" in plan
    council = run_result.scenarios[0].assumptions.council
    narrative = one_page(pages, wb, NARRATIVE_SHEET)
    assert narrative.startswith(f"Narrative: {council.name}")
    assert all(" ".join(p.split())[-40:] in narrative for p in council.narrative.forum.values())


def test_the_assumptions_sheet_says_which_scenarios_each_figure_holds_for(opened):
    """Every area's inputs are listed with their sources (transport too), and a figure a
    scenario file sets is never shown as holding for all scenarios."""
    ws = opened["finance-model.xlsx"][0]["Assumptions and sources"]
    rows: dict[str, list[tuple[str, str]]] = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        rows.setdefault(row[-1], []).append((row[0], str(row[-3])))
    (cost,) = rows["home_to_school_transport.cost_per_pupil"]
    assert cost[0] == "all" and cost[1].endswith("transport.yaml")
    assert not [r for r in sum(rows.values(), []) if r[0] == "all" and "scenarios" in r[1]]
    approves = dict(rows["high_needs.transfers.forum_approves"])
    assert approves["No action (unmitigated)"].endswith("high_needs.yaml")
    assert approves["Forum and Secretary of State refuse the transfer"].endswith(
        "forum-refuses-transfer.yaml"
    )
