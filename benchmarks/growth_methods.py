"""Which growth rule projects council demand best: the pooled national backtest.

For every council, vintage (as at 2019 to 2024) and demand series (EHC plans, children
looked after), each candidate rule sets one yearly growth rate from the history published
by the base year, and the series is compounded at it for one to four years, as far as DfE
has published outturns (to 2024-25: four years ahead from 2019, 2020 and 2021, three from
2022, two from 2023, one from 2024). The mean absolute percentage error against the
published outturn, pooled over councils and vintages, is printed by rule and horizon.
Candidates: the council's own average growth over its whole history or its last ``L``
years, and that growth shrunk toward a reference area's over the same years with weight
``w`` on the council's own (w = 0 is the reference's growth, w = 1 the council's own), and
damped: a share ``d`` of that growth carried forward. The reference is England or the
council's own region (DfE's regional figures; a London borough's is London). For children
looked after, also a pull toward the reference's rate: each year the count moves by a
share ``k`` of the log gap between the reference's children looked after per 10,000
children and the council's at the base year (k = 0 is no pull; the rate is DfE's published
``cla_per_10k``). The rule chosen for each series is ``forecasting.trend.GROWTH_RULES``.

Councils are those the backtest builds (with a DSG allocation: not the City of London or
the Isles of Scilly, whose handful of children give errors of over 100% that would decide
any ranking alone). The choice is checked out of sample too: leaving one vintage out, the
rule best on the others is scored on it.

The rules were first chosen on the vintages 2019-2021 alone. Scored on 2022-2024, which that
choice never saw, the EHC plan rule then in use (a quarter the council's own growth over
the last three years, three quarters England's, 75% carried forward) under-forecast: EHC
plans grew faster after 2021 than before. Over all six vintages the whole published history
carried forward in full wins, and it is chosen whichever vintage is left out (README,
"Six vintages"). For children looked after, the region as the reference wins: a quarter of
the region's growth over the last three years, pulled 5% a year toward the region's rate
(5.53/7.81/9.45/10.53% at one to four years, against 5.62/8.08/9.94/11.14% for the same
rule toward England's, 2% a year). It is chosen on 2019-2021 alone too, and whichever
vintage is left out but 2019 (a tenth of the region's growth then). For EHC plans the
region does not help, and England stays (README, "Children looked after toward the region").

Run: ``python benchmarks/growth_methods.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.national import dataset
from forecasting.trend import average_log_growth
from forecasting.widths import split_error
from forecasting.years import parse_year, year_label

VINTAGES = (2019, 2020, 2021, 2022, 2023, 2024)
HORIZON = 4
SINCE = {"ehcp_total": "2014-15"}
MEASURES = ("ehcp_total", "children_looked_after")
# (w, d): weight on the council's own growth (the rest on England's), and damping d, the
# share of that growth carried forward (d = 0 is no change)
RULES = [(w, d) for w in (0.0, 0.25, 0.5, 1.0) for d in (1.0, 0.75, 0.5, 0.25, 0.1, 0.0)]
# The level whose gap to the reference's a council's count may close, and the shares k of the
# log gap closed a year that are tried (children per 10,000 children aged 0-17)
LEVELS = {"children_looked_after": "cla_per_10k"}
PULLS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1)
# The area a council's growth is shrunk toward, and whose level the pull closes on: England,
# or the council's own region (DfE's regional figures: London's boroughs take London's)
REFERENCES = ("england", "region")


def log_growth(s: pd.Series, years: int | None) -> float:
    """Average yearly log growth over the last ``years`` years of ``s`` (all if None), as
    the generator takes it."""
    return average_log_growth(list(s.index), s.to_numpy(dtype=float), years)


def rule_name(lookback: int | None, w: float, d: float, k: float, ref: str = "england") -> str:
    name = f"last {lookback or 'all'} years, w={w:.2f}, d={d:.2f}"
    name += f", k={k:.2f}" if k else ""
    return name + (", toward the region" if ref == "region" and (w < 1 or k) else "")


def evaluate(extract: pd.DataFrame) -> pd.DataFrame:
    """Every rule's error for every council, vintage, series and horizon 1-4."""
    las = set(extract.loc[extract["level"] == "la", "la_code"])
    # the councils the backtest builds: a set needs a DSG allocation
    las &= set(extract.loc[extract["measure"] == "high_needs_allocation", "la_code"])
    region_of = {c.code: c.region_code for c in dataset.councils(extract=extract)}
    rows = []
    for measure in MEASURES:
        m = extract[extract["measure"] == measure]
        wide = m.pivot_table(index="la_code", columns="period", values="value")
        level = None
        if measure in LEVELS:
            lv = extract[extract["measure"] == LEVELS[measure]]
            level = lv.pivot_table(index="la_code", columns="period", values="value")
        codes = sorted(las & set(wide.index))
        for as_at in VINTAGES:
            base = year_label(as_at - 1)
            cols = [
                c
                for c in wide.columns
                if parse_year(c) <= parse_year(base)
                and parse_year(c) >= parse_year(SINCE.get(measure, "2000-01"))
            ]
            for code in codes:
                hist = wide.loc[code, cols].dropna()
                if base not in hist.index or len(hist) < 2:
                    continue
                for ref_name in REFERENCES:
                    ref_code = dataset.ENGLAND if ref_name == "england" else region_of[code]
                    if ref_name == "region" and ref_code not in wide.index:
                        continue
                    e_hist = wide.loc[ref_code, hist.index]
                    gap, pulls = 0.0, (0.0,)
                    if level is not None:
                        own_level = level.loc[code].get(base) if code in level.index else None
                        gap = float(np.log(own_level / level.loc[ref_code, base]))
                        pulls = PULLS if np.isfinite(gap) else (0.0,)
                    ref_hist = wide.loc[ref_code, cols].dropna()
                    for lookback in (None, 3):
                        own = log_growth(hist, lookback)
                        # over the council's own years; a rule with no weight on them takes
                        # the reference's over all its years to the base, as the generator
                        # does (a council formed since has fewer)
                        shared = log_growth(e_hist, lookback)
                        alone = log_growth(ref_hist, lookback)
                        for (w, d), k in ((r, k) for r in RULES for k in pulls):
                            ref = alone if w == 0 else shared
                            if ref_name == "region" and w == 1 and not k:
                                continue  # the same forecast as England's with w = 1
                            g = d * (w * own + (1 - w) * ref) - k * gap
                            for h in range(1, HORIZON + 1):
                                year = year_label(as_at - 1 + h)
                                actual = wide.loc[code].get(year)
                                if actual is None or not np.isfinite(actual) or not np.isfinite(g):
                                    continue
                                fc = hist[base] * np.exp(g * h)
                                rows.append(
                                    {
                                        "measure": measure,
                                        "rule": rule_name(lookback, w, d, k, ref_name),
                                        "as_at": as_at,
                                        "horizon": h,
                                        "ape": abs(fc / actual - 1) * 100,
                                        "log_error": np.log(actual / fc),
                                    }
                                )
    return pd.DataFrame(rows)


