"""The two models written as live formulas over the engine's drivers.

Drivers (children by placement type, weekly costs, EHCPs by provision, costs per place,
the transfer request and decisions, ...) go on an Inputs sheet; the arithmetic the
engine does with them (costs, totals, net spend, overspend, the transfer rule, the
deficit roll-forward) is written as formulas that refer to them. A recalculation in
LibreOffice must give the engine's figures; the tests prove it.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ..high_needs import HALF_PENNY
from ..names import ALTERNATIVE_PROVISION
from ..projection import Projection
from .grid import Grid
from .labels import transfer_limit
from .styles import GBP, INPUT_FILL, INPUT_FONT, text

CSC, DSG = "csc", "dsg"


def _types(proj: Projection) -> list[str]:
    return proj.kinds(CSC, "children_in_care")


def csc_inputs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    g.section(ws, "children's social care drivers", proj.scenario)
    g.input_row(ws, proj, CSC, "weeks_in_year")
    for t in _types(proj):
        g.input_row(ws, proj, CSC, f"children_in_care.{t}", note="after moves")
    for t in _types(proj):
        g.input_row(ws, proj, CSC, f"weekly_cost.{t}", note="with inflation")
    for m in (
        "continuing_allowances",
        "permanent_fte",
        "agency_cover_fte",
        "investment_fte",
        "caseload.gap_agency_fte",
        "cost_per_fte.permanent",
        "cost_per_fte.agency",
    ):
        g.input_row(ws, proj, CSC, m)
    for prefix in ("investment", "savings_planned", "savings_delivered", "other_spend"):
        for m in proj.family(CSC, prefix):
            g.input_row(ws, proj, CSC, m)
    g.input_row(ws, proj, CSC, "budget")
    g.input_row(ws, proj, CSC, "reconciliation", note="calibration")


def csc_calcs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """Children's social care as live formulas: placements, then staffing, investment,
    savings and other spend to net spend and the overspend."""
    g.section(ws, "children's social care (£000 unless stated)", proj.scenario)
    _placement_calcs(g, ws, proj)
    _spend_calcs(g, ws, proj)


def _placement_calcs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """Children in care and placement cost by type (children x weekly cost x weeks)."""
    s = proj.scenario

    def r(m, i):
        return g.ref(s, CSC, m, i, ws)

    types = _types(proj)
    g.total_row(ws, proj, CSC, "children_in_care", "Children in care (average in year)", True)
    for t in types:
        g.product_row(
            ws,
            proj,
            CSC,
            f"placement_cost.{t}",
            (f"children_in_care.{t}", f"weekly_cost.{t}", "weeks_in_year"),
            note="children x weekly x weeks",
        )
    g.total_row(ws, proj, CSC, "placement_cost", "Placement cost (all types)", True)


def _spend_calcs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """Staffing (establishment and the gap to the target caseload), the investment,
    savings and other spend totals, net spend and the overspend against the budget."""
    s = proj.scenario

    def r(m, i):
        return g.ref(s, CSC, m, i, ws)

    g.calc_row(
        ws,
        s,
        CSC,
        "staffing_cost.establishment",
        "Establishment: permanent social workers and agency staff covering vacancies",
        "GBP",
        lambda i: (
            f"{r('permanent_fte', i)}*{r('cost_per_fte.permanent', i)}"
            f"+{r('agency_cover_fte', i)}*{r('cost_per_fte.agency', i)}"
        ),
        note="FTE x cost per FTE",
    )
    g.product_row(
        ws,
        proj,
        CSC,
        "staffing_cost.gap_to_target",
        ("caseload.gap_agency_fte", "cost_per_fte.agency"),
        note="FTE x agency cost per FTE",
    )
    g.total_row(
        ws,
        proj,
        CSC,
        "staffing_cost",
        "Social worker staffing cost (with agency staff filling the gap to the target caseload)",
    )
    g.total_row(ws, proj, CSC, "agency_fte", "Agency social workers (all)")
    g.total_row(ws, proj, CSC, "staffing_fte", "Social workers in post (all)")
    for total, label in (
        ("investment", "Investing in Children"),
        ("savings_planned", "Savings planned"),
        ("savings_delivered", "Savings delivered (risk-adjusted)"),
        ("other_spend", "Other spend"),
    ):
        g.total_row(ws, proj, CSC, total, label)
    g.total_row(
        ws,
        proj,
        CSC,
        "savings_outside_csc",
        "Savings delivered by other council services (not set against this overspend)",
    )
    g.total_row(
        ws,
        proj,
        CSC,
        "savings_delivered_csc",
        "Savings delivered that reduce children's social care spend",
    )
    g.link_row(ws, proj, CSC, "continuing_allowances", "Allowances continuing after leaving care")
    g.link_row(ws, proj, CSC, "reconciliation", "Reconciliation to the base-year outturn")
    g.total_row(
        ws,
        proj,
        CSC,
        "net_spend",
        "Net spend = placements + allowances + staffing + investment + other + reconciliation "
        "- savings delivered in children's social care",
        True,
    )
    g.link_row(ws, proj, CSC, "budget", "Net budget")
    g.total_row(ws, proj, CSC, "overspend", "Overspend (positive) = net spend - budget", True)


def _provisions(proj: Projection) -> list[str]:
    return proj.kinds(DSG, "ehcp_total")


def dsg_inputs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    g.section(ws, "high-needs drivers", proj.scenario)
    provisions = _provisions(proj)
    for p in provisions:
        g.input_row(ws, proj, DSG, f"ehcp.{p}")
    for p in provisions:
        g.input_row(ws, proj, DSG, f"cost_per_place.{p}", note="with inflation")
    g.input_row(ws, proj, DSG, "ap_places", note="exclusions x years")
    g.input_row(ws, proj, DSG, "cost_per_place.alternative_provision", note="with inflation")
    for m in fixed_lines(proj):
        g.input_row(ws, proj, DSG, m)
    for m in (
        "high_needs_income",
        "schools_block",
        "other_dsg_blocks",
        "other_contributions",
        "transfer_requested",
        "transfer_limit_share",
        "forum_approves",
        "disapplication_granted",
    ):
        g.input_row(ws, proj, DSG, m)
    if has_safety_valve(proj):
        for m in SAFETY_VALVE_INPUTS:
            g.input_row(ws, proj, DSG, m)
    g.input_row(ws, proj, DSG, "pupils")
    g.input_row(ws, proj, DSG, "specialist_share_national")
    g.input_row(
        ws,
        proj,
        DSG,
        "cumulative_deficit",
        "Deficit at the end of the base year",
        only_first=True,
        note="brought forward",
        key="deficit_brought_forward",
    )


SAFETY_VALVE_INPUTS = (
    "safety_valve.council_contribution",
    "safety_valve.dfe_payment_agreed",
    "safety_valve.milestone",
    "safety_valve.milestone_set",
)


def has_safety_valve(proj: Projection) -> bool:
    """Whether the scenario has a safety-valve style agreement (its lines are in the engine's
    output only then)."""
    return (DSG, "safety_valve.dfe_payment") in proj.lines


def _safety_valve_calcs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """The agreement year by year: the council's contribution, the in-year deficit before
    DfE's payment, the milestone test and the payment made or withheld."""
    s = proj.scenario

    def r(m, i):
        return g.ref(s, DSG, m, i, ws)

    g.section(ws, "safety-valve agreement: DfE's payment only where the milestone is met", s)
    g.link_row(ws, proj, DSG, "safety_valve.council_contribution", "Council contribution")
    g.total_row(
        ws,
        proj,
        DSG,
        "safety_valve.in_year_deficit_before_payment",
        "In-year deficit before DfE's payment = expenditure - income - transfer - "
        "contributions - council contribution",
    )
    g.link_row(
        ws,
        proj,
        DSG,
        "safety_valve.milestone",
        "Milestone: the in-year deficit before DfE's payment not to exceed",
    )
    g.calc_row(
        ws,
        s,
        DSG,
        "safety_valve.condition_met",
        "Condition met (1 yes: within the milestone or no milestone; 0: payment withheld)",
        "count",
        lambda i: (
            f"IF(OR({r('safety_valve.milestone_set', i)}=0,"
            f"{r('safety_valve.in_year_deficit_before_payment', i)}"
            f"-{r('safety_valve.milestone_link', i)}<={HALF_PENNY}),1,0)"
        ),
        note="half a penny's rounding allowed",
    )
    g.calc_row(
        ws,
        s,
        DSG,
        "safety_valve.dfe_payment",
        "DfE payment made = agreed x condition met",
        "GBP",
        lambda i: f"{r('safety_valve.dfe_payment_agreed', i)}*{r('safety_valve.condition_met', i)}",
        total=True,
    )


