"""Intraday repair benchmark: `scheduler.replan.replan` on the sample center with two absences, re-planned
from Wednesday 12:00.

    python -m benchmarks.bench_replan                 # 3 runs, the repair's default time limit
    python -m benchmarks.bench_replan --runs 5 --time-limit 8

The sample center (`wfm.demo`: 66 agents, voice and chat, 30-minute intervals, one week) is rostered once
with CP-SAT (30 deterministic seconds, so the same roster on every machine; not timed): that roster is the
published one. Two agents fall ill: the first agent (by
id) whose shift is under way at Wednesday 12:00, from then to the end of the week, and the first other
agent with a shift on Thursday, for all of Thursday. Each timed run loads the scenario and the roster in a
fresh Python process (not timed), then times `replan` (validation, model, solve, roster) and reads its peak
RSS. Every repaired roster is checked by the independent checker against the scenario with the absences.
Short staffing is counted from Wednesday 12:00 to the end of the week, in agent-hours: as published, with
the absences taken out (nothing repaired), and after the repair.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.bench_simulate import measured_runs, sample_roster
from scheduler.check import check_roster
from scheduler.evaluate import coverage_table
from scheduler.io import load_scenario
from scheduler.replan import Absence, Plan, replan, with_absences
from scheduler.roster import read_roster, shifts_from_roster

WEDNESDAY_NOON = dt.timedelta(days=2, hours=12)


def two_absences(scenario, roster: pd.DataFrame, moment: dt.datetime) -> list[Absence]:
    """The first agent at work at the moment, from then on; the first other agent working Thursday, all day."""
    shifts = shifts_from_roster(roster, scenario)
    minute = scenario.minutes(moment)
    under_way = next(shift.agent_id for shift in shifts if shift.start < minute < shift.end)
    thursday = next(shift.agent_id for shift in shifts if shift.day == 3 and shift.agent_id != under_way)
    day = scenario.timestamp(3 * 1440)
    return [Absence(under_way, moment), Absence(thursday, day, day + dt.timedelta(days=1))]


def short_hours(roster: pd.DataFrame, scenario, moment: dt.datetime) -> float:
    coverage = coverage_table(roster, scenario)
    later = coverage[coverage["interval_start"] >= pd.Timestamp(moment)]
    return float((later["required"] - later["scheduled"]).clip(lower=0).sum() * scenario.config.interval_minutes / 60)


def measure(folder: str, roster_path: str, time_limit: float | None, workers: int) -> dict:
    """One timed repair in this process: wall seconds, peak RSS in MB, changes and short staffing."""
    scenario = load_scenario(folder)
    published = read_roster(roster_path)
    moment = scenario.week_start + WEDNESDAY_NOON
    absences = two_absences(scenario, published, moment)
    began = time.perf_counter()
    result, changes = replan(scenario, published, moment, absences, time_limit, workers)
    wall = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    repair = with_absences(scenario, published, moment, absences)
    absent = {absence.agent_id for absence in absences}
    return {
        "wall": wall, "rss_mb": peak_kb / 1024, "status": result.status,
        "absent": sorted(absent), "violations": len(check_roster(result.roster, repair)),
        "lost": sum(len(lines) for agent_id, lines in changes.items() if agent_id in absent),
        "changed": sum(len(lines) for agent_id, lines in changes.items() if agent_id not in absent),
        "changes": {agent_id: lines for agent_id, lines in changes.items() if agent_id not in absent},
        "short_published": short_hours(published, repair, moment),
        "short_absent": short_hours(Plan.of(repair, scenario.minutes(moment)).unrepaired(), repair, moment),
        "short_repaired": short_hours(result.roster, repair, moment),
    }


def command_seconds(folder: str, roster: Path, runs: int) -> list[float]:
    """Wall seconds of `wfm replan` with the same absences, each in a fresh process."""
    scenario = load_scenario(f"{folder}/scenario")
    moment = scenario.week_start + WEDNESDAY_NOON
    absent = [f"{a.agent_id},{a.start:%Y-%m-%d %H:%M}" + (f",{a.end:%Y-%m-%d %H:%M}" if a.end else "")
              for a in two_absences(scenario, read_roster(roster), moment)]
    arguments = ["--scenario", f"{folder}/scenario", "--roster", str(roster), "--from", f"{moment:%Y-%m-%d %H:%M}",
                 *[option for text in absent for option in ("--absent", text)], "--out", f"{folder}/repaired"]
    walls = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from wfm.cli import main; main()", "replan", *arguments],
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - began)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=None, help="the repair's (default: replan's own)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--solver-seconds", type=float, default=30, help="for the published roster")
    parser.add_argument("--measure", nargs=2, metavar=("SCENARIO", "ROSTER"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(*arguments.measure, arguments.time_limit, arguments.workers)))
        return
    with tempfile.TemporaryDirectory() as folder:
        roster, _ = sample_roster(Path(folder), arguments.solver_seconds, deterministic=True)
        limit = [] if arguments.time_limit is None else ["--time-limit", str(arguments.time_limit)]
        command = command_seconds(folder, roster, runs=arguments.runs)
        runs = measured_runs("benchmarks.bench_replan", folder, roster,
                             ["--workers", str(arguments.workers), *limit], arguments.runs)
    walls = [run["wall"] for run in runs]
    print(f"absent: {', '.join(runs[0]['absent'])}; repair: median wall {statistics.median(walls):.1f} s "
          f"(runs {', '.join(f'{wall:.1f}' for wall in walls)} s), peak RSS {max(r['rss_mb'] for r in runs):.0f} MB, "
          f"status {', '.join(r['status'] for r in runs)}, checker violations {max(r['violations'] for r in runs)}")
    print(f"the whole wfm replan command (start-up, loading, writing the outputs): median "
          f"{statistics.median(command):.1f} s (runs {', '.join(f'{wall:.1f}' for wall in command)} s)")
    print("short staffing from Wednesday 12:00 (agent-hours): published "
          f"{runs[0]['short_published']:.1f}, with the absences {runs[0]['short_absent']:.1f}, repaired "
          + ", ".join(f"{run['short_repaired']:.1f}" for run in runs))
    print(f"shifts the absences took or cut: {runs[0]['lost']}; other shifts changed: "
          + ", ".join(str(run["changed"]) for run in runs))
    for agent_id, lines in runs[len(runs) // 2]["changes"].items():
        print(f"  {agent_id}: {'; '.join(lines)}")


if __name__ == "__main__":
    main()
