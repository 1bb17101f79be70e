"""The clock, CP-SAT settings and progress reporting shared by every stage of a run."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ortools.sat.python import cp_model


Progress = Callable[[dict], None]


class WorkClock:
    """Seconds of CP-SAT's deterministic time spent so far: a clock that reads the same on every run
    with the same inputs, so that every decision taken by the clock (when to stop pricing, how long
    a model may search) is the same too (`solver.deterministic`)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.lock = threading.Lock()

    def add(self, seconds: float) -> None:
        with self.lock:
            self.spent += seconds


_clocks: dict[int, WorkClock] = {}  # thread ident -> the work clock of the deterministic solve it serves


def work_clock() -> WorkClock | None:
    """The work clock of the deterministic solve this thread serves, if any."""
    return _clocks.get(threading.get_ident())


def now() -> float:
    """The engine's clock: wall seconds (`time.monotonic`), or the work clock of a deterministic solve."""
    clock = work_clock()
    return clock.spent if clock is not None else time.monotonic()


@contextmanager
def deterministic_clock() -> Iterator[None]:
    """Within it, this thread's solvers (and those of its `thread_pool`s) count deterministic time
    and `now()` reads the work clock; solves in other threads keep the wall clock."""
    clock = WorkClock()
    _clocks[threading.get_ident()] = clock
    try:
        yield
    finally:
        for ident in [ident for ident, held in _clocks.items() if held is clock]:
            del _clocks[ident]


@contextmanager
def thread_pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A pool whose threads keep the calling thread's clock while the pool lasts (a thread's ident
    may be handed to a new thread once it ends)."""
    clock = work_clock()
    joined: list[int] = []

    def join() -> None:
        if clock is not None:
            _clocks[threading.get_ident()] = clock
            joined.append(threading.get_ident())

    with ThreadPoolExecutor(workers, initializer=join) as pool:
        yield pool
    for ident in joined:
        _clocks.pop(ident, None)


class CountedSolver(cp_model.CpSolver):
    """A CP-SAT solver that adds the work it did to the work clock."""

    def __init__(self, clock: WorkClock):
        super().__init__()
        self.clock = clock

    def solve(self, model, solution_callback=None):
        status = super().solve(model, solution_callback)
        self.clock.add(self.deterministic_time)
        return status


def new_solver(
    seconds: float, workers: int, seed: int | None = None, presolve: bool = True, probing: bool = True
) -> cp_model.CpSolver:
    """A CP-SAT solver with a time limit, its threads, its seed (CP-SAT's own when None), presolve
    on or off and probing on or off: the one place the engine sets them. In a deterministic solve the
    limit is deterministic time, with one worker and no interleaved search, so every run finds the same."""
    clock = work_clock()
    solver = cp_model.CpSolver() if clock is None else CountedSolver(clock)
    solver.parameters.num_workers = workers
    if clock is None:
        solver.parameters.max_time_in_seconds = seconds
    else:
        solver.parameters.max_deterministic_time = seconds
        solver.parameters.num_workers = 1
        solver.parameters.interleave_search = False
    if seed is not None:
        solver.parameters.random_seed = seed
    solver.parameters.cp_model_presolve = presolve
    if not probing:
        solver.parameters.cp_model_probing_level = 0
    return solver


@dataclass
class Run:
    """The clock, solver settings and progress reporting shared by every stage."""

    time_limit: float
    workers: int
    seed: int
    progress: Progress | None
    started: float = field(default_factory=now)
    wall_started: float = field(default_factory=time.monotonic)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def elapsed(self) -> float:
        return now() - self.started

    def wall_seconds(self) -> float:
        """Seconds on the wall since the start (the clock itself may count deterministic time)."""
        return time.monotonic() - self.wall_started

    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed())

    @property
    def deadline(self) -> float:
        """The time limit as a `now()` instant."""
        return self.started + self.time_limit

    def solve(
        self, model: cp_model.CpModel, seconds: float, stage: str, scale: float, presolve: bool = True,
        probing: bool = True,
    ) -> tuple[str, cp_model.CpSolver]:
        """Solve with a time limit, `workers` and `seed`; report each improving solution as
        `scale` × objective. The agent models skip presolve: on them it costs seconds and gains nothing."""
        solver = new_solver(max(0.1, seconds), self.workers, self.seed, presolve, probing)
        began = time.monotonic()
        status = solver.solve(model, SolutionReporter(self, stage, scale))
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.monotonic() - began
        return solver.status_name(status), solver

    def report(self, event: dict) -> None:
        if self.progress is not None:
            self.progress({**event, "seconds": self.elapsed()})


def progress_line(event: dict) -> str:
    """A progress event in words, for the command line and the app alike; a stage that proves no bound
    (e.g. the queue-block pass) reports none."""
    line = f"{event.get('stage', '')}: solution {event.get('solutions', 0)}"
    if event.get("objective") is not None:
        line += f", objective {event['objective']:,.0f}"
    if event.get("bound") is not None:
        line += f", bound {event['bound']:,.0f}"
    return line


class SolutionReporter(cp_model.CpSolverSolutionCallback):
    """Calls `progress` on every improving solution."""

    def __init__(self, run: Run, stage: str, scale: float):
        super().__init__()
        self.run, self.stage, self.scale, self.solutions = run, stage, scale, 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self.run.report({
            "stage": self.stage,
            "solutions": self.solutions,
            "objective": self.objective_value * self.scale,
            "bound": self.best_objective_bound * self.scale,
        })