def provision_spend_lines(proj: Projection) -> list[str]:
    """The engine's high-needs spend line of each provision (``expenditure.<provision>``)."""
    return [f"expenditure.{p}" for p in _provisions(proj)]


def fixed_lines(proj: Projection) -> list[str]:
    """The high-needs spend lines the workbook takes as given (fixed lines, further savings,
    the reconciliation): every part of expenditure but the provisions and alternative
    provision, which it calculates."""
    computed = {*provision_spend_lines(proj), f"expenditure.{ALTERNATIVE_PROVISION}"}
    return [m for m in proj.family(DSG, "high_needs_expenditure") if m not in computed]


def dsg_calcs(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """The high-needs block as live formulas: plans and specialist share, spend, the
    schools-block transfer under the Forum's limit, any safety-valve agreement, the roll-forward."""
    _plans_and_spend(g, ws, proj)
    _transfer(g, ws, proj)
    if has_safety_valve(proj):
        _safety_valve_calcs(g, ws, proj)
    _roll_forward(g, ws, proj)


def _plans_and_spend(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """EHCPs and the specialist share; spend by provision (plans x cost per place),
    alternative provision (places x cost per place), the other lines, and their total."""
    s = proj.scenario

    def r(m, i):
        return g.ref(s, DSG, m, i, ws)

    g.section(ws, "DSG high needs (£000 unless stated)", s)
    provisions = _provisions(proj)
    g.total_row(ws, proj, DSG, "ehcp_total", "EHCPs (January census)", True)
    g.total_row(ws, proj, DSG, "specialist_placements")
    g.calc_row(
        ws,
        s,
        DSG,
        "specialist_share_of_pupils",
        "Pupils in specialist provision, share of all pupils",
        "ratio",
        lambda i: f"{r('specialist_placements', i)}/{r('pupils', i)}",
    )
    g.link_row(ws, proj, DSG, "specialist_share_national", "... in England")
    for p in provisions:
        g.product_row(
            ws,
            proj,
            DSG,
            f"expenditure.{p}",
            (f"ehcp.{p}", f"cost_per_place.{p}"),
            note="plans x cost per place",
        )
    g.product_row(
        ws,
        proj,
        DSG,
        "expenditure.alternative_provision",
        ("ap_places", "cost_per_place.alternative_provision"),
        note="places x cost per place",
    )
    for m in fixed_lines(proj):
        g.link_row(ws, proj, DSG, m)
    g.total_row(ws, proj, DSG, "high_needs_expenditure", "High-needs expenditure", True)
    g.link_row(ws, proj, DSG, "high_needs_income", "High-needs block allocation")


def _transfer(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """The schools-block transfer: the request against the Forum's limit, whether it needs a
    disapplication, and the transfer made under the Forum's and Secretary of State's
    decisions."""
    s = proj.scenario

    def r(m, i):
        return g.ref(s, DSG, m, i, ws)

    g.section(ws, f"schools-block transfer and the {transfer_limit(proj)} test", s)
    g.link_row(ws, proj, DSG, "transfer_requested", "Transfer proposed")
    g.calc_row(
        ws,
        s,
        DSG,
        "transfer_pct_of_schools_block",
        "Proposed transfer as a share of the schools block",
        "ratio",
        lambda i: (
            f"IF({r('schools_block', i)}>0,{r('transfer_requested', i)}/{r('schools_block', i)},0)"
        ),
    )
    g.calc_row(
        ws,
        s,
        DSG,
        "transfer_limit",
        "Most the Forum may approve",
        "GBP",
        lambda i: f"{r('transfer_limit_share', i)}*{r('schools_block', i)}",
    )
    g.calc_row(
        ws,
        s,
        DSG,
        "transfer_needs_disapplication",
        "Needs a disapplication (1 yes: above the limit or refused by the Forum)",
        "count",
        lambda i: (
            f"IF(AND({r('transfer_requested', i)}>0,OR({r('transfer_requested', i)}"
            f">{r('transfer_limit', i)},{r('forum_approves', i)}=0)),1,0)"
        ),
    )
    g.calc_row(
        ws,
        s,
        DSG,
        "schools_block_transfer",
        "Schools-block transfer made",
        "GBP",
        lambda i: (
            f"IF({r('transfer_requested', i)}>0,IF({r('transfer_needs_disapplication', i)}"
            f"=0,{r('transfer_requested', i)},IF({r('disapplication_granted', i)}=1,"
            f"{r('transfer_requested', i)},IF({r('forum_approves', i)}=1,"
            f"MIN({r('transfer_requested', i)},{r('transfer_limit', i)}),0))),0)"
        ),
        total=True,
    )


def _roll_forward(g: Grid, ws: Worksheet, proj: Projection) -> None:
    """The in-year deficit from its parts, and the cumulative deficit carried forward
    (brought forward in the base year), with its share of the whole DSG."""
    s = proj.scenario

    def r(m, i):
        return g.ref(s, DSG, m, i, ws)

    agreement = has_safety_valve(proj)
    g.section(ws, "deficit (positive) roll-forward", s)
    g.total_row(
        ws,
        proj,
        DSG,
        "in_year_deficit",
        "In-year deficit = expenditure - income - transfer - contributions"
        + (" - safety-valve council contribution - DfE payment made" if agreement else ""),
    )
    row_open = g.next_row[ws.title]
    row_cum = row_open + 1
    g.calc_row(
        ws,
        s,
        DSG,
        "opening_deficit",
        "Cumulative deficit brought forward",
        "GBP",
        lambda i: (
            f"{g.col(i)}{row_cum}-{r('in_year_deficit', i)}"
            if i == 0
            else f"{g.col(i - 1)}{row_cum}"
        ),
        note="first year: derived",
    )
    roll_forward = g.parts_formula(proj, DSG, "cumulative_deficit", ws)
    g.calc_row(
        ws,
        s,
        DSG,
        "cumulative_deficit",
        "Cumulative deficit carried forward",
        "GBP",
        lambda i: r("deficit_brought_forward", 0) if i == 0 else roll_forward(i),
        total=True,
        note="base year: brought forward",
    )
    g.total_row(ws, proj, DSG, "total_dsg", "Total DSG (all blocks)")
    g.calc_row(
        ws,
        s,
        DSG,
        "deficit_share_of_dsg",
        "Cumulative deficit as a share of total DSG",
        "ratio",
        lambda i: f"{g.col(i)}{row_cum}/{r('total_dsg', i)}",
    )


def tolerance_cell(ws: Worksheet, row: int) -> str:
    """An input cell holding the tolerance (in pounds) for checks against the engine."""
    text(ws.cell(row, 1), "Tolerance for agreement with the engine (£)")
    c = ws.cell(row, 5, 1.0)
    c.number_format = GBP
    c.fill, c.font = INPUT_FILL, INPUT_FONT
    return f"$E${row}"
