"""The DSG high-needs block: income, spend by provision, schools-block transfers under
the 0.5% rule, and the deficit rolled forward year by year.

in-year deficit = expenditure - income - transfer - other contributions (less, under a
safety-valve style agreement, the council's contribution and DfE's payment where its
condition is met);
cumulative deficit = last year's cumulative + this year's in-year. Deficits are positive.
Spend is EHCPs x share by provision x cost per place, alternative provision from
permanent exclusions, and fixed lines. One explicit ``reconciliation`` line makes the
calibration year's in-year deficit (before transfers and further savings) equal the
council's own figure.
"""

from __future__ import annotations

from typing import NamedTuple, cast

import numpy as np

from .calibration import reconciliation_share
from .demand import ehcps, permanent_exclusions
from .inputs import Inputs
from .names import (
    ALTERNATIVE_PROVISION,
    FURTHER_SAVINGS,
    POST16,
    POST16_LABEL,
    RECONCILIATION,
)
from .projection import Projection

AREA = "dsg"
# The in-year deficit before any safety-valve agreement: spend less what pays for it.
IN_YEAR = (
    "high_needs_expenditure",
    "-high_needs_income",
    "-schools_block_transfer",
    "-other_contributions",
)
# Half a penny: a request equal to the limit is within it, and a balance this close to
# nil is cleared, whatever the float rounding of the products behind them.
HALF_PENNY = 0.005


class TransferDecision(NamedTuple):
    amount: np.ndarray  # the transfer that happens, pounds
    needs_disapplication: np.ndarray  # 1 where the request needed the Secretary of State
    above_limit: np.ndarray  # 1 where the request was above the Forum's limit


def transfer_decision(
    requested: np.ndarray,
    schools_block: np.ndarray,
    limit_share: np.ndarray,
    forum_approves: np.ndarray,
    disapplication_granted: np.ndarray,
) -> TransferDecision:
    """The transfer that happens and whether the request needed a disapplication.

    Within the limit and approved by the Forum, the request goes ahead. Above the limit,
    or refused by the Forum, it needs the Secretary of State: if granted it goes ahead;
    if not, a Forum that approved can still move up to the limit, otherwise nothing moves.
    Each year is its own decision.
    """
    limit = limit_share * schools_block
    asked = requested > 0
    above = requested > limit + HALF_PENNY
    needs = asked & (above | ~forum_approves)
    fallback = np.where(forum_approves, np.minimum(requested, limit), 0.0)
    amount = np.where(~needs, requested, np.where(disapplication_granted, requested, fallback))
    return TransferDecision(np.where(asked, amount, 0.0), needs.astype(float), above.astype(float))


class Income(NamedTuple):
    high_needs_block: np.ndarray  # pounds by year
    schools_block: np.ndarray


# A provision's plans, cost per place and label, by provision id (post-16 last).
EhcpLines = dict[str, tuple[str, np.ndarray, np.ndarray]]


def project_high_needs(inp: Inputs, proj: Projection) -> None:
    """Add every DSG high-needs line of one scenario to ``proj``: income, EHCPs and their
    cost by provision, alternative provision, spend reconciled to the council's own
    in-year figure, the schools-block transfer, and the deficit rolled forward."""
    hn = inp.a.high_needs
    income = _income(inp, proj)
    prices = inp.index(hn.inflation)
    level = inp.base(hn.local_cost_level) if hn.local_cost_level is not None else 1.0
    ehcp_lines = _provisions(inp, proj, prices, level)
    spend = {pid: (label, n * unit) for pid, (label, n, unit) in ehcp_lines.items()}
    _specialist(inp, proj, ehcp_lines)
    spend[ALTERNATIVE_PROVISION] = (
        "Alternative provision / PRU",
        _alternative_provision(inp, proj, prices, level),
    )
    for fid, line in hn.fixed_lines.items():
        spend[fid] = (line.label, inp.base(line.amount) * prices)
    spend[FURTHER_SAVINGS] = (
        "Further high-needs savings (mitigation)",
        -inp.series(hn.mitigation.additional_savings) * inp.forecast_mask(),
    )
    spend[RECONCILIATION] = (
        "Reconciliation to the council's in-year forecast",
        _reconciliation(inp, proj, spend, income.high_needs_block),
    )
    _expenditure(inp, proj, spend)
    _transfers(inp, proj, income.schools_block)
    in_year = _in_year_deficit(inp, proj)
    opening, cumulative, share = _roll_forward(inp, proj, in_year)
    _accounting(inp, proj, opening, cumulative, share)


