"""The Forum workbook in the DfE DSG management plan's shape: the plan by block, the
mitigations log and the narrative, proved against the engine's own lines."""

from __future__ import annotations

import io

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook

from forecasting.excel.dfe_plan import MITIGATIONS_SHEET, NARRATIVE_SHEET, PLAN_SHEET
from forecasting.excel.forum import forum_workbook
from forecasting.excel.grid import FIRST_COL
from forecasting.loading import load
from forecasting.run import forecast

PLAN, NO_ACTION = "council-plan", "unmitigated"


@pytest.fixture(scope="module")
def forum(run_result):
    """The Forum workbook of the bundled set, stored values (no national dataset needed)."""
    return load_workbook(io.BytesIO(forum_workbook(run_result, national=None)), data_only=True)


def line(run, scenario: str, measure: str) -> np.ndarray:
    proj = {p.scenario: p for p in run.projections}[scenario]
    return proj[("dsg", measure)][0]


def rows(ws) -> dict[str, list[float]]:
    """Each row of a timeline sheet that has figures, by its measure (grey column C)."""
    out = {}
    for row in ws.iter_rows(min_row=5):
        measure, values = row[2].value, [c.value for c in row[FIRST_COL - 1 :]]
        if measure and any(isinstance(v, (int, float)) for v in values):
            out[str(measure)] = [float(v) for v in values if isinstance(v, (int, float))]
    return out


def expected_plan_rows(run) -> dict[str, np.ndarray]:
    """What every row of the DSG plan sheet must hold, from the engine's lines."""

    def e(m):
        return line(run, PLAN, m)

    transfer = e("schools_block_transfer")
    want = {
        m: e(m)
        for m in (
            "schools_block",
            "other_dsg_blocks",
            "high_needs_income",
            "total_dsg",
            "high_needs_expenditure",
            "other_contributions",
            "in_year_deficit",
            "opening_deficit",
            "cumulative_deficit",
            "deficit_share_of_dsg",
            "ehcp_total",
        )
    }
    want |= {
        "transfer_out": -transfer,
        "transfer_in": transfer,
        "net_movement": 0 * transfer,
        "schools_after": e("schools_block") - transfer,
        "other_after": e("other_dsg_blocks"),
        "high_needs_after": e("high_needs_income") + transfer,
        "high_needs_funding": e("high_needs_income") + transfer,
        "total_after": e("total_dsg"),
        "in_year_link": e("in_year_deficit"),
    }
    proj = {p.scenario: p for p in run.projections}[PLAN]
    for _, m in proj.lines:
        if m.startswith("expenditure."):
            want[f"spend.{m}"] = want[f"spend.{m}_link"] = e(m)
        if m.startswith("ehcp."):
            want[m] = e(m)
    return want


def test_every_row_of_the_dsg_plan_equals_the_engine(forum, run_result):
    """Each block, movement, total and position on the plan sheet is the engine's figure
    (or the difference of two), every year; a row the test does not know fails it."""
    got = rows(forum[PLAN_SHEET])
    want = expected_plan_rows(run_result)
    unknown = set(got) - set(want)
    assert not unknown, f"rows with no engine figure to compare: {sorted(unknown)}"
    assert len(got) >= 30
    for measure, values in got.items():
        tol = 1e-6 if measure == "deficit_share_of_dsg" else 0.5
        np.testing.assert_allclose(values, want[measure], atol=tol, err_msg=measure)


def test_the_blocks_add_up_to_the_engines_total_dsg_and_the_transfer_moves_none(forum, run_result):
    got = rows(forum[PLAN_SHEET])
    blocks = np.add.reduce(
        [got[m] for m in ("schools_block", "other_dsg_blocks", "high_needs_income")]
    )
    np.testing.assert_allclose(blocks, line(run_result, PLAN, "total_dsg"), atol=0.5)
    np.testing.assert_allclose(got["total_after"], got["total_dsg"], atol=0.5)
    # The plan moves £3.5m a year out of the schools block from 2020-21 (report s14).
    assert got["transfer_out"][2:] == [-3_500_000] * 4
    assert got["high_needs_after"][2] - got["high_needs_income"][2] == 3_500_000
    # The in-year and cumulative position the report gives: £5.253m in 2019-20, £19.493m.
    assert round(got["in_year_deficit"][1]) == 5_253_000
    assert round(got["cumulative_deficit"][1]) == 19_493_000


