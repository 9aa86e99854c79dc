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


def _results_bytes(seed: int, draws: int = 400) -> bytes:
    """results.csv's bytes for the bundled set, run in this process (no workbooks): the
    records and the writer the command uses."""
    from forecasting.output import results_csv
    from forecasting.run import forecast

    return results_csv(forecast(BUNDLED, draws=draws, seed=seed).records)


def test_same_seed_gives_byte_identical_results(seed_7):
    """The command's file with seed 7 is the same bytes as a second run with seed 7 (made
    in-process: the workbooks the command also renders play no part in results.csv), and
    differs with seed 8. The second route also proves the command passes --seed and --draws
    on (the default seed is not 7)."""
    from forecasting import DEFAULT_SEED

    assert DEFAULT_SEED != 7  # else a command ignoring --seed would still match b
    a = seed_7
    b = _results_bytes(7)
    c = _results_bytes(8)
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


def test_a_run_is_frozen_and_the_range_makes_a_new_run(run_result):
    """A run is built once: writers cannot change it, and adding the Monte Carlo range gives
    a new run (central rows then percentile rows) leaving the central run as it was."""
    import dataclasses

    from forecasting.run import with_uncertainty

    central = run_result
    before = len(central.records)
    with pytest.raises(dataclasses.FrozenInstanceError):
        central.solutions = ()  # type: ignore[misc]
    ranged = with_uncertainty(central, 60, 11)
    assert len(central.records) == before and central.draws is None and not central.percentiles
    assert ranged.draws == {"n": 60, "seed": 11}
    assert ranged.records[:before] == central.records
    # 7 headline measures x P10/P50/P90 x years, for each scenario
    years = len(central.projections[0].years)
    assert len(ranged.records) - before == len(central.scenarios) * 7 * 3 * years
    p = ranged.percentiles[("council-plan", "cumulative_deficit")]
    assert np.all(p["p10"] <= p["p50"]) and np.all(p["p50"] <= p["p90"])
    assert p["p90"][-1] - p["p10"][-1] > 1_000_000
    # each run's table is its own, built once and then kept
    assert central.results is central.results
    assert len(ranged.results) == len(ranged.records)
    assert len(central.results) == before
    assert ranged.solutions == central.solutions and ranged.sensitivity == central.sensitivity


def test_the_range_is_a_value_the_same_draws_repeat(run_result):
    """``monte_carlo`` returns what it finds and changes nothing it is given: the same
    seed gives the same rows, another seed other rows."""
    from forecasting.uncertainty import monte_carlo

    scenarios, projections = run_result.scenarios[:2], run_result.projections[:2]
    a = monte_carlo(scenarios, projections, 40, 3)
    b = monte_carlo(scenarios, projections, 40, 3)
    c = monte_carlo(scenarios, projections, 40, 4)
    assert a.records == b.records and a.records != c.records
    assert [r[0] for r in a.records[:1]] == [scenarios[0].name]
    assert {r[2] for r in a.records} >= {"overspend.p10", "overspend.p50", "overspend.p90"}
    assert len(run_result.records) == sum(
        len(p.lines) * len(p.years) for p in run_result.projections
    )


def _set_2019(stated: bool = True):
    """Stoke-on-Trent's set generated as at 2019 (2020-21's high-needs rise stated as the
    12% announced nationally), with or without the shock of that stated year."""
    from forecasting.national import newset

    a = newset.assumptions(newset.draft("Stoke-on-Trent", 2019))
    if not stated:
        g = a.high_needs.income.high_needs_growth
        g.yearly_shock = g.yearly_shock.model_copy(update={"stated_sd": None})
    return a


def test_a_stated_year_with_a_stated_sd_is_drawn_around_its_figure():
    """The announced 2020-21 rise is drawn with sd ``stated_sd`` around 12%; without
    ``stated_sd`` it holds in every draw."""
    from forecasting.inputs import Inputs

    a = _set_2019()
    g = a.high_needs.income.high_needs_growth
    assert (
        g.values == {"2020-21": 0.12} and g.yearly_shock.stated_sd == 0.0251
    )  # 2.245% in log growth x 1.12
    t = a.timeline.horizon_years + 1
    used = Inputs(a, draw(a, 20_000, 5), 20_000).series(g)
    col = ["2018-19", "2019-20", "2020-21"].index("2020-21")
    assert used.shape == (20_000, t)
    assert np.mean(used[:, col]) == pytest.approx(0.12, abs=0.001)
    assert np.std(used[:, col]) == pytest.approx(0.0251, rel=0.03)
    held = _set_2019(stated=False)
    fixed = Inputs(held, draw(held, 2_000, 5), 2_000).series(
        held.high_needs.income.high_needs_growth
    )
    assert np.all(fixed[:, col] == 0.12)


def test_a_stated_sd_leaves_the_central_run_and_other_draws_unchanged():
    """The central projection (no draws) is the same with or without the stated year's
    shock, to the penny; so are the other parameters' draws."""
    from forecasting.engine import project

    a, b = _set_2019(), _set_2019(stated=False)
    pa, pb = project("x", a), project("x", b)
    for key in [("dsg", "high_needs_income"), ("dsg", "cumulative_deficit")]:
        np.testing.assert_array_equal(pa[key], pb[key])
    da, db = draw(a, 500, 9), draw(b, 500, 9)
    assert da.keys() == db.keys()
    for k in da:
        if k != "high_needs.income.high_needs_growth":
            np.testing.assert_array_equal(da[k], db[k])


def test_the_announced_year_gives_the_allocation_a_band_at_horizon_one():
    """As at 2019 the 2020-21 allocation's P10-P90 is about +-1.28 x 2.245% in log terms
    around the central forecast (the measured one-year error; it was a single figure when
    the announced rise was never drawn)."""
    a = _set_2019()
    alloc = simulate("x", a, 4000, 3, measures=[("dsg", "high_needs_income")])
    alloc = alloc[("dsg", "high_needs_income")]
    p10, p50, p90 = np.percentile(alloc[:, 2], [10, 50, 90])
    assert np.log(p90 / p10) / 2 == pytest.approx(1.2816 * 0.02245, rel=0.06)
    assert np.ptp(alloc[:, 1]) == 0  # 2019-20 was published: no band