def _income(inp: Inputs, proj: Projection) -> Income:
    """The DSG blocks by year (each from its base-year allocation on its growth rate) and
    other contributions towards high-needs spend."""
    inc = inp.a.high_needs.income
    add = proj.add
    H = "high_needs.income"
    hnb = add(
        AREA,
        "high_needs_income",
        "GBP",
        inp.anchored(inc.high_needs_block, inc.high_needs_growth),
        "High-needs block allocation",
        (f"{H}.high_needs_block", f"{H}.high_needs_growth"),
    )
    sb = add(
        AREA,
        "schools_block",
        "GBP",
        inp.anchored(inc.schools_block, inc.schools_block_growth),
        "Schools block",
        (f"{H}.schools_block",),
    )
    add(
        AREA,
        "other_dsg_blocks",
        "GBP",
        inp.anchored(inc.other_dsg_blocks, inc.schools_block_growth),
        "Early years and central school services blocks",
        (f"{H}.other_dsg_blocks",),
    )
    add(
        AREA,
        "other_contributions",
        "GBP",
        inp.series(inc.other_contributions),
        "Other contributions (DfE agreement, council)",
        (f"{H}.other_contributions",),
    )
    return Income(hnb, sb)


def _at_level(inp: Inputs) -> tuple[str, ...]:
    """The local cost level's path, where the set gives one (a source of every unit cost)."""
    return ("high_needs.local_cost_level",) if inp.a.high_needs.local_cost_level is not None else ()


def _provisions(
    inp: Inputs, proj: Projection, prices: np.ndarray, level: np.ndarray | float
) -> EhcpLines:
    """EHCPs by provision (school-age plans x each provision's share, post-16 plans on their
    own) and the cost per place of each: the benchmark cost at the council's own cost level,
    with inflation. Plans above a provision's places go to its overflow provision.

    Returns each provision's label, plans and cost per place, by provision id."""
    hn = inp.a.high_needs
    add = proj.add
    H = "high_needs"
    school, post16 = ehcps(inp, hn)
    ehcp_lines: EhcpLines = {}
    for pid, prov in hn.provisions.items():
        n = school * inp.series(prov.share)
        unit = inp.base(prov.cost_per_place) * level * prices
        ehcp_lines[pid] = (prov.label, n, unit)
    _overflow(inp, proj, ehcp_lines)
    ehcp_lines[POST16] = (
        POST16_LABEL,
        post16,
        inp.base(hn.ehcp.post16_cost_per_place) * level * prices,
    )
    add(
        AREA,
        "ehcp_school_age",
        "count",
        school,
        "School-age EHCPs",
        (f"{H}.ehcp.school_age_plans", f"{H}.ehcp.growth"),
    )
    for pid, (label, n, _) in ehcp_lines.items():
        add(
            AREA,
            f"ehcp.{pid}",
            "count",
            n,
            f"EHCPs: {label}",
            (f"{H}.provisions.{pid}.share",)
            if pid in hn.provisions
            else (f"{H}.ehcp.post16_plans",),
        )
    proj.total(
        AREA,
        "ehcp_total",
        "count",
        "EHCPs (January census)",
        [f"ehcp.{pid}" for pid in ehcp_lines],
        (f"{H}.ehcp",),
        before="ehcp_school_age",
    )
    for pid, (label, _, unit) in ehcp_lines.items():
        add(
            AREA,
            f"cost_per_place.{pid}",
            "GBP",
            unit * np.ones(inp.shape),
            f"Cost per place a year: {label}",
            (
                f"{H}.provisions.{pid}.cost_per_place"
                if pid in hn.provisions
                else f"{H}.ehcp.post16_cost_per_place",
                f"{H}.inflation",
                *_at_level(inp),
            ),
        )
    return ehcp_lines


