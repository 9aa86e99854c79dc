"""Build the bundled national extract from DfE's raw files, read as DfE publishes them.

``forecast data build RAW_DIR`` runs :func:`build` over a folder laid out like the
repository's ``data/dfe/`` (``lait/``, ``csc/``, ``send/``, ``sen2/``) and writes one tidy,
gzipped CSV: a row per council (or region, or England), measure and financial year, with its
unit, the file it came from and the indicator inside that file.

Every figure is placed on the model's timeline of financial years (``period`` ``YYYY-YY``):
a count at 31 March 2019 and the SEN2 count in January 2019 belong to ``2018-19``; s251
outturn ``2018-19`` to ``2018-19``; a DSG allocation for 2019-20 to ``2019-20``; the
workforce at 30 September 2019 and the mid-2019 population to ``2019-20``.

Where two files give the same measure for the same council and year, the file with the
higher ``PRIORITY`` wins (the statistical release over the Local Authority Interactive Tool's
copy of it, the later SEN2 release over the earlier); see docs/decisions.md.

The readers (pyarrow for parquet, odfpy for ODS) are needed only here, at build time:
``pip install .[data]``. Loading the built extract needs pandas alone.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

import pandas as pd

from ..errors import InputError, Problem
from ..years import year_label as fy  # the financial year starting in April of a year
from .dataset import ENGLAND, EXTRACT, REGION_CODES

COLUMNS = [
    "la_code",
    "la_name",
    "region",
    "level",
    "measure",
    "period",
    "value",
    "unit",
    "source_file",
    "indicator",
]
DEFAULT_OUT = EXTRACT  # where the tool reads the national dataset from

_REGION_BY_LOWER = {k.lower(): k for k in REGION_CODES}

# Which file wins when two give the same measure, council and year (higher wins).
PRIORITY = {
    "sen2/release2025_caseload.csv": 30,
    "sen2/release2022_sen2_estab_caseload.csv": 20,
    "sen2/release2022_sen2_age_caseload.csv": 20,
    "csc/cla_number_and_rate_per_10k_children.csv": 20,
    "csc/ons_mid-year_population_estimates_2012_to_2024.csv": 25,
    "lait/bds_long_0.parquet": 10,
}


def fy_ending_march(year: int) -> str:
    """A count at 31 March (or January) ``year`` belongs to the year ending then."""
    return fy(year - 1)


def _num(s: pd.Series) -> pd.Series:
    """DfE's suppression marks (``x``, ``z``, ``c``, ``-``, ``:``) and commas to numbers."""
    text = s.astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce")


def _frame(
    rows: pd.DataFrame, measure: str, unit: str, source: str, indicator: str
) -> pd.DataFrame:
    """Rows with ``la_code, la_name, level, period, value`` -> the extract's columns."""
    out = rows[["la_code", "la_name", "level", "period", "value"]].copy()
    out["measure"] = measure
    out["unit"] = unit
    out["source_file"] = source
    out["indicator"] = indicator
    return out.dropna(subset=["value", "la_code"])


def _ees_codes(df: pd.DataFrame, la_col: str = "old_la_code") -> pd.DataFrame:
    """Codes and levels of an Explore Education Statistics file (national/regional/LA rows)."""
    level = df["geographic_level"].map(
        {"National": "england", "Regional": "region", "Local authority": "la"}
    )
    region = df["region_name"].fillna("").astype(str).str.strip().str.lower().map(_REGION_BY_LOWER)
    code = pd.to_numeric(df[la_col], errors="coerce")
    code = code.where(level != "england", ENGLAND)
    code = code.where(level != "region", region.map(REGION_CODES))
    name = df["la_name"].where(level == "la", region).where(level != "england", "England")
    return df.assign(level=level, la_code=code, la_name=name).dropna(subset=["level"])


# ----------------------------------------------------------------------------- readers


