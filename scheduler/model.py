"""The CP-SAT roster model: data, variables, hard rules, soft rules, and the roster table.

Three models share this module's rule functions:

- the *shift mix* (stage 1): an integer count per shift type and queue, no agent identities,
  with supply limits that keep it a relaxation of the agent problem, so its optimum (or the
  optimum of its linear relaxation) bounds from below how little short staffing any roster has;
- the *agent model* (stage 2, for small centers): a boolean `works[agent, shift, queue]` per
  candidate shift of each named agent, under every hard rule, with soft coverage, fairness and
  preferences;
- the *break model* (stage 3): with the shifts fixed, where in its window each break goes.

Coverage rows are written over aggregate counts per shift type and queue (`count = Σ works`),
and breaks over counts per (shift, queue, break, offset) that sum to the shift count: the agents
of one shift type are interchangeable, so `roster_table` hands the offsets out afterwards.
(`scheduler.columns` builds stage 2's week-based models from the same data and agent rules.)

An agent counts toward an interval when a work segment covers the whole interval: a break
takes the agent off every interval it touches (`Week.covered_intervals`, as the evaluation does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from forecasts.staffing import expected_service, net_of_shrinkage
from scheduler.availability import may_work
from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import DAY_NAMES, MINUTES_PER_WEEK, Agent, Scenario
from scheduler.shifts import (
    ShiftType,
    Week,
    break_slots,
    enumerate_shift_types,
    is_night,
    is_weekend_day,
    segments,
    time_of_day,
)

COST_SCALE = 10  # objective coefficients are cost units × 10, rounded
SHORT_TIERS = 3  # the 1st, 2nd and 3rd-and-further missing agents of an interval are priced apart

# A guard returns the enforcement literals of a rule (none outside diagnosis): guard(rule, day).
Guard = Callable[[str, "int | None"], list]


def no_guard(rule: str, day: int | None = None) -> list:
    return []


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakOption:
    """Taking break `slot` of a shift at `offset` minutes takes its agent off these intervals."""

    slot: int
    offset: int
    lost: tuple[int, ...]


@dataclass(frozen=True)
class ShiftFacts:
    """Everything the rules ask about one shift type."""

    shift: ShiftType
    covered: tuple[int, ...]
    paid: int  # minutes
    night: bool
    weekend: bool
    time_of_day: str
    breaks: tuple[tuple[BreakOption, ...], ...]  # per break slot, its possible offsets

    @property
    def day(self) -> int:
        return self.shift.day

    def nominal_cover(self) -> tuple[int, ...]:
        """Intervals an agent of this shift counts toward with every break mid-window (`nominal_breaks`)."""
        lost = {t for options in self.breaks for t in options[len(options) // 2].lost}
        return tuple(t for t in self.covered if t not in lost)

    def break_lost(self, slot: int, offset: int) -> tuple[int, ...]:
        return next(option.lost for option in self.breaks[slot] if option.offset == offset)

    @property
    def label(self) -> str:
        clock = self.shift.clock_start
        return f"{DAY_NAMES[self.day].title()} {clock // 60:02d}:{clock % 60:02d} {self.shift.length / 60:g}h"


@dataclass(frozen=True)
class Tier:
    """One step of the convex short-staffing cost of an interval."""

    agents: int  # how many missing agents this step holds
    cost: int  # scaled cost per missing agent
    lost_contacts: float  # contacts per missing agent that miss the answer target


@dataclass(frozen=True)
class PreviousWeek:
    """What last week's roster leaves for an agent: when its last shift ended and which days it worked."""

    last_end: int | None = None
    worked_days: frozenset[int] = frozenset()  # days before this week (negative) with a shift start


