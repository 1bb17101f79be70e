"""Solve a roster scenario in stages and report the result rule by rule.

1. Shift mix (`model.build_mix_model`): how many agents work each shift type and queue, with
   every break placement free, under supply limits that keep it a relaxation of the agent
   problem. Its linear relaxation (solved with GLOP) bounds from below how little short staffing
   any roster can reach: that is the bound we report. The shifts it uses (clock start, length,
   queue), on any day, are the agents' candidate shifts.
2. Named agents (`scheduler.columns`): agents with the same rules form groups; column generation
   finds, per group, valid weeks (a one-agent CP-SAT model priced at the duals of the master's
   linear relaxation), and diving rounds the master to whole weeks, pricing again as it goes.
   A center of at most `WHOLE_MODEL_AGENTS` agents is then solved as one exact CP-SAT model
   (`model.build_agent_model`, every agent, breaks placed by the solver), hinted with that roster.
3. Breaks (`model.build_break_model`, CP-SAT): with the shifts fixed, every break is placed inside
   its window to protect coverage; then `model.roster_table` writes the roster.

Coverage is soft, so only an agent's own hard rules can contradict each other: an agent for
whom no valid week exists is named, with the rules and days, by `scheduler.diagnose`.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler import diagnose
from scheduler.columns import Group, WeekSearch, agent_groups, assignment_of
from scheduler.model import (
    COST_SCALE,
    Assignment,
    BreakCounts,
    RosterData,
    agent_day_limit,
    assignment_values,
    break_values,
    build_agent_model,
    build_break_model,
    build_mix_model,
    nominal_break_counts,
    roster_table,
    score,
    shift_counts,
)
from scheduler.roster import ROSTER_COLUMNS
from scheduler.scenario import Scenario

WHOLE_MODEL_AGENTS = 30  # up to this many agents, one exact model polishes the roster
GENERATE_SHARE = 0.45  # of the time limit, by when column generation stops
DIVE_SHARE = 0.8  # of the time limit, by when diving stops pricing new weeks
BREAK_SHARE = 0.1  # of the time limit kept for placing breaks
HINT_SECONDS = 2.0  # to complete a hint into a full solution
DIAGNOSIS_SECONDS = 5.0  # at least, for saying why agents have no valid week, even past the time limit

Progress = Callable[[dict], None]


@dataclass(frozen=True)
class RosterResult:
    """A roster and how it was found.

    `objective` is the weighted cost (the sum of `costs`); `best_bound` a proven lower bound on it.
    `lower_bound_short_hours` is the least short staffing any roster can have (stage 1), in
    agent-hours; `terms` are the figures by rule (short_hours, lost_contacts, over_hours,
    night_spread, weekend_spread, preference_misses) and `costs` their weighted costs.
    `warnings` are sentences about what no roster can do (hours of a queue nobody may work).
    `infeasibility` explains, in sentences, hard rules that contradict each other (then the
    roster is empty and the status INFEASIBLE; UNKNOWN, with no sentences, when no week was found in
    time for some agent whose rules do not contradict). OPTIMAL means: one model held every agent and was
    solved to optimality over the agents' candidate shifts, and the breaks were placed optimally;
    otherwise FEASIBLE. `stage_seconds` are wall seconds per stage."""

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
    warnings: list[str] = field(default_factory=list)
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

    @property
    def deadline(self) -> float:
        """The time limit as a `time.monotonic()` instant."""
        return self.started + self.time_limit

    def solve(
        self, model: cp_model.CpModel, seconds: float, stage: str, scale: float, presolve: bool = True
    ) -> tuple[str, cp_model.CpSolver]:
        """Solve with a time limit, `workers` and `seed`; report each improving solution as
        `scale` × objective. The agent models skip presolve: on them it costs seconds and gains nothing."""
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        solver.parameters.cp_model_presolve = presolve
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
    warnings = diagnose.uncovered_hours(data)
    problems = diagnose.precheck(data)
    if problems:
        return no_roster(data, run, problems, warnings)

    mix, short_bound = solve_mix(data, run)
    options, weeks, stuck = plan_weeks(data, candidate_options(data, mix), run)
    if stuck:
        deadline = max(run.deadline, time.monotonic() + DIAGNOSIS_SECONDS)
        sentences = diagnose.explain(data, [group.members for group in stuck], deadline, run.workers)
        return no_roster(data, run, sentences, warnings)
    polished, proven = whole_model(data, weeks, options, run)
    assignment, breaks, breaks_status = cheaper_roster(data, weeks, polished, run)
    status = "OPTIMAL" if proven and assignment is polished and breaks_status == "OPTIMAL" else "FEASIBLE"

    terms, costs = score(data, assignment, breaks)
    cheapest_short = min((step.cost for steps in data.tiers.values() for step in steps), default=0) / COST_SCALE
    bound = short_bound / data.interval_hours * cheapest_short
    run.report({"stage": "done", "solutions": 1, "objective": sum(costs.values()), "bound": bound})
    return RosterResult(
        roster=roster_table(data, assignment, breaks),
        status=status,
        objective=sum(costs.values()),
        best_bound=bound,
        wall_seconds=run.elapsed(),
        lower_bound_short_hours=short_bound,
        required_hours=data.required_hours,
        terms=terms,
        costs=costs,
        warnings=warnings,
        stage_seconds=dict(run.stage_seconds),
    )


def no_roster(data: RosterData, run: Run, sentences: list[str], warnings: list[str]) -> RosterResult:
    """No roster: INFEASIBLE when the sentences say which hard rules contradict each other,
    UNKNOWN (no week found in time for some agent) when there are none."""
    return RosterResult(
        roster=pd.DataFrame(columns=ROSTER_COLUMNS),
        status="INFEASIBLE" if sentences else "UNKNOWN",
        objective=None,
        best_bound=None,
        wall_seconds=run.elapsed(),
        lower_bound_short_hours=None,
        required_hours=data.required_hours,
        infeasibility=sentences,
        warnings=warnings,
        stage_seconds=dict(run.stage_seconds),
    )


# ---------------------------------------------------------------------------------------------
# Stage 1
# ---------------------------------------------------------------------------------------------


def solve_mix(data: RosterData, run: Run) -> tuple[dict[tuple[int, str], float], float]:
    """The (fractional) shift mix of least short staffing, and this week's least short staffing
    in agent-hours: a lower bound for every roster, since the mix relaxes the agent problem. When
    shifts run into next week's first intervals the mix covers them too (for the candidate shifts),
    but the bound is this week's alone."""
    began = time.monotonic()
    mix = build_mix_model(data)
    objective, values = lp_relaxation(mix.model)
    if data.horizon > data.week.count:
        mix = build_mix_model(data, data.horizon)
        _, values = lp_relaxation(mix.model)
    run.stage_seconds["shift mix"] = time.monotonic() - began
    short_bound = math.ceil(objective - 1e-6) * data.interval_hours
    run.report({"stage": "shift mix", "solutions": 1, "objective": short_bound, "bound": short_bound})
    return {key: values[var.index] for key, var in mix.counts.items() if values[var.index] > 1e-6}, short_bound


