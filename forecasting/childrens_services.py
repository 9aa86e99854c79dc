"""Children's social care: placements (mix x unit cost), moves, workforce, investment,
savings, budget and the overspend.

Driver-based spend is calibrated to the known base-year outturn through one explicit
``reconciliation`` line (what the drivers do not explain), never a hidden adjustment.
Overspends are positive.
"""

from __future__ import annotations

from typing import NamedTuple, cast

import numpy as np

from .calibration import reconciliation_share
from .demand import children_in_care
from .inputs import Inputs
from .names import OTHER_SERVICES
from .projection import Projection, signed
from .savings import project_savings
from .schema import ChildrensServices, Count, Money, Move, PlacementType

AREA = "csc"
# Net spend before the reconciliation line: what the drivers explain.
DRIVERS = (
    "placement_cost",
    "continuing_allowances",
    "staffing_cost",
    "investment",
    "other_spend",
    "-savings_delivered_csc",
)
OUT_OF_CARE = "out_of_care"


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # an overflow is reported by run.check_finite
        return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


class Moves(NamedTuple):
    counts: dict[str, np.ndarray]  # children by placement type after the moves
    lines: dict[str, tuple[Move, np.ndarray, np.ndarray]]  # by move: move, children, effect
    allowances: np.ndarray  # pounds a year continuing after children leave care


def project_childrens_services(inp: Inputs, proj: Projection) -> None:
    """Add every children's social care line of one scenario to ``proj``: placements and
    the moves between them, workforce, investment, savings, other spend, and the overspend
    against the net budget."""
    csc = inp.a.childrens_services
    weeks = inp.series(inp.a.timeline.weeks_per_year)
    general_index = inp.index(csc.placement_price_inflation)
    weekly = _weekly_costs(inp, general_index)
    demand = children_in_care(inp, csc)
    before = {k: demand[k] * weekly[k] * weeks for k in demand}
    moves = _moves(inp, demand, weekly, weeks, general_index)
    counts, overflow = _capacity(inp, moves.counts, weekly, weeks)
    _placements(inp, proj, counts, weekly, weeks, before)
    _move_and_overflow_lines(proj, csc, moves, overflow)
    _workforce_and_investment(inp, proj)
    _savings(inp, proj, moves.lines)
    _other_spend(inp, proj)
    _overspend(inp, proj)


def _weekly_costs(inp: Inputs, general_index: np.ndarray) -> dict[str, np.ndarray]:
    """Weekly cost per child by placement type: the base-year cost with the type's own price
    inflation, or the general placement inflation where it has none."""
    return {
        k: inp.base(t.weekly_cost)
        * (inp.index(t.price_inflation) if t.price_inflation else general_index)
        for k, t in inp.a.childrens_services.placements.items()
    }


def _moves(
    inp: Inputs,
    demand: dict[str, np.ndarray],
    weekly: dict[str, np.ndarray],
    weeks: np.ndarray,
    general_index: np.ndarray,
) -> Moves:
    """Dated moves between placement types (down to a target, or a number of children, in
    forecast years only, never more than there are): the children moved, the cost effect of
    each (children x difference in annual cost), and the allowances that continue where a
    move takes a child out of care (special guardianship)."""
    fm = inp.forecast_mask()
    counts = dict(demand)
    allowances = inp.zeros()
    lines = {}
    for mid, move in inp.a.childrens_services.moves.items():
        available = counts[move.from_type]
        if move.target is not None:
            wanted = np.maximum(available - inp.series(move.target), 0.0)
        else:  # consistency.py requires children when no target is given
            wanted = inp.series(cast(Count, move.children))
        moved = np.minimum(wanted * fm, available)
        counts[move.from_type] = available - moved
        if move.to_type == OUT_OF_CARE:
            continuing = (
                inp.base(move.continuing_weekly_cost) * general_index
                if move.continuing_weekly_cost
                else inp.zeros()
            )
            allowance = moved * continuing * weeks
            allowances = allowances + allowance
            effect = allowance - moved * weekly[move.from_type] * weeks
        else:
            counts[move.to_type] = counts[move.to_type] + moved
            effect = moved * (weekly[move.to_type] - weekly[move.from_type]) * weeks
        lines[mid] = (move, moved, effect)
    return Moves(counts, lines, allowances)