# LAIT indicators read as they are: indicator, measure, unit, scale, what the period means
LAIT_SPECS: list[tuple[str, str, str, float, str]] = [
    ("SEN_CASES_JAN", "ehcp_total", "count", 1, "EHC plans in January (SEN2)"),
    ("LACnum", "children_looked_after", "count", 1, "children looked after at 31 March"),
    ("LAC", "cla_per_10k", "per 10,000", 1, "children looked after per 10,000 aged 0-17"),
    ("LACnum_Start", "cla_starts", "count", 1, "started to be looked after, year to March"),
    ("LACceased", "cla_ceased", "count", 1, "ceased to be looked after, year to March"),
    (
        "TotalLACFinance",
        "cla_gross_spend",
        "GBP",
        1,
        "s251 outturn, gross spend on children looked after",
    ),
    (
        "C&YPExpenditure",
        "cyp_gross_spend",
        "GBP",
        1,
        "s251 outturn, gross spend on children's and young people's services",
    ),
    (
        "TotPermEx",
        "permanent_exclusions_rate",
        "percent",
        1,
        "permanent exclusions as % of pupils, academic year",
    ),
    ("SEN_TotStat", "ehcp_pupil_share", "percent", 1, "% of pupils with an EHC plan"),
]

# LAIT placement indicators (percent of children looked after) -> the extract's placement type
LAIT_PLACEMENTS: dict[str, str] = {
    "LAC_Foster_Placements": "foster",
    "LAC_Other_Res_Settings": "other_residential",
    "LAC_SecHome_And_ChildHome": "secure_and_childrens_homes",
    "LAC_Ind_SInd_Liv_Arr": "independent_living",
    "LAC_Parents_OR_Others": "with_parents",
    "LAC_Other_Place_Inc_Unreg": "other_including_unregulated",
}


def _lait_table(raw: Path, src: str) -> pd.DataFrame:
    """LAIT's long table with each row's LA code, name, level (LA, region or England) and
    period: financial years for calendar-year and outturn figures, academic years as they are.
    Rows whose year is in none of those forms are dropped."""
    d = pd.read_parquet(raw / src)
    d = d.assign(
        la_code=d["LA Number"],
        la_name=d["LA and Regions"],
        value=_num(d["Values"]),
        level=d["LA Number"].map(lambda c: "england" if c == ENGLAND else None),
    )
    d["level"] = d["level"].where(d["la_code"] != ENGLAND, "england")
    d.loc[d["la_code"].between(980, 990), "level"] = "region"
    d["level"] = d["level"].fillna("la")
    # region rows carry DfE's own region names; use the extract's spelling
    d.loc[d["level"] == "region", "la_name"] = d["la_code"].map(
        {v: k for k, v in REGION_CODES.items()}
    )
    years = d["Years"].astype(str)
    calendar = years.str.fullmatch(r"\d{4}")
    outturn = years.str.fullmatch(r"\d{4}-\d{2} \(OT\)")
    academic = years.str.fullmatch(r"\d{4}/\d{2}")
    period = pd.Series(None, index=d.index, dtype=object)
    period[calendar] = years[calendar].astype(int).map(fy_ending_march)
    period[outturn] = years[outturn].str[:7]
    period[academic] = years[academic].str.replace("/", "-", regex=False)
    d["period"] = period
    return d.dropna(subset=["period"])


def read_lait(raw: Path) -> pd.DataFrame:
    """The Local Authority Interactive Tool's long table (parquet): CLA counts, s251 spend,
    exclusions, placement shares and SEN2 totals for every LA, region and England."""
    src = "lait/bds_long_0.parquet"
    d = _lait_table(raw, src)
    frames = []
    for ind, measure, unit, scale, _what in LAIT_SPECS:
        rows = d[d["Short Desc"] == ind].assign(value=lambda x, s=scale: x["value"] * s)
        frames.append(_frame(rows, measure, unit, src, ind))
    for ind, kind in LAIT_PLACEMENTS.items():
        rows = d[d["Short Desc"] == ind].assign(value=lambda x: x["value"] / 100)
        frames.append(
            _frame(
                rows,
                f"cla_placement.{kind}",
                "ratio",
                src,
                f"{ind} (%/100)",
            )
        )
    return pd.concat(frames)


