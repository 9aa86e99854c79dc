"""Identities every scenario must keep: parts sum to totals, balances roll forward."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import series


def _parts(results, scenario, area, prefix):
    df = results[
        (results.scenario == scenario)
        & (results.area == area)
        & results.measure.str.startswith(prefix + ".")
    ]
    return df.groupby("year")["value"].sum()


@pytest.mark.parametrize(
    "total,prefix,area",
    [
        ("children_in_care", "children_in_care", "csc"),
        ("placement_cost", "placement_cost", "csc"),
        ("investment", "investment", "csc"),
        ("savings_planned", "savings_planned", "csc"),
        ("savings_delivered", "savings_delivered", "csc"),
        ("other_spend", "other_spend", "csc"),
        ("staffing_cost", "staffing_cost", "csc"),
        ("high_needs_expenditure", "expenditure", "dsg"),
    ],
)
def test_parts_sum_to_totals(results, total, prefix, area):
    for scenario in results.scenario.unique():
        parts = _parts(results, scenario, area, prefix)
        whole = series(results, scenario, area, total)
        np.testing.assert_allclose(parts.reindex(whole.index, fill_value=0), whole, atol=0.05)


def test_ehcp_total_is_the_sum_of_provisions(results):
    for scenario in results.scenario.unique():
        parts = _parts(results, scenario, "dsg", "ehcp")
        np.testing.assert_allclose(parts, series(results, scenario, "dsg", "ehcp_total"), atol=0.01)


def test_at_least_eight_placement_types_and_seven_expenditure_lines(results):
    cp = results[results.scenario == "council-plan"]
    assert cp.measure.str.match(r"placement_cost\.[a-z_]+$").sum() / 6 >= 8
    assert cp.measure.str.match(r"expenditure\.").sum() / 6 >= 7
    assert "expenditure.alternative_provision" in set(cp.measure)


def test_overspend_is_net_spend_less_budget(results):
    for scenario in results.scenario.unique():
        o = series(results, scenario, "csc", "overspend")
        n = series(results, scenario, "csc", "net_spend")
        b = series(results, scenario, "csc", "budget")
        np.testing.assert_allclose(o, n - b, atol=0.02)


def _combination(results, scenario, area, terms: dict[str, int]):
    """The sum of measures, each with its sign (+1 or -1), by year."""
    return sum(sign * series(results, scenario, area, m) for m, sign in terms.items())


def test_net_spend_is_the_sum_of_its_lines(results):
    lines = {
        "placement_cost": 1,
        "continuing_allowances": 1,
        "staffing_cost": 1,
        "investment": 1,
        "other_spend": 1,
        "reconciliation": 1,
        "savings_delivered_csc": -1,
    }
    for scenario in results.scenario.unique():
        np.testing.assert_allclose(
            _combination(results, scenario, "csc", lines),
            series(results, scenario, "csc", "net_spend"),
            atol=0.05,
        )


def test_cumulative_deficit_rolls_forward(results):
    for scenario in results.scenario.unique():
        cum = series(results, scenario, "dsg", "cumulative_deficit")
        iy = series(results, scenario, "dsg", "in_year_deficit")
        np.testing.assert_allclose(
            cum.iloc[1:].values, cum.iloc[:-1].values + iy.iloc[1:].values, atol=0.05
        )
        opening = series(results, scenario, "dsg", "opening_deficit")
        np.testing.assert_allclose(cum, opening + iy, atol=0.05)


def test_in_year_deficit_definition(results):
    lines = {
        "high_needs_expenditure": 1,
        "high_needs_income": -1,
        "schools_block_transfer": -1,
        "other_contributions": -1,
    }
    # A safety-valve agreement: the council's contribution and DfE's payment made come off too.
    agreement = {"safety_valve.council_contribution": -1, "safety_valve.dfe_payment": -1}
    for scenario in results.scenario.unique():
        has = (results[results.scenario == scenario].measure == "safety_valve.dfe_payment").any()
        np.testing.assert_allclose(
            _combination(results, scenario, "dsg", {**lines, **(agreement if has else {})}),
            series(results, scenario, "dsg", "in_year_deficit"),
            atol=0.05,
        )


def test_savings_delivered_never_exceed_planned(results):
    for scenario in results.scenario.unique():
        d = series(results, scenario, "csc", "savings_delivered")
        p = series(results, scenario, "csc", "savings_planned")
        assert (d <= p + 0.01).all(), scenario


def test_moves_explain_the_change_in_placement_cost(results):
    for scenario in results.scenario.unique():
        before = series(results, scenario, "csc", "placement_cost_before_moves")
        effects = _parts(results, scenario, "csc", "move_effect").add(
            _parts(results, scenario, "csc", "overflow_effect"), fill_value=0
        )
        after = series(results, scenario, "csc", "placement_cost") + series(
            results, scenario, "csc", "continuing_allowances"
        )
        if len(effects):
            np.testing.assert_allclose(before + effects[before.index], after, atol=0.05)
