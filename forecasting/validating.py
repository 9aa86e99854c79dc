"""Validating composed assumptions: pydantic's errors as file:line problems, the calendar's
limits, the cross-field checks, each parameter named by its path, and trends fitted where a
growth rate says ``from_trend``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .consistency import check
from .errors import InputError, Problem
from .schema import AssumptionSet, Param, iter_params, set_model
from .yamlfile import Document, Path_, nearest_loc
from .years import LAST_YEAR as LAST_START_YEAR
from .years import parse_year, year_label


def validate(doc: Document, fallback: str) -> AssumptionSet:
    """Typed, checked assumptions; every problem found is reported together."""
    try:
        model = set_model().model_validate(doc.data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            path = tuple(str(p) for p in err["loc"])
            problems.append(
                Problem(*_where(doc.locs, path, fallback), ".".join(path) or None, _message(err))
            )
        raise InputError(problems) from None
    _name_params(model)
    _check_calendar(model, doc, fallback)
    problems = [
        Problem(*_where(doc.locs, path, fallback), ".".join(path), msg)
        for path, msg in check(model)
    ]
    if problems:
        raise InputError(problems)
    return model


def _check_calendar(model: AssumptionSet, doc: Document, fallback: str) -> None:
    """A forecast must end by 31 March 9999, the last date years and workbooks can hold."""
    try:
        last = parse_year(model.timeline.base_year) + model.timeline.horizon_years
    except ValueError:
        return  # the base year's own check reports it
    if last > LAST_START_YEAR:
        path = ("timeline", "horizon_years")
        raise InputError(
            Problem(
                *_where(doc.locs, path, fallback),
                ".".join(path),
                f"the forecast's last year would start in {last}, past the last financial "
                f"year a label or workbook date can hold ({year_label(LAST_START_YEAR)})",
            )
        )


def _where(locs, path: Path_, fallback: str) -> tuple[str, int | None]:
    loc = nearest_loc(locs, path)
    return (loc.file, loc.line) if loc else (fallback, None)


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against `forecast schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error" and err["loc"] and err["loc"][-1] == "unit":
        return (
            f"wrong unit {err.get('input')!r}: {err['msg'].replace('Input should be', 'must be')}"
        )
    msg = err["msg"]
    if "input" in err and not isinstance(err["input"], (dict, list)):
        msg += f" (got {err['input']!r})"
    return msg


def _name_params(model: Any) -> None:
    """Give every parameter its dotted path, so draws and sources can refer to it."""
    for path, p in iter_params(model):
        p._path = ".".join(path)


def resolve_trends(model: AssumptionSet, doc: Document, set_dir: Path) -> list[Path]:
    """Replace ``from_trend`` growth rates by the fitted trend of their history file; the
    history files read, in the order the parameters appear."""
    pending = [
        (p, prm) for p, prm in iter_params(model) if isinstance(prm, Param) and prm.from_trend
    ]
    if not pending:
        return []
    from .trend import growth_from_history  # statsmodels only when a trend is used

    for path, prm in pending:  # each with from_trend set
        loc = nearest_loc(doc.locs, path + ("from_trend",))
        central, low, high, method = growth_from_history(
            set_dir / cast(str, prm.from_trend), model.timeline.base_year, loc
        )
        prm.value, prm.low, prm.high, prm.values = central, low, high, None
        prm.source = f"{prm.source}; fitted trend of {prm.from_trend} ({method})"
    return [set_dir / cast(str, prm.from_trend) for _, prm in pending]
