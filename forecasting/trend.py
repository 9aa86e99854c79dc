"""Fitted demand trends: candidate models, a rolling-origin backtest, and a forecast with
80% and 95% intervals.

Candidates (those the series supports): repeat the last growth (the spreadsheet habit), a
straight line (the other habit), the average change (drift), and for positive series the
average growth (compound) and a straight line on the log scale, and exponential smoothing
with a damped additive trend (statsmodels ETS), on the log scale for positive series.
Each is backtested from rolling origins; the forecast is the combination of the three
with the lowest backtest error, weighted by the inverse of that error (combinations are
steadier than any single choice on short public series). Intervals come from the
combination's own backtest errors by horizon, never narrower than its one-step error
grown with the square root of the horizon, and use Student's t quantiles because that
error is itself estimated from few points.

A series too short to backtest is projected at its average growth when it is positive
(counts and spend compound: an additive average change under-forecasts them), otherwise
at its average change. Long series (daily data) cost a bounded amount of work: at most
``MAX_ORIGINS`` backtest origins and ETS fitted on the latest ``ETS_WINDOW`` points.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from .errors import InputError, Problem
from .national.benchmarks import ShareFigure, validated
from .schema import Strict
from .textfile import read_text
from .years import LAST_YEAR, parse_year, year_label

MIN_POINTS = 2
SHORT = 6  # below this many points the backtest is too thin to choose between models
COMBINE = 3  # how many of the best candidates are combined
ETS_MIN_POINTS = 8  # ETS with a damped trend estimates 5 parameters; fewer points overfit
ETS_WINDOW = 120  # ETS is fitted on at most the latest 120 points (its fit is far from O(n))
MAX_ORIGINS = 8  # rolling origins in the backtest, spread over the later half of the series
REGULAR = 0.03  # gaps within 3% of the median count as evenly spaced (dates drift by days)
FY_START = 0.25  # a financial year starts in April, a quarter into the calendar year
GROWTH_YEARS = 5  # a growth rate from a trend is the average over the next five years
_FY = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

Forecaster = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass
class Series:
    labels: list[str]
    t: np.ndarray  # time in years
    y: np.ndarray
    kind: str  # year, fy or date
    regular: bool
    step: float  # median spacing in years


@dataclass
class TrendFit:
    series: Series
    method: str
    backtest_error: float | None
    periods: list[str]
    forecast: np.ndarray
    lower_80: np.ndarray
    upper_80: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    warnings: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    def report(self) -> str:
        lines = [f"# {w}" for w in self.warnings]
        lines.append(f"# method: {self.method}")
        if self.backtest_error is not None:
            scale = float(np.mean(np.abs(self.series.y)))
            share = f" ({self.backtest_error / scale:.2%} of the series mean)" if scale else ""
            lines.append(f"# backtest mean absolute error: {self.backtest_error:,.3f}{share}")
            for name, s in sorted(self.scores.items(), key=lambda kv: kv[1]):
                lines.append(f"#   {name}: {s:,.3f}")
        lines.append("period,forecast,lower_80,upper_80,lower_95,upper_95")
        for i, p in enumerate(self.periods):
            lines.append(
                f"{p},{self.forecast[i]:.4f},{self.lower_80[i]:.4f},"
                f"{self.upper_80[i]:.4f},{self.lower_95[i]:.4f},{self.upper_95[i]:.4f}"
            )
        return "\n".join(lines)


# ------------------------------------------------------------------------- reading


def _period(text: str) -> tuple[str, float]:
    s = text.strip()
    if _YEAR.match(s):
        return "year", float(s)
    if _FY.match(s):
        return "fy", parse_year(s) + FY_START
    if _DATE.match(s):
        d = date.fromisoformat(s)
        start = date(d.year, 1, 1)
        days = (date(d.year + 1, 1, 1) - start).days
        return "date", d.year + (d - start).days / days
    raise ValueError(
        f"'{s}' is not a year (2019), a financial year (2019-20) or a date (2019-04-01)"
    )


def _number(text: str) -> float:
    """A value as a spreadsheet writes it: ``1004``, ``1004.5`` or, quoted, ``"1,004"``.
    A comma that is not a thousands separator (``"1,5"``) is refused, never dropped."""
    s = text.strip()
    if "," in s:
        if not _THOUSANDS.match(s):
            raise ValueError(
                f"'{s}' has a comma that is not a thousands separator (a decimal comma?): "
                "write it with a decimal point, e.g. 1.5"
            )
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"'{s}' is not a number") from None


def _extra_fields(row: list[str], header: list[str], iv: int) -> str:
    """Why a row has more fields than its header, in the words a spreadsheet user knows."""
    tail = [c.strip() for c in row[iv + 1 : iv + 1 + len(row) - len(header)]]
    whole = row[iv].strip()
    joined = ",".join([whole, *tail])
    if tail and all(re.fullmatch(r"\d{3}", c) for c in tail) and _THOUSANDS.match(joined):
        why = (
            f"the value looks like '{joined}' with a thousands separator: write it as "
            f"{joined.replace(',', '')} or put it in quotes"
        )
    elif len(tail) == 1 and re.fullmatch(r"\d+", tail[0]) and re.fullmatch(r"-?\d+", whole):
        why = f"the value looks like '{joined}' with a decimal comma: write it as {whole}.{tail[0]}"
    else:
        why = "quote any value that contains a comma"
    return f"has {len(row)} fields but the header has {len(header)}: {why}"


def read_history(path: Path) -> Series:
    """Read ``period,value`` rows; every problem names the file and line.

    Accepts what a spreadsheet writes legitimately (a byte-order mark, CRLF line ends,
    quoted values, trailing blank lines, trailing empty fields) and refuses rows with more
    fields than the header, since a value written ``1,004`` or ``1,5`` would otherwise be
    read as 1 with the rest dropped."""
    name = str(path)
    rows, header = _csv_rows(path, name)
    ip, iv = header.index("period"), header.index("value")
    kinds, t, y, labels, problems = set(), [], [], [], []
    seen: dict[float, int] = {}
    for n, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        point = _point(name, n, row, header, ip, iv)
        if isinstance(point, Problem):
            problems.append(point)
            continue
        kind, tt, v = point
        if tt in seen:
            problems.append(
                Problem(name, n, "period", f"'{row[ip].strip()}' repeats line {seen[tt]}")
            )
            continue
        seen[tt] = n
        kinds.add(kind)
        t.append(tt)
        y.append(v)
        labels.append(row[ip].strip())
    if problems:
        raise InputError(problems)
    return _series(name, kinds, t, y, labels)


def _csv_rows(path: Path, name: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The file's rows with their line numbers, and its header (lower case), which must
    name the period and value columns."""
    text = read_text(path, name, "CSV")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as e:
        raise InputError(Problem(name, reader.line_num, None, f"is not valid CSV ({e})")) from None
    if not rows or not any(c.strip() for c in rows[0][1]):
        raise InputError(Problem(name, 1, None, "empty: expected a header period,value"))
    header = [h.strip().lower() for h in rows[0][1]]
    for col in ("period", "value"):
        if col not in header:
            raise InputError(
                Problem(name, 1, col, f"missing column '{col}' (header must include period,value)")
            )
    return rows, header


