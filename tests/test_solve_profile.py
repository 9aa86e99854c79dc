"""What it takes, as a Forum member reads it: a savings profile that clears the deficit by
the target year without running a surplus first, and the real reason a transfer cannot."""

from __future__ import annotations

import pytest

from forecasting.engine import project
from forecasting.errors import InputError
from forecasting.solve import _with_param, solve

SURPLUS_ALLOWED = 1_000_000  # the bound: no surplus above £1m before the target year


@pytest.mark.parametrize("target", ["2021-22", "2022-23", "2023-24"])
def test_the_savings_profile_never_overshoots(run_result, target):
    solved = 0
    for s in run_result.scenarios:
        sol = solve(s.assumptions, target, "savings")
        if sol.already_clear:
            continue
        solved += 1
        path = ("high_needs", "mitigation", "additional_savings")
        values = sol.overrides[".".join(path)]["values"]
        kept = s.assumptions.high_needs.mitigation.additional_savings.value  # as a scenario file
        p = project("check", _with_param(s.assumptions, path, values=values, value=kept))
        years = p.years
        cum = dict(zip(years, p[("dsg", "cumulative_deficit")][0], strict=True))
        assert abs(cum[target]) <= 10, (s.name, target, cum[target])
        before = [y for y in years if years.index(y) < years.index(target)]
        assert min(cum[y] for y in before) >= -SURPLUS_ALLOWED, (s.name, cum)
        later = [y for y in years if years.index(y) > years.index(target)]
        assert all(abs(cum[y]) <= 10 for y in later), (s.name, cum)  # held at nil after
        assert all(v >= 0 for v in sol.profile.values())
        assert "never turns into a surplus" in sol.describe(s.label)
    # every bundled scenario has a deficit to clear: none may be skipped as already clear
    assert solved == len(run_result.scenarios) == 8


def test_a_flat_saving_would_have_overshot(run_result):
    """The profile matters: an equal saving each year reaching nil in 2023-24 runs a
    surplus on the way (the in-year deficits grow, so early years are over-saved)."""
    plan = next(s for s in run_result.scenarios if s.name == "council-plan")
    sol = solve(plan.assumptions, "2023-24", "savings")
    flat = sum(sol.profile.values()) / len(sol.profile)
    p = project("plan", plan.assumptions)
    iy = dict(zip(p.years, p[("dsg", "in_year_deficit")][0], strict=True))
    assert iy["2020-21"] < flat  # the first year would save more than its deficit


def test_a_transfer_the_forum_and_secretary_of_state_refuse_is_named_as_such(run_result):
    refused = next(s for s in run_result.scenarios if s.name == "forum-refuses-transfer")
    with pytest.raises(InputError) as e:
        solve(refused.assumptions, "2023-24", "transfer")
    message = e.value.problems[0].message
    assert "Schools' Forum refusing the transfer" in message
    assert "Secretary of State refusing a disapplication" in message


def test_a_transfer_capped_at_half_a_percent_names_the_limit(run_result):
    plan = next(s for s in run_result.scenarios if s.name == "council-plan")
    a = _with_param(
        plan.assumptions,
        ("high_needs", "transfers", "disapplication_granted"),
        value=False,
        values=None,
    )
    with pytest.raises(InputError) as e:
        solve(a, "2023-24", "transfer")
    message = e.value.problems[0].message
    assert "at most 0.5% of the schools block" in message and "Forum refusing" not in message


def test_an_allowed_transfer_follows_the_same_profile(run_result):
    """Where the Secretary of State grants the disapplication, a further transfer moves
    pound for pound and takes the no-overshoot profile too."""
    plan = next(s for s in run_result.scenarios if s.name == "council-plan")
    sol = solve(plan.assumptions, "2023-24", "transfer")
    assert sol.profile
    path = ("high_needs", "transfers", "requested")
    values = sol.overrides[".".join(path)]["values"]
    kept = plan.assumptions.high_needs.transfers.requested.value
    p = project("check", _with_param(plan.assumptions, path, values=values, value=kept))
    cum = p[("dsg", "cumulative_deficit")][0]
    assert abs(cum[-1]) <= 10 and min(cum) >= -SURPLUS_ALLOWED


def test_the_forum_limit_in_the_answer_is_the_scenarios_own(run_result):
    """The Forum's limit is an assumption: a set that gives 1% is told 1%, not 0.5%."""
    s = run_result.scenarios[0]
    path = ("high_needs", "transfers", "limit_share")
    a = _with_param(s.assumptions, path, value=0.01, values=None)
    words = solve(a, "2022-23", "transfer").describe(s.label)
    assert "above 1.0% of the schools block" in words and "0.5%" not in words
