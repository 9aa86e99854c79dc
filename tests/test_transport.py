"""Home-to-school transport for pupils with EHCPs: an area found in forecasting/areas, its
arithmetic, its validation and its place in the outputs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from click.testing import CliRunner

from cli import main
from forecasting import areas

from .conftest import series

T = "transport"


def test_the_area_is_found_in_its_folder():
    found = {a.code: a for a in areas.folders()}
    assert found[T].key == "home_to_school_transport"
    assert [a.code for a in areas.every()][:2] == ["csc", "dsg"]


def test_pupils_are_plans_by_provision_times_the_share_transported(results):
    # 2018-19, January 2019 census: 741 plans in maintained special schools x 0.584.
    pupils = series(results, "council-plan", T, "pupils.maintained_special")
    plans = series(results, "council-plan", "dsg", "ehcp.maintained_special")
    assert pupils.iloc[0] == pytest.approx(741 * 0.584, abs=0.001)
    np.testing.assert_allclose(pupils, plans * 0.584, atol=0.002)


def test_cost_is_pupils_times_cost_per_pupil_with_inflation(results):
    unit = series(results, "council-plan", T, "cost_per_pupil")
    assert unit.iloc[0] == 6280 and unit.iloc[2] == pytest.approx(6280 * 1.02**2, abs=0.01)
    cost = series(results, "council-plan", T, "cost")
    pupils = series(results, "council-plan", T, "pupils")
    np.testing.assert_allclose(cost, pupils * unit, rtol=1e-6)
    # 2018-19: SEN2's 753 + 14 + 117 plans at 0.167, 741 + 94 at 0.584, 249 at 0.99, x 6,280
    # (the plans by provision are 1,968 x shares typed to six places: within £10)
    base = ((753 + 14 + 117) * 0.167 + (741 + 94) * 0.584 + 249 * 0.99) * 6280
    assert cost.iloc[0] == pytest.approx(base, abs=10)
    rise = series(results, "council-plan", T, "rise_since_base_year")
    np.testing.assert_allclose(rise, cost - cost.iloc[0], atol=0.02)


def test_more_plans_mean_more_transport_cost(results):
    """The knock-on the area exists for: the high-demand scenario's extra plans cost more
    to transport in every forecast year."""
    plan = series(results, "council-plan", T, "cost")
    high = series(results, "demand-high", T, "cost")
    assert (high.iloc[2:] > plan.iloc[2:]).all()


def test_a_share_for_an_unknown_provision_is_refused_with_file_and_line(editable_set):
    f = editable_set / "transport.yaml"
    text = f.read_text()
    f.write_text(text.replace("    academy_special: {", "    academy_specail: {", 1))
    line = 1 + next(i for i, x in enumerate(text.splitlines()) if "academy_special: {" in x)
    r = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert r.exit_code == 2
    out = r.output + r.stderr
    assert f"transport.yaml:{line}: home_to_school_transport.eligible_share.academy_specail:" in out
    assert "is not a high-needs provision" in out


def test_a_set_without_the_section_has_no_transport_lines(editable_set, tmp_path):
    (editable_set / "transport.yaml").unlink()
    out = tmp_path / "out"
    # two scenarios: the writers, the cabinet's side-by-side comparison too, run without it
    two = ["--scenario", "council-plan", "--scenario", "demand-high"]
    r = CliRunner().invoke(main, ["run", str(editable_set), "--out", str(out), "--draws=0", *two])
    assert r.exit_code == 0, r.output
    text = (out / "results.csv").read_text()
    assert ",transport," not in text and ",dsg,cumulative_deficit," in text
    assert "demand-high,dsg,cumulative_deficit," in text


def test_the_finance_model_has_the_area_as_live_formulas(run_result):
    import io

    from openpyxl import load_workbook

    from forecasting.excel.finance_model import finance_model

    wb = load_workbook(io.BytesIO(finance_model(run_result)), read_only=True)
    ws = wb["Home-to-school transport"]
    formulas = [v for row in ws.iter_rows(values_only=True) for v in row if str(v).startswith("=")]
    assert len(formulas) >= 6 * 15 * len(run_result.projections)
    # the plans come live from the high-needs EHCPs on the Inputs sheet
    assert any("Inputs" in f and "*" in f for f in formulas)
    checks = wb["Checks"].iter_rows(min_col=4, max_col=4, values_only=True)
    notes = [v for (v,) in checks if v]
    assert any(str(x).startswith("cost = cost.mainstream + ") for x in notes)


def test_a_set_built_from_published_data_carries_englands_transport_figures(tmp_path):
    """Any council's generated set has the area, with England's figures as benchmarks listed
    in its caveats (no council's own transport figure is in the published data used)."""
    from forecasting.run import forecast

    made = tmp_path / "blackpool"
    r = CliRunner().invoke(main, ["init", str(made), "--council", "Blackpool", "--as-at", "2021"])
    assert r.exit_code == 0, r.output
    assert "home_to_school_transport.cost_per_pupil" in (made / "caveats.md").read_text()
    plan = forecast(made, ("council-plan",)).projections[0]
    plans = plan[("dsg", "ehcp.maintained_special")][0]
    pupils = plan[(T, "pupils.maintained_special")][0]
    np.testing.assert_allclose(pupils, plans * 0.584)
    # the cost per pupil of the base year: England's 2018-19 figure uprated 2% a year to
    # 2020-21, never the 2023-24 figure published since; as at 2024 that figure itself
    assert plan[(T, "cost_per_pupil")][0][0] == pytest.approx(6280 * 1.02**2)
    from forecasting.national import newset

    later = newset.draft("Blackpool", 2024).sections["home_to_school_transport"]
    assert later["cost_per_pupil"]["value"] == 8299
    assert "for the base year 2023-24" in later["cost_per_pupil"]["source"]


def test_the_cabinet_compares_the_transport_cost_across_scenarios(run_result):
    """A general fund pressure a cabinet weighs beside the overspend: its scenarios side by
    side and each one's variance to the plan, as the area asks (``Area.compare``)."""
    from openpyxl import load_workbook

    from forecasting.excel.cabinet import cabinet_workbook

    book = load_workbook(io.BytesIO(cabinet_workbook(run_result)), data_only=True)
    rows = list(book["Comparison"].iter_rows(values_only=True))
    headings = [r[0] for r in rows if r[0]]
    title = "Home-to-school transport, pupils with EHCPs (general fund)"
    assert title in headings
    assert any(str(h).startswith(f"{title}: variance to ") for h in headings)
    # each scenario's cost is the engine's, and its variance that cost less the plan's
    # (the stored values of the sheet's formulas)
    cost = {p.scenario: p[(T, "cost")][0] for p in run_result.projections}
    n = len(run_result.plan.years)
    plan = run_result.plan.scenario
    shown = {str(r[3]).removeprefix("forecast: "): r[4 : 4 + n] for r in rows if r[2] == "cost"}
    assert set(shown) == set(cost)
    variance = [r[4 : 4 + n] for r in rows if r[2] == "cost.variance"]
    others = [p.scenario for p in run_result.projections if p.scenario != plan]
    assert len(variance) == len(others)
    for s, v in zip(others, variance, strict=True):
        np.testing.assert_allclose(shown[s], cost[s], rtol=1e-9)
        np.testing.assert_allclose(v, cost[s] - cost[plan], atol=1e-6)
    assert any(np.any(np.abs(v) > 1e5) for v in variance)  # the scenarios differ
