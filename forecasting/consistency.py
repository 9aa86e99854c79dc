"""Checks that need more than one field: year keys against the horizon, bounds, ranges,
references between sections and shares that must add up.

Each problem is returned with the exact path of the offending field, so the loader can
name its file and line.
"""

from __future__ import annotations

import math
from typing import Any

from . import areas
from .names import HIGH_NEEDS_COMPUTED, OTHER_SERVICES
from .schema import AssumptionSet, ChildrensServices, Flag, HighNeeds, Param, Share
from .years import Timeline, parse_year

SHARE_TOLERANCE = 1e-6  # rounding slack when shares are typed to a few decimals
Found = list[tuple[tuple[str, ...], str]]


def field_kind(model: Any, field_name: str) -> str:
    """``base`` for a base-year figure (one value), ``anchored`` for a series given for
    some years and grown between them, ``""`` for an ordinary series."""
    info = type(model).__pydantic_fields__.get(field_name)
    extra = info.json_schema_extra if info else None
    return str(extra.get("kind", "")) if isinstance(extra, dict) else ""


def check(model: AssumptionSet) -> Found:
    found: Found = []
    try:
        timeline = Timeline(model.timeline.base_year, model.timeline.horizon_years)
    except ValueError as e:
        return [(("timeline", "base_year"), str(e))]
    _walk(model, (), timeline, found, kind="")
    _references(model, timeline, found)
    _names(model, found)
    for area in areas.present(model):
        if not area.built_in and area.check is not None:
            area.check(model, found)
    return found


def _overflow(items: dict[str, Any], path: tuple[str, ...], kind: str, found: Found) -> None:
    """Capacity and overflow come together, and the overflow goes to another item of the
    same kind that has no capacity of its own (placement types and provisions alike)."""
    for key, item in items.items():
        base = path + (key,)
        if (item.capacity is None) != (item.overflow_to is None):
            found.append((base, "give capacity and overflow_to together"))
        elif item.overflow_to is not None:
            into = items.get(item.overflow_to)
            if into is None or item.overflow_to == key:
                others = ", ".join(sorted(set(items) - {key}))
                found.append(
                    (
                        base + ("overflow_to",),
                        f"'{item.overflow_to}' is not another {kind}; have {others}",
                    )
                )
            elif into.capacity is not None:
                found.append(
                    (
                        base + ("overflow_to",),
                        f"'{item.overflow_to}' has a capacity of its own: overflow goes to a "
                        f"{kind} without one",
                    )
                )


def _names(m: AssumptionSet, found: Found) -> None:
    """No provision or fixed high-needs line may take the name of a line the model computes
    or of another item: it would replace that line's figures without a word."""
    hn = m.high_needs
    for pid in hn.provisions:
        if pid in HIGH_NEEDS_COMPUTED:
            found.append(
                (
                    ("high_needs", "provisions", pid),
                    f"'{pid}' is the name of a line the model computes (ehcp.{pid}, "
                    f"expenditure.{pid}); give the provision another name",
                )
            )
    for fid in hn.fixed_lines:
        if fid in HIGH_NEEDS_COMPUTED or fid in hn.provisions:
            what = "a provision" if fid in hn.provisions else "a line the model computes"
            found.append(
                (
                    ("high_needs", "fixed_lines", fid),
                    f"'{fid}' is the name of {what} (expenditure.{fid}); give the fixed "
                    "line another name",
                )
            )


def _walk(node: Any, path: tuple[str, ...], timeline: Timeline, found: Found, kind: str) -> None:
    if isinstance(node, Param):
        _check_param(node, path, timeline, found, kind)
        return
    if isinstance(node, Flag):
        _check_years(node.values, path, timeline, found)
        if node.value is None and not _covers(node.values, timeline):
            found.append(
                (
                    path,
                    "needs a value, or values for every year "
                    f"{timeline.labels[0]} to {timeline.labels[-1]}",
                )
            )
        return
    if isinstance(node, dict):
        for k, v in node.items():
            _walk(v, path + (str(k),), timeline, found, kind="")
        return
    if hasattr(node, "__pydantic_fields__"):
        for name, info in type(node).__pydantic_fields__.items():
            _walk(
                getattr(node, name),
                path + (info.alias or name,),
                timeline,
                found,
                kind=field_kind(node, name),
            )


def _covers(values: dict | None, timeline: Timeline) -> bool:
    return values is not None and bool(values) and all(y in values for y in timeline.labels)


