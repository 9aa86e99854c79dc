"""Scenario roles: the plan and the unmitigated case are found by role, not by name."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli import main


def test_roles_not_names_find_the_plan_and_the_unmitigated_case(editable_set, tmp_path):
    """A council that calls its plan 'recovery-plan' and its do-nothing case 'do-nothing'
    still gets the variance to its plan and its cover messages, found by role."""
    from forecasting.excel.messages import csc_messages, dsg_messages
    from forecasting.run import forecast
    from forecasting.summary import summary_text

    for stem, new, title in (
        ("council-plan", "recovery-plan", "Recovery plan"),
        ("unmitigated", "do-nothing", "Do nothing"),
    ):
        f = editable_set / "scenarios" / f"{stem}.yaml"
        text = f.read_text().replace(f"name: {stem}\n", f"name: {new}\n")
        f.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text))
    run = forecast(editable_set)
    assert {s.name: s.role for s in run.scenarios}["recovery-plan"] == "plan"
    assert "Ranked (1 = best); variance to recovery-plan" in summary_text(run)
    # messages name each scenario by its title
    assert any("under 'Recovery plan' the overspend" in m for m in csc_messages(run))
    assert any("('Do nothing') it is" in m for m in csc_messages(run))
    assert any(m.startswith("Under 'Do nothing' it is") for m in dsg_messages(run))


def test_a_role_is_one_of_plan_or_unmitigated_and_claimed_once(editable_set):
    f = editable_set / "scenarios" / "demand-high.yaml"
    f.write_text(f.read_text().replace("name: demand-high\n", "name: demand-high\nrole: plan\n"))
    result = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert result.exit_code == 2 and "role 'plan' is also claimed" in result.output
    f.write_text(f.read_text().replace("role: plan", "role: best"))
    result = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert result.exit_code == 2 and "demand-high.yaml:2: role: expected one of" in result.output


def test_the_plan_is_found_by_role_wherever_it_is_listed(bundled, run_result):
    """With the plan listed last, the solver's answers, the sensitivities, the finance model's
    summary, the cabinet's sensitivity and range and the Forum's what-it-takes are all the
    plan's, as when it is listed first."""
    import re
    import zipfile
    from io import BytesIO

    from openpyxl import load_workbook

    from forecasting.excel.cabinet import cabinet_workbook
    from forecasting.excel.finance_model import finance_model
    from forecasting.excel.forum import forum_workbook
    from forecasting.run import forecast, with_uncertainty

    assert run_result.scenarios[0].name == "council-plan"
    run = forecast(bundled, ("demand-high", "unmitigated", "council-plan"))
    assert run.plan.scenario == "council-plan" and run.no_action.scenario == "unmitigated"
    assert run.sensitivity == run_result.sensitivity and run.sensitivity
    assert run.solutions == run_result.solutions
    plan = run.plan
    over = plan[("csc", "overspend")][0]
    assert over[-1] != run.projections[0][("csc", "overspend")][0][-1]  # the plans differ

    def column(data: bytes, sheet: str, col: int) -> list:
        """One column of a workbook's sheet, read read-only, row by row from row 1."""
        ws = load_workbook(BytesIO(data), read_only=True)[sheet]
        return [v for (v,) in ws.iter_rows(min_col=col, max_col=col, values_only=True)]

    values = [v for v in column(finance_model(run), "Summary", 2) if isinstance(v, float)]
    assert any(v == pytest.approx(float(over[-1]), abs=0.01) for v in values)
    title = "The council's plan"
    drawn = with_uncertainty(run, 20, 1)
    cabinet = cabinet_workbook(drawn)
    cab = column(cabinet, "Sensitivity", 1)
    assert title in cab[0]
    # the fan charts of the range draw the plan's percentiles, not the first scenario's
    charts = zipfile.ZipFile(BytesIO(cabinet))
    fans = [
        xml
        for xml in (charts.read(n).decode() for n in charts.namelist())
        if "<a:t>Range of the cumulative DSG deficit" in xml
    ]
    assert len(fans) == 1 and f"<a:t>Range of the cumulative DSG deficit, {title}" in fans[0]
    rows = [int(r) for r in re.findall(r"<val><numRef><f>'Range'!\$E\$(\d+):", fans[0])]
    sheet = load_workbook(BytesIO(cabinet), read_only=True)["Range"]
    cells = dict(enumerate(sheet.iter_rows(values_only=True), start=1))
    pct = drawn.percentiles[("council-plan", "cumulative_deficit")]
    assert len(rows) == 3
    for r, q in zip(rows, ("p10", "p50", "p90"), strict=True):
        assert cells[r][2:4] == (f"cumulative_deficit.{q}", "council-plan")
        assert list(cells[r][4:10]) == pytest.approx([float(v) for v in pct[q]])
    wit = column(forum_workbook(run), "What it takes", 1)
    assert wit[3].startswith(f"Scenario: {title};")


def test_a_request_the_secretary_of_state_refuses_is_refused_though_the_limit_moves(
    editable_set,
):
    """The Forum approves a request above its limit and no disapplication is granted: the
    engine moves only the limit, and the messages count the request as refused (as the
    engine's flags say), not as granted because some money moved."""
    from forecasting.excel.messages import dsg_messages, transfer_refused
    from forecasting.run import forecast

    (editable_set / "scenarios" / "capped.yaml").write_text(
        "name: capped\ntitle: Transfer capped at the limit\ndescription: The plan, no "
        "disapplication.\nextends: council-plan\noverrides:\n"
        "  high_needs.transfers.disapplication_granted: false\n"
    )
    run = forecast(editable_set, ("council-plan", "capped"))
    capped = run.projections[1]
    moved = capped[("dsg", "schools_block_transfer")][0]
    assert moved.sum() > 0 and (moved < capped[("dsg", "transfer_requested")][0]).any()
    assert transfer_refused(capped) and not transfer_refused(run.plan)
    said = dsg_messages(run)
    assert any(m.startswith("Under 'Transfer capped at the limit' it is") for m in said)
