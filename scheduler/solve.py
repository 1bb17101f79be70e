"""Solve a roster scenario in stages and report the result rule by rule.

1. Shift mix (`model.build_mix_model`): how many agents work each shift type and queue. Its
   optimum, or CP-SAT's proven bound on it, is the lower bound on short staffing we report;
   a second pass, at that short staffing, prices service and over-staffing for a good mix.
2. Named agents (`model.build_agent_model`): every agent's candidate shifts are the mix's shift
   types and their neighbours (nearby starts, other lengths). Up to `BLOCK_AGENTS` agents are
   solved in one model; larger centers are built block by block (each block sees the coverage
   of the blocks before it), then a large-neighbourhood search re-optimises random groups of
   agents with everyone else fixed while time remains.
3. Roster table (`model.roster_table`): breaks handed out per shift type as counted.

When a block has no solution at all, some agent's hard rules contradict each other (coverage
is soft): `scheduler.diagnose` names the rule, agent and day.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from ortools.sat.python import cp_model

from scheduler import diagnose
from scheduler.model import (
    COST_SCALE,
    AgentModel,
    Assignment,
    BreakCounts,
    Others,
    RosterData,
    agent_day_limit,
    assignment_values,
    break_values,
    build_agent_model,
    build_mix_model,
    roster_table,
    score,
    shift_counts,
)
from scheduler.roster import ROSTER_COLUMNS
from scheduler.scenario import Scenario

BLOCK_AGENTS = 120  # agents per stage-2 model
NEIGHBOUR_MINUTES = 60  # candidate starts around the mix's starts, either side
MIX_SHARE = 0.2  # of the time limit for the shift mix (bound and mix)
LNS_AGENTS = 40  # agents re-optimised together in one improvement step
LNS_STEP_SECONDS = 8.0

Progress = Callable[[dict], None]


@dataclass(frozen=True)
class RosterResult:
    """A roster and how it was found.

    `objective` is the weighted cost (the sum of `costs`); `best_bound` a proven lower bound on it.
    `lower_bound_short_hours` is the least short staffing any roster can have (stage 1), in
    agent-hours; `terms` are the figures by rule (short_hours, lost_contacts, over_hours,
    night_spread, weekend_spread, preference_misses) and `costs` their weighted costs.
    `infeasibility` explains, in sentences, hard rules that contradict each other (then the
    roster is empty)."""

    roster: pd.DataFrame
    status: str
    objective: float | None
    best_bound: float | None
    wall_seconds: float
    lower_bound_short_hours: float | None
    required_hours: float
    terms: dict[str, float] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    infeasibility: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def short_hours(self) -> float | None:
        return self.terms.get("short_hours")

    @property
    def short_percent(self) -> float | None:
        return percent(self.short_hours, self.required_hours)

    @property
    def lower_bound_short_percent(self) -> float | None:
        return percent(self.lower_bound_short_hours, self.required_hours)


def percent(hours: float | None, required: float) -> float | None:
    if hours is None:
        return None
    return 100 * hours / required if required else 0.0


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

    def solve(self, model: cp_model.CpModel, seconds: float, stage: str, scale: float) -> tuple[str, cp_model.CpSolver]:
        """Solve with a time limit, `workers` and `seed`; report each improving solution as
        `scale` × objective (agent-hours for the mix, cost units for the agents)."""
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
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


def solve_roster(
    scenario: Scenario, time_limit: float | None = None, workers: int | None = None, progress: Progress | None = None
) -> RosterResult:
    """The best roster found within `time_limit` seconds (default: the scenario's solver settings)."""
    settings = scenario.config.solver
    run = Run(time_limit or settings.time_limit_seconds, workers or settings.workers, settings.seed, progress)
    data = RosterData.build(scenario)
    problems = diagnose.precheck(data)
    if problems:
        return infeasible_result(data, run, problems)

    mix, short_bound = solve_mix(data, run)
    solution = assign_agents(data, mix, run)
    if solution is None:
        return infeasible_result(data, run, diagnose.explain(data, run.workers))
    assignment, breaks, status, model_bound = solution
    if len(data.agents) > BLOCK_AGENTS or status != "OPTIMAL":
        assignment, breaks = improve(data, assignment, breaks, run)
        status = "OPTIMAL" if model_bound is not None and total_cost(data, assignment, breaks) <= model_bound else "FEASIBLE"

    terms, costs = score(data, assignment, breaks)
    cheapest_short = min((step.cost for steps in data.tiers.values() for step in steps), default=0) / COST_SCALE
    bound_from_mix = short_bound / data.interval_hours * cheapest_short
    run.report({"stage": "done", "solutions": 1, "objective": sum(costs.values()), "bound": bound_from_mix})
    return RosterResult(
        roster=roster_table(data, assignment, breaks),
        status=status,
        objective=sum(costs.values()),
        best_bound=max(bound_from_mix, model_bound or 0.0),
        wall_seconds=run.elapsed(),
        lower_bound_short_hours=short_bound,
        required_hours=data.required_hours,
        terms=terms,
        costs=costs,
        stage_seconds=dict(run.stage_seconds),
    )


def infeasible_result(data: RosterData, run: Run, sentences: list[str]) -> RosterResult:
    return RosterResult(
        roster=pd.DataFrame(columns=ROSTER_COLUMNS),
        status="INFEASIBLE",
        objective=None,
        best_bound=None,
        wall_seconds=run.elapsed(),
        lower_bound_short_hours=None,
        required_hours=data.required_hours,
        infeasibility=sentences,
        stage_seconds=dict(run.stage_seconds),
    )


# ---------------------------------------------------------------------------------------------
# Stage 1
# ---------------------------------------------------------------------------------------------


def solve_mix(data: RosterData, run: Run) -> tuple[dict[tuple[int, str], int], float]:
    """The shift mix and the lower bound on short agent-hours.

    First pass: least short staffing (its bound is the reported lower bound). Second pass: at
    that short staffing, the cheapest service and over-staffing cost (a better mix to start from)."""
    budget = MIX_SHARE * run.time_limit
    mix = build_mix_model(data)
    status, solver = run.solve(mix.model, 0.6 * budget, "shift mix: bound", data.interval_hours)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return {}, 0.0
    short_bound = math.ceil(solver.best_objective_bound - 1e-6) * data.interval_hours
    counts = {key: int(solver.value(var)) for key, var in mix.counts.items()}
    for key, var in mix.counts.items():
        mix.model.add_hint(var, counts[key])
    mix.model.add(sum(mix.coverage.short.values()) <= round(solver.objective_value))
    short_cost = sum(step.cost * mix.coverage.short[key] for key, step in tier_items(data, mix.coverage.short))
    mix.model.minimize(short_cost + data.over_cost * sum(mix.coverage.over.values()))
    status, solver = run.solve(mix.model, max(0.4 * budget, budget - run.elapsed()), "shift mix", 1 / COST_SCALE)
    if status in ("OPTIMAL", "FEASIBLE"):
        counts = {key: int(solver.value(var)) for key, var in mix.counts.items()}
    return {key: count for key, count in counts.items() if count}, short_bound


def tier_items(data: RosterData, short: dict) -> list:
    return [(key, data.tiers[key[:2]][key[2]]) for key in short]


# ---------------------------------------------------------------------------------------------
# Stage 2
# ---------------------------------------------------------------------------------------------


def candidate_options(data: RosterData, mix: dict[tuple[int, str], int]) -> dict[str, list[tuple[int, str]]]:
    """Per agent, its eligible shifts near the mix's (same day, start within NEIGHBOUR_MINUTES, any
    length); all its eligible shifts when those could not make up its contract's minimum hours."""
    used = {(data.shifts[k].day, data.shifts[k].shift.start) for k, _ in mix}
    near = {
        k for k, facts in enumerate(data.shifts)
        if any((facts.day, start) in used for start in
               range(facts.shift.start - NEIGHBOUR_MINUTES, facts.shift.start + NEIGHBOUR_MINUTES + 1))
    }
    rules = data.scenario.config.rules
    options = {}
    for agent in data.agents:
        eligible = data.eligible[agent.agent_id]
        pooled = [(k, queue) for k, queue in eligible if k in near]
        longest = {}
        for k, _ in pooled:
            longest[data.shifts[k].day] = max(longest.get(data.shifts[k].day, 0), data.shifts[k].paid)
        reachable = sum(sorted(longest.values(), reverse=True)[: agent_day_limit(agent, rules)])
        options[agent.agent_id] = pooled if reachable >= agent.min_hours * 60 else eligible
    return options


def agent_blocks(data: RosterData) -> list[list[str]]:
    """Agents dealt round-robin (sorted by skills and contract) into blocks of at most BLOCK_AGENTS,
    so every block has a similar mix of skills and contracts."""
    count = math.ceil(len(data.agents) / BLOCK_AGENTS)
    ordered = sorted(data.agents, key=lambda a: (a.skills, a.night_ok, a.max_hours, a.agent_id))
    return [[agent.agent_id for agent in ordered[i::count]] for i in range(count)]


def others_than(data: RosterData, assignment: Assignment, free: set[str]) -> Others:
    """The agents of `assignment` outside `free`, held fixed: shift counts and fairness loads."""
    fixed = {agent_id: shifts for agent_id, shifts in assignment.items() if agent_id not in free}
    night_ok = {agent.agent_id for agent in data.agents if agent.night_ok}
    return Others(
        counts=shift_counts(fixed),
        nights=tuple(sum(data.shifts[k].night for k, _ in fixed[a]) for a in fixed if a in night_ok),
        weekends=tuple(sum(data.shifts[k].weekend for k, _ in fixed[a]) for a in fixed),
    )


def hint(agent_model: AgentModel, assignment: Assignment, breaks: BreakCounts) -> None:
    chosen = {(agent_id, k, queue) for agent_id, shifts in assignment.items() for k, queue in shifts}
    for key, var in agent_model.works.items():
        agent_model.model.add_hint(var, key in chosen)
    for key, var in agent_model.coverage.breaks.items():
        if isinstance(var, cp_model.IntVar):
            agent_model.model.add_hint(var, breaks.get(key, 0))


def assign_agents(
    data: RosterData, mix: dict[tuple[int, str], int], run: Run
) -> tuple[Assignment, BreakCounts, str, float | None] | None:
    """Named agents block by block; None when some agent's hard rules contradict.

    Returns the assignment, break counts, the last block's status and, when one model held every
    agent with all its eligible shifts, CP-SAT's bound on the objective."""
    options = candidate_options(data, mix)
    blocks = agent_blocks(data)
    assignment: Assignment = {}
    breaks: BreakCounts = {}
    status, bound = "UNKNOWN", None
    for number, block in enumerate(blocks, start=1):
        stage = "agents" if len(blocks) == 1 else f"agents {number}/{len(blocks)}"
        share = run.remaining() * (0.6 if len(blocks) == 1 else 1 / (len(blocks) - number + 1.5))
        solved = solve_block(data, {a: options[a] for a in block}, assignment, breaks, share, stage, run)
        if solved is None:
            return None
        block_assignment, breaks, status, solver = solved
        assignment.update(block_assignment)
        full = len(blocks) == 1 and all(options[a] == data.eligible[a] for a in block)
        bound = solver.best_objective_bound / COST_SCALE if full else None
    return assignment, breaks, status, bound


def solve_block(
    data: RosterData,
    options: dict[str, list[tuple[int, str]]],
    assignment: Assignment,
    breaks: BreakCounts,
    seconds: float,
    stage: str,
    run: Run,
) -> tuple[Assignment, BreakCounts, str, cp_model.CpSolver] | None:
    """One block of agents against the fixed rest; retried with all eligible shifts and the time
    left when the candidate shifts leave it without a solution."""
    for attempt in (options, {a: data.eligible[a] for a in options}):
        agent_model = build_agent_model(data, attempt, others_than(data, assignment, set(attempt)))
        hint(agent_model, assignment, breaks)
        status, solver = run.solve(agent_model.model, seconds, stage, 1 / COST_SCALE)
        if status in ("OPTIMAL", "FEASIBLE"):
            return (
                {a: shifts for a, shifts in assignment_values(solver, agent_model.works).items()},
                break_values(solver, agent_model.coverage.breaks),
                status,
                solver,
            )
        if status == "INFEASIBLE" and attempt is not options:
            return None
        seconds = run.remaining()
    return None


def total_cost(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> float:
    return sum(score(data, assignment, breaks)[1].values())


def improve(data: RosterData, assignment: Assignment, breaks: BreakCounts, run: Run) -> tuple[Assignment, BreakCounts]:
    """Large-neighbourhood search: re-optimise a random group of agents (everyone else fixed,
    breaks of all shifts free) while time remains; keep each change that lowers the cost."""
    rng = random.Random(run.seed)
    options = candidate_options(data, shift_counts(assignment))
    agent_ids = [agent.agent_id for agent in data.agents]
    best = total_cost(data, assignment, breaks)
    while run.remaining() > 1.0:
        free = set(rng.sample(agent_ids, min(LNS_AGENTS, len(agent_ids))))
        agent_model = build_agent_model(data, {a: options[a] for a in free}, others_than(data, assignment, free))
        hint(agent_model, assignment, breaks)
        status, solver = run.solve(agent_model.model, min(LNS_STEP_SECONDS, run.remaining()), "improve", 1 / COST_SCALE)
        if status not in ("OPTIMAL", "FEASIBLE"):
            continue
        candidate = {a: s for a, s in assignment.items() if a not in free} | assignment_values(solver, agent_model.works)
        candidate_breaks = break_values(solver, agent_model.coverage.breaks)
        cost = total_cost(data, candidate, candidate_breaks)
        if cost < best - 1e-9:
            assignment, breaks, best = candidate, candidate_breaks, cost
    return assignment, breaks