def _point(
    name: str, n: int, row: list[str], header: list[str], ip: int, iv: int
) -> tuple[str, float, float] | Problem:
    """One observation of line ``n``: its period's format, its time and its value, or the
    problem with the line (too few or too many fields, an unreadable period, a value that
    is not a finite number of a size a trend can carry)."""
    if len(row) <= max(ip, iv):
        return Problem(name, n, None, f"expected {len(header)} columns, got {len(row)}")
    if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
        return Problem(name, n, "value", _extra_fields(row, header, iv))
    try:
        kind, tt = _period(row[ip])
    except ValueError as e:
        return Problem(name, n, "period", str(e))
    try:
        v = _number(row[iv])
    except ValueError as e:
        return Problem(name, n, "value", str(e))
    if not math.isfinite(v):
        return Problem(name, n, "value", f"'{row[iv]}' is not a finite number")
    if abs(v) > LARGEST_VALUE:
        return Problem(
            name,
            n,
            "value",
            f"'{row[iv]}' is larger than any figure a trend can carry "
            f"forward (at most {LARGEST_VALUE:.0e} in size)",
        )
    return kind, tt, v


def _series(
    name: str, kinds: set[str], t: list[float], y: list[float], labels: list[str]
) -> Series:
    """The observations in time order, once they share one period format and are enough to
    fit; whether they are evenly spaced and at what step."""
    if len(kinds) > 1:
        raise InputError(
            Problem(
                name, None, "period", f"mixes period formats ({', '.join(sorted(kinds))}); use one"
            )
        )
    if len(y) < MIN_POINTS:
        raise InputError(
            Problem(
                name, None, "value", f"needs at least {MIN_POINTS} observations, found {len(y)}"
            )
        )
    order = np.argsort(t)
    t_arr, y_arr = np.array(t)[order], np.array(y)[order]
    gaps = np.diff(t_arr)
    step = float(np.median(gaps))
    regular = bool(np.all(np.abs(gaps - step) <= REGULAR * step + 1e-9))
    return Series([labels[i] for i in order], t_arr, y_arr, kinds.pop(), regular, step)


