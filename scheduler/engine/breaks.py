"""Stage 3, the break pass: with the shifts fixed, every break placed inside its window (CP-SAT)
to protect coverage, starting from every break in the middle of its window."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.costs import COST_SCALE
from scheduler.engine.coverage import (
    Coverage,
    add_break_counts,
    add_coverage,
    nominal_breaks,
    over_staffing_cost,
    short_staffing_cost,
)
from scheduler.engine.data import Assignment, BreakCounts, RosterData, shift_counts
from scheduler.engine.run import Run


BREAK_TIME_SHARE = 0.1  # of the time limit kept for placing breaks


@dataclass
class BreakModel:
    model: cp_model.CpModel
    coverage: Coverage


def build_break_model(data: RosterData, counts: dict[tuple[int, str], int]) -> BreakModel:
    """The break pass: with the shifts fixed, place every break inside its window to protect coverage."""
    model = cp_model.CpModel()
    coverage = add_coverage(model, data, counts, add_break_counts(model, data, counts, counts))
    model.minimize(short_staffing_cost(data, coverage) + over_staffing_cost(data, coverage))
    return BreakModel(model, coverage)


def nominal_break_counts(data: RosterData, assignment: Assignment) -> BreakCounts:
    """Breaks in the middle of their windows, as the agent models count them."""
    return nominal_breaks(data, shift_counts(assignment))


def break_values(solver: cp_model.CpSolver, breaks: dict) -> BreakCounts:
    return {key: int(solver.value(var)) for key, var in breaks.items() if solver.value(var)}


def place_breaks(data: RosterData, assignment: Assignment, run: Run, seconds: float) -> tuple[BreakCounts, str]:
    """Break offsets per shift type and queue that protect coverage best, and the pass's status;
    every break in the middle of its window when the pass found no placement in time."""
    breaks = build_break_model(data, shift_counts(assignment))
    middle = nominal_break_counts(data, assignment)
    for key, var in breaks.coverage.breaks.items():  # start from breaks in the middle of their windows
        if isinstance(var, cp_model.IntVar):
            breaks.model.add_hint(var, middle.get(key, 0))
    status, solver = run.solve(breaks.model, max(1.0, seconds), "breaks", 1 / COST_SCALE)
    if status not in ("OPTIMAL", "FEASIBLE"):  # out of time (a busy machine): breaks mid-window are valid too
        return {key: count for key, count in middle.items() if count}, status
    return break_values(solver, breaks.coverage.breaks), status
