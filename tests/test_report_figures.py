"""The source report's arithmetic, reproduced from the bundled assumptions (council plan)."""

from __future__ import annotations

import pytest

from forecasting.results import COLUMNS, HEADLINES

from .conftest import series

YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]


def test_results_have_the_contract_columns_and_every_headline(results):
    assert list(results.columns) == COLUMNS
    for scenario in results.scenario.unique():
        for area, measures in HEADLINES.items():
            for m in measures:
                assert list(series(results, scenario, area, m).index) == YEARS, (scenario, m)


def test_dsg_deficit_report_arithmetic(results):
    cum = series(results, "council-plan", "dsg", "cumulative_deficit")
    in_year = series(results, "council-plan", "dsg", "in_year_deficit")
    assert cum["2018-19"] == 14_240_000
    assert in_year["2019-20"] == pytest.approx(5_253_000, abs=0.01)
    assert cum["2019-20"] == pytest.approx(19_493_000, abs=0.01)  # 14.240m + 5.253m


def test_four_transfers_of_3_5m_do_not_clear_the_deficit(results):
    transfers = series(results, "council-plan", "dsg", "schools_block_transfer")
    assert transfers["2019-20"] == 0
    assert list(transfers[YEARS[2:]]) == [3_500_000] * 4
    assert transfers.sum() == 14_000_000 < 19_493_000
    assert series(results, "council-plan", "dsg", "cumulative_deficit")["2023-24"] > 0


def test_investment_savings_and_base_overspend(results):
    investment = series(results, "council-plan", "csc", "investment")
    assert investment["2018-19"] == 0
    assert investment["2019-20"] == pytest.approx(4_000_000)  # report s14: about 4m
    # report s14: a further 5.5m savings requirement for 2019/20 (full-year value); consulted
    # on until 25 September 2019, so from October it lands for half of 2019-20
    full = series(results, "council-plan", "csc", "savings_planned_full_year")
    assert full["2019-20"] == 5_500_000
    assert series(results, "council-plan", "csc", "savings_planned")["2019-20"] == 2_750_000
    for scenario in results.scenario.unique():
        overspend = series(results, scenario, "csc", "overspend")
        assert overspend["2018-19"] == pytest.approx(8_000_000, abs=0.01), scenario


def test_forum_refusal_means_no_transfer_and_a_higher_deficit(results):
    refused = series(results, "forum-refuses-transfer", "dsg", "schools_block_transfer")
    assert refused.sum() == 0
    final = {
        s: series(results, s, "dsg", "cumulative_deficit")["2023-24"]
        for s in ("council-plan", "forum-refuses-transfer")
    }
    # 14.0m less transfer and nothing else different
    assert final["forum-refuses-transfer"] - final["council-plan"] == pytest.approx(
        14_000_000, abs=0.05
    )


def test_every_scenario_keeps_the_report_calibration(results):
    for scenario in results.scenario.unique():
        cum = series(results, scenario, "dsg", "cumulative_deficit")
        assert cum["2018-19"] == 14_240_000, scenario


def test_recurrent_investment_stays_in_the_council_plan_overspend(results):
    """The 4m buys posts: the agency social workers (2.6m) and the re-aligned structure (1.0m)
    recur with pay inflation; only practice improvement (0.4m) is one-off. The budget for
    2020-21 onwards already carries the investment, so its recurrent cost is in the overspend."""
    investment = series(results, "council-plan", "csc", "investment")
    for t, year in enumerate(YEARS[2:], start=1):
        assert investment[year] == pytest.approx(3_600_000 * 1.02**t, abs=0.01), year
    one_off = series(results, "council-plan", "csc", "investment.practice_improvement")
    assert list(one_off) == [0, 400_000, 0, 0, 0, 0]
    net = series(results, "council-plan", "csc", "net_spend")
    parts = sum(
        sign * series(results, "council-plan", "csc", m)
        for m, sign in (
            ("placement_cost", 1),
            ("continuing_allowances", 1),
            ("staffing_cost", 1),
            ("other_spend", 1),
            ("reconciliation", 1),
            ("savings_delivered_csc", -1),
        )
    )
    assert (net - parts)["2020-21"] == pytest.approx(3_600_000 * 1.02, abs=0.05)
