"""The `wfm` command line: forecast, staff, roster, check, agent, simulate, demo.

Every bad input ends in a message naming the file, row and field, and exit code 2; never a traceback.
Where a command writes is checked before its long work starts, so a bad `--out` never costs a solve.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tabular import InputError, Problem
from tabular.spreadsheet import to_csv

ROSTER_OUTPUTS = ("requirements.csv", "roster.csv", "coverage.csv", "summary.json")
EXIT_INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(soft_wrap=True)  # paths in messages stay whole
errors = Console(stderr=True, soft_wrap=True)  # a located message stays on one line


@contextmanager
def reported_errors() -> Iterator[None]:
    """Input errors and failed reads or writes as a readable message and exit code 2; Ctrl-C as one line."""
    try:
        yield
    except InputError as exc:
        errors.print("[bold red]Input error[/]")
        for problem in exc.problems:
            errors.print(f"  • {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        errors.print(f"[bold red]Error:[/] {escape(f'could not read or write{where}: {exc.strerror or exc}')}",
                     highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        errors.print("Interrupted.")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def output_folder(folder: Path) -> Path:
    """A folder the command can write in: one that exists, or a new one in a folder that does (`made`
    creates it when there is something to write); InputError otherwise."""
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem("is a file, not a folder; give a folder for the outputs", str(folder)))
    home = folder if folder.exists() else folder.parent
    if not home.is_dir():
        raise InputError(Problem(f"cannot be created: the folder {home} does not exist", str(folder)))
    try:
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as error:
        raise InputError(Problem(f"cannot be written ({error.strerror})", str(folder))) from None
    return folder


def made(folder: Path) -> Path:
    """An output folder `output_folder` accepted, created if new."""
    folder.mkdir(exist_ok=True)
    return folder


def output_file(path: Path) -> Path:
    """A file the command can write: not a folder, not read-only, in a folder `output_folder` accepts."""
    if path.is_dir():
        raise InputError(Problem("is a folder; give the name of the file to write", str(path)))
    output_folder(path.parent)
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(Problem("is read-only; choose another file or make it writable", str(path)))
    return path


def roster_outputs(folder: Path) -> Path:
    """The roster's output folder, checked for every file it will hold."""
    for name in ROSTER_OUTPUTS:
        output_file(folder / name)
    return folder


def checked_time_limit(seconds: float | None, option: str = "--time-limit", of: str = "the solver's") -> float | None:
    """`--time-limit` (or `option`, the seconds `of` something) within what scenario.yaml's
    solver.time_limit_seconds and demand.forecast_time_limit_seconds accept."""
    from scheduler.scenario import MAX_TIME_LIMIT

    if seconds is not None and not (math.isfinite(seconds) and 0 < seconds <= MAX_TIME_LIMIT):
        raise InputError(Problem(f"{option} {seconds:g}: give {of} seconds, above 0 and at most {MAX_TIME_LIMIT:,}"))
    return seconds


def terminal_progress() -> Progress:
    """Progress on stderr, so that piped output stays clean; it vanishes when done."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[message]}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar driven by (step, total, message) callbacks."""
    with terminal_progress() as bar:
        task = bar.add_task(description, total=None, message="")

        def update(step: int, total: int, message: str = "") -> None:
            bar.update(task, completed=step, total=total, message=message)

        yield update


def accuracy_table(accuracy: pd.DataFrame) -> Table:
    table = Table(title="Backtest WAPE by method (rolling origin, lower is better)")
    table.add_column("queue")
    table.add_column("method")
    table.add_column("WAPE", justify="right")
    table.add_column("chosen", justify="center")
    for row in accuracy.itertuples(index=False):
        wape = f"{row.wape:.1%}" if pd.notna(row.wape) else "no backtest"
        table.add_row(str(row.queue), str(row.method), wape, "✓" if row.chosen else "")
    return table