def _overflow(inp: Inputs, proj: Projection, ehcp_lines: EhcpLines) -> None:
    """Plans above a provision's capacity placed in its overflow provision, and what that
    costs (plans moved x the difference in cost per place); ``ehcp_lines`` is updated."""
    add = proj.add
    for pid, prov in inp.a.high_needs.provisions.items():
        if prov.capacity is None or prov.overflow_to is None:
            continue
        label, n, unit = ehcp_lines[pid]
        excess = np.maximum(n - inp.series(prov.capacity), 0.0)
        ehcp_lines[pid] = (label, n - excess, unit)
        to_label, to_n, to_unit = ehcp_lines[prov.overflow_to]
        ehcp_lines[prov.overflow_to] = (to_label, to_n + excess, to_unit)
        P = f"high_needs.provisions.{pid}"
        source = (f"{P}.capacity", f"{P}.overflow_to")
        add(
            AREA,
            f"overflow_plans.{pid}",
            "count",
            excess,
            f"Plans above capacity: {label}, placed in {to_label}",
            source,
        )
        add(
            AREA,
            f"overflow_effect.{pid}",
            "GBP",
            excess * (to_unit - unit),
            f"Cost of plans above capacity: {label} placed in {to_label}",
            source,
        )


def _specialist(inp: Inputs, proj: Projection, ehcp_lines: EhcpLines) -> None:
    """Plans in specialist provision, as a share of all pupils beside England's share (the
    benchmark the DfE uses for a council's reliance on special schools)."""
    hn = inp.a.high_needs
    add = proj.add
    H = "high_needs"
    specialist_ids = [pid for pid, prov in hn.provisions.items() if prov.specialist]
    specialist = proj.total(
        AREA,
        "specialist_placements",
        "count",
        "EHCPs in specialist provision (special schools)",
        [f"ehcp.{pid}" for pid in specialist_ids],
        (f"{H}.provisions",),
    )
    pupils = add(
        AREA,
        "pupils",
        "count",
        inp.series(hn.pupils.pupils),
        "Pupils in state-funded schools",
        (f"{H}.pupils.pupils",),
    )
    add(
        AREA,
        "specialist_share_of_pupils",
        "ratio",
        specialist / pupils,
        "Pupils in specialist provision, share of all pupils",
        (f"{H}.pupils.pupils",),
    )
    add(
        AREA,
        "specialist_share_national",
        "ratio",
        inp.series(hn.pupils.national_specialist_share),
        "Pupils in specialist provision, England",
        (f"{H}.pupils.national_specialist_share",),
    )


def _alternative_provision(
    inp: Inputs, proj: Projection, prices: np.ndarray, level: np.ndarray | float
) -> np.ndarray:
    """Alternative provision for permanently excluded pupils: exclusions (on trend, less
    the reduction target) x years each spends in AP x cost per AP place. Returns the spend."""
    hn = inp.a.high_needs
    ex = hn.exclusions
    add = proj.add
    X = "high_needs.exclusions"
    trend, excluded = permanent_exclusions(inp, hn)
    add(
        AREA,
        "permanent_exclusions_trend",
        "count",
        trend,
        "Permanent exclusions on trend",
        (f"{X}.permanent_exclusions", f"{X}.growth"),
    )
    add(
        AREA,
        "permanent_exclusions",
        "count",
        excluded,
        "Permanent exclusions",
        (f"{X}.reduction",),
    )
    places = add(
        AREA,
        "ap_places",
        "count",
        excluded * inp.series(ex.years_in_ap),
        "Alternative provision places (exclusions x years in AP)",
        (f"{X}.years_in_ap",),
    )
    ap_unit = add(
        AREA,
        "cost_per_place.alternative_provision",
        "GBP",
        inp.base(ex.cost_per_place) * level * prices,
        "Cost per AP place a year",
        (f"{X}.cost_per_place", "high_needs.inflation", *_at_level(inp)),
    )
    return places * ap_unit


