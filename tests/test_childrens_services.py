"""Children's social care mechanisms, each against a figure worked by hand."""

from __future__ import annotations

import pytest

from .conftest import series

WEEKS = 52.143


def test_placement_cost_is_children_times_weekly_cost_times_weeks(results):
    cost = series(results, "council-plan", "csc", "placement_cost.ifa")
    assert cost["2018-19"] == pytest.approx(190 * 759 * WEEKS, abs=0.01)


def test_demand_grows_the_total_and_fixed_homes_stay_fixed(results):
    cic = series(results, "council-plan", "csc", "children_in_care")
    assert cic["2018-19"] == pytest.approx(803)
    assert cic["2019-20"] == pytest.approx(803 * 1.108, abs=0.001)  # 890 by August 2019
    homes = series(results, "council-plan", "csc", "children_in_care.in_house_residential")
    assert set(homes) == {26}
    # IFA keeps its share of the children who are not in the fixed homes
    ifa = series(results, "unmitigated", "csc", "children_in_care.ifa")
    overflow = series(results, "unmitigated", "csc", "overflow_children.in_house_fostering")
    assert ifa["2019-20"] - overflow["2019-20"] == pytest.approx(
        (803 * 1.108 - 26) * 190 / 777, abs=0.001
    )


def test_unregulated_target_move_and_its_cost_effect(results):
    before = (803 * 1.108 - 26) * 40 / 777  # unregulated on trend in 2019-20
    moved = series(results, "council-plan", "csc", "move_children.reduce_unregulated")
    assert moved["2018-19"] == 0  # the base year is actual: no moves
    assert moved["2019-20"] == pytest.approx(before - 18, abs=0.001)
    effect = series(results, "council-plan", "csc", "move_effect.reduce_unregulated")
    assert effect["2019-20"] == pytest.approx((before - 18) * (574 - 1200) * 1.03 * WEEKS, abs=0.05)
    left = series(results, "council-plan", "csc", "children_in_care.unregulated")
    assert left["2019-20"] == pytest.approx(18)


def test_exit_from_care_keeps_its_allowance(results):
    moved = series(results, "council-plan", "csc", "move_children.special_guardianship")
    allowances = series(results, "council-plan", "csc", "continuing_allowances")
    assert moved["2020-21"] == 8
    assert allowances["2020-21"] == pytest.approx(8 * 150 * 1.03**2 * WEEKS, abs=0.01)


def test_workforce_cost_and_investment_posts(results):
    staffing = series(results, "council-plan", "csc", "staffing_cost")
    assert staffing["2018-19"] == pytest.approx(115 * 45_000 + 28 * 45_000 * 1.78)  # 7.4178m
    inv_fte = series(results, "council-plan", "csc", "investment_fte")
    assert inv_fte["2019-20"] == pytest.approx(2_600_000 / (45_000 * 1.02 * 1.78), abs=0.001)
    agency = series(results, "council-plan", "csc", "agency_fte")
    assert agency["2018-19"] == pytest.approx(28)
    needed = series(results, "council-plan", "csc", "caseload.fte_needed")
    cic = series(results, "council-plan", "csc", "children_in_care")
    # open cases other than children in care held flat; the looked-after part follows demand
    assert needed["2018-19"] == pytest.approx(3100 / 25)
    assert needed["2019-20"] == pytest.approx((3100 - 803 + cic["2019-20"]) / 20, abs=0.001)
    assert needed["2020-21"] == pytest.approx((3100 - 803 + cic["2020-21"]) / 16, abs=0.001)


def test_savings_risk_adjusted_by_confidence(results):
    """From October 2019 (consultation to 25 September, report s14) each saving counts for
    half of 2019-20; placement commissioning is delivered by its moves, not counted here."""
    delivered = series(results, "council-plan", "csc", "savings_delivered")
    # amber 1.0m at 70%, green 1.8m at 95%, red 1.2m at 30%; commissioning (1.5m) in moves
    full_year = 1_000_000 * 0.7 + 1_800_000 * 0.95 + 1_200_000 * 0.3
    assert delivered["2019-20"] == pytest.approx(full_year / 2)
    assert delivered["2020-21"] == pytest.approx(full_year)
    slip = series(results, "savings-slip", "csc", "savings_delivered")
    assert slip["2019-20"] == pytest.approx(1_800_000 * 0.95 / 2)
    assert slip["2020-21"] == pytest.approx(1_800_000 * 0.95 + 1_000_000 * 0.5 / 2)
    assert slip["2021-22"] == pytest.approx(
        1_800_000 * 0.95 + 1_000_000 * 0.5 + 1_200_000 * 0.1 / 2
    )


def test_no_saving_of_another_service_reduces_childrens_social_care(results):
    """The 1.2m 'savings from other council services' is delivered elsewhere: it is reported
    but not set against the children's social care overspend."""
    other = series(results, "council-plan", "csc", "savings_delivered.cross_council_savings")
    outside = series(results, "council-plan", "csc", "savings_outside_csc")
    assert outside["2020-21"] == pytest.approx(1_200_000 * 0.3)
    assert list(outside) == list(other)
    csc = series(results, "council-plan", "csc", "savings_delivered_csc")
    total = series(results, "council-plan", "csc", "savings_delivered")
    assert list(csc) == pytest.approx(list(total - outside))


