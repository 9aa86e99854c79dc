"""What a valid assumption file is: typed models of every section (pydantic).

Each number is a *parameter*: a value (or values by financial year), its unit, its
source and its basis (report figure, national benchmark, estimate, council ledger or
scenario choice), with an optional ``low``/``high`` range that uncertainty analysis
draws from. Shape and types are checked here; bounds, year keys and cross-references
are checked by ``consistency`` so each message can point at the exact line.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, create_model
from pydantic.json_schema import JsonDict

# Field kinds read by ``consistency``: a base-year figure takes one value; an anchored
# series is given for some years (at least the base year) and grown between them.
BASE_YEAR: JsonDict = {"kind": "base"}
ANCHORED: JsonDict = {"kind": "anchored"}
# A dated series: given only for the years it falls in (``values``); other years have none.
DATED: JsonDict = {"kind": "dated"}

Basis = Literal["report", "benchmark", "estimate", "council", "rule", "scenario", "published"]
Confidence = Literal["green", "amber", "red"]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, text is never read as a number."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Param(Strict):
    """A number with its unit and source, constant or varying by financial year.

    ``value`` applies to every year not listed in ``values``. For a ranged parameter
    (``low``/``high``) Monte Carlo draws ``value`` from its range; years listed under
    ``values`` (for example an observed year) keep their stated figure.
    """

    UNIT: ClassVar[str] = ""
    MIN: ClassVar[float | None] = None
    MAX: ClassVar[float | None] = None
    MEANING: ClassVar[str] = ""

    description: str | None = None
    unit: str
    source: str = Field(min_length=1)
    basis: Basis
    value: float | None = None
    values: dict[str, float] | None = None
    low: float | None = None
    high: float | None = None
    from_trend: str | None = Field(
        default=None,
        description="history CSV (relative to the assumption set) whose fitted trend gives "
        "this growth rate and its range",
    )
    _path: str = PrivateAttr(default="")

    @property
    def path(self) -> str:
        return self._path

    @property
    def ranged(self) -> bool:
        return self.low is not None and self.high is not None


class Money(Param):
    UNIT = "GBP"
    MIN = 0.0
    MEANING = "an amount of money cannot be negative"
    unit: Literal["GBP"]


class SignedMoney(Param):
    UNIT = "GBP"
    MEANING = "an amount in pounds (negative for an underspend)"
    unit: Literal["GBP"]


class WeeklyCost(Param):
    UNIT = "GBP/week"
    MIN = 0.0
    MEANING = "a weekly cost cannot be negative"
    unit: Literal["GBP/week"]


class AnnualCost(Param):
    UNIT = "GBP/year"
    MIN = 0.0
    MEANING = "an annual cost cannot be negative"
    unit: Literal["GBP/year"]


class Count(Param):
    UNIT = "count"
    MIN = 0.0
    MEANING = "a count cannot be negative"
    unit: Literal["count"]


class FTE(Param):
    UNIT = "FTE"
    MIN = 0.0
    MEANING = "full-time equivalents cannot be negative"
    unit: Literal["FTE"]


class YearlyShock(Strict):
    """Year-to-year wandering of a growth rate around its drawn value, for Monte Carlo: each
    forecast year's rate is the drawn rate plus a shock ``e[t] = persistence * e[t-1] +
    sd * z[t]`` (z standard normal), so a run of high years lifts every later year's level."""

    sd: float = Field(ge=0, le=1, description="standard deviation of the yearly shock (ratio)")
    persistence: float = Field(
        default=0.0, ge=0, lt=1, description="share of last year's shock carried into this year"
    )
    group: str | None = Field(
        default=None,
        min_length=1,
        description="rates naming the same group share one shock path (one pressure drives both)",
    )
    source: str = Field(min_length=1)
    stated_sd: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="standard deviation of the shock in the years stated under values (a rise "
        "announced nationally, around which each council's own figure spreads); unset: stated "
        "years keep their figure in every draw",
    )


class Rate(Param):
    """A growth or inflation rate per year: -0.05 is a 5% fall, 0.1 a 10% rise."""

    UNIT = "ratio"
    MIN = -1.0
    MEANING = "a yearly rate cannot fall below -1 (-100%)"
    unit: Literal["ratio"]
    yearly_shock: YearlyShock | None = None


