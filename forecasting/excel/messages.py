"""Key messages for a cover sheet, in words and figures taken from the forecast."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..calibration import CHECK, calibration_warnings
from ..formats import prose_millions as _m
from ..years import workbook_label, year_end
from .front import scenario_labels

if TYPE_CHECKING:
    from ..projection import Projection
    from ..run import Run


def _title(run: Run, name: str) -> str:
    """A scenario as a reader knows it: its title from the scenario file."""
    return scenario_labels(run).get(name, name)


def warnings(run: Run, area: str) -> list[str]:
    """The calibration guard's warnings for one area, first on a cover: read them before
    the figures."""
    name = CHECK[area][1]
    return [f"WARNING: {w}" for w in calibration_warnings(run.projections) if w.startswith(name)]


class Proposal(NamedTuple):
    """The first transfer the plan proposes: its year, its share of the schools block and
    whether it is above the share the Forum may approve (the engine's flag)."""

    year: str
    share: float
    above: bool
    limit: float

    def against_limit(self) -> str:
        """``within the 0.5% the Forum may approve`` (the set's limit), or ``above`` it."""
        return f"{'above' if self.above else 'within'} the {self.limit:.1%} the Forum may approve"


def transfer_proposed(plan: Projection) -> Proposal | None:
    """The first year the plan asks for a schools-block transfer, if it asks for one."""
    pct = plan[("dsg", "transfer_pct_of_schools_block")][0]
    asked = [i for i, v in enumerate(pct) if v > 0]
    if not asked:
        return None
    i = asked[0]
    return Proposal(
        plan.years[i],
        float(pct[i]),
        bool(plan[("dsg", "transfer_above_limit")][0][i]),
        float(plan[("dsg", "transfer_limit_share")][0][i]),
    )


def transfer_refused(p: Projection) -> bool:
    """A scenario in which a transfer asked for is refused in some year, as the engine
    decided it: the request needed the Secretary of State's disapplication (above the
    Forum's limit, or refused by the Forum) and none was granted."""
    needs = p[("dsg", "transfer_needs_disapplication")][0]
    granted = p[("dsg", "disapplication_granted")][0]
    return bool(((needs == 1) & (granted == 0)).any())


def _accounting(plan) -> list[str]:
    """What the deficit means for the council's accounts: DfE's recovery-plan trigger and
    whether the usable reserves could absorb it."""
    years = plan.years
    share = plan[("dsg", "deficit_share_of_dsg")][0]
    trigger = plan[("dsg", "recovery_plan_trigger_share")][0]
    required = plan[("dsg", "recovery_plan_required")][0]
    reserves = plan[("dsg", "usable_reserves")][0]
    left = plan[("dsg", "reserves_less_deficit")][0]
    out = [
        f"The deficit is {share[-1]:.1%} of total DSG at {year_end(years[-1])} "
        f"({'above' if required[-1] else 'within'} the {trigger[-1]:.0%} at which "
        "DfE asks for a recovery plan)."
    ]
    short = [i for i, v in enumerate(left) if v < 0]
    if short:
        i = short[0]
        out.append(
            f"By {year_end(years[i])} it is more than the council's usable reserves of "
            f"{_m(reserves[i])}: the general fund could not absorb it without the statutory "
            "override."
        )
    return out


def dsg_messages(run: Run) -> list[str]:
    """What the Forum needs to know first: where the deficit goes and what would clear it."""
    by = {p.scenario: p for p in run.projections}
    plan = run.plan
    years = plan.years
    cum = plan[("dsg", "cumulative_deficit")][0]
    iy = plan[("dsg", "in_year_deficit")][0]
    transfer = plan[("dsg", "schools_block_transfer")][0]
    out = warnings(run, "dsg") + [
        f"The cumulative DSG deficit is {_m(cum[0])} at {year_end(years[0])} and "
        f"{_m(cum[1])} at {year_end(years[1])} (in-year deficit {_m(iy[1])}).",
        f"Under '{_title(run, plan.scenario)}' it is {_m(cum[-1])} at {year_end(years[-1])}"
        + (
            f", after schools-block transfers of {_m(transfer.sum())} in all."
            if transfer.sum()
            else "."
        ),
    ]
    proposal = transfer_proposed(plan)
    if proposal:
        out.append(
            f"The transfer proposed for {workbook_label(proposal.year)} is "
            f"{proposal.share:.2%} of the schools block: {proposal.against_limit()}"
            + ("; it needs the Secretary of State's agreement." if proposal.above else ".")
        )
    out += _accounting(plan)
    no_action = run.no_action
    for name, other in by.items():
        if name != plan.scenario and (other is no_action or transfer_refused(other)):
            out.append(
                f"Under '{_title(run, name)}' it is "
                f"{_m(other[('dsg', 'cumulative_deficit')][0][-1])} "
                f"at {year_end(years[-1])}."
            )
    for lever, sol in run.solutions:
        if lever == "savings" and not isinstance(sol, str) and sol.profile:
            first, last = sol.years[0], sol.target_year
            out.append(
                f"Clearing the deficit by {year_end(last)} without running a surplus needs "
                f"further high-needs savings of {_m(sol.profile[first])} in "
                f"{workbook_label(first)} rising to {_m(sol.profile[last])} in "
                f"{workbook_label(last)} ({_m(sum(sol.profile.values()))} in all): each year's "
                "in-year deficit plus an equal share of the deficit carried forward."
            )
    return out


def csc_messages(run: Run) -> list[str]:
    """The children's social care position in two sentences."""
    plan = run.plan
    years = plan.years
    over = plan[("csc", "overspend")][0]
    out = warnings(run, "csc") + [
        f"Children's social care overspent by {_m(over[0])} in {workbook_label(years[0])}; "
        f"under '{_title(run, plan.scenario)}' the overspend is {_m(over[1])} in "
        f"{workbook_label(years[1])} "
        f"and {_m(over[-1])} in {workbook_label(years[-1])}."
    ]
    no_action = run.no_action
    if no_action is not None and no_action is not plan:
        u = no_action[("csc", "overspend")][0]
        out.append(
            f"Without the savings programme and placement moves "
            f"('{_title(run, no_action.scenario)}') it is "
            f"{_m(u[-1])} in {workbook_label(years[-1])}."
        )
    return out
