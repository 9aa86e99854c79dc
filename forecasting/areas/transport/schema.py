"""The ``home_to_school_transport`` section of an assumption set."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...names import POST16
from ...schema import BASE_YEAR, AnnualCost, Rate, Share, Strict
from . import KEY


class Section(Strict):
    """Transport to school for pupils with EHCPs, which the council pays from its general
    fund (not the DSG)."""

    eligible_share: dict[str, Share] = Field(
        description="by high-needs provision (or post16): the share of its plans whose pupils "
        "the council transports, by year; a provision not listed has none transported"
    )
    cost_per_pupil: AnnualCost = Field(
        description="average annual cost per pupil transported, base-year prices",
        json_schema_extra=BASE_YEAR,
    )
    inflation: Rate = Field(
        description="yearly rise in the cost per pupil transported (contracts, fuel, routes)"
    )


def check(model: Any, found: list[tuple[tuple[str, ...], str]]) -> None:
    """Each eligible share names a provision the high-needs section has."""
    provisions = [*model.high_needs.provisions, POST16]
    for pid in model.area(KEY).eligible_share:
        if pid not in provisions:
            found.append(
                (
                    (KEY, "eligible_share", pid),
                    f"'{pid}' is not a high-needs provision; have {', '.join(provisions)}",
                )
            )