def la_register(raw: Path) -> pd.DataFrame:
    """Every LA with its name and region (LAIT's table; London's inner and outer as London)."""
    d = pd.read_parquet(
        raw / "lait/bds_long_0.parquet", columns=["LA Number", "LA and Regions", "Region"]
    )
    d = d.drop_duplicates("LA Number")
    d = d[d["LA Number"].notna()]
    d = d.rename(columns={"LA Number": "la_code", "LA and Regions": "la_name", "Region": "region"})
    d["region"] = d["region"].replace(
        {
            "Inner London": "London",
            "Outer London": "London",
            "Yorkshire and the Humber": "Yorkshire and The Humber",
        }
    )
    d.loc[d["la_code"] >= ENGLAND, "region"] = ""
    return d.set_index("la_code")


def read_cla(raw: Path) -> pd.DataFrame:
    """Children looked after, starting and ceasing, and the 0-17 population (CSC release)."""
    src = "csc/cla_number_and_rate_per_10k_children.csv"
    d = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig"))
    d["period"] = d["time_period"].astype(int).map(fy_ending_march)
    kinds = {
        "Children looked after on 31 March each year": ("children_looked_after", "cla_per_10k"),
        "Children starting to be looked after each year": ("cla_starts", None),
        "Children ceasing to be looked after each year": ("cla_ceased", None),
    }
    frames = []
    for kind, (count, rate) in kinds.items():
        rows = d[d["population_type"] == kind]
        frames.append(
            _frame(
                rows.assign(value=_num(rows["children_count"])),
                count,
                "count",
                src,
                f"children_count: {kind}",
            )
        )
        if rate:
            frames.append(
                _frame(
                    rows.assign(value=_num(rows["rate_per_10000"])),
                    rate,
                    "per 10,000",
                    src,
                    f"rate_per_10000: {kind}",
                )
            )
    return pd.concat(frames)