def _check_years(values: dict | None, path, timeline: Timeline, found: Found) -> None:
    for year in values or {}:
        try:
            parse_year(year)
            timeline.index(year)
        except ValueError as e:
            found.append((path + ("values", year), str(e)))


def _check_param(p: Param, path, timeline: Timeline, found: Found, kind: str) -> None:
    _check_years(p.values, path, timeline, found)
    if p.from_trend is not None:
        if p.unit != "ratio" or isinstance(p, Share):
            found.append((path + ("from_trend",), "only a growth rate can come from a trend"))
        if p.values or p.low is not None or p.high is not None:
            found.append(
                (
                    path + ("from_trend",),
                    "a trend gives the value and its range: remove value, values, low and high",
                )
            )
        return
    if kind == "base" and p.values:
        found.append(
            (
                path + ("values",),
                "this is a base-year figure: give a single value "
                "(growth and inflation are separate assumptions)",
            )
        )
    if kind == "dated":
        if p.value is not None:
            found.append(
                (
                    path + ("value",),
                    "give values by year (the years it falls in); years not given have none",
                )
            )
    elif kind == "anchored":
        if p.value is not None or not p.values or timeline.labels[0] not in p.values:
            found.append(
                (
                    path,
                    f"give values by year, at least for {timeline.labels[0]}; "
                    "years not given are grown from the year before",
                )
            )
    elif p.value is None and not _covers(p.values, timeline):
        missing = [y for y in timeline.labels if y not in (p.values or {})]
        found.append(
            (path, f"needs a value, or values for every year; missing {', '.join(missing)}")
        )
    named: list[tuple[Any, float | None]] = [("value", p.value), ("low", p.low), ("high", p.high)]
    named += [(("values", y), v) for y, v in (p.values or {}).items()]
    for key, v in named:
        if v is None:
            continue
        sub = path + ((key,) if isinstance(key, str) else key)
        if not math.isfinite(v) or abs(v) > 1e15:
            found.append((sub, f"{v} is not a usable number"))
        elif (low := type(p).MIN) is not None and v < low:
            found.append((sub, f"{v:g} is below {low:g}: {type(p).MEANING}"))
        elif (high := type(p).MAX) is not None and v > high:
            found.append((sub, f"{v:g} is above {high:g}: {type(p).MEANING}"))
    if (p.low is None) != (p.high is None):
        found.append((path, "a range needs both low and high"))
    elif p.ranged:
        if p.value is None:
            found.append(
                (
                    path,
                    "a range needs a central value (low <= value <= high); years "
                    "under values keep their stated figures",
                )
            )
        elif p.low is not None and p.high is not None and not (p.low <= p.value <= p.high):
            found.append(
                (
                    path,
                    f"value {p.value:g} is outside its range "
                    f"{p.low:g} to {p.high:g} (need low <= value <= high)",
                )
            )


def _references(m: AssumptionSet, timeline: Timeline, found: Found) -> None:
    """References between fields and sections: placement moves, the budget, teams,
    savings items, the safety-valve agreement, calibration and the provisions' shares."""
    csc = m.childrens_services
    _placements_and_moves(csc, found)
    _overflow(csc.placements, ("childrens_services", "placements"), "placement type", found)
    _budget_and_teams(csc, found)
    _savings_items(csc, timeline, found)
    _high_needs_references(m.high_needs, timeline, found)


def _placements_and_moves(csc: ChildrensServices, found: Found) -> None:
    """At least one placement type, and every move between known, different types with
    either a number of children moved or a number to remain."""
    types = set(csc.placements)
    if not types:
        found.append((("childrens_services", "placements"), "at least one placement type"))
    for mid, move in csc.moves.items():
        base = ("childrens_services", "moves", mid)
        if move.from_type not in types:
            found.append(
                (
                    base + ("from",),
                    f"unknown placement type '{move.from_type}'; have {', '.join(sorted(types))}",
                )
            )
        if move.to_type not in types and move.to_type != "out_of_care":
            found.append(
                (
                    base + ("to",),
                    f"unknown placement type '{move.to_type}'; "
                    f"have {', '.join(sorted(types))} or out_of_care",
                )
            )
        if (move.children is None) == (move.target is None):
            found.append(
                (
                    base,
                    "give either children (number moved) or target (number to "
                    "remain), not both or neither",
                )
            )
        if move.to_type == move.from_type:
            found.append((base + ("to",), "a move must go to a different placement type"))