@dataclass
class RosterData:
    """The scenario turned into the numbers the models use. Shift types are indexed by position `k`."""

    scenario: Scenario
    week: Week
    queues: tuple[str, ...]
    shifts: list[ShiftFacts]
    required: dict[tuple[str, int], int]  # (queue, interval) -> agents
    tiers: dict[tuple[str, int], tuple[Tier, ...]]
    fixed_coverage: dict[tuple[str, int], int]  # last week's shifts running into this one
    eligible: dict[str, list[tuple[int, str]]]  # agent -> (k, queue) it may work
    previous: dict[str, PreviousWeek]
    rest_minutes: int
    over_cost: int  # scaled cost of one agent-interval over the requirement

    @property
    def agents(self) -> tuple[Agent, ...]:
        return self.scenario.agents

    @property
    def interval_hours(self) -> float:
        return self.week.interval_minutes / 60

    @property
    def required_hours(self) -> float:
        """This week's required agent-hours (next week's first intervals left out)."""
        return sum(needed for (_, t), needed in self.required.items() if t < self.week.count) * self.interval_hours

    @cached_property
    def horizon(self) -> int:
        """Intervals the models cover: the week, and next week's first ones when shifts run into them."""
        return max([self.week.count] + [max(facts.covered) + 1 for facts in self.shifts if facts.covered])

    @classmethod
    def build(cls, scenario: Scenario) -> "RosterData":
        config = scenario.config
        week = Week(config.interval_minutes, scenario.cyclic, spill=not scenario.cyclic)
        shifts = [shift_facts(scenario, week, shift) for shift in enumerate_shift_types(config)]
        previous = previous_roster_shifts(scenario)
        fixed = previous_coverage(scenario, previous)
        required, tiers = next_monday_like_this_one(
            *requirement_tiers(scenario, week, staffable(scenario, fixed)), week, shifts)
        rest = round(config.rules.min_rest_hours * 60)
        return cls(
            scenario=scenario,
            week=week,
            queues=tuple(config.queues),
            shifts=shifts,
            required=required,
            tiers=tiers,
            fixed_coverage=fixed,
            eligible={agent.agent_id: eligible_shifts(scenario, agent, shifts) for agent in scenario.agents},
            previous=previous_weeks(previous),
            rest_minutes=rest,
            over_cost=round(config.weights.over_hour * week.interval_minutes / 60 * COST_SCALE),
        )


def staffable(scenario: Scenario, fixed_coverage: dict[tuple[str, int], int]) -> dict[str, int]:
    """Per queue, the most agents that can be on it at once: its skilled agents (each works one
    shift at a time) and last week's shifts running into this week."""
    return {
        queue: sum(queue in agent.skills for agent in scenario.agents)
        + max((count for (q, _), count in fixed_coverage.items() if q == queue), default=0)
        for queue in scenario.config.queues
    }


def next_monday_like_this_one(required: dict, tiers: dict, week: Week, shifts: list[ShiftFacts]) -> tuple[dict, dict]:
    """When the week does not repeat, next Monday's first hours, before any Monday shift can
    start, are covered only by this week's shifts that run past Sunday midnight (next week's roster
    takes them as its previous roster): ask of those intervals what this Monday asks, so that
    Sunday nights stay staffed."""
    spill = {t for facts in shifts for t in facts.covered if t >= week.count}
    monday = {t for facts in shifts if facts.day == 0 for t in facts.covered}
    required, tiers = dict(required), dict(tiers)
    for queue, t in [key for key in required if key[1] + week.count in spill and key[1] not in monday]:
        required[queue, t + week.count] = required[queue, t]
        tiers[queue, t + week.count] = tiers[queue, t]
    return required, tiers


def shift_facts(scenario: Scenario, week: Week, shift: ShiftType) -> ShiftFacts:
    config = scenario.config
    covered = week.covered_intervals(shift.start, shift.end)
    inside = set(covered)
    options = []
    for slot_index, slot in enumerate(break_slots(config, shift.length)):
        options.append(tuple(
            BreakOption(slot_index, offset, touched_intervals(week, shift.start + offset, slot.rule.minutes, inside))
            for offset in slot.offsets
        ))
    return ShiftFacts(
        shift=shift,
        covered=tuple(covered),
        paid=config.paid_minutes(shift.length),
        night=is_night(shift.start, shift.end, config.rules),
        weekend=is_weekend_day(shift.day, config.rules),
        time_of_day=time_of_day(shift.start, shift.end, config.rules),
        breaks=tuple(options),
    )


def touched_intervals(week: Week, start: int, minutes: int, inside: set[int]) -> tuple[int, ...]:
    """Intervals of the shift that a break [start, start + minutes) overlaps."""
    size = week.interval_minutes
    lo = start // size * size
    hi = -(-(start + minutes) // size) * size
    return tuple(t for t in week.covered_intervals(lo, hi) if t in inside)


def requirement_tiers(
    scenario: Scenario, week: Week, staffable: dict[str, int]
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], tuple[Tier, ...]]]:
    """Required agents per (queue, interval) and the price of each missing agent.

    The s-th missing agent costs `short_hour` per agent-hour plus `short_contact` per contact that
    misses the answer target because of it (Erlang, from the queue's contacts, AHT and target).
    `staffable` is, per queue, how many agents could be on it at once: shortfalls that leave more
    than that many scheduled cannot happen, so they are not priced one by one."""
    config = scenario.config
    table = scenario.requirements
    size = week.interval_minutes
    required: dict[tuple[str, int], int] = defaultdict(int)
    demand: dict[tuple[str, int], tuple[float, float]] = {}
    for row in table.itertuples(index=False):
        t = scenario.minutes(row.interval_start) // size
        if 0 <= t < week.count and row.queue in config.queues and row.required > 0:
            required[row.queue, t] += int(row.required)
            contacts = 0.0 if pd.isna(row.contacts) else float(row.contacts)
            aht = 0.0 if pd.isna(row.aht_seconds) or contacts <= 0 else float(row.aht_seconds)
            demand[row.queue, t] = (contacts, aht)
    tiers = {}
    for queue in config.queues:
        keys = [key for key in required if key[0] == queue]
        if not keys:
            continue
        curves = missed_contacts(
            np.array([required[key] for key in keys]),
            np.array([demand[key][0] for key in keys]),
            np.array([demand[key][1] for key in keys]),
            config.queues[queue],
            size * 60.0,
            staffable.get(queue, 0),
        )
        for key, (shorts, missed) in zip(keys, curves):
            tiers[key] = price_tiers(shorts, missed, config.weights, size)
    return dict(required), tiers