def read_population(raw: Path) -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0-17; mid-2018 belongs to 2018-19."""
    src = "csc/ons_mid-year_population_estimates_2012_to_2024.csv"
    d = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig"))
    d = d[d["age_group"] == "Children aged 0 to 17 years"]
    d = d.assign(period=d["time_period"].astype(int).map(fy), value=_num(d["population_estimate"]))
    return _frame(
        d, "population_0_17", "count", src, "population_estimate: Children aged 0 to 17 years"
    )


def read_workforce(raw: Path) -> pd.DataFrame:
    """Children's social work workforce at 30 September (CSWW): FTE, agency, vacancies,
    caseload. The count at 30 September 2019 belongs to 2019-20."""
    src = "csc/csww_indicators_2017_to_2025.csv"
    d = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig"))
    d["period"] = d["time_period"].astype(int).map(fy)
    specs = [
        ("inpost_fte", "sw_fte", "FTE", 1, "children and family social workers in post, FTE"),
        ("agency_fte", "agency_fte", "FTE", 1, "agency social workers, FTE"),
        ("vacancy_fte", "vacancy_fte", "FTE", 1, "vacancies, FTE"),
        ("vacancy_rate_fte", "vacancy_rate", "ratio", 0.01, "vacancy rate, published as %, /100"),
        ("agency_rate_fte", "agency_rate", "ratio", 0.01, "agency rate, published as %, /100"),
        (
            "turnover_rate_fte",
            "turnover_rate",
            "ratio",
            0.01,
            "turnover rate, published as %, /100",
        ),
        ("caseload_fte", "caseload", "count", 1, "average caseload per case-holding FTE"),
        ("cases", "open_cases", "count", 1, "cases held"),
    ]
    frames = []
    for col, measure, unit, scale, _what in specs:
        rows = d.assign(value=_num(d[col]) * scale)
        frames.append(_frame(rows, measure, unit, src, col + (" (%/100)" if scale != 1 else "")))
    return pd.concat(frames)


def read_children_in_need(raw: Path) -> pd.DataFrame:
    """Children in need at 31 March (table B1)."""
    src = "csc/b1_children_in_need_2013_to_2025.csv"
    d = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig"))
    d = d.assign(
        period=d["time_period"].astype(int).map(fy_ending_march), value=_num(d["At31_episodes"])
    )
    return _frame(d, "children_in_need", "count", src, "At31_episodes")


def _sheet_code(col: pd.Series) -> pd.Series:
    code = pd.to_numeric(col.astype(str).str.strip(), errors="coerce")
    text = col.astype(str).str.strip()
    code = code.where(text.str.upper() != "ENGLAND", ENGLAND)
    return code.where(code.notna(), text.str.lower().map(_REGION_BY_LOWER).map(REGION_CODES))


def read_dsg(raw: Path) -> pd.DataFrame:
    """ESFA DSG allocations by block, before and after deductions, one sheet a year
    (the 2019-20 sheet in pounds million)."""
    src = "send/dedicated-schools-grant.ods"
    sheets = pd.read_excel(raw / src, sheet_name=None, engine="odf", header=None)
    blocks = [
        (2, "schools_block", "schools block before recoupment"),
        (3, "central_school_services_block", "central school services block"),
        (4, "high_needs_allocation", "high needs block before deductions"),
        (5, "early_years_block", "early years block"),
        (6, "dsg_total", "total DSG before recoupment and deductions"),
        (9, "high_needs_allocation_after_deductions", "high needs block after deductions"),
    ]
    frames = []
    for name, sheet in sheets.items():
        if not name.startswith("Allocations_"):
            continue
        yy = name.removeprefix("Allocations_")
        period = fy(2000 + int(yy[:2]))
        million = "million" in str(sheet.iloc[1, 2])
        codes = _sheet_code(sheet[0])
        level = pd.Series("la", index=sheet.index).where(codes < ENGLAND, "region")
        level = level.where(codes != ENGLAND, "england")
        names = sheet[1].where(level == "la", sheet[0].astype(str).str.strip())
        base = pd.DataFrame({"la_code": codes, "la_name": names, "level": level, "period": period})
        for col, measure, what in blocks:
            value = _num(sheet[col]) * (1e6 if million else 1)
            rows = base.assign(value=value.round(0))
            frames.append(
                _frame(
                    rows[codes.notna()],
                    measure,
                    "GBP",
                    src,
                    f"{name} col {col + 1}: {what}" + (" (GBP m)" if million else ""),
                )
            )
    return pd.concat(frames)


def read_dsg_balance(raw: Path) -> tuple[pd.DataFrame, str, str]:
    """Each LA's cumulative DSG balance as a share of its total DSG income (negative: a
    deficit), as derived and published by DfE's SEND dashboard, 2019-20 to 2021-22."""
    src = "send/dsg_deficit_derived.xlsx"
    d = pd.read_excel(raw / src)
    col = "DSG cumulative balance as a % of the total income"
    level = d["geographic_level"].map(
        {"National": "england", "Regional": "region", "Local authority": "la"}
    )
    region = d["region_name"].astype(str).str.lower().map(_REGION_BY_LOWER)
    d = d.assign(level=level, period=d["financial_year"], value=_num(d[col]) / 100)
    d["la_name"] = d["la_name"].where(level == "la", region).where(level != "england", "England")
    return d, src, col


