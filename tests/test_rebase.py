"""Rolling a set forward a year: it validates and runs, past figures become history, and
every figure the new base year needs is listed rather than guessed."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from cli import main
from forecasting.engine import project
from forecasting.loading import load
from forecasting.rebase import rebase_set


@pytest.fixture(scope="module")
def rebased(tmp_path_factory):
    from tests.conftest import BUNDLED

    dest = tmp_path_factory.mktemp("rebase") / "stoke-2020"
    notes = rebase_set(BUNDLED, dest, "2019-20")
    return dest, notes


def test_rebased_by_one_year_validates_and_runs(rebased, tmp_path, bundled):
    dest, _ = rebased
    result = CliRunner().invoke(main, ["run", str(dest), "--out", str(tmp_path), "--draws", "0"])
    assert result.exit_code == 0, result.output
    scenarios = load(dest)
    assert len(scenarios) == len(load(bundled))
    a = scenarios[0].assumptions
    assert a.timeline.base_year == "2019-20" and a.timeline.horizon_years == 5
    years = project(scenarios[0].name, a).years
    assert years[0] == "2019-20" and years[-1] == "2024-25"


def test_year_keys_move_and_the_old_base_year_becomes_history(bundled, rebased):
    dest, _ = rebased
    old, new = load(bundled)[0].assumptions, load(dest)[0].assumptions
    # A figure given for the new base year is carried as it was ...
    assert new.high_needs.income.high_needs_block.values == {"2019-20": 32_540_000}
    # ... the old base year's figure leaves the parameter for the history file ...
    assert new.childrens_services.workforce.caseload.target_caseload.values == {"2019-20": 20}
    rows = list(csv.DictReader((dest / "history" / "rebased-from-2018-19.csv").open()))
    kept = {(r["parameter"], r["year"]): r["value"] for r in rows}
    kept = {k: v if v in ("True", "False") else float(v) for k, v in kept.items()}
    assert kept["childrens_services.workforce.caseload.target_caseload", "2018-19"] == 25
    assert kept["high_needs.income.high_needs_block", "2018-19"] == 31_300_000
    assert kept["childrens_services.placements.ifa.children", "2018-19"] == 190
    # ... and forecast years keep their figures under the same keys.
    for y in ("2020-21", "2023-24"):
        assert (
            new.childrens_services.budget.mtfs.demographic_growth.values[y]
            == old.childrens_services.budget.mtfs.demographic_growth.values[y]
        )
        assert (
            new.high_needs.transfers.requested.values[y]
            == old.high_needs.transfers.requested.values[y]
        )
    # The rebased set's other files come along (caveats log, trend history).
    assert (dest / "caveats.md").read_bytes() == (bundled / "caveats.md").read_bytes()


def test_what_the_new_base_year_needs_is_listed_not_guessed(bundled, rebased):
    dest, notes = rebased
    text = "\n".join(notes)
    new = load(dest)[0].assumptions
    ifa = new.childrens_services.placements["ifa"]
    # A base-year figure: carried unchanged, marked, listed.
    assert ifa.weekly_cost.value == 759 and ifa.weekly_cost.basis == "estimate"
    assert ifa.weekly_cost.source.startswith("placeholder: the 2018-19 figure")
    assert "childrens_services.placements.ifa.weekly_cost: needs the 2019-20 figure" in text
    # The base year's outturn and the DSG deficit brought forward are needed afresh.
    assert "childrens_services.calibration.base_year_overspend: needs" in text
    assert "childrens_services.budget.mtfs.base_budget: needs the 2019-20 figure" in text
    assert "high_needs.calibration.deficit_brought_forward: needs" in text
    # A series with no figure for the new final year: the last figure, listed.
    assert "2024-25" not in new.childrens_services.budget.mtfs.demographic_growth.values
    assert "mtfs.demographic_growth: given by year to 2023-24 (the old final year)" in text
    # The DSG calibration year cannot be the base year: moved on, its figure listed.
    assert new.high_needs.calibration.calibration_year == "2020-21"
    assert "high_needs.calibration.in_year_deficit: needs the known in-year deficit" in text
    # A plan figure (a saving's full-year value) is not an actual: not listed.
    assert "savings.items.placement_commissioning.amount" not in text
    assert (dest / "rebase.md").read_text().count("\n- ") == len(notes)


def test_rebase_to_the_same_an_earlier_or_a_too_distant_year_is_refused(bundled, tmp_path):
    for year in ("2018-19", "2017-18", "2019-21", "2030-31"):  # 2030-31: past its horizon
        result = CliRunner().invoke(
            main, ["rebase", str(bundled), str(tmp_path / year), "--to", year]
        )
        assert result.exit_code == 2, result.output
        assert "--to" in result.output
        assert not (tmp_path / year).exists()
