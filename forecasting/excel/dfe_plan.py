"""The Forum workbook in the shape of the DfE's DSG management plan template.

Three sheets a Schools' Forum already knows from that template:

- **DSG plan**: for the plan scenario, the grant by block (schools, central school services
  and early years, high needs), the movement between blocks (the schools-block transfer),
  each block's funding after movements, high-needs spend by provision against its funding,
  the in-year and cumulative DSG position, and EHCPs by provision. Live links and sums over
  the Inputs and High needs sheets; the Checks sheet ties its totals to the engine.
- **Mitigations**: each action in the plan that moves the DSG position, its value by year,
  when it starts, whether it is rated, and what has been delivered so far.
- **Narrative**: the officer's own words, written in the assumption files.

These are views of the engine's lines: nothing here decides a figure. Where the model does
not hold something the template asks for (the central school services and early years
blocks are one line; spend of blocks other than high needs is not modelled) the sheet says
so rather than inventing a split.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..formats import HALF_POUND
from ..formats import prose_millions as _m
from ..names import ALTERNATIVE_PROVISION, FURTHER_SAVINGS, POST16
from ..projection import Projection
from ..years import workbook_label
from .checks import COUNT_TOLERANCE
from .front import AUDIT_FONT, LINE_HEIGHT, fit_rows, one_page_wide
from .grid import FIRST_COL, NOTE, Grid, quoted
from .labels import transfer_limit
from .models import DSG, has_safety_valve, provision_spend_lines
from .styles import TITLE, TOP, WRAP, cell_style, header_row, set_widths, text

if TYPE_CHECKING:
    from ..run import Run

PLAN = "plan"  # grid area of the DSG plan sheet's rows
MITIGATION = "mitigation"  # grid area of the mitigations log's rows
# A provision's share of school-age plans moved by the plan when the move is at least half a
# child in the last year (less is the rounding of children between provisions, not a move)
HALF_A_CHILD = 0.5
PLAN_SHEET, MITIGATIONS_SHEET, NARRATIVE_SHEET = "DSG plan", "Mitigations", "Narrative"
NOTE_ROW = Font(italic=True, color="595959", size=10)


def _note(ws: Worksheet, g: Grid, words: str) -> None:
    """A line of explanation across the sheet, in the row the grid would use next."""
    r = g.next_row[ws.title]
    text(ws.cell(r, 1), words).font = NOTE_ROW
    g.next_row[ws.title] = r + 1


# ------------------------------------------------------------------------ DSG plan


def spend_rows(g: Grid, proj: Projection) -> list[tuple[str, str]]:
    """(grid key, label) of each high-needs spend line of a scenario on the High needs
    sheet, in its order: provisions, alternative provision, the fixed and other lines."""
    return [
        (g.shown(proj.scenario, DSG, m), proj.lines[(DSG, m)].label.split(": ", 1)[-1])
        for _, m in proj.lines[(DSG, "high_needs_expenditure")].parts
    ]


@dataclass
class _PlanRows:
    """Writes rows of the DSG plan sheet for one scenario, linking to the High needs
    sheet's rows (``r``) and to the plan's own rows (``p``); its totals are the engine's
    (``total``)."""

    g: Grid
    ws: Worksheet
    proj: Projection

    @property
    def s(self) -> str:
        return self.proj.scenario

    def r(self, m: str, i: int) -> str:
        """The High needs (or Inputs) sheet's cell of line ``m`` in year ``i``."""
        return self.g.ref(self.s, DSG, m, i, self.ws)

    def p(self, m: str, i: int) -> str:
        """The plan sheet's own cell of row ``m`` in year ``i``."""
        return self.g.ref(self.s, PLAN, m, i, self.ws)

    def row(self, key, label, formula, unit="GBP", total=False, note="") -> None:
        """A row of the plan: its label and a formula for each year."""
        self.g.calc_row(self.ws, self.s, PLAN, key, label, unit, formula, total=total, note=note)

    def sum(self, keys: list[str]):
        """A formula adding the plan's rows ``keys``."""
        return self.g.sum_formula(self.s, PLAN, keys, self.ws)

    def total(self, measure: str, label: str, rows: Mapping[str, str] | None = None, **kw):
        """A row computing the engine's total ``measure`` from its parts as the plan lays
        them out: each part from the plan's row ``rows[part]`` (or of the part's name)."""
        formula = self.g.parts_formula(self.proj, DSG, measure, self.ws, (PLAN, rows or {}))
        self.row(measure, label, formula, total=True, **kw)

    def section(self, title: str) -> None:
        """A section heading on the plan sheet."""
        self.g.section(self.ws, title)


