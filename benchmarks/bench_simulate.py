"""Roster simulation benchmark: median wall time and peak memory of `simulate_roster` on the sample
center, and how far the expected service level (`scheduler.evaluate`, as `coverage.csv` and
`summary.json` report it) is from the simulated one.

    python -m benchmarks.bench_simulate                       # 100 replications, 3 runs
    python -m benchmarks.bench_simulate --replications 1000 --runs 1

The sample center (`wfm.demo`: 66 agents, voice and chat, 30-minute intervals, one week) is rostered
once with CP-SAT (30 s, not timed); each timed run then loads the scenario and the roster and simulates
them in a fresh Python process, so that its peak RSS (`resource.getrusage`) is the simulation's own and
not the solver's. The expectation is compared with the last run (exponential handle times, random
shrinkage): per queue, the week's levels and their difference, and the mean absolute difference per
interval with contacts, unweighted and weighted by contacts, beside the simulation's own noise there
(the mean absolute error its 95 % intervals imply: a perfect expectation would still differ by that).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

from scheduler.evaluate import coverage_table, summary, weighted_service
from scheduler.io import load_scenario
from scheduler.roster import read_roster, write_roster
from scheduler.simulate import CONFIDENCE, SimulationSettings, simulate_roster
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
    return {"wall": wall, "rss_mb": peak_kb / 1024, "levels": levels, "offered": offered,
            "expectation": expectation_gap(result.intervals, roster, scenario, replications)}


def expectation_gap(simulated, roster, scenario, replications: int) -> dict:
    """Per queue, in percentage points: the week's expected and simulated service level and their
    difference; the mean absolute difference over the intervals with contacts (unweighted and
    weighted by contacts); and the simulation's noise there (√(2/π) × standard error of its mean)."""
    expected = coverage_table(roster, scenario)
    z = stats.t.ppf(0.5 + CONFIDENCE / 2, replications - 1)
    gaps = {}
    for queue, rows in expected.groupby("queue", sort=False):
        sim = simulated[simulated["queue"] == queue].set_index("interval_start").reindex(rows["interval_start"])
        busy = rows["contacts"].to_numpy() > 0
        contacts = rows["contacts"].to_numpy()[busy]
        difference = np.abs(rows["service_level"].to_numpy() - sim["service_level"].to_numpy())[busy]
        error = ((sim["service_level_high"] - sim["service_level_low"]) / (2 * z)).to_numpy()[busy]
        gaps[str(queue)] = {
            "expected": 100 * weighted_service(rows, "service_level"),
            "mae": 100 * float(difference.mean()),
            "mae_weighted": 100 * float((contacts * difference).sum() / contacts.sum()),
            "noise": 100 * math.sqrt(2 / math.pi) * float(np.nanmean(error)),
            **carry_over(rows["service_level"].to_numpy(), sim["service_level"].to_numpy(), busy,
                         scenario.config.queues[queue].service_level),
        }
    return gaps


SHORT_POINTS = 0.10  # an interval expected 10 points or more below its target is "short"


def carry_over(expected: np.ndarray, simulated: np.ndarray, busy: np.ndarray, target: float) -> dict:
    """Mean signed difference expected − simulated (pp) in the short intervals, in the intervals right
    after a short one (where a queue carried over would show), and in the others; with their counts."""
    short = expected < target - SHORT_POINTS
    after = np.roll(short, 1) & ~short
    difference = 100 * (expected - simulated)
    groups = {"short": short & busy, "after_short": after & busy, "others": ~short & ~after & busy}
    return {f"{name}_difference": float(difference[mask].mean()) if mask.any() else float("nan")
            for name, mask in groups.items()} | {f"{name}_count": int(mask.sum()) for name, mask in groups.items()}


def sample_roster(folder: Path, time_limit: float, deterministic: bool = False) -> tuple[Path, float]:
    """The sample center's roster, and its short staffing in % of required hours."""
    scenario = load_scenario(write_demo_scenario(folder / "scenario"))
    result = solve_roster(scenario, time_limit=time_limit, workers=2, deterministic=deterministic)
    write_roster(result.roster, folder / "roster.csv")
    hours = summary(result.roster, scenario)["hours"]
    return folder / "roster.csv", 100 * hours["short"] / hours["required"]


def measured_runs(module: str, folder: str, roster: Path, options: list[str], runs: int) -> list[dict]:
    """`runs` measurements of the scenario in `folder` and its roster, each by `module --measure` in a fresh
    process (so that its peak RSS is its own), as the JSON each printed."""
    return [json.loads(subprocess.run(
        [sys.executable, "-m", module, "--measure", f"{folder}/scenario", str(roster), *options],
        check=True, capture_output=True, text=True).stdout) for _ in range(runs)]


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
        roster, short = sample_roster(Path(folder), arguments.solver_seconds)
        runs = measured_runs("benchmarks.bench_simulate", folder, roster,
                             ["--replications", str(arguments.replications)], arguments.runs)
        walls = [run["wall"] for run in runs]
        print(f"{arguments.replications} replications: median wall {statistics.median(walls):.1f} s "
              f"(runs {', '.join(f'{wall:.1f}' for wall in walls)} s), "
              f"peak RSS {max(run['rss_mb'] for run in runs):.0f} MB")
        print(f"contacts per replication: {runs[-1]['offered']:,.0f}; simulated service level: "
              + ", ".join(f"{queue} {level:.1%}" for queue, level in runs[-1]["levels"].items()))
        print(f"expected vs simulated service level (pp), per queue, on a roster {short:.2f} % short:")
        for queue, gap in runs[-1]["expectation"].items():
            simulated = 100 * runs[-1]["levels"][queue]
            print(f"  {queue}: week expected {gap['expected']:.1f} %, simulated {simulated:.1f} % "
                  f"(difference {gap['expected'] - simulated:+.2f} pp); per interval with contacts: mean |difference| "
                  f"{gap['mae']:.2f} pp (weighted by contacts {gap['mae_weighted']:.2f} pp; "
                  f"the simulation's own noise {gap['noise']:.2f} pp)")
            print(f"    mean expected − simulated: {gap['short_count']} short intervals (expected ≥ "
                  f"{100 * SHORT_POINTS:.0f} points below target) {gap['short_difference']:+.2f} pp, "
                  f"{gap['after_short_count']} right after one {gap['after_short_difference']:+.2f} pp, "
                  f"{gap['others_count']} others {gap['others_difference']:+.2f} pp")


if __name__ == "__main__":
    main()
