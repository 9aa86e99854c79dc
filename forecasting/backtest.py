"""How good the forecasts are: a backtest over every council and past vintage.

For each council and as-at year, the assumption set is built as DfE's published figures
stood then (``forecasting.national.newset.generate``: only periods up to the base year),
run through the engine (central case and Monte Carlo draws), and each projection the
national dataset can check is compared with the outturn published since. Alongside the
model, four rules a spreadsheet would use, fitted to the same history:

- no change: the base-year figure carried forward;
- repeat last year's growth: the last year's growth rate compounded;
- straight line: a least-squares line through the history;
- average growth: the compound rate from the first to the last year of the history.

Errors are absolute percentage errors for counts and money, and absolute errors in
percentage points for shares (a DSG balance near zero has no meaningful percentage error).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from .errors import InputError
from .national.newset import EHCP_HISTORY_FROM
from .workers import die_with_parent, signals_held
from .years import parse_year, year_label

if TYPE_CHECKING:
    from .national.dataset import Council
    from .schema import AssumptionSet

# Dataset measure -> how the engine's projection gives it: a sum of lines, with a sign.
CHECKS: dict[str, tuple[tuple[tuple[str, str], ...], float]] = {
    "ehcp_total": ((("dsg", "ehcp_total"),), 1.0),
    "children_looked_after": ((("csc", "children_in_care"),), 1.0),
    "cla_gross_spend": ((("csc", "placement_cost"), ("csc", "other_spend.cla_other")), 1.0),
    "high_needs_allocation": ((("dsg", "high_needs_income"),), 1.0),
    # The published balance is negative for a deficit; the engine's share is of the deficit.
    "dsg_balance_share": ((("dsg", "deficit_share_of_dsg"),), -1.0),
}
SHARES = {"dsg_balance_share"}
DEMAND = ("ehcp_total", "children_looked_after")  # scored in percentage points, not percent
# History the baselines see: the same periods the generated set fits its growth to.
HISTORY_FROM = {"ehcp_total": EHCP_HISTORY_FROM}
# Years already announced as at the vintage (September N knows the N-(N+1) allocation):
# part of the history, not scored.
KNOWN_AHEAD = {"high_needs_allocation": 1}
BASELINES = ("no_change", "last_growth", "straight_line", "average_growth")
BASELINE_LABELS = {
    "no_change": "no change",
    "last_growth": "repeat last growth",
    "straight_line": "straight line",
    "average_growth": "average growth",
}
DEFAULT_HORIZON = 4  # years ahead scored, and pooled in the coverage and vintage lists
TRAILING_SHOWN = 8  # vintage cells the model did not win, printed before "and N more"
SKIPPED_SHOWN = 5  # reasons a council-vintage could not be built, printed before the rest
COLUMNS = [
    "council",
    "la_code",
    "region",
    "measure",
    "as_at",
    "year",
    "horizon",
    "actual",
    "forecast",
    "p10",
    "p50",
    "p90",
    *BASELINES,
    "scenario",  # the scenario scored: a generated set's no-action case, or one of a set's own
]


# ---------------------------------------------------------------------- baselines


def baselines(history: pd.Series, horizon: int) -> dict[str, np.ndarray]:
    """The four spreadsheet rules fitted to ``history`` (by financial year, oldest first),
    forecasting ``horizon`` years past its last period."""
    y = history.to_numpy(dtype=float)
    t = np.array([parse_year(p) for p in history.index], dtype=float)
    h = np.arange(1, horizon + 1, dtype=float)
    last = y[-1]
    out = {"no_change": np.full(horizon, last)}
    if len(y) >= 2 and y[-2] > 0 and last > 0:
        step = t[-1] - t[-2]
        out["last_growth"] = last * (last / y[-2]) ** (h / step)
    else:
        out["last_growth"] = np.full(horizon, last)
    if len(y) >= 2:
        b, a = np.polyfit(t, y, 1)
        out["straight_line"] = a + b * (t[-1] + h)
    else:
        out["straight_line"] = np.full(horizon, last)
    if len(y) >= 2 and y[0] > 0 and last > 0:
        rate = (last / y[0]) ** (1.0 / (t[-1] - t[0]))
        out["average_growth"] = last * rate**h
    else:
        out["average_growth"] = np.full(horizon, last)
    return out


# ------------------------------------------------------------------ one vintage


@dataclass
class Vintage:
    """The checked rows of one council as at one year, or why it could not be built."""

    la_code: int
    as_at: int
    rows: list[dict] = field(default_factory=list)
    skipped: str | None = None


def run_vintage(
    la_code: int, as_at: int, horizon: int, draws: int, seed: int, extract: pd.DataFrame
) -> Vintage:
    """Build the set as at ``as_at``, project it and line it up against the outturns."""
    from .national import newset
    from .roles import CONVENTIONAL, UNMITIGATED

    v = Vintage(la_code, as_at)
    try:
        built = newset.draft(str(la_code), as_at, extract)
        # validated in memory as the loader validates the written files (the generated
        # unmitigated scenario overrides nothing the draft does not already hold)
        a = newset.assumptions(built)
    except InputError as e:
        v.skipped = "; ".join(p.message for p in e.problems)
        return v
    name = CONVENTIONAL[UNMITIGATED]
    v.rows = scored_rows(built.b.c, as_at, name, a, horizon, draws, seed, extract)
    return v


def scored_rows(
    council: Council,
    as_at: int,
    name: str,
    a: AssumptionSet,
    horizon: int,
    draws: int,
    seed: int,
    extract: pd.DataFrame,
) -> list[dict]:
    """Scenario ``name`` of a set for ``council`` as at September ``as_at``, projected
    (central case and draws) and lined up against the outturns published since, beside the
    baselines fitted to the history published by then: one row per measure and year."""
    from .engine import project
    from .national import dataset
    from .uncertainty import band, simulate

    central = project(name, a)
    # the measures whose every line the set projects: a council formed in its base year
    # (Cumberland as at 2024) has no spend published for that year, so its set has no line
    # for other spend on children looked after, and that measure cannot be checked
    checks = {m: c for m, c in CHECKS.items() if all(line in central.lines for line in c[0])}
    lines = sorted({line for parts, _ in checks.values() for line in parts})
    sims = simulate(name, a, draws, seed, measures=lines) if draws else {}
    years = central.years
    base = years[0]
    rows = dataset.area_rows(council.code, extract)
    out = []
    for measure, (parts, sign) in checks.items():
        hist = dataset.series(council.code, measure, rows)
        actual = {p: float(x) for p, x in hist.items()}
        since = HISTORY_FROM.get(measure)
        known = KNOWN_AHEAD.get(measure, 0)
        last = parse_year(base) + known
        past = hist[
            [
                parse_year(p) <= last and (since is None or parse_year(p) >= parse_year(since))
                for p in hist.index
            ]
        ]
        if past.empty or year_label(last) not in actual:
            continue
        # parts is never empty, so each sum is an array
        fc = cast(np.ndarray, sign * sum(central.lines[m].values[0] for m in parts))
        # the band of the measure itself: its parts added draw by draw, then the percentiles
        # (the P10 of a sum is not the sum of the parts' P10s)
        if draws:
            summed = cast(np.ndarray, sign * sum(sims[m] for m in parts))
            qs = band(summed)
        else:
            qs = np.vstack([fc] * 3)
        rules = baselines(past, horizon + known)
        for h in range(1 + known, min(horizon + known, len(years) - 1) + 1):
            year = years[h]
            if year not in actual:
                continue
            out.append(
                {
                    "council": council.name,
                    "la_code": council.code,
                    "region": council.region,
                    "measure": measure,
                    "as_at": as_at,
                    "year": year,
                    "horizon": h - known,
                    "actual": actual[year],
                    "forecast": float(fc[h]),
                    "p10": float(qs[0][h]),
                    "p50": float(qs[1][h]),
                    "p90": float(qs[2][h]),
                    **{k: float(rules[k][h - 1 - known]) for k in BASELINES},
                    "scenario": name,
                }
            )
    return out


def score_set(
    path: Path,
    scenario: str | None,
    horizon: int,
    draws: int,
    seed: int,
    extract: pd.DataFrame,
) -> tuple[pd.DataFrame, list[str]]:
    """A council's own assumption set, as at its own date, scored against the outturns DfE
    has published since its base year, beside the same baselines: one of its scenarios (the
    plan unless ``scenario`` names another). How a past plan compares with what happened.
    Also returns warnings for the reader (a set whose name is not the council's in DfE's
    data)."""
    from .engine import project
    from .errors import Problem
    from .loading import load
    from .national import dataset, newset
    from .roles import plan_scenario
    from .run import check_finite

    scenarios = load(path, (scenario,) if scenario else ())
    # the one asked for (load matched it by file or name), else the plan
    chosen = scenarios[0] if scenario else plan_scenario(scenarios)
    name, a = chosen.name, chosen.assumptions
    central = project(name, a)
    check_finite(chosen, central)  # an overflowing input is refused at its line, not scored

    def problem(field: str, message: str) -> Problem:
        loc = chosen.where(field)
        return Problem(loc.file if loc else str(path), loc.line if loc else None, field, message)

    if a.council.la_code is None:
        raise InputError(
            problem(
                "council.la_code",
                "the set names no DfE LA number, so its outturns cannot be found in the "
                "national dataset",
            )
        )
    try:
        council = dataset.find_council(a.council.la_code, extract)
    except InputError:
        raise InputError(
            problem(
                "council.la_code",
                f"no council has LA number {a.council.la_code} in DfE's data; "
                "`forecast councils` lists them",
            )
        ) from None
    as_at = newset.as_at_for(a.timeline.base_year)
    rows = scored_rows(council, as_at, name, a, horizon, draws, seed, extract)
    if not rows:
        raise InputError(
            problem(
                "timeline.base_year",
                f"scoring needs DfE's figure for {council.name} in the base year "
                f"{a.timeline.base_year} and at least one outturn after it, for some measure "
                "scored; DfE publishes no such pair",
            )
        )
    warnings = []
    scored = {r["measure"] for r in rows}
    for measure in CHECKS:
        if measure not in scored:
            why = unscored(measure, central.lines, a, council, extract)
            warnings.append(f"{measure} not scored: {why}")
    if not dataset.same_council(a.council.name, council.name):
        warnings.append(
            str(
                problem(
                    "council.la_code",
                    f"the set is for {a.council.name}, but LA {council.code} is "
                    f"{council.name} in DfE's data, whose outturns are scored here",
                )
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS), warnings


def unscored(
    measure: str, lines: Mapping, a: AssumptionSet, council: Council, extract: pd.DataFrame
) -> str:
    """Why a measure of ``CHECKS`` gave no row for a scenario of a set (``lines``: its
    projected lines), in words."""
    from .national import dataset

    missing = [f"{area}.{line}" for area, line in CHECKS[measure][0] if (area, line) not in lines]
    if missing:
        return f"the set has no line {', '.join(missing)}"
    published = dataset.series(council.code, measure, dataset.area_rows(council.code, extract))
    # the last year known as at the set's date (the base year, or the allocation announced)
    known = year_label(parse_year(a.timeline.base_year) + KNOWN_AHEAD.get(measure, 0))
    return (
        f"DfE publishes it for {council.name} in "
        f"{', '.join(published.index) if len(published) else 'no year'}; scoring needs its "
        f"figure for {known} and for a year after it"
    )


# ------------------------------------------------------------------- all of them


_PARTS: dict[int, pd.DataFrame] = {}  # each council's rows and England's, shared by fork


def _work(args: tuple[int, int, int, int, int]) -> Vintage:
    la_code, as_at, horizon, draws, seed = args
    return run_vintage(la_code, as_at, horizon, draws, seed, _PARTS[la_code])


def parts(extract: pd.DataFrame, codes: list[int]) -> dict[int, pd.DataFrame]:
    """Each council's rows with England's, and its region's of the measures a growth rule
    takes from the region: all a set as at any year is built from (so each build filters a
    few hundred rows, not the whole extract)."""
    from .national import dataset
    from .trend import GROWTH_RULES

    region = {c.code: c.region_code for c in dataset.councils(extract=extract)}
    regional = {
        m
        for measure, rule in GROWTH_RULES.items()
        if rule.reference == "region"
        for m in rule.reads(measure)
    }
    england = dataset.area_rows(dataset.ENGLAND, extract)
    out = {}
    for c in codes:
        own = dataset.area_rows(c, extract)
        if own.empty:
            continue
        code = region.get(c)
        area = dataset.area_rows(code, extract) if code is not None else own.iloc[:0]
        out[c] = pd.concat([own, area[area["measure"].isin(regional)], england], ignore_index=True)
    return out


def pool(n: int) -> multiprocessing.pool.Pool:
    """``n`` forked workers that stop quietly when the run ends or is stopped (Ctrl-C or
    SIGTERM reach the parent, which ends them) and die with it."""
    made: multiprocessing.pool.Pool | None = None
    try:
        with signals_held():
            made = multiprocessing.get_context("fork").Pool(
                n, initializer=die_with_parent, initargs=(os.getpid(),)
            )
    except BaseException:
        # a Ctrl-C or SIGTERM held while the workers were forked is raised as the mask is
        # put back, before the caller holds the pool: end the workers here
        if made is not None:
            made.terminate()
        raise
    return made


def backtest(
    codes: Iterable[int],
    as_at: Iterable[int],
    horizon: int = DEFAULT_HORIZON,
    draws: int = 1000,
    seed: int = 0,
    extract: pd.DataFrame | None = None,
    processes: int | None = None,
) -> tuple[pd.DataFrame, list[Vintage]]:
    """Every (council, vintage) pair: the checked rows as one table (in council, vintage,
    measure and year order, whatever the number of processes) and the pairs skipped."""
    global _PARTS
    from .national import dataset

    codes = [int(c) for c in codes]
    _PARTS = parts(dataset.load_extract() if extract is None else extract, codes)
    tasks = [(c, int(y), horizon, draws, seed) for c in codes if c in _PARTS for y in as_at]
    n = processes or min(len(os.sched_getaffinity(0)), max(1, len(tasks)))
    if n > 1 and len(tasks) > 1:
        with pool(n) as workers:
            done = workers.map(_work, tasks, chunksize=max(1, len(tasks) // (8 * n)))
    else:
        done = [_work(t) for t in tasks]
    frame = pd.DataFrame([r for v in done for r in v.rows], columns=COLUMNS)
    return frame, [v for v in done if v.skipped]


# ------------------------------------------------------------------------ scoring


def errors(frame: pd.DataFrame, column: str) -> pd.Series:
    """Absolute error of ``column`` against the outturn: percent of the outturn for counts
    and money, percentage points for shares."""
    diff = (frame[column] - frame["actual"]).abs()
    share = frame["measure"].isin(SHARES)
    pct = diff / frame["actual"].abs().where(frame["actual"] != 0)
    return (pct.where(~share, diff)) * 100.0


def signed_errors(frame: pd.DataFrame, column: str) -> pd.Series:
    """As ``errors`` but signed: positive when the forecast was too high (bias)."""
    diff = frame[column] - frame["actual"]
    share = frame["measure"].isin(SHARES)
    pct = diff / frame["actual"].abs().where(frame["actual"] != 0)
    return (pct.where(~share, diff)) * 100.0


def covered(frame: pd.DataFrame) -> pd.Series:
    """Whether each outturn lay inside the P10-P90 band."""
    return (frame["p10"] <= frame["actual"]) & (frame["actual"] <= frame["p90"])


def summary(frame: pd.DataFrame, by_vintage: bool = False) -> pd.DataFrame:
    """Pooled over councils and vintages (or over councils, vintage by vintage), by measure
    and horizon: the mean error of the model and of each baseline, the model's mean signed
    error and its P10-P90 coverage; the baseline with the lowest error (``best``) and whether
    the model's error was below every baseline's (``won``: a tie is not a win)."""
    out = []
    keyed = frame.assign(
        **{f"err_{k}": errors(frame, k) for k in ("forecast", *BASELINES)},
        bias=signed_errors(frame, "forecast"),
        held=covered(frame).astype(float),
    )
    keys = ["measure", "as_at", "horizon"] if by_vintage else ["measure", "horizon"]
    for key, g in keyed.groupby(keys, sort=True):
        cell = dict(zip(keys, key, strict=True))
        rules = {k: float(g[f"err_{k}"].mean()) for k in BASELINES}
        best = min(BASELINES, key=lambda k: rules[k])
        model = float(g["err_forecast"].mean())
        out.append(
            {
                "measure": cell["measure"],
                **({"as_at": int(cell["as_at"])} if by_vintage else {}),
                "horizon": int(cell["horizon"]),
                "n": len(g),
                "model": model,
                **rules,
                "bias": g["bias"].mean(),
                "coverage": g["held"].mean(),
                "best": best,
                "won": bool(model < rules[best]),
            }
        )
    return pd.DataFrame(out)


def pooled_horizon(frame: pd.DataFrame) -> int:
    """The last horizon a pooled coverage figure takes: ``DEFAULT_HORIZON``, or the run's
    own last if it went less far (``--horizon 2``)."""
    return min(DEFAULT_HORIZON, int(frame["horizon"].max()))


def pooled_coverage(frame: pd.DataFrame, max_horizon: int = DEFAULT_HORIZON) -> float:
    """Share of outturns inside the P10-P90 band, over councils, measures and horizons
    1..``max_horizon``."""
    return float(covered(frame[frame["horizon"] <= max_horizon]).mean())


def table(frame: pd.DataFrame, skipped: list[Vintage]) -> str:
    """The printed comparison: error by measure and horizon, model against each baseline."""
    s = summary(frame)
    head = (
        f"{'measure':<24}{'h':>2}{'n':>6}{'model':>8}"
        + "".join(f"{BASELINE_LABELS[k][:12]:>13}" for k in BASELINES)
        + f"{'bias':>8}{'P10-P90':>9}"
    )
    lines = [
        "Mean absolute error (% of outturn; DSG balance share in percentage points), pooled "
        "over councils and vintages",
        head,
    ]
    for r in s.itertuples():
        mark = "*" if r.won else " "
        lines.append(
            f"{r.measure:<24}{r.horizon:>2}{r.n:>6}{r.model:>7.2f}{mark}"
            + "".join(f"{getattr(r, k):>13.2f}" for k in BASELINES)
            + f"{r.bias:>+8.2f}{r.coverage:>9.0%}"
        )
    lines.append("* the model's error is below every baseline's")
    demand = frame[frame["measure"].isin(DEMAND)]
    for what, part in (
        ("measures", frame),
        ("demand series (EHCPs, children looked after)", demand),
    ):
        if part.empty:
            continue
        h = pooled_horizon(part)
        cov = pooled_coverage(part, h)
        lines.append(
            f"P10-P90 coverage, pooled over councils, {what} and horizons 1-{h}: "
            f"{cov:.1%} "
            f"({'inside' if 0.7 <= cov <= 0.9 else 'outside'} the 70-90% target)"
        )
    lines += trailing(frame)
    if skipped:
        lines.append(f"{len(skipped)} council-vintages could not be built from published data:")
        reasons: dict[str, int] = {}
        for v in skipped:
            reasons[v.skipped or ""] = reasons.get(v.skipped or "", 0) + 1
        ranked = sorted(reasons.items(), key=lambda kv: -kv[1])
        for why, k in ranked[:SKIPPED_SHOWN]:
            lines.append(f"  {k} x {why[:150]}")
        if len(ranked) > SKIPPED_SHOWN:
            rest = sum(k for _, k in ranked[SKIPPED_SHOWN:])
            lines.append(f"  and {rest} more, for {len(ranked) - SKIPPED_SHOWN} other reasons")
    return "\n".join(lines)


def trailing(frame: pd.DataFrame) -> list[str]:
    """Where several vintages are pooled, the demand cells (EHCPs, children looked after, by
    vintage and horizon 1-4) in which the model did not beat every baseline: a pooled win
    can hide a vintage that lost or tied, and the reader should see it."""
    if frame["as_at"].nunique() < 2:
        return []
    demand = frame["measure"].isin(DEMAND) & (frame["horizon"] <= DEFAULT_HORIZON)
    s = summary(frame[demand], by_vintage=True)
    lines = []
    for r in s.to_dict("records"):
        best = r["best"]
        if not r["won"]:
            years = f"{r['horizon']} year{'s' if r['horizon'] > 1 else ''}"
            lines.append(
                f"  as at {r['as_at']}, {r['measure']}, {years} ahead: model {r['model']:.2f} "
                f"against {BASELINE_LABELS[best]} {r[best]:.2f}"
            )
    head = "Vintage by vintage, demand cells where the model did not beat every baseline"
    if not lines:
        return [f"{head}: none"]
    more = len(lines) - TRAILING_SHOWN
    rest = [f"  and {more} more (backtest.xlsx, sheet By vintage)"] if more > 0 else []
    return [f"{head} ({len(lines)} of {len(s)}):", *lines[:TRAILING_SHOWN], *rest]


def to_csv(frame: pd.DataFrame) -> bytes:
    """backtest.csv: one row per council, measure, vintage and year checked."""
    return frame.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode()


def default_vintages(extract: pd.DataFrame) -> list[int]:
    """Every vintage with an outturn to check: as at each September from the first the
    generator supports to the last year any checked measure has an outturn for (a measure
    known ahead, such as the high-needs allocation, counts from the year before its last)."""
    from .national.newset import FIRST_AS_AT

    checked = extract.loc[extract["measure"].isin(list(CHECKS)), ["measure", "period"]]
    last = max(
        parse_year(p) - KNOWN_AHEAD.get(m, 0)
        for m, p in checked.drop_duplicates().itertuples(index=False)
    )
    return list(range(FIRST_AS_AT, last + 1))


def check_years(as_at: Iterable[int]) -> list[int]:
    """The vintages asked for, each a year the generator supports."""
    from .national.newset import FIRST_AS_AT

    years = sorted(set(as_at))
    for y in years:
        if y < FIRST_AS_AT:
            from .errors import Problem

            raise InputError(
                Problem(
                    "--as-at",
                    None,
                    None,
                    f"{y}: sets can be built as at {FIRST_AS_AT} or later "
                    f"(the first DSG allocation published is {year_label(FIRST_AS_AT)})",
                )
            )
    return years