def dsg_plan_sheet(wb: Workbook, g: Grid, proj: Projection) -> Worksheet:
    """The DfE template's financial summary for one scenario, as links and sums over the
    rows the High needs and Inputs sheets already hold."""
    s = proj.scenario
    ws = wb.create_sheet(PLAN_SHEET)
    g.sheet(
        ws,
        f"DSG management plan: {g.label(s)}",
        "In the shape of the DfE's DSG management plan template. £000; deficits positive. "
        "Links and sums over the Inputs and High needs sheets (every scenario is there).",
    )
    t = _PlanRows(g, ws, proj)
    _plan_funding(t)
    _plan_movements(t)
    _plan_high_needs(t, proj)
    _plan_position(t)
    _plan_ehcps(t, proj)
    set_widths(ws, {3: 16, 4: 26})
    ws.row_dimensions[4].height = 2 * LINE_HEIGHT  # "2019/20 forecast" on two lines
    ws.page_setup.fitToHeight = 1  # the template's summary on one page
    return ws


def _plan_funding(t: _PlanRows) -> None:
    """The grant by block: schools, central school services and early years (one line in
    the model), high needs, and the total DSG."""
    t.section("DSG funding by block")
    t.row("schools_block", "Schools block", lambda i: t.r("schools_block", i))
    t.row(
        "other_dsg_blocks",
        "Central school services and early years blocks",
        lambda i: t.r("other_dsg_blocks", i),
        note="one line in the model: not split",
    )
    t.row("high_needs_income", "High needs block", lambda i: t.r("high_needs_income", i))
    t.total("total_dsg", "Total DSG")


def _plan_movements(t: _PlanRows) -> None:
    """The schools-block transfer as a movement out of one block and into the other (net
    nil), and each block's funding after it."""
    t.section("Movements between blocks")
    t.row(
        "transfer_out",
        "Schools block: transfer to the high needs block",
        lambda i: f"-{t.r('schools_block_transfer', i)}",
        note="the transfer made (High needs sheet)",
    )
    t.row(
        "transfer_in",
        "High needs block: transfer from the schools block",
        lambda i: t.r("schools_block_transfer", i),
    )
    t.row(
        "net_movement",
        "Net movement between blocks (nil)",
        t.sum(["transfer_out", "transfer_in"]),
        total=True,
    )
    _note(
        t.ws,
        t.g,
        "No movement to or from the central school services and early years blocks is modelled.",
    )
    t.section("Funding after movements")
    t.row(
        "schools_after",
        "Schools block",
        lambda i: f"{t.p('schools_block', i)}+{t.p('transfer_out', i)}",
    )
    t.row(
        "other_after",
        "Central school services and early years blocks",
        lambda i: t.p("other_dsg_blocks", i),
    )
    t.row(
        "high_needs_after",
        "High needs block",
        lambda i: f"{t.p('high_needs_income', i)}+{t.p('transfer_in', i)}",
    )
    t.row(
        "total_after",
        "Total DSG after movements",
        t.sum(["schools_after", "other_after", "high_needs_after"]),
        total=True,
    )


