"""Deferred queues and queue blocks on the sample center: `wfm demo`'s center with and without its email
(24 h) and social (2 h) queues, by team size, each solved in 60 s on 2 workers and checked by
`wfm check`'s checker.

    python -m benchmarks.bench_deferred                      # loads 0.9 (the demo's team), 0.85, 0.8
    python -m benchmarks.bench_deferred --loads 0.9 --repeats 3
    python -m benchmarks.bench_deferred --loads 0.95 0.85 --cases yes    # with the deferred queues only

`load` is the share of the team's max_hours the requirement takes (`wfm.demo.TARGET_LOAD` = 0.9; a lower
load is a larger team). Realtime short is the short staffing of voice and chat in % of their required
agent-hours; each deferred queue's share answered within its response time is against its target.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from scheduler.check import check_roster
from scheduler.evaluate import summary
from scheduler.io import load_scenario
from scheduler.solve import solve_roster
from wfm.demo import write_demo_scenario


def run(deferred: bool, load: float, limit: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        scenario = load_scenario(write_demo_scenario(f"{folder}/demo", deferred=deferred, load=load))
    began = time.monotonic()
    result = solve_roster(scenario, time_limit=limit, workers=2)
    wall = time.monotonic() - began
    report = summary(result.roster, scenario, result)
    realtime = [queue for queue, target in scenario.config.queues.items() if not target.deferred]
    hours = report["hours"]["by_queue"]
    short = sum(hours[queue]["short"] for queue in realtime) / sum(hours[queue]["required"] for queue in realtime)
    return {"agents": len(scenario.agents), "wall": wall, "violations": len(check_roster(result.roster, scenario)),
            "realtime_short_pct": 100 * short,
            "deferred": {queue: figures["on_time"] for queue, figures in report.get("deferred", {}).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=float, nargs="+", default=[0.9, 0.85, 0.8])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--cases", choices=("both", "yes", "no"), default="both",
                        help="with the deferred queues (yes), without (no) or both")
    options = parser.parse_args()
    print("| load | deferred queues | agents | wall s | violations | realtime short | email on time | social on time |")
    print("|---|---|---|---|---|---|---|---|")
    for load in options.loads:
        for deferred in {"both": (False, True), "yes": (True,), "no": (False,)}[options.cases]:
            for _ in range(options.repeats):
                row = run(deferred, load, options.time_limit)
                queues = row["deferred"]
                print(f"| {load:g} | {'yes' if deferred else 'no'} | {row['agents']} | {row['wall']:.1f} | "
                      f"{row['violations']} | {row['realtime_short_pct']:.2f} % | "
                      f"{queues.get('email', float('nan')):.1%} | {queues.get('social', float('nan')):.1%} |",
                      flush=True)


if __name__ == "__main__":
    main()
