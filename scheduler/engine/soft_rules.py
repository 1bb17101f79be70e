"""The soft rules besides coverage, as CP-SAT cost terms: spreads of nights and weekend days
between agents, shifts outside an agent's preferred time of day (priced by `scheduler.costs`)."""

from __future__ import annotations

from typing import Callable

from ortools.sat.python import cp_model

from scheduler.costs import SOFT
from scheduler.engine.data import RosterData, ShiftFacts


def spread_cost(model: cp_model.CpModel, name: str, loads: list, coefficient: int, days: int) -> cp_model.LinearExprT:
    """Soft: (most − fewest) of the loads (at most one a day of the `days`), times the coefficient (an
    agent without such a shift has load 0)."""
    if len(loads) < 2 or coefficient == 0:
        return 0
    constants = [load for load in loads if isinstance(load, int)]
    variables = [load for load in loads if not isinstance(load, int)]
    if not variables:
        return coefficient * (max(constants) - min(constants))
    most = model.new_int_var(max(constants, default=0), days, f"most {name}")
    fewest = model.new_int_var(0, min(constants, default=days), f"fewest {name}")
    for load in variables:
        model.add(most >= load)
        model.add(fewest <= load)
    return coefficient * (most - fewest)


def night_spread_cost(model: cp_model.CpModel, data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: spread of nights among the agents who may work nights."""
    agents = [agent.agent_id for agent in data.agents if agent.night_ok]
    loads = agent_loads(data, works, agents, lambda facts: facts.night)
    return spread_cost(model, "nights", loads, SOFT["night_spread"].unit_price(data.scenario.config.weights), data.days)


def weekend_spread_cost(model: cp_model.CpModel, data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: spread of weekend days among all agents."""
    agents = [agent.agent_id for agent in data.agents]
    loads = agent_loads(data, works, agents, lambda facts: facts.weekend)
    return spread_cost(model, "weekend days", loads, SOFT["weekend_spread"].unit_price(data.scenario.config.weights), data.days)


def agent_loads(data: RosterData, works: dict, agents: list[str], counted: Callable[[ShiftFacts], bool]) -> list:
    """Per agent, how many of its shifts are counted (0 when it has no such candidate)."""
    loads: dict[str, list] = {agent_id: [] for agent_id in agents}
    for (agent_id, k, _), var in works.items():
        if agent_id in loads and counted(data.shifts[k]):
            loads[agent_id].append(var)
    return [sum(variables) if variables else 0 for variables in loads.values()]


def preference_cost(data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: every shift at another time of day than the agent prefers."""
    preferred = {agent.agent_id: agent.preferred for agent in data.agents}
    misses = [var for (agent_id, k, _), var in works.items() if off_preference(data, preferred[agent_id], k)]
    return SOFT["preference"].unit_price(data.scenario.config.weights) * sum(misses)


def off_preference(data: RosterData, preferred: str | None, k: int) -> bool:
    """Whether shift type k lies outside the preferred time of day (never without a preference)."""
    return bool(preferred) and data.shifts[k].time_of_day != preferred