def _plan_high_needs(t: _PlanRows, proj: Projection) -> None:
    """High-needs spend by provision against the block's funding after movements and the
    other contributions (a safety-valve agreement's too): the in-year deficit."""
    t.section("High needs block: spend by provision against funding")
    spend = spend_rows(t.g, proj)
    for key, label in spend:
        t.row(f"spend.{key}", label, lambda i, key=key: t.r(key, i))
    t.total(
        "high_needs_expenditure",
        "High-needs spend",
        {
            m: f"spend.{t.g.shown(t.s, DSG, m)}"
            for _, m in proj.lines[(DSG, "high_needs_expenditure")].parts
        },
    )
    t.row(
        "high_needs_funding",
        "High-needs funding after movements",
        lambda i: t.p("high_needs_after", i),
    )
    t.row(
        "other_contributions",
        "Other contributions (DfE agreement, council)",
        lambda i: t.r("other_contributions", i),
    )
    agreement = has_safety_valve(proj)
    if agreement:
        t.row(
            "safety_valve.council_contribution",
            "Safety-valve agreement: council contribution",
            lambda i: t.r("safety_valve.council_contribution", i),
        )
        t.row(
            "safety_valve.dfe_payment",
            "Safety-valve agreement: DfE payment made (milestone met)",
            lambda i: t.r("safety_valve.dfe_payment", i),
            note="withheld in a year whose milestone is missed",
        )
    t.total(
        "in_year_deficit",
        "In-year deficit: spend less funding, contributions"
        + (", safety-valve contribution and payment" if agreement else ""),
        {"high_needs_income": "high_needs_funding", "schools_block_transfer": "high_needs_funding"},
    )
    _note(
        t.ws,
        t.g,
        "Spend of the schools, central school services and early years blocks is not "
        "modelled: each is taken to spend its funding after movements, so the DSG's in-year "
        "position is the high needs block's.",
    )


def _plan_position(t: _PlanRows) -> None:
    """The DSG position: the cumulative deficit brought forward, the year's deficit, the
    deficit carried forward and its share of the total grant."""
    t.section("DSG position (deficit positive)")
    t.row(
        "opening_deficit",
        "Cumulative deficit brought forward",
        lambda i: t.r("opening_deficit", i),
    )
    t.row("in_year_link", "In-year deficit", lambda i: t.p("in_year_deficit", i))
    t.total(
        "cumulative_deficit",
        "Cumulative deficit carried forward",
        {"in_year_deficit": "in_year_link"},
    )
    t.row(
        "deficit_share_of_dsg",
        "Cumulative deficit as a share of total DSG",
        lambda i: t.r("deficit_share_of_dsg", i),
        unit="ratio",
    )


def _plan_ehcps(t: _PlanRows, proj: Projection) -> None:
    """EHCPs by provision at the January census, and their total."""
    t.section("EHCPs by provision (January census)")
    provisions = proj.family(DSG, "ehcp_total")
    for m in provisions:
        t.row(
            m,
            proj.lines[(DSG, m)].label.split(": ", 1)[-1],
            lambda i, m=m: t.r(m, i),
            unit="count",
        )
    t.total("ehcp_total", "EHCPs", unit="count")
    _note(
        t.ws,
        t.g,
        "The model forecasts EHCPs by provision, not by age; the published counts by SEN2 "
        "age band are on the History sheet where the national dataset has the council.",
    )


def plan_checks(g: Grid, ws: Worksheet, proj: Projection, tol: str, no_action: str | None) -> None:
    """Rows for the Checks sheet tying the DSG plan (and the mitigations log, when it is
    valued against the no-action scenario ``no_action``) to the High needs sheet and the
    engine."""
    s = proj.scenario

    def r(m: str, i: int) -> str:
        return g.ref(s, DSG, m, i, ws)

    def p(m: str, i: int) -> str:
        return g.ref(s, PLAN, m, i, ws)

    rows = [
        (
            "DSG plan: total DSG = the High needs sheet's total",
            lambda i: f"ABS({p('total_dsg', i)}-{r('total_dsg', i)})<={tol}",
        ),
        (
            "DSG plan: movements between blocks net to nil",
            lambda i: f"ABS({p('net_movement', i)})<={tol}",
        ),
        (
            "DSG plan: funding after movements = total DSG",
            lambda i: f"ABS({p('total_after', i)}-{p('total_dsg', i)})<={tol}",
        ),
        (
            "DSG plan: spend by provision = high-needs expenditure",
            lambda i: (
                f"ABS({p('high_needs_expenditure', i)}-{r('high_needs_expenditure', i)})<={tol}"
            ),
        ),
        (
            "DSG plan: in-year deficit = the High needs sheet's",
            lambda i: f"ABS({p('in_year_deficit', i)}-{r('in_year_deficit', i)})<={tol}",
        ),
        (
            "DSG plan: deficit carried forward agrees with the engine",
            lambda i: (
                f"ABS({p('cumulative_deficit', i)}-{r('engine.cumulative_deficit', i)})<={tol}"
            ),
        ),
        (
            "DSG plan: EHCPs by provision add up to the EHCPs total",
            lambda i: f"ABS({p('ehcp_total', i)}-{r('ehcp_total', i)})<={COUNT_TOLERANCE}",
        ),
    ]
    if no_action:

        def log_complete(i: int) -> str:
            gap = (
                f"{g.ref(no_action, DSG, 'cumulative_deficit', i, ws)}-{r('cumulative_deficit', i)}"
            )
            if i == 0:
                return f"ABS({gap})<={tol}"
            row = g.where[(s, MITIGATION, "total")][1]
            span = f"{quoted(g.where[(s, MITIGATION, 'total')][0])}{g.col(1)}{row}:{g.col(i)}{row}"
            return f"ABS({gap}-SUM({span}))<={tol}"

        rows.append(
            (
                "Mitigations log: no-action deficit less the plan's = the mitigations to date",
                log_complete,
            )
        )
    g.section(ws, "DSG plan and mitigations log", s)
    for k, (label, formula) in enumerate(rows):
        g.calc_row(
            ws, s, "check", f"check.plan.{k}", label, "flag", formula, number_format="General"
        )