def leave_one_vintage_out(res: pd.DataFrame, measure: str) -> pd.DataFrame:
    """For each vintage: the rule with the lowest mean error over the other vintages'
    horizons, and its error on the vintage left out beside "no change" there (NaN where no
    outturn is published yet); then the held-out scores pooled (every council-vintage
    forecast by a rule chosen without it), beside "no change" and the rule chosen on all."""
    part = res[res["measure"] == measure]
    by = part.pivot_table(index="rule", columns=["as_at", "horizon"], values="ape")
    none = rule_name(None, 0.0, 0.0, 0.0)
    out, held_out = [], []
    for held in VINTAGES:
        fit = by.drop(columns=held, level=0).mean(axis=1)
        chosen = fit.idxmin()
        held_out.append(part[(part["as_at"] == held) & (part["rule"] == chosen)])
        for name, rule in (("chosen on the others", chosen), ("no change", none)):
            out.append(
                {
                    "left out": held,
                    "rule": rule,
                    "as": name,
                    **{f"h{h}": by.loc[rule].get((held, h), np.nan) for h in range(1, HORIZON + 1)},
                }
            )
    pooled = pd.concat(held_out).groupby("horizon")["ape"].mean()
    every = part.groupby(["rule", "horizon"])["ape"].mean().unstack()
    best = every.mean(axis=1).idxmin()
    for name, row in (
        ("each vintage by the rule chosen on the others", pooled),
        ("no change", every.loc[none]),
        (f"chosen on all: {best}", every.loc[best]),
    ):
        scores = {f"h{h}": row[h] for h in row.index}
        out.append({"left out": "pooled", "rule": "", "as": name, **scores})
    return pd.DataFrame(out)


