"""Speed and accuracy of forecasts.erlang on a year of 15-minute intervals for 20 queues.

Run from the repository root:  python3 -m benchmarks.bench_erlang
(or `python3 benchmarks/bench_erlang.py` once the project is installed with pip install -e .).
Prints the median wall time (and CPU time) over several repeats for `required_agents` and `service_level`,
and the largest deviation of Erlang B / C from a 50-digit mpmath reference.
"""

from __future__ import annotations

import statistics
import time

import mpmath
import numpy as np

from forecasts.erlang import erlang_b, erlang_c, required_agents, service_level

INTERVALS_PER_YEAR = 365 * 96
QUEUES = 20
REPEATS = 7


def year_of_traffic(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Traffic (Erlangs) and AHT (s), shape (intervals, queues): daily and weekly shape, noise, closed nights."""
    hour = (np.arange(INTERVALS_PER_YEAR) % 96) / 4.0
    weekday = (np.arange(INTERVALS_PER_YEAR) // 96) % 7
    daily = np.clip(np.sin((hour - 7.0) / 13.0 * np.pi), 0.0, None)  # open 07:00-20:00
    weekly = np.where(weekday < 5, 1.0, 0.4)
    peak = rng.uniform(5.0, 200.0, QUEUES)
    shape = (daily * weekly)[:, None] * peak[None, :]
    load = shape * rng.lognormal(0.0, 0.15, shape.shape)
    return np.clip(load, 0.0, 200.0), np.broadcast_to(rng.uniform(180.0, 600.0, QUEUES), shape.shape)


def median_seconds(func) -> tuple[float, float]:
    """Median wall-clock and CPU seconds; CPU time shows how much of the wall time is other load on shared cores."""
    wall, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def reference_b_and_c(a: float, n: int) -> tuple[float, float]:
    """Erlang B and C from their defining sums, in 50-digit arithmetic."""
    with mpmath.workdps(50):
        a = mpmath.mpf(a)
        terms = [mpmath.mpf(1)]
        for k in range(1, n + 1):
            terms.append(terms[-1] * a / k)
        below = mpmath.fsum(terms[:-1])
        b = terms[-1] / (below + terms[-1])
        waiting = terms[-1] * n / (n - a)
        return float(b), float(waiting / (below + waiting))


def max_deviation() -> float:
    worst = 0.0
    for a in (0.1, 1.0, 10.0, 100.0, 1000.0, 5000.0):
        for n in sorted({int(a) + 1 + round(k * np.sqrt(a)) for k in (0, 0.5, 1, 2, 4)}):
            b, c = reference_b_and_c(a, n)
            worst = max(worst, abs(float(erlang_b(a, n)) - b), abs(float(erlang_c(a, n)) - c))
    return worst


def main() -> None:
    load, aht = year_of_traffic(np.random.default_rng(2024))
    size = load.size
    agents = required_agents(load, aht, 0.8, 20.0)
    print(f"{size:,} intervals ({INTERVALS_PER_YEAR:,} x {QUEUES} queues), traffic 0-{load.max():.0f} Erlangs, "
          f"median of {REPEATS} runs")
    for name, func in (
        ("required_agents", lambda: required_agents(load, aht, 0.8, 20.0)),
        ("required_agents (occ<=0.85, ASA<=30s, shrink 0.3)",
         lambda: required_agents(load, aht, 0.8, 20.0, max_occupancy=0.85, shrinkage=0.3, max_asa=30.0)),
        ("service_level", lambda: service_level(load, agents, aht, 20.0)),
    ):
        seconds, cpu = median_seconds(func)
        print(f"{name:52s} {seconds:7.3f} s (CPU {cpu:.3f} s)  {size / seconds:12,.0f} intervals/s")
    print(f"max |deviation| of Erlang B and C from mpmath (A up to 5000): {max_deviation():.2e}")


if __name__ == "__main__":
    main()
