"""What it takes to balance: the smallest lever setting that clears the cumulative DSG
deficit by a target year.

Levers:
- ``savings`` (default): further high-needs savings from the year after the first forecast
  year, as a profile that never overshoots: each year's saving is that year's in-year
  deficit plus an equal share of the deficit carried into the first of those years, so the
  cumulative deficit falls in equal steps to nil at the target year; after it, each year's
  saving is what keeps that year in balance;
- ``transfer``: a further schools-block transfer with the same profile where the rules let
  it move pound for pound; where they cap it, an equal transfer over the same years (it
  only counts where the Forum or the Secretary of State would allow it);
- ``ehcp_growth``: the yearly growth in school-age EHCPs the plan would have to hold to.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .engine import project
from .errors import InputError, Problem
from .formats import pounds
from .names import LEVERS
from .schema import AssumptionSet

TOLERANCE_GBP = 1.0  # the solution is found to within a pound of zero at the target year
EHCP_FLOOR = -0.5  # the EHCP-growth search goes no lower than plans halving every year
LARGEST_LEVER_GBP = 1e10  # a savings or transfer search gives up past £10bn a year


@dataclass
class Solution:
    lever: str
    amount: float
    years: list[str]
    target_year: str
    deficit_before: float
    deficit_after: float
    overrides: dict[str, Any]
    profile: dict[str, float] | None = None  # savings by year, where the lever is a profile
    limit_share: float | None = None  # the share of the schools block the Forum may approve

    @property
    def already_clear(self) -> bool:
        """The scenario clears the deficit by the target year as it stands: nothing to find."""
        return self.deficit_before <= 0

    def _limit(self) -> str:
        """The Forum's limit in words, as the scenario sets it."""
        if self.limit_share is None:
            return "the share of the schools block the Forum may approve"
        return f"{self.limit_share:.1%} of the schools block"

    def describe(self, scenario: str) -> str:
        """The answer in plain words and figures, for a briefing note."""
        if self.already_clear:
            return (
                f"Scenario '{scenario}' already clears the DSG deficit by the end of "
                f"{self.target_year}: no {self.lever.replace('_', ' ')} change is needed.\n"
                f"Cumulative deficit at the end of {self.target_year}: "
                f"{pounds(self.deficit_before)} (none left)."
            )
        span = f"{self.years[0]} to {self.years[-1]}" if self.years else ""
        total = f"{pounds(self.amount * len(self.years))} in all"
        if self.profile:
            by_year = "; ".join(f"{y}: {pounds(v)}" for y, v in self.profile.items())
            what = (
                (
                    "further high-needs savings"
                    if self.lever == "savings"
                    else "a further schools-block transfer, on top of any already planned,"
                )
                + ": each year, that year's in-year deficit plus an equal share of the "
                f"deficit carried into {self.years[0]}, so it is repaid by "
                f"{self.target_year}; then enough to keep each year in balance ({by_year}; "
                f"{pounds(sum(self.profile.values()))} in all). The deficit falls every year "
                "and never turns into a surplus"
                + (
                    ""
                    if self.lever == "savings"
                    else f"; above {self._limit()} a transfer needs the Secretary of "
                    "State's agreement"
                )
            )
        elif self.lever == "savings":
            what = (
                f"further high-needs savings of {pounds(self.amount)} a year from {span} ({total})"
            )
        elif self.lever == "transfer":
            what = (
                f"a further schools-block transfer of {pounds(self.amount)} a year from {span} "
                f"({total}), on top of any transfer already planned; above {self._limit()} "
                "it needs the Secretary of State's agreement"
            )
        elif self.amount >= 0:
            what = f"school-age EHCP growth held to {self.amount:.2%} a year"
        else:
            what = f"school-age EHCPs falling by {-self.amount:.2%} a year"
        return (
            f"To clear the DSG deficit by the end of {self.target_year}, scenario "
            f"'{scenario}' needs {what}.\n"
            f"Cumulative deficit at the end of {self.target_year}: "
            f"{pounds(self.deficit_before)} before, {pounds(self.deficit_after)} after."
        )