FIRST_CHOICE = (2019, 2020, 2021)  # the vintages the rules were first chosen on


def later_vintages(res: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The rule best on the first three vintages (2019-2021), scored on the later ones it
    never saw, beside the rule best on all six and "no change" (a true hold-out)."""
    part = res[res["measure"] == measure]
    by = part.pivot_table(index="rule", columns=["as_at", "horizon"], values="ape")
    first = by[[c for c in by.columns if c[0] in FIRST_CHOICE]].mean(axis=1).idxmin()
    every = part.groupby(["rule", "horizon"])["ape"].mean().unstack().mean(axis=1).idxmin()
    none = rule_name(None, 0.0, 0.0, 0.0)
    out = []
    for v in (v for v in VINTAGES if v not in FIRST_CHOICE):
        for name, rule in (
            ("chosen on 2019-2021", first),
            ("chosen on all", every),
            ("no change", none),
        ):
            scores = {f"h{h}": by.loc[rule].get((v, h), np.nan) for h in range(1, HORIZON + 1)}
            out.append({"vintage": v, "as": name, "rule": rule, **scores})
    return pd.DataFrame(out)


def main() -> None:
    res = evaluate(dataset.load_extract())
    table = res.pivot_table(index=["measure", "rule"], columns="horizon", values="ape")
    table["mean 1-4"] = table.mean(axis=1)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 1000)
    print(f"Mean absolute % error by horizon, pooled over councils and vintages {VINTAGES}")
    print(table.round(2).to_string())
    best = table["mean 1-4"].groupby(level=0).idxmin()
    print("\nbest rule by measure:", {m: r for m, (_, r) in best.items()})
    for m in best.index:
        print(f"\n{m}: best ten rules, and no change")
        none = (m, rule_name(None, 0.0, 0.0, 0.0))
        print(table.loc[m].sort_values("mean 1-4").head(10).round(2).to_string())
        print(table.loc[[none]].round(2).to_string())
        print(f"{m}: leaving one vintage out (choose on the others, score on it)")
        print(leave_one_vintage_out(res, m).round(2).to_string(index=False))
        print(f"{m}: the later vintages, by the rule chosen on 2019-2021 and on all")
        print(later_vintages(res, m).round(2).to_string(index=False))
    # The spread of the best rule's log error by horizon, split into a persistent error in
    # the growth rate (sd grows as h) and yearly shocks that carry forward in the level (sd
    # grows as sqrt(h)): var(h) = sigma^2 h^2 + shock^2 h, least squares over horizons 1-4.
    for m, (_, r) in best.items():
        e = res[(res["measure"] == m) & (res["rule"] == r)]
        sigma, shock, sd = split_error(e)
        print(
            f"{m}: robust sd of log error by horizon {sd}; growth-rate "
            f"error sd {sigma:.4f}, yearly shock sd {shock:.4f}"
        )


if __name__ == "__main__":
    main()
