"""The ``forecast`` command: parse arguments, call the library, report.

Exit codes: 0 success; 2 bad input or usage (the message names file, line and field);
1 an unexpected internal error.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import traceback
from pathlib import Path

import click

from forecasting import DEFAULT_SEED, __version__
from forecasting.bundled import DEFAULT_SET, bundled_set
from forecasting.names import LEVERS


def guarded(fn):
    """Turn input errors into exit code 2 and anything unexpected into exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from forecasting.errors import InputError, Terminated

        try:
            with _terminate_cleanly():
                return fn(*args, **kwargs)
        except Terminated:
            click.echo("terminated; earlier outputs are untouched.", err=True)
            sys.exit(128 + signal.SIGTERM)
        except InputError as e:
            for p in e.problems:
                click.echo(f"error: {p}", err=True)
            n = len(e.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; earlier outputs are untouched.", err=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (`forecast councils | head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as e:  # noqa: BLE001 - the last line of defence, exit 1
            if click.get_current_context().find_root().params.get("debug"):
                traceback.print_exc()
            from forecasting.errors import printable

            click.echo(
                f"internal error: {type(e).__name__}: {printable(e)}\n(run with --debug for "
                "details; earlier outputs are untouched)",
                err=True,
            )
            sys.exit(1)

    return wrapper


class _terminate_cleanly:
    """While a command runs, SIGTERM unwinds like Ctrl-C (cleaning up workers and temporary
    files on the way) instead of killing the process where it stands."""

    def __enter__(self) -> None:
        from forecasting.errors import Terminated

        def stop(signum, frame):
            raise Terminated()

        try:
            self.before = signal.signal(signal.SIGTERM, stop)
        except (ValueError, AttributeError):  # not the main thread, or no SIGTERM
            self.before = None

    def __exit__(self, *exc) -> None:
        if self.before is not None:
            signal.signal(signal.SIGTERM, self.before)


def out_option(what: str):
    """``--out DIR``: where a command writes its files (default reports/)."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("reports"),
        show_default=True,
        help=what,
    )


def draws_option(most: int, what: str):
    """``--draws N``: Monte Carlo draws, 0 to ``most``."""
    return click.option(
        "--draws", type=click.IntRange(0, most), default=1000, show_default=True, help=what
    )


seed_option = click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed for draws (0 to 4294967295).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.version_option(__version__, prog_name="forecast")
def main(debug: bool) -> None:
    """Forecast children's services spend and the DSG high-needs deficit from assumption files."""


@main.command()
@click.argument("assumptions", required=False, type=click.Path(path_type=Path))
@out_option("Folder for results.csv and the workbooks.")
@click.option("--scenario", "names", multiple=True, help="Run only this scenario (repeatable).")
@draws_option(1_000_000, "Monte Carlo draws over ranged assumptions (0: central case only).")
@seed_option
@guarded
def run(
    assumptions: Path | None, out_dir: Path, names: tuple[str, ...], draws: int, seed: int
) -> None:
    """Run ASSUMPTIONS (a set folder or a scenario file; default: the bundled set
    stoke-on-trent-2019)."""
    from forecasting.calibration import calibration_warnings
    from forecasting.output import write_all
    from forecasting.publish import produce
    from forecasting.summary import summary_text

    path = assumptions or bundled_set()
    result, files = produce(path, names, draws, seed, progress=sys.stderr.isatty())
    written = write_all(out_dir, files)
    click.echo(summary_text(result))
    click.echo("Wrote " + ", ".join(str(p) for p in written))
    for w in calibration_warnings(result.projections):
        click.echo(f"warning: {w}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@guarded
def validate(paths: tuple[Path, ...]) -> None:
    """Check assumption sets or scenario files; report every problem with its file and line."""
    from forecasting.calibration import scenario_warnings
    from forecasting.errors import InputError
    from forecasting.loading import load

    problems = []
    for path in paths:
        try:
            scenarios = load(path)
            click.echo(
                f"{path}: ok ({len(scenarios)} scenario"
                f"{'s' if len(scenarios) != 1 else ''}: "
                f"{', '.join(s.name for s in scenarios)})"
            )
            for w in scenario_warnings(scenarios):
                click.echo(f"{path}: warning: {w}")
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)


@main.command()
def schema() -> None:
    """Print the JSON Schema of assumption files (for editors that check as you type)."""
    from forecasting.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@main.command()
@click.argument("assumptions", required=False, type=click.Path(path_type=Path))
@click.option("--scenario", "name", required=True, help="Scenario to balance.")
@click.option("--target-year", required=True, help="Year the deficit must clear, e.g. 2023-24.")
@click.option(
    "--lever",
    type=click.Choice(LEVERS),
    default="savings",
    show_default=True,
    help="What to change.",
)
@click.option(
    "--write-scenario",
    "write_to",
    type=click.Path(path_type=Path),
    help="Write a scenario file that extends SCENARIO with the solution (never inside the "
    "assumption set, which is input).",
)
@click.option("--force", is_flag=True, help="Replace the --write-scenario file if it exists.")
@guarded
def solve(
    assumptions: Path | None,
    name: str,
    target_year: str,
    lever: str,
    write_to: Path | None,
    force: bool,
) -> None:
    """What it takes to clear the cumulative DSG deficit by TARGET-YEAR."""
    from forecasting.loading import load
    from forecasting.solve import check_destination, scenario_text
    from forecasting.solve import solve as find

    path = assumptions or bundled_set()
    several = path.is_dir() or path.suffix.lower() == ".xlsx"  # a set: choose the scenario
    (scenario,) = load(path, (name,)) if several else load(path)
    if write_to:
        from forecasting.errors import InputError, Problem

        if path.suffix.lower() == ".xlsx":
            raise InputError(
                Problem(
                    str(write_to),
                    None,
                    "--write-scenario",
                    "writes a YAML scenario, which cannot extend a workbook: add the "
                    "overrides shown above as rows on the workbook's Scenarios sheet",
                )
            )
        check_destination(write_to, scenario.inputs, scenario.set_dir, force)
    solution = find(scenario.assumptions, target_year, lever)
    click.echo(solution.describe(scenario.name))
    if write_to and solution.already_clear:
        click.echo(f"Nothing to write to {write_to}: the scenario needs no change.")
    elif write_to:
        from forecasting.output import write_all

        text = scenario_text(scenario.name, scenario.files[-1], solution, write_to)
        write_all(write_to.parent, {write_to.name: text.encode("utf-8")}, "--write-scenario")
        click.echo(f"Wrote {write_to}: run it with `forecast run {write_to}`.")


@main.command()
@click.argument("history", type=click.Path(path_type=Path))
@click.option(
    "--horizon",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Periods to forecast.",
)
@guarded
def trend(history: Path, horizon: int) -> None:
    """Fit a trend to HISTORY.csv (columns period,value) and forecast it with intervals."""
    from forecasting.trend import fit_history

    fit = fit_history(history, horizon)
    click.echo(fit.report())


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "template",
    default=None,
    help=f"The bundled set to copy (`forecast sets` lists them; default {DEFAULT_SET}).",
)
@click.option(
    "--council",
    help="Build the set from DfE's published figures for this council (name or LA number; "
    "`forecast councils` lists them).",
)
@click.option(
    "--as-at",
    "as_at",
    type=int,
    help="With --council: the year (September) the set describes; only figures published "
    "for periods up to then are used.",
)
@guarded
def init(directory: Path, template: str | None, council: str | None, as_at: int | None) -> None:
    """Start a new assumption set in DIRECTORY, to edit: a copy of a bundled set, or one
    built for any council from DfE's published data (--council NAME --as-at YEAR)."""
    if council is not None or as_at is not None:
        _init_council(directory, template, council, as_at)
        return
    from forecasting.loading import new_set

    template = template or DEFAULT_SET
    new_set(directory, bundled_set(template))
    click.echo(
        f"Created {directory} from {template}. Edit its .yaml files, replacing every "
        f"'estimate' listed in {directory / 'caveats.md'} with the council's own figure, "
        f"then run `forecast validate {directory}`."
    )