def _cumulative_at(a: AssumptionSet, year: str) -> float:
    proj = project("solve", a)
    return float(proj[("dsg", "cumulative_deficit")][0, proj.years.index(year)])


def _lever_years(years: list[str]) -> list[str]:
    return years[2:]  # from the year after the first forecast year: that one is under way


def _with_param(a: AssumptionSet, path: tuple[str, ...], **changes: Any) -> AssumptionSet:
    """A copy of ``a`` with one parameter changed; only the objects on its path are copied."""
    root = a.model_copy()
    node = root
    for name in path[:-1]:
        child = getattr(node, name).model_copy()
        setattr(node, name, child)
        node = child
    setattr(node, path[-1], getattr(node, path[-1]).model_copy(update=changes))
    return root


def _apply(
    a: AssumptionSet, lever: str, x: float, lever_years: list[str], years: list[str]
) -> tuple[AssumptionSet, dict[str, Any]]:
    if lever in ("savings", "transfer"):
        return _add_by_year(a, lever, {y: x for y in lever_years}, lever_years, years)
    p = a.high_needs.ehcp.growth
    lo = min(x, p.low) if p.low is not None else None
    changed = _with_param(
        a, ("high_needs", "ehcp", "growth"), value=x, **({"low": lo} if lo is not None else {})
    )
    return changed, {
        "high_needs.ehcp.growth": {"value": round(x, 6), **({"low": lo} if lo is not None else {})}
    }


def _add_by_year(
    a: AssumptionSet,
    lever: str,
    amounts: dict[str, float],
    lever_years: list[str],
    years: list[str],
) -> tuple[AssumptionSet, dict[str, Any]]:
    """``a`` with further savings (or a further transfer) of ``amounts`` by year on top of
    what it already has, and the override a scenario file needs to say the same."""
    path = (
        ("high_needs", "mitigation", "additional_savings")
        if lever == "savings"
        else ("high_needs", "transfers", "requested")
    )
    p = getattr(getattr(a.high_needs, path[1]), path[2])
    current = {y: (p.values or {}).get(y, p.value or 0.0) for y in years}
    new = {y: current[y] + amounts.get(y, 0.0) for y in years}
    listed = {y: round(new[y], 2) for y in lever_years}
    return _with_param(a, path, values=new, value=None), {".".join(path): {"values": listed}}


def _affine_root(gap: Callable[[float], float], before: float) -> float | None:
    """The root when the deficit falls in a straight line with the lever (savings, and a
    transfer that is allowed): two evaluations and a check, no search."""
    step = max(before, 1.0)
    slope = (gap(step) - before) / step
    if slope >= 0:
        return None
    x = -before / slope
    return x if abs(gap(x)) <= TOLERANCE_GBP else None


def _brentq(f, lo: float, hi: float, xtol: float) -> float:
    from scipy.optimize import brentq  # only for the levers that are not straight lines

    return float(brentq(f, lo, hi, xtol=xtol))


