"""DSG high-needs mechanisms, the 0.5% rule at its edge, and what it takes to balance."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.high_needs import transfer_decision

from .conftest import series

SB = np.array([100_000_000.0])
LIMIT = np.array([0.005])


def decide(requested, forum, granted):
    t, needs, _ = transfer_decision(
        np.array([requested]), SB, LIMIT, np.array([forum]), np.array([granted])
    )
    return float(t[0]), float(needs[0])


def test_half_percent_rule_at_its_edge():
    assert decide(500_000, True, False) == (500_000, 0)  # exactly 0.5%: the Forum decides
    assert decide(500_001, True, True) == (500_001, 1)  # above: needs the Secretary of State
    assert decide(500_001, True, False) == (500_000, 1)  # refused: the Forum's 0.5% still moves
    assert decide(400_000, False, False) == (0, 1)  # Forum refuses, no disapplication
    assert decide(400_000, False, True) == (400_000, 1)  # Forum refuses, disapplication granted
    assert decide(0, False, False) == (0, 0)


def test_bundled_transfer_is_above_the_limit(results):
    pct = series(results, "council-plan", "dsg", "transfer_pct_of_schools_block")
    assert pct["2020-21"] == pytest.approx(3_500_000 / (169_123_865 * 1.025), abs=1e-6)
    needs = series(results, "council-plan", "dsg", "transfer_needs_disapplication")
    assert list(needs) == [0, 0, 1, 1, 1, 1]
    assert list(series(results, "council-plan", "dsg", "transfer_above_limit")) == list(needs)
    refused = series(results, "forum-refuses-transfer", "dsg", "transfer_needs_disapplication")
    assert list(refused) == [0, 0, 1, 1, 1, 1]


def test_income_and_provision_spend(results):
    income = series(results, "council-plan", "dsg", "high_needs_income")
    assert income["2019-20"] == 32_540_000
    assert income["2020-21"] == pytest.approx(32_540_000 * 1.12)  # Spending Round 2019
    ind = series(results, "council-plan", "dsg", "expenditure.independent_special")
    # SEN2 January 2019 plans at Stoke's cost level (0.75) of the NAO cost per place (51,000)
    assert ind["2018-19"] == pytest.approx(1968 * 0.126524 * 38_250)
    school = 1968 * 1.1**2
    above = max(0, school * 0.376524 - 826) + max(0, school * 0.047764 - 124)  # special full
    assert above > 0
    assert ind["2020-21"] == pytest.approx((school * 0.116524 + above) * 38_250 * 1.02**2)
    post16 = series(results, "council-plan", "dsg", "ehcp.post16")
    assert post16["2021-22"] == pytest.approx(255 * 1.12**3, abs=1e-3)


def test_exclusions_drive_alternative_provision(results):
    ap = series(results, "council-plan", "dsg", "expenditure.alternative_provision")
    assert ap["2018-19"] == pytest.approx(110 * 1.2 * 11_250)
    excluded = 110 * 1.03**2 * (1 - 0.05)
    assert ap["2020-21"] == pytest.approx(excluded * 1.2 * 11_250 * 1.02**2)
    reduced = series(results, "exclusions-reduced", "dsg", "cumulative_deficit")["2023-24"]
    plan = series(results, "council-plan", "dsg", "cumulative_deficit")["2023-24"]
    assert reduced < plan


def test_reconciliation_reaches_the_council_figure_before_transfers(results):
    for s in results.scenario.unique():
        iy = series(results, s, "dsg", "in_year_deficit")
        assert iy["2019-20"] == pytest.approx(5_253_000, abs=0.01), s


def test_deficit_share_and_clearing_flag(results):
    cum = series(results, "council-plan", "dsg", "cumulative_deficit")
    total = series(results, "council-plan", "dsg", "total_dsg")
    share = series(results, "council-plan", "dsg", "deficit_share_of_dsg")
    np.testing.assert_allclose(share, cum / total, atol=1e-6)
    assert series(results, "council-plan", "dsg", "deficit_cleared").sum() == 0


def test_solve_writes_a_scenario_that_balances(tmp_path, bundled):
    from click.testing import CliRunner

    from cli import main
    from forecasting.run import forecast

    out = tmp_path / "balanced.yaml"
    args = ["solve", str(bundled), "--scenario", "council-plan", "--target-year", "2023-24"]
    done = CliRunner().invoke(main, [*args, "--write-scenario", str(out)])
    assert done.exit_code == 0, done.stderr
    assert "needs further high-needs savings: each year, that year's in-year deficit" in done.output
    # the written file, run as `forecast run balanced.yaml` runs it (its results table)
    r = forecast(out).results
    cum = r[(r.measure == "cumulative_deficit") & (r.year == "2023-24")]["value"].iloc[0]
    assert abs(cum) <= 1_000
    saving = r[(r.measure == "expenditure.additional_savings") & (r.year == "2021-22")]
    assert saving["value"].iloc[0] < -1_000_000


def test_solve_by_ehcp_growth_lever():
    from forecasting.loading import load_scenario
    from forecasting.solve import solve

    from .conftest import BUNDLED

    s = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml")
    sol = solve(s.assumptions, "2023-24", "ehcp_growth")
    assert sol.amount < 0.10
    assert abs(sol.deficit_after) <= 1_000


def test_the_base_set_says_the_forum_refused_and_the_plan_assumes_otherwise(bundled):
    """Report s14: the Forum discussed the transfer in June 2019 and did not agree it. The
    base set records that; the council plan's approval is a scenario choice and says so."""
    from forecasting.loading import load_base, load_scenario

    base = load_base(bundled).assumptions.high_needs.transfers
    assert base.forum_approves.value is False and base.forum_approves.basis == "report"
    assert base.disapplication_granted.value is False
    plan = load_scenario(bundled / "scenarios" / "council-plan.yaml").assumptions
    flag = plan.high_needs.transfers.forum_approves
    assert flag.value is True and flag.basis == "scenario"
    assert "did not agree" in flag.source


