"""Home-to-school transport for pupils with EHCPs: a general fund cost, outside the DSG,
that EHCP growth drives. Councils forecast it beside the high-needs block because the same
plans drive both: pupils transported are the plans in each provision times the share of
them the council transports, costed at the year's cost per pupil."""

from .. import Area

KEY = "home_to_school_transport"
CODE = "transport"

AREA = Area(
    KEY,
    CODE,
    "Home-to-school transport",
    package=__name__,
    compare=(("cost", "Home-to-school transport, pupils with EHCPs (general fund)"),),
)
