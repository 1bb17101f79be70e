"""Stage 1, the shift mix: an integer count per shift type and queue, no agent identities, with
supply limits that keep it a relaxation of the agent problem, so the optimum of its linear
relaxation (GLOP) bounds from below how little short staffing any roster has."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.engine.coverage import Coverage, add_break_counts, add_coverage
from scheduler.engine.data import RosterData, agent_day_limit
from scheduler.engine.run import Run


@dataclass
class MixModel:
    model: cp_model.CpModel
    counts: dict[tuple[int, str], cp_model.IntVar]  # (k, queue)
    coverage: Coverage


def build_mix_model(data: RosterData, horizon: int | None = None) -> MixModel:
    """Counts per shift type and queue under supply limits; objective: short units up to
    `horizon` (default: this week's)."""
    model = cp_model.CpModel()
    upper: dict[tuple[int, str], int] = defaultdict(int)
    for options in data.eligible.values():
        for key in options:
            upper[key] += 1
    counts = {
        (k, queue): model.new_int_var(0, bound, f"shifts({data.shifts[k].label} {queue})")
        for (k, queue), bound in sorted(upper.items())
    }
    add_supply_limits(model, data, counts)
    coverage = add_coverage(model, data, counts, add_break_counts(model, data, counts, upper))
    limit = data.week.count if horizon is None else horizon
    model.minimize(sum(short for (_, t, _), short in coverage.short.items() if t < limit))
    return MixModel(model, counts, coverage)


def add_supply_limits(model: cp_model.CpModel, data: RosterData, counts: dict[tuple[int, str], cp_model.IntVar]) -> None:
    """What the agents can supply at most (and must supply at least), so the mix relaxes the agent model."""
    rules = data.scenario.config.rules
    by_agent = {agent.agent_id: agent for agent in data.agents}
    weeks = data.weeks  # the limits are per week; the mix spans the horizon
    max_days = {agent_id: agent_day_limit(by_agent[agent_id], rules) * weeks for agent_id in data.eligible}
    paid = cp_model.LinearExpr.weighted_sum(list(counts.values()), [data.shifts[k].paid for k, _ in counts])
    model.add(paid <= sum(round(agent.max_hours * 60) for agent in data.agents) * weeks)
    model.add(paid >= sum(round(agent.min_hours * 60) for agent in data.agents) * weeks)
    model.add(sum(counts.values()) <= sum(max_days.values()))
    night_supply = sum(
        min(max_days[agent.agent_id], rules.max_nights_per_week * weeks,
            data.scenario.night_caps.get(agent.agent_id, data.days)) for agent in data.agents if agent.night_ok
    )
    model.add(sum(count for (k, _), count in counts.items() if data.shifts[k].night) <= night_supply)
    served = {a: {(q, data.shifts[k].day) for k, q in options} for a, options in data.eligible.items()}
    for queues in queue_groups(data.queues):
        days_served = {a: {day for q, day in pairs if q in queues} for a, pairs in served.items()}
        skilled = [a for a, days in days_served.items() if days]
        in_group = [(key, count) for key, count in counts.items() if key[1] in queues]
        model.add(sum(count for _, count in in_group) <= sum(max_days[a] for a in skilled))
        for day in range(data.days):
            available = sum(day in days for days in days_served.values())
            model.add(sum(count for (k, _), count in in_group if data.shifts[k].day == day) <= available)


def queue_groups(queues: tuple[str, ...]) -> list[frozenset[str]]:
    """Sets of queues to limit together (all subsets for a few queues; else each queue and all)."""
    if len(queues) <= 4:
        return [frozenset(q for i, q in enumerate(queues) if mask >> i & 1) for mask in range(1, 2 ** len(queues))]
    return [frozenset([q]) for q in queues] + [frozenset(queues)]


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
    short_bound = math.ceil(objective - 1e-6) * data.unit_hours
    run.report({"stage": "shift mix", "solutions": 1, "objective": short_bound, "bound": short_bound})
    return {key: values[var.index] for key, var in mix.counts.items() if values[var.index] > 1e-6}, short_bound


def lp_relaxation(model: cp_model.CpModel) -> tuple[float, list[float]]:
    """Optimum and variable values of a linear CP-SAT model with integrality dropped (GLOP)."""
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    infinity = lp.infinity()
    # the proto's repeated fields read d[-1] as d[0]; list(d) took 0.15 s a model
    variables = [lp.NumVar(d[0], d[len(d) - 1], v.name) for v in proto.variables for d in (v.domain,)]
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