def lp_relaxation(model: cp_model.CpModel) -> tuple[float, list[float]]:
    """Optimum and variable values of a linear CP-SAT model with integrality dropped (GLOP)."""
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    infinity = lp.infinity()
    variables = [lp.NumVar(list(v.domain)[0], list(v.domain)[-1], v.name) for v in proto.variables]
    for constraint in proto.constraints:
        domain = list(constraint.linear.domain)
        if not domain:  # a constraint without variables (e.g. a queue nobody serves), always true
            continue
        row = lp.Constraint(domain[0] if domain[0] > -1e15 else -infinity, domain[-1] if domain[-1] < 1e15 else infinity)
        for var, coefficient in zip(constraint.linear.vars, constraint.linear.coeffs):
            row.SetCoefficient(variables[var], coefficient)
    objective = lp.Objective()
    for var, coefficient in zip(proto.objective.vars, proto.objective.coeffs):
        objective.SetCoefficient(variables[var], coefficient)
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("the shift mix's linear relaxation has no optimum")
    return objective.Value(), [var.solution_value() for var in variables]


# ---------------------------------------------------------------------------------------------
# Stage 2
# ---------------------------------------------------------------------------------------------


def candidate_options(data: RosterData, mix: dict[tuple[int, str], float]) -> dict[str, list[tuple[int, str]]]:
    """Per agent, the shifts of the mix (clock start, length and queue) on any day that it may work;
    all its eligible shifts when those could not make up its contract's minimum hours. (The linear
    mix is degenerate: it may put a shift on some days only where any day would do.)"""
    rules = data.scenario.config.rules
    shapes = {(data.shifts[k].shift.clock_start, data.shifts[k].shift.length, queue) for k, queue in mix}
    options = {}
    for agent in data.agents:
        eligible = data.eligible[agent.agent_id]
        pooled = [(k, q) for k, q in eligible if (data.shifts[k].shift.clock_start, data.shifts[k].shift.length, q) in shapes]
        longest: dict[int, int] = {}
        for k, _ in pooled:
            longest[data.shifts[k].day] = max(longest.get(data.shifts[k].day, 0), data.shifts[k].paid)
        reachable = sum(sorted(longest.values(), reverse=True)[: agent_day_limit(agent, rules)])
        options[agent.agent_id] = pooled if reachable >= agent.min_hours * 60 else eligible
    return options