@main.group()
def inputs() -> None:
    """The inputs workbook: an assumption set as an editable Excel workbook, and back."""


def _set_folder(name: str) -> Path:
    """A set folder given by path, or the name of a bundled set."""
    from forecasting.bundled import bundled_sets

    path = Path(name)
    if not path.exists() and name in bundled_sets():
        return bundled_set(name)
    return path


@inputs.command("export")
@click.argument("assumption_set", metavar="SET")
@click.argument("workbook", type=click.Path(path_type=Path))
@guarded
def inputs_export(assumption_set: str, workbook: Path) -> None:
    """Write every parameter of SET (a set folder or bundled set name) and its scenarios'
    overrides into WORKBOOK (.xlsx) to edit."""
    from forecasting.errors import InputError, Problem
    from forecasting.inputs_workbook import export_workbook
    from forecasting.output import write_all

    if workbook.suffix.lower() != ".xlsx":
        raise InputError(Problem(str(workbook), None, None, "the workbook must end in .xlsx"))
    folder = _set_folder(assumption_set)
    if not folder.is_dir():
        raise InputError(Problem(str(folder), None, None, "expected an assumption set folder"))
    write_all(workbook.parent, {workbook.name: export_workbook(folder)})
    click.echo(
        f"Wrote {workbook}. Edit the yellow cells, then `forecast validate {workbook}` and "
        f"`forecast run {workbook}`; `forecast inputs import {workbook} DIR` writes it back "
        "as YAML."
    )