# --------------------------------------------------------------------- mitigations


@dataclass
class Mitigation:
    """One line of the mitigations log: what it is, its value by year (pounds a year off
    the DSG deficit, None where the log cannot value it), and its status."""

    key: str
    title: str
    description: str
    values: np.ndarray | None
    status: str
    rag: str = "not rated"


def _line(proj: Projection, measure: str) -> np.ndarray:
    return proj[(DSG, measure)][0]


def mitigations(run: Run, plan: Projection) -> list[Mitigation]:
    """The plan's DSG mitigations, valued from the engine's lines: transfers, further
    savings, contributions and a safety-valve agreement's contributions and payments made
    as the plan's own lines; fewer exclusions and the change in
    where children are placed as the difference in that spend from the no-action scenario
    (which has neither)."""
    no_action = run.no_action
    base = no_action if no_action is not plan else None
    return [
        _transfer_mitigation(plan),
        _exclusions_mitigation(plan, base),
        _placement_mix_mitigation(plan, base),
        *_funded_mitigations(plan),
        *_safety_valve_mitigations(plan),
    ]


def _transfer_mitigation(plan: Projection) -> Mitigation:
    """The schools-block transfer: what is asked and made, over which years, and whose
    approval it needs (the Forum's within its limit, else the Secretary of State's)."""
    years = plan.years
    transfer = _line(plan, "schools_block_transfer")
    asked = _line(plan, "transfer_requested")
    needs = _line(plan, "transfer_needs_disapplication")
    above = _line(plan, "transfer_above_limit")
    granted = _line(plan, "disapplication_granted")
    proposed = [i for i, v in enumerate(asked) if v > 0]
    if proposed:
        span = f"{workbook_label(years[proposed[0]])} to {workbook_label(years[proposed[-1]])}"
        who = (
            "needs the Secretary of State's disapplication (above the "
            f"{transfer_limit(plan)} the Forum may approve)"
            if above[proposed].any()
            else "needs the Secretary of State (the Forum refuses)"
            if needs[proposed].any()
            else f"within the {transfer_limit(plan)} the Forum may approve"
        )
        taken = (
            "; the forecast takes it as granted"
            if needs[proposed].any() and granted[proposed].all()
            else ""
        )
        status = f"Proposed for {span}: {who}{taken}"
        description = (
            f"Transfer from the schools block to the high needs block: {_m(asked[proposed[0]])}"
            f" a year proposed, {_m(transfer.sum())} in all made in the forecast"
        )
    else:
        status, description = "None proposed", "Transfer from the schools block: none proposed"
    return Mitigation(
        "schools_block_transfer", "Schools-block transfer", description, transfer, status
    )


