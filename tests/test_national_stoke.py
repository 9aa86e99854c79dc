"""The bundled Stoke-on-Trent set takes DfE's published base-year figures where DfE has them
(and keeps the report's where the report gives them)."""

from __future__ import annotations

import pytest

from forecasting.loading import iter_params, load_base
from forecasting.national import dataset

from .conftest import BUNDLED

STOKE = 861


@pytest.fixture(scope="module")
def stoke():
    return load_base(BUNDLED).assumptions


def published(measure: str, period: str = "2018-19") -> float:
    return float(dataset.series(STOKE, measure)[period])


def test_ehcps_and_their_split_by_provision_are_sen2s(stoke):
    e = stoke.high_needs.ehcp
    assert e.school_age_plans.value + e.post16_plans.value == published("ehcp_total") == 2223
    assert e.post16_plans.value == published("ehcp_by_type.post16")
    school = e.school_age_plans.value
    kinds = {
        "mainstream": ["mainstream"],
        "resourced_provision": ["resourced_provision"],
        "maintained_special": ["special_maintained"],
        "academy_special": ["special_academy"],
        "independent_special": ["special_independent"],
        "other_provision": ["ap_pru", "other"],
    }
    for provision, types in kinds.items():
        share = stoke.high_needs.provisions[provision].share.value
        count = sum(published(f"ehcp_by_type.{t}") for t in types)
        assert share == pytest.approx(count / school, abs=2e-6), provision  # 6 decimals
    # the report's 2.03% in specialist provision is kept
    specialist = sum(
        p.share.value * school for p in stoke.high_needs.provisions.values() if p.specialist
    )
    assert specialist / stoke.high_needs.pupils.pupils.value == pytest.approx(0.0203, abs=1e-6)


def test_dsg_blocks_are_the_published_allocations_and_the_report_wins_for_high_needs(stoke):
    inc = stoke.high_needs.income
    assert inc.schools_block.values["2019-20"] == published("schools_block", "2019-20")
    other = published("early_years_block", "2019-20") + published(
        "central_school_services_block", "2019-20"
    )
    assert inc.other_dsg_blocks.values["2019-20"] == pytest.approx(other, abs=1)
    # the report's 32.54m (the council's figure) stays; DfE's allocation is 32.25m
    assert inc.high_needs_block.values["2019-20"] == 32_540_000
    assert published("high_needs_allocation", "2019-20") == 32_250_767
    # announced by September 2019 (Spending Round): 12% more for 2020-21, nothing later
    assert inc.high_needs_growth.values == {"2020-21": 0.12}
    assert "Spending Round of 4 September 2019" in inc.high_needs_growth.source


def test_published_figures_name_their_dfe_file(stoke):
    found = [(p, prm) for p, prm in iter_params(stoke) if prm.basis == "published"]
    assert len(found) >= 8
    for path, prm in found:
        assert "DfE" in prm.source and (".csv" in prm.source or ".ods" in prm.source), path