def read_pupils(raw: Path, names: dict[str, int]) -> pd.DataFrame:
    """Pupils in all schools (January 2022 census) by LA name; the only pupil count given."""
    src = "send/la_region_lookup_raw.xlsx"
    d = pd.read_excel(raw / src, header=None)
    year = next(str(v) for v in d.iloc[:5, 2] if isinstance(v, str) and "/" in v)
    rows = d.iloc[3:].dropna(subset=[1])
    value = _num(rows[2])
    code = rows[1].astype(str).map(lambda n: names.get(_key(n)))
    out = pd.DataFrame(
        {
            "la_code": code,
            "la_name": rows[1],
            "level": "la",
            "period": year.replace("/", "-"),
            "value": value,
        }
    )
    return _frame(out, "pupils", "count", src, f"headcount, pupils in all schools {year}")


def _key(name: str) -> str:
    """A council's name reduced for matching across files."""
    n = name.lower().replace("&", "and").replace(".", "").replace(",", "")
    for word in ("city of ", " city of", "county of ", " county", " upon ", "(pre lg)"):
        n = n.replace(word, " ")
    return " ".join(n.split())


# SEN2 establishment types (as the 2022 release names them) -> the model's provisions.
ESTAB_2022 = {
    "Mainstream - LA maintained": "mainstream",
    "Mainstream - Academy": "mainstream",
    "Mainstream - Free school": "mainstream",
    "Mainstream - Independent": "mainstream",
    "Mainstream - LA maintained - Resourced provision": "resourced_provision",
    "Mainstream - LA maintained - SEN unit": "resourced_provision",
    "Mainstream - Academy - Resourced Provision": "resourced_provision",
    "Mainstream - Academy - SEN unit": "resourced_provision",
    "Mainstream - Free school - Resourced provision": "resourced_provision",
    "Mainstream - Free school - SEN unit": "resourced_provision",
    "Special - LA maintained": "special_maintained",
    "Special - Academy/free": "special_academy",
    "Special - Academy": "special_academy",
    "Special - Free school": "special_academy",
    "Special - Independent": "special_independent",
    "Special - Non-maintained": "special_independent",
    "AP/PRU - LA maintained": "ap_pru",
    "AP/PRU - Academy": "ap_pru",
    "AP/PRU - Free school": "ap_pru",
    "General FE and tertiary colleges/HE": "post16",
    "Other FE": "post16",
    "Sixth form college": "post16",
    "Specialist post-16 institutions": "post16",
    "Independent specialist providers": "post16",
    "Apprenticeship": "post16",
    "Traineeship": "post16",
    "Supported Internship": "post16",
    "Work-based learning": "post16",
}
ESTAB_2025 = {
    "mainstream": [
        "mainstream_la_maintained",
        "mainstream_academy",
        "mainstream_free_school",
        "mainstream_independent",
    ],
    "resourced_provision": [
        "mainstream_la_maintained_resourced_provision",
        "mainstream_la_maintained_senunit",
        "mainstream_academy_resourced_provision",
        "mainstream_academy_senunit",
        "mainstream_free_school_resourced_provision",
        "mainstream_free_school_senunit",
    ],
    "special_maintained": ["special_la_maintained"],
    "special_academy": ["special_academy_free"],
    "special_independent": ["special_independent", "special_non_maintained"],
    "ap_pru": ["ap_pru_total"],
    "post16": ["fe_total"],
}
TYPES = list(ESTAB_2025) + ["other"]
AGE_BANDS_2022 = {
    "Under 5": "under_5",
    "Age 5 to 10": "5_to_10",
    "Age 11 to 15": "11_to_15",
    "Age 16 to 19": "16_to_19",
    "Age 20 to 25": "20_to_25",
}


def _band(age: str) -> str | None:
    """``age 7`` -> ``5_to_10`` (the 2022 release's bands)."""
    if age in ("under 3",):
        return "under_5"
    try:
        n = int(age.removeprefix("age "))
    except ValueError:
        return None
    for lo, hi, band in (
        (0, 4, "under_5"),
        (5, 10, "5_to_10"),
        (11, 15, "11_to_15"),
        (16, 19, "16_to_19"),
        (20, 25, "20_to_25"),
    ):
        if lo <= n <= hi:
            return band
    return None