def _budget_and_teams(csc: ChildrensServices, found: Found) -> None:
    """The children's services budget given one way (by year or built from the MTFS), at
    least one social work team, and a probability for each savings confidence rating."""
    if (csc.budget.net_budget is None) == (csc.budget.mtfs is None):
        found.append(
            (
                ("childrens_services", "budget"),
                "give either net_budget (the budget by year) or mtfs (built year by year), "
                "not both or neither",
            )
        )
    if not csc.workforce.teams:
        found.append((("childrens_services", "workforce", "teams"), "at least one team"))
    missing = {"green", "amber", "red"} - set(csc.savings.confidence_probability)
    if missing:
        found.append(
            (
                ("childrens_services", "savings", "confidence_probability"),
                f"missing {', '.join(sorted(missing))}",
            )
        )


def _savings_items(csc: ChildrensServices, timeline: Timeline, found: Found) -> None:
    """Each saving starts in a forecast year, reduces a known spend line, and is linked
    only to known moves (and then reduces placements)."""
    lines = savings_lines(csc)
    for sid, item in csc.savings.items.items():
        where = ("childrens_services", "savings", "items", sid)
        try:
            timeline.index(item.start_year)
        except ValueError as e:
            found.append((where + ("start_year",), str(e)))
        if item.reduces not in lines:
            found.append(
                (
                    where + ("reduces",),
                    f"unknown spend line '{item.reduces}'; have {', '.join(sorted(lines))}",
                )
            )
        for i, mid in enumerate(item.linked_moves):
            if mid not in csc.moves:
                found.append(
                    (
                        where + ("linked_moves", str(i)),
                        f"unknown move '{mid}'; have {', '.join(sorted(csc.moves)) or 'none'}",
                    )
                )
        if item.linked_moves and item.reduces != "placements":
            found.append(
                (where + ("reduces",), "a saving made through placement moves reduces placements")
            )


def _high_needs_references(hn: HighNeeds, timeline: Timeline, found: Found) -> None:
    """The safety-valve agreement's years, a calibration year inside the forecast, at least
    one provision, and provision shares that add up to 1 in every year."""
    if hn.safety_valve is not None:
        _safety_valve(hn.safety_valve, timeline, found)
    try:
        if timeline.index(hn.calibration.calibration_year) == 0:
            found.append(
                (
                    ("high_needs", "calibration", "calibration_year"),
                    "must be a forecast year (the base year's closing deficit is given)",
                )
            )
    except ValueError as e:
        found.append((("high_needs", "calibration", "calibration_year"), str(e)))
    if not hn.provisions:
        found.append((("high_needs", "provisions"), "at least one provision"))
        return
    _overflow(hn.provisions, ("high_needs", "provisions"), "provision", found)
    for year in timeline.labels:
        total = sum(_at(p.share, year) for p in hn.provisions.values())
        if total is not None and abs(total - 1.0) > SHARE_TOLERANCE:
            found.append(
                (
                    ("high_needs", "provisions"),
                    f"provision shares add up to {total:.4f} in {year}, not 1",
                )
            )
            break


def _safety_valve(sv: Any, timeline: Timeline, found: Found) -> None:
    """An agreement's figures fall in forecast years, and every year with a DfE payment has
    its condition (a milestone) for the same year."""
    base = ("high_needs", "safety_valve")
    for name in ("dfe_payments", "council_contributions", "milestones"):
        for year in getattr(sv, name).values or {}:
            if year == timeline.labels[0]:
                found.append(
                    (
                        base + (name, "values", year),
                        f"{year} is the base year (an actual): an agreement's figures fall in "
                        f"forecast years, {timeline.labels[1]} to {timeline.labels[-1]}",
                    )
                )
    milestones = sv.milestones.values or {}
    for year, amount in (sv.dfe_payments.values or {}).items():
        if amount > 0 and year not in milestones:
            found.append(
                (
                    base + ("dfe_payments", "values", year),
                    f"a payment in {year} needs its condition: give milestones for {year} (the "
                    "in-year deficit the council must not exceed for the payment to be made)",
                )
            )


def savings_lines(csc: Any) -> set[str]:
    """What a saving may reduce: a children's social care spend line, or other services."""
    return {"placements", "staffing", "investment", "allowances", OTHER_SERVICES} | {
        f"other_spend.{k}" for k in csc.other_spend
    }


def _at(p: Param, year: str) -> float:
    if p.values and year in p.values:
        return p.values[year]
    return p.value if p.value is not None else float("nan")
