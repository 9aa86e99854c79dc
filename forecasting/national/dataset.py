"""The bundled national extract: DfE's published figures for every English council.

One tidy table (see :mod:`forecasting.national.build` for how it is made): a row per
council, region or England (``la_code``), measure and financial year (``period``), with
its ``unit`` and the ``source_file`` and ``indicator`` it came from.
"""

from __future__ import annotations

import difflib
import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..errors import InputError, Problem

EXTRACT = Path(__file__).with_name("national.csv.gz")
ENGLAND = 970  # the LA number DfE gives England (regions are 980-990)
# LA numbers DfE gives the regions (as the Local Authority Interactive Tool does); a London
# borough's region is London (986), of which Inner and Outer London are parts.
REGION_CODES = {
    "North East": 980,
    "North West": 981,
    "Yorkshire and The Humber": 982,
    "East Midlands": 983,
    "West Midlands": 984,
    "East of England": 985,
    "London": 986,
    "Inner London": 987,
    "Outer London": 988,
    "South East": 989,
    "South West": 990,
}


@dataclass(frozen=True)
class Council:
    """A local authority as the extract knows it."""

    code: int
    name: str
    region: str

    @property
    def region_code(self) -> int | None:
        """The LA number of the council's region (None if the extract names none)."""
        return REGION_CODES.get(self.region)


@functools.lru_cache(maxsize=2)
def load_extract(path: Path = EXTRACT) -> pd.DataFrame:
    """The whole extract as a DataFrame (read once per process)."""
    if not path.is_file():
        raise InputError(
            Problem(
                str(path),
                None,
                None,
                "the national extract is missing; rebuild it with `forecast data build data/dfe`",
            )
        )
    return pd.read_csv(
        path,
        dtype={"la_code": "int32", "value": "float64"},
        keep_default_na=False,
        na_values={"value": [""]},
    )


T = TypeVar("T")
# What is worked out from an extract once: (id of the extract, what) -> (the extract, result).
# An extract is a table read once and never changed; its entries go when it does.
_ONCE: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def _once(extract: pd.DataFrame, what: str, make: Callable[[pd.DataFrame], T]) -> T:
    """``make(extract)``, worked out once for each extract (a council's set looks the same
    councils and England's rows up many times)."""
    key = (id(extract), what)
    hit = _ONCE.get(key)
    if hit is not None and hit[0]() is extract:
        return hit[1]
    result = make(extract)

    def forget(_: weakref.ref) -> None:
        _ONCE.pop(key, None)

    _ONCE[key] = (weakref.ref(extract, forget), result)
    return result


def _councils(e: pd.DataFrame) -> list[Council]:
    las = e[e["level"] == "la"].drop_duplicates("la_code")
    return [Council(int(r.la_code), str(r.la_name), str(r.region)) for r in las.itertuples()]


def area_rows(la_code: int, extract: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every row of one council (or region, or England, 970), in the extract's order (the
    extract is split by area once)."""
    e = load_extract() if extract is None else extract
    by_area = _once(e, "by area", lambda e: dict(tuple(e.groupby("la_code", sort=False))))
    return by_area.get(la_code, e.iloc[:0])


def councils(region: str | None = None, extract: pd.DataFrame | None = None) -> list[Council]:
    """Every local authority in the extract (not regions or England), by name; ``region``
    narrows it to one region (case does not matter)."""
    e = load_extract() if extract is None else extract
    found = list(_once(e, "councils", _councils))
    if region:
        regions = sorted({c.region for c in found})
        wanted = [r for r in regions if r.lower() == region.strip().lower()]
        if not wanted:
            raise InputError(
                Problem(
                    "--region",
                    None,
                    None,
                    f"'{region}' is not a region; choose one of: " + ", ".join(regions),
                )
            )
        found = [c for c in found if c.region == wanted[0]]
    return sorted(found, key=lambda c: c.name)


def _norm(text: str) -> str:
    return " ".join(
        text.lower()
        .replace("&", "and")
        .replace(",", " ")
        .replace(".", " ")
        .replace("-", " ")
        .split()
    )


# Words that end a council's name without naming the place ("Wigan Metropolitan Borough
# Council", "Durham County Council", DfE's "Bristol, City of")
_TRAILING = {"council", "city", "county", "borough", "metropolitan", "district", "of"}


def _place(text: str) -> str:
    words = _norm(text).split()
    while len(words) > 1 and words[-1] in _TRAILING:
        words.pop()
    return " ".join(words)


def same_council(written: str, published: str) -> bool:
    """Whether a council's name as a set writes it ("Stoke-on-Trent City Council", "Bristol
    City Council") and as DfE publishes it ("Stoke-on-Trent", "Bristol, City of") name the
    same council: once the words that only say what kind of council it is are taken off the
    end, one holds the other, word for word, whatever the case and punctuation."""
    a, b = f" {_place(written)} ", f" {_place(published)} "
    return a in b or b in a


def find_council(name_or_code: str | int, extract: pd.DataFrame | None = None) -> Council:
    """The council a finance officer means by a name or LA number ("Stoke-on-Trent",
    "stoke", 861). Unknown or ambiguous names are an input error listing the closest."""
    known = councils(extract=extract)
    text = str(name_or_code).strip()
    if text.isdigit():
        for c in known:
            if c.code == int(text):
                return c
        raise InputError(
            Problem(
                "--council",
                None,
                None,
                f"no council has LA number {text}; `forecast councils` lists them",
            )
        )
    key = _norm(text)
    exact = [c for c in known if _norm(c.name) == key]
    if len(exact) == 1:
        return exact[0]
    partial = [c for c in known if key and key in _norm(c.name)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(f"{c.name} ({c.code})" for c in partial[:8])
        raise InputError(
            Problem(
                "--council",
                None,
                None,
                f"'{text}' matches more than one council: {names}; "
                "give the full name or the LA number",
            )
        )
    close = difflib.get_close_matches(key, [_norm(c.name) for c in known], n=5, cutoff=0.5)
    by_norm = {_norm(c.name): c for c in known}
    hint = (
        "; closest: " + ", ".join(f"{by_norm[n].name} ({by_norm[n].code})" for n in close)
        if close
        else "; `forecast councils` lists them"
    )
    raise InputError(Problem("--council", None, None, f"no council called '{text}'{hint}"))


def rows(la_code: int, measure: str, extract: pd.DataFrame | None = None) -> pd.DataFrame:
    """The extract's rows of one measure for one council, in period order."""
    e = load_extract() if extract is None else extract
    r = e[(e["la_code"] == la_code) & (e["measure"] == measure)]
    return r.sort_values("period")


def series(la_code: int, measure: str, extract: pd.DataFrame | None = None) -> pd.Series:
    """One measure for one council (or region, or England, 970) by financial year."""
    r = rows(la_code, measure, extract)
    s = pd.Series(r["value"].to_numpy(), index=r["period"].astype(str).to_numpy(), name=measure)
    s.index.name = "period"
    return s.dropna()


def measures_by_council(extract: pd.DataFrame | None = None) -> dict[int, list[str]]:
    """For each council, the measures the extract holds (grouped by their prefix)."""
    e = load_extract() if extract is None else extract
    las = e[e["level"] == "la"]
    out: dict[int, list[str]] = {}
    for code, group in las.groupby("la_code")["measure"]:
        names = sorted({str(m).split(".")[0] for m in group.unique()})
        out[int(code)] = names
    return out