class Share(Param):
    """A share or probability between 0 and 1."""

    UNIT = "ratio"
    MIN = 0.0
    MAX = 1.0
    MEANING = "a share must be between 0 and 1"
    unit: Literal["ratio"]


class CostLevel(Param):
    """A council's costs as a multiple of a benchmark: 0.75 is three quarters of it."""

    UNIT = "ratio"
    MIN = 0.0
    MEANING = "a cost level cannot be negative"
    unit: Literal["ratio"]


class Weeks(Param):
    UNIT = "weeks"
    MIN = 0.0
    MAX = 53.0
    MEANING = "weeks in a year must be between 0 and 53"
    unit: Literal["weeks"]


class Years(Param):
    UNIT = "years"
    MIN = 0.0
    MEANING = "a duration cannot be negative"
    unit: Literal["years"]


class Flag(Strict):
    """A yes/no decision, constant or by financial year (for example the Forum's vote)."""

    description: str | None = None
    unit: Literal["flag"] = "flag"
    source: str = Field(min_length=1)
    basis: Basis
    value: bool | None = None
    values: dict[str, bool] | None = None
    _path: str = PrivateAttr(default="")

    @property
    def path(self) -> str:
        return self._path


# ---------------------------------------------------------------------------- general


class Narrative(Strict):
    """The officer's own words for each audience, paragraph by paragraph (a short name for
    each paragraph, then its text); the workbooks show them as written."""

    forum: dict[str, str] = Field(
        default_factory=dict, description="paragraphs for the Schools' Forum workbook"
    )
    cabinet: dict[str, str] = Field(
        default_factory=dict, description="paragraphs for the cabinet workbook"
    )


class StatisticalNeighbours(Strict):
    """The councils DfE names as most like this one, for comparison (LA numbers, closest
    first), with where the list comes from."""

    la_codes: dict[str, int] = Field(description="LA number by a short name (sn1, sn2, ...)")
    source: str = Field(min_length=1)
    basis: Basis


class Council(Strict):
    name: str = Field(min_length=1)
    assumption_set: str = Field(min_length=1)
    as_at: str = Field(min_length=1, description="date the assumptions describe")
    description: str | None = None
    la_code: int | None = Field(
        default=None,
        ge=100,
        le=999,
        description="DfE LA number (e.g. 861), to find the council in the national dataset",
    )
    statistical_neighbours: StatisticalNeighbours | None = None
    narrative: Narrative | None = None


class TimelineSpec(Strict):
    base_year: str = Field(description="the actual (outturn) year, e.g. 2018-19")
    horizon_years: int = Field(ge=1, le=50, description="forecast years after the base year")
    weeks_per_year: Weeks


# ----------------------------------------------------------------- children's services


class PlacementType(Strict):
    label: str = Field(min_length=1)
    children: Count = Field(
        description="children in this placement type, base-year average",
        json_schema_extra=BASE_YEAR,
    )
    weekly_cost: WeeklyCost = Field(
        description="weekly cost per child at base-year prices", json_schema_extra=BASE_YEAR
    )
    grows_with_demand: bool = Field(
        default=True,
        description="false for fixed capacity (e.g. in-house homes): the count stays as it is",
    )
    external: bool = Field(default=False, description="paid to external providers")
    price_inflation: Rate | None = Field(
        default=None, description="overrides the general placement price inflation"
    )
    capacity: Count | None = Field(
        default=None,
        description="places available by year; children above it go to overflow_to",
    )
    overflow_to: str | None = Field(
        default=None, description="the (dearer) placement type that takes children above capacity"
    )


class Move(Strict):
    """A dated change of placement: children moved from one type to another (or out of care)."""

    label: str = Field(min_length=1)
    from_type: str = Field(alias="from")
    to_type: str = Field(alias="to", description="a placement type, or out_of_care")
    children: Count | None = Field(
        default=None, description="children moved by each year (a stock, not a flow)"
    )
    target: Count | None = Field(
        default=None, description="or: move children until no more than this many remain"
    )
    continuing_weekly_cost: WeeklyCost | None = Field(
        default=None, description="allowance that continues after leaving care (e.g. SGO)"
    )