def read_sen2_2022(raw: Path) -> pd.DataFrame:
    """SEN2 2022 release: EHC plans in January 2010-2022 by establishment type and age."""
    frames = []
    src = "sen2/release2022_sen2_estab_caseload.csv"
    d = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig", low_memory=False))
    d = d.assign(
        period=d["time_period"].astype(int).map(fy_ending_march), value=_num(d["Total_all"])
    )
    total = d[(d["establishment_type"] == "Total") & (d["establishment_group"] == "Total")]
    frames.append(_frame(total, "ehcp_total", "count", src, "Total_all: Total"))
    typed = d.assign(kind=d["establishment_type"].map(ESTAB_2022)).dropna(subset=["kind"])
    keys = ["la_code", "la_name", "level", "period"]
    sums = typed.groupby(keys + ["kind"], dropna=False)["value"].sum(min_count=1).reset_index()
    wide = sums.pivot_table(index=keys, columns="kind", values="value").reset_index()
    wide = wide.merge(total[keys + ["value"]].rename(columns={"value": "total"}), on=keys)
    wide["other"] = wide["total"] - wide[[k for k in ESTAB_2025 if k in wide]].sum(axis=1)
    for kind in TYPES:
        frames.append(
            _frame(
                wide.assign(value=wide[kind]),
                f"ehcp_by_type.{kind}",
                "count",
                src,
                f"Total_all by establishment_type: {kind}"
                + (" (total less the others)" if kind == "other" else ""),
            )
        )
    src = "sen2/release2022_sen2_age_caseload.csv"
    a = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig"))
    a = a.assign(
        period=a["time_period"].astype(int).map(fy_ending_march), value=_num(a["Total_all"])
    )
    for label, band in AGE_BANDS_2022.items():
        frames.append(
            _frame(
                a[a["characteristic_age"] == label],
                f"ehcp_by_age.{band}",
                "count",
                src,
                f"Total_all: {label}",
            )
        )
    return pd.concat(frames)


def read_sen2_2025(raw: Path) -> pd.DataFrame:
    """SEN2 2025 release: EHC plans in January 2019-2025 by establishment type and age."""
    src = "sen2/release2025_caseload.csv"
    d = _ees_codes(pd.read_csv(raw / src, encoding="utf-8-sig", low_memory=False))
    d["period"] = d["time_period"].astype(str).str[:4].astype(int).map(fy)
    frames = []
    allp = d[d["breakdown_topic"] == "All EHC plans"]
    total = _num(allp["ehcplans"])
    frames.append(
        _frame(allp.assign(value=total), "ehcp_total", "count", src, "ehcplans: All EHC plans")
    )
    typed: pd.Series | int = 0
    for kind, cols in ESTAB_2025.items():
        value = sum(_num(allp[c]) for c in cols)
        typed = typed + value
        frames.append(
            _frame(
                allp.assign(value=value),
                f"ehcp_by_type.{kind}",
                "count",
                src,
                f"ehcplans by type: {kind}",
            )
        )
    frames.append(
        _frame(
            allp.assign(value=total - typed),
            "ehcp_by_type.other",
            "count",
            src,
            "ehcplans by type: other (total less the others)",
        )
    )
    ages = d[d["breakdown_topic"] == "Child or young persons age"]
    ages = ages.assign(band=ages["breakdown"].map(_band), value=_num(ages["ehcplans"]))
    keys = ["la_code", "la_name", "level", "period"]
    banded = ages.dropna(subset=["band"]).groupby(keys + ["band"], dropna=False)["value"]
    banded = banded.sum(min_count=1).reset_index()
    for band in AGE_BANDS_2022.values():
        frames.append(
            _frame(
                banded[banded["band"] == band],
                f"ehcp_by_age.{band}",
                "count",
                src,
                f"ehcplans by age: {band}",
            )
        )
    return pd.concat(frames)