def _reconciliation(
    inp: Inputs,
    proj: Projection,
    spend: dict[str, tuple[str, np.ndarray]],
    hnb: np.ndarray,
) -> np.ndarray:
    """The reconciliation line: what makes the calibration year's in-year deficit before
    transfers and further savings equal the council's own figure (carried into later years
    if the set says so). Returns it by year, and adds its share of the modelled spend."""
    cal = inp.a.high_needs.calibration
    c = inp.timeline.index(cal.calibration_year)
    # spend holds at least the provisions and alternative provision
    gross = cast(np.ndarray, sum(v for k, (_, v) in spend.items() if k != FURTHER_SAVINGS))
    gap = inp.base(cal.in_year_deficit) - (gross[:, c : c + 1] - hnb[:, c : c + 1])
    on = np.ones(len(inp.years)) if cal.carry_forward else (np.arange(len(inp.years)) == c)
    reconciliation_share(
        inp,
        proj,
        AREA,
        gap * on,
        gross,
        cal.reconciliation_warning_share,
        "high_needs.calibration",
    )
    return gap * on


def _expenditure(inp: Inputs, proj: Projection, spend: dict[str, tuple[str, np.ndarray]]) -> None:
    """Each high-needs spend line and their total, the high-needs expenditure."""
    add = proj.add
    for key, (label, v) in spend.items():
        add(
            AREA,
            f"expenditure.{key}",
            "GBP",
            v,
            f"Expenditure: {label}",
            ("high_needs.calibration",) if key == "reconciliation" else (),
        )
    lines = [f"expenditure.{key}" for key in spend]
    proj.total(AREA, "high_needs_expenditure", "GBP", "High-needs expenditure", lines)


def _transfers(inp: Inputs, proj: Projection, sb: np.ndarray) -> None:
    """The schools-block transfer under the Forum's limit (the set's limit_share): the
    request, the limit, the Forum's and the Secretary of State's decisions, and the transfer
    made."""
    tr = inp.a.high_needs.transfers
    add = proj.add
    T = "high_needs.transfers"
    requested = add(
        AREA,
        "transfer_requested",
        "GBP",
        inp.series(tr.requested),
        "Schools-block transfer proposed",
        (f"{T}.requested",),
    )
    limit_share = add(
        AREA,
        "transfer_limit_share",
        "ratio",
        inp.series(tr.limit_share),
        "Limit on a Forum-approved transfer (share of the schools block)",
        (f"{T}.limit_share",),
    )
    add(
        AREA,
        "transfer_pct_of_schools_block",
        "ratio",
        np.divide(requested, sb, out=np.zeros(inp.shape), where=sb > 0),
        "Proposed transfer as a share of the schools block",
    )
    add(
        AREA,
        "transfer_limit",
        "GBP",
        limit_share * sb,
        "Most the Forum may approve (limit share x schools block)",
        (f"{T}.limit_share",),
    )
    forum = inp.flag(tr.forum_approves)
    granted = inp.flag(tr.disapplication_granted)
    add(
        AREA,
        "forum_approves",
        "count",
        np.broadcast_to(forum.astype(float), inp.shape),
        "Schools' Forum approves the transfer (1 yes, 0 no)",
        (f"{T}.forum_approves",),
    )
    transfer, needs, above = transfer_decision(requested, sb, limit_share, forum, granted)
    add(
        AREA,
        "transfer_above_limit",
        "count",
        above,
        "Proposed transfer above the share the Forum may approve (1 yes)",
    )
    add(
        AREA,
        "transfer_needs_disapplication",
        "count",
        needs,
        "Transfer needs a disapplication (1 yes: above the limit or refused by the Forum)",
    )
    add(
        AREA,
        "disapplication_granted",
        "count",
        np.broadcast_to(granted.astype(float), inp.shape),
        "Secretary of State grants a disapplication if one is needed (1 yes, 0 no)",
        (f"{T}.disapplication_granted",),
    )
    add(AREA, "schools_block_transfer", "GBP", transfer, "Schools-block transfer made")


