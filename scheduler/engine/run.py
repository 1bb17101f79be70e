"""The clock, CP-SAT settings and progress reporting shared by every stage of a run."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model


Progress = Callable[[dict], None]


def new_solver(seconds: float, workers: int, seed: int | None = None, presolve: bool = True) -> cp_model.CpSolver:
    """A CP-SAT solver with a time limit, its threads, its seed (CP-SAT's own when None) and
    presolve on or off: the one place the engine sets them."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    if seed is not None:
        solver.parameters.random_seed = seed
    solver.parameters.cp_model_presolve = presolve
    return solver


@dataclass
class Run:
    """The clock, solver settings and progress reporting shared by every stage."""

    time_limit: float
    workers: int
    seed: int
    progress: Progress | None
    started: float = field(default_factory=time.monotonic)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed())

    @property
    def deadline(self) -> float:
        """The time limit as a `time.monotonic()` instant."""
        return self.started + self.time_limit

    def solve(
        self, model: cp_model.CpModel, seconds: float, stage: str, scale: float, presolve: bool = True
    ) -> tuple[str, cp_model.CpSolver]:
        """Solve with a time limit, `workers` and `seed`; report each improving solution as
        `scale` × objective. The agent models skip presolve: on them it costs seconds and gains nothing."""
        solver = new_solver(max(0.1, seconds), self.workers, self.seed, presolve)
        began = time.monotonic()
        status = solver.solve(model, SolutionReporter(self, stage, scale))
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.monotonic() - began
        return solver.status_name(status), solver

    def report(self, event: dict) -> None:
        if self.progress is not None:
            self.progress({**event, "seconds": self.elapsed()})


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