def test_a_move_and_its_linked_saving_are_counted_once(results):
    """Placement commissioning (1.5m) is the cost effect of the unregulated and step-down
    moves: the moves' effect is in placement cost and the saving adds nothing again."""
    item = series(results, "council-plan", "csc", "savings_delivered.placement_commissioning")
    assert set(item) == {0}
    assert series(results, "council-plan", "csc", "savings_planned.placement_commissioning")[
        "2020-21"
    ] == pytest.approx(1_500_000)
    through = series(
        results, "council-plan", "csc", "savings_through_moves.placement_commissioning"
    )
    effects = series(results, "council-plan", "csc", "move_effect.reduce_unregulated") + series(
        results, "council-plan", "csc", "move_effect.step_down_residential"
    )
    assert list(through) == pytest.approx(list(-effects))
    assert through["2020-21"] > 0


def test_scenarios_move_the_right_way(results):
    def total(s, m):
        return series(results, s, "csc", m).sum()

    assert total("savings-slip", "savings_delivered") < total("council-plan", "savings_delivered")
    final = {
        s: series(results, s, "csc", "children_in_care")["2023-24"]
        for s in ("council-plan", "demand-high")
    }
    assert final["demand-high"] > final["council-plan"]
    cost = {
        s: series(results, s, "csc", "placement_cost")["2023-24"]
        for s in ("council-plan", "placement-step-down")
    }
    assert cost["placement-step-down"] < cost["council-plan"]
    assert total("unmitigated", "savings_planned") == 0


def test_reconciliation_is_explicit_and_small(results):
    recon = series(results, "council-plan", "csc", "reconciliation")
    net = series(results, "council-plan", "csc", "net_spend")
    assert recon.nunique() == 1  # carried forward flat
    assert abs(recon["2018-19"]) < 0.05 * net["2018-19"]


def test_other_spend_and_own_price_inflation(results):
    early_help = series(results, "council-plan", "csc", "other_spend.early_help")
    assert early_help["2020-21"] == pytest.approx(6_000_000 * 1.02**2)  # inflation only
    weekly = series(results, "council-plan", "csc", "weekly_cost.external_residential")
    assert weekly["2020-21"] == pytest.approx(3600 * 1.05**2, abs=0.01)  # its own inflation
    ifa = series(results, "council-plan", "csc", "weekly_cost.ifa")
    assert ifa["2020-21"] == pytest.approx(759 * 1.03**2, abs=0.01)  # the general rate


def test_recurrent_investment_continues_with_pay_inflation():
    from forecasting.engine import project
    from forecasting.loading import load_scenario

    from .conftest import BUNDLED

    a = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml").assumptions.model_copy(deep=True)
    a.childrens_services.investment["realignment"].recurrent = True
    proj = project("x", a)
    line = proj[("csc", "investment.realignment")][0]
    assert list(line[:2]) == [0, 1_000_000]
    assert line[2] == pytest.approx(1_000_000 * 1.02)  # pay inflation 2%
    assert line[5] == pytest.approx(1_000_000 * 1.02**4)


def test_unmitigated_keeps_the_unregulated_reduction_already_achieved(results):
    """56 unregulated placements at the inspection, 18 by September 2019 (report s10): done
    before the forecast starts, so 'unmitigated' holds them at 18 rather than letting them
    grow back on trend; only the plan's further reduction (to 10) is a mitigation."""
    left = series(results, "unmitigated", "csc", "children_in_care.unregulated")
    assert list(left["2019-20":]) == pytest.approx([18] * 5)
    plan = series(results, "council-plan", "csc", "children_in_care.unregulated")
    assert plan["2020-21"] == pytest.approx(10)


def test_a_saving_must_name_a_childrens_social_care_line_or_other_services(bundled):
    from forecasting.consistency import check
    from forecasting.loading import load_base

    a = load_base(bundled).assumptions.model_copy(deep=True)
    items = a.childrens_services.savings.items
    items["early_help_redesign"].reduces = "schools_block"
    items["placement_commissioning"].linked_moves = ["no_such_move"]
    found = dict(check(a))
    where = ("childrens_services", "savings", "items")
    assert "unknown spend line 'schools_block'" in found[(*where, "early_help_redesign", "reduces")]
    assert "unknown move" in found[(*where, "placement_commissioning", "linked_moves", "0")]


