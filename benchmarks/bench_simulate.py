"""Roster simulation benchmark: median wall time and peak memory of `simulate_roster` on the sample center.

    python -m benchmarks.bench_simulate                       # 100 replications, 3 runs
    python -m benchmarks.bench_simulate --replications 1000 --runs 1

The sample center (`wfm.demo`: 66 agents, voice and chat, 30-minute intervals, one week) is rostered
once with CP-SAT (30 s, not timed); each timed run then loads the scenario and the roster and simulates
them in a fresh Python process, so that its peak RSS (`resource.getrusage`) is the simulation's own and
not the solver's.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scheduler.io import load_scenario
from scheduler.roster import read_roster, write_roster
from scheduler.simulate import SimulationSettings, simulate_roster
from scheduler.solve import solve_roster
from wfm.demo import write_demo_scenario


def measure(folder: str, roster_path: str, replications: int) -> dict:
    """One timed simulation in this process: wall seconds, peak RSS in MB, and the week's figures."""
    scenario = load_scenario(folder)
    roster = read_roster(roster_path)
    began = time.perf_counter()
    result = simulate_roster(roster, scenario, SimulationSettings(replications=replications))
    wall = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    levels = {queue: week["service_level"]["mean"] for queue, week in result.summary["queues"].items()}
    offered = sum(week["offered"] for week in result.summary["queues"].values())
    return {"wall": wall, "rss_mb": peak_kb / 1024, "levels": levels, "offered": offered}


def sample_roster(folder: Path, time_limit: float, deterministic: bool = False) -> Path:
    scenario = load_scenario(write_demo_scenario(folder / "scenario"))
    result = solve_roster(scenario, time_limit=time_limit, workers=2, deterministic=deterministic)
    write_roster(result.roster, folder / "roster.csv")
    return folder / "roster.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--solver-seconds", type=float, default=30)
    parser.add_argument("--measure", nargs=2, metavar=("SCENARIO", "ROSTER"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(*arguments.measure, arguments.replications)))
        return
    with tempfile.TemporaryDirectory() as folder:
        roster = sample_roster(Path(folder), arguments.solver_seconds)
        runs = [json.loads(subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_simulate", "--measure", f"{folder}/scenario", str(roster),
             "--replications", str(arguments.replications)],
            check=True, capture_output=True, text=True).stdout) for _ in range(arguments.runs)]
        walls = [run["wall"] for run in runs]
        print(f"{arguments.replications} replications: median wall {statistics.median(walls):.1f} s "
              f"(runs {', '.join(f'{wall:.1f}' for wall in walls)} s), "
              f"peak RSS {max(run['rss_mb'] for run in runs):.0f} MB")
        print(f"contacts per replication: {runs[-1]['offered']:,.0f}; simulated service level: "
              + ", ".join(f"{queue} {level:.1%}" for queue, level in runs[-1]["levels"].items()))


if __name__ == "__main__":
    main()
