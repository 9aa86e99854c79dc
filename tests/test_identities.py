"""Identities every scenario must keep: parts sum to totals, balances roll forward."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.projection import written

from .conftest import series


def _parts(results, scenario, area, prefix):
    df = results[
        (results.scenario == scenario)
        & (results.area == area)
        & results.measure.str.startswith(prefix + ".")
    ]
    return df.groupby("year")["value"].sum()


# Rounding in results.csv: pence for money, a thousandth for counts and FTE.
ROUNDING = {"GBP": 0.005, "count": 0.0005, "FTE": 0.0005, "ratio": 5e-7}


def _lines(results) -> dict[tuple[str, str, str], np.ndarray]:
    """Each tabulated line's values by year (the years in order), keyed by (scenario, area,
    measure): one reshaping of the table instead of a filter of it for every line read."""
    table = results.set_index(["scenario", "area", "measure", "year"])["value"].unstack("year")
    assert not table.isna().any().any(), "a line is missing a year"
    return dict(zip(table.index, table.to_numpy(), strict=True))


def test_every_total_equals_its_signed_parts_in_results_csv(run_result, results):
    """Generated from the one definition of each total (its signed parts): the tabulated
    figures keep it, in every scenario and year, to the rounding of the parts."""
    lines = _lines(results)
    checked = 0
    for proj in run_result.projections:
        for line in proj.totals():
            whole = lines[(proj.scenario, line.area, line.measure)]
            parts = sum(sign * lines[(proj.scenario, line.area, m)] for sign, m in line.parts)
            slack = ROUNDING[line.unit] * (len(line.parts) + 1)
            np.testing.assert_allclose(
                whole, parts, atol=slack, rtol=0, err_msg=f"{proj.scenario} {line.measure}"
            )
            checked += 1
    assert checked >= 20 * len(run_result.projections)


# What a finance officer signs off: the headline totals, as the engine defines them.
DEFINITIONS = {
    ("csc", "net_spend"): "placement_cost + continuing_allowances + staffing_cost + investment"
    " + other_spend - savings_delivered_csc + reconciliation",
    ("csc", "overspend"): "net_spend - budget",
    ("csc", "savings_delivered_csc"): "savings_delivered - savings_outside_csc",
    ("dsg", "in_year_deficit"): "high_needs_expenditure - high_needs_income"
    " - schools_block_transfer - other_contributions",
    ("dsg", "cumulative_deficit"): "opening_deficit + in_year_deficit",
    ("dsg", "total_dsg"): "schools_block + high_needs_income + other_dsg_blocks",
}


@pytest.mark.parametrize("key", DEFINITIONS)
def test_headline_totals_are_defined_as_signed_off(run_result, key):
    proj = next(p for p in run_result.projections if p.scenario == "council-plan")
    assert written(proj.lines[key].parts) == DEFINITIONS[key]


def test_an_agreement_adds_the_councils_contribution_and_dfes_payment_to_the_in_year_deficit(
    run_result,
):
    """With a safety-valve agreement, the in-year deficit is the plain one less the council's
    contribution and the DfE payment made (signed off like the headline totals above)."""
    proj = next(p for p in run_result.projections if p.scenario == "safety-valve")
    assert written(proj.lines[("dsg", "in_year_deficit")].parts) == (
        DEFINITIONS[("dsg", "in_year_deficit")]
        + " - safety_valve.council_contribution - safety_valve.dfe_payment"
    )


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
        ("ehcp_total", "ehcp", "dsg"),
    ],
)
def test_each_total_has_every_line_of_its_family(run_result, total, prefix, area):
    """No line of a family (every placement type, every spend line) is left out of its
    total's definition."""
    for proj in run_result.projections:
        family = {m for m in proj.measures(area) if m.startswith(prefix + ".")}
        parts = proj.lines[(area, total)].parts
        assert {m for _, m in parts} == family, proj.scenario
        assert all(sign == 1 for sign, _ in parts), (proj.scenario, total)  # all added


def test_at_least_eight_placement_types_and_seven_expenditure_lines(results):
    cp = results[results.scenario == "council-plan"]
    assert cp.measure.str.match(r"placement_cost\.[a-z_]+$").sum() / 6 >= 8
    assert cp.measure.str.match(r"expenditure\.").sum() / 6 >= 7
    assert "expenditure.alternative_provision" in set(cp.measure)


def test_cumulative_deficit_rolls_forward(results):
    for scenario in results.scenario.unique():
        cum = series(results, scenario, "dsg", "cumulative_deficit")
        iy = series(results, scenario, "dsg", "in_year_deficit")
        np.testing.assert_allclose(
            cum.iloc[1:].values, cum.iloc[:-1].values + iy.iloc[1:].values, atol=0.05
        )
        opening = series(results, scenario, "dsg", "opening_deficit")
        np.testing.assert_allclose(cum, opening + iy, atol=0.05)


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
