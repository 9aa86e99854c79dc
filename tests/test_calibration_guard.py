"""The calibration guard: a reconciliation line too large for the spend it balances is a
warning on the console, on each workbook's cover and Checks sheet, and in validate."""

from __future__ import annotations

import re

from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main

from .conftest import series


def _thirty_percent(editable_set):
    """Another council's outturn: 20m more overspent in the base year than the drivers say,
    about 30% of the modelled children's social care spend."""
    f = editable_set / "childrens_services.yaml"
    text = f.read_text()
    assert "base_year_overspend: {value: 8000000," in text
    f.write_text(
        text.replace(
            "base_year_overspend: {value: 8000000,", "base_year_overspend: {value: 28000000,"
        )
    )


def test_the_bundled_set_is_within_the_warning_share(results):
    for area, line in (("csc", "reconciliation"), ("dsg", "expenditure.reconciliation")):
        share = series(results, "council-plan", area, "reconciliation_share")
        assert (share < 0.05).all() and share.max() > 0
        assert set(series(results, "council-plan", area, "reconciliation_warning")) == {0}
        limit = series(results, "council-plan", area, "reconciliation_warning_share")
        assert set(limit) == {0.05}
        assert series(results, "council-plan", area, line).abs().max() > 0  # the line is there


def _texts(ws) -> list[str]:
    """Every non-empty cell of a sheet as text (read row by row: a read-only sheet)."""
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v]


def test_a_thirty_percent_reconciliation_warns_everywhere(editable_set, tmp_path):
    _thirty_percent(editable_set)
    out = tmp_path / "out"
    # two scenarios sharing the base year: the console still says it once for both
    result = CliRunner().invoke(
        main,
        ["run", str(editable_set), "--out", str(out), "--draws", "0"]
        + ["--scenario", "council-plan", "--scenario", "unmitigated"],
    )
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1, result.stderr
    assert warning[0].endswith("(scenarios: council-plan, unmitigated).")
    share = float(re.search(r"in 2018-19, ([0-9.]+)% of the", warning[0]).group(1))
    assert 25 < share < 35
    assert "children's social care" in warning[0]
    assert "childrens_services.calibration.base_year_overspend" in warning[0]
    assert "warning above 5.0%" in warning[0]
    for name in ("finance-model.xlsx", "schools-forum-dsg.xlsx", "cabinet-scenarios.xlsx"):
        wb = load_workbook(out / name, read_only=True)
        cover = _texts(wb["Summary"])
        has_csc = name != "schools-forum-dsg.xlsx"  # the Forum's workbook is high needs only
        assert any(v.startswith("WARNING: children's social care") for v in cover) == has_csc
        if "Checks" in wb.sheetnames:
            checks = _texts(wb["Checks"])
            assert any(v.startswith("WARNING: children's social care") for v in checks), name
        wb.close()

    result = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert result.exit_code == 0, result.output
    assert "warning: children's social care: the reconciliation line is" in result.output


def test_the_bundled_set_validates_without_a_warning(editable_set):
    result = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert result.exit_code == 0 and ": warning:" not in result.output



def test_scenario_warnings_checks_every_loaded_scenario_without_a_run(editable_set):
    from forecasting.calibration import scenario_warnings
    from forecasting.loading import load

    assert scenario_warnings(load(editable_set)) == []
    _thirty_percent(editable_set)
    scenarios = load(editable_set)
    (warning,) = scenario_warnings(scenarios)  # one sentence for the shared base year
    assert warning.startswith("children's social care: the reconciliation line is")
    assert warning.endswith(f"(scenarios: {', '.join(s.name for s in scenarios)}).")
    assert len(scenarios) == 8