@inputs.command("import")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("directory", type=click.Path(path_type=Path))
@guarded
def inputs_import(workbook: Path, directory: Path) -> None:
    """Write WORKBOOK back as a YAML assumption set in DIRECTORY (new or empty); it is
    checked first, and nothing is written if it has a problem."""
    from forecasting.inputs_workbook import read_workbook
    from forecasting.loading import load
    from forecasting.setfiles import write_image

    scenarios = load(workbook)  # every check, with the cell of every problem
    write_image(read_workbook(workbook).image, directory)
    click.echo(
        f"Wrote {directory} ({len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}); "
        f"check it with `forecast validate {directory}`."
    )


@main.command()
@click.argument("assumption_set", metavar="SET")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--to", "year", required=True, help="The new base (actual) year, e.g. 2019-20.")
@guarded
def rebase(assumption_set: str, directory: Path, year: str) -> None:
    """Roll SET (a set folder or bundled set name) forward to base year YEAR as a new set in
    DIRECTORY, listing every figure the new base year needs that the set does not give."""
    from forecasting.rebase import rebase_set

    notes = rebase_set(_set_folder(assumption_set), directory, year)
    click.echo(f"Wrote {directory} with base year {year}.")
    if notes:
        click.echo(
            f"{len(notes)} figure{'s' if len(notes) != 1 else ''} to check or replace "
            f"(also in {directory / 'rebase.md'}):"
        )
        for n in notes:
            click.echo(f"  - {n}")


def _init_council(
    directory: Path, template: str | None, council: str | None, as_at: int | None
) -> None:
    """``forecast init DIR --council NAME --as-at YEAR``: generate, then write the set."""
    from forecasting.errors import InputError, Problem
    from forecasting.national.newset import write_set

    if template is not None:
        raise InputError(Problem("--from", None, None, "give either --from or --council"))
    if council is None or as_at is None:
        raise InputError(
            Problem(
                "--council" if council is None else "--as-at",
                None,
                None,
                "--council and --as-at go together",
            )
        )
    new = write_set(council, as_at, directory)
    click.echo(
        f"Created {directory}: {new.council.name} (LA {new.council.code}) as at September "
        f"{new.as_at}, base year {new.base_year}, from DfE's published figures."
    )
    click.echo(
        f"{len(new.replace)} figures are not published; replace with the council's ledger figure:"
    )
    for path, what in new.replace:
        click.echo(f"  {path}  ({what})")
    click.echo(
        f"They are listed in {directory / 'caveats.md'}. Then run `forecast validate {directory}`."
    )


@main.command("sets")
def sets_() -> None:
    """List the assumption sets bundled with the tool."""
    from forecasting.bundled import bundled_sets, set_title

    for name, path in bundled_sets().items():
        click.echo(f"{name}\t{set_title(path)}")


@main.group("data")
def data_() -> None:
    """The bundled national dataset of DfE's published figures."""


@data_.command("build")
@click.argument("raw_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the extract (default: the one inside the package).",
)
@guarded
def data_build(raw_dir: Path, out: Path | None) -> None:
    """Rebuild the national extract from DfE's raw files in RAW_DIR (e.g. data/dfe)."""
    from forecasting.national.build import DEFAULT_OUT, build, write

    extract = build(raw_dir)
    path = write(extract, out or DEFAULT_OUT)
    n_la = extract.loc[extract["level"] == "la", "la_code"].nunique()
    click.echo(
        f"Wrote {path}: {len(extract):,} figures, {n_la} councils, "
        f"{extract['measure'].nunique()} measures, periods {extract['period'].min()} to "
        f"{extract['period'].max()}."
    )


