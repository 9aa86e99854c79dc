"""Words a lay reader sees in place of the model's code names.

The assumption paths (``high_needs.ehcp.growth``) stay in narrow grey audit columns; tables,
charts and sentences use these labels. A placement type, provision or savings item is named
by the label its own assumption file gives it.
"""

from __future__ import annotations

from typing import Any

from ..formats import prose_millions

# Short names for the assumptions a reader meets in the sensitivity ranking.
NAMES = {
    "high_needs.income.high_needs_growth": "High-needs funding growth",
    "high_needs.income.schools_block_growth": "Schools block growth",
    "high_needs.ehcp.growth": "EHCP growth (school age)",
    "high_needs.ehcp.post16_growth": "EHCP growth (post-16)",
    "high_needs.ehcp.post16_cost_per_place": "Post-16 cost per place",
    "high_needs.inflation": "High-needs cost inflation",
    "high_needs.exclusions.growth": "Growth in permanent exclusions",
    "high_needs.exclusions.years_in_ap": "Years in alternative provision after exclusion",
    "high_needs.exclusions.cost_per_place": "Alternative provision cost per place",
    "high_needs.exclusions.permanent_exclusions": "Permanent exclusions a year",
    "childrens_services.children_in_care.growth": "Growth in children in care",
    "childrens_services.placement_price_inflation": "Placement price inflation",
    "childrens_services.general_inflation": "General inflation",
    "childrens_services.workforce.pay_inflation": "Social work pay inflation",
    "childrens_services.workforce.permanent_cost_per_fte": "Cost of a permanent social worker",
    "childrens_services.workforce.agency_cover_share": "Vacancies covered by agency staff",
    "childrens_services.workforce.agency_premium": "Agency premium over permanent pay",
    "childrens_services.workforce.caseload.open_cases": "Open social work cases",
    "childrens_services.savings.confidence_probability.green": "Delivery of green-rated savings",
    "childrens_services.savings.confidence_probability.amber": "Delivery of amber-rated savings",
    "childrens_services.savings.confidence_probability.red": "Delivery of red-rated savings",
}
LEAVES = {
    "weekly_cost": "weekly cost",
    "cost_per_place": "cost per place",
    "price_inflation": "price inflation",
    "share": "share of plans",
    "children": "children",
    "growth": "growth",
    "value": "value",
}


ACRONYMS = {
    "dsg": "DSG",
    "ehcp": "EHCP",
    "ehcps": "EHCPs",
    "fte": "FTE",
    "ap": "AP",
    "mtfs": "MTFS",
}


def _words(key: str) -> str:
    return " ".join(ACRONYMS.get(w, w) for w in key.split("_"))


def param_label(path: str, assumptions: Any) -> str:
    """A plain name for the assumption at dotted ``path``: its short name, else the label of
    the placement type, provision or item it belongs to with what it is, else its
    description, else its key in words."""
    if path in NAMES:
        return NAMES[path]
    keys = path.split(".")
    node, owner = assumptions, None
    for k in keys[:-1]:
        node = node.get(k) if isinstance(node, dict) else getattr(node, k, None)
        if node is None:
            break
        if getattr(node, "label", None):
            owner = node.label
    if owner:
        return f"{owner}: {LEAVES.get(keys[-1], _words(keys[-1]))}"
    leaf = node.get(keys[-1]) if isinstance(node, dict) else getattr(node, keys[-1], None)
    description = getattr(leaf, "description", None)
    if description:
        return str(description)
    last = _words(keys[-1])
    last = last[:1].upper() + last[1:]
    return f"{last} ({_words(keys[-2])})" if len(keys) > 1 else last


def value_text(value: float, unit: str) -> str:
    """A figure as a sentence would give it: 10%, £759 a week, £20,910 a year, £3.5m."""
    if unit == "ratio":
        return f"{value:.1%}".replace(".0%", "%")
    if unit == "GBP/week":
        return f"£{value:,.0f} a week"
    if unit == "GBP/year":
        return f"£{value:,.0f} a year"
    if unit == "GBP":
        return prose_millions(value)
    if unit in ("years", "weeks"):
        return f"{value:,.1f} {unit}"
    return f"{value:,.0f}"


def transfer_limit(p: Any) -> str:
    """The share of the schools block the Forum may approve (the engine's
    transfer_limit_share line), as prose says it: one figure, or each figure in turn where
    the set changes it."""
    return " then ".join(dict.fromkeys(f"{v:.1%}" for v in p[("dsg", "transfer_limit_share")][0]))