def test_mitigations_log_values_each_high_needs_action(forum, run_result):
    ws = forum[MITIGATIONS_SHEET]
    got = rows(ws)
    plan_ap = line(run_result, PLAN, "expenditure.alternative_provision")
    none_ap = line(run_result, NO_ACTION, "expenditure.alternative_provision")
    provisions = [
        m.replace("ehcp.", "expenditure.")
        for _, m in {p.scenario: p for p in run_result.projections}[PLAN].lines
        if m.startswith("ehcp.")
    ]
    mix = sum(line(run_result, NO_ACTION, m) - line(run_result, PLAN, m) for m in provisions)
    np.testing.assert_allclose(
        got["schools_block_transfer"], line(run_result, PLAN, "schools_block_transfer")
    )
    np.testing.assert_allclose(got["exclusions"], none_ap - plan_ap, atol=0.5)
    np.testing.assert_allclose(got["placement_mix"], mix, atol=0.5)
    assert got["exclusions"][-1] > 0 and got["placement_mix"][-1] > 0
    assert got["additional_savings"] == [0.0] * 6
    # The log is complete: the no-action deficit less the plan's is the mitigations to date.
    gap = line(run_result, NO_ACTION, "cumulative_deficit") - line(
        run_result, PLAN, "cumulative_deficit"
    )
    np.testing.assert_allclose(np.cumsum([0.0, *got["total"][1:]]), gap, atol=0.5)
    words = {str(c.value) for row in ws.iter_rows() for c in row if c.value}
    by_title = {
        str(r[0].value): [c.value for c in r] for r in ws.iter_rows(min_row=5) if r[0].value
    }
    transfer = by_title["Schools-block transfer"]
    n = len(run_result.projections[0].years)
    assert transfer[FIRST_COL - 1 + n : FIRST_COL + n + 3] == [
        "2020/21",
        "not rated",
        "not yet (forecast)",
        "Proposed for 2020/21 to 2023/24: needs the Secretary of State's disapplication "
        "(above the 0.5% the Forum may approve); the forecast takes it as granted",
    ]
    # Children's social care savings are not the Forum's: none of them is in the log.
    cs = run_result.scenarios[0].assumptions.childrens_services.savings.items
    assert cs and not {i.label for i in cs.values()} & words


def test_the_checks_sheet_ties_the_plan_and_the_log_to_the_engine(forum):
    labels = [str(c.value) for c in forum["Checks"]["A"] if c.value]
    assert sum(lbl.startswith("DSG plan:") for lbl in labels) == 7
    assert any(lbl.startswith("Mitigations log:") for lbl in labels)
    assert forum["Checks"]["E2"].value is True


def test_without_a_no_action_scenario_the_log_says_what_it_cannot_value(bundled):
    run = forecast(bundled, ("council-plan", "savings-slip"))
    wb = load_workbook(io.BytesIO(forum_workbook(run, national=None)), data_only=True)
    got = rows(wb[MITIGATIONS_SHEET])
    assert "exclusions" not in got and "schools_block_transfer" in got
    cells = [c.value for row in wb[MITIGATIONS_SHEET].iter_rows() for c in row]
    assert "not valued: the set has no no-action scenario" in cells
    assert not any(str(c.value).startswith("Mitigations log:") for c in wb["Checks"]["A"])
    assert wb["Checks"]["E2"].value is True


def test_narrative_sheet_shows_the_officers_paragraphs_as_text(forum, bundled):
    general = yaml.safe_load((bundled / "general.yaml").read_text())
    paragraphs = general["council"]["narrative"]["forum"]
    ws = forum[NARRATIVE_SHEET]
    shown = [ws.cell(r, 1).value for r in range(4, 4 + len(paragraphs))]
    assert shown == [" ".join(p.split()) for p in paragraphs.values()]
    assert all("section 14" in p for p in shown)
    assert "general.yaml" in ws["A2"].value and "narrative: forum:" in ws["A2"].value


def test_a_set_without_narrative_or_la_code_still_validates_and_says_so(editable_set):
    general = editable_set / "general.yaml"
    data = yaml.safe_load(general.read_text())
    for key in ("narrative", "la_code", "statistical_neighbours"):
        del data["council"][key]
    general.write_text(yaml.safe_dump(data, sort_keys=False))
    assert load(editable_set)[0].assumptions.council.narrative is None
    run = forecast(editable_set, ("council-plan",))
    wb = load_workbook(io.BytesIO(forum_workbook(run)), data_only=True)
    assert wb[NARRATIVE_SHEET]["A4"].value.startswith("This assumption set has no narrative")
    for sheet in ("History", "Comparators"):
        assert "does not name the council's LA number" in wb[sheet]["A2"].value
    assert wb["Checks"]["E2"].value is True