def run_forecast(history_path: Path, start: dt.date, weeks: int, special_days: Path | None,
                 time_limit: float | None = None):
    from forecasts.forecast import forecast_history
    from forecasts.history import read_history
    from forecasts.special_days import read_special_days

    history = read_history(history_path)
    specials = read_special_days(special_days) if special_days else None
    with progress_bar("Forecasting") as update:
        return forecast_history(history, start=start, weeks=weeks, special_days=specials, progress=update,
                                time_limit=time_limit)


@app.command()
def forecast(
    history: Annotated[Path, typer.Argument(help="interval history CSV")],
    start: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="first day to forecast (a Monday)")],
    weeks: Annotated[int, typer.Option(min=1, max=52)] = 1,
    special_days: Annotated[Path | None, typer.Option(help="CSV: date, effect (multiplier or 'closed'), label")] = None,
    out: Annotated[Path, typer.Option(help="where to write the forecast CSV")] = Path("forecast.csv"),
    time_limit: Annotated[float | None, typer.Option(
        help="seconds; the backtest stops trying methods then and keeps the best one tried")] = None,
) -> None:
    """Forecast contacts and handle time per interval and queue; print each method's backtest WAPE."""
    with reported_errors():
        output_file(out)
        result = run_forecast(history, start.date(), weeks, special_days, time_limit)
        made(out.parent)
        to_csv(result.forecast, out, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    console.print(accuracy_table(result.accuracy))
    print_notes(result.notes)
    console.print(f"Wrote {len(result.forecast):,} intervals to {out}")


def print_notes(notes: tuple[str, ...]) -> None:
    """What the forecast wants the planner to know (a method that fell back, a time limit reached)."""
    for note in notes:
        console.print(f"Note: {note}", markup=False)


def read_forecast(path: Path) -> pd.DataFrame:
    """A forecast: the history's columns, and its prediction intervals when it has them."""
    from forecasts.history import read_forecast as read

    return read(path)


@app.command()
def staff(
    forecast_file: Annotated[Path, typer.Argument(metavar="FORECAST", help="forecast CSV")],
    config: Annotated[Path, typer.Option(help="YAML with per-queue service targets")],
    out: Annotated[Path, typer.Option(help="where to write the requirements CSV")] = Path("requirements.csv"),
) -> None:
    """Erlang staffing: required agents per interval to meet each queue's service target."""
    from forecasts.history import interval_minutes
    from forecasts.staffing import load_staffing_config, staffing_requirements

    with reported_errors():
        output_file(out)
        targets = load_staffing_config(config)
        table = read_forecast(forecast_file)
        requirements = staffing_requirements(table, targets, interval_minutes(table), str(forecast_file))
        made(out.parent)
        to_csv(requirements, out, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    console.print(staffing_overview(requirements))
    console.print(f"Wrote {len(requirements):,} intervals to {out}")


def staffing_overview(requirements: pd.DataFrame) -> Table:
    from forecasts.staffing import staffing_overview as overview

    table = Table(title="Staffing requirement")
    for column in ("queue", "contacts", "agent-hours", "peak agents", "service level"):
        table.add_column(column, justify="left" if column == "queue" else "right")
    for row in overview(requirements).to_dict("records"):
        level = row["service level"]
        table.add_row(row["queue"], f"{row['contacts']:,.0f}", f"{row['agent-hours']:,.0f}", f"{row['peak agents']:,}",
                      "" if pd.isna(level) else f"{level:.1%}")  # a queue without contacts has none
    return table


@contextmanager
def solver_progress(description: str, limit: float) -> Iterator[Callable[[dict], None]]:
    """A progress bar over the solver's time limit, driven by the engine's progress events."""
    from scheduler.engine.run import progress_line

    with terminal_progress() as bar:
        task = bar.add_task(description, total=limit, message="")

        def update(event: dict) -> None:
            bar.update(task, completed=min(event.get("seconds", 0), limit), message=progress_line(event))

        yield update


def solve_with_progress(scenario, time_limit: float | None, workers: int | None, deterministic: bool = False):
    from scheduler.solve import solve_roster

    with solver_progress("Rostering", time_limit or scenario.config.solver.time_limit_seconds) as update:
        chosen = {"deterministic": True} if deterministic else {}  # else scenario.yaml's solver.deterministic
        return solve_roster(scenario, time_limit=time_limit, workers=workers, progress=update, **chosen)


def write_roster_outputs(scenario, result, out: Path) -> dict:
    """The roster's outputs; an earlier repair's absences.csv goes (`wfm check` would count it for this
    roster), and `wfm replan` writes its own after."""
    from scheduler.evaluate import coverage_table, summary
    from scheduler.roster import write_roster

    made(out)
    (out / ABSENCES_FILE).unlink(missing_ok=True)
    to_csv(scenario.requirements, out / "requirements.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S")
    write_roster(result.roster, out / "roster.csv")
    to_csv(coverage_table(result.roster, scenario), out / "coverage.csv", index=False,
           date_format="%Y-%m-%dT%H:%M:%S")
    report = summary(result.roster, scenario, result)
    (out / "summary.json").write_text(json.dumps(report, indent=2, default=str))
    return report


def roster_scenario(scenario_dir: Path, time_limit: float | None, workers: int | None, out: Path,
                    weeks: int | None = None, baseline: Path | None = None, deterministic: bool = False) -> int:
    """Load, solve, write and summarise (outputs checked by the caller); returns the exit code."""
    from scheduler.evaluate import terminal_summary
    from scheduler.io import load_scenario
    from scheduler.roster import read_roster

    with progress_bar("Loading scenario") as update:
        scenario = load_scenario(scenario_dir, progress=update, weeks=weeks)
    print_notes(scenario.notes)
    if baseline is not None:
        scenario = dataclasses.replace(scenario, baseline=read_roster(baseline))
    result = solve_with_progress(scenario, time_limit, workers, deterministic)
    if result.infeasibility:
        errors.print("[bold red]The hard rules contradict each other:[/]")
        for sentence in result.infeasibility:
            errors.print(f"  • {sentence}", markup=False)
        return 1
    if result.roster.empty and result.status == "UNKNOWN":
        errors.print(f"[bold red]No roster was found within the time limit ({result.wall_seconds:.0f} s);[/] "
                     "no contradiction between the rules was found in that time either: try a longer --time-limit.")
        return 1
    report = write_roster_outputs(scenario, result, out)
    console.print(terminal_summary(report))
    console.print(f"Wrote requirements.csv, roster.csv, coverage.csv and summary.json to {out}")
    return 0


@app.command()
def roster(
    scenario: Annotated[Path, typer.Option(help="scenario folder (scenario.yaml, agents.csv, ...)")],
    out: Annotated[Path, typer.Option(help="output folder")] = Path("out"),
    time_limit: Annotated[float | None, typer.Option(help="seconds for the solver")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="CP-SAT worker threads")] = None,
    weeks: Annotated[int | None, typer.Option(help="weeks to plan from week_start (1–6; overrides scenario.yaml)")] = None,
    baseline: Annotated[Path | None, typer.Option(
        help="a published roster.csv to change as little as possible (weights.change per changed shift)")] = None,
    deterministic: Annotated[bool, typer.Option(
        "--deterministic", help="the same roster on every run (one worker; the time limit in deterministic seconds)")] = False,
) -> None:
    """Build the roster of named agents for the coming week(s) with CP-SAT."""
    with reported_errors():
        code = roster_scenario(scenario, checked_time_limit(time_limit), workers, roster_outputs(output_folder(out)),
                               weeks, baseline, deterministic)
    raise typer.Exit(code)


@app.command()
def replan(
    scenario: Annotated[Path, typer.Option(help="scenario folder (scenario.yaml, agents.csv, ...)")],
    roster_file: Annotated[Path, typer.Option("--roster", metavar="PUBLISHED", help="the published roster.csv")],
    moment: Annotated[str, typer.Option("--from", metavar="DATETIME",
                                        help="re-plan from this moment (YYYY-MM-DD HH:MM); the roster before it stays")],
    absent: Annotated[list[str] | None, typer.Option(
        metavar="AGENT_ID[,FROM[,TO]]",
        help="an absent agent, from FROM (default --from) to TO (default the end of the horizon; a date alone "
             "means the end of that day); repeat for each absence")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("out"),
    time_limit: Annotated[float | None, typer.Option(help="seconds for the solver (default 8)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="CP-SAT worker threads")] = None,
    weeks: Annotated[int | None, typer.Option(help="weeks the roster spans (as given to wfm roster --weeks)")] = None,
) -> None:
    """Repair a published roster after absences: keep it as it was before --from, take the absent agents'
    shifts out, and cover the gap with the fewest, smallest changes."""
    from scheduler.evaluate import terminal_summary
    from scheduler.io import load_scenario
    from scheduler.replan import REPAIR_SECONDS, replan as repair, with_absences
    from scheduler.roster import read_roster

    with reported_errors():
        time_limit = checked_time_limit(time_limit)
        out = roster_outputs(output_folder(out))
        output_file(out / ABSENCES_FILE)
        when = moment_option(moment, "--from")
        loaded = load_scenario(scenario, weeks=weeks)
        absences = earlier_absences(roster_file, loaded) + [absence_option(text, when) for text in absent or []]
        published = read_roster(roster_file)
        with named_published(roster_file), solver_progress("Re-planning", time_limit or REPAIR_SECONDS) as update:
            result, _ = repair(loaded, published, when, absences, time_limit, workers, update)
        replanned = with_absences(loaded, published, when, absences)
        report = write_roster_outputs(replanned, result, out)
        write_absences(replanned, out / ABSENCES_FILE)
    console.print(terminal_summary(report))
    console.print(f"Wrote requirements.csv, roster.csv, coverage.csv, summary.json and {ABSENCES_FILE} to {out}")


ABSENCES_FILE = "absences.csv"


def moment_option(text: str, option: str) -> dt.datetime:
    """A date-time given on the command line (a date alone is its midnight); InputError naming the option."""
    try:
        return pd.Timestamp(text.strip()).to_pydatetime().replace(tzinfo=None)
    except ValueError:
        raise InputError(Problem(f"'{text}' is not a date-time; write it as 2026-11-25 12:00", option)) from None


def absence_option(text: str, moment: dt.datetime):
    """`AGENT_ID[,FROM[,TO]]`: FROM defaults to the re-plan's moment, TO to the end of the horizon; a date
    alone as TO means the end of that day."""
    from scheduler.replan import Absence

    where = f"--absent {text}"
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 3 or not parts[0]:
        raise InputError(Problem("give AGENT_ID, AGENT_ID,FROM or AGENT_ID,FROM,TO", where))
    start = moment_option(parts[1], where) if len(parts) > 1 and parts[1] else moment
    end = moment_option(parts[2], where) if len(parts) > 2 and parts[2] else None
    if end is not None and len(parts[2]) <= len("2026-11-25"):
        end += dt.timedelta(days=1)
    return Absence(parts[0], start, end)


def earlier_absences(roster_file: Path, scenario) -> list:
    """The absences of an earlier repair: those of the absences.csv beside the published roster."""
    from scheduler.replan import Absence

    path = absences_beside(roster_file)
    return [Absence(leave.agent_id, leave.start, leave.end) for leave in read_absences(path, scenario)] if path else []


def absences_beside(roster_file: Path) -> Path | None:
    beside = roster_file.parent / ABSENCES_FILE
    return beside if beside.is_file() else None


def read_absences(path: Path, scenario) -> tuple:
    """An absences.csv (time_off.csv's columns) of the scenario's agents; says that it counts them."""
    from scheduler.io import read_time_off

    console.print(f"Counting the absences of {path}.", markup=False, highlight=False)
    return read_time_off(path, {agent.agent_id for agent in scenario.agents})


@contextmanager
def named_published(path: Path) -> Iterator[None]:
    """Problems of the published roster named by its file."""
    from scheduler.replan import PUBLISHED

    try:
        yield
    except InputError as error:
        raise InputError([dataclasses.replace(problem, file=str(path)) if problem.file == PUBLISHED else problem
                          for problem in error.problems]) from None


def write_absences(scenario, path: Path) -> None:
    """The absences in time_off.csv's format, for `wfm check --absences`."""
    table = pd.DataFrame([(a.agent_id, a.start, a.end, a.reason) for a in scenario.absences],
                         columns=["agent_id", "start", "end", "reason"])
    to_csv(table, path, index=False, date_format="%Y-%m-%dT%H:%M:%S")


@app.command()
def check(
    roster_file: Annotated[Path, typer.Argument(metavar="ROSTER", help="roster CSV")],
    scenario: Annotated[Path, typer.Option(help="scenario folder")],
    weeks: Annotated[int | None, typer.Option(help="weeks the roster spans (as given to wfm roster --weeks)")] = None,
    absences: Annotated[Path | None, typer.Option(
        help="absences (agent_id, start, end) reported after publishing, as wfm replan writes them; default: "
             f"{ABSENCES_FILE} beside the roster, when there is one")] = None,
) -> None:
    """Check a roster (also a hand-edited one) against every hard rule, over all its weeks."""
    from scheduler.check import check_roster, format_violations
    from scheduler.io import load_scenario
    from scheduler.roster import read_roster

    with reported_errors():
        loaded = load_scenario(scenario, weeks=weeks)
        if absences is not None and not absences.is_file():
            raise InputError(Problem("does not exist or is not a file; give the absences.csv wfm replan wrote",
                                     str(absences)))
        absences = absences or absences_beside(roster_file)
        if absences is not None:
            loaded = dataclasses.replace(loaded, absences=read_absences(absences, loaded))
        table = read_roster(roster_file)
        violations = check_roster(table, loaded)
    if violations:
        errors.print(format_violations(violations), markup=False, highlight=False)
        raise typer.Exit(1)
    console.print(f"{roster_file}: no rule violated.")


@app.command()
def agent(
    agent_id: Annotated[str, typer.Argument(help="the agent's id")],
    roster_file: Annotated[Path, typer.Option("--roster", help="roster CSV")] = Path("out/roster.csv"),
    ics: Annotated[Path | None, typer.Option(help="also write the week as an iCalendar file")] = None,
) -> None:
    """An agent's week in the terminal, and as an iCalendar file."""
    from scheduler.ics import agent_calendar, agent_week_text
    from scheduler.roster import read_roster

    with reported_errors():
        if ics:
            output_file(ics)
        table = read_roster(roster_file)
        if agent_id not in set(table["agent_id"].astype(str)):
            errors.print(f"{roster_file}: agent '{agent_id}' has no shift in this roster.", markup=False)
            raise typer.Exit(2)
        console.print(agent_week_text(table, agent_id), markup=False, highlight=False)
        if ics:
            made(ics.parent)
            ics.write_bytes(agent_calendar(table, agent_id))
            console.print(f"Wrote {ics}")


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Option(help="scenario folder (scenario.yaml, agents.csv, ...)")],
    roster_file: Annotated[Path, typer.Option("--roster", help="roster CSV to simulate")],
    out: Annotated[Path, typer.Option(help="per-interval CSV; the week goes next to it as NAME_summary.json")] = Path(
        "sim.csv"),
    # Every replication's tally is kept for the confidence intervals: about 75 kB each at 15-minute intervals.
    replications: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    handle_time: Annotated[str, typer.Option(help="exponential or lognormal:CV (e.g. lognormal:0.8)")] = "exponential",
    shrinkage: Annotated[str, typer.Option(help="random: agents off the phones at random for the queue's "
                                                "shrinkage share; none: always on")] = "random",
    time_limit: Annotated[float | None, typer.Option(min=1, help="seconds; replications not done by then are "
                                                                 "left out")] = None,
    weeks: Annotated[int | None, typer.Option(help="weeks the roster spans (as given to wfm roster --weeks)")] = None,
) -> None:
    """Simulate a roster's week (or weeks) contact by contact: service level per interval with its 95 % interval."""
    from scheduler.io import load_scenario
    from scheduler.roster import validate_roster
    from scheduler.simulate import SimulationSettings, check_names, parse_handle_time, simulate_roster
    from tabular import read_raw_csv

    with reported_errors():
        if shrinkage not in ("random", "none"):
            raise InputError(Problem(f"--shrinkage '{shrinkage}' is not a shrinkage model; use random or none"))
        summary_path = output_file(out.with_name(f"{out.stem}_summary.json"))
        output_file(out)
        settings = SimulationSettings(replications, seed, parse_handle_time(handle_time), shrinkage, time_limit)
        loaded = load_scenario(scenario, weeks=weeks)
        raw = read_raw_csv(roster_file, str(roster_file))
        table = validate_roster(raw, str(roster_file), raw.index.to_numpy())
        check_names(table, loaded, str(roster_file), raw.index.to_numpy())
        with progress_bar("Simulating") as update:
            result = simulate_roster(table, loaded, settings, progress=update)
        made(out.parent)
        to_csv(result.intervals, out, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        summary_path.write_text(json.dumps(result.summary, indent=2))
    console.print(simulation_table(result.summary))
    console.print(f"Wrote {len(result.intervals):,} intervals to {out} and the week to {summary_path}")


def simulation_table(summary: dict) -> Table:
    weeks = summary.get("weeks", 1)
    span = "week" if weeks == 1 else f"{weeks} weeks"
    done, asked = summary["replications"], summary.get("replications_asked", summary["replications"])
    count = f"{done} replications" if done == asked else f"{done} of {asked} replications: the time limit was reached"
    table = Table(title=f"Simulated {span} ({count})")
    for column in ("queue", "offered", "service level", "95 % interval", "Erlang", "target", "ASA s", "abandoned",
                   "occupancy"):
        table.add_column(column, justify="left" if column == "queue" else "right")
    for queue, week in summary["queues"].items():
        level = week["service_level"]
        interval = "n/a" if level["low"] is None else f"{level['low']:.1%}–{level['high']:.1%}"
        table.add_row(queue, f"{week['offered']:,.0f}", f"{level['mean']:.1%}", interval, f"{week['expected']:.1%}",
                      f"{week['target']:.0%}", "n/a" if week["asa_seconds"] is None else f"{week['asa_seconds']:.0f}",
                      f"{week['abandon_rate']:.1%}", f"{week['occupancy']:.1%}")
    return table


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="folder for the sample center and its results")] = Path("wfm-demo"),
    time_limit: Annotated[float | None, typer.Option(help="seconds for the solver")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="CP-SAT worker threads")] = None,
    deferred: Annotated[bool, typer.Option(help="with the center's email (24 h) and social (2 h) queues of deferred "
                                                "work, answered in queue blocks by some voice and chat agents (the "
                                                "solver's default limit is then 60 s); --no-deferred: voice and "
                                                "chat only (30 s)")] = True,
    forecast_time_limit: Annotated[float | None, typer.Option(
        help="seconds for the forecast (default: no limit; the demo backtests weighted_profile alone, in about a "
             "second); when it is up the prediction intervals are calibrated on fewer weeks, and a note says so")
    ] = None,
) -> None:
    """Write the bundled sample center and run the whole pipeline: forecast, staffing, roster."""
    from wfm.demo import demo_forecast, write_demo_scenario

    with reported_errors():
        time_limit = checked_time_limit(time_limit)
        forecast_time_limit = checked_time_limit(forecast_time_limit, "--forecast-time-limit", "the forecast's")
        made(output_folder(out))  # the sample center is written first
        results = roster_outputs(output_folder(out / "result"))
        with progress_bar("Forecasting") as update:
            forecast = demo_forecast(deferred=deferred, time_limit=forecast_time_limit, progress=update)
        print_notes(forecast.notes)
        folder = write_demo_scenario(output_folder(out / "scenario"), deferred=deferred, forecast=forecast.forecast)
        console.print(f"Sample center written to {folder}")
        code = roster_scenario(folder, time_limit, workers, results)
    raise typer.Exit(code)


