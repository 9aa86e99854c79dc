"""`forecast init DIR --council NAME --as-at YEAR`: a set for any council from DfE's published
figures as they stood at the date, that validates and runs."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from forecasting.national import dataset
from forecasting.national.newset import generate

from .conftest import leaves


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def section(folder: Path, name: str) -> dict:
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stoke(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sets") / "stoke"
    r = invoke("init", folder, "--council", "Stoke-on-Trent", "--as-at", 2019)
    assert r.exit_code == 0, r.output
    assert "replace with the council's ledger figure" in r.output
    return folder


def test_stoke_as_at_2019_validates_runs_and_starts_from_dfe_counts(stoke, tmp_path):
    assert invoke("validate", stoke).exit_code == 0
    r = invoke("run", stoke, "--out", tmp_path, "--draws", "20")
    assert r.exit_code == 0, r.output
    res = pd.read_csv(tmp_path / "results.csv")
    base = res[(res.scenario == "council-plan") & (res.year == "2018-19")].set_index("measure")
    # SEN2: 2,223 EHC plans in January 2019; DfE: 851 children looked after at 31 March 2019
    assert base.loc["ehcp_total", "value"] == 2223
    assert base.loc["children_in_care", "value"] == 851
    hn = section(stoke, "high_needs.yaml")["high_needs"]
    assert "sen2/release2025_caseload.csv" in hn["ehcp"]["school_age_plans"]["source"]
    assert hn["ehcp"]["school_age_plans"]["basis"] == "published"
    assert hn["ehcp"]["post16_plans"]["value"] == 255  # FE and specialist post-16, Jan 2019
    csc = section(stoke, "childrens_services.yaml")["childrens_services"]
    kids = [p["children"] for p in csc["placements"].values()]
    assert sum(k["value"] for k in kids) == 851
    assert all("lait/bds_long_0.parquet, LACnum, 2018-19" in k["source"] for k in kids)
    # provision shares are SEN2's split by establishment type of the 1,968 school-age plans
    shares = {k: v["share"]["value"] for k, v in hn["provisions"].items()}
    assert shares["independent_special"] == pytest.approx(249 / 1968, abs=1e-6)
    assert shares["maintained_special"] == pytest.approx(741 / 1968, abs=1e-6)
    assert sum(shares.values()) == pytest.approx(1, abs=1e-6)


def test_by_code_gives_the_same_set(stoke, tmp_path):
    r = invoke("init", tmp_path / "by-code", "--council", "861", "--as-at", "2019")
    assert r.exit_code == 0, r.output
    for name in ("general.yaml", "childrens_services.yaml", "high_needs.yaml", "caveats.md"):
        assert (tmp_path / "by-code" / name).read_text() == (stoke / name).read_text(), name


def test_nothing_after_the_as_at_date_enters(stoke):
    hn = section(stoke, "high_needs.yaml")["high_needs"]
    assert set(hn["income"]["high_needs_block"]["values"]) == {"2018-19", "2019-20"}
    assert hn["income"]["high_needs_block"]["values"]["2019-20"] == 32_250_767
    # what was announced by September 2019: 12% more high-needs funding for 2020-21
    assert hn["income"]["high_needs_growth"]["values"] == {"2020-21": 0.12}
    for csv in (stoke / "history").glob("*.csv"):
        periods = pd.read_csv(csv)["period"]
        assert periods.max() == "2018-19", csv.name
    text = " ".join((stoke / n).read_text() for n in ("childrens_services.yaml", "high_needs.yaml"))
    text = " ".join(text.split())
    cited = re.findall(r"DfE, [a-z0-9_/.-]+, [^,]+, (\d{4}-\d{2})", text)
    assert len(cited) >= 10 and max(cited) == "2018-19"
    sheets = re.findall(r"Allocations_(\d{4})", text)
    assert sheets and set(sheets) == {"1920"}
    general = section(stoke, "general.yaml")
    assert "revisions" in general["council"]["description"]
    assert "revisions" in (stoke / "general.yaml").read_text().splitlines()[3]


def test_caveats_list_every_figure_that_is_not_published(stoke):
    caveats = (stoke / "caveats.md").read_text()
    n = 0
    for name in ("general.yaml", "childrens_services.yaml", "high_needs.yaml"):
        for path, prm in leaves(section(stoke, name), "basis"):
            listed = f"`{path}`" in caveats
            assert listed == (prm["basis"] != "published"), (path, prm["basis"])
            n += prm["basis"] != "published"
    assert n >= 40
    assert "replace with the council's ledger figure" in caveats


def test_a_later_as_at_uses_the_later_base_year(tmp_path):
    new = generate("Stoke-on-Trent", 2021)
    hn = yaml.safe_load(new.files["high_needs.yaml"])["high_needs"]
    assert new.base_year == "2020-21"
    assert hn["ehcp"]["school_age_plans"]["value"] + hn["ehcp"]["post16_plans"]["value"] == 2441
    # a published DSG balance (2020-21) replaces the zero estimate
    assert hn["calibration"]["deficit_brought_forward"]["basis"] == "published"
    assert set(hn["income"]["high_needs_block"]["values"]) == {"2020-21", "2021-22"}
    csc = yaml.safe_load(new.files["childrens_services.yaml"])["childrens_services"]
    assert sum(p["children"]["value"] for p in csc["placements"].values()) == 1004


def test_an_as_at_year_after_the_last_allocation_estimates_it_from_the_last(tmp_path):
    """As at 2025 no high-needs allocation for 2024-25 is in the data: the base year's is the
    latest published one grown forward, marked as an estimate, and the set runs."""
    new = generate("861", 2025)
    hnb = yaml.safe_load(new.files["high_needs.yaml"])["high_needs"]["income"]["high_needs_block"]
    assert hnb["basis"] == "estimate" and "the latest" in hnb["source"]
    out = tmp_path / "set"
    assert invoke("init", out, "--council", "861", "--as-at", "2025").exit_code == 0
    assert invoke("run", out, "--out", tmp_path / "o", "--draws", "0").exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("--council", "Nowhere-on-Sea", "--as-at", "2019"), "no council called"),
        (("--council", "Kingston", "--as-at", "2019"), "more than one council"),
        (("--council", "Stoke-on-Trent", "--as-at", "2012"), "supports as-at years 2019"),
        (("--council", "Dorset", "--as-at", "2019"), "publishes no count of children"),
        (("--council", "Stoke-on-Trent"), "go together"),
        (("--council", "861", "--as-at", "2019", "--from", "stoke-on-trent-2019"), "either"),
    ],
)
def test_unsupported_requests_exit_2_with_a_clear_message(tmp_path, args, message):
    r = invoke("init", tmp_path / "x", *args)
    assert r.exit_code == 2 and message in r.output, r.output
    assert not (tmp_path / "x").exists()


def test_a_seeded_sample_of_councils_generate_validate_and_run(tmp_path):
    from forecasting.run import forecast

    rng = random.Random(11)
    pool = [c for c in dataset.councils() if "Pre LG" not in c.name]
    sample = rng.sample(pool, 30)
    built = 0
    for c in sample:
        try:
            new = generate(str(c.code), 2019)
        except Exception as e:  # councils created after 2019 have no 2018-19 figures
            assert "publishes no" in str(e) or "no DSG allocation" in str(e), (c, e)
            continue
        folder = tmp_path / str(c.code)
        for name, text in new.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        run = forecast(folder)  # loads (and so validates) every scenario of the folder
        assert [s.name for s in run.scenarios] == ["council-plan", "unmitigated"]
        res = run.results
        base = res[(res.scenario == "council-plan") & (res.year == new.base_year)]
        cla = dataset.series(c.code, "children_looked_after")[new.base_year]
        assert base.set_index("measure").loc["children_in_care", "value"] == cla, c
        built += 1
    assert built >= 27


@pytest.mark.parametrize(
    "written,published,same",
    [
        ("Stoke-on-Trent City Council", "Stoke-on-Trent", True),
        ("Bristol City Council", "Bristol, City of", True),
        ("Kingston upon Hull City Council", "Kingston Upon Hull, City of", True),
        ("Durham County Council", "County Durham", True),
        ("Wigan Metropolitan Borough Council", "Wigan", True),
        ("City of London Corporation", "City of London", True),
        ("London Borough of Barnet", "City of London", False),
        ("Stoke-on-Trent City Council", "Kent", False),
        ("Bristol City Council", "Kingston Upon Hull, City of", False),
    ],
)
def test_a_councils_name_as_a_set_writes_it_matches_dfes(written, published, same):
    """A set may name its council as the council does, DfE as it publishes it (some back to
    front: "Bristol, City of"); the words that only say what kind of council it is do not
    decide, the place does."""
    assert dataset.same_council(written, published) is same