def _exclusions_mitigation(plan: Projection, base: Projection | None) -> Mitigation:
    """Fewer permanent exclusions than on trend, valued as the alternative-provision spend
    saved against the no-action scenario (not valued without one)."""
    years = plan.years
    ap = f"expenditure.{ALTERNATIVE_PROVISION}"
    trend = _line(plan, "permanent_exclusions_trend")
    actual = _line(plan, "permanent_exclusions")
    cut = trend - actual
    if cut.any():
        last = int(np.flatnonzero(cut)[-1])
        description = (
            f"Fewer permanent exclusions than on trend ({cut[last]:,.0f} fewer in "
            f"{workbook_label(years[last])}), so fewer alternative provision places"
        )
    else:
        description = "Fewer permanent exclusions: none planned"
    return Mitigation(
        "exclusions",
        "Fewer permanent exclusions",
        description,
        _line(base, ap) - _line(plan, ap) if base is not None else None,
        "In the plan" if cut.any() else "Not in this plan",
    )


def _placement_mix_mitigation(plan: Projection, base: Projection | None) -> Mitigation:
    """The change in where children with EHCPs are placed: each provision's share of
    school-age plans against the no-action scenario, valued as the provision spend saved."""
    years = plan.years

    def shares(p: Projection, m: str) -> np.ndarray:
        school = _line(p, "ehcp_school_age")
        return _line(p, m) / np.where(school > 0, school, 1)

    # What the plan changes: its share of school-age plans in each provision against the
    # no-action scenario's in the same year (a shift both share, such as children placed
    # elsewhere when special schools are full, is not the plan's doing).
    moves = []
    for m in plan.family(DSG, "ehcp_total"):
        if m != f"ehcp.{POST16}":
            mine = shares(plan, m)
            other = shares(base, m) if base is not None and (DSG, m) in base.lines else mine[:1]
            if abs(mine[-1] - other[-1]) * _line(plan, "ehcp_school_age")[-1] >= HALF_A_CHILD:
                label = plan.lines[(DSG, m)].label.split(": ", 1)[-1]
                against = "with no action" if base is not None else f"in {workbook_label(years[0])}"
                moves.append(f"{label} {mine[-1]:.0%} ({other[-1]:.0%} {against})")
    description = (
        "Where children with EHCPs are placed, share of school-age plans in "
        f"{workbook_label(years[-1])}: " + "; ".join(moves)
        if moves
        else "Where children with EHCPs are placed: no change planned"
    )
    spend = provision_spend_lines(plan)
    return Mitigation(
        "placement_mix",
        "Change in where children with EHCPs are placed",
        description,
        sum(_line(base, m) - _line(plan, m) for m in spend) if base is not None else None,
        "In the plan" if moves else "Not in this plan",
    )


def _funded_mitigations(plan: Projection) -> list[Mitigation]:
    """Further high-needs savings and contributions to the high needs block, as the plan's
    own lines."""
    out = []
    savings = -_line(plan, f"expenditure.{FURTHER_SAVINGS}")
    out.append(
        Mitigation(
            FURTHER_SAVINGS,
            "Further high-needs savings",
            "Further savings in high-needs spend beyond the lines above"
            + ("" if savings.any() else ": none in this plan (What it takes gives the amount)"),
            savings,
            "In the plan" if savings.any() else "Not in this plan",
        )
    )
    contributions = _line(plan, "other_contributions")
    out.append(
        Mitigation(
            "other_contributions",
            "Contributions to the high needs block",
            "A DfE agreement or a council contribution"
            + ("" if contributions.any() else ": none assumed"),
            contributions,
            "In the plan" if contributions.any() else "Not in this plan",
        )
    )
    return out