# ---------------------------------------------------------------------- candidates


def _line(t, y, tf):
    b, a = np.polyfit(t, y, 1)
    return a + b * tf


def _log_line(t, y, tf):
    return np.exp(_line(t, np.log(y), tf))


def _naive_growth(t, y, tf):
    g = y[-1] / y[-2] if y[-2] != 0 else 1.0
    h = np.round((tf - t[-1]) / (t[-1] - t[-2]))
    return y[-1] * g**h


def _drift(t, y, tf):
    slope = (y[-1] - y[0]) / (t[-1] - t[0])
    return y[-1] + slope * (tf - t[-1])


def _log_drift(t, y, tf):
    """Average growth: the compound rate from the first to the last point, carried on."""
    return np.exp(_drift(t, np.log(y), tf))


def _ets(log: bool) -> Forecaster:
    def f(t, y, tf):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        data = (np.log(y) if log else y)[-ETS_WINDOW:]
        h = int(round((tf[-1] - t[-1]) / (t[-1] - t[-2])))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ETSModel(data, error="add", trend="add", damped_trend=True).fit(disp=False)
            out = np.asarray(res.forecast(h))[-len(tf) :]
        return np.exp(out) if log else out

    return f


def candidates(s: Series) -> dict[str, Forecaster]:
    positive = bool(np.all(s.y > 0))
    c: dict[str, Forecaster] = {"straight line": _line, "average change (drift)": _drift}
    if s.regular:
        c["repeat last growth"] = _naive_growth
    if positive:
        c["straight line on log scale"] = _log_line
        c["average growth"] = _log_drift
    if s.regular and len(s.y) >= ETS_MIN_POINTS:
        c["damped trend (ETS)"] = _ets(log=False)
        if positive:
            c["damped trend on log scale (ETS)"] = _ets(log=True)
    return c