def plan_weeks(
    data: RosterData, options: dict[str, list[tuple[int, str]]], run: Run
) -> tuple[dict[str, list[tuple[int, str]]], Assignment, list[Group]]:
    """A first roster by column generation and diving (`scheduler.columns`), with the candidate
    shifts each agent ended up with; the groups of alike agents without any valid week (their
    rules contradict each other, or no week was found in time) come back instead, with no roster."""
    began = time.monotonic()
    with ThreadPoolExecutor(run.workers) as pool:
        search = WeekSearch(data, agent_groups(data, options), pool, week_reporter(run))
        stuck_groups = search.first_weeks(run.deadline)
        if stuck_groups:  # the mix's shapes may not fit their rules: try every shift they may work
            options = options | {a: data.eligible[a] for group in stuck_groups for a in group.agent_ids}
            search = WeekSearch(data, agent_groups(data, options), pool, week_reporter(run))
            stuck_groups = search.first_weeks(run.deadline)
        if stuck_groups:
            run.stage_seconds["weeks"] = time.monotonic() - began
            return options, {}, stuck_groups
        search.generate(run.started + GENERATE_SHARE * run.time_limit)
        counts = search.dive(run.started + DIVE_SHARE * run.time_limit)
    run.stage_seconds["weeks"] = time.monotonic() - began
    return options, assignment_of(search.groups, counts), []


def week_reporter(run: Run) -> Callable[[str, float], None]:
    """Progress of the relaxation: its objective after each round of weeks or diving step."""
    rounds = {"count": 0}

    def report(stage: str, objective: float) -> None:
        rounds["count"] += 1
        run.report({"stage": stage, "solutions": rounds["count"], "objective": objective / COST_SCALE, "bound": 0.0})

    return report


def whole_model(
    data: RosterData, start: Assignment, options: dict[str, list[tuple[int, str]]], run: Run
) -> tuple[Assignment | None, bool]:
    """For a center of at most WHOLE_MODEL_AGENTS agents, every agent in one exact model (breaks
    placed by the solver) with the time left, starting from `start`: its roster (None when not
    tried or none found) and whether it was proven optimal."""
    if len(data.agents) > WHOLE_MODEL_AGENTS or run.remaining() <= 2 * BREAK_SHARE * run.time_limit + 1.0:
        return None, False
    agent_model = build_agent_model(data, options)
    chosen = {(a, k, q) for a, shifts in start.items() for k, q in shifts}
    for key, var in agent_model.works.items():
        agent_model.model.add_hint(var, key in chosen)
    complete_hint(agent_model.model)
    seconds = run.remaining() - 2 * BREAK_SHARE * run.time_limit
    status, solver = run.solve(agent_model.model, seconds, "agents", 1 / COST_SCALE, presolve=False)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None, False
    return {a: [] for a in options} | assignment_values(solver, agent_model.works), status == "OPTIMAL"


def complete_hint(model: cp_model.CpModel) -> None:
    """Extend a hint of the works variables to every variable (counts, short, over, spreads), so
    that the search starts from that complete solution."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = HINT_SECONDS
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    solver.parameters.fix_variables_to_their_hinted_value = True
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    variables = [model.get_int_var_from_proto_index(i) for i in range(len(model.proto.variables))]
    values = [solver.value(var) for var in variables]
    model.clear_hints()
    for var, value in zip(variables, values):
        model.add_hint(var, value)


def cheaper_roster(
    data: RosterData, dived: Assignment, polished: Assignment | None, run: Run
) -> tuple[Assignment, BreakCounts, str]:
    """Breaks for the dive's roster and, when there is one, the whole model's; the cheaper roster
    by its full score (the models' own objectives are not comparable)."""
    if polished is None:
        return dived, *place_breaks(data, dived, run, run.remaining())
    dived_breaks, dived_status = place_breaks(data, dived, run, 0.5 * run.remaining())
    polished_breaks, polished_status = place_breaks(data, polished, run, run.remaining())
    if total_cost(data, polished, polished_breaks) <= total_cost(data, dived, dived_breaks):
        return polished, polished_breaks, polished_status
    return dived, dived_breaks, dived_status


def total_cost(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> float:
    return sum(score(data, assignment, breaks)[1].values())


# ---------------------------------------------------------------------------------------------
# Stage 3
# ---------------------------------------------------------------------------------------------


def place_breaks(data: RosterData, assignment: Assignment, run: Run, seconds: float) -> tuple[BreakCounts, str]:
    """Break offsets per shift type and queue that protect coverage best, and the pass's status."""
    breaks = build_break_model(data, shift_counts(assignment))
    middle = nominal_break_counts(data, assignment)
    for key, var in breaks.coverage.breaks.items():  # start from breaks in the middle of their windows
        if isinstance(var, cp_model.IntVar):
            breaks.model.add_hint(var, middle.get(key, 0))
    status, solver = run.solve(breaks.model, max(1.0, seconds), "breaks", 1 / COST_SCALE)
    if status not in ("OPTIMAL", "FEASIBLE"):
        raise RuntimeError("the break pass found no placement in time")
    return break_values(solver, breaks.coverage.breaks), status