class ChildrenInCare(Strict):
    growth: Rate = Field(description="yearly growth in the number of children in care")


class Team(Strict):
    label: str = Field(min_length=1)
    establishment_fte: FTE


class Caseload(Strict):
    open_cases: Count = Field(
        description="open cases in the base year (children in need, on protection plans and "
        "looked after); the looked-after part follows children in care",
        json_schema_extra=BASE_YEAR,
    )
    other_cases_growth: Rate = Field(
        description="yearly growth in open cases other than children in care"
    )
    target_caseload: Count
    asye_fte: FTE
    asye_caseload_share: Share
    gap_agency_share: Share = Field(
        description="share of the FTE short of the target caseload filled by agency social "
        "workers at the agency premium (0: the gap is left and caseloads rise)"
    )


class Workforce(Strict):
    teams: dict[str, Team]
    vacancy_fte: FTE
    agency_cover_share: Share
    permanent_cost_per_fte: AnnualCost = Field(
        description="at base-year pay", json_schema_extra=BASE_YEAR
    )
    agency_premium: Rate
    pay_inflation: Rate
    caseload: Caseload


class InvestmentItem(Strict):
    label: str = Field(min_length=1)
    amount: Money = Field(description="spend in each year it falls in")
    recurrent: bool = Field(
        description="true: posts or contracts that continue after the years given, at the "
        "last amount with pay inflation; false: a one-off sum in the years given"
    )
    agency_social_workers: bool = Field(
        default=False, description="buys agency social worker FTE (shown in the workforce)"
    )


class SavingsItem(Strict):
    label: str = Field(min_length=1)
    amount: Money = Field(description="full-year value of the saving", json_schema_extra=BASE_YEAR)
    start_year: str
    confidence: Confidence
    slip_years: int = Field(default=0, ge=0, le=10, description="years of delay in delivery")
    recurrent: bool = True
    start_month: int = Field(
        default=4,
        ge=1,
        le=12,
        description="calendar month the saving starts (4 = April, the whole first year); a "
        "recurring saving counts in its first year only for the months to March",
    )
    reduces: str = Field(
        min_length=1,
        description="the children's social care spend line it reduces: placements, staffing, "
        "investment, allowances or other_spend.<line>; other_services for a saving made "
        "elsewhere in the council (reported, but not set against this overspend)",
    )
    linked_moves: list[str] = Field(
        default_factory=list,
        description="placement moves whose cost effect is this saving: the moves deliver it, "
        "so it is not counted again",
    )


class Savings(Strict):
    confidence_probability: dict[Confidence, Share]
    items: dict[str, SavingsItem] = Field(default_factory=dict)


class OtherSpend(Strict):
    label: str = Field(min_length=1)
    amount: Money = Field(
        description="base-year amount, grown by its driver", json_schema_extra=BASE_YEAR
    )
    driver: Literal["children_in_care", "care_leavers", "fixed", "inflation"] = Field(
        description="what the line grows with: children in care or care leavers (each with "
        "general inflation), general inflation only, or fixed in cash"
    )


class Mtfs(Strict):
    """The budget as a council builds it in its medium-term financial strategy: last year's
    budget, plus pay and price inflation, demographic growth and investment, less savings."""

    base_budget: Money = Field(
        description="net budget of the base year", json_schema_extra=BASE_YEAR
    )
    inflation: Rate = Field(description="pay and price inflation funded on last year's budget")
    demographic_growth: Money = Field(description="growth funding added for demand, by year")
    investment: Money = Field(description="new investment added to the budget, by year")
    savings: Money = Field(description="savings taken out of the budget, by year")


class Budget(Strict):
    net_budget: Money | None = Field(
        default=None, description="the net budget by year, given directly (or give mtfs)"
    )
    mtfs: Mtfs | None = Field(default=None, description="or: the budget built year by year")


