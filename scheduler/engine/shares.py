"""Fair shares for column generation: a week (column) of a group is charged for how far its member's
nights and weekends worked lie from the team's average, so that the weeks chosen rotate nights and
weekends between agents. The whole-team model prices the spreads themselves (`soft_rules`); column
generation cannot (a spread is not a sum over columns), so each member gets a band around the
average instead: nights within ±1 of the mean of the agents who may work them, weekends worked within
[⌊mean⌋, ⌊mean⌋ + 1] of its contract's agents (both counting what the previous roster carried). Outside the band
every unit costs the spread's weight, as one more between the most and the least loaded would.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.costs import SOFT
from scheduler.engine.data import RosterData
from scheduler.scenario import Agent

AgentWeek = tuple[tuple[int, str], ...]  # one agent's shifts over the horizon: (shift type, queue), sorted


@dataclass(frozen=True)
class Band:
    """No cost for a load within [low, high]; `price` (scaled cost) per unit outside."""

    low: int
    high: int
    price: int

    def cost(self, load: int) -> int:
        return self.price * (max(0, self.low - load) + max(0, load - self.high))

    def marginal(self, unit: int) -> int:
        """What the unit-th unit of load (1, 2, …) adds to the cost, less `constant`: cost(n) =
        constant + Σ marginal(1 … n)."""
        return -self.price if unit <= self.low else self.price if unit > self.high else 0

    @property
    def constant(self) -> int:
        return self.price * max(0, self.low)


@dataclass(frozen=True)
class Shares:
    """A member's bands: nights (None when it may work none) and weekends worked."""

    nights: Band | None
    weekends: Band | None

    def cost(self, data: RosterData, week: AgentWeek) -> int:
        return sum(band.cost(load) for band, load in self.banded(night_count(data, week), weekend_count(data, week)))

    def banded(self, nights, weekends) -> list[tuple[Band, object]]:
        return [(band, load) for band, load in ((self.nights, nights), (self.weekends, weekends)) if band is not None]


NO_SHARES = Shares(None, None)


def night_count(data: RosterData, week: AgentWeek) -> int:
    return sum(1 for k, _ in week if data.shifts[k].night)


def weekend_count(data: RosterData, week: AgentWeek) -> int:
    """Weekends worked: weeks whose full weekend off a shift takes away."""
    return len({data.shifts[k].weekend_week for k, _ in week} - {None})


class UnaryLoads:
    """In a one-agent model, its nights and weekends worked as ordered booleans (`at_least[j]`: the load
    is at least j + 1), so that a band's cost is linear in them: constant + Σ marginal × at_least."""

    def __init__(self, model: cp_model.CpModel, data: RosterData, works: dict):
        rules = data.scenario.config.rules
        nights = [var for (_, k, _), var in works.items() if data.shifts[k].night]
        self.nights = unary(model, nights, min(len(nights), data.days, rules.max_nights_per_week * data.weeks))
        touching: dict[int, list] = defaultdict(list)
        for (_, k, _), var in works.items():
            if data.shifts[k].weekend_week is not None:
                touching[data.shifts[k].weekend_week].append(var)
        worked = []
        for variables in touching.values():
            weekend = model.new_bool_var("")
            model.add_max_equality(weekend, variables)
            worked.append(weekend)
        self.weekends = unary(model, worked, len(worked))

    def terms(self, shares: Shares) -> tuple[list, list[int], int]:
        """(variables, scaled costs, constant) of the shares' bands."""
        variables, costs, constant = [], [], 0
        for band, at_least in shares.banded(self.nights, self.weekends):
            variables += at_least
            costs += [band.marginal(j + 1) for j in range(len(at_least))]
            constant += band.constant
        return variables, costs, constant


def unary(model: cp_model.CpModel, terms: list, most: int) -> list:
    """Booleans at_least[0 … most − 1], ordered, whose sum is Σ terms (at most `most`)."""
    at_least = [model.new_bool_var("") for _ in range(most)]
    for more, fewer in zip(at_least[1:], at_least):
        model.add_implication(more, fewer)
    model.add(sum(at_least) == sum(terms))
    return at_least


def contract(agent: Agent) -> tuple:
    """Agents of one contract share weekends alike (as `evaluate` reports them)."""
    return agent.min_hours, agent.max_hours, agent.max_days


def fair_shares(
    data: RosterData, members: list[tuple[Agent, int]], counts: dict[tuple[int, AgentWeek], float]
) -> list[Shares]:
    """Per group (its agent and size), its members' bands around the averages of the relaxation's
    weeks (`counts`: (group, week) → members working it)."""
    weights, rules = data.scenario.config.weights, data.scenario.config.rules
    night_price = SOFT["night_spread"].unit_price(weights)
    weekend_price = SOFT["weekend_spread"].unit_price(weights) * max(1, len(rules.weekend_days))
    nights = sum(data.carried[agent_id].nights for agent_id in data.night_agents)
    weekends: dict[tuple, float] = defaultdict(float)
    for (g, week), value in counts.items():
        nights += value * night_count(data, week)
        weekends[contract(members[g][0])] += value * weekend_count(data, week)
    headcount: dict[tuple, int] = defaultdict(int)
    for agent, size in members:
        headcount[contract(agent)] += size
        weekends[contract(agent)] += size * data.carried[agent.agent_id].weekends
    centre = round(nights / len(data.night_agents)) if data.night_agents else 0
    shares = []
    for agent, _ in members:
        carried = data.carried[agent.agent_id]
        night_band = Band(centre - 1 - carried.nights, centre + 1 - carried.nights, night_price)
        low = math.floor(weekends[contract(agent)] / headcount[contract(agent)] + 1e-6) - carried.weekends
        shares.append(Shares(binding(night_band, data.days) if agent.agent_id in data.night_agents else None,
                             binding(Band(low, low + 1, weekend_price), data.weeks)))
    return shares


def binding(band: Band, most: int) -> Band | None:
    """The band, or None when no load from 0 to `most` lies outside it (nothing to charge)."""
    return None if band.price == 0 or (band.low <= 0 and band.high >= most) else band
