"""The backtest: baselines, vintage discipline, the command's outputs, and the pooled
targets recomputed from the recorded national run (benchmarks/backtest.csv.gz)."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from forecasting import backtest as bt
from forecasting.national import dataset
from forecasting.years import parse_year

from .conftest import BUNDLED

RECORDED = Path(__file__).resolve().parent.parent / "benchmarks" / "backtest.csv.gz"
STOKE = 861


@functools.cache
def _recorded() -> pd.DataFrame:
    """The recorded national run, read once for the module (the tests only filter it)."""
    return pd.read_csv(RECORDED)


@functools.cache
def _recorded_summary() -> pd.DataFrame:
    return bt.summary(_recorded())


def test_baselines_are_the_four_spreadsheet_rules():
    history = pd.Series(
        [100.0, 110.0, 121.0, 127.05], index=["2015-16", "2016-17", "2017-18", "2018-19"]
    )
    b = bt.baselines(history, 2)
    assert b["no_change"] == pytest.approx([127.05, 127.05])
    assert b["last_growth"] == pytest.approx([127.05 * 1.05, 127.05 * 1.05**2])
    slope, intercept = np.polyfit([2015, 2016, 2017, 2018], history.to_numpy(), 1)
    assert b["straight_line"] == pytest.approx([intercept + slope * 2019, intercept + slope * 2020])
    rate = 1.2705 ** (1 / 3)  # 100 -> 127.05 over three years
    assert b["average_growth"] == pytest.approx([127.05 * rate, 127.05 * rate**2])


def _stoke_part() -> pd.DataFrame:
    return bt.parts(dataset.load_extract(), [STOKE])[STOKE]


def test_a_vintage_uses_only_what_was_published_by_then():
    part = _stoke_part()
    honest = pd.DataFrame(bt.run_vintage(STOKE, 2019, 4, 0, 1, part).rows)
    # Rewrite history after the base year: the forecasts must not move, the actuals must.
    later = part["period"].map(parse_year) > parse_year("2018-19")
    # (allocations announced by September 2019, for 2019-20, are known then: keep them)
    announced = (part["measure"] == "high_needs_allocation") & (part["period"] == "2019-20")
    tampered = part.copy()
    tampered.loc[later & ~announced, "value"] *= 3
    moved = pd.DataFrame(bt.run_vintage(STOKE, 2019, 4, 0, 1, tampered).rows)
    assert len(honest) == len(moved) > 0
    for col in ("forecast", *bt.BASELINES):
        assert moved[col].to_numpy() == pytest.approx(honest[col].to_numpy(), rel=1e-12)
    assert moved["actual"].to_numpy() == pytest.approx(3 * honest["actual"].to_numpy())
    assert set(honest["measure"]) >= {"ehcp_total", "children_looked_after", "cla_gross_spend"}


def test_a_council_formed_in_its_base_year_is_checked_on_what_its_set_projects():
    # Cumberland began in April 2023: as at 2024 its base year has children looked after
    # but no s251 spend, so its set has no line for other spend on them. The measures the
    # set projects are still scored, with draws; the spend is left out, not an error.
    cumberland = dataset.find_council("Cumberland").code
    e = dataset.load_extract()
    part = e[e["la_code"].isin([cumberland, dataset.ENGLAND])]
    v = bt.run_vintage(cumberland, 2024, 1, 20, 1, part)
    assert v.skipped is None
    scored = {r["measure"] for r in v.rows}
    assert {"children_looked_after", "ehcp_total"} <= scored
    assert "cla_gross_spend" not in scored


def test_backtest_workers_end_quietly_with_the_run():
    """The forked workers die on SIGTERM without the parent's handler (the command turns
    SIGTERM into a clean unwind; inherited, it printed a worker's traceback when the pool
    ended them after a finished run) and leave Ctrl-C to the parent, which ends them."""
    import signal

    def unwind(signum, frame):
        raise RuntimeError("the parent's handler")

    before = signal.signal(signal.SIGTERM, unwind)
    try:
        with bt.pool(2) as workers:
            got = workers.map(signal.getsignal, [signal.SIGTERM, signal.SIGINT], chunksize=1)
    finally:
        signal.signal(signal.SIGTERM, before)
    assert got == [signal.SIG_DFL, signal.SIG_IGN]


def test_a_signal_while_the_workers_start_ends_them(monkeypatch):
    """A SIGTERM that arrives while the pool is forked is held, then raised as the signal
    mask is put back, before the caller holds the pool: the workers are ended there, not
    left to the garbage collector."""
    import multiprocessing
    import signal
    import threading

    fork = multiprocessing.get_context("fork")
    real, made = fork.Pool, []

    def pool_then_stop(*args, **kwargs):
        p = real(*args, **kwargs)
        made.append(p)
        # to the main thread, which holds it until the mask is put back (a signal to the
        # process could reach another thread of the test runner and be handled at once)
        main_thread = threading.main_thread().ident
        assert main_thread is not None
        signal.pthread_kill(main_thread, signal.SIGTERM)
        return p

    def unwind(signum, frame):
        raise RuntimeError("stopped")

    monkeypatch.setattr(fork, "Pool", pool_then_stop)
    before = signal.signal(signal.SIGTERM, unwind)
    try:
        with pytest.raises(RuntimeError, match="stopped"):
            bt.pool(2)
    finally:
        signal.signal(signal.SIGTERM, before)
    workers = made[0]._pool
    for w in workers:
        w.join(timeout=2)
    assert workers and not any(w.is_alive() for w in workers)


def test_command_writes_csv_and_workbook_and_prints_the_table(tmp_path):
    r = CliRunner().invoke(
        main,
        [
            "backtest",
            "--council",
            "Stoke-on-Trent",
            "--as-at",
            "2019",
            "--as-at",
            "2020",
            "--draws",
            "200",
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output + r.stderr
    assert "P10-P90 coverage, pooled" in r.output
    frame = pd.read_csv(tmp_path / "backtest.csv")
    assert list(frame.columns) == bt.COLUMNS
    assert set(frame["as_at"]) == {2019, 2020}
    assert (frame["council"] == "Stoke-on-Trent").all()
    assert (frame["p10"] <= frame["p90"]).all()
    # Stoke's EHC plans in January 2020 (2019-20), as published
    ehcp = frame[(frame.measure == "ehcp_total") & (frame.as_at == 2019) & (frame.horizon == 1)]
    assert ehcp["actual"].iloc[0] == 2290
    wb = load_workbook(tmp_path / "backtest.xlsx")
    assert wb.sheetnames == ["Summary", "By vintage", "Stoke-on-Trent"]
    assert wb["Summary"]._charts and wb["Stoke-on-Trent"]._charts
    # the vintage-by-vintage sheet: one row per measure, vintage and horizon, its errors
    # those of the written rows, and "yes" only where the model beat every baseline
    want = bt.summary(frame, by_vintage=True)
    rows = [r for r in wb["By vintage"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(rows) == len(want) > 0
    for got, w in zip(rows, want.to_dict("records"), strict=True):
        assert got[:4] == (w["measure"], w["as_at"], w["horizon"], w["n"])
        assert got[4] == pytest.approx(w["model"], abs=0.01)  # to 2 dp, from the CSV
        assert got[5:9] == pytest.approx([w[k] for k in bt.BASELINES], abs=0.01)
        best = min(bt.BASELINES, key=lambda k: w[k])
        assert got[9] == bt.BASELINE_LABELS[best]
        assert got[10:12] == pytest.approx([w["bias"], w["coverage"]], abs=0.01)
        assert got[-1] == ("yes" if w["model"] < w[best] else "no")
    assert {r[-1] for r in rows} == {"yes", "no"}
    pooled = bt.summary(frame)
    head = [c.value for c in wb["Summary"][4]]
    assert head[:3] == ["measure", "horizon (years)", "outturns"]
    table = [r for r in wb["Summary"].iter_rows(min_row=5, values_only=True) if r[2]]
    assert [(r[0], r[1], r[2], r[-1]) for r in table] == [
        (w["measure"], w["horizon"], w["n"], "yes" if w["won"] else "no")
        for w in pooled.to_dict("records")
    ]
    # counts to the unit, the DSG balance share as a percentage, on the council's sheet
    sheet = wb["Stoke-on-Trent"]
    formats = {r[0].value: r[5].number_format for r in sheet.iter_rows(min_row=4) if r[0].value}
    assert formats["children_looked_after"] == '#,##0;(#,##0);"-"'
    assert formats["dsg_balance_share"] == "0.0%"
    assert sheet.page_setup.orientation == "landscape"


def test_a_councils_own_set_is_scored_against_what_happened(tmp_path):
    """--set: the bundled plan (the 2019 report's assumptions) as at its own date against
    DfE's outturns since, beside the same baselines. Its forecasts are the run's own
    projections; the outturns are DfE's."""
    r = CliRunner().invoke(
        main, ["backtest", "--set", str(BUNDLED), "--draws", "200", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output + r.stderr
    assert r.stdout.startswith("Stoke-on-Trent: scenario council-plan of ")
    frame = pd.read_csv(tmp_path / "backtest.csv")
    assert set(frame["scenario"]) == {"council-plan"} and set(frame["as_at"]) == {2019}
    from forecasting.engine import project
    from forecasting.loading import load

    projection = project("council-plan", load(BUNDLED, ("council-plan",))[0].assumptions)
    for measure, line in (
        ("ehcp_total", ("dsg", "ehcp_total")),
        ("children_looked_after", ("csc", "children_in_care")),
    ):
        rows = frame[frame["measure"] == measure].set_index("year")
        plan = pd.Series(projection.lines[line].values[0], index=projection.years)
        assert list(rows["horizon"]) == [1, 2, 3, 4]
        # (the CSV holds six significant figures)
        assert rows["forecast"].to_numpy() == pytest.approx(plan[rows.index].to_numpy(), rel=1e-5)
        published = dataset.series(STOKE, measure)
        assert rows["actual"].to_numpy() == pytest.approx(published[rows.index].to_numpy())
        assert (rows["no_change"] == published["2018-19"]).all()
    # the report's EHC plans ran ahead of what happened: 2,450 planned for 2019-20, 2,290 out
    ehcp = frame[(frame["measure"] == "ehcp_total") & (frame["year"] == "2019-20")].iloc[0]
    assert ehcp["forecast"] == pytest.approx(2450, abs=1) and ehcp["actual"] == 2290
    wb = load_workbook(tmp_path / "backtest.xlsx", read_only=True)
    assert wb.sheetnames == ["Summary", "By vintage", "Stoke-on-Trent"]
    # another scenario, by name, of the bundled set given by its name
    r = CliRunner().invoke(
        main,
        [
            "backtest",
            "--set",
            "stoke-on-trent-2019",
            "--scenario",
            "demand-high",
            "--draws",
            "0",
            "--out",
            str(tmp_path / "high"),
        ],
    )
    assert r.exit_code == 0, r.output + r.stderr
    high = pd.read_csv(tmp_path / "high" / "backtest.csv")
    assert set(high["scenario"]) == {"demand-high"}
    late = (high["measure"] == "ehcp_total") & (high["year"] == "2022-23")
    assert (
        high.loc[late, "forecast"].iloc[0]
        > frame.loc[
            (frame["measure"] == "ehcp_total") & (frame["year"] == "2022-23"), "forecast"
        ].iloc[0]
    )


def test_scoring_a_set_refuses_what_it_cannot_do(tmp_path, editable_set):
    def run(*args: str):
        return CliRunner().invoke(main, ["backtest", *args, "--out", str(tmp_path / "out")])

    for other in (["--all"], ["--council", "Kent"], ["--as-at", "2022"]):
        r = run("--set", str(BUNDLED), *other)
        assert r.exit_code == 2 and "without --council, --all or --as-at" in r.stderr, other
    r = run("--all", "--scenario", "council-plan")
    assert r.exit_code == 2 and "--scenario goes with --set" in r.stderr
    r = run("--set", str(BUNDLED), "--scenario", "no-such-plan")
    assert r.exit_code == 2 and "no scenario named no-such-plan" in r.stderr
    general = editable_set / "general.yaml"
    text = general.read_text()
    for written, says in (
        ("", "the set names no DfE LA number"),
        ("  la_code: 999\n", "no council has LA number 999"),
        # Cumberland began in 2023: nothing published for the set's base year 2018-19
        ("  la_code: 942\n", "figure for Cumberland in the base year 2018-19"),
    ):
        general.write_text(text.replace("  la_code: 861\n", written))
        r = run("--set", str(editable_set))
        assert r.exit_code == 2, r.output + r.stderr
        assert says in r.stderr and "general.yaml:" in r.stderr, r.stderr
        assert ("council.la_code" if "942" not in written else "timeline.base_year") in r.stderr
        assert "Traceback" not in r.stderr
        assert not (tmp_path / "out").exists()
    # an LA number of another council: scored, with a warning naming both
    general.write_text(text.replace("  la_code: 861\n", "  la_code: 886\n"))
    r = run("--set", str(editable_set), "--draws", "0")
    assert r.exit_code == 0, r.output + r.stderr
    assert "warning: " in r.stderr and "general.yaml:20: council.la_code" in r.stderr
    assert "Stoke-on-Trent City Council, but LA 886 is Kent" in r.stderr
    general.write_text(text)
    r = run("--set", str(editable_set), "--draws", "0")
    assert "council.la_code" not in r.stderr
    # the measures the set cannot be scored on are named, with the reason
    assert "warning: cla_gross_spend not scored: the set has no line csc.other_spend" in r.stderr
    assert (
        "warning: dsg_balance_share not scored: DfE publishes it for Stoke-on-Trent in "
        "2019-20" in r.stderr
    )
    # a scenario asked for by its file's name, whose own name differs
    high = editable_set / "scenarios" / "demand-high.yaml"
    high.write_text(high.read_text().replace("name: demand-high", "name: High demand", 1))
    r = run("--set", str(editable_set), "--scenario", "demand-high", "--draws", "0")
    assert r.exit_code == 0, r.output + r.stderr
    assert set(pd.read_csv(tmp_path / "out" / "backtest.csv")["scenario"]) == {"High demand"}
    # valid inputs whose projection overflows are refused at their line, not scored as NaN
    shutil.rmtree(tmp_path / "out")
    cs = editable_set / "childrens_services.yaml"
    cs.write_text(
        cs.read_text().replace(
            "permanent_cost_per_fte: {value: 45000, low: 40000,",
            "permanent_cost_per_fte: {value: 1.0e-305, low: 0,",
        )
    )
    r = run("--set", str(editable_set), "--draws", "0")
    assert r.exit_code == 2, r.output + r.stderr
    assert "is not a finite number in 2019-20" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_set_made_by_init_for_a_council_scores_as_the_national_backtest_does(tmp_path):
    """`forecast init --council` writes the LA number, so the generated set can be scored
    with --set; its no-action scenario gives the national backtest's rows for that council
    and vintage (one comparison, two ways in)."""
    r = CliRunner().invoke(
        main, ["init", str(tmp_path / "kent"), "--council", "886", "--as-at", "2022"]
    )
    assert r.exit_code == 0, r.output + r.stderr
    assert "la_code: 886" in (tmp_path / "kent" / "general.yaml").read_text()
    frame, warnings = bt.score_set(
        tmp_path / "kent", "unmitigated", 4, 200, 2019, dataset.load_extract()
    )
    # the LA number is Kent's; only the DSG balance, first published for 2019-20 and last
    # for 2021-22, has no outturn after this base year
    assert [w.split(":")[0] for w in warnings] == ["dsg_balance_share not scored"]
    national = pd.DataFrame(
        bt.run_vintage(886, 2022, 4, 200, 2019, dataset.load_extract()).rows, columns=bt.COLUMNS
    )
    assert len(frame) == len(national) > 0
    for col in ("measure", "year", "horizon", "scenario"):
        assert list(frame[col]) == list(national[col])
    for col in ("actual", "forecast", "p10", "p90", *bt.BASELINES):
        assert frame[col].to_numpy() == pytest.approx(national[col].to_numpy(), rel=1e-9), col


def test_a_tie_with_a_baseline_is_not_a_win():
    row = {
        "council": "A",
        "la_code": 1,
        "region": "R",
        "measure": "ehcp_total",
        "as_at": 2019,
        "year": "2019-20",
        "horizon": 1,
        "actual": 100.0,
        "forecast": 110.0,
        "p10": 90.0,
        "p50": 110.0,
        "p90": 120.0,
        "no_change": 90.0,
        "last_growth": 130.0,
        "straight_line": 80.0,
        "average_growth": 125.0,
        "scenario": "unmitigated",
    }
    s = bt.summary(pd.DataFrame([row], columns=bt.COLUMNS)).iloc[0]
    assert s["model"] == s["no_change"] == 10.0 and s["best"] == "no_change"
    assert not s["won"]
    # every baseline 20 points or more out: the model's 10 wins
    beaten = bt.summary(pd.DataFrame([{**row, "no_change": 80.0}], columns=bt.COLUMNS)).iloc[0]
    assert beaten["won"] and beaten["best"] == "no_change" and beaten["no_change"] == 20.0


def test_the_table_names_each_vintage_where_the_model_did_not_win(monkeypatch):
    """Pooled over vintages the model beats every baseline for demand; the printed table
    still names the vintage cells it did not win (as at 2021, children looked after one
    year ahead), and none where it won."""
    frame = _recorded()
    lines = bt.table(frame, []).splitlines()
    start = next(i for i, t in enumerate(lines) if t.startswith("Vintage by vintage"))
    cells = [t.strip() for t in lines[start + 1 :] if t.startswith("  as at")]
    assert cells == [
        "as at 2021, children_looked_after, 1 year ahead: model 6.10 against no change 6.01"
    ]
    assert lines[start].endswith("(1 of 36):")
    by = bt.summary(frame[frame["measure"].isin(bt.DEMAND)], by_vintage=True)
    lost = by[by["model"] >= by[list(bt.BASELINES)].min(axis=1)]
    assert len(lost) == len(cells)
    # the council-vintages that could not be built: the commonest reasons, then the count
    # of the rest
    skipped = [bt.Vintage(1, 2019, skipped=f"reason {i % 7}") for i in range(9)]
    tail = bt.table(frame[frame["as_at"] == 2021], skipped).splitlines()
    assert tail[-7] == "9 council-vintages could not be built from published data:"
    assert tail[-6:-4] == ["  2 x reason 0", "  2 x reason 1"]
    assert tail[-1] == "  and 2 more, for 2 other reasons"
    # one vintage alone: nothing to un-pool
    assert bt.trailing(frame[frame["as_at"] == 2021]) == []
    # a long list is cut, and says where the rest are: a model that forecast a tenth above
    # "no change" everywhere wins nowhere but where counts grew by more
    worse = frame.assign(forecast=frame["no_change"] * 1.1)
    monkeypatch.setattr(bt, "TRAILING_SHOWN", 36)
    every = bt.trailing(worse)
    assert len(every) > 3 and every[0].startswith("Vintage by vintage")
    monkeypatch.setattr(bt, "TRAILING_SHOWN", 1)
    assert bt.trailing(worse)[1:] == [
        every[1],
        f"  and {len(every) - 2} more (backtest.xlsx, sheet By vintage)",
    ]


def test_command_needs_councils_and_a_supported_year(tmp_path):
    r = CliRunner().invoke(main, ["backtest", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--council NAME" in r.stderr
    r = CliRunner().invoke(main, ["backtest", "--all", "--as-at", "2015", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "2015" in r.stderr
    assert not (tmp_path / "backtest.csv").exists()


def test_an_allocation_announced_ahead_adds_no_vintage_it_cannot_score():
    """The high-needs allocation is published a year ahead of its outturns: next year's
    allocation in the extract does not add a vintage with nothing to check, an outturn does."""
    extract = dataset.load_extract()
    assert bt.default_vintages(extract)[-1] == 2024
    # 2025-26's allocation, announced before any 2025-26 outturn: nothing to score as at 2025
    row = extract[extract["measure"] == "high_needs_allocation"].iloc[[0]]
    ahead = pd.concat([extract, row.assign(period="2025-26")], ignore_index=True)
    assert bt.default_vintages(ahead)[-1] == 2024
    # 2026-27's is the outturn of a set as at 2025 (which knows 2025-26's)
    further = pd.concat([extract, row.assign(period="2026-27")], ignore_index=True)
    assert bt.default_vintages(further)[-1] == 2025
    outturn = extract[extract["measure"] == "ehcp_total"].iloc[[0]]
    later = pd.concat([extract, outturn.assign(period="2025-26")], ignore_index=True)
    assert bt.default_vintages(later)[-1] == 2025


def test_recorded_run_is_what_the_code_gives_for_a_sample():
    """The recorded national run (benchmarks/backtest.csv.gz) matches a fresh run of a sample
    of its councils, so the targets below are recomputed from what the code produces."""
    recorded = _recorded()
    sample = sorted(recorded["la_code"].unique())[::40]
    vintages = sorted(int(v) for v in recorded["as_at"].unique())
    default = bt.default_vintages(dataset.load_extract())
    assert vintages == default == [2019, 2020, 2021, 2022, 2023, 2024]
    # in this process, without the command's pool of processes (whose start costs more
    # than this sample's work); the command's test below runs the pool
    fresh, _ = bt.backtest(sample, vintages, 4, 1000, 2019, processes=1)
    old = recorded[recorded["la_code"].isin(sample)].reset_index(drop=True)
    assert len(fresh) == len(old) > 0
    for col in ("actual", "forecast", "p10", "p90", *bt.BASELINES):
        assert fresh[col].to_numpy() == pytest.approx(old[col].to_numpy(), rel=1e-5), col


def _pooled(measure: str) -> pd.DataFrame:
    s = _recorded_summary()
    return s[(s["measure"] == measure) & (s["horizon"] <= 4)].set_index("horizon")


@pytest.mark.parametrize(
    "measure,horizon",
    [(m, h) for m in ("ehcp_total", "children_looked_after") for h in (1, 2, 3, 4)],
)
def test_model_beats_every_baseline_pooled(measure, horizon):
    s = _pooled(measure)
    assert list(s.index) == [1, 2, 3, 4]
    row = s.loc[horizon]
    best = min(row[k] for k in bt.BASELINES)
    assert row["model"] < best, s[["model", *bt.BASELINES]].round(2).to_string()
    assert row["won"] and row[row["best"]] == best


@pytest.mark.parametrize("measure", ["ehcp_total", "children_looked_after"])
def test_model_beats_every_baseline_as_at_2019_at_every_horizon(measure):
    """The issue's must-show, recomputed from backtest.csv's rows as at 2019 alone: the mean
    absolute % error of the model's central forecast, pooled over councils, is below every
    baseline's at one to four years. For children looked after one year out the margin is
    0.017 points (5.53% against no change's 5.54%), a tie inside the noise that a rule chosen
    without 2019 loses (benchmarks/README.md); the test holds the recorded run to it."""
    rows = _recorded()
    rows = rows[(rows["measure"] == measure) & (rows["as_at"] == 2019)]
    mape = {
        k: (100 * (rows[k] / rows["actual"] - 1).abs()).groupby(rows["horizon"]).mean()
        for k in ("forecast", *bt.BASELINES)
    }
    assert list(mape["forecast"].index) == [1, 2, 3, 4]
    assert rows.groupby("horizon").size().min() >= 145
    for h in (1, 2, 3, 4):
        best = min(mape[k][h] for k in bt.BASELINES)
        assert mape["forecast"][h] < best, (measure, h, mape["forecast"][h], best)
    if measure == "children_looked_after":
        assert mape["forecast"].round(2).tolist() == [5.53, 7.78, 9.76, 11.35]
        assert mape["no_change"].round(2).tolist() == [5.54, 8.30, 10.79, 12.82]


def test_p10_p90_coverage_of_demand_is_between_70_and_90_percent():
    frame = _recorded()
    demand = frame[frame["measure"].isin(["ehcp_total", "children_looked_after"])]
    cov = bt.pooled_coverage(demand)
    assert 0.70 <= cov <= 0.90, cov


def test_p10_p90_coverage_pooled_over_every_measure_is_between_70_and_90_percent():
    frame = _recorded()
    cov = bt.pooled_coverage(frame)
    assert 0.70 <= cov <= 0.90, cov
    # and every measure's own band holds at least half its outturns
    for measure, part in frame.groupby("measure"):
        assert bt.pooled_coverage(part) >= 0.5, measure


def test_allocation_band_one_year_out_holds_a_sane_share_of_outturns():
    """The high-needs allocation one year out. As at 2019 that is 2020-21, whose national
    rise was announced: its band once held 0% of outturns (the rise was never drawn). Now
    it is drawn with the allocation rule's measured one-year error, so it holds more than
    half; pooled over the recorded vintages the one-year band is inside 70-90%."""
    frame = _recorded()
    alloc = frame[(frame["measure"] == "high_needs_allocation") & (frame["horizon"] == 1)]
    first = alloc[alloc["as_at"] == 2019]
    assert len(first) > 140 and (first["p90"] > first["p10"]).all()
    width = np.log(first["p90"] / first["p10"]) / 2
    assert width.median() == pytest.approx(1.2816 * 0.02245, rel=0.1)  # +-1.28 sd, log terms
    assert 0.5 <= bt.pooled_coverage(first) <= 0.9, bt.pooled_coverage(first)
    assert 0.7 <= bt.pooled_coverage(alloc) <= 0.9, bt.pooled_coverage(alloc)


def test_a_set_built_in_memory_is_the_set_its_files_give(tmp_path):
    """The backtest validates the drafted set in memory instead of writing and re-reading
    its YAML: the assumptions, the projection and the draws are the same as the files'."""
    from forecasting.engine import project
    from forecasting.loading import load
    from forecasting.national import newset
    from forecasting.uncertainty import percentiles, simulate

    extract = dataset.load_extract()
    for council, as_at in (("Stoke-on-Trent", 2019), ("Kent", 2021)):
        built = newset.generate(council, as_at, extract)
        folder = tmp_path / f"{council}-{as_at}"
        for name, text in built.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        written = load(folder, ("unmitigated",))[0].assumptions
        memory = newset.assumptions(newset.draft(council, as_at, extract))
        assert memory.model_dump() == written.model_dump()
        a, b = project("unmitigated", memory), project("unmitigated", written)
        for key, line in a.lines.items():
            assert np.array_equal(line.values, b.lines[key].values), key
        lines = [("csc", "children_in_care"), ("dsg", "deficit_share_of_dsg")]
        pa = percentiles(simulate("unmitigated", memory, 200, 7, measures=lines))
        pb = percentiles(simulate("unmitigated", written, 200, 7, measures=lines))
        for m in lines:
            assert np.array_equal(pa[m], pb[m]), m


def _log_growth(s: pd.Series) -> float:
    return float(np.log(s.iloc[-1] / s.iloc[0]) / (len(s) - 1))


def test_generated_money_drivers_take_the_backtest_rules_and_measured_ranges():
    from forecasting.national import newset
    from forecasting.trend import DSG_BALANCE_CHANGE_SD, MONEY_RULES, PERT_HALF_WIDTH_SD

    extract = dataset.load_extract()
    a = newset.assumptions(newset.draft("Stoke-on-Trent", 2021, extract))
    # High-needs allocation growth: a quarter Stoke's own, three quarters England's, over
    # the allocations announced by September 2021 (2019-20 to 2021-22).
    years = ["2019-20", "2020-21", "2021-22"]
    own = _log_growth(dataset.series(STOKE, "high_needs_allocation", extract)[years])
    eng = _log_growth(dataset.series(dataset.ENGLAND, "high_needs_allocation", extract)[years])
    g = 0.25 * own + 0.75 * eng
    rate = a.high_needs.income.high_needs_growth
    assert rate.value == pytest.approx(np.expm1(g), abs=1e-6)
    rule = MONEY_RULES["high_needs_allocation"]
    assert rate.low == pytest.approx(np.expm1(g - PERT_HALF_WIDTH_SD * rule.sigma), abs=1e-6)
    assert rate.high == pytest.approx(np.expm1(g + PERT_HALF_WIDTH_SD * rule.sigma), abs=1e-6)
    assert rate.yearly_shock.sd == rule.shock == 0.0207
    # Placement prices: England's growth in spend per child looked after, 2017-18 to
    # 2020-21, less the 30% of that spend that grows with general inflation, over 70%.
    spend = dataset.series(dataset.ENGLAND, "cla_gross_spend", extract)
    cla = dataset.series(dataset.ENGLAND, "children_looked_after", extract)
    span = ["2017-18", "2018-19", "2019-20", "2020-21"]
    unit = _log_growth(spend[span] / cla[span])
    general = a.childrens_services.general_inflation.value
    price = a.childrens_services.placement_price_inflation
    assert price.value == pytest.approx((np.expm1(unit) - 0.3 * general) / 0.7, abs=1e-6)
    assert price.yearly_shock.sd == pytest.approx(MONEY_RULES["cla_unit_cost"].shock / 0.7, 1e-3)
    # No separate residential price rise on top of it.
    assert a.childrens_services.placements["residential"].price_inflation is None
    # The first year's in-year DSG deficit: none, ranged by the measured yearly change in
    # the balance as a share of the DSG (2021-22 blocks).
    cal = a.high_needs.calibration
    inc = a.high_needs.income
    total = sum(
        p.values["2021-22"] for p in (inc.high_needs_block, inc.schools_block, inc.other_dsg_blocks)
    )
    assert cal.in_year_deficit.value == 0
    half = PERT_HALF_WIDTH_SD * DSG_BALANCE_CHANGE_SD * total
    assert cal.in_year_deficit.high == pytest.approx(half, rel=1e-6)
    assert cal.in_year_deficit.low == pytest.approx(-half, rel=1e-6)


def test_generated_sets_take_growth_from_the_backtest_chosen_rule():
    from forecasting.national import newset

    built = newset.generate("Stoke-on-Trent", 2019)
    text = built.files["high_needs.yaml"] + built.files["childrens_services.yaml"]
    assert text.count("national backtest") >= 3  # EHCPs, post-16 plans, children looked after
    assert text.count("yearly_shock") >= 3


def test_generated_children_looked_after_growth_is_the_backtest_rule():
    """A quarter of the council's region's growth over the three years to the base year,
    less 5% a year of the log gap between the council's children looked after per 10,000
    children and its region's in the base year; no range on the rate, the measured yearly
    shock. The backtest's set (built from the council's part of the extract) is the same."""
    from forecasting.national import newset
    from forecasting.trend import GROWTH_RULES

    extract = dataset.load_extract()
    rule = GROWTH_RULES["children_looked_after"]
    assert (rule.lookback, rule.weight, rule.carry, rule.pull) == (3, 0.0, 0.25, 0.05)
    got = {}
    for council, region, as_at in (
        ("Blackpool", "North West", 2021),
        ("Stoke-on-Trent", "West Midlands", 2019),
    ):
        code = int(extract.loc[extract["la_name"] == council, "la_code"].iloc[0])
        area = dataset.REGION_CODES[region]
        count = dataset.series(area, "children_looked_after", extract)
        area_rate = dataset.series(area, "cla_per_10k", extract)
        base = f"{as_at - 1}-{str(as_at)[2:]}"
        span = [f"{y}-{str(y + 1)[2:]}" for y in range(as_at - 4, as_at)]
        rate = dataset.series(code, "cla_per_10k", extract)[base]
        g = 0.25 * _log_growth(count[span]) - 0.05 * np.log(rate / area_rate[base])
        for source in (extract, bt.parts(extract, [code])[code]):
            draft = newset.draft(council, as_at, extract=source)
            growth = newset.assumptions(draft).childrens_services.children_in_care.growth
            assert growth.value == pytest.approx(np.expm1(g), abs=1e-6), council
            assert growth.low == growth.high == growth.value
            assert growth.yearly_shock.sd == rule.shock == 0.0734
            assert f"the {region} region's average growth over its last 3 years" in growth.source
        got[council] = growth.value
    # Blackpool (215 children looked after per 10,000 children against the North West's 98
    # in 2020-21) is pulled down although the region's count grew: -3.2% a year
    assert got["Blackpool"] == pytest.approx(-0.0320, abs=1e-4)


def test_a_council_formed_since_takes_its_references_growth_over_the_rules_three_years():
    """North Northamptonshire began in April 2021, so as at 2023 it has two years of its own
    figures. A rule with no weight on the council's own growth still takes the region's
    over the three years to the base year, as its source says, not over the council's one."""
    from forecasting.national import newset

    extract = dataset.load_extract()
    code = dataset.find_council("North Northamptonshire", extract).code
    assert list(dataset.series(code, "children_looked_after", extract).index[:2]) == [
        "2021-22",
        "2022-23",
    ]
    area = dataset.REGION_CODES["East Midlands"]
    count = dataset.series(area, "children_looked_after", extract)
    rate = dataset.series(code, "cla_per_10k", extract)["2022-23"]
    area_rate = dataset.series(area, "cla_per_10k", extract)["2022-23"]
    span = ["2019-20", "2020-21", "2021-22", "2022-23"]
    g = 0.25 * _log_growth(count[span]) - 0.05 * np.log(rate / area_rate)
    # and the money rule for spend per child looked after (no weight on the council's own)
    # takes England's over the same three years, not the one year 2021-22 to 2022-23
    per_child = (
        dataset.series(dataset.ENGLAND, "cla_gross_spend", extract)[span]
        / (dataset.series(dataset.ENGLAND, "children_looked_after", extract)[span])
    )
    england = f"England's ({np.expm1(_log_growth(per_child)):.1%})"
    assert england == "England's (8.4%)"
    for source in (extract, bt.parts(extract, [code])[code]):
        cs = newset.assumptions(newset.draft(str(code), 2023, extract=source)).childrens_services
        growth = cs.children_in_care.growth
        assert growth.value == pytest.approx(np.expm1(g), abs=1e-6)
        assert "the East Midlands region's average growth over its last 3 years" in growth.source
        assert england in cs.placement_price_inflation.source


def test_a_rule_toward_the_region_takes_englands_figures_where_the_regions_are_missing():
    """A council whose region publishes no rate in the base year, or whose region the
    extract does not name, has its growth set toward England's, and its source says so."""
    from forecasting.national import newset

    extract = dataset.load_extract()
    area = dataset.REGION_CODES["West Midlands"]
    no_rate = (extract["la_code"] == area) & (extract["measure"] == "cla_per_10k")
    unnamed = extract.assign(region=extract["region"].where(extract["la_code"] != STOKE, ""))
    assert dataset.find_council("Stoke-on-Trent", unnamed).region_code is None
    eng = dataset.series(dataset.ENGLAND, "children_looked_after", extract)
    eng_rate = dataset.series(dataset.ENGLAND, "cla_per_10k", extract)["2018-19"]
    rate = dataset.series(STOKE, "cla_per_10k", extract)["2018-19"]
    span = ["2015-16", "2016-17", "2017-18", "2018-19"]
    g = 0.25 * _log_growth(eng[span]) - 0.05 * np.log(rate / eng_rate)
    for source in (extract[~no_rate], unnamed):
        draft = newset.draft("Stoke-on-Trent", 2019, extract=source)
        growth = newset.assumptions(draft).childrens_services.children_in_care.growth
        assert "England's average growth over its last 3 years" in growth.source
        assert "region" not in growth.source.split("rule and figures")[0]
        assert growth.value == pytest.approx(np.expm1(g), abs=1e-6)


def test_a_shorter_run_says_which_horizons_its_coverage_pools():
    """A run to two years ahead pools its P10-P90 coverage over horizons 1-2, and says so in
    the printed table and on the workbook's summary sheet."""
    from io import BytesIO

    from openpyxl import load_workbook

    from forecasting.excel.backtest import workbook

    short = _recorded()[lambda f: (f["as_at"] == 2019) & (f["horizon"] <= 2)]
    cov = bt.pooled_coverage(short, 2)
    assert cov != bt.pooled_coverage(_recorded()[lambda f: f["as_at"] == 2019])
    printed = bt.table(short, [])
    assert f"measures and horizons 1-2: {cov:.1%}" in printed
    assert "horizons 1-4" not in printed
    ws = load_workbook(BytesIO(workbook(short, [])), read_only=True)["Summary"]
    found = [r[:2] for r in ws.iter_rows(values_only=True) if r and str(r[0]).startswith("P10")]
    assert found == [("P10-P90 coverage, horizons 1-2", round(cov, 3))]
