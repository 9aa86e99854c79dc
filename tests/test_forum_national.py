"""History and comparator sheets of the Forum workbook from the national dataset: the right
year for each measure, averages and shares computed from the published rows, every figure
traceable to its file and indicator, and a clean note when the dataset or LA number is
missing."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from forecasting.excel.forum import forum_workbook
from forecasting.excel.national_view import (
    AVERAGE,
    COUNCIL,
    REGION,
    comparisons,
    history_lines,
)
from forecasting.national import dataset

SEN2 = "sen2/caseload.csv"
LAIT = "lait/bds_long_0.parquet"
DSG = "send/dsg_deficit_derived.xlsx"
AREAS = {
    861: ("Stoke-on-Trent", "West Midlands", "la"),
    810: ("Hull", "Yorkshire and The Humber", "la"),
    806: ("Middlesbrough", "North East", "la"),
    984: ("West Midlands", "West Midlands", "region"),
    970: ("England", "England", "england"),
}


def fixture_extract() -> pd.DataFrame:
    """A small extract with the national dataset's columns."""
    rows = []

    def add(code, measure, period, value, unit, file, indicator):
        name, region, level = AREAS[code]
        rows.append((code, name, region, level, measure, period, value, unit, file, indicator))

    for code, shares in {861: (3.6, 3.7, 3.8), 810: (3.0, 3.2, 3.3), 806: (3.5, 3.6, 3.9),
                         984: (3.0, 3.1, 3.2), 970: (2.9, 3.1, 3.3)}.items():  # fmt: skip
        for period, v in zip(("2017-18", "2018-19", "2019-20"), shares, strict=True):
            add(code, "ehcp_pupil_share", period, v, "percent", LAIT, "SEN_TotStat")
    for code, (m, a, i, total) in {
        861: (700, 300, 84, 2223),
        810: (400, 200, 50, 1800),
        806: (300, 250, 40, 1500),
        984: (5000, 4000, 900, 25000),
        970: (40000, 38000, 9000, 260000),
    }.items():
        for measure, v in (
            ("ehcp_by_type.special_maintained", m),
            ("ehcp_by_type.special_academy", a),
            ("ehcp_by_type.special_independent", i),
            ("ehcp_total", total),
        ):
            add(code, measure, "2018-19", v, "count", SEN2, f"ehcplans: {measure}")
    for period, v in (("2012-13", 1300), ("2013-14", 1340), ("2017-18", 1948), ("2019-20", 2290)):
        add(861, "ehcp_total", period, v, "count", SEN2, "ehcplans: ehcp_total")
    for code, v in {861: -0.0944, 810: -0.0158, 806: 0.004, 984: -0.0087, 970: -0.0108}.items():
        add(code, "dsg_balance_share", "2019-20", v, "ratio", DSG, "DSG balance (%/100)")
    for code, v in {861: 147.0, 810: 136.0, 806: 159.0, 984: 82.0, 970: 66.0}.items():
        add(code, "cla_per_10k", "2018-19", v, "per 10,000", LAIT, "LAC")
    cols = "la_code la_name region level measure period value unit source_file indicator"
    return pd.DataFrame(rows, columns=cols.split())


@pytest.fixture(scope="module")
def extract() -> pd.DataFrame:
    return fixture_extract()


def by_role(comp) -> dict[str, float | None]:
    return {r.role: r.value for r in comp.rows}


def test_comparisons_take_the_base_year_and_average_the_neighbours(extract):
    ehcp, special, dsg, cla = comparisons(extract, 861, [810, 806, 999], "2018-19")
    assert ehcp.year == "2018-19" and ehcp.year_note == ""
    got = by_role(ehcp)
    assert got[COUNCIL] == 3.7 and got[REGION] == 3.1 and got["England"] == 3.1
    assert got[AVERAGE] == pytest.approx((3.2 + 3.6) / 2)  # 999 has no figure: left out
    missing = [r for r in ehcp.rows if r.la_code == 999][0]
    assert missing.value is None and missing.indicator == "not published"
    council = ehcp.rows[0]
    assert (council.source_file, council.indicator) == (LAIT, "SEN_TotStat")
    # Share of plans in special schools: the three special types over all plans.
    assert by_role(special)[COUNCIL] == pytest.approx((700 + 300 + 84) / 2223)
    assert "ehcplans: ehcp_total" in special.rows[0].indicator
    # The DSG balance is published from 2019-20 only, negative for a deficit: shown as a
    # deficit (positive) and marked as after the base year.
    assert dsg.year == "2019-20" and dsg.year_note == "first published: after the base year"
    assert by_role(dsg)[COUNCIL] == pytest.approx(0.0944)
    assert by_role(dsg)[AVERAGE] == pytest.approx((0.0158 - 0.004) / 2)
    assert by_role(cla)[COUNCIL] == 147.0