def _capacity(
    inp: Inputs, moved: dict[str, np.ndarray], weekly: dict[str, np.ndarray], weeks: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, tuple[PlacementType, np.ndarray, np.ndarray]]]:
    """Children above a placement type's places go to its (dearer) overflow type. Returns
    the children by type after that, and by type overflowing: the type, children moved and
    the cost of placing them in the overflow type."""
    counts = dict(moved)
    overflow = {}
    for k, t in inp.a.childrens_services.placements.items():
        if t.capacity is None or t.overflow_to is None:
            continue
        excess = np.maximum(counts[k] - inp.series(t.capacity), 0.0)
        counts[k] = counts[k] - excess
        counts[t.overflow_to] = counts[t.overflow_to] + excess
        overflow[k] = (t, excess, excess * (weekly[t.overflow_to] - weekly[k]) * weeks)
    return counts, overflow


def _placements(
    inp: Inputs,
    proj: Projection,
    counts: dict[str, np.ndarray],
    weekly: dict[str, np.ndarray],
    weeks: np.ndarray,
    before: dict[str, np.ndarray],
) -> None:
    """Children in care by placement type, weekly cost per child, and placement cost
    (children x weekly cost x weeks): in all, by type, paid to external providers, and
    before the moves."""
    csc = inp.a.childrens_services
    add = proj.add
    P = "childrens_services.placements"
    cost = {k: counts[k] * weekly[k] * weeks for k in counts}
    for k, t in csc.placements.items():
        add(
            AREA,
            f"children_in_care.{k}",
            "count",
            counts[k],
            f"Children in care: {t.label}",
            (f"{P}.{k}.children",),
        )
    proj.total(
        AREA,
        "children_in_care",
        "count",
        "Children in care (average in year)",
        [f"children_in_care.{k}" for k in csc.placements],
        (
            *(f"{P}.{k}.children" for k in csc.placements),
            "childrens_services.children_in_care.growth",
        ),
        before=f"children_in_care.{next(iter(csc.placements))}",
    )
    for k, t in csc.placements.items():
        add(
            AREA,
            f"weekly_cost.{k}",
            "GBP",
            weekly[k] * np.ones(inp.shape),
            f"Weekly cost per child: {t.label}",
            (
                f"{P}.{k}.weekly_cost",
                f"{P}.{k}.price_inflation"
                if t.price_inflation
                else "childrens_services.placement_price_inflation",
            ),
        )
    add(AREA, "weeks_in_year", "count", weeks, "Weeks in the year", ("timeline.weeks_per_year",))
    for k, t in csc.placements.items():
        add(AREA, f"placement_cost.{k}", "GBP", cost[k], f"Placement cost: {t.label}")
    proj.total(
        AREA,
        "placement_cost",
        "GBP",
        "Placement cost (all types)",
        [f"placement_cost.{k}" for k in csc.placements],
        before=f"placement_cost.{next(iter(csc.placements))}",
    )
    proj.total(
        AREA,
        "placement_cost_external",
        "GBP",
        "Placement cost paid to external providers",
        [f"placement_cost.{k}" for k, t in csc.placements.items() if t.external],
    )
    add(
        AREA,
        "placement_cost_before_moves",
        "GBP",
        cast(np.ndarray, sum(before.values())),  # placement types: at least one
        "Placement cost before placement moves",
    )


