"""Roster engine benchmark: wall time, short staffing, its lower bound and the gap, by size.

    python -m benchmarks.bench_roster                 # (a) demo center and (b) 300 agents
    python -m benchmarks.bench_roster --sizes demo 300 1000
    python -m benchmarks.bench_roster --sizes demo --weeks 4   # the demo center over 4 weeks, in 120 s

Sizes: `demo` is the bundled sample center (`wfm.demo`, 30-minute intervals, 2 queues,
solved in 30 s), `demo-N` the same center drawn with seed N (the bundled one is seed 11),
`demo-N-lessP` that center without P % of its agents (those of the largest contracts); a
number is a synthetic center of that many agents (`benchmarks.synthetic`, 15-minute intervals,
demand at 85 % of the agents' contract maximum), solved in 120 s up to 300 agents and in 600 s
above or over several weeks. Every roster is run through the independent checker.
Short staffing and the bound are in % of required agent-hours; the gap is their difference.
The peak RSS is the process's (run one size at a time to read it per case).
The spreads are of weekends worked between agents of one contract and of nights between the
agents who work nights (counting what a previous roster carried).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import tempfile
import time

from benchmarks.synthetic import synthetic_scenario
from scheduler.check import check_roster
from scheduler.evaluate import summary
from wfm.demo import write_demo_scenario
from scheduler.io import load_scenario
from scheduler.scenario import Scenario
from scheduler.solve import solve_roster


def demo_scenario(seed: int, weeks: int) -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        return load_scenario(write_demo_scenario(f"{folder}/demo", seed=seed, weeks=weeks))


def without_largest_contracts(scenario: Scenario, percent: int) -> Scenario:
    """The center without `percent` % of its agents, those of the largest contracts (the team then
    cannot always cover the requirement: the bound is tested where it matters)."""
    removed = {a.agent_id for a in sorted(scenario.agents, key=lambda a: -a.max_hours)[: round(percent / 100 * len(scenario.agents))]}
    return dataclasses.replace(
        scenario,
        agents=tuple(a for a in scenario.agents if a.agent_id not in removed),
        time_off=tuple(off for off in scenario.time_off if off.agent_id not in removed),
    )


def case(size: str, weeks: int) -> tuple[str, Scenario, float]:
    if size.startswith("demo"):
        seed_part, _, cut = size.removeprefix("demo").removeprefix("-").partition("-less")
        seed = int(seed_part) if seed_part else 11
        limit = 30.0 if weeks == 1 else 120.0
        name = f"demo seed {seed}" + (f" ×{weeks}w" if weeks > 1 else "")
        if cut:
            return f"{name} -{cut}%", without_largest_contracts(demo_scenario(seed, weeks), int(cut)), limit
        return name, demo_scenario(seed, weeks), limit
    agents = int(size)
    name = f"{agents} agents" + (f" ×{weeks}w" if weeks > 1 else "")
    limit = 120.0 if agents <= 300 and weeks == 1 else 600.0
    return name, synthetic_scenario(agents, interval_minutes=15, weeks=weeks), limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["demo", "300"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=1, help="weeks planned at once")
    parser.add_argument("--deterministic", action="store_true", help="solver.deterministic (one worker)")
    arguments = parser.parse_args()
    header = f"{'case':<16}{'agents':>7}{'limit s':>9}{'wall s':>8}{'short %':>9}{'bound %':>9}{'gap pp':>8}{'violations':>12}"
    print(header)
    for size in arguments.sizes:
        name, scenario, limit = case(size, arguments.weeks)
        began = time.monotonic()
        result = solve_roster(scenario, time_limit=limit, workers=arguments.workers, deterministic=arguments.deterministic)
        wall = time.monotonic() - began
        violations = len(check_roster(result.roster, scenario))
        if result.infeasibility or result.short_percent is None:
            why = f"infeasible: {result.infeasibility[0]}" if result.infeasibility else f"no roster ({result.status})"
            print(f"{name:<16}{len(scenario.agents):>7}{limit:>9.0f}{wall:>8.1f}  {why}", flush=True)
            continue
        short, bound = result.short_percent, result.lower_bound_short_percent
        proven = f"{'none':>9}{'n/a':>8}" if bound is None else f"{bound:>9.2f}{short - bound:>8.2f}"
        print(f"{name:<16}{len(scenario.agents):>7}{limit:>9.0f}{wall:>8.1f}{short:>9.2f}{proven}"
              f"{violations:>12}  {result.status}, bound: {result.bound_kind}", flush=True)
        stages = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in result.stage_seconds.items())
        print(f"    stages (s): {stages}; peak RSS of the process so far: {peak_rss_mb():.0f} MB")
        print(f"    spreads: {spreads(result, scenario)}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def spreads(result, scenario: Scenario) -> str:
    """Weekends worked (most − fewest) among agents of each contract, and nights among night_ok agents."""
    fairness = summary(result.roster, scenario, result)["fairness"]
    weekends = ", ".join(f"{contract} {spread['spread']}"
                         for contract, spread in fairness["weekends_worked_by_contract"].items())
    return f"weekends worked by contract: {weekends}; nights {fairness['nights']['spread']}"


if __name__ == "__main__":
    main()
