"""The finance model's Checks sheet holds a row for every total the engine defines as signed
parts, in every scenario: a total whose check is left out is named here, on purpose."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from forecasting.excel.finance_model import finance_model
from forecasting.projection import written

# Totals the finance model does not rebuild from their engine parts, so no check is generated:
# the external placement cost is not a row of the model. Any other total without its check is
# a hole in the proof.
NOT_REBUILT = {("csc", "placement_cost_external")}


def _labels_by_scenario(ws) -> dict[str, set[str]]:
    """Each scenario's check definitions (the note of a generated check): a section heading
    carries the scenario's file name in the measure column and no unit."""
    out: dict[str, set[str]] = {}
    scenario = None
    for label, unit, measure, note in ws.iter_rows(min_row=5, max_col=4, values_only=True):
        if label and measure and unit is None:
            scenario = str(measure)
            out[scenario] = set()
        elif scenario and note:
            out[scenario].add(str(note))
    return out


def test_every_total_has_its_generated_row_on_the_checks_sheet(run_result):
    wb = load_workbook(io.BytesIO(finance_model(run_result)), read_only=True)
    labels = _labels_by_scenario(wb["Checks"])
    # every heading read is a scenario's (a check row without its unit would pass for one)
    assert set(labels) == {proj.scenario for proj in run_result.projections}
    for proj in run_result.projections:
        totals = {(ln.area, ln.measure): ln for ln in proj.totals()}
        missing = [
            f"{area}.{m}"
            for (area, m), ln in totals.items()
            if (area, m) not in NOT_REBUILT
            and f"{m} = {written(ln.parts)}" not in labels[proj.scenario]
        ]
        assert not missing, (proj.scenario, missing)
        # the exceptions stay true: still totals, still without a check
        for area, m in NOT_REBUILT:
            assert (area, m) in totals
            assert f"{m} = {written(totals[(area, m)].parts)}" not in labels[proj.scenario]