def solve(a: AssumptionSet, target_year: str, lever: str = "savings") -> Solution:
    """Find the lever setting that brings the cumulative deficit to zero in ``target_year``."""
    proj = project("solve", a)
    years = proj.years
    if target_year not in years[2:]:
        raise InputError(
            Problem(
                "--target-year",
                None,
                None,
                f"{target_year} must be one of {', '.join(years[2:])} (a year "
                "after the first forecast year, within the horizon)",
            )
        )
    if lever not in LEVERS:
        raise InputError(Problem("--lever", None, None, f"must be one of {', '.join(LEVERS)}"))
    lever_years = _lever_years(years)
    before = _cumulative_at(a, target_year)

    def gap(x: float) -> float:
        return _cumulative_at(_apply(a, lever, x, lever_years, years)[0], target_year)

    if before <= 0:  # already clear: no change, and the lever stays where it is
        kept = (a.high_needs.ehcp.growth.value or 0.0) if lever == "ehcp_growth" else 0.0
        return Solution(lever, kept, [], target_year, before, before, {})
    if lever in ("savings", "transfer"):
        profiled = _profile(a, proj, target_year, lever_years, before, lever)
        if abs(profiled.deficit_after) <= TOLERANCE_GBP * len(years):
            return profiled  # a transfer the rules cap does not clear: search a flat one
    if lever == "ehcp_growth":
        hi = a.high_needs.ehcp.growth.value or 0.0
        if gap(EHCP_FLOOR) > 0:
            raise InputError(
                Problem(
                    "--lever",
                    None,
                    None,
                    "even a 50% yearly fall in EHCPs does not clear the deficit by that year",
                )
            )
        x = _brentq(gap, EHCP_FLOOR, hi, 1e-9)
    else:
        root = _affine_root(gap, before)
        if root is not None:
            x = root
        else:
            hi = max(before, 1.0)
            while gap(hi) > 0:
                if hi > LARGEST_LEVER_GBP:
                    raise InputError(
                        Problem(
                            "--lever",
                            None,
                            None,
                            f"the {lever} lever cannot clear the deficit: "
                            + binding_constraint(proj, lever_years),
                        )
                    )
                hi *= 2
            x = _brentq(gap, 0.0, hi, 0.01)
        x = float(math.ceil(x))  # whole pounds, rounded up so the deficit is cleared
    solved, overrides = _apply(a, lever, x, lever_years, years)
    return Solution(
        lever,
        x,
        lever_years if lever != "ehcp_growth" else [],
        target_year,
        before,
        _cumulative_at(solved, target_year),
        overrides,
        limit_share=_limit_share(proj, lever_years),
    )


def _limit_share(proj, lever_years: list[str]) -> float | None:
    """The Forum's limit (a share of the schools block) in the first year the lever acts."""
    if not lever_years:
        return None
    return float(proj[("dsg", "transfer_limit_share")][0, proj.years.index(lever_years[0])])


def binding_constraint(proj, lever_years: list[str]) -> str:
    """Why a further schools-block transfer cannot clear the deficit, from the decisions the
    scenario holds for the first year a transfer could be made: the Forum's, the Secretary
    of State's, and the Forum's limit between them."""
    i = proj.years.index(lever_years[0])
    forum = bool(proj[("dsg", "forum_approves")][0, i])
    granted = bool(proj[("dsg", "disapplication_granted")][0, i])
    limit = float(proj[("dsg", "transfer_limit")][0, i])
    share = float(proj[("dsg", "transfer_limit_share")][0, i])
    if granted:
        return "the transfer does not move the deficit in this scenario"
    if forum:
        return (
            f"the Forum may approve at most {share:.1%} of the schools block ({pounds(limit)} in "
            f"{lever_years[0]}) and the scenario has the Secretary of State refusing a "
            "disapplication for more"
        )
    return (
        "the scenario has the Schools' Forum refusing the transfer and the Secretary of "
        "State refusing a disapplication, so no transfer moves"
    )


PROFILE_ROUNDS = 20  # recomputations at most, where other lines answer to the savings


def _equal_repayment(
    in_year: dict[str, float], carried: float, upto: list[str], lever_years: list[str]
) -> dict[str, float]:
    """Each year to the target its in-year deficit plus an equal share of ``carried`` (a year
    already in surplus needs none, its share spread over the others); then each year's
    in-year deficit, so the position stays at nil. Whole pounds, rounded up."""
    free = list(upto)
    while True:
        share = (carried + sum(in_year[y] for y in upto) - sum(in_year[y] for y in free)) / len(
            free
        )
        clipped = [y for y in free if in_year[y] + share < 0]
        if not clipped or len(clipped) == len(free):
            break
        free = [y for y in free if y not in clipped]
    profile = {y: max(0.0, in_year[y] + share) if y in free else 0.0 for y in upto}
    profile.update({y: max(0.0, in_year[y]) for y in lever_years if y not in upto})
    return {y: float(math.ceil(v)) for y, v in profile.items()}