def _safety_valve_mitigations(plan: Projection) -> list[Mitigation]:
    """A safety-valve style agreement in the plan as two actions: the council's contributions
    and DfE's payments, each payment made only in a year whose milestone is met."""
    if not has_safety_valve(plan):
        return []
    years = plan.years
    name = plan.lines[(DSG, "safety_valve.dfe_payment")].label.split(": ", 1)[0]
    council = _line(plan, "safety_valve.council_contribution")
    agreed = _line(plan, "safety_valve.dfe_payment_agreed")
    paid = _line(plan, "safety_valve.dfe_payment")
    withheld = [workbook_label(years[i]) for i in np.flatnonzero((agreed > 0) & (paid == 0))]
    return [
        Mitigation(
            "safety_valve.council_contribution",
            "Council contribution (safety-valve agreement)",
            f"{name}: the council's own contribution to the high needs block, "
            f"{_m(council.sum())} in all",
            council,
            "In the plan" if council.any() else "None in the agreement",
        ),
        Mitigation(
            "safety_valve.dfe_payment",
            "DfE payments (safety-valve agreement)",
            f"{name}: {_m(agreed.sum())} agreed, each year's payment made only if that "
            f"year's in-year deficit milestone is met; {_m(paid.sum())} made in the forecast",
            paid,
            "Milestone missed, payment withheld in " + ", ".join(withheld)
            if withheld
            else "In the plan: every milestone met",
        ),
    ]


def _formula(g: Grid, plan: str, key: str, ws: Worksheet, spend: list[str], no_action: str):
    """The live formula that values a mitigation from the High needs sheet."""
    if key == "schools_block_transfer":
        return lambda i: g.ref(plan, DSG, "schools_block_transfer", i, ws)
    if key == "exclusions":
        ap = f"expenditure.{ALTERNATIVE_PROVISION}"
        return lambda i: f"{g.ref(no_action, DSG, ap, i, ws)}-{g.ref(plan, DSG, ap, i, ws)}"
    if key == "placement_mix":
        without, with_ = (
            g.sum_formula(no_action, DSG, spend, ws),
            g.sum_formula(plan, DSG, spend, ws),
        )
        return lambda i: f"{without(i)}-{with_(i)}"
    if key == FURTHER_SAVINGS:
        return lambda i: f"-{g.ref(plan, DSG, f'expenditure.{FURTHER_SAVINGS}', i, ws)}"
    if key.startswith("safety_valve."):
        return lambda i: g.ref(plan, DSG, key, i, ws)
    return lambda i: g.ref(plan, DSG, "other_contributions", i, ws)


def mitigations_sheet(wb: Workbook, g: Grid, run: Run, plan: Projection) -> Worksheet:
    """The mitigations log: each DSG action of the plan with its value by year (live
    formulas over the High needs sheet), start, RAG and what is delivered to date."""
    s = plan.scenario
    no_action = run.no_action.scenario if run.no_action is not None else ""
    ws = wb.create_sheet(MITIGATIONS_SHEET)
    g.sheet(
        ws,
        f"Mitigations log: {g.label(s)}",
        "Each action in the plan that reduces the DSG deficit, £000 a year off the deficit. "
        f"Where an action changes spend, its value is the difference from '{g.label(no_action)}'.",
    )
    _log_columns(ws, g)
    log = mitigations(run, plan)
    spend = provision_spend_lines(plan)
    valued = []
    g.section(ws, "DSG mitigations")
    for m in log:
        formula = None
        if m.values is not None:
            formula = _formula(g, s, m.key, ws, spend, no_action)
            valued.append(m.key)
        _log_row(ws, g, s, m, formula)
    g.calc_row(
        ws,
        s,
        MITIGATION,
        "total",
        "Total DSG mitigations",
        "GBP",
        g.sum_formula(s, MITIGATION, valued, ws),
        total=True,
    )
    g.next_row[ws.title] += 1
    _log_notes(ws, g, log)
    return ws


def _log_columns(ws: Worksheet, g: Grid) -> None:
    """The log's columns after the years: when each action starts, its RAG rating, what it
    has delivered to date and its status; and the widths that keep descriptions readable."""
    n = len(g.years)
    extra = ["Starts", "RAG", "Delivered to date", "Status"]
    header_row(ws, 4, extra, start_col=FIRST_COL + n)
    ws.row_dimensions[4].height = 2 * LINE_HEIGHT
    set_widths(ws, {FIRST_COL + n: 9, FIRST_COL + n + 1: 9, FIRST_COL + n + 2: 12})
    set_widths(ws, {FIRST_COL + n + 3: 40, 1: 30, 2: 6, 3: 12, 4: 50})
    set_widths(ws, {FIRST_COL + i: 10 for i in range(n)})


