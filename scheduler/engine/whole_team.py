"""For small centers: every agent in one exact CP-SAT model (a boolean `works[agent, shift,
queue]` per candidate shift, every hard rule, soft coverage with breaks placed by the solver,
fairness and preferences), hinted with the roster of the column generation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.costs import COST_SCALE
from scheduler.engine.breaks import BREAK_TIME_SHARE
from scheduler.engine.coverage import (
    Coverage,
    add_break_counts,
    add_coverage,
    over_staffing_cost,
    short_staffing_cost,
)
from scheduler.engine.data import Assignment, RosterData
from scheduler.engine.hard_rules import new_works
from scheduler.engine.run import Run, new_solver
from scheduler.engine.soft_rules import change_cost, night_spread_cost, preference_cost, weekend_spread_cost
from scheduler.rules import add_agent_rules


WHOLE_MODEL_AGENTS = 30  # up to this many agents, one exact model polishes the roster
HINT_SECONDS = 2.0  # to complete a hint into a full solution


@dataclass
class AgentModel:
    model: cp_model.CpModel
    works: dict[tuple[str, int, str], cp_model.IntVar]  # (agent, k, queue)
    counts: dict[tuple[int, str], object]
    coverage: Coverage | None
    costs: dict[str, cp_model.LinearExprT]  # soft rule -> scaled penalty


def build_agent_model(
    data: RosterData, options: dict[str, list[tuple[int, str]]], spreads: bool = True,
    held: frozenset[tuple[str, int, str]] = frozenset(),
) -> AgentModel:
    """Every agent (each with its candidate shifts in `options`) under every rule, breaks counted
    per offset so that the solver staggers them; without the spreads of nights and weekend days when
    the caller holds them otherwise (`engine.polish`). The `held` (agent, k, queue) of the options
    are worked for sure, and their coverage is in `data.fixed_coverage` already: they count for the
    rules only."""
    model = cp_model.CpModel()
    works = {}
    for agent in data.agents:
        mine = new_works(model, data, agent, options[agent.agent_id])
        add_agent_rules(model, data, agent, mine)
        works.update(mine)
    # the counts per shift type and queue (short rows for coverage)
    assigned: dict[tuple[int, str], list] = defaultdict(list)
    for (agent_id, k, queue), var in works.items():
        if (agent_id, k, queue) in held:
            model.add(var == 1)
        else:
            assigned[k, queue].append(var)
    counts = {}
    for key, variables in sorted(assigned.items()):
        counts[key] = model.new_int_var(0, len(variables), f"shifts({data.shifts[key[0]].label} {key[1]})")
        model.add(counts[key] == sum(variables))
    upper = {key: len(variables) for key, variables in assigned.items()}
    coverage = add_coverage(model, data, counts, add_break_counts(model, data, counts, upper))
    costs = {
        "short": short_staffing_cost(data, coverage),
        "over": over_staffing_cost(data, coverage),
        "preference": preference_cost(data, works),
        "change": change_cost(data, works),
    }
    if spreads:
        costs |= {"night_spread": night_spread_cost(model, data, works),
                  "weekend_spread": weekend_spread_cost(model, data, works)}
    model.minimize(sum(costs.values()))
    return AgentModel(model, works, counts, coverage, costs)


def assignment_values(solver: cp_model.CpSolver, works: dict) -> Assignment:
    assignment: Assignment = defaultdict(list)
    for (agent_id, k, queue), var in works.items():
        if solver.boolean_value(var):
            assignment[agent_id].append((k, queue))
    return dict(assignment)


def whole_model(
    data: RosterData, start: Assignment, options: dict[str, list[tuple[int, str]]], run: Run
) -> tuple[Assignment | None, bool]:
    """For a center of at most WHOLE_MODEL_AGENTS agents, every agent in one exact model (breaks
    placed by the solver) with the time left, starting from `start`: its roster (None when not
    tried or none found) and whether it was proven optimal."""
    if len(data.agents) > WHOLE_MODEL_AGENTS or run.remaining() <= 2 * BREAK_TIME_SHARE * run.time_limit + 1.0:
        return None, False
    agent_model = build_agent_model(data, options)
    chosen = {(a, k, q) for a, shifts in start.items() for k, q in shifts}
    for key, var in agent_model.works.items():
        agent_model.model.add_hint(var, key in chosen)
    complete_hint(agent_model.model)
    seconds = run.remaining() - 2 * BREAK_TIME_SHARE * run.time_limit
    status, solver = run.solve(agent_model.model, seconds, "agents", 1 / COST_SCALE, presolve=False)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None, False
    return {a: [] for a in options} | assignment_values(solver, agent_model.works), status == "OPTIMAL"


def complete_hint(model: cp_model.CpModel) -> None:
    """Extend a hint of the works variables to every variable (counts, short, over, spreads), so
    that the search starts from that complete solution."""
    solver = new_solver(HINT_SECONDS, workers=1, presolve=False)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    values = list(solver.response_proto.solution)  # every variable's, in the proto's order
    model.clear_hints()
    # straight into the proto: a hint per variable through the API took 0.1 s of a polish step
    model.proto.solution_hint.vars.extend(range(len(values)))
    model.proto.solution_hint.values.extend(values)