def _move_and_overflow_lines(
    proj: Projection,
    csc: ChildrensServices,
    moves: Moves,
    overflow: dict[str, tuple[PlacementType, np.ndarray, np.ndarray]],
) -> None:
    """The lines that explain placement cost against its cost before moves: children moved
    and the cost effect of each move, children above a type's capacity and what placing
    them in the overflow type costs, and allowances continuing after leaving care."""
    add = proj.add
    P = "childrens_services.placements"
    for mid, (move, moved, effect) in moves.lines.items():
        M = f"childrens_services.moves.{mid}"
        add(AREA, f"move_children.{mid}", "count", moved, f"Children moved: {move.label}", (M,))
        add(AREA, f"move_effect.{mid}", "GBP", effect, f"Cost effect of move: {move.label}", (M,))
    for k, (t, excess, effect) in overflow.items():
        to = csc.placements[cast(str, t.overflow_to)].label  # set for every overflow line
        add(
            AREA,
            f"overflow_children.{k}",
            "count",
            excess,
            f"Children above capacity: {t.label}, placed in {to}",
            (f"{P}.{k}.capacity", f"{P}.{k}.overflow_to"),
        )
        add(
            AREA,
            f"overflow_effect.{k}",
            "GBP",
            effect,
            f"Cost of placements above capacity: {t.label} placed in {to}",
            (f"{P}.{k}.capacity", f"{P}.{k}.overflow_to"),
        )
    add(
        AREA,
        "continuing_allowances",
        "GBP",
        moves.allowances,
        "Allowances continuing after leaving care (e.g. special guardianship)",
    )


def _overspend(inp: Inputs, proj: Projection) -> None:
    """The net budget; the reconciliation line that makes the base year's overspend the
    council's outturn (spend the drivers do not explain, carried forward if the set says
    so); net spend = drivers + reconciliation; overspend = net spend - budget."""
    add = proj.add
    cal = inp.a.childrens_services.calibration
    _budget(inp, proj)
    drivers = proj.signed_sum(AREA, signed(DRIVERS))
    # the overspend the drivers explain: the overspend's definition, before reconciliation
    explained = proj.signed_sum(AREA, signed((*DRIVERS, "-budget")))
    gap = inp.base(cal.base_year_overspend) - explained[:, :1]
    recon = gap * (np.ones(len(inp.years)) if cal.carry_forward else (1.0 - inp.forecast_mask()))
    add(
        AREA,
        "reconciliation",
        "GBP",
        recon,
        "Reconciliation to the base-year outturn (spend the drivers do not explain)",
        ("childrens_services.calibration.base_year_overspend",),
    )
    reconciliation_share(
        inp,
        proj,
        AREA,
        recon,
        drivers,
        cal.reconciliation_warning_share,
        "childrens_services.calibration",
    )
    proj.total(AREA, "net_spend", "GBP", "Net spend", (*DRIVERS, "reconciliation"))
    proj.total(
        AREA,
        "overspend",
        "GBP",
        "Overspend (positive) against net budget",
        ("net_spend", "-budget"),
    )


def _savings(inp: Inputs, proj: Projection, move_lines: dict) -> None:
    """The savings programme: planned (part-year in a saving's first year), risk-adjusted
    delivery, what placement moves deliver for the savings linked to them, and the part that
    reduces children's social care spend."""
    csc = inp.a.childrens_services
    add = proj.add
    items = project_savings(inp, csc.savings)
    S = "childrens_services.savings.items"
    for sid, it in items.items():
        item = csc.savings.items[sid]
        add(AREA, f"savings_planned.{sid}", "GBP", it.planned, f"Saving planned: {item.label}")
    proj.total(
        AREA,
        "savings_planned",
        "GBP",
        "Savings planned (part-year in a saving's first year)",
        [f"savings_planned.{sid}" for sid in items],
    )
    add(
        AREA,
        "savings_planned_full_year",
        "GBP",
        sum((it.full_year for it in items.values()), inp.zeros()),
        "Savings planned, full-year value",
        tuple(f"{S}.{sid}.amount" for sid in items),
    )
    for sid, it in items.items():
        item = csc.savings.items[sid]
        add(
            AREA,
            f"savings_delivered.{sid}",
            "GBP",
            it.delivered,
            f"Saving delivered (risk-adjusted): {item.label}"
            + (" (delivered through placement moves)" if item.linked_moves else ""),
            (f"{S}.{sid}",),
        )
    proj.total(
        AREA,
        "savings_delivered",
        "GBP",
        "Savings delivered (risk-adjusted; savings made through placement moves are in "
        "placement cost)",
        [f"savings_delivered.{sid}" for sid in items],
    )
    for sid, item in csc.savings.items.items():
        if item.linked_moves:
            add(
                AREA,
                f"savings_through_moves.{sid}",
                "GBP",
                -sum((move_lines[m][2] for m in item.linked_moves if m in move_lines), inp.zeros()),
                f"Saving made through placement moves: {item.label} (in placement cost)",
                tuple(f"childrens_services.moves.{m}" for m in item.linked_moves),
            )
    outside_ids = [
        f"savings_delivered.{sid}"
        for sid, item in csc.savings.items.items()
        if item.reduces == OTHER_SERVICES
    ]
    proj.total(
        AREA,
        "savings_outside_csc",
        "GBP",
        "Savings delivered by other council services (not set against this overspend)",
        outside_ids,
    )
    proj.total(
        AREA,
        "savings_delivered_csc",
        "GBP",
        "Savings delivered that reduce children's social care spend",
        ("savings_delivered", "-savings_outside_csc"),
    )