def test_a_later_base_year_takes_the_latest_published_before_it(extract):
    ehcp = comparisons(extract, 861, [810], "2020-21")[0]
    assert ehcp.year == "2019-20" and ehcp.year_note == "latest before the base year"
    assert by_role(ehcp)[COUNCIL] == 3.8
    assert comparisons(extract, 123, [810], "2018-19") == []


def test_history_holds_published_years_up_to_the_base_year_only(extract):
    lines = {h.label: h for h in history_lines(extract, 861, "2018-19")}
    ehcp = lines["EHCPs (January census)"]
    assert ehcp.values == {"2013-14": 1340.0, "2017-18": 1948.0, "2018-19": 2223.0}
    assert ehcp.source_file == SEN2 and ehcp.forecast == "ehcp_total"
    assert lines["High needs block"].values == {}


def sheets(data: bytes, *names: str) -> dict[str, list[tuple]]:
    """The named sheets' cell values, row by row from row 1 (a read-only load parses only
    these sheets)."""
    wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    return {name: list(wb[name].iter_rows(values_only=True)) for name in names}


@pytest.fixture(scope="module")
def forum(run_result, extract):
    return sheets(forum_workbook(run_result, national=extract), "Comparators", "History")


def test_comparator_sheet_shows_each_figure_with_its_file_and_indicator(forum, extract):
    ws = forum["Comparators"]
    summary = {ws[r - 1][0]: list(ws[r - 1][1:6]) for r in (5, 6)}
    ehcp = summary["Pupils with an EHC plan (% of pupils, January)"]
    assert ehcp[0] == "2018/19" and ehcp[1:] == [3.7, pytest.approx(3.4), 3.1, 3.1]
    traced = 0
    for row in ws[9:]:  # from row 10
        name, code, value = row[0], row[3], row[2]
        file, indicator = row[6], row[7]
        if not code or not isinstance(value, float) or ";" in str(indicator):
            continue
        hits = extract[
            (extract.la_code == int(code))
            & (extract.source_file == file)
            & (extract.indicator == indicator)
        ]
        assert len(hits), (name, file, indicator)
        published = hits.value.to_numpy()
        assert np.isclose(np.abs(published), abs(value)).any(), (name, value, published)
        traced += 1
    assert traced >= 10


def test_history_sheet_puts_published_years_beside_the_forecast(forum, run_result):
    ws = forum["History"]
    heads = list(ws[3])  # row 4
    assert heads[2] == "2013/14 published" and "2018/19 actual" in heads
    found = {r[0]: list(r) for r in ws[4:] if r[0]}  # from row 5
    published = found["EHCPs (January census), published"]
    assert published[2] == 1340 and published[heads.index("2018/19 actual")] == 2223
    assert published[heads.index("Source file")] == SEN2
    forecast = found["EHCPs, this forecast"]
    base = heads.index("2018/19 actual")
    plan = run_result.projections[0][("dsg", "ehcp_total")][0]
    np.testing.assert_allclose(forecast[base : base + len(plan)], plan)


def test_without_the_dataset_the_sheets_say_why(run_result):
    wb = sheets(forum_workbook(run_result, national=None), "History", "Comparators")
    for sheet in ("History", "Comparators"):
        assert "no national dataset" in wb[sheet][1][0]  # A2


def test_the_bundled_dataset_gives_stokes_published_figures(run_result):
    e = dataset.load_extract()  # bundled with the tool: missing or broken is a failure
    ehcp, special, dsg, cla = comparisons(e, 861, [810, 806], "2018-19")
    assert by_role(ehcp)[COUNCIL] == 3.7 and by_role(ehcp)["England"] == 3.1
    assert by_role(cla)[COUNCIL] == 147.0
    assert by_role(dsg)[COUNCIL] == pytest.approx(0.0944)
    assert by_role(special)[COUNCIL] == pytest.approx(0.4876, abs=1e-4)