def test_narrative_text_is_never_a_formula(editable_set):
    general = editable_set / "general.yaml"
    data = yaml.safe_load(general.read_text())
    data["council"]["narrative"]["forum"]["injected"] = '=HYPERLINK("http://x","click")'
    general.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    run = forecast(editable_set, ("council-plan",))
    ws = load_workbook(io.BytesIO(forum_workbook(run, national=None)))[NARRATIVE_SHEET]
    cell = next(c for c in ws["A"] if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_the_placement_change_describes_what_the_plan_changes(run_result):
    """Children placed in independent schools because special schools are full happens with
    or without the plan; the log names only the shifts the plan makes against no action."""
    from forecasting.excel.dfe_plan import mitigations

    plan = next(p for p in run_result.projections if p.scenario == "council-plan")
    (mix,) = [m for m in mitigations(run_result, plan) if m.key == "placement_mix"]
    assert "Mainstream schools (top-up) 41% (38% with no action)" in mix.description
    assert "Maintained special schools" not in mix.description  # full in both: not the plan's


def test_the_plans_totals_are_the_engines_parts_not_written_again(run_result):
    """The plan's in-year deficit is built from the engine line's parts: a part the engine
    drops (other contributions here) drops from the plan's formula too, and the blocks'
    funding after movements stands for the income and the transfer together."""
    from dataclasses import replace

    def formulas(run) -> dict[str, str]:
        ws = load_workbook(io.BytesIO(forum_workbook(run, national=None)))[PLAN_SHEET]
        at = {str(r[2].value): r[FIRST_COL - 1].coordinate for r in ws.iter_rows(min_row=5)}
        return {m: str(ws[at[m]].value) for m in at if m != "None"} | {"@" + m: at[m] for m in at}

    got = formulas(run_result)
    row = {m: got["@" + m] for m in ("high_needs_expenditure", "high_needs_funding")}
    assert got["in_year_deficit"] == (
        f"={row['high_needs_expenditure']}-{row['high_needs_funding']}-{got['@other_contributions']}"
    )
    plan = run_result.plan
    lines = dict(plan.lines)
    key = ("dsg", "in_year_deficit")
    lines[key] = replace(lines[key], parts=lines[key].parts[:-1])
    dropped = replace(
        run_result, projections=[replace(plan, lines=lines)], scenarios=[run_result.plan_scenario]
    )
    assert formulas(dropped)["in_year_deficit"] == (
        f"={row['high_needs_expenditure']}-{row['high_needs_funding']}"
    )
    # the income and the transfer need not sit together in the definition: with other
    # contributions between them the funding row is still read once
    spend, income, transfer, other = plan.lines[key].parts[:4]
    lines[key] = replace(lines[key], parts=(spend, income, other, transfer))
    apart = replace(
        run_result, projections=[replace(plan, lines=lines)], scenarios=[run_result.plan_scenario]
    )
    assert formulas(apart)["in_year_deficit"] == (
        f"={row['high_needs_expenditure']}-{row['high_needs_funding']}-{got['@other_contributions']}"
    )


def test_the_forums_limit_is_said_as_the_set_has_it(editable_set):
    """A set whose Forum may approve 1% of the schools block: the How-to-read text, the High
    needs sheet's section and the mitigations log say 1.0%, never the usual 0.5%."""
    f = editable_set / "high_needs.yaml"
    f.write_text(f.read_text().replace("limit_share: {value: 0.005,", "limit_share: {value: 0.01,"))
    run = forecast(editable_set, ("council-plan", "unmitigated"))
    wb = load_workbook(io.BytesIO(forum_workbook(run, national=None)))
    said = {
        name: " ".join(str(c.value) for row in wb[name].iter_rows() for c in row if c.value)
        for name in ("About this run", "High needs", MITIGATIONS_SHEET)
    }
    assert "The 1.0% test: up to 1.0% of the schools block" in said["About this run"]
    assert "schools-block transfer and the 1.0% test" in said["High needs"]
    assert "the 1.0% the Forum may approve" in said[MITIGATIONS_SHEET]
    assert not any("0.5%" in words for words in said.values())


def test_the_plans_checks_use_the_checks_sheets_tolerances(run_result):
    """The plan's checks against the engine read the Checks sheet's own tolerance cell, and
    its EHCP count check the tolerance every count check uses."""
    from forecasting.excel.checks import COUNT_TOLERANCE

    ws = load_workbook(io.BytesIO(forum_workbook(run_result, national=None)))["Checks"]
    tolerance = next(
        f"$E${c.row}" for c in ws["A"] if str(c.value).startswith("Tolerance for agreement")
    )
    by_label = {str(r[0].value): str(r[FIRST_COL - 1].value) for r in ws.iter_rows(min_row=4)}
    ehcp = by_label["DSG plan: EHCPs by provision add up to the EHCPs total"]
    assert ehcp.endswith(f"<={COUNT_TOLERANCE}")
    carried = by_label["DSG plan: deficit carried forward agrees with the engine"]
    assert carried.endswith(f"<={tolerance}")