def _other_spend(inp: Inputs, proj: Projection) -> None:
    """Other spend lines, each base-year amount grown by its driver, and their total."""
    csc = inp.a.childrens_services
    add = proj.add
    gen = inp.index(csc.general_inflation)
    cic = proj[(AREA, "children_in_care")]
    demand = _safe_div(cic, cic[:, :1])
    lag = np.rint(inp.base(csc.care_leavers_lag)).astype(int)  # whole years, per draw
    leavers = np.take_along_axis(
        demand, np.maximum(np.arange(len(inp.years))[None, :] - lag, 0), axis=1
    )
    add(
        AREA,
        "care_leavers_index",
        "ratio",
        leavers,
        "Care leavers against the base year (children in care, lagged)",
        ("childrens_services.care_leavers_lag",),
    )
    growth = {
        "children_in_care": demand * gen,
        "care_leavers": leavers * gen,
        "inflation": gen,
        "fixed": np.ones(inp.shape),
    }
    for oid, line in csc.other_spend.items():
        add(
            AREA,
            f"other_spend.{oid}",
            "GBP",
            inp.base(line.amount) * growth[line.driver],
            f"Other spend: {line.label} (grows with {line.driver.replace('_', ' ')})",
            (f"childrens_services.other_spend.{oid}", "childrens_services.general_inflation"),
        )
    proj.total(
        AREA,
        "other_spend",
        "GBP",
        "Other spend (all lines)",
        [f"other_spend.{oid}" for oid in csc.other_spend],
    )


def _budget(inp: Inputs, proj: Projection) -> np.ndarray:
    """The net budget: given by year, or built as a council's MTFS builds it, each year's
    from the last plus inflation, demographic growth and investment, less savings."""
    b = inp.a.childrens_services.budget
    B = "childrens_services.budget"
    if b.mtfs is None:
        return proj.add(
            AREA,
            "budget",
            "GBP",
            inp.series(cast(Money, b.net_budget)),  # consistency.py: net_budget or mtfs
            "Net budget",
            (f"{B}.net_budget",),
        )
    m, fm = b.mtfs, inp.forecast_mask()
    rate = inp.series(m.inflation)
    steps = {
        "demographic_growth": inp.series(m.demographic_growth) * fm,
        "investment": inp.series(m.investment) * fm,
        "savings": -inp.series(m.savings) * fm,
    }
    budget, inflation = inp.zeros(), inp.zeros()
    budget[:, 0] = inp.base(m.base_budget)[:, 0]
    for t in range(1, len(inp.years)):
        inflation[:, t] = budget[:, t - 1] * rate[:, t]
        budget[:, t] = budget[:, t - 1] + inflation[:, t] + sum(v[:, t] for v in steps.values())
    proj.add(
        AREA,
        "budget.inflation",
        "GBP",
        inflation,
        "Budget: pay and price inflation on last year's budget",
        (f"{B}.mtfs.inflation",),
    )
    labels = {
        "demographic_growth": "Budget: demographic growth",
        "investment": "Budget: investment added",
        "savings": "Budget: savings taken out (negative)",
    }
    for k, v in steps.items():
        proj.add(AREA, f"budget.{k}", "GBP", v, labels[k], (f"{B}.mtfs.{k}",))
    return proj.add(
        AREA,
        "budget",
        "GBP",
        budget,
        "Net budget (MTFS: last year's + inflation + growth + investment - savings)",
        (f"{B}.mtfs.base_budget",),
    )


