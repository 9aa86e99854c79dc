"""The national figures a set built from published data starts from (benchmarks.yaml): each
with its unit, basis and source, read through one typed loader, and none left as a literal
in the generator."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from forecasting.errors import InputError
from forecasting.national import benchmarks, dataset, newset

from .conftest import leaves

HERE = Path(newset.__file__).parent
YAML = HERE / "benchmarks.yaml"

# Numbers newset may still write as literals: none is a domain figure.
ALLOWED_FLOATS = {
    0.0,
    1.0,
    1e-9,  # _clean: a float this close to a whole number is written as one
    1e15,  # _clean: beyond this a float is not written as a whole number
}
ALLOWED_INTS = {
    0,
    1,
    2,  # rounding digits; the fewest published years that give a growth rate
    3,  # the fewest published years a fitted trend is drawn from
    4,  # rounding digits of a shock's sd
    6,  # rounding digits of a share
    100,  # percent to ratio; the dumper's line width
    240,  # the dumper writes a parameter shorter than this on one line
    newset.FIRST_AS_AT,  # the year of the first published DSG allocation (2019-20)
    newset.OVERRIDE_MADE,  # the year the statutory override was made (SI 2020/1212)
}


def test_every_figure_has_unit_basis_and_source():
    raw = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    found = dict(leaves(raw, "value"))
    # 7 single figures, England's 8 placement shares, 1 announcement, 2 transport costs
    assert len(found) == 18
    for path, f in found.items():
        assert isinstance(f["value"], (int, float)) and not isinstance(f["value"], bool), path
        assert f.get("unit", "").strip(), path
        assert f.get("basis") in {"benchmark", "estimate", "rule", "published"}, path
        source = f.get("source", "")
        assert isinstance(source, str) and len(source.strip()) > 20, path
        # a figure no publication gives says so, and why, in its source
        if f["basis"] in ("estimate", "rule"):
            assert source.startswith(f"{f['basis']}: "), path


def test_loader_reads_the_figures_once_per_process():
    b = benchmarks.load()
    assert benchmarks.load() is b
    assert b.horizon == 5
    assert b.placement_share_of_cla_spend.value == 0.7
    assert b.pupils_per_child_population.value == 0.7
    assert (b.cost_scale_min.value, b.cost_scale_max.value) == (0.5, 2.0)
    assert b.no_s251_weekly_budget_per_child.value == 1500
    assert b.permanent_exclusion_rate_england.value == 0.001
    announced = b.announced_high_needs[2019]
    assert (announced.year, announced.value) == ("2020-21", 0.12)
    mix = b.england_mix_2019.values()
    # kinship is part of foster: foster and the other placements are every child
    assert sum(v for k, v in mix.items() if k != "kinship_of_foster") == pytest.approx(1.0)
    # the generator's names read the same figures
    assert newset.NATIONAL_MIX_2019 == mix
    assert newset.PLACEMENT_SHARE_OF_CLA_SPEND == 0.7
    assert newset.ANNOUNCED_HIGH_NEEDS[2019][:2] == ("2020-21", 0.12)


@pytest.mark.parametrize(
    "old, new, field, why",
    [
        ("value: 0.72", "value: 0.82", "england_mix_2019", "add to 1.1, not 1"),
        ("value: 0.72", "value: 1.72", "england_mix_2019.foster", "between 0 and 1"),
        ("unit: GBP/week", "unit: GBP", "no_s251_weekly_budget_per_child", "'GBP/week'"),
        ("basis: published", "basis: report", "permanent_exclusion_rate_england.basis", "'rule'"),
        ("    value: 0.12\n", "", "announced_high_needs.2019.value", "Field required"),
        ("value: 6280", "value: -6280", "transport_cost_per_pupil.2018-19", "cannot be negative"),
        ("unit: GBP/year", "unit: GBP", "transport_cost_per_pupil.2018-19", "'GBP/year'"),
    ],
)
def test_a_bad_figure_is_an_input_error_naming_the_file_and_field(old, new, field, why):
    text = YAML.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(InputError) as e:
        benchmarks.parse(text.replace(old, new, 1))
    file, field_named, reason = str(e.value).split(": ", 2)
    assert (file, field_named, why in reason) == ("benchmarks.yaml", field, True), str(e.value)


def test_the_generator_keeps_no_domain_figure_as_a_literal():
    tree = ast.parse((HERE / "newset.py").read_text(encoding="utf-8"))
    left = [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, (int, float))
        and not isinstance(n.value, bool)
        and n.value not in (ALLOWED_FLOATS if isinstance(n.value, float) else ALLOWED_INTS)
    ]
    assert left == []


@pytest.fixture(scope="module")
def thin() -> object:
    """The published extract without the figures whose absence sends the generator to its
    national fallbacks: no s251 spend, no share of pupils with an EHC plan, no exclusions."""
    ex = dataset.load_extract()
    drop = {"cla_gross_spend", "cyp_gross_spend", "ehcp_pupil_share", "permanent_exclusions_rate"}
    return ex[~ex["measure"].isin(drop)].reset_index(drop=True)


def test_fallbacks_use_the_national_figures(thin):
    new = newset.generate("861", 2019, thin)
    hn = yaml.safe_load(new.files["high_needs.yaml"])
    cs = yaml.safe_load(new.files["childrens_services.yaml"])
    pop = dataset.series(861, "population_0_17", thin)["2018-19"]
    pupils = hn["high_needs"]["pupils"]["pupils"]
    assert pupils["value"] == round(pop * 0.7)
    assert pupils["source"].startswith("estimate: 70% of the population aged 0-17")
    assert "benchmarks.yaml, pupils_per_child_population" in pupils["source"]
    excl = hn["high_needs"]["exclusions"]["permanent_exclusions"]
    assert excl["value"] == pytest.approx(0.001 * round(pop * 0.7), abs=0.01)
    assert "England's 0.10 per 100 pupils" in excl["source"]
    cla = dataset.series(861, "children_looked_after", thin)["2018-19"]
    budget = cs["childrens_services"]["budget"]["net_budget"]
    weeks = newset._stoke()["timeline"]["weeks_per_year"]["value"]
    assert budget["values"]["2018-19"] == round(cla * weeks * 1500)
    assert "1,500 a week per child" in budget["source"]


def test_a_changed_figure_reaches_the_generated_set(thin, monkeypatch):
    changed = benchmarks.load().model_copy(deep=True)
    changed.pupils_per_child_population.value = 0.75
    changed.cost_scale_min.value = 0.6
    monkeypatch.setattr(newset, "NATIONAL", changed)
    hn = yaml.safe_load(newset.generate("861", 2019, thin).files["high_needs.yaml"])
    pop = dataset.series(861, "population_0_17", thin)["2018-19"]
    pupils = hn["high_needs"]["pupils"]["pupils"]
    assert pupils["value"] == round(pop * 0.75)
    assert pupils["source"].startswith("estimate: 75% of the population")
    # council 816 as at 2020 scales the benchmark costs down to the lowest bound
    cs = newset.generate("816", 2020).files["childrens_services.yaml"]
    assert "scaled by 0.600 " in cs and "kept within 0.6 to 2" in cs
    assert "the 70% is an estimate (forecasting/national/benchmarks.yaml" in cs