READERS: list[Callable[[Path], pd.DataFrame]] = [
    read_lait,
    read_cla,
    read_population,
    read_workforce,
    read_children_in_need,
    read_dsg,
    read_sen2_2022,
    read_sen2_2025,
]


def build(raw: Path) -> pd.DataFrame:
    """The tidy national extract from the raw files under ``raw``, one row per council,
    measure and year, the highest-priority file winning where two give the same figure."""
    missing = [p for p in ("lait/bds_long_0.parquet",) if not (raw / p).is_file()]
    if missing:
        raise InputError(
            Problem(
                str(raw),
                None,
                "RAW_DIR",
                "does not hold the DfE files (missing "
                + ", ".join(missing)
                + "); see data/dfe/README.md",
            )
        )
    try:
        import odf  # noqa: F401 - the ODS reader pandas uses
        import pyarrow  # noqa: F401 - the parquet reader
    except ImportError as e:
        raise InputError(
            Problem(
                "forecast data build",
                None,
                None,
                f"needs the readers of DfE's raw formats ({e.name} is missing): "
                "pip install 'council-forecasting[data]'",
            )
        ) from None
    register = la_register(raw)
    frames = []
    for reader in READERS:
        try:
            frames.append(reader(raw))
        except FileNotFoundError as e:
            raise InputError(
                Problem(str(e.filename), None, None, "raw DfE file not found")
            ) from None
    bal, src, col = read_dsg_balance(raw)
    frames.append(_dsg_balance(bal, register, src, col))
    names = {_key(n): int(c) for c, n in _register_names(register) if c < ENGLAND}
    frames.append(read_pupils(raw, names))
    out = pd.concat(frames, ignore_index=True)
    out["la_code"] = out["la_code"].astype(int)
    out = out[out["la_code"].isin(register.index)]
    out["priority"] = out["source_file"].map(PRIORITY).fillna(15)
    out = out.sort_values("priority", ascending=False, kind="stable")
    out = out.drop_duplicates(["la_code", "measure", "period"])
    out["la_name"] = out["la_code"].map(register["la_name"])
    out.loc[out["la_code"] == ENGLAND, "la_name"] = "England"
    region_names = {v: k for k, v in REGION_CODES.items()}
    out.loc[out["level"] == "region", "la_name"] = out["la_code"].map(region_names)
    out["region"] = out["la_code"].map(register["region"]).fillna("")
    out["value"] = out["value"].astype(float).round(6)
    out = out.sort_values(["la_code", "measure", "period"])
    return out[COLUMNS].reset_index(drop=True)


def _register_names(register: pd.DataFrame) -> Iterable[tuple[int, str]]:
    """(LA code, name) for each entry of the register, indexed by code."""
    return cast("Iterable[tuple[int, str]]", register["la_name"].items())


def _dsg_balance(bal: pd.DataFrame, register: pd.DataFrame, src: str, col: str) -> pd.DataFrame:
    names = {_key(n): int(c) for c, n in _register_names(register) if c < ENGLAND}
    code = bal["la_name"].astype(str).map(lambda n: names.get(_key(n)))
    code = code.where(bal["level"] == "la", bal["la_name"].map(REGION_CODES))
    code = code.where(bal["level"] != "england", ENGLAND)
    return _frame(
        bal.assign(la_code=code),
        "dsg_balance_share",
        "ratio",
        src,
        "DSG cumulative balance as a % of the total income (%/100)",
    )


def write(extract: pd.DataFrame, out: Path) -> Path:
    """Write the extract as gzipped CSV (fixed gzip mtime, so a rebuild gives the same bytes)."""
    from ..output import write_all

    text = extract.to_csv(index=False, lineterminator="\n", float_format="%.12g")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    (path,) = write_all(out.parent, {out.name: buf.getvalue()})
    path.chmod(0o644)  # package data, readable by everyone (temporary files are private)
    return path