def test_dsg_accounting_lines(results):
    """The deficit against DfE's 1% trigger, the statutory override from 2020-21, the usable
    reserves set against it, and the interest on the cash it ties up."""
    s = "council-plan"
    cum = series(results, s, "dsg", "cumulative_deficit")
    total = series(results, s, "dsg", "total_dsg")
    share = series(results, s, "dsg", "deficit_share_of_dsg")
    assert share["2019-20"] == pytest.approx(19_493_000 / total["2019-20"], abs=1e-6)
    assert set(series(results, s, "dsg", "recovery_plan_trigger_share")) == {0.01}
    assert list(series(results, s, "dsg", "recovery_plan_required")) == [1] * 6  # 6.4% to 20%
    override = series(results, s, "dsg", "statutory_override")
    assert list(override) == [0, 0, 1, 1, 1, 1]
    held = series(results, s, "dsg", "deficit_in_unusable_reserve")
    outside = series(results, s, "dsg", "deficit_outside_override")
    assert held["2019-20"] == 0 and outside["2019-20"] == pytest.approx(19_493_000)
    assert held["2023-24"] == pytest.approx(cum["2023-24"]) and outside["2023-24"] == 0
    cover = series(results, s, "dsg", "reserves_less_deficit")
    assert cover["2019-20"] == pytest.approx(30_000_000 - 19_493_000)
    assert cover["2023-24"] < 0  # by 2023-24 the deficit is more than the usable reserves
    ratio = series(results, s, "dsg", "deficit_share_of_reserves")
    assert ratio["2019-20"] == pytest.approx(19_493_000 / 30_000_000, abs=1e-6)
    interest = series(results, s, "dsg", "interest_cost_of_deficit")
    assert interest["2019-20"] == pytest.approx(0.01 * (14_240_000 + 19_493_000) / 2, abs=0.01)


def test_special_school_places_above_capacity_go_to_independent_schools(results):
    """Plans above the special schools' places are placed in independent special schools at
    their cost per place, each overflow with its own line; 2019-20 is within the places."""
    school = 1968 * 1.1**3
    total_over = 0.0
    for pid, share, cap in (
        ("maintained_special", 0.376524, 836),
        ("academy_special", 0.047764, 144),
    ):
        over = series(results, "council-plan", "dsg", f"overflow_plans.{pid}")
        assert over["2019-20"] == 0
        want = max(0.0, school * share - cap)
        assert over["2021-22"] == pytest.approx(want, abs=0.001)
        assert series(results, "council-plan", "dsg", f"ehcp.{pid}")["2021-22"] == pytest.approx(
            min(cap, school * share), abs=0.001
        )
        effect = series(results, "council-plan", "dsg", f"overflow_effect.{pid}")
        level = 0.75  # high_needs.local_cost_level: Stoke's costs against the NAO benchmarks
        gap = (51_000 - 20_910) * level
        assert effect["2021-22"] == pytest.approx(want * gap * 1.02**3, abs=0.05)
        total_over += want
    assert total_over > 0  # the maintained special schools are full by 2021-22
    ind = series(results, "council-plan", "dsg", "ehcp.independent_special")
    assert ind["2021-22"] == pytest.approx(school * 0.096524 + total_over, abs=0.001)


def test_cover_says_when_the_deficit_outgrows_the_reserves(run_result):
    from forecasting.excel.messages import dsg_messages

    messages = dsg_messages(run_result)
    assert any("above the 1% at which DfE asks for a recovery plan" in m for m in messages)
    assert (
        "By 31 March 2023 it is more than the council's usable reserves of £30.0m: the general "
        "fund could not absorb it without the statutory override." in messages
    )
