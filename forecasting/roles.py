"""Scenario roles: which scenario is the council's plan and which the unmitigated case.

A scenario file may say ``role: plan`` or ``role: unmitigated``; workbooks, cover messages
and the summary find those scenarios by role, so a council that names its plan differently
still gets its variances and messages. A set without roles falls back on the bundled names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

PLAN = "plan"
UNMITIGATED = "unmitigated"
ROLES = (PLAN, UNMITIGATED)
# Names that stand for a role when no scenario claims it (sets written before roles).
CONVENTIONAL = {PLAN: "council-plan", UNMITIGATED: "unmitigated"}


def with_role(scenarios: Iterable[Any], role: str) -> str | None:
    """The name of the scenario with ``role`` (or its conventional name), if one is run."""
    scenarios = list(scenarios)
    for s in scenarios:
        if getattr(s, "role", None) == role:
            return s.name
    names = {s.name for s in scenarios}
    return CONVENTIONAL[role] if CONVENTIONAL[role] in names else None


class _Named(Protocol):
    name: str


S = TypeVar("S", bound=_Named)  # a scenario (anything with a name)


def plan_name(scenarios: Iterable[Any]) -> str:
    """The scenario the plan-shaped sheets, messages, sensitivities and solver answers are
    about: the one with the plan role (or its conventional name), else the first listed."""
    scenarios = list(scenarios)
    return with_role(scenarios, PLAN) or scenarios[0].name


def plan_scenario(scenarios: Iterable[S]) -> S:
    """The plan's scenario itself (its assumptions and where each came from)."""
    scenarios = list(scenarios)
    name = plan_name(scenarios)
    return next(s for s in scenarios if s.name == name)
