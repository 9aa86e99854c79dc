"""A new assumption set for any English council, built from DfE's published figures as they
stood at a date (``forecast init DIR --council NAME --as-at YEAR``).

As at year N (September N, like the bundled Stoke-on-Trent 2019 set) the base year is
(N-1)-N: only figures for periods up to the base year enter the set, except DSG allocations,
which are announced ahead and enter up to N-(N+1). Nothing later may enter. The raw files
hold each figure's latest revision, so a set as at N carries the revised figure for an early
period, not the one first published: revisions are not modelled.

Published figures carry ``basis: published`` and a source naming the file, indicator and
period. What no publication gives (the net budget, a savings plan, transfer requests, most
costs per place, investment) comes from the bundled Stoke-on-Trent set used as a benchmark,
or from a national figure, marked ``benchmark`` or ``estimate``; every such figure is listed
in the set's ``caveats.md`` as one to replace with the council's ledger figure.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
import yaml

from ..areas.transport import KEY as TRANSPORT
from ..bundled import CAVEATS, DEFAULT_SET, bundled_set
from ..composing import read_set
from ..errors import InputError, Problem
from ..schema import AssumptionSet
from ..years import parse_year, year_label
from . import benchmarks, dataset

if TYPE_CHECKING:
    from ..trend import GrowthRule

# The national figures a set starts from, with their units and sources (benchmarks.yaml)
NATIONAL = benchmarks.load()
HORIZON = NATIONAL.horizon
FIRST_AS_AT = 2019  # the first year with a published DSG allocation (2019-20)
EHCP_HISTORY_FROM = "2014-15"  # EHC plans began in September 2014 (Children and Families Act)
PLACEMENT_SHARE_OF_CLA_SPEND = NATIONAL.placement_share_of_cla_spend.value
# Only where s251 gives a council no children's services spend: a budget a week per child
# looked after, marked estimate and listed for the council's own figure.
NO_S251_WEEKLY_BUDGET_PER_CHILD = NATIONAL.no_s251_weekly_budget_per_child.value
TEMPLATE = DEFAULT_SET

# What was announced, by each as-at year, about high-needs funding for the year after the
# last published allocation: as-at year -> (that year, the national rise, its source).
ANNOUNCED_HIGH_NEEDS = {
    as_at: (a.year, a.value, a.source) for as_at, a in NATIONAL.announced_high_needs.items()
}

# England's mix of children looked after at 31 March 2019 (DfE, Children looked after in
# England 2019), shares of all children looked after; kinship is part of foster.
NATIONAL_MIX_2019 = NATIONAL.england_mix_2019.values()


def national_source(name: str) -> str:
    """Where a generated set's text finds the source of one of the national figures."""
    return f"forecasting/national/benchmarks.yaml, {name}"


@dataclass
class NewSet:
    """The files of a generated set (name -> text) and what the officer must replace."""

    council: dataset.Council
    as_at: int
    base_year: str
    files: dict[str, str]
    replace: list[tuple[str, str]] = field(default_factory=list)  # (path, what it is)


def base_year_for(as_at: int) -> str:
    """As at year N the base (outturn) year is (N-1)-N: 2019 -> ``2018-19``."""
    return year_label(as_at - 1)


def as_at_for(base_year: str) -> int:
    """The September a set with ``base_year`` describes, the year that base year ends:
    ``2018-19`` -> 2019 (the inverse of ``base_year_for``)."""
    return parse_year(base_year) + 1


class Builder:
    """Collects the figures of one set, each with its basis and source."""

    def __init__(self, council: dataset.Council, as_at: int, extract: pd.DataFrame):
        self.c = council
        self.as_at = as_at
        self.base = base_year_for(as_at)
        self.last_allocation = year_label(as_at)
        self.e = extract
        self.rows = dataset.area_rows(council.code, extract)
        self.stoke = _stoke()
        # each (measure, period)'s row position, and each measure's rows: a set reads a few
        # hundred figures, so it looks them up rather than filtering the frame each time
        self._records = self.rows.to_dict("records")
        self._at = {(r["measure"], r["period"]): r for r in self._records}
        self._by_measure = dict(tuple(self.rows.groupby("measure", sort=False)))
        self._england = dict(
            tuple(dataset.area_rows(dataset.ENGLAND, extract).groupby("measure", sort=False))
        )
        self._region: dict[str, pd.DataFrame] | None = None  # read when a rule needs it

    # ---------------------------------------------------------------- published figures

    def row(self, measure: str, period: str | None = None) -> dict | None:
        """The extract's row of a measure in a period (default: the base year), or None."""
        r = self._at.get((measure, period or self.base))
        return None if r is None or pd.isna(r["value"]) else r

    def measure_rows(self, measure: str) -> pd.DataFrame:
        """The council's rows of one measure (in the extract's order)."""
        return self._by_measure.get(measure, self.rows.iloc[:0])

    def england_rows(self, measure: str) -> pd.DataFrame:
        """England's rows of one measure."""
        return self._england.get(measure, self.e.iloc[:0])

    def region_rows(self, measure: str) -> pd.DataFrame:
        """The council's region's rows of one measure (none if the extract names no region)."""
        code = self.c.region_code
        if code is None:
            return self.e.iloc[:0]
        if self._region is None:
            rows = dataset.area_rows(code, self.e)
            self._region = {str(m): r for m, r in rows.groupby("measure", sort=False)}
        return self._region.get(measure, self.e.iloc[:0])

    def reference(self, rule: GrowthRule | None, measure: str) -> tuple[int, str]:
        """The area the growth rule for ``measure`` shrinks the council's growth toward, as
        (LA number, name in words): the council's region where the rule names it and DfE
        publishes, for the region in the base year, every measure the rule reads; else
        England."""
        code = self.c.region_code
        if rule is not None and rule.reference == "region" and code is not None:
            published = (
                _by_period(dataset.series(code, m, self.region_rows(m))).get(self.base)
                for m in rule.reads(measure)
            )
            if all(v is not None and math.isfinite(v) for v in published):
                return code, f"the {self.c.region} region"
        return dataset.ENGLAND, "England"

    def reference_rows(self, code: int, measure: str) -> pd.DataFrame:
        """One measure's rows for the area ``reference`` chose (``code``): England's when
        it is 970, else the council's region's."""
        return self.england_rows(measure) if code == dataset.ENGLAND else self.region_rows(measure)

    def need(self, measure: str, what: str) -> dict:
        r = self.row(measure)
        if r is None:
            raise InputError(
                Problem(
                    "--as-at",
                    None,
                    None,
                    f"DfE publishes no {what} ({measure}) for {self.c.name} in {self.base}, the "
                    f"base year as at {self.as_at}; the set cannot be built from published data",
                )
            )
        return r

    def history(self, measure: str, since: str | None = None) -> pd.Series:
        """A measure's published values up to the base year (vintage discipline)."""
        s = dataset.series(self.c.code, measure, self.measure_rows(measure))
        s = s[[parse_year(p) <= parse_year(self.base) for p in s.index]]
        if since:
            s = s[[parse_year(p) >= parse_year(since) for p in s.index]]
        return s

    def allocations(self, measure: str) -> pd.Series:
        """DSG allocations announced by the as-at date (up to N-(N+1))."""
        s = dataset.series(self.c.code, measure, self.measure_rows(measure))
        return s[[parse_year(p) <= self.as_at for p in s.index]]

    def cite(self, r: dict, note: str = "") -> str:
        return f"DfE, {r['source_file']}, {r['indicator']}, {r['period']}" + (
            f"; {note}" if note else ""
        )

    def stoke_param(self, *path: str) -> dict:
        node: Any = self.stoke
        for key in path:
            node = node[key]
        return node


@functools.lru_cache(maxsize=1)
def _stoke() -> dict:
    """The bundled set's files merged by top-level section (its figures are the benchmarks),
    as the loader merges a set: every file of the folder, so a new area's file is in it."""
    return read_set(bundled_set(TEMPLATE))[0].data


def P(value=None, unit="", basis="", source="", values=None, low=None, high=None, **kw) -> dict:
    """A parameter as the assumption files write it."""
    digits = {"GBP": 0, "GBP/week": 2, "GBP/year": 2, "FTE": 2, "count": 2}.get(unit)
    if digits is not None:

        def rnd(v):
            return None if v is None else round(float(v), digits)

        value, low, high = rnd(value), rnd(low), rnd(high)
        values = {k: rnd(v) for k, v in values.items()} if values else values
    out: dict[str, Any] = {}
    if "description" in kw:
        out["description"] = kw.pop("description")
    if value is not None:
        out["value"] = _clean(value)
    if values:
        out["values"] = {k: _clean(v) for k, v in values.items()}
    if low is not None and high is not None:
        out["low"], out["high"] = _clean(low), _clean(high)
    out.update(kw)
    out["unit"] = unit
    out["basis"] = basis
    out["source"] = source
    return out


def _clean(v: float) -> float | int:
    if isinstance(v, bool):
        return v
    f = float(v)
    return int(round(f)) if abs(f - round(f)) < 1e-9 and abs(f) < 1e15 else round(f, 6)


