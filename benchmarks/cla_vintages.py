"""Children looked after: a growth rule that beats every baseline in each vintage, not only
pooled over the three. The robustness check of ``forecasting.trend.GROWTH_RULES``.

Pooled over the vintages 2019-2021 the chosen rule (a quarter of England's recent growth,
pulled 2% a year toward England's rate per 10,000 children) beats every spreadsheet rule at
one to four years, but as at 2019 alone it trailed "no change" at one and two years. Here a
small grid of simple rules is scored vintage by vintage on exactly what the backtest scores:
the rows of the recorded national run (``benchmarks/backtest.csv.gz``: its councils, its
published outturns and the four baselines fitted to each council's history). A rule's
forecast is the base-year count (the "no change" column) moved at the rule's yearly rate,
which is what the model's central forecast is (the recorded forecast equals the base count
compounded at the set's growth to six significant figures).

The grid, every combination of:

- ``carry``: the share of England's average log growth over the last ``lookback`` years
  carried forward (0, 0.05, 0.1, 0.25, 0.5, 0.75, 1), and ``weight`` on the council's own growth
  over the same years instead of England's (0 or 0.25);
- ``pull``: the share of the base year's log gap between the council's children looked
  after per 10,000 children and England's closed a year (0, 0.5%, 1%, 2%, 3%, 4%, 5%);
- ``damp``: the growth part of year ``j``'s rate is ``damp ** (j - 1)`` of it (1: not
  damped; 0.75, 0.5: dying away toward nil by horizon);
- ``blend``: the share of "no change" in a blend of forecasts (0, 0.25, 0.5).

The criterion is robustness, not fit to one vintage: for each rule and each vintage
(2019, 2020, 2021) and horizon 1-4, its margin is the best baseline's mean absolute %
error less the rule's; the rule chosen is the one whose worst margin (over the three
vintages and four horizons) is largest. A rule with a positive worst margin beats every
baseline at every horizon in every vintage (and so pooled). Leaving one vintage out, the
rule whose worst margin on the other two is largest is scored on the third. No single
council's outturns are looked at: every figure is a mean over the councils of a vintage.

Outcome (benchmarks/README.md, docs/decisions.md): 17 of the 1,531 rules clear every cell,
by at most 0.010 points (standard error 0.036), each damped or blended with "no change", each
worse pooled at two to four years than the rule in use; the choice fails out of sample in
two of three vintages. The rule in use is kept.

Since then the rule has moved from England to the council's region (a quarter of its
region's growth, pulled 5% a year toward its region's rate: ``growth_methods.py``), which
beats every baseline as at 2019 too. This check is kept as the record of the England rule
(``ENGLAND_RULE``); the recorded run now holds the region rule's forecasts, so the England
rule's are recomputed here from the same inputs, and only the run's outturns and baselines
are read.

Run: ``python benchmarks/cla_vintages.py`` (a few seconds).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import backtest as bt
from forecasting.national import dataset
from forecasting.years import parse_year, year_label

RECORDED = Path(__file__).with_name("backtest.csv.gz")
MEASURE = "children_looked_after"
LEVEL = "cla_per_10k"
VINTAGES = (2019, 2020, 2021)
HORIZONS = (1, 2, 3, 4)
LOOKBACKS = (3, 5)
WEIGHTS = (0.0, 0.25)
CARRIES = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0)
PULLS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05)
DAMPS = (1.0, 0.75, 0.5)
BLENDS = (0.0, 0.25, 0.5)
ENGLAND_RULE = (3, 0.0, 0.25, 0.02, 1.0, 0.0)  # the rule in use when this check was made


def rule_name(rule: tuple) -> str:
    lookback, w, c, k, phi, b = rule
    return f"L={lookback} w={w:.2f} carry={c:.2f} pull={k:.2f} damp={phi:.2f} blend={b:.2f}"


def log_growth(periods: list[str], values: np.ndarray, lookback: int) -> float:
    """Average yearly log growth over the last ``lookback`` years (NaN if it cannot)."""
    t = np.array([parse_year(p) for p in periods], dtype=float)
    y = np.asarray(values, dtype=float)
    keep = t >= t[-1] - lookback
    t, y = t[keep], y[keep]
    if len(y) < 2 or y[0] <= 0 or y[-1] <= 0:
        return float("nan")
    return float(np.log(y[-1] / y[0]) / (t[-1] - t[0]))


def inputs(extract: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """For each council and vintage scored: England's and the council's own average log
    growth over each lookback to the base year, and the base year's log gap between the
    council's rate per 10,000 children and England's."""
    wide = extract[extract["measure"] == MEASURE].pivot_table(
        index="la_code", columns="period", values="value"
    )
    lv = extract[extract["measure"] == LEVEL].pivot_table(
        index="la_code", columns="period", values="value"
    )
    out = []
    for (code, as_at), _ in scored.groupby(["la_code", "as_at"]):
        base = year_label(as_at - 1)
        cols = sorted(
            (c for c in wide.columns if parse_year(c) <= parse_year(base)), key=parse_year
        )
        own_hist = wide.loc[code, cols].dropna()
        eng_hist = wide.loc[dataset.ENGLAND, cols].dropna()
        row = {"la_code": code, "as_at": as_at}
        # England's over the council's own years, as the generator takes it (over all of
        # England's years to the base when those give no rate: a council formed since)
        shared = eng_hist[[p for p in own_hist.index if p in eng_hist.index]]
        for lookback in LOOKBACKS:
            ref = log_growth(list(shared.index), shared.to_numpy(), lookback)
            if not np.isfinite(ref):
                ref = log_growth(list(eng_hist.index), eng_hist.to_numpy(), lookback)
            own = log_growth(list(own_hist.index), own_hist.to_numpy(), lookback)
            row[f"eng{lookback}"] = ref
            row[f"own{lookback}"] = own if np.isfinite(own) else ref
        mine = lv.loc[code].get(base) if code in lv.index else None
        eng = lv.loc[dataset.ENGLAND].get(base)
        ok = mine is not None and eng is not None and np.isfinite(mine) and mine > 0
        row["gap"] = float(np.log(mine / eng)) if ok else 0.0
        out.append(row)
    return pd.DataFrame(out)


def forecast(f: pd.DataFrame, rule: tuple) -> np.ndarray:
    """A rule's forecast of each scored row (``f``: the scored rows with their inputs)."""
    lookback, w, c, k, phi, b = rule
    h = f["horizon"].to_numpy(dtype=float)
    base = f["no_change"].to_numpy()
    g = c * (w * f[f"own{lookback}"].to_numpy() + (1 - w) * f[f"eng{lookback}"].to_numpy())
    years = h if phi == 1.0 else (1 - phi**h) / (1 - phi)
    fc = base * np.exp(g * years - k * f["gap"].to_numpy() * h)
    return (1 - b) * fc + b * base