def _in_year_deficit(inp: Inputs, proj: Projection) -> np.ndarray:
    """The in-year deficit: expenditure less income, the transfer and other contributions
    (and, under a safety-valve agreement, the council's contribution and DfE's payment)."""
    if inp.a.high_needs.safety_valve is None:
        return proj.total(
            AREA,
            "in_year_deficit",
            "GBP",
            "In-year deficit (positive) = expenditure - income - transfer - contributions",
            IN_YEAR,
        )
    _safety_valve(inp, proj)
    return proj.total(
        AREA,
        "in_year_deficit",
        "GBP",
        "In-year deficit (positive) = expenditure - income - transfer - contributions - "
        "safety-valve council contribution - DfE safety-valve payment made",
        (*IN_YEAR, "-safety_valve.council_contribution", "-safety_valve.dfe_payment"),
    )


def _roll_forward(
    inp: Inputs, proj: Projection, in_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cumulative deficit: brought forward from the base year, each year's in-year
    deficit added; and its share of the whole DSG. Returns the opening and closing
    cumulative deficits and that share, by year."""
    add = proj.add
    brought_forward = inp.base(inp.a.high_needs.calibration.deficit_brought_forward)
    cumulative = np.cumsum(in_year[:, 1:], axis=1) + brought_forward
    cumulative = np.concatenate([brought_forward, cumulative], axis=1)
    opening = np.concatenate([cumulative[:, :1] - in_year[:, :1], cumulative[:, :-1]], axis=1)
    add(
        AREA,
        "opening_deficit",
        "GBP",
        opening,
        "Cumulative deficit brought forward",
        ("high_needs.calibration.deficit_brought_forward",),
    )
    cumulative = proj.total(
        AREA,
        "cumulative_deficit",
        "GBP",
        "Cumulative deficit carried forward",
        ("opening_deficit", "in_year_deficit"),
    )
    total_dsg = proj.total(
        AREA,
        "total_dsg",
        "GBP",
        "Total DSG (all blocks)",
        ("schools_block", "high_needs_income", "other_dsg_blocks"),
    )
    share = add(
        AREA,
        "deficit_share_of_dsg",
        "ratio",
        cumulative / total_dsg,
        "Cumulative deficit as a share of total DSG",
    )
    add(
        AREA,
        "deficit_cleared",
        "count",
        (cumulative <= HALF_PENNY).astype(float),
        "Deficit cleared by year end (1 yes)",
    )
    return opening, cumulative, share


def _dated(inp: Inputs, p) -> tuple[np.ndarray, np.ndarray]:
    """A dated series (given for the years it falls in) as figures by year, nil in the years
    not given, and a 1/0 mask of the years given."""
    v = inp.series(p)
    given = ~np.isnan(v)
    return np.where(given, v, 0.0), given.astype(float)


def _safety_valve(inp: Inputs, proj: Projection) -> None:
    """A safety-valve style agreement, year by year: the council's contribution comes off the
    in-year deficit; DfE's agreed payment is made only where the in-year deficit left after
    the contribution is within that year's milestone, and is withheld otherwise.

    Returns the council's contribution and the DfE payment made, each by year."""
    sv = inp.a.high_needs.safety_valve
    assert sv is not None  # called only for a set that has an agreement
    add = proj.add
    S = "high_needs.safety_valve"
    name = f"Safety valve ({sv.label})"
    add(
        AREA,
        "safety_valve.council_contribution",
        "GBP",
        _dated(inp, sv.council_contributions)[0],
        f"{name}: council contribution",
        (f"{S}.council_contributions",),
    )
    agreed = add(
        AREA,
        "safety_valve.dfe_payment_agreed",
        "GBP",
        _dated(inp, sv.dfe_payments)[0],
        f"{name}: DfE payment agreed, if the year's milestone is met",
        (f"{S}.dfe_payments",),
    )
    ceiling, set_ = _dated(inp, sv.milestones)
    milestone = add(
        AREA,
        "safety_valve.milestone",
        "GBP",
        ceiling,
        f"{name}: milestone, the in-year deficit before DfE's payment not to exceed (0 where "
        "none is set)",
        (f"{S}.milestones",),
    )
    has_milestone = add(
        AREA,
        "safety_valve.milestone_set",
        "count",
        set_,
        f"{name}: a milestone is set for the year (1 yes)",
        (f"{S}.milestones",),
    )
    before = proj.total(
        AREA,
        "safety_valve.in_year_deficit_before_payment",
        "GBP",
        f"{name}: in-year deficit before DfE's payment = expenditure - income - transfer - "
        "contributions - council contribution",
        (*IN_YEAR, "-safety_valve.council_contribution"),
        (f"{S}.council_contributions",),
    )
    met = add(
        AREA,
        "safety_valve.condition_met",
        "count",
        ((has_milestone == 0) | (before - milestone <= HALF_PENNY)).astype(float),
        f"{name}: condition met (1 yes: in-year deficit before DfE's payment within the "
        "milestone, or no milestone that year; 0: the payment is withheld)",
        (f"{S}.milestones",),
    )
    add(
        AREA,
        "safety_valve.dfe_payment",
        "GBP",
        agreed * met,
        f"{name}: DfE payment made (agreed x condition met)",
        (f"{S}.dfe_payments", f"{S}.milestones"),
    )


def _accounting(
    inp: Inputs, proj: Projection, opening: np.ndarray, cumulative: np.ndarray, share: np.ndarray
) -> None:
    """Where the deficit sits in the council's accounts: DfE's recovery-plan trigger, the
    statutory override, the usable reserves set against it, and the interest it costs."""
    acc = inp.a.high_needs.accounting
    add = proj.add
    A = "high_needs.accounting"
    trigger = add(
        AREA,
        "recovery_plan_trigger_share",
        "ratio",
        inp.series(acc.recovery_plan_trigger_share),
        "Deficit share of total DSG above which DfE asks for a recovery plan",
        (f"{A}.recovery_plan_trigger_share",),
    )
    add(
        AREA,
        "recovery_plan_required",
        "count",
        (share > trigger).astype(float),
        "Deficit above DfE's recovery-plan trigger (1 yes)",
    )
    override = add(
        AREA,
        "statutory_override",
        "count",
        np.broadcast_to(inp.flag(acc.statutory_override).astype(float), inp.shape),
        "Statutory override: the deficit is held in an unusable reserve (1 yes)",
        (f"{A}.statutory_override",),
    )
    deficit = np.maximum(cumulative, 0.0)
    add(
        AREA,
        "deficit_in_unusable_reserve",
        "GBP",
        deficit * override,
        "Deficit held in an unusable reserve under the statutory override",
    )
    add(
        AREA,
        "deficit_outside_override",
        "GBP",
        deficit * (1.0 - override),
        "Deficit not covered by the statutory override (a call on usable reserves)",
    )
    _reserves_and_interest(inp, proj, opening, cumulative)


def _reserves_and_interest(
    inp: Inputs, proj: Projection, opening: np.ndarray, cumulative: np.ndarray
) -> None:
    """Whether the council's usable reserves could absorb the deficit, and the interest the
    cash it ties up costs the general fund (rate x the year's average deficit)."""
    acc = inp.a.high_needs.accounting
    add = proj.add
    A = "high_needs.accounting"
    deficit = np.maximum(cumulative, 0.0)
    reserves = add(
        AREA,
        "usable_reserves",
        "GBP",
        inp.series(acc.usable_reserves),
        "Council's usable general fund reserves",
        (f"{A}.usable_reserves",),
    )
    add(
        AREA,
        "reserves_less_deficit",
        "GBP",
        reserves - deficit,
        "Reserves cover: usable reserves less the cumulative deficit (negative: they could "
        "not absorb it)",
    )
    add(
        AREA,
        "deficit_share_of_reserves",
        "ratio",
        np.divide(deficit, reserves, out=np.zeros(inp.shape), where=reserves > 0),
        "Reserves cover: cumulative deficit as a share of usable reserves (above 1: more "
        "than the reserves)",
    )
    rate = add(
        AREA,
        "interest_rate_on_deficit",
        "ratio",
        inp.series(acc.interest_rate),
        "Interest rate on the cash the deficit ties up",
        (f"{A}.interest_rate",),
    )
    add(
        AREA,
        "interest_cost_of_deficit",
        "GBP",
        rate * np.maximum((opening + cumulative) / 2.0, 0.0),
        "Interest cost of the negative cash balance (rate x average deficit in the year; a "
        "general fund cost, not in the deficit)",
    )