def _log_row(
    ws: Worksheet, g: Grid, s: str, m: Mitigation, formula: Callable[[int], str] | None
) -> None:
    """One action of the log: its value a year as a live formula (or a note where it cannot
    be valued), what it is, when it starts, its rating, delivery to date and status."""
    n = len(g.years)
    if formula is not None:
        r = g.calc_row(ws, s, MITIGATION, m.key, m.title, "GBP", formula)
    else:
        r = g.next_row[ws.title]
        text(ws.cell(r, 1), m.title)
        cell_style(text(ws.cell(r, 3), m.key), "note")
        text(ws.cell(r, FIRST_COL), "not valued: the set has no no-action scenario")
        g.next_row[ws.title] = r + 1
    text(ws.cell(r, 4), m.description).alignment = WRAP
    ws.cell(r, 1).alignment = WRAP
    fit_rows(ws, r, len(m.description), 50)
    for c in (2, 3, *range(FIRST_COL, FIRST_COL + n)):
        ws.cell(r, c).alignment = TOP
    ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, 2 * LINE_HEIGHT)
    start, delivered = "", ""
    if m.values is not None:
        on = [i for i in range(g.actual, n) if abs(m.values[i]) > HALF_POUND]
        start = workbook_label(g.years[on[0]]) if on else "-"
        done = float(np.sum(m.values[: g.actual]))
        delivered = _m(done) if abs(done) > HALF_POUND else "not yet (forecast)"
    for c, v in enumerate((start, m.rag, delivered, m.status), start=FIRST_COL + n):
        text(ws.cell(r, c), v).alignment = WRAP
    fit_rows(ws, r, len(m.status), 40)


def _log_notes(ws: Worksheet, g: Grid, log: list[Mitigation]) -> None:
    """The notes under the log: why nothing is rated, whether anything is delivered yet,
    why children's social care savings are not here, and what the total proves."""
    for words in (
        "RAG: the assumption files rate only children's social care savings; the DSG actions "
        "carry no rating, so none is shown.",
        "Delivered to date: the actual year holds no mitigation, so every figure is a "
        "forecast, not yet delivered."
        if all(m.values is None or not np.any(m.values[: g.actual]) for m in log)
        else "Delivered to date: what the actual years hold.",
        "Children's social care savings are the council's general fund, not the DSG: they "
        "are not the Forum's and are left out (the cabinet workbook lists them).",
        "The total, added to the plan's deficit year by year, gives the no-action deficit: "
        "the Checks sheet proves it.",
    ):
        _note(ws, g, words)


# ----------------------------------------------------------------------- narrative


def narrative_sheet(wb: Workbook, run: Run, audience: str = "forum") -> Worksheet:
    """The officer's narrative for ``audience`` as written in the assumption set, and where
    to edit it."""
    scenario = run.scenarios[0]
    council = scenario.assumptions.council
    paragraphs = getattr(council.narrative, audience, None) or {}
    ws = wb.create_sheet(NARRATIVE_SHEET)
    set_widths(ws, {1: 110, 2: 18})
    text(ws.cell(1, 1), f"Narrative: {council.name}").font = TITLE
    loc = scenario.where(f"council.narrative.{audience}")
    place = f"{Path(loc.file).name}" if loc else "general.yaml"
    text(
        ws.cell(2, 1),
        f"Written by the council's officers, not by the forecast. To change it, edit "
        f"council: narrative: {audience}: in {place} of the assumption set (one paragraph "
        "per name), or the General sheet of the inputs workbook, and run the forecast again.",
    ).font = NOTE
    ws.cell(2, 1).alignment = WRAP
    fit_rows(ws, 2, 260, 110)
    r = 4
    if not paragraphs:
        text(ws.cell(r, 1), "This assumption set has no narrative for this audience yet.")
    for name, words in paragraphs.items():
        text(ws.cell(r, 1), " ".join(str(words).split())).alignment = WRAP
        text(ws.cell(r, 2), name).font = AUDIT_FONT
        ws.cell(r, 2).alignment = TOP
        fit_rows(ws, r, len(str(words)), 110)
        ws.row_dimensions[r].height += 6
        r += 1
    one_page_wide(ws)
    return ws