# ---- wfm user: the logins of the app -------------------------------------------------------------------

users = typer.Typer(no_args_is_help=True, help="Add, list and remove the app's users, and set their passwords.")
app.add_typer(users, name="user")
DataOption = Annotated[Path | None, typer.Option("--data", help="the app's data folder (default wfm-data); "
                                                                  "WFM_DATABASE_URL, when set, wins")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of "
                                                                      "standard input instead of prompting")]


@contextmanager
def user_store(data: Path | None) -> Iterator:
    """The app's store, as the app opens it; its errors reported like any bad input."""
    import os

    from wfm.storage import DEFAULT_DATA_DIR, Store, database_url

    with reported_errors(), Store.open(database_url(data or DEFAULT_DATA_DIR, os.environ)) as store:
        yield store


def new_password(from_stdin: bool) -> str:
    """Typed twice without echo, or one line of standard input; never printed. A weak one exits with 2."""
    import sys

    from wfm.auth import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password):
        errors.print(f"The password {problem}.")
        raise typer.Exit(2)
    return password


@users.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="the name to log in with")],
    role: Annotated[str, typer.Option(help="scheduler, manager or agent")],
    agent_id: Annotated[str | None, typer.Option("--agent-id", help="the agent an agent user is")] = None,
    center: Annotated[str | None, typer.Option(help="the user's center (default: the store's only center)")] = None,
    data: DataOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user who logs in to the app with a password (at least 10 characters)."""
    password = new_password(password_stdin)
    with user_store(data) as store:
        added = store.add_user(username, password, role=role, center=user_center(store, center), agent_id=agent_id)
    linked = f" (agent {added.agent_id})" if added.agent_id else ""
    console.print(f"Added {added.role} {added.username}{linked} to center {added.center}.", markup=False)


def user_center(store, given: str | None) -> str:
    """The center named, which must exist once the store has any (a typo would otherwise make a new, empty
    center); without a name the store's only center, or on an empty store the default one."""
    from wfm.storage import DEFAULT_CENTER

    known = store.list_centers()
    listed = ", ".join(repr(name) for name in known)
    if given is not None and known and given.strip() not in known:
        raise InputError(Problem(f"there is no center {given.strip()!r}; the centers are {listed}", column="--center"))
    if given is not None:
        return given
    if len(known) > 1:
        raise InputError(Problem(f"name the user's center: the centers are {listed}", column="--center"))
    return known[0] if known else DEFAULT_CENTER


@users.command("passwd")
def user_passwd(
    username: Annotated[str, typer.Argument(help="the user")],
    data: DataOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a user's password; their open sessions end."""
    password = new_password(password_stdin)
    with user_store(data) as store:
        store.set_password(username, password)
    console.print(f"Changed the password of {username}.", markup=False)


@users.command("remove")
def user_remove(username: Annotated[str, typer.Argument(help="the user")], data: DataOption = None) -> None:
    """Remove a user: they can no longer log in (the audit trail keeps their name)."""
    with user_store(data) as store:
        store.remove_user(username)
    console.print(f"Removed {username}.", markup=False)


@users.command("list")
def user_list(
    center: Annotated[str | None, typer.Option(help="only this center's users")] = None,
    data: DataOption = None,
) -> None:
    """The users who can log in."""
    with user_store(data) as store:
        found = store.list_users(center)
    table = Table(title="Users")
    for column in ("username", "role", "center", "agent", "must change password"):
        table.add_column(column)
    for user in found:
        table.add_row(user.username, user.role, user.center, user.agent_id or "", "yes" if user.must_change_password else "")
    console.print(table)


def main() -> None:
    app()
