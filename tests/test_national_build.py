"""The national extract: rebuilt from a fixture cut from DfE's raw files (same formats),
it gives the figures DfE published, on the model's timeline of financial years."""

from __future__ import annotations

import time
from pathlib import Path

import odf  # noqa: F401  (test dependencies: the raw DfE files are parquet and ODS)
import pyarrow  # noqa: F401
import pytest
from click.testing import CliRunner

from cli import main
from forecasting.national import dataset
from forecasting.national.build import COLUMNS

FIXTURE = Path(__file__).parent / "fixtures" / "dfe"
STOKE = 861


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    out = tmp_path_factory.mktemp("national") / "national.csv.gz"
    r = CliRunner().invoke(main, ["data", "build", str(FIXTURE), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return dataset.load_extract(out)


def value(extract, code, measure, period):
    (v,) = dataset.series(code, measure, extract)[[period]]
    return v


def test_columns_and_levels(extract):
    assert list(extract.columns) == COLUMNS
    assert set(extract["level"]) == {"la", "region", "england"}
    assert set(extract.loc[extract["la_code"] == 984, "la_name"]) == {"West Midlands"}
    stoke = extract[extract["la_code"] == STOKE]
    assert set(stoke["la_name"]) == {"Stoke-on-Trent"} and set(stoke["region"]) == {"West Midlands"}


def test_stoke_published_figures_on_the_financial_year_timeline(extract):
    # SEN2: 2,223 EHC plans in January 2019 (both releases), the 2018-19 base year
    assert value(extract, STOKE, "ehcp_total", "2018-19") == 2223
    assert value(extract, STOKE, "ehcp_total", "2017-18") == 1948
    # children looked after at 31 March 2019: 851 (LAIT, LACnum 2019)
    assert value(extract, STOKE, "children_looked_after", "2018-19") == 851
    assert value(extract, STOKE, "cla_starts", "2018-19") == 257
    # s251 outturn 2018-19, gross spend on children looked after
    assert value(extract, STOKE, "cla_gross_spend", "2018-19") == 37_130_287
    # DSG 2019-20 high-needs block, published in GBP million (32.25076691...)
    assert value(extract, STOKE, "high_needs_allocation", "2019-20") == 32_250_767
    assert value(extract, STOKE, "high_needs_allocation", "2020-21") == 37_059_006
    assert value(extract, STOKE, "schools_block", "2020-21") == 178_993_725
    # social workers in post at 30 September 2018
    assert value(extract, STOKE, "sw_fte", "2018-19") == pytest.approx(208.8)
    assert value(extract, STOKE, "vacancy_rate", "2018-19") == pytest.approx(0.063)
    assert value(extract, STOKE, "population_0_17", "2018-19") == 57_901
    assert value(extract, 970, "ehcp_total", "2018-19") == 353_995


def test_ehcps_by_type_and_by_age_add_up_to_the_total(extract):
    for period in ("2013-14", "2018-19", "2021-22", "2024-25"):
        total = value(extract, STOKE, "ehcp_total", period)
        by = extract[(extract["la_code"] == STOKE) & (extract["period"] == period)]
        types = by[by["measure"].str.startswith("ehcp_by_type.")]["value"].sum()
        ages = by[by["measure"].str.startswith("ehcp_by_age.")]["value"].sum()
        assert types == total and ages == total, period
    assert value(extract, STOKE, "ehcp_by_type.special_independent", "2018-19") == 244 + 5
    assert value(extract, STOKE, "ehcp_by_age.16_to_19", "2018-19") == 414


def test_the_statistical_release_wins_over_its_copy_in_lait(extract):
    rows = dataset.rows(STOKE, "children_looked_after", extract).set_index("period")
    assert rows.loc["2021-22", "source_file"] == "csc/cla_number_and_rate_per_10k_children.csv"
    assert rows.loc["2018-19", "source_file"] == "lait/bds_long_0.parquet"
    ehcp = dataset.rows(STOKE, "ehcp_total", extract).set_index("period")
    assert ehcp.loc["2018-19", "source_file"] == "sen2/release2025_caseload.csv"
    assert not extract.duplicated(["la_code", "measure", "period"]).any()


def test_bundled_extract_covers_every_council_and_loads_fast():
    start = time.perf_counter()
    dataset.load_extract.cache_clear()
    e = dataset.load_extract()
    assert time.perf_counter() - start < 1.0  # the 0.2 s target is measured in benchmarks/
    assert len(dataset.councils(extract=e)) >= 150
    assert value(e, STOKE, "ehcp_total", "2018-19") == 2223


def test_find_council_by_name_code_or_part_and_errors_list_the_closest():
    from forecasting.errors import InputError

    assert dataset.find_council("Stoke-on-Trent").code == STOKE
    assert dataset.find_council("861").name == "Stoke-on-Trent"
    assert dataset.find_council("stoke on trent").code == STOKE
    with pytest.raises(InputError, match="more than one council.*Kingston upon Thames"):
        dataset.find_council("Kingston")
    with pytest.raises(InputError, match="closest: Stoke-on-Trent"):
        dataset.find_council("Stoke-on-Trnet")
    r = CliRunner().invoke(main, ["councils", "--region", "Nowhere"])
    assert r.exit_code == 2 and "not a region" in r.output


def test_councils_lists_every_la_with_its_region_and_series():
    r = CliRunner().invoke(main, ["councils"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert len(lines) >= 150
    stoke = next(line for line in lines if line.startswith("Stoke-on-Trent\t"))
    name, code, region, held = stoke.split("\t")
    assert (code, region) == ("861", "West Midlands")
    assert {"ehcp_total", "ehcp_by_type", "children_looked_after", "high_needs_allocation"} <= set(
        held.split()
    )
    west = CliRunner().invoke(main, ["councils", "--region", "west midlands"]).output.splitlines()
    assert 10 <= len(west) < 20 and all("\tWest Midlands\t" in line for line in west)
