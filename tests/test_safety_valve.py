"""Safety-valve style agreements: DfE's payment made only in a year whose milestone is met,
the council's contributions, both in the deficit, the workbooks and the mitigations log.

The bundled set has no agreement (none existed as at September 2019); the scenario
``safety-valve`` adds an illustrative one to the council plan: £5m a year from DfE, £1m a
year from the council, milestones of £3m, £6m, £8m and £10m for 2020-21 to 2023-24.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from forecasting.engine import project
from forecasting.excel.dfe_plan import MITIGATIONS_SHEET, PLAN_SHEET, mitigations
from forecasting.excel.forum import forum_workbook
from forecasting.loading import load
from forecasting.run import forecast
from forecasting.uncertainty import simulate
from tests.test_forum_plan import rows
from tests.test_workbooks import compare_with_engine

SV = "safety-valve"
YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
M = 1_000_000


@pytest.fixture(scope="module")
def scenarios(bundled):
    by = {s.name: s for s in load(bundled, ("council-plan", SV))}
    return by["council-plan"], by[SV]


def lines(assumptions, *measures) -> list[np.ndarray]:
    proj = project("x", assumptions)
    return [proj[("dsg", m)][0] for m in measures]


def with_agreement(a, **changes):
    """The scenario's assumptions with fields of its agreement changed (each a dict of
    values by year for one of its parameters)."""
    sv = a.high_needs.safety_valve
    new = {k: getattr(sv, k).model_copy(update={"values": v}) for k, v in changes.items()}
    hn = a.high_needs.model_copy(update={"safety_valve": sv.model_copy(update=new)})
    return a.model_copy(update={"high_needs": hn})


def test_a_payment_is_made_where_the_milestone_is_met_and_withheld_where_missed(scenarios):
    _, sv = scenarios
    before, met, paid, agreed = lines(
        sv.assumptions,
        "safety_valve.in_year_deficit_before_payment",
        "safety_valve.condition_met",
        "safety_valve.dfe_payment",
        "safety_valve.dfe_payment_agreed",
    )
    # Before DfE's payment: £1.80m, £5.50m, £10.43m, £17.19m against £3m, £6m, £8m, £10m.
    assert np.allclose(before[2:] / M, [1.803, 5.495, 10.432, 17.187], atol=5e-4)
    assert list(met) == [1, 1, 1, 1, 0, 0]  # no milestone in the first two years: nothing due
    assert list(agreed / M) == [0, 0, 5, 5, 5, 5]
    assert list(paid / M) == [0, 0, 5, 5, 0, 0]
    # Raise 2022-23's milestone just above the deficit before payment: that payment is made.
    eased = with_agreement(
        sv.assumptions,
        milestones={
            "2020-21": 3 * M,
            "2021-22": 6 * M,
            "2022-23": before[4] + 1,
            "2023-24": 10 * M,
        },
    )
    (paid,) = lines(eased, "safety_valve.dfe_payment")
    assert list(paid / M) == [0, 0, 5, 5, 5, 0]
    # ... and a pound below it, withheld again.
    tight = with_agreement(
        sv.assumptions,
        milestones={
            "2020-21": 3 * M,
            "2021-22": 6 * M,
            "2022-23": before[4] - 1,
            "2023-24": 10 * M,
        },
    )
    assert list(lines(tight, "safety_valve.dfe_payment")[0] / M) == [0, 0, 5, 5, 0, 0]


def test_the_milestone_is_tested_after_the_councils_contribution(scenarios):
    """2022-23: £11.43m before the agreement, £10.43m after the council's £1m. A milestone
    of £11m is met only because the contribution counts."""
    _, sv = scenarios
    ms = {"2020-21": 3 * M, "2021-22": 6 * M, "2022-23": 11 * M, "2023-24": 10 * M}
    (paid,) = lines(with_agreement(sv.assumptions, milestones=ms), "safety_valve.dfe_payment")
    assert paid[4] == 5 * M
    none = {"2020-21": 0.0, "2021-22": 0.0, "2022-23": 0.0, "2023-24": 0.0}
    a = with_agreement(sv.assumptions, milestones=ms, council_contributions=none)
    assert lines(a, "safety_valve.dfe_payment")[0][4] == 0


def test_contributions_and_payments_reduce_the_in_year_deficit_and_roll_forward(scenarios):
    plan, sv = scenarios
    in_plan, cum_plan = lines(plan.assumptions, "in_year_deficit", "cumulative_deficit")
    in_sv, cum_sv, council, paid = lines(
        sv.assumptions,
        "in_year_deficit",
        "cumulative_deficit",
        "safety_valve.council_contribution",
        "safety_valve.dfe_payment",
    )
    # The council's £1m comes off every agreement year, paid or not; DfE's £5m where paid.
    assert np.allclose((in_plan - in_sv) / M, [0, 0, 6, 6, 1, 1])
    assert np.allclose(in_sv, in_plan - council - paid)
    assert np.allclose(cum_plan - cum_sv, np.cumsum(council + paid))
    assert round(cum_sv[-1]) == round(cum_plan[-1] - 14 * M)  # £44.4m against £58.4m
    # The base set has no agreement and no agreement lines.
    assert not [m for m in project("p", plan.assumptions).measures("dsg") if "safety" in m]


def test_monte_carlo_tests_the_milestone_draw_by_draw(scenarios):
    _, sv = scenarios
    wanted = [("dsg", "safety_valve.condition_met"), ("dsg", "safety_valve.dfe_payment")]
    sims = simulate(SV, sv.assumptions, 400, 1, measures=wanted)
    met, paid = sims[wanted[0]], sims[wanted[1]]
    assert 0 < met[:, 3].mean() < 1  # 2021-22 (£5.5m against £6m) is met in some draws only
    assert np.array_equal(paid, 5 * M * met * (np.arange(6) >= 2))


def test_solve_counts_the_agreement(bundled):
    """Further savings that restore every milestone also earn every payment: the agreement's
    £24m (4 x £5m + 4 x £1m) less to find than in the plan over the four years."""
    out = {}
    for s in ("council-plan", SV):
        r = CliRunner().invoke(
            main, ["solve", str(bundled), "--scenario", s, "--target-year", "2023-24"]
        )
        assert r.exit_code == 0, r.output
        out[s] = float(r.output.split("; £")[-1].split(" in all")[0].replace(",", ""))
    assert abs(out["council-plan"] - out[SV] - 24 * M) < 8


# ----------------------------------------------------------------------- validation


def _edit(folder: Path, change) -> Path:
    path = folder / "scenarios" / f"{SV}.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc["overrides"]["high_needs.safety_valve"])
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=10_000))
    return path


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda sv: sv["milestones"]["values"].pop("2022-23"), "needs its condition"),
        (
            lambda sv: sv["dfe_payments"]["values"].update({"2025-26": 1.0}),
            "2025-26",
        ),
        (lambda sv: sv["council_contributions"]["values"].update({"2021-22": -5.0}), "negative"),
        (lambda sv: sv["dfe_payments"]["values"].update({"2018-19": 1.0}), "base year"),
        (lambda sv: sv["milestones"].update({"value": 1.0}), "give values by year"),
    ],
    ids=["payment-without-milestone", "beyond-horizon", "negative", "base-year", "value"],
)
def test_bad_agreements_are_refused_with_file_and_line(editable_set, change, words):
    path = _edit(editable_set, change)
    r = CliRunner().invoke(main, ["validate", str(editable_set)])
    assert r.exit_code == 2, r.output
    message = r.output + r.stderr
    assert words in message and "safety_valve" in message
    assert f"{path.name}:" in message  # file and line
    line = message.split(f"{path.name}:")[1].split(":")[0]
    assert line.strip().isdigit(), message


# ------------------------------------------------------------------------ workbooks


@pytest.fixture(scope="module")
def sv_run(tmp_path_factory, bundled):
    out = tmp_path_factory.mktemp("sv")
    args = ["run", str(bundled), "--out", str(out), "--draws", "0"]
    args += ["--scenario", "council-plan", "--scenario", SV, "--scenario", "unmitigated"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output + r.stderr
    return out


def _agreement_rows(wb, sheet: str) -> set[str]:
    return {str(c.value) for c in wb[sheet]["C"] if str(c.value).startswith("safety_valve.")}


def test_stored_workbook_values_equal_the_engine_with_an_agreement(sv_run):
    stored = {
        n: load_workbook(sv_run / n, data_only=True)
        for n in ("finance-model.xlsx", "schools-forum-dsg.xlsx")
    }
    assert compare_with_engine(stored, pd.read_csv(sv_run / "results.csv")) > 500
    for n, sheet in (
        ("finance-model.xlsx", "DSG high needs"),
        ("schools-forum-dsg.xlsx", "High needs"),
    ):
        assert {
            "safety_valve.in_year_deficit_before_payment",
            "safety_valve.condition_met",
            "safety_valve.dfe_payment",
        } <= _agreement_rows(stored[n], sheet)


# LibreOffice's recalculation of these rows is proved with the bundled run's workbooks, which
# hold this scenario (tests/test_workbooks.py, test_recalculated_formulas_equal_the_engine).


@pytest.fixture(scope="module")
def sv_plan(tmp_path_factory, bundled):
    """A copy of the set whose plan (role) is the safety-valve scenario."""
    folder = tmp_path_factory.mktemp("svplan") / "set"
    shutil.copytree(bundled, folder)
    plan = folder / "scenarios" / "council-plan.yaml"
    plan.write_text(plan.read_text().replace("role: plan\n", ""))
    sv = folder / "scenarios" / f"{SV}.yaml"
    sv.write_text(
        sv.read_text().replace("extends: council-plan\n", "extends: council-plan\nrole: plan\n")
    )
    return forecast(folder, ("council-plan", SV, "unmitigated"))


def test_the_dsg_plan_and_mitigations_log_show_the_agreement(sv_plan):
    wb = load_workbook(io.BytesIO(forum_workbook(sv_plan, national=None)), data_only=True)
    proj = {p.scenario: p for p in sv_plan.projections}[SV]

    def engine(m):
        return proj[("dsg", m)][0]

    plan, log = rows(wb[PLAN_SHEET]), rows(wb[MITIGATIONS_SHEET])
    for m in ("safety_valve.council_contribution", "safety_valve.dfe_payment"):
        assert np.allclose(plan[m], engine(m), atol=0.5), m
        assert np.allclose(log[m], engine(m), atol=0.5), m
    assert np.allclose(plan["in_year_deficit"], engine("in_year_deficit"), atol=0.5)
    assert np.allclose(plan["cumulative_deficit"], engine("cumulative_deficit"), atol=0.5)
    # The log still adds up to the no-action deficit (the Checks sheet's master check).
    assert wb["Checks"]["E2"].value is True
    got = {m.key: m for m in mitigations(sv_plan, proj)}
    assert got["safety_valve.dfe_payment"].status == (
        "Milestone missed, payment withheld in 2022/23, 2023/24"
    )


# ---------------------------------------------------------------- inputs workbook


def test_the_inputs_workbook_round_trips_an_agreement_in_the_set(editable_set, tmp_path):
    """An agreement written in high_needs.yaml itself (a council that has one) comes back
    from the inputs workbook unchanged."""
    scenario = yaml.safe_load((editable_set / "scenarios" / f"{SV}.yaml").read_text())
    hn = editable_set / "high_needs.yaml"
    doc = yaml.safe_load(hn.read_text())
    doc["high_needs"]["safety_valve"] = scenario["overrides"]["high_needs.safety_valve"]
    hn.write_text(yaml.safe_dump(doc, sort_keys=False, width=10_000))
    r = CliRunner().invoke(main, ["inputs", "export", str(editable_set), str(tmp_path / "i.xlsx")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        main, ["inputs", "import", str(tmp_path / "i.xlsx"), str(tmp_path / "b")]
    )
    assert r.exit_code == 0, r.output
    before, after = load(editable_set), load(tmp_path / "b")
    assert before[0].assumptions.high_needs.safety_valve is not None
    for a, b in zip(before, after, strict=True):
        assert b.assumptions.model_dump() == a.assumptions.model_dump()


def test_the_schema_describes_the_agreement():
    r = CliRunner().invoke(main, ["schema"])
    assert r.exit_code == 0
    assert "SafetyValve" in r.output and "milestones" in r.output
    assert "in-year deficit before DfE's payment" in r.output
