"""The soft rules besides coverage, as CP-SAT cost terms: spreads of nights and weekend days
between agents, shifts outside an agent's preferred time of day (priced by `scheduler.costs`)."""

from __future__ import annotations

from typing import Callable

from ortools.sat.python import cp_model

from scheduler.costs import SOFT
from scheduler.engine.data import RosterData, ShiftFacts


def spread_cost(model: cp_model.CpModel, name: str, loads: list, coefficient: int, upper: int) -> cp_model.LinearExprT:
    """Soft: (most − fewest) of the loads (each at most `upper`), times the coefficient (an agent
    without such a shift has its carried load, a constant)."""
    if len(loads) < 2 or coefficient == 0:
        return 0
    constants = [load for load in loads if isinstance(load, int)]
    variables = [load for load in loads if not isinstance(load, int)]
    if not variables:
        return coefficient * (max(constants) - min(constants))
    most = model.new_int_var(max(constants, default=0), upper, f"most {name}")
    fewest = model.new_int_var(0, min(constants, default=upper), f"fewest {name}")
    for load in variables:
        model.add(most >= load)
        model.add(fewest <= load)
    return coefficient * (most - fewest)


def night_spread_cost(model: cp_model.CpModel, data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: spread of nights (with those carried from the previous roster) among the agents who may
    work nights (`RosterData.night_agents`)."""
    carried = {agent.agent_id: data.carried[agent.agent_id].nights for agent in data.agents
               if agent.agent_id in data.night_agents}
    loads = agent_loads(data, works, carried, lambda facts: facts.night)
    price = SOFT["night_spread"].unit_price(data.scenario.config.weights)
    return spread_cost(model, "nights", loads, price, data.days + max(carried.values(), default=0))


def weekend_spread_cost(model: cp_model.CpModel, data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: spread of weekend days (with those carried from the previous roster) among all agents."""
    carried = {agent.agent_id: data.carried[agent.agent_id].weekend_days for agent in data.agents}
    loads = agent_loads(data, works, carried, lambda facts: facts.weekend)
    price = SOFT["weekend_spread"].unit_price(data.scenario.config.weights)
    return spread_cost(model, "weekend days", loads, price, data.days + max(carried.values(), default=0))


def agent_loads(data: RosterData, works: dict, carried: dict[str, int], counted: Callable[[ShiftFacts], bool]) -> list:
    """Per agent of `carried`, how many of its shifts are counted, plus what it carried (only that when it
    has no such candidate)."""
    loads: dict[str, list] = {agent_id: [] for agent_id in carried}
    for (agent_id, k, _), var in works.items():
        if agent_id in loads and counted(data.shifts[k]):
            loads[agent_id].append(var)
    return [sum(variables) + carried[agent_id] if variables else carried[agent_id]
            for agent_id, variables in loads.items()]


def preference_cost(data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: every shift at another time of day than the agent prefers."""
    preferred = {agent.agent_id: agent.preferred for agent in data.agents}
    misses = [var for (agent_id, k, _), var in works.items() if off_preference(data, preferred[agent_id], k)]
    return SOFT["preference"].unit_price(data.scenario.config.weights) * sum(misses)


def change_prices(data: RosterData, agent_id: str, keys) -> tuple[int, list[int]]:
    """The baseline's change charge for one agent as (constant, scaled price per (k, queue) of `keys`):
    a baseline day costs one change unless its shift is kept; a day off in the baseline costs one
    for any shift. Without a baseline nothing costs."""
    if data.scenario.baseline is None:
        return 0, [0] * len(keys)
    price = SOFT["change"].unit_price(data.scenario.config.weights)
    days = data.baseline.get(agent_id, {})
    prices = [(-price if days[data.shifts[k].day] == (k, queue) else 0) if data.shifts[k].day in days else price
              for k, queue in keys]
    return price * len(days), prices


def change_cost(data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: every shift that differs from the baseline roster's (a re-plan's)."""
    total = 0
    for agent in data.agents:
        mine = [(key, var) for key, var in works.items() if key[0] == agent.agent_id]
        constant, prices = change_prices(data, agent.agent_id, [(k, queue) for (_, k, queue), _ in mine])
        total += constant + cp_model.LinearExpr.weighted_sum([var for _, var in mine], prices)
    return total


def off_preference(data: RosterData, preferred: str | None, k: int) -> bool:
    """Whether shift type k lies outside the preferred time of day (never without a preference)."""
    return bool(preferred) and data.shifts[k].time_of_day != preferred
