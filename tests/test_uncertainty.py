"""Monte Carlo: percentiles ordered with a real spread, byte-identical with the same seed,
vectorised draws; sensitivity sorted by swing."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from forecasting.loading import load_scenario
from forecasting.uncertainty import draw, pert, sensitivity, simulate

from .conftest import BUNDLED


def _run(out, seed="7", draws="400"):
    r = CliRunner().invoke(
        main, ["run", str(BUNDLED), "--out", str(out), "--draws", draws, "--seed", seed]
    )
    assert r.exit_code == 0, r.output + r.stderr
    return out / "results.csv"


@pytest.fixture(scope="module")
def seed_7(tmp_path_factory) -> bytes:
    """results.csv of the bundled set with 400 draws and seed 7, run once for this module."""
    return _run(tmp_path_factory.mktemp("seed-7")).read_bytes()


def test_percentiles_are_ordered_and_spread(seed_7):
    df = pd.read_csv(io.BytesIO(seed_7))
    for measure in ("cumulative_deficit", "overspend"):
        p = {
            q: df[(df.scenario == "council-plan") & (df.measure == f"{measure}.{q}")].set_index(
                "year"
            )["value"]
            for q in ("p10", "p50", "p90")
        }
        assert (p["p10"] <= p["p50"]).all() and (p["p50"] <= p["p90"]).all()
        assert p["p90"]["2023-24"] - p["p10"]["2023-24"] > 1_000_000


def test_same_seed_gives_byte_identical_results(seed_7, tmp_path):
    a = seed_7
    b = _run(tmp_path / "b").read_bytes()
    c = _run(tmp_path / "c", seed="8").read_bytes()
    assert a == b
    assert a != c


def test_pert_stays_in_range_and_centres_on_the_mode():
    x = pert(np.random.default_rng(1), 0.0, 0.2, 1.0, 100_000)
    assert x.min() >= 0 and x.max() <= 1
    assert abs(x.mean() - (0 + 4 * 0.2 + 1) / 6) < 0.005  # PERT mean


def test_draws_and_chunks_do_not_change_results():
    s = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml")
    d1 = draw(s.assumptions, 50, 3)
    d2 = draw(s.assumptions, 50, 3)
    assert all(np.array_equal(d1[k], d2[k]) for k in d1)
    import forecasting.uncertainty as u

    whole = simulate("x", s.assumptions, 50, 3)
    old, u.CHUNK = u.CHUNK, 7
    try:
        chunked = simulate("x", s.assumptions, 50, 3)
    finally:
        u.CHUNK = old
    for k in whole:
        np.testing.assert_allclose(whole[k], chunked[k])


def test_observed_years_stay_fixed_under_draws():
    s = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml")
    sims = simulate("x", s.assumptions, 200, 1)
    cum = sims[("dsg", "cumulative_deficit")]
    np.testing.assert_allclose(cum[:, 1], 19_493_000, atol=0.01)  # pinned by the report
    np.testing.assert_allclose(sims[("csc", "overspend")][:, 0], 8_000_000, atol=0.01)


def test_sensitivity_is_sorted_by_swing():
    s = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml")
    sens = sensitivity("council-plan", s.assumptions)
    sizes = [s.size for s in sens]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0
    row = next(s for s in sens if s.parameter == "high_needs.ehcp.growth")
    assert row.deficit_swing > 0  # faster EHCP growth means a bigger deficit


def test_yearly_shocks_carry_forward_with_their_persistence():
    from forecasting.uncertainty import shock_paths

    rng = np.random.default_rng(11)
    e = shock_paths(rng, 0.05, 0.6, 40_000, 6)
    assert np.all(e[:, 0] == 0)  # the base year is an outturn
    assert np.std(e[:, 1]) == pytest.approx(0.05, rel=0.03)
    # this year's shock carries 60% of last year's
    assert np.corrcoef(e[:, 4], e[:, 5])[0, 1] == pytest.approx(0.6, abs=0.02)
    # stationary variance sd^2 / (1 - rho^2) approached from the first year
    assert np.std(e[:, 5]) == pytest.approx(0.05 / np.sqrt(1 - 0.36), rel=0.05)


def test_shocked_growth_is_a_path_by_year_and_its_range_widens_with_the_horizon():
    s = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml")
    d = draw(s.assumptions, 2000, 3)
    g = d["high_needs.ehcp.growth"]
    years = s.assumptions.timeline.horizon_years + 1
    assert g.shape == (2000, years)
    from forecasting.inputs import Inputs

    used = Inputs(s.assumptions, d, 2000).series(s.assumptions.high_needs.ehcp.growth)
    assert np.all(used[:, 1] == 0.10)  # 2019-20 is stated under `values`: shocks leave it be
    assert np.std(used[:, 2]) > 0
    assert np.std(g[:, 3]) > 0.04  # range of the drawn rate plus a 4.8-point yearly shock
    # school-age and post-16 plans share one shock path (group ehcp)
    post16 = d["high_needs.ehcp.post16_growth"]
    shock_a, shock_b = g - np.median(g, axis=0), post16 - np.median(post16, axis=0)
    assert np.corrcoef(shock_a[:, 4], shock_b[:, 4])[0, 1] > 0.5
    sims = simulate("council-plan", s.assumptions, 2000, 3)
    width = np.diff(np.percentile(sims[("dsg", "ehcp_total")], [10, 90], axis=0), axis=0)[0]
    assert np.all(np.diff(width[1:]) > 0)  # the band keeps widening: shocks accumulate


def test_the_high_demand_scenario_lies_inside_the_plans_p5_to_p95():
    from forecasting.run import forecast

    run = forecast(BUNDLED, ("council-plan", "demand-high"))
    plan, high = run.scenarios[0], run.projections[1]
    assert run.scenarios[1].name == "demand-high"
    sims = simulate("council-plan", plan.assumptions, 10_000, 20190901)
    for m in [("csc", "children_in_care"), ("dsg", "ehcp_total"), ("dsg", "cumulative_deficit")]:
        p5, p95 = np.percentile(sims[m], [5, 95], axis=0)
        v = high.lines[m].values[0]
        assert np.all((p5 <= v + 1e-6) & (v <= p95 + 1e-6)), (m, v, p5, p95)