def bench(b: Builder, *path: str, scale: float = 1.0, note: str = "") -> dict:
    """A figure of the bundled Stoke-on-Trent set, used as a benchmark."""
    p = dict(b.stoke_param(*path))
    keep = {k: p[k] for k in ("value", "low", "high") if k in p}
    values = {k: v for k, v in (p.get("values") or {}).items()}
    src = " ".join(str(p.get("source", "")).split())
    if values and "value" not in keep:
        keep["value"] = list(values.values())[-1]
    return P(
        keep["value"] * scale,
        p["unit"],
        "benchmark" if p.get("basis") != "rule" else "rule",
        f"benchmark: the bundled {TEMPLATE} set, {'.'.join(path)} ({src})"
        + (f"; {note}" if note else ""),
        low=keep["low"] * scale if "low" in keep else None,
        high=keep["high"] * scale if "high" in keep else None,
    )


def _largest_remainder(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Whole children by type that add up exactly to ``total``."""
    raw = {k: total * s for k, s in shares.items()}
    out = {k: int(math.floor(v)) for k, v in raw.items()}
    left = total - sum(out.values())
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[:left]:
        out[k] += 1
    return out


# ------------------------------------------------------------------------- the sections


def _by_period(s: pd.Series) -> dict[str, float]:
    """A published series as figures by period label (its index)."""
    return cast("dict[str, float]", s.to_dict())


# DfE's placement types of children looked after (LAC_* indicators), as the extract names them
PUBLISHED_PLACEMENTS = (
    "foster",
    "secure_and_childrens_homes",
    "other_residential",
    "independent_living",
    "with_parents",
    "other_including_unregulated",
)

# The set's placement types: label, the bundled set's placement whose weekly cost it takes,
# and whether it is bought externally
PLACEMENT_TYPES: dict[str, tuple[str, str, bool]] = {
    "in_house_fostering": ("In-house fostering", "in_house_fostering", False),
    "ifa": ("Independent fostering agency", "ifa", True),
    "kinship": ("Kinship / connected carers", "kinship", False),
    "residential": ("Children's homes (external)", "external_residential", True),
    "secure": ("Secure children's home", "secure", True),
    "supported_accommodation": ("Supported / semi-independent", "supported_accommodation", True),
    "placed_with_parents": ("Placed with parents", "placed_with_parents", False),
    "placed_for_adoption": ("Placed for adoption", "placed_for_adoption", False),
    "other": ("Other placements", "other", False),
}


def published_mix(
    b: Builder, found: dict[str, dict], in_house: float, ifa: float
) -> tuple[dict[str, float], str]:
    """The council's placement mix at 31 March of the base year as DfE publishes it (shares
    of children looked after), with foster care split into kinship (England's share of
    foster care), in-house and IFA (the bundled set's split); placed for adoption is what
    the published types leave. Returns the mix and its source."""
    kin = NATIONAL_MIX_2019["kinship_of_foster"]
    v = {k: float(r["value"]) for k, r in found.items()}
    foster = v["foster"]
    adoption = max(0.0, 1.0 - sum(v.values()))
    mix = {
        "kinship": foster * kin / NATIONAL_MIX_2019["foster"],
        "residential": v["secure_and_childrens_homes"],
        "supported_accommodation": v["independent_living"],
        "placed_with_parents": v["with_parents"],
        "placed_for_adoption": adoption,
        "other": v["other_residential"] + v["other_including_unregulated"],
    }
    rest = foster - mix["kinship"]
    mix["in_house_fostering"] = rest * in_house / (in_house + ifa)
    mix["ifa"] = rest * ifa / (in_house + ifa)
    source = (
        f"estimate: the council's published mix at 31 March ({b.base}: "
        + ", ".join(f"{k} {r['value']:.0%}" for k, r in found.items())
        + f"; DfE, {found['foster']['source_file']}, LAC_* placement indicators), "
        f"foster care split into kinship (England's {kin * 100:.0f} of "
        f"{NATIONAL_MIX_2019['foster'] * 100:.0f} points), in-house and IFA "
        f"(the bundled {TEMPLATE} set's {in_house}:{ifa}); placed for adoption is the rest"
    )
    return mix, source


def england_mix(b: Builder, in_house: float, ifa: float) -> tuple[dict[str, float], str]:
    """England's placement mix at 31 March 2019 (DfE, Children looked after in England), the
    benchmark where DfE publishes no mix for the council; in-house and IFA fostering split
    as the bundled set. Returns the mix and its source."""
    m = NATIONAL_MIX_2019
    foster_rest = m["foster"] - m["kinship_of_foster"]
    mix = {
        "in_house_fostering": foster_rest * in_house / (in_house + ifa),
        "ifa": foster_rest * ifa / (in_house + ifa),
        "kinship": m["kinship_of_foster"],
        "residential": m["residential"],
        "secure": m["secure"],
        "supported_accommodation": m["supported_accommodation"],
        "placed_with_parents": m["placed_with_parents"],
        "placed_for_adoption": m["placed_for_adoption"],
        "other": m["other"],
    }
    source = (
        f"benchmark: DfE publishes no placement mix for {b.c.name} by {b.base}; England's "
        f"mix at 31 March 2019 (DfE, Children looked after in England 2019: foster "
        f"{m['foster']:.0%}, {m['kinship_of_foster']:.0%} with family or friends; homes, "
        f"secure and semi-independent {m['residential'] + m['secure']:.0%}; with parents "
        f"{m['placed_with_parents']:.0%}; for adoption {m['placed_for_adoption']:.0%}; "
        f"independent living {m['supported_accommodation']:.0%}; other {m['other']:.0%}), "
        f"in-house and IFA fostering split as the bundled {TEMPLATE} set ({in_house}:{ifa})"
    )
    return mix, source


def cost_scale(
    b: Builder, n: int, weeks: float, mix: dict[str, float], notes: list[str]
) -> tuple[float, str]:
    """The factor on the bundled set's weekly placement costs that makes this council's mix
    cost ``PLACEMENT_SHARE_OF_CLA_SPEND`` of its s251 gross spend per child looked after
    (kept within benchmarks.yaml's cost_scale_min and cost_scale_max), with the note saying
    how; 1 where no s251 figure is published."""
    stoke = b.stoke["childrens_services"]["placements"]
    bench_avg = sum(mix[k] * stoke[PLACEMENT_TYPES[k][1]]["weekly_cost"]["value"] for k in mix)
    spend = b.row("cla_gross_spend")
    if spend is not None and n > 0:
        per_child = float(spend["value"]) / n / weeks
        k = PLACEMENT_SHARE_OF_CLA_SPEND * per_child / bench_avg
        lo, hi = NATIONAL.cost_scale_min.value, NATIONAL.cost_scale_max.value
        k = min(max(k, lo), hi)
        scale_note = (
            f"scaled by {k:.3f} so the mix costs {PLACEMENT_SHARE_OF_CLA_SPEND:.0%} of the "
            f"council's s251 gross spend per child looked after ({per_child:,.0f} a week = "
            f"{float(spend['value']):,.0f} / {n} children / {weeks} weeks; "
            f"{spend['source_file']}, {spend['indicator']}, {spend['period']}), the factor "
            f"kept within {lo:g} to {hi:g}; the {PLACEMENT_SHARE_OF_CLA_SPEND:.0%} is an estimate "
            f"({national_source('placement_share_of_cla_spend')})"
        )
        return k, scale_note
    notes.append("weekly costs: national benchmarks unscaled (no s251 figure)")
    return 1.0, f"DfE publishes no s251 spend on children looked after for {b.base}"


def placements(b: Builder, cla: dict, weeks: float) -> tuple[dict, float, list[str]]:
    """Children looked after by placement type (the council's published mix where DfE has
    it for the base year, else England's 2019 mix) at benchmark weekly costs scaled to the
    council's own s251 spend per child."""
    n = int(round(cla["value"]))
    stoke = b.stoke["childrens_services"]["placements"]
    in_house = stoke["in_house_fostering"]["children"]["value"]
    ifa = stoke["ifa"]["children"]["value"]
    published = {k: b.row(f"cla_placement.{k}") for k in PUBLISHED_PLACEMENTS}
    notes: list[str] = []
    found = {k: r for k, r in published.items() if r is not None}
    if len(found) == len(published):
        mix, mix_source = published_mix(b, found, in_house, ifa)
        mix_basis = "estimate"
    else:
        mix, mix_source = england_mix(b, in_house, ifa)
        mix_basis = "benchmark"
        notes.append("placement mix: England's 2019 mix (no published mix for the council)")
    counts = _largest_remainder(n, mix)
    k, scale_note = cost_scale(b, n, weeks, mix, notes)
    out = {}
    for key, count in counts.items():
        label, stoke_key, external = PLACEMENT_TYPES[key]
        cost = bench(
            b,
            "childrens_services",
            "placements",
            stoke_key,
            "weekly_cost",
            scale=k,
            note=scale_note,
        )
        cost["basis"] = "estimate"
        cost["source"] = "estimate: " + cost["source"].removeprefix("benchmark: ")
        item: dict[str, Any] = {"label": label}
        if external:
            item["external"] = True
        item["children"] = P(
            count,
            "count",
            mix_basis,
            f"{mix_source}; of {n} children looked after at 31 March ({cla['source_file']}, "
            f"{cla['indicator']}, {cla['period']})",
        )
        item["weekly_cost"] = cost
        out[key] = item
    # no separate residential price rise: every placement's price follows the measured
    # growth in cost per child looked after (placement_prices), which already holds it
    return out, k, notes


def placement_prices(b: Builder, general_inflation: float) -> dict:
    """Yearly growth in placement prices: the rule chosen by the national backtest for the
    gross spend on children looked after per child (``forecasting.trend.MONEY_RULES``), from
    the council's and England's published history up to the base year, turned into the
    placements' own rate (placements are ``PLACEMENT_SHARE_OF_CLA_SPEND`` of that spend; the
    rest grows with general inflation). Range and yearly shock: the rule's measured errors,
    scaled the same way."""
    from ..trend import MONEY_RULES, PERT_HALF_WIDTH_SD, blended_growth

    rule = MONEY_RULES["cla_unit_cost"]

    def per_child(spend: pd.Series, cla: pd.Series) -> pd.Series:
        both = [p for p in spend.index if p in cla.index and cla[p] > 0]
        return pd.Series([spend[p] / cla[p] for p in both], index=both, dtype=float)

    own = per_child(b.history("cla_gross_spend"), b.history("children_looked_after"))
    last = parse_year(b.base)

    def england(m: str) -> pd.Series:
        s = dataset.series(dataset.ENGLAND, m, b.england_rows(m))
        return s[[parse_year(p) <= last for p in s.index]]

    eng = per_child(england("cla_gross_spend"), england("children_looked_after"))
    got = blended_growth(rule, list(own.index), own.to_numpy(), _by_period(eng))
    if got is None or len(own) < 2:
        return bench(b, "childrens_services", "placement_price_inflation")
    g, mine, ref = got
    s = PLACEMENT_SHARE_OF_CLA_SPEND
    half = PERT_HALF_WIDTH_SD * rule.sigma

    def price(x: float) -> float:
        return (math.expm1(x) - (1 - s) * general_inflation) / s

    spend = b.row("cla_gross_spend", own.index[-1])
    return P(
        price(g),
        "ratio",
        "estimate",
        f"estimate: gross spend per child looked after (s251 spend over children looked after "
        f"at 31 March, DfE {spend['source_file'] if spend is not None else ''}) grows at "
        f"{rule.carry:.0%} of a blend of the council's own average growth over {rule.span} "
        f"to {b.base} ({math.expm1(mine):.1%} a year, weight "
        f"{rule.weight:.0%}) and England's ({math.expm1(ref):.1%}): {math.expm1(g):.1%} a year; "
        f"placements are {s:.0%} of that spend and the rest grows with general inflation "
        f"({general_inflation:.0%}), so placement prices grow (g - {1 - s:.1f} x "
        f"{general_inflation:.0%}) / {s:.1f}. National backtest of the rule "
        f"(benchmarks/money_growth.py): {rule.evidence}",
        low=price(g - half) if half else None,
        high=price(g + half) if half else None,
        yearly_shock={
            "sd": round(rule.shock / s, 4),
            "group": "cla_unit_cost",
            "source": f"the rule's measured yearly shock in cost per child ({rule.shock}) over "
            f"the placements' share of the spend ({s:.0%}); national backtest "
            "(benchmarks/money_growth.py)",
        },
    )


def savings(b: Builder) -> dict:
    """Savings plans: none listed (the council adds its own), with the bundled set's
    probabilities that a saving is delivered at each level of confidence."""
    conf = b.stoke_param("childrens_services", "savings", "confidence_probability")
    return {
        "confidence_probability": {
            k: bench(b, "childrens_services", "savings", "confidence_probability", k) for k in conf
        },
        "items": {},
    }


def other_spend(b: Builder, spend: dict | None, cyp: dict | None, staffing: float) -> dict:
    """Children's services spend outside placements and social work staffing, from s251
    outturn: the rest of spend on children looked after (adoption, SGOs, leaving care and
    the like), growing with children in care; and the rest of children's and young people's
    services (safeguarding, family support, early help), growing with inflation."""
    other: dict[str, Any] = {}
    if spend is not None:
        other["cla_other"] = {
            "label": "Other spend on children looked after (adoption, SGO, leaving care, "
            "education, short breaks)",
            "driver": "children_in_care",
            "amount": P(
                float(spend["value"]) * (1 - PLACEMENT_SHARE_OF_CLA_SPEND),
                "GBP",
                "estimate",
                f"estimate: {1 - PLACEMENT_SHARE_OF_CLA_SPEND:.0%} of s251 gross spend on "
                f"children looked after ({b.cite(spend)}); the rest is in placements (an "
                f"estimate: {national_source('placement_share_of_cla_spend')})",
            ),
        }
    if cyp is not None and spend is not None:
        rest = max(0.0, float(cyp["value"]) - float(spend["value"]) - staffing)
        other["other_services"] = {
            "label": "Other children's services (safeguarding, family support, early help)",
            "driver": "inflation",
            "amount": P(
                rest,
                "GBP",
                "estimate",
                f"estimate: s251 gross spend on children's and young people's services "
                f"({b.cite(cyp)}) less spend on children looked after ({spend['value']:,.0f}) "
                f"and the modelled social work staffing ({staffing:,.0f})",
            ),
        }
    return other


def budget(b: Builder, cla: dict, cyp: dict | None, infl: float) -> dict:
    """The net children's services budget by year, which no publication gives: the base
    year's s251 gross spend on children's and young people's services (or, without it, a
    weekly amount per child looked after) grown by general inflation. The council replaces
    it with its budget book."""
    if cyp is not None:
        budget0 = float(cyp["value"])
        budget_src = (
            f"estimate: the council's net budget is not published; s251 gross spend on "
            f"children's and young people's services in {b.base} ({b.cite(cyp)}), grown by "
            f"general inflation ({infl:.0%}). Replace with the council's budget book"
        )
    else:
        weeks = float(b.stoke["timeline"]["weeks_per_year"]["value"])
        budget0 = float(cla["value"]) * weeks * NO_S251_WEEKLY_BUDGET_PER_CHILD
        budget_src = (
            f"estimate: no s251 figure; {NO_S251_WEEKLY_BUDGET_PER_CHILD:,.0f} a week per child "
            "looked after"
        )
    years = [year_label(parse_year(b.base) + i) for i in range(HORIZON + 1)]
    return {
        "net_budget": P(
            unit="GBP",
            basis="estimate",
            source=budget_src,
            values={y: round(budget0 * (1 + infl) ** i) for i, y in enumerate(years)},
        )
    }


def overspend_calibration(b: Builder) -> dict:
    """The base year's children's services overspend, which no publication gives (none
    assumed), carried forward, and the bundled set's share of spend above which the
    reconciliation to the outturn warns."""
    return {
        "base_year_overspend": P(
            0,
            "GBP",
            "estimate",
            f"estimate: the outturn against budget in {b.base} is not published; none assumed",
        ),
        "carry_forward": True,
        "reconciliation_warning_share": bench(
            b, "childrens_services", "calibration", "reconciliation_warning_share"
        ),
    }


def childrens_services(b: Builder, notes: list[str]) -> dict:
    """The children's services section of a council's set: children in care and their
    growth, placements and their prices, the social work workforce, savings, other spend,
    inflation, the budget and the base year's calibration; notes for caveats.md."""
    weeks = float(b.stoke["timeline"]["weeks_per_year"]["value"])
    cla = b.need("children_looked_after", "count of children looked after at 31 March")
    places, _, placement_notes = placements(b, cla, weeks)
    notes.extend(placement_notes)
    csc: dict[str, Any] = {}
    csc["children_in_care"] = {
        "growth": growth_param(
            b,
            "children_looked_after",
            None,
            "history/children_looked_after.csv",
            "Yearly growth in the number of children looked after",
            ("childrens_services", "children_in_care", "growth"),
        )
    }
    csc["placements"] = places
    general_inflation = float(bench(b, "childrens_services", "general_inflation")["value"])
    csc["placement_price_inflation"] = placement_prices(b, general_inflation)
    csc["moves"] = {}
    csc["workforce"], staffing = workforce(b)
    csc["investment"] = {}
    csc["savings"] = savings(b)
    cyp = b.row("cyp_gross_spend")
    csc["other_spend"] = other_spend(b, b.row("cla_gross_spend"), cyp, staffing)
    csc["care_leavers_lag"] = bench(b, "childrens_services", "care_leavers_lag")
    csc["general_inflation"] = bench(b, "childrens_services", "general_inflation")
    csc["budget"] = budget(b, cla, cyp, float(csc["general_inflation"]["value"]))
    csc["calibration"] = overspend_calibration(b)
    return csc


def establishment(b: Builder, fte: dict | None, vac: dict | None) -> dict:
    """The social work establishment (FTE): the council's published children and family
    social workers in post plus vacancies (DfE workforce census), or the bundled set's
    whole establishment where the council's is not published."""
    if fte is not None:
        in_post = float(fte["value"])
        return P(
            in_post + (float(vac["value"]) if vac is not None else 0),
            "FTE",
            "published",
            f"{b.cite(fte)} plus vacancies" + (f" ({b.cite(vac)})" if vac is not None else ""),
        )
    stoke_total = sum(
        t["establishment_fte"]["value"]
        for t in b.stoke_param("childrens_services", "workforce", "teams").values()
    )
    est = bench(
        b,
        "childrens_services",
        "workforce",
        "teams",
        "vulnerable_children",
        "establishment_fte",
    )
    est["value"] = stoke_total
    return est


def agency_cover_share(b: Builder, agency: dict | None, vac_n: float) -> dict:
    """The share of vacant posts covered by agency social workers: published agency FTE over
    vacancies, capped at one; the bundled set's share where either is missing."""
    if agency is not None and vac_n > 0:
        share = min(1.0, float(agency["value"]) / vac_n)
        return P(
            share,
            "ratio",
            "published",
            f"agency FTE over vacancies, capped at 1: {b.cite(agency)} / {vac_n:g}",
        )
    return bench(b, "childrens_services", "workforce", "agency_cover_share")


def caseload(b: Builder, cases: dict | None, load: dict | None, est_n: float) -> dict:
    """Social workers' caseload: open cases and the average caseload held (kept as the
    target), as published; newly qualified (ASYE) social workers as the bundled set's share
    of the establishment, and the bundled set's other caseload assumptions."""
    template = b.stoke["childrens_services"]["workforce"]
    template_asye = float(template["caseload"]["asye_fte"]["value"])
    template_est = sum(float(t["establishment_fte"]["value"]) for t in template["teams"].values())
    asye_share = template_asye / template_est
    return {
        "open_cases": P(float(cases["value"]), "count", "published", b.cite(cases))
        if cases is not None
        else bench(b, "childrens_services", "workforce", "caseload", "open_cases"),
        "target_caseload": P(
            float(load["value"]),
            "count",
            "published",
            b.cite(load, "the average caseload held, kept as the target"),
        )
        if load is not None
        else bench(b, "childrens_services", "workforce", "caseload", "target_caseload"),
        "asye_fte": P(
            est_n * asye_share,
            "FTE",
            "estimate",
            f"estimate: newly qualified (ASYE) social workers are not published by council; the "
            f"bundled {TEMPLATE} set's share ({template_asye:g} of {template_est:g} FTE) "
            "of this establishment",
        ),
        "asye_caseload_share": bench(
            b, "childrens_services", "workforce", "caseload", "asye_caseload_share"
        ),
        "other_cases_growth": bench(
            b, "childrens_services", "workforce", "caseload", "other_cases_growth"
        ),
        "gap_agency_share": bench(
            b, "childrens_services", "workforce", "caseload", "gap_agency_share"
        ),
    }


def workforce(b: Builder) -> tuple[dict, float]:
    """The social work workforce of a council's set (establishment, vacancies, agency cover,
    pay and caseload) and what its staffing costs in the base year: permanent staff in post
    at the cost per FTE, agency cover at that cost plus the agency premium."""
    vac = b.row("vacancy_fte")
    agency = b.row("agency_fte")
    cost = bench(b, "childrens_services", "workforce", "permanent_cost_per_fte")
    premium = bench(b, "childrens_services", "workforce", "agency_premium")
    wf: dict[str, Any] = {}
    est = establishment(b, b.row("sw_fte"), vac)
    wf["teams"] = {
        "social_workers": {"label": "Children and family social workers", "establishment_fte": est}
    }
    wf["vacancy_fte"] = (
        P(float(vac["value"]), "FTE", "published", b.cite(vac))
        if vac is not None
        else bench(b, "childrens_services", "workforce", "vacancy_fte")
    )
    vac_n = float(wf["vacancy_fte"]["value"])
    wf["agency_cover_share"] = agency_cover_share(b, agency, vac_n)
    wf["permanent_cost_per_fte"] = cost
    wf["agency_premium"] = premium
    wf["pay_inflation"] = bench(b, "childrens_services", "workforce", "pay_inflation")
    est_n = float(est["value"])
    wf["caseload"] = caseload(b, b.row("open_cases"), b.row("caseload"), est_n)
    c = float(cost["value"])
    agency_cover = float(wf["agency_cover_share"]["value"]) * vac_n
    staffing = (est_n - vac_n) * c + agency_cover * c * (1 + float(premium["value"]))
    return wf, staffing


def base_levels(b: Builder, measure: str, code: int) -> tuple[float, float] | None:
    """The council's figure of ``measure`` in the base year and its reference area's
    (``code``: England or its region; children looked after per 10,000 children, as DfE
    publishes it), or None where either is missing."""
    own = b.row(measure)
    ref = _by_period(dataset.series(code, measure, b.reference_rows(code, measure)))
    if own is None or b.base not in ref:
        return None
    return float(own["value"]), float(ref[b.base])


def growth_param(
    b: Builder,
    measure: str,
    since: str | None,
    csv_name: str,
    description: str,
    fallback: tuple[str, ...],
) -> dict:
    """Growth from the council's own published history: the trend fitted to the history file
    written beside the set (``forecasting.trend``: its central growth over five years and its
    80% range), or the Stoke benchmark when the history is too short to fit."""
    from ..trend import GROWTH_RULES, demand_growth, growth_series

    series = growth_series(measure)
    rate_hist = b.history(series, since)
    rule = GROWTH_RULES.get(measure)
    code, name = b.reference(rule, measure)
    reference = _by_period(dataset.series(code, series, b.reference_rows(code, series)))
    levels = base_levels(b, rule.level, code) if rule is not None and rule.level else None
    chosen = demand_growth(
        measure, list(rate_hist.index), rate_hist.to_numpy(), reference, levels, name
    )
    if chosen is not None:
        central, low, high, shock, how = chosen
        return {
            "description": description,
            **P(
                central,
                "ratio",
                "estimate",
                f"estimate: from the published history of {series} "
                f"{rate_hist.index[0]} to {rate_hist.index[-1]} (DfE) and {name}'s: {how}",
                low=low,
                high=high,
                yearly_shock={
                    "sd": shock,
                    "group": series,
                    "source": "national backtest of the growth rule (see the rate's source)",
                },
            ),
        }
    hist = b.history(measure, since)
    if len(hist) >= 3 and (hist > 0).all():
        from ..trend import growth_from_history

        text = _history_csv(hist, dataset.rows(b.c.code, measure, b.measure_rows(measure)))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(csv_name).name
            path.write_text(text, encoding="utf-8")
            central, low, high, method = growth_from_history(path, b.base, None)
        return {
            "description": description,
            **P(
                central,
                "ratio",
                "estimate",
                f"estimate: the trend fitted to the council's published history "
                f"{hist.index[0]} to {hist.index[-1]} ({csv_name}, from DfE): {method}; the "
                f"range is its 80% interval. Re-fit with `forecast trend {csv_name}`",
                low=low,
                high=high,
            ),
        }
    p = bench(
        b,
        *fallback,
        note=f"the council's published history is too short to fit ({len(hist)} years to {b.base})",
    )
    return {"description": description, **p}


# SEN2's establishment types of EHC plans, in the order DfE publishes them
EHCP_TYPES = (
    "mainstream",
    "resourced_provision",
    "special_maintained",
    "special_academy",
    "special_independent",
    "ap_pru",
    "post16",
    "other",
)

# SEN2's age bands of EHC plans, quoted beside the school-age count
EHCP_AGE_BANDS = ("under_5", "5_to_10", "11_to_15", "16_to_19", "20_to_25")

# The set's provisions: label, the SEN2 establishment types they hold, the bundled set's
# provision whose cost per place they take, and whether they are specialist places
PROVISION_GROUPS: dict[str, tuple[str, list[str], str, bool]] = {
    "mainstream": ("Mainstream schools (top-up)", ["mainstream"], "mainstream", False),
    "resourced_provision": (
        "Resourced provision and SEN units",
        ["resourced_provision"],
        "resourced_provision",
        False,
    ),
    "maintained_special": (
        "Maintained special schools",
        ["special_maintained"],
        "maintained_special",
        True,
    ),
    "academy_special": (
        "Academy and free special schools",
        ["special_academy"],
        "academy_special",
        True,
    ),
    "independent_special": (
        "Independent and non-maintained special schools",
        ["special_independent"],
        "independent_special",
        True,
    ),
    "other_provision": (
        "Alternative provision and other (EOTAS, early years, NEET)",
        ["ap_pru", "other"],
        "other_provision",
        False,
    ),
}


def ehcp_types(b: Builder) -> dict[str, dict]:
    """The council's EHC plans in the base year by SEN2 establishment type (mainstream,
    special by kind, alternative provision, post-16, other): the split that gives each
    provision its share of plans. A set cannot be built without every type."""
    by_type = {k: b.row(f"ehcp_by_type.{k}") for k in EHCP_TYPES}
    types = {k: r for k, r in by_type.items() if r is not None}
    if len(types) < len(by_type):
        raise InputError(
            Problem(
                "--as-at",
                None,
                None,
                f"SEN2 gives no split of {b.c.name}'s EHC plans by establishment type for {b.base}",
            )
        )
    return types


def school_age_plans(b: Builder, total: dict, types: dict[str, dict]) -> float:
    """EHC plans of pupils of school age: SEN2's total in January less the plans of young
    people in further education and post-16 settings (whose cost is a separate line)."""
    school = float(total["value"]) - float(types["post16"]["value"])
    if school <= 0:
        raise InputError(
            Problem(
                "--as-at", None, None, f"{b.c.name} has no school-age EHC plans in {b.base} (SEN2)"
            )
        )
    return school


def ehcp(b: Builder, total: dict, types: dict[str, dict], school: float) -> dict:
    """The council's EHC plans and their growth: school-age plans (SEN2, January after the
    base year, with the age bands quoted), post-16 plans and their cost per place, each count
    growing by the trend fitted to its published history (or the benchmark where too short)."""
    post16 = float(types["post16"]["value"])
    ages = {k: b.row(f"ehcp_by_age.{k}") for k in EHCP_AGE_BANDS}
    age_text = ", ".join(f"{k} {int(r['value'])}" for k, r in ages.items() if r is not None)
    return {
        "school_age_plans": P(
            school,
            "count",
            "published",
            f"EHC plans in January {parse_year(b.base) + 1} ({b.cite(total)}) less those in "
            f"further education and post-16 settings ({int(post16)}); by age band: {age_text} "
            f"({ages['under_5']['source_file'] if ages['under_5'] is not None else ''})",
        ),
        "growth": growth_param(
            b,
            "ehcp_total",
            EHCP_HISTORY_FROM,
            "history/ehcp_total.csv",
            "Yearly growth in EHC plans",
            ("high_needs", "ehcp", "growth"),
        ),
        "post16_plans": P(
            post16,
            "count",
            "published",
            b.cite(types["post16"], "plans of young people in FE and specialist post-16 settings"),
        ),
        "post16_growth": growth_param(
            b,
            "ehcp_by_type.post16",
            EHCP_HISTORY_FROM,
            "history/ehcp_post16.csv",
            "Yearly growth in post-16 EHC plans",
            ("high_needs", "ehcp", "post16_growth"),
        ),
        "post16_cost_per_place": bench(b, "high_needs", "ehcp", "post16_cost_per_place"),
    }


def provision_shares(types: dict[str, dict], school: float) -> dict[str, float]:
    """Each provision's share of school-age EHC plans (SEN2 counts of its establishment types
    over school-age plans), rounded to six places with the largest share taking the rounding
    so that the shares add up to exactly one."""
    shares = {
        g: sum(float(types[t]["value"]) for t in spec[1]) / school
        for g, spec in PROVISION_GROUPS.items()
    }
    rounded = {g: round(s, 6) for g, s in shares.items()}
    biggest = max(rounded, key=lambda g: rounded[g])
    rounded[biggest] = round(1.0 - sum(v for g, v in rounded.items() if g != biggest), 6)
    return rounded


def transport(b: Builder) -> dict:
    """Home-to-school transport for pupils with EHC plans (a general fund cost that the plans
    drive): the share of each provision's plans transported, the cost per pupil and its
    inflation. No council's own figures are in the published data used here, so these are
    England's, as the bundled set derives them: benchmarks to replace with the council's."""
    shares = b.stoke_param(TRANSPORT, "eligible_share")
    inflation = bench(b, TRANSPORT, "inflation")
    return {
        "eligible_share": {
            g: bench(b, TRANSPORT, "eligible_share", stoke_key)
            for g, (_, _, stoke_key, _) in PROVISION_GROUPS.items()
            if stoke_key in shares
        },
        "cost_per_pupil": transport_cost(b, float(inflation["value"])),
        "inflation": inflation,
    }


def transport_cost(b: Builder, inflation: float) -> dict:
    """England's yearly cost of transporting a pupil with SEND, for the base year: the figure
    published for it, or the latest earlier one uprated by the transport inflation estimate
    (``inflation``, a year) to it (never a figure for a later year)."""
    last = parse_year(b.base)
    known = {y: f for y, f in NATIONAL.transport_cost_per_pupil.items() if parse_year(y) <= last}
    year = max(known, key=parse_year)
    figure = known[year]
    years = last - parse_year(year)
    how = (
        f"for the base year {b.base}"
        if not years
        else f"uprated by the transport inflation estimate ({inflation:.0%} a year) for "
        f"{years} year{'s' if years > 1 else ''} to the base year {b.base}"
    )
    return P(
        figure.value * (1 + inflation) ** years,
        figure.unit,
        figure.basis,
        f"{' '.join(figure.source.split())}; {how} (forecasting/national/"
        "benchmarks.yaml); no council's own figure is published",
    )


def provisions(b: Builder, types: dict[str, dict], school: float) -> dict:
    """Where the council's school-age EHC plans are placed: each provision's share of plans
    (published, SEN2) and its yearly cost per place (a benchmark from the bundled set, no
    publication giving a council's own)."""
    rounded = provision_shares(types, school)
    out = {}
    for g, (label, kinds, stoke_key, specialist) in PROVISION_GROUPS.items():
        counts = " + ".join(f"{t} {int(types[t]['value'])}" for t in kinds)
        item: dict[str, Any] = {
            "label": label,
            "share": P(
                rounded[g],
                "ratio",
                "published",
                f"SEN2 EHC plans by establishment type, January "
                f"{parse_year(b.base) + 1}: {counts} of {int(school)} school-age plans "
                f"(DfE, {types[kinds[0]]['source_file']}, {b.base})",
            ),
            "cost_per_place": bench(b, "high_needs", "provisions", stoke_key, "cost_per_place"),
        }
        if specialist:
            item["specialist"] = True
        out[g] = item
    return out


def fixed_lines(b: Builder, income: dict) -> dict:
    """High-needs spend not driven by plans (central services, hospital education and the
    like): the bundled set's lines scaled by this council's high-needs block against its
    own, as no publication splits a council's high-needs spend this way."""
    hnb0 = float(income["high_needs_block"]["values"][b.base])
    stoke_hnb = float(
        b.stoke_param("high_needs", "income", "high_needs_block", "values")["2018-19"]
    )
    fixed = {}
    for fid, line in b.stoke_param("high_needs", "fixed_lines").items():
        amount = bench(b, "high_needs", "fixed_lines", fid, "amount", scale=hnb0 / stoke_hnb)
        amount["basis"] = "estimate"  # scaled to this council
        amount["source"] = (
            f"estimate: the bundled {TEMPLATE} set's {line['label'].lower()} "
            f"({line['amount']['value']:,.0f} of a {stoke_hnb:,.0f} high-needs "
            f"block) scaled to this council's block"
        )
        fixed[fid] = {"label": line["label"], "amount": amount}
    return fixed


def transfers(b: Builder) -> dict:
    """The transfer from the schools block to high needs: none requested (a scenario the
    council replaces with its own request), so nothing for the Schools Forum to approve or
    the Secretary of State to disapply; the limit without disapplication is the rule's."""
    return {
        "requested": P(
            0,
            "GBP",
            "scenario",
            "no transfer from the schools block assumed; add the council's request",
        ),
        "forum_approves": {
            "value": True,
            "basis": "scenario",
            "source": "no transfer requested, so nothing for the Forum to refuse",
        },
        "disapplication_granted": {
            "value": False,
            "basis": "scenario",
            "source": "no disapplication assumed",
        },
        "limit_share": bench(b, "high_needs", "transfers", "limit_share"),
    }


def high_needs(b: Builder) -> tuple[dict, list[str]]:
    """The high-needs section of a council's set: DSG income, pupils, EHC plans and where
    they are placed, exclusions, fixed lines, inflation, transfers, mitigation, calibration
    and accounting; with the notes on its estimates for caveats.md."""
    notes: list[str] = []
    total = b.need("ehcp_total", "count of EHC plans in January (SEN2)")
    types = ehcp_types(b)
    school = school_age_plans(b, total, types)
    hn: dict[str, Any] = {}
    hn["income"] = income(b, notes)
    hn["pupils"] = pupils(b, school)
    hn["ehcp"] = ehcp(b, total, types, school)
    hn["provisions"] = provisions(b, types, school)
    hn["exclusions"] = exclusions(b, float(hn["pupils"]["pupils"]["value"]))
    hn["fixed_lines"] = fixed_lines(b, hn["income"])
    hn["inflation"] = bench(b, "high_needs", "inflation")
    hn["transfers"] = transfers(b)
    hn["mitigation"] = {
        "additional_savings": P(
            0, "GBP", "scenario", "none; `forecast solve` finds what it would take"
        ),
    }
    hn["calibration"] = calibration(b)
    hn["accounting"] = accounting(b)
    return hn, notes


# The regulations that hold a DSG deficit off the general fund (SI 2020/1212) were made in
# November 2020 and apply from 2020-21: a set as at an earlier September cannot know them.
OVERRIDE_MADE, OVERRIDE_FROM = 2020, "2020-21"


def accounting(b: Builder) -> dict:
    """Where the deficit sits in the council's accounts: DfE's 1% trigger, the statutory
    override as it stood at the as-at date, usable reserves (not in DfE's data: the bundled
    set's, scaled by the size of the council's DSG) and the cost of the cash tied up."""
    years = [year_label(parse_year(b.base) + i) for i in range(HORIZON + 1)]
    known = b.as_at > OVERRIDE_MADE
    override = {
        "value": known,
        "values": {y: False for y in years if parse_year(y) < parse_year(OVERRIDE_FROM)} or None,
        "basis": "rule",
        "source": (
            "The Local Authorities (Capital Finance and Accounting) (England) (Amendment) "
            "Regulations 2020 (SI 2020/1212): from 2020-21 a DSG deficit is held in an "
            "unusable reserve, off the general fund"
            if known
            else f"no statutory override had been made by September {b.as_at} (it came in "
            "November 2020), so none is assumed"
        ),
    }
    if not known or not override["values"]:
        override.pop("values")
    total = b.row("dsg_total")
    income = b.stoke["high_needs"]["income"]
    blocks = ("schools_block", "high_needs_block", "other_dsg_blocks")
    first = min(income["high_needs_block"]["values"])  # the bundled set's first DSG year
    template_total = sum(float(income[k]["values"][first]) for k in blocks)
    scale = float(total["value"]) / template_total if total is not None else 1.0
    return {
        "recovery_plan_trigger_share": bench(
            b, "high_needs", "accounting", "recovery_plan_trigger_share"
        ),
        "statutory_override": override,
        "usable_reserves": bench(
            b,
            "high_needs",
            "accounting",
            "usable_reserves",
            scale=scale,
            note=f"scaled by the council's total DSG against the bundled set's ({scale:.2f}); "
            "usable reserves are in the council's statement of accounts, not DfE's data",
        ),
        "interest_rate": bench(b, "high_needs", "accounting", "interest_rate"),
    }


def allocation_growth(b: Builder, hnb: pd.Series) -> dict:
    """Yearly growth of the high-needs allocation after the last one announced: the rule
    chosen by the national backtest (``forecasting.trend.MONEY_RULES``) from the council's
    and England's allocations announced by the as-at date (with one allocation out, the
    national rise announced for the next year), its range and yearly shock the rule's
    measured errors. A rise already announced for the next year is stated for that year."""
    from ..trend import MONEY_RULES, PERT_HALF_WIDTH_SD, blended_growth

    rule = MONEY_RULES["high_needs_allocation"]
    m = "high_needs_allocation"
    eng = dataset.series(dataset.ENGLAND, m, b.england_rows(m))
    eng = eng[[parse_year(p) <= b.as_at for p in eng.index]]
    announced = ANNOUNCED_HIGH_NEEDS.get(b.as_at)
    if announced and announced[0] in hnb.index:
        announced = None
    fallback = math.log1p(announced[1]) if announced else None
    got = blended_growth(rule, list(hnb.index), hnb.to_numpy(), _by_period(eng), fallback)
    if got is None:
        return bench(b, "high_needs", "income", "high_needs_growth")
    g, mine, ref = got
    half = PERT_HALF_WIDTH_SD * rule.sigma
    source = (
        f"estimate: {rule.carry:.0%} of a blend of the council's own average growth over the "
        f"allocations announced by September {b.as_at} ("
        + (
            f"{', '.join(hnb.index)}: {math.expm1(mine):.1%} a year"
            if len(hnb) >= 2
            else f"only {hnb.index[0]}: England's stands in"
        )
        + f", weight {rule.weight:.0%}) and England's "
        f"({math.expm1(ref):.1%}"
        + (f", the rise announced for {announced[0]}" if len(eng) < 2 and announced else "")
        + f"); range and yearly shock the rule's measured errors (national backtest, "
        f"benchmarks/money_growth.py: {rule.evidence})"
    )
    out = P(
        math.expm1(g),
        "ratio",
        "estimate",
        source,
        low=math.expm1(g - half),
        high=math.expm1(g + half),
        yearly_shock={
            "sd": rule.shock,
            "group": m,
            "source": "national backtest of the allocation rule (benchmarks/money_growth.py)",
        },
    )
    if announced:
        year, rate, what = announced
        out["values"] = {year: rate}
        out["source"] = f"{year}: announced by the as-at date ({what}); after it: " + source
        out["yearly_shock"].update(announced_year_spread(b, rule, rate))
    return out


def announced_year_spread(b: Builder, rule: Any, rate: float) -> dict:
    """The shock of the year whose national rise was announced (``stated_sd`` of the rate's
    yearly shock): how far a council's allocation growth strays from England's, measured on
    every allocation announced by the as-at date (``forecasting.widths``); when fewer than
    two were out (as at 2019), the allocation rule's measured one-year error, whose forecast
    for that year is the announced rise itself. Both are spreads of log growth; as a spread of
    the rate they are times (1 + the announced rate). Central figures are untouched: the
    year's rate stays the one announced."""
    from ..widths import spread_around_england

    m = "high_needs_allocation"
    e = b.e[(b.e["measure"] == m) & (b.e["level"].isin(("la", "england")))]
    wide = e.pivot_table(index="la_code", columns="period", values="value")
    got = spread_around_england(wide, dataset.ENGLAND, b.as_at)
    if got is not None:
        sd, n, years = got
        why = (
            f"the robust sd of a council's log allocation growth less England's, {n} "
            f"council-years ({', '.join(years)}) announced by September {b.as_at}"
        )
    else:
        sd = math.hypot(rule.sigma, rule.shock)
        why = (
            f"by September {b.as_at} only one allocation was out, so no council's growth "
            "could be set against England's; the allocation rule's measured one-year error "
            f"stands in (sqrt({rule.sigma}^2 + {rule.shock}^2); its forecast for that year is "
            "the announced rise; benchmarks/money_growth.py)"
        )
    return {
        "stated_sd": round(sd * (1 + rate), 4),
        "source": "national backtest of the allocation rule (benchmarks/money_growth.py); "
        f"in the announced year a council's own allocation misses the national rise: {why}, "
        f"{sd:.4f} in log growth, times {1 + rate:g} as a spread of the rate",
    }


# The DSG blocks whose published allocations a set reads
DSG_BLOCKS = (
    "high_needs_allocation",
    "schools_block",
    "early_years_block",
    "central_school_services_block",
)


def require_allocations(b: Builder, hnb: pd.Series, sb: pd.Series) -> None:
    """Stop unless a high-needs and a schools-block allocation were published by the as-at
    date: the set's income starts from them. The message says whether a later as-at year
    would do or the council has no allocation at all."""
    if not (hnb.empty or sb.empty):
        return
    ever = not dataset.series(
        b.c.code, "high_needs_allocation", b.measure_rows("high_needs_allocation")
    ).empty
    raise InputError(
        Problem(
            "--as-at" if ever else "--council",
            None,
            None,
            f"no DSG allocation for {b.c.name} was published by {b.as_at} (the first in "
            f"the data is for {year_label(FIRST_AS_AT)})"
            if ever
            else f"DfE's DSG tables hold no allocation for {b.c.name} in any year, so a "
            "set cannot be built from published data",
        )
    )


def anchored(
    b: Builder, s: pd.Series, r: pd.DataFrame, growth: float, what: str
) -> tuple[dict, str, str]:
    """A DSG block's allocations from the base year on, as published by the as-at date
    (``r``: its published rows by period, for the sources), with their basis and source.
    Where the base year itself was not published, it is estimated: back from the first
    later allocation, or forward from the latest earlier one, at ``growth`` a year."""
    years = [p for p in s.index if parse_year(p) >= parse_year(b.base)]
    values = {p: float(s[p]) for p in years}
    src = "; ".join(f"{p}: DfE, {r.loc[p, 'source_file']}, {r.loc[p, 'indicator']}" for p in years)
    basis = "published"
    if not values:  # nothing published for the base year or after it by the as-at date
        earlier = sorted((p for p in s.index), key=parse_year)
        if not earlier:
            raise InputError(
                Problem(
                    "--council",
                    None,
                    None,
                    f"DfE publishes no {what} allocation for {b.c.name} up to "
                    f"{b.as_at}; the set cannot be built from published data",
                )
            )
        last = earlier[-1]
        ahead = parse_year(b.base) - parse_year(last)
        values = {b.base: float(s[last]) * (1 + growth) ** ahead}
        return (
            values,
            "estimate",
            (
                f"estimate for {b.base}: the latest {what} allocation published by then is "
                f"{last}'s, grown {growth:.1%} a year; DfE, {r.loc[last, 'source_file']}, "
                f"{r.loc[last, 'indicator']}"
            ),
        )
    if b.base not in values:
        first = min(values)
        back = parse_year(first) - parse_year(b.base)
        values = {b.base: float(s[first]) / (1 + growth) ** back, **values}
        basis = "estimate"
        src = (
            f"estimate for {b.base}: no allocation published for it here, so "
            f"{first} less {growth:.1%} a year; " + src
        )
    return values, basis, src


def own_growth(b: Builder, s: pd.Series, fallback: tuple[str, ...], what: str) -> dict:
    """A DSG block's yearly growth from the council's own published allocations: the average
    over the years announced by the as-at date, ranged by the lowest and highest single
    year; the bundled set's benchmark (``fallback``) where fewer than two were published."""
    if len(s) >= 2:
        span = parse_year(s.index[-1]) - parse_year(s.index[0])
        g = (s.iloc[-1] / s.iloc[0]) ** (1 / span) - 1
        gs = [s.iloc[i + 1] / s.iloc[i] - 1 for i in range(len(s) - 1)]
        return P(
            g,
            "ratio",
            "published",
            f"the council's published {what} allocations {s.index[0]} to "
            f"{s.index[-1]}, average yearly growth (range: the lowest and highest "
            "single year)",
            low=min(min(gs), g),
            high=max(max(gs), g),
        )
    return bench(b, *fallback)


def other_blocks(
    b: Builder, eyb: pd.Series, csb: pd.Series, r: pd.DataFrame, growth: float
) -> dict:
    """The DSG's other blocks (early years plus central school services) from the base year
    on, as published by the as-at date; the base year estimated back from the first
    allocation at the schools block's growth where it was not published."""
    other = (eyb + csb).dropna()
    values, basis, _ = anchored(b, other, r, growth, "other")
    src = (
        f"early years block plus central school services block, "
        f"{', '.join(other.index)} (DfE, {r['source_file'].iloc[0]})"
        + (f"; {b.base} estimated as the first less {growth:.1%}" if basis == "estimate" else "")
    )
    return P(unit="GBP", basis=basis, values=values, source=src)


def income(b: Builder, notes: list[str]) -> dict:
    """The DSG income of a council's set: its high-needs, schools and other blocks from the
    base year as DfE allocated them by the as-at date, each block's growth after the last
    allocation announced, and no other contribution assumed."""
    hnb = b.allocations("high_needs_allocation")
    sb = b.allocations("schools_block")
    eyb = b.allocations("early_years_block")
    csb = b.allocations("central_school_services_block")
    require_allocations(b, hnb, sb)
    rows = {m: dataset.rows(b.c.code, m, b.measure_rows(m)).set_index("period") for m in DSG_BLOCKS}
    back_growth = own_growth(b, hnb, ("high_needs", "income", "high_needs_growth"), "high-needs")
    hn_growth = allocation_growth(b, hnb)
    sb_growth = own_growth(b, sb, ("high_needs", "income", "schools_block_growth"), "schools block")
    hn_values, hn_basis, hn_src = anchored(
        b, hnb, rows["high_needs_allocation"], float(back_growth["value"]), "high needs"
    )
    sb_values, sb_basis, sb_src = anchored(
        b, sb, rows["schools_block"], float(sb_growth["value"]), "schools"
    )
    other = other_blocks(b, eyb, csb, rows["early_years_block"], float(sb_growth["value"]))
    if hn_basis == "estimate":
        notes.append(f"DSG blocks for {b.base}: estimated back from the first published allocation")
    return {
        "high_needs_block": P(
            unit="GBP",
            basis=hn_basis,
            values=hn_values,
            source=f"high-needs block before deductions for places funded "
            f"directly by ESFA; {hn_src}",
        ),
        "high_needs_growth": hn_growth,
        "schools_block": P(
            unit="GBP",
            basis=sb_basis,
            values=sb_values,
            source=f"schools block before recoupment; {sb_src}",
        ),
        "schools_block_growth": sb_growth,
        "other_dsg_blocks": other,
        "other_contributions": P(
            0, "GBP", "scenario", "no DfE agreement or council contribution assumed"
        ),
    }


def pupils(b: Builder, school_plans: float) -> dict:
    share = b.row("ehcp_pupil_share")
    if share is not None and float(share["value"]) > 0:
        n = school_plans / (float(share["value"]) / 100)
        src = (
            f"estimate: school-age EHC plans ({school_plans:,.0f}) over the share of pupils "
            f"with an EHC plan ({share['value']}%, {b.cite(share)})"
        )
    else:
        pop = b.need("population_0_17", "population aged 0-17")
        share_of_pop = NATIONAL.pupils_per_child_population.value
        n = float(pop["value"]) * share_of_pop
        src = (
            f"estimate: {share_of_pop:.0%} of the population aged 0-17 ({b.cite(pop)}), "
            f"England's pupils per child ({national_source('pupils_per_child_population')})"
        )
    return {
        "pupils": P(round(n), "count", "estimate", src),
        "national_specialist_share": {
            **bench(b, "high_needs", "pupils", "national_specialist_share"),
        },
    }


def exclusions(b: Builder, n_pupils: float) -> dict:
    rate = b.row("permanent_exclusions_rate")
    if rate is None:
        rate = dataset.rows(
            dataset.ENGLAND,
            "permanent_exclusions_rate",
            b.england_rows("permanent_exclusions_rate"),
        ).set_index("period")
        rate = rate.loc[b.base] if b.base in rate.index else None
    if rate is not None:
        count = float(rate["value"]) / 100 * n_pupils
        src = (
            f"estimate: permanent exclusion rate {float(rate['value']):.3f}% "
            f"({b.cite(rate)}) of the estimated pupils ({n_pupils:,.0f})"
        )
    else:
        england_rate = NATIONAL.permanent_exclusion_rate_england.value
        count = england_rate * n_pupils
        src = (
            f"estimate: England's {england_rate * 100:.2f} per 100 pupils "
            f"({national_source('permanent_exclusion_rate_england')})"
        )
    return {
        "permanent_exclusions": P(count, "count", "estimate", src),
        "growth": bench(b, "high_needs", "exclusions", "growth"),
        "reduction": P(0, "ratio", "scenario", "no reduction against trend assumed"),
        "cost_per_place": bench(b, "high_needs", "exclusions", "cost_per_place"),
        "years_in_ap": bench(b, "high_needs", "exclusions", "years_in_ap"),
    }


def calibration(b: Builder) -> dict:
    share = b.row("dsg_balance_share")
    total = b.row("dsg_total")
    if share is not None and total is not None:
        deficit = -float(share["value"]) * float(total["value"])
        bf = P(
            deficit,
            "GBP",
            "published",
            f"cumulative DSG balance as a share of the DSG ({b.cite(share)}) times the total "
            f"DSG ({b.cite(total)}); a deficit is positive",
        )
    else:
        bf = P(
            0,
            "GBP",
            "estimate",
            f"estimate: no DSG balance published for {b.c.name} for {b.base}; none assumed",
        )
    return {
        "deficit_brought_forward": bf,
        "calibration_year": year_label(parse_year(b.base) + 1),
        # set to the drivers' own in-year deficit once the set is drafted (see generate)
        "in_year_deficit": P(0, "GBP", "estimate", "placeholder"),
        "carry_forward": True,
        "reconciliation_warning_share": bench(
            b, "high_needs", "calibration", "reconciliation_warning_share"
        ),
    }


# ---------------------------------------------------------------------------- writing


if TYPE_CHECKING:  # the C dumper has the pure one's interface
    _SafeDumper = yaml.SafeDumper
else:
    _SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present


class _Dumper(_SafeDumper):
    pass


def _dict_repr(dumper: yaml.SafeDumper, data: dict):
    flow = (
        "unit" in data
        and not any(isinstance(v, dict) for v in data.values())
        and len(str(data)) < 240
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(dict, _dict_repr)


def _yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _history_csv(s: pd.Series, rows: pd.DataFrame) -> str:
    r = rows.set_index("period")
    lines = ["period,value,source"]
    for p, v in s.items():
        src = f"DfE {r.loc[p, 'source_file']} {r.loc[p, 'indicator']}".replace(",", ";")
        lines.append(f"{p},{_clean(v)},{src}")
    return "\n".join(lines) + "\n"


def _params(node: Any, path: tuple[str, ...] = ()):
    """Every parameter (a mapping with a basis) of a drafted section, with its dotted path."""
    if isinstance(node, dict):
        if "basis" in node:
            yield path, node
            return
        for k, v in node.items():
            yield from _params(v, path + (str(k),))


@dataclass
class Draft:
    """A drafted set as plain data, before it is written: the builder (council, as-at year,
    base year, extract), the set's sections by name and the notes for its caveats."""

    b: Builder
    sections: dict[str, Any]
    notes: list[str]

    @property
    def slug(self) -> str:
        return f"{_slug(self.b.c.name)}-{self.b.as_at}"


def draft(name_or_code: str, as_at: int, extract: pd.DataFrame | None = None) -> Draft:
    """Draft the set for a council as at September of ``as_at``, as plain data."""
    e = dataset.load_extract() if extract is None else extract
    council = dataset.find_council(name_or_code, e)
    latest = max(parse_year(p) for p in dataset.area_rows(council.code, e)["period"]) + 1
    if as_at < FIRST_AS_AT or as_at > latest:
        raise InputError(
            Problem(
                "--as-at",
                None,
                None,
                f"{as_at}: the national dataset supports as-at years "
                f"{FIRST_AS_AT} to {latest} (DSG allocations begin with "
                f"{year_label(FIRST_AS_AT)})",
            )
        )
    b = Builder(council, as_at, e)
    notes: list[str] = []
    csc = childrens_services(b, notes)
    hn, hn_notes = high_needs(b)
    notes.extend(hn_notes)
    slug = f"{_slug(council.name)}-{as_at}"
    general: dict[str, Any] = {
        "council": {
            "name": council.name,
            "assumption_set": slug,
            "as_at": f"September {as_at}",
            "la_code": council.code,
            "description": (
                f"{council.name} (LA {council.code}, {council.region}) as DfE's published "
                f"figures stood in September {as_at}: base year {b.base}; only periods up to "
                f"{b.base} are used, and DSG allocations up to {b.last_allocation}. The raw "
                "files hold each figure's latest revision, so later revisions of the same "
                "periods are not modelled. Figures no publication gives are benchmarks or "
                "estimates listed in caveats.md: replace them with the council's ledger."
            ),
        },
        "timeline": {
            "base_year": b.base,
            "horizon_years": HORIZON,
            "weeks_per_year": bench(b, "timeline", "weeks_per_year"),
        },
    }
    d = Draft(
        b,
        {**general, "childrens_services": csc, "high_needs": hn, TRANSPORT: transport(b)},
        notes,
    )
    # The first forecast year's in-year deficit: no published forecast exists, so it is what
    # the drivers give (the DSG reconciliation line is then zero).
    year = hn["calibration"]["calibration_year"]
    modelled = _modelled_in_year_deficit(d, year)
    hn["calibration"]["in_year_deficit"] = in_year_deficit(hn["income"], year, modelled)
    return d


def in_year_deficit(income: dict, year: str, modelled: float) -> dict:
    """The first forecast year's in-year DSG deficit, which no publication gives: none (the
    published balance carried forward), the rule chosen by the national backtest over the
    drivers' own figure; ranged by the measured spread of councils' yearly change in their
    DSG balance as a share of their DSG (``forecasting.trend.DSG_BALANCE_CHANGE_SD``). The
    drivers' figure is kept in the source: the reconciliation line is the gap to it."""
    from ..trend import DSG_BALANCE_CHANGE_SD, PERT_HALF_WIDTH_SD

    total = sum(
        float(income[k]["values"][year])
        for k in ("high_needs_block", "schools_block", "other_dsg_blocks")
        if year in (income[k].get("values") or {})
    )
    half = PERT_HALF_WIDTH_SD * DSG_BALANCE_CHANGE_SD * total
    return P(
        0.0,
        "GBP",
        "estimate",
        f"estimate: no in-year forecast published, so none for {year}: the published DSG "
        f"balance carried forward (the drivers' own in-year deficit, {modelled:,.0f}, built "
        "from national costs per place, forecast the balance share worse: national backtest, "
        "mean error 2.35 against 1.25 percentage points one year out; the reconciliation "
        "line is the gap between the two); range +-"
        f"{PERT_HALF_WIDTH_SD} x {DSG_BALANCE_CHANGE_SD:.2%} of the DSG ({total:,.0f}), the "
        "robust sd of councils' yearly change in their DSG balance as a share of the DSG "
        "(DfE, 2019-20 to 2021-22; benchmarks/money_growth.py). Replace with the council's "
        "forecast",
        low=-half if half else None,
        high=half if half else None,
    )


def assumptions(d: Draft) -> AssumptionSet:
    """The drafted set validated as the loader validates its files (what the engine runs),
    without writing and re-reading them."""
    from ..loading import Document, validate

    return validate(Document(copy.deepcopy(d.sections)), d.slug)


def generate(name_or_code: str, as_at: int, extract: pd.DataFrame | None = None) -> NewSet:
    """Draft the set for a council as at September of ``as_at``; returns its files' texts."""
    d = draft(name_or_code, as_at, extract)
    b, notes = d.b, d.notes
    council = b.c
    general = {k: d.sections[k] for k in ("council", "timeline")}
    csc, hn = d.sections["childrens_services"], d.sections["high_needs"]
    tr = d.sections[TRANSPORT]
    header = (
        f"# {council.name} (LA {council.code}), children's services and DSG high needs, as at "
        f"September {as_at}.\n"
        "# Generated by `forecast init --council` from DfE's published data (the national\n"
        f"# dataset). Only periods up to the base year {b.base} are used (DSG allocations up to\n"
        f"# {b.last_allocation}); the data hold each figure's latest revision, so later revisions\n"
        "# of the same periods are not modelled. Every number carries its unit, source and basis:\n"
        "#   published - a DfE figure (file, indicator and period in `source`)\n"
        f"#   benchmark - a figure of the bundled {TEMPLATE} set or a national reference\n"
        "#   estimate  - derived here; the derivation is in `source`\n"
        "#   rule / scenario - a regulation or arithmetic fact / a choice of this scenario\n"
        "# caveats.md lists every figure that is not published: replace those with the\n"
        "# council's ledger figures first.\n\n"
    )
    files = {
        "general.yaml": header + _yaml(general),
        "childrens_services.yaml": "# Children's social care. Base year "
        f"{b.base}; children looked after at 31 March {parse_year(b.base) + 1}.\n"
        + _yaml({"childrens_services": csc}),
        "high_needs.yaml": "# Dedicated Schools Grant, high-needs block. Base year "
        f"{b.base}; EHCP counts are the SEN2 January census.\n" + _yaml({"high_needs": hn}),
        "transport.yaml": "# Home-to-school transport for pupils with EHC plans (general fund). "
        "England's figures\n# (no council's own is in the published data used): replace them.\n"
        + _yaml({TRANSPORT: tr}),
        "scenarios/council-plan.yaml": _yaml(
            {
                "name": "council-plan",
                "description": "The council's plan. As generated it holds no savings, investment, "
                "placement moves or transfer requests (none is published): add the council's own "
                "here. Until then it equals the unmitigated position.",
                "extends": "..",
            }
        ),
        "scenarios/unmitigated.yaml": _yaml(
            {
                "name": "unmitigated",
                "description": "Demand and prices grow on trend; no transfers, savings or moves.",
                "extends": "..",
                "overrides": {
                    "childrens_services.savings.items": {},
                    "childrens_services.moves": {},
                    "high_needs.transfers.requested": 0,
                },
            }
        ),
    }
    for measure, name, since in (
        ("children_looked_after", "children_looked_after", None),
        ("ehcp_total", "ehcp_total", EHCP_HISTORY_FROM),
        ("ehcp_by_type.post16", "ehcp_post16", EHCP_HISTORY_FROM),
    ):
        s = b.history(measure, since)
        files[f"history/{name}.csv"] = _history_csv(
            s, dataset.rows(council.code, measure, b.measure_rows(measure))
        )
    sections = {
        "childrens_services": csc,
        "high_needs": hn,
        TRANSPORT: tr,
        "timeline": general["timeline"],
    }
    replace = [
        (".".join(p), f"{prm['basis']}: {prm.get('value', prm.get('values'))}")
        for p, prm in _params(sections)
        if prm["basis"] in ("estimate", "benchmark") and "fitted" not in prm["source"]
    ]
    files[CAVEATS] = caveats(council, as_at, b.base, sections, notes)
    return NewSet(council, as_at, b.base, files, replace)


def _modelled_in_year_deficit(d: Draft, year: str) -> float:
    """The drivers' own in-year DSG deficit in ``year`` (the placeholder in-year deficit
    being 0)."""
    from ..engine import project

    proj = project("baseline", assumptions(d))
    i = proj.years.index(year)
    gap = proj.lines[("dsg", "expenditure.reconciliation")].values[0][i]
    # the placeholder in_year_deficit was 0, so the drivers' deficit is minus the gap
    return float(-gap)


def caveats(
    council: dataset.Council, as_at: int, base: str, sections: dict, notes: list[str]
) -> str:
    """The set's caveats log: every figure that is not a DfE publication."""
    lines = [
        f"# Assumptions and caveats: {council.name}, as at September {as_at}",
        "",
        f"Generated from DfE's published data (base year {base}). Figures marked `published`",
        "come from DfE files named in their `source`. Every other figure is listed below:",
        "replace each `estimate` and `benchmark` with the council's ledger figure first.",
        "",
        "- Vintage: only periods up to the base year are used (DSG allocations up to "
        f"{year_label(as_at)}); the data hold each figure's latest revision, so revisions "
        "made after the as-at date are not modelled.",
        "- The net budget, the savings plan, investment, placement moves and transfer "
        "requests are not published: the set holds none, or an estimate.",
        *(f"- {n}." for n in notes),
        "",
        "## Figures that are not published",
        "",
        "| figure | basis | value | what to do | source |",
        "|---|---|---|---|---|",
    ]
    for path, prm in _params(sections):
        if prm["basis"] == "published":
            continue
        value = prm.get("value", prm.get("values", prm.get("from_trend", "")))
        if "trend fitted" in str(prm["source"]):
            todo = "fitted to the council's published history; review"
        elif prm["basis"] in ("estimate", "benchmark"):
            todo = "replace with the council's ledger figure"
        else:
            todo = "a choice of this scenario or a rule: check it"
        src = str(prm["source"]).replace("|", "/")
        lines.append(f"| `{'.'.join(path)}` | {prm['basis']} | {value} | {todo} | {src} |")
    return "\n".join(lines) + "\n"


def write_set(name_or_code: str, as_at: int, directory: Path) -> NewSet:
    """``forecast init DIR --council NAME --as-at YEAR``: generate the council's set as at
    ``as_at`` and write it into ``directory`` (new or empty), whole or not at all. A folder
    that is not empty is refused before the work of generating."""
    from ..setfiles import SetImage, require_empty, write_image

    require_empty(directory)
    new = generate(name_or_code, as_at)
    write_image(SetImage([], [], dict(new.files)), directory)
    return new
