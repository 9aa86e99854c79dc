"""Properties that must hold for any valid assumptions, checked on generated sets
(hypothesis varies the bundled set's growth rates, counts, costs and decisions)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.engine import project
from forecasting.loading import iter_params, load_scenario
from forecasting.schema import Param

from .conftest import BUNDLED

BASE = load_scenario(BUNDLED / "scenarios" / "council-plan.yaml").assumptions
PARAMS = {".".join(p): prm for p, prm in iter_params(BASE) if isinstance(prm, Param)}
RATES = [k for k, p in PARAMS.items() if p.unit == "ratio" and p.ranged and type(p).MIN == -1]
COSTS = [k for k, p in PARAMS.items() if p.unit in ("GBP/week", "GBP/year")]
COUNTS = [k for k, p in PARAMS.items() if p.unit == "count" and k.endswith(".children")]
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def variant(changes: dict[str, float]):
    """A copy of the council plan with the given parameters set to a constant value."""
    a = BASE.model_copy(deep=True)
    params = {".".join(p): prm for p, prm in iter_params(a) if isinstance(prm, Param)}
    for path, v in changes.items():
        p = params[path]
        p.value, p.values = float(v), None
    return a


rates = st.fixed_dictionaries({k: st.floats(-0.2, 0.3) for k in RATES})
costs = st.fixed_dictionaries({k: st.floats(0, 10_000) for k in COSTS})
counts = st.fixed_dictionaries({k: st.floats(0, 500) for k in COUNTS})


def line(proj, area, measure):
    return proj[(area, measure)][0]


def parts(proj, area, prefix):
    return sum(proj[(area, m)][0] for m in proj.measures(area) if m.startswith(prefix + "."))


@FAST
@given(rates, costs, counts)
def test_parts_sum_to_totals_and_balances_roll_forward(r, c, n):
    proj = project("p", variant({**r, **c, **n}))
    np.testing.assert_allclose(
        parts(proj, "csc", "placement_cost"),
        line(proj, "csc", "placement_cost"),
        rtol=1e-9,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        parts(proj, "csc", "children_in_care"),
        line(proj, "csc", "children_in_care"),
        rtol=1e-9,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        parts(proj, "dsg", "expenditure"),
        line(proj, "dsg", "high_needs_expenditure"),
        rtol=1e-9,
        atol=1e-6,
    )
    cum, iy = line(proj, "dsg", "cumulative_deficit"), line(proj, "dsg", "in_year_deficit")
    np.testing.assert_allclose(cum[1:], cum[:-1] + iy[1:], rtol=1e-9, atol=1e-4)
    np.testing.assert_allclose(
        line(proj, "csc", "overspend"),
        line(proj, "csc", "net_spend") - line(proj, "csc", "budget"),
        atol=1e-4,
    )
    assert np.all(
        line(proj, "csc", "savings_delivered") <= line(proj, "csc", "savings_planned") + 1e-6
    )
    assert np.all(line(proj, "csc", "children_in_care") >= -1e-9)


@FAST
@given(st.floats(0, 20_000_000), st.floats(0, 20_000_000), st.booleans(), st.booleans())
def test_more_transfer_never_raises_the_deficit(a, b, forum, granted):
    low, high = sorted((a, b))
    out = []
    for amount in (low, high):
        m = variant({"high_needs.transfers.requested": amount})
        m.high_needs.transfers.forum_approves.value = forum
        m.high_needs.transfers.disapplication_granted.value = granted
        out.append(line(project("p", m), "dsg", "cumulative_deficit"))
    assert np.all(out[1] <= out[0] + 1e-6)


@FAST
@given(st.sampled_from(COSTS), st.floats(0, 5_000), st.floats(0, 5_000))
def test_higher_unit_costs_never_lower_driver_spend(path, a, b):
    low, high = sorted((a, b))
    spend = []
    for v in (low, high):
        proj = project("p", variant({path: v}))
        drivers = (
            parts(proj, "dsg", "expenditure")
            - line(proj, "dsg", "expenditure.reconciliation")
            - line(proj, "dsg", "expenditure.additional_savings")
        )
        spend.append(
            line(proj, "csc", "placement_cost")
            + line(proj, "csc", "continuing_allowances")
            + drivers
        )
    assert np.all(spend[1] >= spend[0] - 1e-6)


@FAST
@given(counts)
def test_zero_growth_keeps_numbers_flat(n):
    zero = {k: 0.0 for k, p in PARAMS.items() if p.unit == "ratio" and type(p).MIN == -1}
    a = variant({**zero, **n, "high_needs.exclusions.reduction": 0.0})
    a.childrens_services.moves = {}
    for prov in a.high_needs.provisions.values():
        prov.share.values = None
        if prov.capacity is not None:
            prov.capacity.values = None  # places by year would change the mix
    for t in a.childrens_services.placements.values():
        if t.capacity is not None:
            t.capacity.values = None
    # caseload targets by year and the investment's posts change the agency staff filling
    # the gap to the target caseload
    a.childrens_services.workforce.caseload.target_caseload.values = None
    a.childrens_services.investment = {}
    proj = project("p", a)
    for area, m in (
        ("csc", "children_in_care"),
        ("csc", "placement_cost"),
        ("csc", "staffing_cost"),
        ("dsg", "ehcp_total"),
        ("dsg", "permanent_exclusions"),
        ("dsg", "high_needs_expenditure"),
    ):
        v = line(proj, area, m)
        np.testing.assert_allclose(v, v[0], rtol=1e-12, atol=1e-9, err_msg=m)
    income = line(proj, "dsg", "high_needs_income")  # flat after the last year given
    np.testing.assert_allclose(income[1:], income[1], rtol=1e-12)
