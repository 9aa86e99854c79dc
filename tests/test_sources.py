"""Every output line names the assumptions it was computed from, and each name is a field
the set really has: no wildcards, no paths that resolve to nothing."""

from __future__ import annotations


def _exists(assumptions, dotted: str) -> bool:
    node = assumptions
    for key in dotted.split("."):
        if isinstance(node, dict):
            if key not in node:
                return False
            node = node[key]
        elif hasattr(node, key):
            node = getattr(node, key)
        else:
            return False
    return node is not None


def test_every_source_of_every_line_is_a_field_of_the_set(run_result):
    missing = {
        (p.scenario, f"{area}.{measure}", src)
        for s, p in zip(run_result.scenarios, run_result.projections, strict=True)
        for (area, measure), line in p.lines.items()
        for src in line.sources
        if not _exists(s.assumptions, src)
    }
    assert not missing, sorted(missing)[:10]


def test_a_placement_type_with_its_own_inflation_cites_it(run_result):
    plan = run_result.projections[0]
    own = plan.lines[("csc", "weekly_cost.external_residential")].sources
    general = plan.lines[("csc", "weekly_cost.ifa")].sources
    assert "childrens_services.placements.external_residential.price_inflation" in own
    assert "childrens_services.placement_price_inflation" not in own
    assert "childrens_services.placement_price_inflation" in general