class Workforce(NamedTuple):
    permanent: np.ndarray  # permanent social workers in post, FTE
    cover: np.ndarray  # agency social workers covering vacancies, FTE
    pay: np.ndarray  # pay index against the base year
    agency_unit: np.ndarray  # cost per agency FTE, pounds a year
    establishment_cost: np.ndarray  # permanent staff and agency cover, pounds a year


def _workforce_and_investment(inp: Inputs, proj: Projection) -> None:
    """Social worker staffing cost (the establishment, and agency staff filling the gap to
    the target caseload) and the investment items."""
    wf = _workforce(inp, proj)
    _caseload(inp, proj, wf, _investment(inp, proj, wf))


def _workforce(inp: Inputs, proj: Projection) -> Workforce:
    """The social worker establishment by team, vacancies (some covered by agency staff),
    and the cost per permanent and per agency FTE (permanent cost with pay inflation, plus
    the agency premium)."""
    wf = inp.a.childrens_services.workforce
    add = proj.add
    W = "childrens_services.workforce"
    establishment = inp.zeros()
    for tid, team in wf.teams.items():
        v = add(
            AREA,
            f"establishment_fte.{tid}",
            "FTE",
            inp.series(team.establishment_fte),
            f"Social worker establishment: {team.label}",
            (f"{W}.teams.{tid}",),
        )
        establishment = establishment + v
    add(AREA, "establishment_fte", "FTE", establishment, "Social worker establishment")
    vacancies = np.minimum(inp.series(wf.vacancy_fte), establishment)
    permanent = establishment - vacancies
    cover = vacancies * inp.series(wf.agency_cover_share)
    pay = inp.index(wf.pay_inflation)
    permanent_unit = inp.base(wf.permanent_cost_per_fte) * pay
    agency_unit = permanent_unit * (1.0 + inp.series(wf.agency_premium))
    add(AREA, "vacancy_fte", "FTE", vacancies, "Vacant posts", (f"{W}.vacancy_fte",))
    add(AREA, "permanent_fte", "FTE", permanent, "Permanent social workers in post")
    add(
        AREA,
        "agency_cover_fte",
        "FTE",
        cover,
        "Agency social workers covering vacancies",
        (f"{W}.agency_cover_share",),
    )
    add(
        AREA,
        "cost_per_fte.permanent",
        "GBP",
        permanent_unit,
        "Cost per permanent FTE",
        (f"{W}.permanent_cost_per_fte", f"{W}.pay_inflation"),
    )
    add(
        AREA,
        "cost_per_fte.agency",
        "GBP",
        agency_unit,
        "Cost per agency FTE",
        (f"{W}.agency_premium",),
    )
    establishment_cost = permanent * permanent_unit + cover * agency_unit
    return Workforce(permanent, cover, pay, agency_unit, establishment_cost)


def _investment(inp: Inputs, proj: Projection, wf: Workforce) -> np.ndarray:
    """The investment items by year (a recurrent item carries on with pay inflation in the
    years not listed), and the agency social workers the items that buy them fund (amount
    over the cost per agency FTE). Returns those FTE."""
    csc = inp.a.childrens_services
    add = proj.add
    W = "childrens_services.workforce"
    invest_fte = inp.zeros()
    for iid, item in csc.investment.items():
        amount = inp.series(item.amount)
        if item.recurrent:
            listed = set(item.amount.values or {})
            for t in range(1, len(inp.years)):
                if inp.years[t] not in listed:
                    amount[:, t] = amount[:, t - 1] * (wf.pay[:, t] / wf.pay[:, t - 1])
        add(
            AREA,
            f"investment.{iid}",
            "GBP",
            amount,
            f"Investment: {item.label}",
            (f"childrens_services.investment.{iid}",),
        )
        if item.agency_social_workers:
            invest_fte = invest_fte + _safe_div(amount, wf.agency_unit)
    proj.total(
        AREA,
        "investment",
        "GBP",
        "Investing in Children (all items)",
        [f"investment.{iid}" for iid in csc.investment],
    )
    add(
        AREA,
        "investment_fte",
        "FTE",
        invest_fte,
        "Agency social workers funded by investment",
        ("childrens_services.investment", f"{W}.permanent_cost_per_fte", f"{W}.agency_premium"),
    )
    return invest_fte