def _backtest(
    s: Series, models: dict[str, Forecaster], horizon: int
) -> dict[str, list[tuple[int, float, float]]]:
    """(horizon step, forecast, actual) for every rolling origin, by model."""
    n = len(s.y)
    first = max(3, n // 2)
    origins = np.unique(np.linspace(first, n - 1, min(MAX_ORIGINS, n - first)).round().astype(int))
    out: dict[str, list[tuple[int, float, float]]] = {k: [] for k in models}
    for origin in origins:
        t, y = s.t[:origin], s.y[:origin]
        ahead = min(horizon, n - origin)
        tf = s.t[origin : origin + ahead]
        for name, f in models.items():
            try:
                fc = np.asarray(f(t, y, tf), dtype=float)
            except Exception:  # noqa: BLE001 - a model that cannot fit is dropped
                out[name] = None  # type: ignore[assignment]
                continue
            if out[name] is None or not np.all(np.isfinite(fc)):
                out[name] = None  # type: ignore[assignment]
                continue
            out[name].extend((h + 1, fc[h], s.y[origin + h]) for h in range(ahead))
    return {k: v for k, v in out.items() if v}


# Figures a council's history holds are far below this; anything larger would overflow the
# growth arithmetic to infinity rather than give a forecast.
LARGEST_VALUE = 1e15


def future_periods(s: Series, horizon: int) -> tuple[list[str], np.ndarray]:
    step = s.step
    tf = s.t[-1] + step * np.arange(1, horizon + 1)
    if s.kind == "year":
        labels = [str(int(round(x))) for x in tf]
    elif s.kind == "fy":
        labels = [year_label(int(x)) for x in np.floor(tf)]
    else:
        last = date.fromisoformat(s.labels[-1])
        days = step * 365.25
        labels = [
            (last + timedelta(days=round(days * k))).isoformat() for k in range(1, horizon + 1)
        ]
    return labels, tf


def fit(s: Series, horizon: int) -> TrendFit:
    """Forecast ``horizon`` periods ahead by the rule in the module docstring."""
    notes = []
    if not s.regular:
        notes.append(
            "irregular spacing: using the models fitted on time (straight lines and "
            "drift); forecasts are spaced at the median interval"
        )
    labels, tf = future_periods(s, horizon)
    models = candidates(s)
    n = len(s.y)
    if n < SHORT:
        return _short(s, labels, tf, horizon, notes)
    bt = _backtest(s, models, horizon)
    scores = {k: float(np.mean([abs(fc - a) for _, fc, a in v])) for k, v in bt.items()}
    best = sorted(scores, key=lambda k: scores[k])[:COMBINE]
    w = np.array([1.0 / max(scores[k], 1e-12) for k in best])
    w = w / w.sum()
    # Combined backtest errors by horizon, for the intervals.
    keyed = {k: {(i, h): (fc, a) for i, (h, fc, a) in enumerate(bt[k])} for k in best}
    errs: dict[int, list[float]] = {}
    for key in keyed[best[0]]:
        if all(key in keyed[k] for k in best):
            fc = sum(wi * keyed[k][key][0] for wi, k in zip(w, best, strict=True))
            errs.setdefault(key[1], []).append(fc - keyed[best[0]][key][1])
    combined_error = float(np.mean([abs(e) for v in errs.values() for e in v]))
    one = errs.get(1, [])
    sigma1 = float(np.sqrt(np.mean(np.square(one)))) if one else combined_error
    sig = np.empty(horizon)
    for h in range(1, horizon + 1):
        e = errs.get(h, [])
        empirical = float(np.sqrt(np.mean(np.square(e)))) if len(e) >= 3 else 0.0
        sig[h - 1] = max(empirical, sigma1 * math.sqrt(h), sig[h - 2] if h > 1 else 0.0)
    forecasts = []
    for k in best:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecasts.append(np.asarray(models[k](s.t, s.y, tf), dtype=float))
    f = sum(wi * fc for wi, fc in zip(w, forecasts, strict=True))
    method = "combination of " + ", ".join(f"{k} ({wi:.0%})" for k, wi in zip(best, w, strict=True))
    return _finish(s, method, combined_error, labels, f, sig, notes, scores, len(one) - 1)


def _short(s: Series, labels, tf, horizon: int, notes: list[str]) -> TrendFit:
    """Too few points to choose by backtest. A positive series (a count, a spend) is
    projected at its average growth rate, compounding, with intervals from the spread of its
    yearly log changes, so it can neither fall below zero nor leave its interval; a series
    with zeros or negatives falls back to its average change."""
    n = len(s.y)
    positive = bool(np.all(s.y > 0))
    if positive:
        rule, f = "average growth", _log_drift(s.t, s.y, tf)
        changes = np.diff(np.log(s.y)) / np.diff(s.t) * s.step
    else:
        rule, f = "average change (drift)", _drift(s.t, s.y, tf)
        changes = np.diff(s.y) / np.diff(s.t) * s.step
    notes.append(
        f"short series ({n} points): too few to choose by backtest; using the {rule}, "
        "with intervals from the spread of the changes"
    )
    spread = float(np.std(changes, ddof=1)) if n >= 3 else float(abs(changes[0]))
    spread = max(spread, float(np.mean(np.abs(changes))))
    sig = spread * np.sqrt(np.arange(1, horizon + 1))
    return _finish(s, rule, None, labels, f, sig, notes, {}, n - 2, log_scale=positive)


def _finish(
    s, method, err, labels, f, sig, notes, scores, dof: int, log_scale: bool = False
) -> TrendFit:
    """Forecast and intervals; ``sig`` is on the log scale when ``log_scale``. A series
    that has never been negative is not forecast below zero, and every interval holds its
    forecast."""
    from scipy.stats import t as student

    dof = max(dof, 1)
    z80, z95 = student.ppf(0.90, dof), student.ppf(0.975, dof)
    if log_scale:
        lo80, hi80 = f * np.exp(-z80 * sig), f * np.exp(z80 * sig)
        lo95, hi95 = f * np.exp(-z95 * sig), f * np.exp(z95 * sig)
    else:
        if np.all(s.y >= 0):
            f = np.maximum(f, 0.0)
        floor = 0.0 if np.all(s.y >= 0) else -np.inf
        lo80, hi80 = np.maximum(f - z80 * sig, floor), f + z80 * sig
        lo95, hi95 = np.maximum(f - z95 * sig, floor), f + z95 * sig
    return TrendFit(s, method, err, labels, f, lo80, hi80, lo95, hi95, notes, scores)


def fit_history(path: Path, horizon: int = 5) -> TrendFit:
    """The fitted trend of a history file, forecast ``horizon`` periods on; a forecast that
    would run past the last year a label can hold is refused."""
    s = read_history(path)
    end = s.t[-1] + s.step * horizon  # in years
    if end > LAST_YEAR:
        raise InputError(
            Problem(
                str(path),
                None,
                "--horizon",
                f"the forecast would run to the year {int(end)}, past {LAST_YEAR}",
            )
        )
    return fit(s, horizon)


def growth_from_history(path: Path, base_year: str, loc) -> tuple[float, float, float, str]:
    """Yearly growth (central, low, high) implied by the fitted trend of a history file:
    the annualised change from the last observation to the forecast five years on, with
    the 80% interval giving the range."""
    try:
        s = read_history(path)
    except InputError as e:
        where = f" (from_trend at {loc.file}:{loc.line})" if loc else ""
        raise InputError(
            [Problem(p.file, p.line, p.field, p.message + where) for p in e.problems]
        ) from None
    steps = max(1, int(round(GROWTH_YEARS / s.step)))
    tr = fit(s, steps)
    span = tr.series.step * steps
    last = s.y[-1]
    if last <= 0:
        raise InputError(
            Problem(str(path), None, "value", "a growth rate needs a positive last observation")
        )

    def rate(v: float) -> float:
        return max(v / last, 1e-6) ** (1.0 / span) - 1.0

    central, low, high = rate(tr.forecast[-1]), rate(tr.lower_80[-1]), rate(tr.upper_80[-1])
    return central, min(low, central), max(high, central), tr.method


# ------------------------------------------------------------- council demand growth


# The area a council's demand growth is shrunk toward: England, or the council's region
Reference = Literal["england", "region"]


@dataclass(frozen=True)
class GrowthRule:
    """How a council's yearly demand growth is set from published history: its own average
    log growth over the last ``lookback`` years (or its whole history), shrunk toward its
    ``reference`` area's over the same years (England's, or the council's region's;
    ``weight`` on its own), a share ``carry`` of that carried forward; and, where a
    ``level`` measure is named (children looked after per 10,000 children), a pull toward
    the reference area's level: the count moves each year by a share ``pull`` of the log gap
    between that level and the council's in the base year (a council far above its region's
    rate tends to come down, one far below to go up). Its measured backtest error splits into
    an error in the rate that persists (``sigma``, the range of the drawn rate) and yearly
    shocks that carry forward in the level (``shock``)."""

    lookback: int | None  # None: the whole published history to the base year
    weight: float
    carry: float
    sigma: float
    shock: float
    evidence: str
    series: str | None = None  # the measure whose history sets the rate (default: its own)
    pull: float = 0.0  # share of the base year's log gap to the reference's level closed a year
    level: str | None = None  # the measure whose gap to the reference's the pull closes
    level_label: str = ""  # what that measure counts, in words
    reference: Reference = "england"  # the area the growth is shrunk toward and pulled to

    @property
    def span(self) -> str:
        """The years whose average growth the rule takes, in words."""
        if self.lookback is None:
            return "its whole published history"
        return f"its last {self.lookback} years"

    def rates(
        self, periods: list[str], values: np.ndarray, reference: dict[str, float]
    ) -> tuple[float, float]:
        """The council's own average log growth and its reference area's (England's or its
        region's, ``reference`` by period) over the same periods (NaN where a series cannot
        give one). A rule with no weight on the council's own growth takes the reference's
        over the rule's years to the council's base year, however few of them the council
        has figures for (a council formed since would otherwise get a shorter span than the
        rule names)."""
        own = average_log_growth(periods, values, self.lookback)
        if self.weight == 0 and periods:
            last = parse_year(periods[-1])
            span = sorted((p for p in reference if parse_year(p) <= last), key=parse_year)
        else:
            span = [p for p in periods if p in reference]
        ref = average_log_growth(span, np.array([reference[p] for p in span]), self.lookback)
        return own, ref

    def blend(self, own: float, ref: float) -> float:
        """The rule's yearly log growth from the council's own rate and its reference's."""
        return self.carry * (self.weight * own + (1.0 - self.weight) * ref)

    def reads(self, measure: str) -> tuple[str, ...]:
        """The measures the rule for ``measure`` reads from its reference area: the series
        whose history sets the rate, and the level the pull closes on (if any)."""
        return (self.series or measure, *([self.level] if self.level else []))


RULES_FILE = "growth_rules.yaml"  # beside the national dataset, with each figure's source


class _RuleSpec(Strict):
    """One rule as growth_rules.yaml writes it (units in the file's header)."""

    lookback_years: int | None = Field(ge=1)
    own_weight: float = Field(ge=0, le=1)
    carry: float = Field(ge=0, le=1)
    rate_error_sd: float = Field(ge=0)
    yearly_shock_sd: float = Field(ge=0)
    source: str = Field(min_length=1)
    series: str | None = None
    pull_per_year: float = Field(default=0.0, ge=0, le=1)
    level: str | None = None
    level_label: str = ""
    reference: Reference = "england"

    def rule(self) -> GrowthRule:
        return GrowthRule(
            self.lookback_years,
            self.own_weight,
            self.carry,
            self.rate_error_sd,
            self.yearly_shock_sd,
            " ".join(self.source.split()),
            self.series,
            self.pull_per_year,
            self.level,
            self.level_label,
            self.reference,
        )


class _RulesFile(Strict):
    demand: dict[str, _RuleSpec]
    money: dict[str, _RuleSpec]
    dsg_balance_change_sd: ShareFigure

    @field_validator("money")
    @classmethod
    def _money_toward_england(cls, money: dict[str, _RuleSpec]) -> dict[str, _RuleSpec]:
        """Money is shrunk toward England's figures only (the generator reads no region's)."""
        for name, spec in money.items():
            if spec.reference != "england":
                raise ValueError(f"{name}: a money rule's reference can only be england")
        return money


def parse_rules(text: str, where: str = f"forecasting/national/{RULES_FILE}") -> _RulesFile:
    """The growth rules file's text, checked: every rule's fields in range and its source
    given (a bad edit is an input error naming the file and the field)."""
    return validated(_RulesFile, text, where)


_RULES = parse_rules(
    (resources.files("forecasting") / "national" / RULES_FILE).read_text(encoding="utf-8")
)
# Chosen by the pooled national backtest (benchmarks/growth_methods.py, money_growth.py;
# docs/decisions.md): demand series (EHC plans, post-16 plans with them, children looked
# after) and the money the backtest checks (cost per child looked after, the high-needs
# allocation after the last one announced).
GROWTH_RULES = {k: v.rule() for k, v in _RULES.demand.items()}
MONEY_RULES = {k: v.rule() for k, v in _RULES.money.items()}
# The yearly change in a council's DSG balance as a share of its DSG (robust sd, measured)
DSG_BALANCE_CHANGE_SD = _RULES.dsg_balance_change_sd.value
# A PERT range of +-2.53 sd puts its P10-P90 at +-1.28 sd: the measured error's 80% band
# (a property of the PERT distribution the draws use, not a measured figure).
PERT_HALF_WIDTH_SD = 2.53


def blended_growth(
    rule: GrowthRule,
    periods: list[str],
    values: np.ndarray,
    england: dict[str, float],
    fallback: float | None = None,
) -> tuple[float, float, float] | None:
    """A rule's yearly log growth (and the council's own and England's rates it blends) from
    a council's history and England's over the same periods. Where the council's history
    gives no rate England's stands in; where England's gives none, ``fallback`` (a yearly log
    rate known at the date, such as an announced settlement). None if nothing gives one."""
    own, ref = rule.rates(periods, values, england)
    if not math.isfinite(ref) and fallback is not None:
        ref = fallback
    if not math.isfinite(own):
        own = ref
    if not math.isfinite(ref):
        ref = own
    if not math.isfinite(own):
        return None
    return rule.blend(own, ref), own, ref


def growth_series(measure: str) -> str:
    """The measure whose published history sets ``measure``'s growth rate."""
    rule = GROWTH_RULES.get(measure)
    return rule.series if rule is not None and rule.series else measure


def average_log_growth(periods: list[str], values: np.ndarray, lookback: int | None) -> float:
    """Average yearly growth on the log scale over the last ``lookback`` years (financial
    years ``YYYY-YY``), or NaN when the series cannot give one (fewer than two positive
    points)."""
    t = np.array([parse_year(p) for p in periods], dtype=float)
    y = np.asarray(values, dtype=float)
    if lookback is not None and len(t):
        keep = t >= t[-1] - lookback
        t, y = t[keep], y[keep]
    if len(y) < 2 or y[0] <= 0 or y[-1] <= 0 or t[-1] == t[0]:
        return float("nan")
    return float(np.log(y[-1] / y[0]) / (t[-1] - t[0]))


def demand_growth(
    measure: str,
    periods: list[str],
    values: np.ndarray,
    reference: dict[str, float],
    levels: tuple[float, float] | None = None,
    reference_name: str = "England",
) -> tuple[float, float, float, float, str] | None:
    """A council's yearly growth rate for a demand series (central, low, high, yearly shock
    sd, how): the rule chosen for ``measure`` by the national backtest, from the published
    history of ``growth_series(measure)`` (``periods``/``values`` up to the base year), its
    reference area's figures by period (``reference``: England's, or the council's region's
    where the rule names the region; ``reference_name`` says which in the text) and, for a
    rule with a pull toward the reference's level, the council's and the reference's level
    in the base year (``levels``: children looked after per 10,000 children). None when no
    rule applies or the history cannot give one."""
    rule = GROWTH_RULES.get(measure)
    if rule is None:
        return None
    own, ref = rule.rates(periods, values, reference)
    if not math.isfinite(own):
        if rule.weight > 0 or not math.isfinite(ref):
            return None
        own = ref  # unused: its weight is nil
    if not math.isfinite(ref):
        ref = own
    g = rule.blend(own, ref)
    whose = f"{reference_name}'s"
    blend = (
        f"{rule.carry:.0%} of a blend of the council's own average growth over {rule.span} "
        f"({math.expm1(own):.1%} a year, weight {rule.weight:.0%}) and {whose} over the "
        f"same years ({math.expm1(ref):.1%})"
        if rule.weight > 0
        else f"{rule.carry:.0%} of {whose} average growth over {rule.span} "
        f"({math.expm1(ref):.1%} a year)"
    )
    if rule.pull and rule.level:
        if levels is not None and all(math.isfinite(x) and x > 0 for x in levels):
            gap = math.log(levels[0] / levels[1])
            g -= rule.pull * gap
            blend += (
                f", less {rule.pull:.0%} a year of the log gap between the council's "
                f"{rule.level_label} ({levels[0]:g}, {rule.level}) and {whose} "
                f"({levels[1]:g}): {-rule.pull * gap:+.2%} a year"
            )
        else:
            blend += f" (no {rule.level} published for the council: no pull toward {whose})"
    half = PERT_HALF_WIDTH_SD * rule.sigma
    central = math.expm1(g)
    spread = (
        f"range +-{PERT_HALF_WIDTH_SD} x {rule.sigma} on the log scale and yearly shocks of sd "
        f"{rule.shock}"
        if rule.sigma
        else f"no range on the rate (none of its measured error grows as a wrong rate would) and "
        f"yearly shocks of sd {rule.shock}"
    )
    how = (
        f"{blend}; {spread}, the rule's measured errors; rule and figures from the pooled "
        f"national backtest, benchmarks/growth_methods.py ({rule.evidence})"
    )
    return central, math.expm1(g - half), math.expm1(g + half), rule.shock, how