def score(f: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute % error by rule, vintage and horizon (and the baselines', as rules);
    ``f``: the scored rows with their inputs."""
    actual = f["actual"].to_numpy()
    keys = [f["as_at"].to_numpy(), f["horizon"].to_numpy()]
    index = pd.MultiIndex.from_arrays(keys, names=["as_at", "horizon"])
    tables = {}
    for k in bt.BASELINES:
        ape = np.abs(f[k].to_numpy() / actual - 1) * 100
        tables[k] = pd.Series(ape, index=index).groupby(level=[0, 1]).mean()
    for rule in itertools.product(LOOKBACKS, WEIGHTS, CARRIES, PULLS, DAMPS, BLENDS):
        lookback, w, c, k, phi, b = rule
        if (c == 0 and (w or phi != 1.0 or lookback != LOOKBACKS[0])) or (k == 0 and c == 0 and b):
            continue  # the same forecast as a rule already in the grid
        ape = np.abs(forecast(f, rule) / actual - 1) * 100
        tables[rule] = pd.Series(ape, index=index).groupby(level=[0, 1]).mean()
    return pd.DataFrame(tables).T


def margins(table: pd.DataFrame, vintages: tuple[int, ...]) -> pd.Series:
    """Each rule's worst margin over the best baseline, over ``vintages`` and horizons 1-4."""
    cols = [(v, h) for v in vintages for h in HORIZONS]
    best = table.loc[list(bt.BASELINES), cols].min(axis=0)
    rules = table.drop(index=list(bt.BASELINES))
    return (best - rules[cols]).min(axis=1)


def pooled(scored: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Pooled over vintages (weighted by each vintage's count of forecasts)."""
    n = scored.groupby(["as_at", "horizon"]).size()
    out = {}
    for h in HORIZONS:
        w = n.xs(h, level=1)
        out[h] = sum(table[(v, h)] * w[v] for v in VINTAGES) / w.sum()
    return pd.DataFrame(out)


def show(label: str, table: pd.DataFrame, rule, pool: pd.DataFrame) -> str:
    name = rule if isinstance(rule, str) else rule_name(rule)
    cells = [
        "/".join(f"{table.loc[[rule]].iloc[0][(v, h)]:.2f}" for h in HORIZONS) for v in VINTAGES
    ]
    cells.append("/".join(f"{pool.loc[[rule]].iloc[0][h]:.2f}" for h in HORIZONS))
    return f"{label:<26}{name:<58}" + "  ".join(f"{c:<23}" for c in cells)


def main() -> None:
    recorded = pd.read_csv(RECORDED)
    # the vintages with four years of outturns (the recorded run holds later ones too)
    scored = recorded[
        (recorded["measure"] == MEASURE)
        & recorded["horizon"].isin(HORIZONS)
        & recorded["as_at"].isin(VINTAGES)
    ]
    f = scored.merge(inputs(dataset.load_extract(), scored), on=["la_code", "as_at"])
    table = score(f)
    pool = pooled(scored, table)
    worst = margins(table, VINTAGES)
    print("Children looked after: mean absolute % error at 1/2/3/4 years, by vintage and pooled")
    print("n by vintage and horizon:", scored.groupby(["as_at", "horizon"]).size().to_dict())
    head = f"{'':<26}{'rule':<58}" + "  ".join(f"{str(v):<23}" for v in (*VINTAGES, "pooled"))
    print(head)
    for k in bt.BASELINES:
        print(show("baseline", table, k, pool))
    print(show("England rule", table, ENGLAND_RULE, pool))
    print(f"  its worst margin over the best baseline: {worst[ENGLAND_RULE]:+.3f} points")
    print("\nBest 15 rules by worst margin over the best baseline (vintage x horizon):")
    for rule in worst.sort_values(ascending=False).index[:15]:
        print(show(f"worst margin {worst[rule]:+.3f}", table, rule, pool))
    wins = worst[worst > 0]
    print(
        f"\nrules beating every baseline at 1-4 years in every vintage: {len(wins)} of {len(worst)}"
    )
    # the generator writes one constant yearly rate (damping or a blend needs a rate by year)
    constant = [r for r in worst.index if r[4] == 1.0 and r[5] == 0.0]
    print("\nBest 5 constant-rate rules (not damped, not blended: what a set's growth can hold):")
    for rule in worst[constant].sort_values(ascending=False).index[:5]:
        print(show(f"worst margin {worst[rule]:+.3f}", table, rule, pool))
    # How big a margin is next to chance: the paired difference from "no change" by
    # vintage and horizon, its mean and standard error over the councils of the vintage
    for rule in (worst.idxmax(), ENGLAND_RULE):
        d = np.abs(f["no_change"] / f["actual"] - 1) - np.abs(forecast(f, rule) / f["actual"] - 1)
        g = (100 * d).groupby([f["as_at"], f["horizon"]])
        cells = g.mean().round(3).astype(str) + " +- " + g.sem().round(3).astype(str)
        print(f"\n{rule_name(rule)}: no change's error less the rule's (points, mean +- se)")
        print(cells.unstack().to_string())
    for label, keep in (("every rule", worst.index), ("constant-rate rules", constant)):
        print(f"\nLeaving one vintage out, {label} (chosen by worst margin on the other two):")
        lovo(table.loc[[*bt.BASELINES, *keep]])


def lovo(table: pd.DataFrame) -> None:
    """For each vintage, the rule with the best worst margin on the other two, scored on it."""
    for v in VINTAGES:
        others = tuple(x for x in VINTAGES if x != v)
        chosen = margins(table, others).idxmax()
        best = table.loc[list(bt.BASELINES), [(v, h) for h in HORIZONS]].min(axis=0)
        got = table.loc[[chosen], [(v, h) for h in HORIZONS]].iloc[0]
        print(
            f"left out {v}: {rule_name(chosen)}: "
            + "/".join(f"{x:.2f}" for x in got)
            + "  best baseline "
            + "/".join(f"{x:.2f}" for x in best)
            + f"  margin {min(best.to_numpy() - got.to_numpy()):+.3f}"
        )


if __name__ == "__main__":
    main()
