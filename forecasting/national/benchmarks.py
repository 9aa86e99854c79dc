"""The national figures a set built from published data starts from where the council's own
figure is not published (``benchmarks.yaml`` beside this module): England's placement mix,
the share of children-looked-after spend that pays for placements, the high-needs rise
announced ahead of the allocations and the like, each with its unit, basis and source."""

from __future__ import annotations

import functools
from importlib import resources
from typing import ClassVar, Literal, TypeVar

import yaml
from pydantic import Field, ValidationError, model_validator

from ..errors import InputError, Problem
from ..schema import AnnualCost, CostLevel, Param, Rate, Share, Strict, WeeklyCost, Years

FILE = "benchmarks.yaml"


class Figure(Strict):
    """One national figure: a single value with its unit, basis and source (unlike an
    assumption-file parameter, it never varies by year or carries a range). A kind of figure
    takes its unit and bounds from the assumption-file parameter of the same kind."""

    KIND: ClassVar[type[Param] | None] = None

    value: float
    unit: str
    basis: Literal["benchmark", "estimate", "rule", "published"]
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _kind(self) -> Figure:
        kind = type(self).KIND
        if kind is None:
            return self
        if self.unit != kind.UNIT:
            raise ValueError(f"unit must be {kind.UNIT!r}")
        if (kind.MIN is not None and self.value < kind.MIN) or (
            kind.MAX is not None and self.value > kind.MAX
        ):
            raise ValueError(kind.MEANING)
        return self


class ShareFigure(Figure):
    """A share of a whole, between 0 and 1."""

    KIND = Share


class LevelFigure(Figure):
    """A multiple of a benchmark cost."""

    KIND = CostLevel


class WeeklyFigure(Figure):
    """A weekly amount in pounds."""

    KIND = WeeklyCost


class YearsFigure(Figure):
    """A span of years."""

    KIND = Years


class AnnouncedRise(Figure):
    """A national rise in high-needs funding announced for ``year`` before its allocations."""

    KIND = Rate
    year: str


class AnnualFigure(Figure):
    """A yearly amount in pounds."""

    KIND = AnnualCost


class EnglandMix(Strict):
    """England's children looked after by placement, as shares of all of them; kinship
    foster care is part of ``foster``, so the other shares and ``foster`` make the whole."""

    foster: ShareFigure
    kinship_of_foster: ShareFigure
    residential: ShareFigure
    secure: ShareFigure
    supported_accommodation: ShareFigure
    placed_with_parents: ShareFigure
    placed_for_adoption: ShareFigure
    other: ShareFigure

    @model_validator(mode="after")
    def _whole(self) -> EnglandMix:
        shares = self.values()
        total = sum(v for k, v in shares.items() if k != "kinship_of_foster")
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"the placement shares (foster and the rest) add to {total:g}, not 1")
        if shares["kinship_of_foster"] > shares["foster"]:
            raise ValueError("kinship foster care cannot exceed all foster care")
        return self

    def values(self) -> dict[str, float]:
        """Each placement's share (name -> value)."""
        return {k: getattr(self, k).value for k in type(self).model_fields}


class Benchmarks(Strict):
    """Every national figure ``forecast init`` starts from (see ``benchmarks.yaml``)."""

    horizon_years: YearsFigure
    placement_share_of_cla_spend: ShareFigure
    cost_scale_min: LevelFigure
    cost_scale_max: LevelFigure
    no_s251_weekly_budget_per_child: WeeklyFigure
    pupils_per_child_population: ShareFigure
    permanent_exclusion_rate_england: ShareFigure
    england_mix_2019: EnglandMix
    announced_high_needs: dict[int, AnnouncedRise]
    transport_cost_per_pupil: dict[str, AnnualFigure]

    @model_validator(mode="after")
    def _ranges(self) -> Benchmarks:
        if not 0 < self.cost_scale_min.value <= 1 <= self.cost_scale_max.value:
            raise ValueError("the cost scale must be kept within a range around 1")
        years = self.horizon_years.value
        if years != int(years) or years < 1:
            raise ValueError("horizon_years must be a whole number of years, at least 1")
        return self

    @property
    def horizon(self) -> int:
        """Financial years forecast after the base year."""
        return int(self.horizon_years.value)


M = TypeVar("M", bound=Strict)


def validated(model: type[M], text: str, file: str) -> M:
    """A national data file's YAML text checked against ``model``; a bad file is an
    InputError naming the file, the line (for bad YAML) and the field."""
    try:
        return model.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            Problem(file, mark.line + 1 if mark else None, None, f"not valid YAML: {e}")
        ) from None
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise InputError(Problem(file, None, field, err["msg"])) from None


def parse(text: str, file: str = FILE) -> Benchmarks:
    """The national figures in a ``benchmarks.yaml`` text; a bad file is an InputError naming
    the file and the field."""
    return validated(Benchmarks, text, file)


@functools.cache
def load() -> Benchmarks:
    """The bundled national figures, read once per process."""
    text = resources.files(__package__).joinpath(FILE).read_text(encoding="utf-8")
    return parse(text)