def test_demand_above_in_house_fostering_capacity_is_paid_as_external_fostering(results):
    """About 250 local carers and failed recruitment (report s10): in-house fostering has
    275 places in 2019-20; the children above them are placed with agencies at the IFA price."""
    demand = (803 * 1.108 - 26) * 266 / 777  # in-house fostering on trend, 2019-20
    inhouse = series(results, "unmitigated", "csc", "children_in_care.in_house_fostering")
    assert inhouse["2019-20"] == pytest.approx(275)
    over = series(results, "unmitigated", "csc", "overflow_children.in_house_fostering")
    assert over["2019-20"] == pytest.approx(demand - 275, abs=0.001)
    assert over["2018-19"] == 0  # 266 children, within the places
    effect = series(results, "unmitigated", "csc", "overflow_effect.in_house_fostering")
    assert effect["2019-20"] == pytest.approx((demand - 275) * (759 - 659) * 1.03 * WEEKS, abs=0.05)
    ifa_cost = series(results, "unmitigated", "csc", "placement_cost.ifa")
    ifa = series(results, "unmitigated", "csc", "children_in_care.ifa")
    assert ifa_cost["2019-20"] == pytest.approx(ifa["2019-20"] * 759 * 1.03 * WEEKS, rel=1e-6)
    assert ifa["2019-20"] == pytest.approx((803 * 1.108 - 26) * 190 / 777 + demand - 275)


def test_staffing_cost_rises_with_caseload_demand(results):
    """Social workers needed = open cases / target caseload; the FTE short of it (after
    permanent staff, agency cover and the investment's posts) is filled by agency staff at
    the premium. More children in care (demand-high) means more cases and more cost."""

    def s(scenario, m):
        return series(results, scenario, "csc", m)

    for scenario in ("council-plan", "demand-high"):
        gap = s(scenario, "caseload.gap_fte").clip(lower=0)
        fill = s(scenario, "caseload.gap_agency_fte")
        assert list(fill) == pytest.approx(list(gap), abs=0.002)  # all of the gap, at 100%
        extra = s(scenario, "staffing_cost.gap_to_target")
        unit = s(scenario, "cost_per_fte.agency")
        assert list(extra) == pytest.approx(list(fill * unit), rel=1e-4)
    assert s("council-plan", "caseload.gap_agency_fte")["2018-19"] == 0  # 124 needed at 25
    plan, high = s("council-plan", "staffing_cost"), s("demand-high", "staffing_cost")
    assert plan["2019-20"] == pytest.approx(high["2019-20"])  # 2019-20 is observed
    for year in ("2020-21", "2021-22", "2022-23", "2023-24"):
        assert high[year] > plan[year], year
    cases_added = s("demand-high", "caseload.open_cases") - s("council-plan", "caseload.open_cases")
    cic_added = s("demand-high", "children_in_care") - s("council-plan", "children_in_care")
    assert list(cases_added) == pytest.approx(list(cic_added), abs=0.002)
    assert high["2023-24"] - plan["2023-24"] == pytest.approx(
        (cases_added["2023-24"] / 16) * unit["2023-24"], rel=1e-3
    )


def test_other_spend_follows_its_driver(results):
    """Legal costs follow children in care; leaving-care costs follow them three years later
    (care leavers); both with general inflation. More children in care, more cost."""
    cic = series(results, "council-plan", "csc", "children_in_care")
    legal = series(results, "council-plan", "csc", "other_spend.legal")
    assert legal["2021-22"] == pytest.approx(2_000_000 * cic["2021-22"] / 803 * 1.02**3, rel=1e-5)
    leaving = series(results, "council-plan", "csc", "other_spend.leaving_care")
    assert leaving["2021-22"] == pytest.approx(3_500_000 * 1.02**3)  # 2018-19's children
    assert leaving["2023-24"] == pytest.approx(3_500_000 * cic["2020-21"] / 803 * 1.02**5, rel=1e-5)
    high = series(results, "demand-high", "csc", "other_spend.legal")
    assert high["2023-24"] > legal["2023-24"]


def test_budget_built_as_an_mtfs(results):
    """Each year's budget = last year's + inflation + demographic growth + investment -
    savings, each a line; the bundled MTFS gives 60.0m to 72.5m."""
    s = "council-plan"

    def b(m):
        return series(results, s, "csc", m)

    budget = b("budget")
    assert list(budget) == pytest.approx([60e6, 66e6, 68e6, 69.5e6, 71e6, 72.5e6], abs=0.01)
    assert b("budget.inflation")["2019-20"] == pytest.approx(60e6 * 0.02)
    assert b("budget.investment")["2019-20"] == 4e6
    steps = b("budget.inflation") + b("budget.demographic_growth") + b("budget.investment")
    steps = steps + b("budget.savings")
    assert list((budget - budget.shift(1))[1:]) == pytest.approx(list(steps[1:]), abs=0.02)


def test_a_budget_given_directly_still_works():
    from forecasting.engine import project
    from forecasting.loading import load_scenario
    from forecasting.schema import Money

    from .conftest import BUNDLED

    a = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml").assumptions.model_copy(deep=True)
    a.childrens_services.budget.mtfs = None
    a.childrens_services.budget.net_budget = Money(
        unit="GBP", value=70e6, values={"2018-19": 60e6}, source="test", basis="scenario"
    )
    proj = project("x", a)
    assert list(proj[("csc", "budget")][0]) == [60e6] + [70e6] * 5
    assert ("csc", "budget.inflation") not in proj.lines
