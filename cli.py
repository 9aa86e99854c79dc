"""The ``forecast`` command: parse arguments, call the library, report.

Exit codes: 0 success; 2 bad input or usage (the message names file, line and field);
1 an unexpected internal error.
"""

from __future__ import annotations

import functools
import json
import signal
import sys
import traceback
from pathlib import Path

import click

from forecasting import DEFAULT_SEED, __version__
from forecasting.bundled import DEFAULT_SET, bundled_set
from forecasting.solve import LEVERS


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.version_option(__version__, prog_name="forecast")
def main(debug: bool) -> None:
    """Forecast children's services spend and the DSG high-needs deficit from assumption files."""


@main.command()
@click.argument("assumptions", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for results.csv and the workbooks.",
)
@click.option("--scenario", "names", multiple=True, help="Run only this scenario (repeatable).")
@click.option(
    "--draws",
    type=click.IntRange(0, 1_000_000),
    default=1000,
    show_default=True,
    help="Monte Carlo draws over ranged assumptions (0: central case only).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed for draws (0 to 4294967295).",
)
@guarded
def run(
    assumptions: Path | None, out_dir: Path, names: tuple[str, ...], draws: int, seed: int
) -> None:
    """Run ASSUMPTIONS (a set folder or a scenario file; default: the bundled set
    stoke-on-trent-2019)."""
    from forecasting.output import write_all
    from forecasting.run import produce
    from forecasting.summary import summary_text

    path = assumptions or bundled_set()
    result, files = produce(path, names, draws, seed, progress=sys.stderr.isatty())
    written = write_all(out_dir, files)
    click.echo(summary_text(result))
    click.echo("Wrote " + ", ".join(str(p) for p in written))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@guarded
def validate(paths: tuple[Path, ...]) -> None:
    """Check assumption sets or scenario files; report every problem with its file and line."""
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
    from forecasting.loading import iter_params, load
    from forecasting.solve import check_destination, scenario_text
    from forecasting.solve import solve as find

    path = assumptions or bundled_set()
    (scenario,) = load(path, (name,)) if path.is_dir() else load(path)
    if write_to:
        histories = [
            scenario.set_dir / prm.from_trend
            for _, prm in iter_params(scenario.assumptions)
            if getattr(prm, "from_trend", None)
        ]
        check_destination(write_to, [*scenario.files, *histories], scenario.set_dir, force)
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
    default=DEFAULT_SET,
    show_default=True,
    help="The bundled set to copy (`forecast sets` lists them).",
)
@guarded
def init(directory: Path, template: str) -> None:
    """Start a new assumption set in DIRECTORY from a bundled one, to edit."""
    from forecasting.loading import new_set

    new_set(directory, bundled_set(template))
    click.echo(
        f"Created {directory} from {template}. Edit its .yaml files, replacing every "
        f"'estimate' listed in {directory / 'caveats.md'} with the council's own figure, "
        f"then run `forecast validate {directory}`."
    )


@main.command("sets")
def sets_() -> None:
    """List the assumption sets bundled with the tool."""
    from forecasting.bundled import bundled_sets, set_title

    for name, path in bundled_sets().items():
        click.echo(f"{name}\t{set_title(path)}")


if __name__ == "__main__":
    main()