class Calibration(Strict):
    base_year_overspend: SignedMoney = Field(description="known outturn of the base year")
    carry_forward: bool = Field(
        default=True, description="reconciliation line repeats in forecast years"
    )
    reconciliation_warning_share: Share = Field(
        description="a reconciliation line larger than this share of the modelled spend it "
        "balances is reported as a warning: the drivers do not explain the outturn"
    )


class ChildrensServices(Strict):
    children_in_care: ChildrenInCare
    placements: dict[str, PlacementType]
    placement_price_inflation: Rate
    moves: dict[str, Move] = Field(default_factory=dict)
    workforce: Workforce
    investment: dict[str, InvestmentItem] = Field(default_factory=dict)
    savings: Savings
    other_spend: dict[str, OtherSpend] = Field(default_factory=dict)
    general_inflation: Rate
    care_leavers_lag: Years = Field(
        description="years between children being in care and leaving it as care leavers: "
        "care leavers follow children in care this many whole years later"
    )
    budget: Budget
    calibration: Calibration


# ------------------------------------------------------------------------ high needs


class Provision(Strict):
    label: str = Field(min_length=1)
    share: Share = Field(description="share of school-age EHCPs placed here, by year")
    cost_per_place: AnnualCost = Field(
        description="average annual cost at base-year prices", json_schema_extra=BASE_YEAR
    )
    specialist: bool = Field(default=False, description="counts as specialist provision")
    capacity: Count | None = Field(
        default=None, description="places by year; plans above it go to overflow_to"
    )
    overflow_to: str | None = Field(
        default=None, description="the (dearer) provision that takes plans above capacity"
    )


class Ehcp(Strict):
    school_age_plans: Count = Field(
        description="school-age EHCPs, January census, base year", json_schema_extra=BASE_YEAR
    )
    growth: Rate
    post16_plans: Count = Field(
        description="plans for 16-25 year olds, base year", json_schema_extra=BASE_YEAR
    )
    post16_growth: Rate
    post16_cost_per_place: AnnualCost = Field(
        description="base-year prices", json_schema_extra=BASE_YEAR
    )


class Exclusions(Strict):
    permanent_exclusions: Count = Field(
        description="permanent exclusions in the base year", json_schema_extra=BASE_YEAR
    )
    growth: Rate
    reduction: Share = Field(description="reduction against trend (a mitigation), by year")
    cost_per_place: AnnualCost = Field(
        description="alternative provision / PRU place a year", json_schema_extra=BASE_YEAR
    )
    years_in_ap: Years = Field(description="average time an excluded pupil spends in AP")


class FixedLine(Strict):
    label: str = Field(min_length=1)
    amount: Money = Field(
        description="base-year amount, grown by inflation", json_schema_extra=BASE_YEAR
    )


class Income(Strict):
    high_needs_block: Money = Field(
        description="allocation by year; years not given grow by high_needs_growth",
        json_schema_extra=ANCHORED,
    )
    high_needs_growth: Rate
    schools_block: Money = Field(
        description="schools block total (for the 0.5% test); years not given grow by "
        "schools_block_growth",
        json_schema_extra=ANCHORED,
    )
    schools_block_growth: Rate
    other_dsg_blocks: Money = Field(
        description="early years and central blocks; years not given grow by schools_block_growth",
        json_schema_extra=ANCHORED,
    )
    other_contributions: Money = Field(description="DfE agreement or council contribution")


class Transfers(Strict):
    requested: Money = Field(description="transfer from the schools block asked for, by year")
    forum_approves: Flag
    disapplication_granted: Flag
    limit_share: Share = Field(description="largest share the Forum may approve (0.5%)")


class Mitigation(Strict):
    additional_savings: Money = Field(description="further high-needs savings, by year")


class DsgCalibration(Strict):
    deficit_brought_forward: SignedMoney = Field(description="cumulative deficit, end base year")
    calibration_year: str
    in_year_deficit: SignedMoney = Field(description="known in-year deficit, calibration year")
    carry_forward: bool = True
    reconciliation_warning_share: Share = Field(
        description="a reconciliation line larger than this share of the modelled high-needs "
        "spend it balances is reported as a warning"
    )