@main.command()
@click.option("--region", help="Only the councils of this region.")
@guarded
def councils(region: str | None) -> None:
    """List the councils in the national dataset (name, LA number, region, series held)."""
    from forecasting.national.dataset import councils as find
    from forecasting.national.dataset import measures_by_council

    held = measures_by_council()
    for c in find(region):
        click.echo(f"{c.name}\t{c.code}\t{c.region}\t{' '.join(held.get(c.code, []))}")


@main.command()
@click.option(
    "--as-at",
    "as_at",
    type=int,
    multiple=True,
    help="Vintage: build each set as DfE's figures stood in September of YEAR (repeatable; "
    "default: every vintage with an outturn published, 2019 to 2024 in the bundled data).",
)
@click.option(
    "--council", "councils_", multiple=True, help="Council name or LA number (repeatable)."
)
@click.option("--all", "all_", is_flag=True, help="Every council in the national dataset.")
@click.option(
    "--set",
    "set_name",
    metavar="SET",
    help="Instead: score a council's own assumption set (a folder, a scenario file or a "
    "bundled set's name; its plan, or --scenario) as at its own date against the outturns "
    "published since.",
)
@click.option("--scenario", help="With --set: the scenario to score (default: the plan).")
@click.option(
    "--horizon", type=click.IntRange(1, 5), default=4, show_default=True, help="Years ahead."
)
@draws_option(100_000, "Monte Carlo draws per set, for the P10-P90 band.")
@seed_option
@out_option("Folder for backtest.csv and backtest.xlsx.")
@guarded
def backtest(
    as_at: tuple[int, ...],
    councils_: tuple[str, ...],
    all_: bool,
    set_name: str | None,
    scenario: str | None,
    horizon: int,
    draws: int,
    seed: int,
    out_dir: Path,
) -> None:
    """Forecast from past vintages for each council and score the forecasts against the
    outturns DfE has published since, beside four spreadsheet rules; or score a council's
    own set (--set) the same way."""
    from forecasting import backtest as bt
    from forecasting.errors import InputError, Problem
    from forecasting.excel.backtest import workbook
    from forecasting.national import dataset
    from forecasting.output import write_all

    if set_name is not None and (all_ or councils_ or as_at):
        raise InputError(
            Problem(
                "--set",
                None,
                None,
                "a set is scored as at its own date: give --set without --council, --all "
                "or --as-at",
            )
        )
    if scenario is not None and set_name is None:
        raise InputError(Problem("--scenario", None, None, "--scenario goes with --set"))
    if set_name is None and all_ == bool(councils_):
        raise InputError(
            Problem("--council", None, None, "give --council NAME (repeatable) or --all")
        )
    extract = dataset.load_extract()
    skipped: list[bt.Vintage] = []
    if set_name is not None:
        frame, warnings = bt.score_set(
            _set_folder(set_name), scenario, horizon, draws, seed, extract
        )
        for w in warnings:
            click.echo(f"warning: {w}", err=True)
        names = sorted(set(frame["council"]))
    else:
        chosen = [dataset.find_council(c, extract) for c in councils_]
        codes = [c.code for c in (chosen or dataset.councils(extract=extract))]
        years = bt.check_years(as_at or bt.default_vintages(extract))
        frame, skipped = bt.backtest(codes, years, horizon, draws, seed, extract)
        names = [c.name for c in chosen]
    if frame.empty:
        raise InputError(
            Problem("--as-at", None, None, "no published outturn to check for these councils")
        )
    files = {
        "backtest.csv": bt.to_csv(frame),
        "backtest.xlsx": workbook(frame, names),
    }
    written = write_all(out_dir, files)
    if set_name is not None:
        first = frame.iloc[0]
        click.echo(
            f"{first['council']}: scenario {first['scenario']} of {set_name}, as at September "
            f"{first['as_at']}, against the outturns DfE has published since"
        )
    click.echo(bt.table(frame, skipped))
    click.echo("Wrote " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main()
