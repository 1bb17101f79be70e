"""Deferred queues and queue blocks on the sample center: `wfm demo`'s center with and without its email
(24 h) and social (2 h) queues, by team size, each solved in 60 s on 2 workers and checked by
`wfm check`'s checker.

    python -m benchmarks.bench_deferred                      # loads 0.9 (the demo's team), 0.85, 0.8
    python -m benchmarks.bench_deferred --loads 0.9 --repeats 3
    python -m benchmarks.bench_deferred --loads 0.95 0.85 --cases yes    # with the deferred queues only
    python -m benchmarks.bench_deferred --loads 0.9 --seeds 11 12 13 --deterministic   # the same on every run

`load` is the share of the team's max_hours the requirement takes (`wfm.demo.TARGET_LOAD` = 0.9; a lower
load is a larger team). Realtime short is the short staffing of voice and chat in % of their required
agent-hours; each deferred queue's share answered within its response time is against its target.
`planned` is the realtime short staffing of the roster before the queue-block pass (where it is lost);
`bound` the proven lower bound on realtime short staffing (with deferred queues the switching master's:
an agent may take any realtime queue of its skills in any interval), in % of the same hours.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from unittest.mock import patch

from scheduler.check import check_roster
from scheduler.evaluate import summary
from scheduler.io import load_scenario
import scheduler.solve as solve_module
from scheduler.solve import solve_roster
from wfm.demo import write_demo_scenario


def run(deferred: bool, load: float, limit: float, seed: int = 11, deterministic: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        scenario = load_scenario(write_demo_scenario(f"{folder}/demo", seed=seed, deferred=deferred, load=load))
    planned = []
    blocks = solve_module.with_queue_blocks

    def recorded(data, result, run):
        planned.append(result.roster)
        return blocks(data, result, run)

    began = time.monotonic()
    with patch.object(solve_module, "with_queue_blocks", recorded):
        result = solve_roster(scenario, time_limit=limit, workers=2, deterministic=deterministic)
    wall = time.monotonic() - began
    report = summary(result.roster, scenario, result)
    return {"agents": len(scenario.agents), "wall": wall, "violations": len(check_roster(result.roster, scenario)),
            "realtime_short_pct": realtime_short_pct(report, scenario),
            "bound_pct": bound_pct(report, scenario),
            "planned_short_pct": realtime_short_pct(summary(planned[0], scenario), scenario) if planned else None,
            "stages": {stage: round(seconds, 1) for stage, seconds in result.stage_seconds.items()},
            "deferred": {queue: figures["on_time"] for queue, figures in report.get("deferred", {}).items()}}


def realtime_short_pct(report: dict, scenario) -> float:
    """Voice and chat short staffing in % of their required agent-hours."""
    return 100 * sum(report["hours"]["by_queue"][queue]["short"] for queue in realtime(scenario)) / realtime_hours(
        report, scenario)


def bound_pct(report: dict, scenario) -> float | None:
    """The proven bound on short staffing in % of the realtime queues' required agent-hours (None: none proven)."""
    bound = report["short_bound"]["lower_bound_hours"]
    return None if bound is None else 100 * bound / realtime_hours(report, scenario)


def realtime(scenario) -> list[str]:
    return [queue for queue, target in scenario.config.queues.items() if not target.deferred]


def realtime_hours(report: dict, scenario) -> float:
    return sum(report["hours"]["by_queue"][queue]["required"] for queue in realtime(scenario))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=float, nargs="+", default=[0.9, 0.85, 0.8])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--cases", choices=("both", "yes", "no"), default="both",
                        help="with the deferred queues (yes), without (no) or both")
    parser.add_argument("--seeds", type=int, nargs="+", default=[11], help="demo seeds (the bundled one is 11)")
    parser.add_argument("--deterministic", action="store_true",
                        help="solver.deterministic: one worker, the limit in deterministic seconds")
    options = parser.parse_args()
    print("| load | seed | deferred queues | agents | wall s | violations | realtime short | planned | bound | "
          "email on time | social on time | stage seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for load in options.loads:
        for seed in options.seeds:
            for deferred in {"both": (False, True), "yes": (True,), "no": (False,)}[options.cases]:
                for _ in range(options.repeats):
                    row = run(deferred, load, options.time_limit, seed, options.deterministic)
                    queues = row["deferred"]
                    planned = "" if row["planned_short_pct"] is None else f"{row['planned_short_pct']:.2f} %"
                    bound = "none" if row["bound_pct"] is None else f"{row['bound_pct']:.2f} %"
                    print(f"| {load:g} | {seed} | {'yes' if deferred else 'no'} | {row['agents']} | {row['wall']:.1f} | "
                          f"{row['violations']} | {row['realtime_short_pct']:.2f} % | {planned} | {bound} | "
                          f"{queues.get('email', float('nan')):.1%} | {queues.get('social', float('nan')):.1%} | "
                          f"{row['stages']} |", flush=True)


if __name__ == "__main__":
    main()
