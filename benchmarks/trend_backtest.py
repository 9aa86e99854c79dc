"""How `forecast trend` compares with the two spreadsheet habits it replaces.

For each series, from every origin with at least six points behind it, forecast up to
four years ahead with (a) the trend method, (b) repeating last year's growth and (c) a
straight line through all points so far, and score the mean absolute percentage error
against what happened; also count how often the 95% interval held the actual.

The series are national figures as published by DfE (rounded as in the releases); they
are not used anywhere in the tool, so they are out of sample for its rule.
Target: lower error than both habits on average, and 95% intervals holding at least 80%
of actuals.

A second table scores the rule for short series (three to five points behind the
origin, too few to backtest): the trend's compound average growth against the additive
average change it replaced.
"""

from __future__ import annotations

import numpy as np

from forecasting.trend import Series, _drift, _line, _naive_growth, fit

SERIES = {
    # Children looked after at 31 March, England (DfE, Children looked after in England)
    "children looked after, England": (
        range(2010, 2024),
        [
            64470,
            65500,
            67070,
            68060,
            68800,
            69480,
            70440,
            72590,
            75370,
            78150,
            80000,
            80850,
            82170,
            83840,
        ],
    ),
    # EHCPs and statements, England, January (DfE SEN2)
    "EHCPs, England": (
        range(2015, 2025),
        [240185, 256315, 287290, 319819, 354360, 390109, 430697, 473255, 517049, 575963],
    ),
    # Permanent exclusions, England, by academic year starting (DfE exclusion statistics)
    "permanent exclusions, England": (
        range(2010, 2023),
        [5080, 5170, 4630, 4630, 4950, 5800, 6685, 7720, 7905, 7894, 5057, 3928, 6495],
    ),
    # Children in need at 31 March, England (DfE, Characteristics of children in need)
    "children in need, England": (
        range(2013, 2024),
        [378600, 397600, 390960, 394400, 389430, 404710, 399500, 389260, 388490, 404310, 403090],
    ),
}
HORIZON = 4


def evaluate() -> dict[str, dict[str, float]]:
    out = {}
    for name, (years, values) in SERIES.items():
        t = np.array(list(years), dtype=float)
        y = np.array(values, dtype=float)
        errs = {"trend": [], "repeat last growth": [], "straight line": []}
        held = []
        for origin in range(6, len(y)):
            ahead = min(HORIZON, len(y) - origin)
            tf = t[origin : origin + ahead]
            actual = y[origin : origin + ahead]
            s = Series([str(int(v)) for v in t[:origin]], t[:origin], y[:origin], "year", True, 1.0)
            tr = fit(s, ahead)
            errs["trend"].extend(np.abs(tr.forecast - actual) / actual)
            held.extend((tr.lower_95 <= actual) & (actual <= tr.upper_95))
            errs["repeat last growth"].extend(
                np.abs(_naive_growth(t[:origin], y[:origin], tf) - actual) / actual
            )
            errs["straight line"].extend(
                np.abs(_line(t[:origin], y[:origin], tf) - actual) / actual
            )
        out[name] = {k: float(np.mean(v)) for k, v in errs.items()}
        out[name]["95% held"] = float(np.mean(held))
    return out


def evaluate_short() -> dict[str, dict[str, float]]:
    """Forecasts from only 3-5 points: the short-series rule against the average change."""
    out = {}
    for name, (years, values) in SERIES.items():
        t = np.array(list(years), dtype=float)
        y = np.array(values, dtype=float)
        errs: dict[str, list[float]] = {"trend (short rule)": [], "average change": []}
        for start in range(len(y)):
            for points in (3, 4, 5):
                origin = start + points
                if origin >= len(y):
                    continue
                ahead = min(HORIZON, len(y) - origin)
                tt, yy = t[start:origin], y[start:origin]
                tf, actual = t[origin : origin + ahead], y[origin : origin + ahead]
                s = Series([str(int(v)) for v in tt], tt, yy, "year", True, 1.0)
                errs["trend (short rule)"].extend(np.abs(fit(s, ahead).forecast - actual) / actual)
                errs["average change"].extend(np.abs(_drift(tt, yy, tf) - actual) / actual)
        out[name] = {k: float(np.mean(v)) for k, v in errs.items()}
    return out


def main() -> None:
    short = evaluate_short()
    print(f"{'series (3-5 points behind)':<32} {'trend':>8} {'avg change':>11}")
    for name, r in short.items():
        print(f"{name:<32} {r['trend (short rule)']:>8.2%} {r['average change']:>11.2%}")
    print()
    res = evaluate()
    print(f"{'series':<32} {'trend':>8} {'last growth':>12} {'line':>8} {'95% held':>9}")
    for name, r in res.items():
        print(
            f"{name:<32} {r['trend']:>8.2%} {r['repeat last growth']:>12.2%} "
            f"{r['straight line']:>8.2%} {r['95% held']:>9.0%}"
        )
    mean = {k: np.mean([r[k] for r in res.values()]) for k in next(iter(res.values()))}
    print(
        f"{'mean':<32} {mean['trend']:>8.2%} {mean['repeat last growth']:>12.2%} "
        f"{mean['straight line']:>8.2%} {mean['95% held']:>9.0%}"
    )


if __name__ == "__main__":
    main()