def _caseload(inp: Inputs, proj: Projection, wf: Workforce, invest_fte: np.ndarray) -> None:
    """Open cases (the looked-after part follows children in care) over the target caseload
    give the FTE needed; the shortfall against the workers in post is filled by agency staff
    at the premium, and costed."""
    cl = inp.a.childrens_services.workforce.caseload
    add = proj.add
    W = "childrens_services.workforce"
    cic = proj[(AREA, "children_in_care")]
    cases = add(
        AREA,
        "caseload.open_cases",
        "count",
        (inp.base(cl.open_cases) - cic[:, :1]) * inp.index(cl.other_cases_growth) + cic,
        "Open cases (children in need, on protection plans and in care)",
        (f"{W}.caseload.open_cases", f"{W}.caseload.other_cases_growth"),
    )
    needed = add(
        AREA,
        "caseload.fte_needed",
        "FTE",
        _safe_div(cases, inp.series(cl.target_caseload)),
        "FTE needed at the target caseload",
        (f"{W}.caseload.target_caseload",),
    )
    in_post = wf.permanent + wf.cover + invest_fte
    effective = add(
        AREA,
        "caseload.fte_effective",
        "FTE",
        np.maximum(
            in_post - inp.series(cl.asye_fte) * (1.0 - inp.series(cl.asye_caseload_share)), 0.0
        ),
        "Case-holding capacity before filling the gap (newly qualified workers at a reduced "
        "caseload)",
    )
    add(
        AREA,
        "caseload.gap_fte",
        "FTE",
        needed - effective,
        "FTE short of the target caseload (negative: spare capacity)",
    )
    gap_agency = add(
        AREA,
        "caseload.gap_agency_fte",
        "FTE",
        np.maximum(needed - effective, 0.0) * inp.series(cl.gap_agency_share),
        "Agency social workers filling the gap to the target caseload",
        (f"{W}.caseload.gap_agency_share",),
    )
    add(
        AREA,
        "caseload.average",
        "count",
        _safe_div(cases, effective + gap_agency),
        "Average caseload per effective FTE",
    )
    _staffing(proj, wf, gap_agency)


def _staffing(proj: Projection, wf: Workforce, gap_agency: np.ndarray) -> None:
    """Social workers in post (permanent and agency) and the staffing cost: the
    establishment, and agency staff filling the gap to the target caseload."""
    add = proj.add
    proj.total(
        AREA,
        "agency_fte",
        "FTE",
        "Agency social workers (all)",
        ("agency_cover_fte", "investment_fte", "caseload.gap_agency_fte"),
    )
    proj.total(
        AREA,
        "staffing_fte",
        "FTE",
        "Social workers in post (all)",
        ("permanent_fte", "agency_fte"),
    )
    add(
        AREA,
        "staffing_cost.establishment",
        "GBP",
        wf.establishment_cost,
        "Establishment: permanent social workers and agency staff covering vacancies",
    )
    add(
        AREA,
        "staffing_cost.gap_to_target",
        "GBP",
        gap_agency * wf.agency_unit,
        "Agency social workers filling the gap to the target caseload",
    )
    proj.total(
        AREA,
        "staffing_cost",
        "GBP",
        "Social worker staffing cost (establishment, and agency staff filling the gap to the "
        "target caseload)",
        ("staffing_cost.establishment", "staffing_cost.gap_to_target"),
    )