class Pupils(Strict):
    pupils: Count = Field(
        description="pupils in state-funded schools (denominator of the "
        "share in specialist provision)"
    )
    national_specialist_share: Share = Field(
        description="share of pupils in specialist provision in England, for comparison"
    )


class DsgAccounting(Strict):
    """How the cumulative deficit sits in the council's accounts and what it costs."""

    recovery_plan_trigger_share: Share = Field(
        description="cumulative deficit, as a share of total DSG, above which DfE asks for a "
        "deficit recovery plan"
    )
    statutory_override: Flag = Field(
        description="by year: true where regulations keep the DSG deficit in an unusable "
        "reserve, off the general fund"
    )
    usable_reserves: Money = Field(
        description="the council's usable general fund reserves, by year, set against the deficit"
    )
    interest_rate: Rate = Field(
        description="yearly cost of the cash the deficit ties up (borrowing or lost interest)"
    )


class SafetyValve(Strict):
    """A safety-valve style agreement with DfE: DfE pays towards the deficit year by year,
    the council contributes from its own funds, and each year's payment is made only if
    that year's in-year deficit (before the payment) is within the agreed milestone."""

    label: str = Field(min_length=1, description="the agreement's name, as the council uses it")
    dfe_payments: Money = Field(
        description="DfE's agreed payment by year (values by year; years not given: none), "
        "made only in a year whose milestone is met",
        json_schema_extra=DATED,
    )
    council_contributions: Money = Field(
        description="the council's own contribution by year, e.g. from its general fund "
        "(values by year; years not given: none)",
        json_schema_extra=DATED,
    )
    milestones: Money = Field(
        description="the condition, by year: the in-year deficit before DfE's payment (after "
        "the council's contribution) that the council must not exceed for that year's "
        "payment to be made; required for every year with a payment",
        json_schema_extra=DATED,
    )


class HighNeeds(Strict):
    income: Income
    pupils: Pupils
    ehcp: Ehcp
    provisions: dict[str, Provision]
    exclusions: Exclusions
    fixed_lines: dict[str, FixedLine] = Field(default_factory=dict)
    inflation: Rate
    transfers: Transfers
    mitigation: Mitigation
    calibration: DsgCalibration
    accounting: DsgAccounting
    local_cost_level: CostLevel | None = Field(
        default=None,
        description="the council's costs per place (provisions, post-16 and alternative "
        "provision) as a multiple of the benchmark costs given for them; none: the benchmarks",
        json_schema_extra=BASE_YEAR,
    )
    safety_valve: SafetyValve | None = Field(
        default=None,
        description="a safety-valve style agreement with DfE; none: no agreement",
    )


class AssumptionSet(Strict):
    """Everything one scenario of one council's forecast starts from."""

    council: Council
    timeline: TimelineSpec
    childrens_services: ChildrensServices
    high_needs: HighNeeds

    def area(self, key: str) -> Any:
        """The section of a further area (``forecasting.areas``), or None if the set has none."""
        return getattr(self, key, None)


def iter_params(
    model: Any, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Param | Flag]]:
    """Every parameter (and yes/no decision) of a set or section with its path, in file
    order: the walk over the model tree that validation, the writers and Monte Carlo share."""
    if isinstance(model, (Param, Flag)):
        yield prefix, model
        return
    if isinstance(model, dict):
        for k, v in model.items():
            yield from iter_params(v, prefix + (str(k),))
        return
    if hasattr(model, "__pydantic_fields__"):
        for name, info in type(model).__pydantic_fields__.items():
            yield from iter_params(getattr(model, name), prefix + (info.alias or name,))


@cache
def set_model() -> type[AssumptionSet]:
    """The assumption set as validated: the built-in sections plus, optional, the section of
    every area found in ``forecasting.areas``."""
    from . import areas

    extra: dict[str, Any] = {
        a.key: (a.section | None, Field(default=None, description=a.title)) for a in areas.folders()
    }
    if not extra:
        return AssumptionSet
    return create_model("AssumptionSet", __base__=AssumptionSet, **extra)


def json_schema() -> dict:
    """JSON Schema of a merged assumption set, for editors that check files as typed."""
    schema = set_model().model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Assumption set (all files of a set merged by their top-level sections)"
    return schema
