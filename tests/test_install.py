"""The tool as a finance team installs it: a wheel in a fresh environment, run from an
empty folder outside the repository, with the bundled sets found inside the package."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

BUNDLED = "stoke-on-trent-2019"
OUTPUTS = {"results.csv", "finance-model.xlsx", "schools-forum-dsg.xlsx", "cabinet-scenarios.xlsx"}


# What a wheel is built from: the source tree without version control, environments, outputs,
# caches and the examples database of the property tests.
NOT_SOURCE = (
    ".git",
    ".venv",
    "reports",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*cache",
    ".hypothesis",
)


def source_digest() -> str:
    """A digest of every file the wheel is built from (path and bytes), and of the Python and
    setuptools that build it: equal digests build the same wheel."""
    import fnmatch
    import hashlib

    import setuptools

    h = hashlib.sha256(f"{sys.version} setuptools {setuptools.__version__}".encode())
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in NOT_SOURCE))
        for name in sorted(files):
            if any(fnmatch.fnmatch(name, p) for p in NOT_SOURCE):
                continue
            path = Path(folder) / name
            h.update(str(path.relative_to(ROOT)).encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, request) -> Path:
    """A wheel built from a copy of the source tree (the checkout itself is left as it is),
    kept in pytest's cache folder under the digest of its source: a later run with the same
    source, Python and setuptools takes that wheel instead of building the same one again."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        dist = cache.mkdir(f"wheels-{source_digest()}")
        built = sorted(dist.glob("*.whl"))
        if len(built) == 1:
            return built[0]
        for old in dist.parent.glob("wheels-*"):  # wheels of earlier sources
            if old != dist:
                shutil.rmtree(old, ignore_errors=True)
        for old in built:
            old.unlink()
    else:
        dist = tmp_path_factory.mktemp("dist")
    src = tmp_path_factory.mktemp("src") / "project"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    staging = tmp_path_factory.mktemp("built")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(staging),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = staging.glob("*.whl")
    # renamed into place whole, so a run stopped mid-copy never leaves a partial wheel cached
    part = dist / (built.name + ".part")
    shutil.copyfile(built, part)
    os.replace(part, dist / built.name)
    return dist / built.name


@pytest.fixture(scope="module")
def forecast(wheel, tmp_path_factory) -> Path:
    """``forecast`` from the wheel installed in a new virtual environment.

    The wheel is installed without its dependencies, which the new environment borrows from
    the test environment (a path line in a .pth file, which does not run the test
    environment's own .pth hooks, so its editable install of this checkout stays out of
    sight): the package, its data and its console script are the wheel's alone. `.ci/run`
    also installs the wheel with its dependencies resolved from the index.
    """
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    py = env / "bin" / "python"
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env / "bin" / "forecast"


def sh(cmd: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its path there, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_wheel_carries_the_bundled_sets_and_their_caveats(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    base = f"forecasting/sets/{BUNDLED}/"
    for f in (
        "general.yaml",
        "childrens_services.yaml",
        "high_needs.yaml",
        "caveats.md",
        "scenarios/council-plan.yaml",
        "history/children_in_care.csv",
    ):
        assert base + f in names, f


def test_installed_tool_runs_from_an_empty_folder(forecast, tmp_path):
    here = tmp_path / "empty"
    here.mkdir()
    r = sh([forecast, "--version"], here)
    assert r.returncode == 0 and "0." in r.stdout, r.stderr
    r = sh([forecast, "sets"], here)
    assert r.returncode == 0 and "stoke-on-trent-2019" in r.stdout, r.stderr

    r = sh([forecast, "run", "--out", "out", "--draws", "50"], here)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in (here / "out").iterdir()} == OUTPUTS
    rows = list(csv.DictReader((here / "out" / "results.csv").open()))
    (deficit,) = [
        float(x["value"])
        for x in rows
        if (x["scenario"], x["measure"], x["year"])
        == ("council-plan", "cumulative_deficit", "2019-20")
    ]
    assert round(deficit) == 19_493_000  # the report's figure, from the set inside the wheel

    r = sh([forecast, "init", "mine"], here)
    assert r.returncode == 0, r.stderr
    assert (here / "mine" / "caveats.md").is_file()  # the log travels with the copy
    # the copy is the set inside the installed package, file for file
    (installed,) = forecast.parents[1].glob("lib/*/site-packages/forecasting/sets/" + BUNDLED)
    assert files_of(here / "mine") == files_of(installed)
    r = sh([forecast, "validate", "mine"], here)
    assert r.returncode == 0, r.stderr
    plan_only = ["--scenario", "council-plan"]
    r = sh([forecast, "run", "mine", *plan_only, "--out", "o2", "--draws", "50"], here)
    assert r.returncode == 0, r.stderr
    # run from the copy's folder, the plan has the same figures as run from inside the package,
    # byte for byte (the same draws and seed; a scenario's draws do not depend on the others)
    first = (here / "out" / "results.csv").read_text().splitlines(keepends=True)
    plan = [first[0], *(line for line in first if line.startswith("council-plan,"))]
    assert (here / "o2" / "results.csv").read_text() == "".join(plan)
    r = sh([forecast, "solve", "--scenario", "council-plan", "--target-year", "2023-24"], here)
    assert r.returncode == 0, r.stderr
    # the national dataset travels in the wheel too: any council, from an empty folder
    r = sh([forecast, "councils"], here)
    assert r.returncode == 0 and r.stdout.count("\n") >= 150, r.stderr
    r = sh([forecast, "init", "stoke19", "--council", "861", "--as-at", "2019"], here)
    assert r.returncode == 0, r.stderr
    r = sh([forecast, "run", "stoke19", "--out", "o3", "--draws", "0"], here)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in here.iterdir()) == ["mine", "o2", "o3", "out", "stoke19"]