def _profile(
    a: AssumptionSet, proj, target_year: str, lever_years: list[str], before: float, lever: str
) -> Solution:
    """Savings (or a further transfer) by year that clear the deficit by ``target_year``
    without overshooting.

    Further savings, and a transfer the rules allow, reduce the in-year deficit pound for
    pound, so the profile is found from one projection: up to the target year, each year's
    saving is its in-year deficit plus an equal share of the deficit carried into the first
    lever year (a year already in surplus needs none, and the share is spread over the
    others); after it, the saving is the in-year deficit, so the position stays at nil.
    """
    years = proj.years
    cumulative = dict(zip(years, proj[("dsg", "cumulative_deficit")][0], strict=True))
    carried = float(cumulative[years[years.index(lever_years[0]) - 1]])
    upto = [y for y in lever_years if years.index(y) <= years.index(target_year)]
    profile: dict[str, float] = {}
    # Where something else in the set answers to the in-year position (a safety-valve payment
    # made only when a milestone is met), the savings change it: recompute until they settle.
    for _ in range(PROFILE_ROUNDS):
        current = (
            proj
            if not profile
            else project("solve", _add_by_year(a, lever, profile, lever_years, years)[0])
        )
        after = dict(zip(years, current[("dsg", "in_year_deficit")][0], strict=True))
        in_year = {y: float(after[y]) + profile.get(y, 0.0) for y in years}  # before savings
        new = _equal_repayment(in_year, carried, upto, lever_years)
        settled = profile and max(abs(new[y] - profile[y]) for y in new) < TOLERANCE_GBP
        profile = new
        if settled:
            break
    solved, overrides = _add_by_year(a, lever, profile, lever_years, years)
    return Solution(
        lever,
        profile[lever_years[0]],
        lever_years,
        target_year,
        before,
        _cumulative_at(solved, target_year),
        overrides,
        profile,
        _limit_share(proj, lever_years),
    )


def check_destination(
    destination: Path, inputs: Iterable[Path], set_dir: Path, force: bool
) -> None:
    """Refuse a ``--write-scenario`` path that would change an input or an existing file.

    Refused: a folder; the assumption set folder or anything inside it; any file the
    scenario was read from (the set's files, the scenario and those it extends, history
    files), reached directly or through a symbolic link; an existing file unless ``force``.
    """

    def refuse(message: str) -> InputError:
        return InputError(Problem(str(destination), None, "--write-scenario", message))

    try:
        real = destination.resolve()
        protected = {p.resolve() for p in inputs}
        set_real = set_dir.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic-link loop (Python < 3.13)
        raise refuse("a symbolic link that loops: cannot write there") from None
    if destination.is_dir():
        raise refuse("is a folder; give the name of the scenario file to write")
    if real in protected:
        raise refuse("is one of the input files this scenario was read from; it is not changed")
    if real == set_real or set_real in real.parents:
        raise refuse(
            f"is inside the assumption set {set_dir}, which is input and never written to; "
            "write the scenario elsewhere and extend the set from there"
        )
    if os.path.lexists(destination) and not force:
        raise refuse("already exists; add --force to replace it")


def scenario_text(base_name: str, base_file: Any, solution: Solution, destination: Any) -> str:
    """YAML of a scenario that extends ``base_file`` with the solution, relative to where
    it will be written."""
    rel = os.path.relpath(
        os.path.abspath(base_file), os.path.abspath(os.path.dirname(os.path.abspath(destination)))
    )
    source = (
        f"forecast solve --scenario {base_name} --target-year {solution.target_year} "
        f"--lever {solution.lever}"
    )
    overrides = {
        path: {**value, "source": source, "basis": "scenario"}
        for path, value in solution.overrides.items()
    }
    doc = {
        "name": f"{base_name}-balanced-{solution.target_year}",
        "description": solution.describe(base_name).replace("\n", " "),
        "extends": rel,
        "overrides": overrides,
    }
    return yaml.safe_dump(doc, sort_keys=False, width=100, allow_unicode=True)