def pricing_points(required: int, staffable: int) -> np.ndarray:
    """The numbers of missing agents worth pricing in an interval: 0 (fully staffed) and every
    shortfall that leaves at most `staffable` + 1 agents scheduled (more cannot be)."""
    first = max(1, required - staffable - 1)
    return np.concatenate([[0], np.arange(first, required + 1)]).astype(np.int64)


def missed_contacts(
    required, contacts, aht_seconds, target, interval_seconds: float, staffable: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per interval, (numbers of missing agents `pricing_points`, contacts that miss the answer
    target with that many short of the requirement), as `scheduler.evaluate` counts them: Erlang
    on scheduled × (1 − shrinkage) agents. One Erlang evaluation for every point of every interval."""
    shorts = [pricing_points(int(needed), staffable) for needed in required]
    sizes = np.array([len(points) for points in shorts])
    owner = np.repeat(np.arange(len(shorts)), sizes)
    missing = np.concatenate(shorts)
    traffic = contacts * aht_seconds / interval_seconds  # Erlangs
    aht = np.where(aht_seconds > 0, aht_seconds, 1.0)
    on_phones = net_of_shrinkage(np.maximum(required[owner] - missing, 0), target.shrinkage)
    level = expected_service(traffic[owner], on_phones, aht[owner], target)["service_level"].to_numpy()
    answered = contacts[owner] * level
    firsts = np.cumsum(sizes) - sizes  # each interval's first point is 0 missing: fully staffed
    missed = answered[firsts][owner] - answered
    return list(zip(shorts, np.split(missed, np.cumsum(sizes)[:-1])))


def price_tiers(shorts: np.ndarray, missed: np.ndarray, weights, interval_minutes: int) -> tuple[Tier, ...]:
    """Tiers of the s-th missing agent's price, convex in s: the contacts lost follow the greatest
    convex minorant of `missed` (known at the numbers of missing agents `shorts`, 0 first and the
    requirement last), so the whole interval never loses more than all its contacts.
    The first SHORT_TIERS − 1 agents are priced one by one, the rest at their average."""
    hull = convex_minorant(shorts, np.maximum.accumulate(np.maximum(missed, 0.0)))
    required = int(shorts[-1])
    head = min(SHORT_TIERS - 1, required)
    marks = list(range(head + 1)) + ([required] if required > head else [])
    lost = np.interp(marks, shorts, hull)
    steps = [(1, lost[s + 1] - lost[s]) for s in range(head)]
    if required > head:
        steps.append((required - head, (lost[-1] - lost[head]) / (required - head)))
    hour_cost = weights.short_hour * interval_minutes / 60
    return tuple(
        Tier(agents, round((hour_cost + weights.short_contact * float(loss)) * COST_SCALE), float(loss))
        for agents, loss in steps
    )


def convex_minorant(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The greatest convex function below `values` at the increasing points `x` (lower hull,
    linear between its corners), at those points."""
    corners: list[int] = []
    for i in range(len(x)):
        while len(corners) >= 2:
            a, b = corners[-2], corners[-1]
            if (values[b] - values[a]) * (x[i] - x[a]) >= (values[i] - values[a]) * (x[b] - x[a]):
                corners.pop()
            else:
                break
        corners.append(i)
    return np.interp(x, x[corners], values[corners])


def previous_roster_shifts(scenario: Scenario) -> list[RosterShift]:
    if scenario.previous_roster is None:
        return []
    return shifts_from_roster(scenario.previous_roster, scenario, "previous roster")


def previous_coverage(scenario: Scenario, shifts: list[RosterShift]) -> dict[tuple[str, int], int]:
    """Work of last week's roster that runs into this week covers its first intervals."""
    week = Week(scenario.config.interval_minutes, cyclic=False)
    coverage: dict[tuple[str, int], int] = defaultdict(int)
    for shift in shifts:
        for activity, start, end in shift.segments:
            if activity == "work":
                for t in week.covered_intervals(start, end):
                    coverage[shift.queue, t] += 1
    return dict(coverage)


def previous_weeks(shifts: list[RosterShift]) -> dict[str, PreviousWeek]:
    """Per agent, the end of its last shift before this week and the days it worked then."""
    before: dict[str, list[RosterShift]] = defaultdict(list)
    for shift in shifts:
        if shift.start < 0:
            before[shift.agent_id].append(shift)
    return {
        agent_id: PreviousWeek(max(shift.end for shift in theirs), frozenset(shift.day for shift in theirs))
        for agent_id, theirs in before.items()
    }


def eligible_shifts(scenario: Scenario, agent: Agent, shifts: list[ShiftFacts]) -> list[tuple[int, str]]:
    """(k, queue) the agent may work: skills, daily window, time off and nights."""
    options = []
    for k, facts in enumerate(shifts):
        if facts.night and not agent.night_ok:
            continue
        queues = [queue for queue in facts.shift.queues if queue in agent.skills]
        if queues and may_work(scenario, agent, facts.shift.start, facts.shift.end):
            options.extend((k, queue) for queue in queues)
    return options


# ---------------------------------------------------------------------------------------------
# Variables shared by both stages: break counts and coverage
# ---------------------------------------------------------------------------------------------


@dataclass
class Coverage:
    """Break counts and the short/over variables of every (queue, interval)."""

    breaks: dict[tuple[int, str, int, int], cp_model.IntVar]  # (k, queue, slot, offset)
    short: dict[tuple[str, int, int], cp_model.IntVar]  # (queue, interval, tier)
    over: dict[tuple[str, int], cp_model.IntVar]


def add_break_counts(
    model: cp_model.CpModel, data: RosterData, counts: dict[tuple[int, str], object], upper: dict[tuple[int, str], int]
) -> dict[tuple[int, str, int, int], object]:
    """For every break of every shift in use, how many of its agents take it at each offset."""
    breaks = {}
    for (k, queue), count in counts.items():
        facts = data.shifts[k]
        for options in facts.breaks:
            if len(options) == 1:
                breaks[k, queue, options[0].slot, options[0].offset] = count
                continue
            chosen = []
            for option in options:
                name = f"break({facts.label} {queue} #{option.slot} +{option.offset}m)"
                chosen.append(model.new_int_var(0, upper[k, queue], name))
                breaks[k, queue, option.slot, option.offset] = chosen[-1]
            model.add(sum(chosen) == count)
    return breaks


def nominal_breaks(data: RosterData, counts: dict[tuple[int, str], object]) -> dict[tuple[int, str, int, int], object]:
    """Every break in the middle of its window: the placement the agent models assume (the break
    pass places breaks for real once the shifts are known)."""
    breaks = {}
    for (k, queue), count in counts.items():
        for options in data.shifts[k].breaks:
            middle = options[len(options) // 2]
            breaks[k, queue, middle.slot, middle.offset] = count
    return breaks


def add_coverage(
    model: cp_model.CpModel,
    data: RosterData,
    counts: dict[tuple[int, str], object],
    breaks: dict[tuple[int, str, int, int], object],
) -> Coverage:
    """scheduled(q, t) + short(q, t) − over(q, t) = required(q, t), short split into priced tiers."""
    terms: dict[tuple[str, int], list] = defaultdict(list)
    for (k, queue), count in counts.items():
        for t in data.shifts[k].covered:
            terms[queue, t].append(count)
    for (k, queue, slot, offset), count in breaks.items():
        for t in data.shifts[k].break_lost(slot, offset):
            terms[queue, t].append(-count)
    short, over = {}, {}
    for queue in data.queues:
        for t in range(data.horizon):
            key = (queue, t)
            fixed = data.fixed_coverage.get(key, 0)
            needed = data.required.get(key, 0)
            if not terms[key] and needed == 0:
                continue
            missing = []
            for tier, step in enumerate(data.tiers.get(key, ())):
                short[queue, t, tier] = model.new_int_var(0, step.agents, f"short({queue} t={t} tier {tier + 1})")
                missing.append(short[queue, t, tier])
            # an interval is covered by shifts of at most two days: at most two per agent
            over[key] = model.new_int_var(0, 2 * len(data.agents) + fixed, f"over({queue} t={t})")
            model.add(fixed + sum(terms[key]) + sum(missing) - over[key] == needed)
    return Coverage(breaks, short, over)


def short_staffing_cost(data: RosterData, coverage: Coverage) -> cp_model.LinearExprT:
    """Soft: each missing agent-interval at its tier's price (service lost at that hour)."""
    keys = list(coverage.short)
    return cp_model.LinearExpr.weighted_sum(
        [coverage.short[key] for key in keys], [data.tiers[key[:2]][key[2]].cost for key in keys]
    )


def over_staffing_cost(data: RosterData, coverage: Coverage) -> cp_model.LinearExprT:
    """Soft: every agent-interval above the requirement."""
    return data.over_cost * sum(coverage.over.values())


# ---------------------------------------------------------------------------------------------
# Stage 1: the shift mix
# ---------------------------------------------------------------------------------------------


@dataclass
class MixModel:
    model: cp_model.CpModel
    counts: dict[tuple[int, str], cp_model.IntVar]  # (k, queue)
    coverage: Coverage


def build_mix_model(data: RosterData, horizon: int | None = None) -> MixModel:
    """Counts per shift type and queue under supply limits; objective: short agent-intervals up to
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
    max_days = {agent_id: agent_day_limit(by_agent[agent_id], rules) for agent_id in data.eligible}
    paid = cp_model.LinearExpr.weighted_sum(list(counts.values()), [data.shifts[k].paid for k, _ in counts])
    model.add(paid <= sum(round(agent.max_hours * 60) for agent in data.agents))
    model.add(paid >= sum(round(agent.min_hours * 60) for agent in data.agents))
    model.add(sum(counts.values()) <= sum(max_days.values()))
    night_supply = sum(
        min(max_days[agent.agent_id], rules.max_nights_per_week) for agent in data.agents if agent.night_ok
    )
    model.add(sum(count for (k, _), count in counts.items() if data.shifts[k].night) <= night_supply)
    for queues in queue_groups(data.queues):
        skilled = [a for a, options in data.eligible.items() if any(q in queues for _, q in options)]
        in_group = [(key, count) for key, count in counts.items() if key[1] in queues]
        model.add(sum(count for _, count in in_group) <= sum(max_days[a] for a in skilled))
        for day in range(7):
            available = {a for a, options in data.eligible.items()
                         if any(q in queues and data.shifts[k].day == day for k, q in options)}
            model.add(sum(count for (k, _), count in in_group if data.shifts[k].day == day) <= len(available))


def queue_groups(queues: tuple[str, ...]) -> list[frozenset[str]]:
    """Sets of queues to limit together (all subsets for a few queues; else each queue and all)."""
    if len(queues) <= 4:
        return [frozenset(q for i, q in enumerate(queues) if mask >> i & 1) for mask in range(1, 2 ** len(queues))]
    return [frozenset([q]) for q in queues] + [frozenset(queues)]


def agent_day_limit(agent: Agent, rules) -> int:
    limit = 7 - rules.min_days_off
    return min(limit, agent.max_days) if agent.max_days is not None else limit


# ---------------------------------------------------------------------------------------------
# Stage 2: named agents
# ---------------------------------------------------------------------------------------------


@dataclass
class AgentModel:
    model: cp_model.CpModel
    works: dict[tuple[str, int, str], cp_model.IntVar]  # (agent, k, queue)
    counts: dict[tuple[int, str], object]
    coverage: Coverage | None
    costs: dict[str, cp_model.LinearExprT]  # soft rule -> scaled penalty


def new_works(
    model: cp_model.CpModel, data: RosterData, agent: Agent, options: Iterable[tuple[int, str]]
) -> dict[tuple[str, int, str], cp_model.IntVar]:
    return {
        (agent.agent_id, k, queue): model.new_bool_var(f"works({agent.agent_id} {data.shifts[k].label} {queue})")
        for k, queue in options
    }


def build_agent_model(data: RosterData, options: dict[str, list[tuple[int, str]]]) -> AgentModel:
    """Every agent (each with its candidate shifts in `options`) under every rule, breaks counted
    per offset so that the solver staggers them."""
    model = cp_model.CpModel()
    works = {}
    for agent in data.agents:
        mine = new_works(model, data, agent, options[agent.agent_id])
        add_agent_rules(model, data, agent, mine)
        works.update(mine)
    # the counts per shift type and queue (short rows for coverage)
    assigned: dict[tuple[int, str], list] = defaultdict(list)
    for (_, k, queue), var in works.items():
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
        "night_spread": night_spread_cost(model, data, works),
        "weekend_spread": weekend_spread_cost(model, data, works),
        "preference": preference_cost(data, works),
    }
    model.minimize(sum(costs.values()))
    return AgentModel(model, works, counts, coverage, costs)


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


def add_agent_rules(
    model: cp_model.CpModel,
    data: RosterData,
    agent: Agent,
    works: dict[tuple[str, int, str], cp_model.IntVar],
    guard: Guard = no_guard,
) -> None:
    """Every hard rule of one agent (`guard` adds enforcement literals when diagnosing)."""
    by_day = shifts_by_day(data, works)
    add_one_shift_per_day(model, by_day, guard)
    add_min_rest(model, data, agent, by_day, guard)
    add_max_consecutive_days(model, data, agent, by_day, guard)
    add_days_off(model, data, agent, by_day, guard)
    add_contract_hours(model, data, agent, works, guard)
    add_max_nights(model, data, agent, works, guard)


def shifts_by_day(data: RosterData, works: dict) -> dict[int, list[tuple[int, cp_model.IntVar]]]:
    """Per day, (k, works variable) of one agent's candidate shifts (one per queue)."""
    by_day: dict[int, list] = {day: [] for day in range(7)}
    for (_, k, _), var in sorted(works.items()):
        by_day[data.shifts[k].day].append((k, var))
    return by_day


def works_on(by_day: dict[int, list], day: int):
    return sum(var for _, var in by_day[day])


def add_one_shift_per_day(model: cp_model.CpModel, by_day: dict[int, list], guard: Guard) -> None:
    """Hard: at most one shift starts on each day."""
    for day, shifts in by_day.items():
        if len(shifts) > 1:
            model.add(works_on(by_day, day) <= 1).only_enforce_if(guard("one_shift_per_day", day))


def add_min_rest(model: cp_model.CpModel, data: RosterData, agent: Agent, by_day: dict, guard: Guard) -> None:
    """Hard: `min_rest_hours` between the end of a shift and the start of the next.

    For each start time s of a later day, the earlier day's shifts ending after s − rest and the
    later day's shifts starting by s pairwise clash: at most one of them (a clique). The week wraps
    Sunday→Monday when cyclic; last week's final shift rules out early starts this week."""
    rest = data.rest_minutes
    for day in range(7):
        for gap in range(1, 4):
            later = day + gap
            if later >= 7 and not data.scenario.cyclic:
                break
            shift_by = MINUTES_PER_WEEK if later >= 7 else 0
            earlier_shifts = [(data.shifts[k].shift.end, var) for k, var in by_day[day]]
            later_shifts = [(data.shifts[k].shift.start + shift_by, var) for k, var in by_day[later % 7]]
            for clique in rest_cliques(earlier_shifts, later_shifts, rest):
                model.add(sum(clique) <= 1).only_enforce_if(guard("rest", later % 7))
    last_end = data.previous.get(agent.agent_id, PreviousWeek()).last_end
    if last_end is not None:
        for k, var in (item for day in range(7) for item in by_day[day]):
            if data.shifts[k].shift.start < last_end + rest:
                model.add(var == 0).only_enforce_if(guard("rest_after_last_week", data.shifts[k].day))


def rest_cliques(earlier: list[tuple[int, object]], later: list[tuple[int, object]], rest: int) -> list[list]:
    """Maximal cliques of clashing (end, var) × (start, var) pairs; dominated ones are left out."""
    cliques, previous_blockers = [], None
    starts = sorted({start for start, _ in later}, reverse=True)
    for start in starts:  # latest start first: its clique holds the most later shifts
        blockers = tuple(var for end, var in earlier if end + rest > start)
        if blockers and blockers != previous_blockers:
            cliques.append(list(blockers) + [var for s, var in later if s <= start])
        previous_blockers = blockers or previous_blockers
    return cliques


def add_max_consecutive_days(
    model: cp_model.CpModel, data: RosterData, agent: Agent, by_day: dict, guard: Guard
) -> None:
    """Hard: no run of more than `max_consecutive_days` working days (across the week's ends)."""
    limit = data.scenario.config.rules.max_consecutive_days
    window = limit + 1
    if data.scenario.cyclic:
        if window > 7:
            model.add(sum(works_on(by_day, d) for d in range(7)) <= 6).only_enforce_if(
                guard("consecutive_days", None))
            return
        for first in range(7 if window < 7 else 1):
            days = [(first + i) % 7 for i in range(window)]
            model.add(sum(works_on(by_day, d) for d in days) <= limit).only_enforce_if(
                guard("consecutive_days", days[-1]))
        return
    worked_before = data.previous.get(agent.agent_id, PreviousWeek()).worked_days
    for first in range(1 - window, 7 - window + 1):
        days = range(first, first + window)
        this_week = [d for d in days if 0 <= d < 7]
        allowed = max(0, limit - sum(1 for d in days if d in worked_before))
        if len(this_week) > allowed:
            model.add(sum(works_on(by_day, d) for d in this_week) <= allowed).only_enforce_if(
                guard("consecutive_days", this_week[-1]))


def add_days_off(model: cp_model.CpModel, data: RosterData, agent: Agent, by_day: dict, guard: Guard) -> None:
    """Hard: at least `min_days_off` days off, and at most the agent's `max_days` working days."""
    days_worked = sum(works_on(by_day, d) for d in range(7))
    model.add(days_worked <= 7 - data.scenario.config.rules.min_days_off).only_enforce_if(
        guard("days_off", None))
    if agent.max_days is not None:
        model.add(days_worked <= agent.max_days).only_enforce_if(guard("max_days", None))


def add_contract_hours(model: cp_model.CpModel, data: RosterData, agent: Agent, works: dict, guard: Guard) -> None:
    """Hard: paid hours (length less unpaid breaks) within the contract's [min_hours, max_hours]."""
    paid = cp_model.LinearExpr.weighted_sum(list(works.values()), [data.shifts[k].paid for _, k, _ in works])
    model.add(paid >= round(agent.min_hours * 60)).only_enforce_if(guard("min_hours", None))
    model.add(paid <= round(agent.max_hours * 60)).only_enforce_if(guard("max_hours", None))


def add_max_nights(model: cp_model.CpModel, data: RosterData, agent: Agent, works: dict, guard: Guard) -> None:
    """Hard: at most `max_nights_per_week` nights (agents without night_ok have no night shift to take)."""
    nights = [var for (_, k, _), var in works.items() if data.shifts[k].night]
    if len(nights) > data.scenario.config.rules.max_nights_per_week:
        model.add(sum(nights) <= data.scenario.config.rules.max_nights_per_week).only_enforce_if(
            guard("max_nights", None))


def spread_cost(model: cp_model.CpModel, name: str, loads: list, weight: float) -> cp_model.LinearExprT:
    """Soft: (most − fewest) of the loads, times the weight (an agent without such a shift has load 0)."""
    if len(loads) < 2 or weight == 0:
        return 0
    constants = [load for load in loads if isinstance(load, int)]
    variables = [load for load in loads if not isinstance(load, int)]
    coefficient = round(weight * COST_SCALE)
    if not variables:
        return coefficient * (max(constants) - min(constants))
    most = model.new_int_var(max(constants, default=0), 7, f"most {name}")
    fewest = model.new_int_var(0, min(constants, default=7), f"fewest {name}")
    for load in variables:
        model.add(most >= load)
        model.add(fewest <= load)
    return coefficient * (most - fewest)


def night_spread_cost(model: cp_model.CpModel, data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: spread of nights among the agents who may work nights."""
    agents = [agent.agent_id for agent in data.agents if agent.night_ok]
    loads = agent_loads(data, works, agents, lambda facts: facts.night)
    return spread_cost(model, "nights", loads, data.scenario.config.weights.night_spread)


def weekend_spread_cost(model: cp_model.CpModel, data: RosterData, works: dict) -> cp_model.LinearExprT:
    """Soft: spread of weekend days among all agents."""
    agents = [agent.agent_id for agent in data.agents]
    loads = agent_loads(data, works, agents, lambda facts: facts.weekend)
    return spread_cost(model, "weekend days", loads, data.scenario.config.weights.weekend_spread)


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
    return round(data.scenario.config.weights.preference * COST_SCALE) * sum(misses)


def off_preference(data: RosterData, preferred: str | None, k: int) -> bool:
    """Whether shift type k lies outside the preferred time of day (never without a preference)."""
    return bool(preferred) and data.shifts[k].time_of_day != preferred


# ---------------------------------------------------------------------------------------------
# Solutions: score by rule and the roster table
# ---------------------------------------------------------------------------------------------

Assignment = dict[str, list[tuple[int, str]]]  # agent -> (k, queue) worked
BreakCounts = dict[tuple[int, str, int, int], int]  # (k, queue, slot, offset) -> agents


def nominal_break_counts(data: RosterData, assignment: Assignment) -> BreakCounts:
    """Breaks in the middle of their windows, as the agent models count them."""
    return nominal_breaks(data, shift_counts(assignment))


def shift_counts(assignment: Assignment) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for shifts in assignment.values():
        for key in shifts:
            counts[key] += 1
    return dict(counts)


def scheduled(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> dict[tuple[str, int], int]:
    """Agents counted per (queue, interval)."""
    cover: dict[tuple[str, int], int] = defaultdict(int, data.fixed_coverage)
    for (k, queue), count in shift_counts(assignment).items():
        for t in data.shifts[k].covered:
            cover[queue, t] += count
    for (k, queue, slot, offset), count in breaks.items():
        for t in data.shifts[k].break_lost(slot, offset):
            cover[queue, t] -= count
    return cover


def score(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> tuple[dict[str, float], dict[str, float]]:
    """The figures by rule (short hours, lost contacts, over hours, spreads, preference misses)
    and their weighted costs, in cost units; the costs add up to the model's objective."""
    weights = data.scenario.config.weights
    cover = scheduled(data, assignment, breaks)
    short_agents = over_agents = 0
    lost = short_cost = 0.0
    for queue in data.queues:
        for t in range(data.week.count):
            gap = data.required.get((queue, t), 0) - cover.get((queue, t), 0)
            over_agents += max(0, -gap)
            short_agents += max(0, gap)
            for step in data.tiers.get((queue, t), ()):
                taken = min(max(gap, 0), step.agents)
                gap -= taken
                lost += taken * step.lost_contacts
                short_cost += taken * step.cost / COST_SCALE
    nights = fairness_loads(data, assignment, night=True)
    weekends = fairness_loads(data, assignment, night=False)
    preferred = {agent.agent_id: agent.preferred for agent in data.agents}
    misses = sum(
        off_preference(data, preferred[agent_id], k) for agent_id, shifts in assignment.items() for k, _ in shifts
    )
    terms = {
        "short_hours": short_agents * data.interval_hours,
        "lost_contacts": lost,
        "over_hours": over_agents * data.interval_hours,
        "night_spread": spread(nights),
        "weekend_spread": spread(weekends),
        "preference_misses": float(misses),
    }
    costs = {
        "short": short_cost,
        "over": over_agents * data.over_cost / COST_SCALE,
        "night_spread": spread(nights) * round(weights.night_spread * COST_SCALE) / COST_SCALE,
        "weekend_spread": spread(weekends) * round(weights.weekend_spread * COST_SCALE) / COST_SCALE,
        "preference": misses * round(weights.preference * COST_SCALE) / COST_SCALE,
    }
    return terms, costs


def fairness_loads(data: RosterData, assignment: Assignment, night: bool) -> list[int]:
    """Nights per night_ok agent, or weekend days per agent (as `scheduler.evaluate` counts them)."""
    counted = (lambda facts: facts.night) if night else (lambda facts: facts.weekend)
    return [
        sum(1 for k, _ in assignment.get(agent.agent_id, []) if counted(data.shifts[k]))
        for agent in data.agents
        if agent.night_ok or not night
    ]


def spread(loads: list[int]) -> float:
    return float(max(loads) - min(loads)) if len(loads) > 1 else 0.0


def roster_table(data: RosterData, assignment: Assignment, breaks: BreakCounts) -> pd.DataFrame:
    """Stage 3: hand each agent of a shift type its break offsets (as many per offset as counted) and
    write the segments `agent_id, name, queue, activity, start, end`."""
    scenario = data.scenario
    names = {agent.agent_id: agent.name for agent in data.agents}
    holders: dict[tuple[int, str], list[str]] = defaultdict(list)
    for agent_id, shifts in assignment.items():
        for key in shifts:
            holders[key].append(agent_id)
    rows = []
    for (k, queue), agent_ids in sorted(holders.items()):
        facts = data.shifts[k]
        offsets_per_slot = [
            [o.offset for o in options for _ in range(breaks.get((k, queue, o.slot, o.offset), 0))]
            for options in facts.breaks
        ]
        slots = break_slots(scenario.config, facts.shift.length)
        for i, agent_id in enumerate(sorted(agent_ids)):
            chosen = [(slot.rule, offsets[i]) for slot, offsets in zip(slots, offsets_per_slot)]
            for activity, start, end in segments(facts.shift.start, facts.shift.length, chosen):
                rows.append((agent_id, names[agent_id], queue, activity, scenario.timestamp(start), scenario.timestamp(end)))
    table = pd.DataFrame(rows, columns=["agent_id", "name", "queue", "activity", "start", "end"])
    return table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def break_values(solver: cp_model.CpSolver, breaks: dict) -> BreakCounts:
    return {key: int(solver.value(var)) for key, var in breaks.items() if solver.value(var)}


def assignment_values(solver: cp_model.CpSolver, works: dict) -> Assignment:
    assignment: Assignment = defaultdict(list)
    for (agent_id, k, queue), var in works.items():
        if solver.boolean_value(var):
            assignment[agent_id].append((k, queue))
    return dict(assignment)


