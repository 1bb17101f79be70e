"""The scenario turned into the numbers every model uses (`RosterData`).

Shift types are indexed by position `k`; each has its `ShiftFacts` (the intervals it covers,
paid minutes, night, weekend, time of day, break options). An agent counts toward an interval by
the share of it worked (`Week.worked_minutes`, as the evaluation counts): a 15-minute break in a
30-minute interval leaves half an agent. The models count coverage in whole *units* of
`RosterData.unit_minutes` (the largest number of minutes dividing the interval and every moment an
agent may start or stop work), so requirements, shortfalls and break losses are integers of units.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from scheduler import baseline, fairness
from scheduler.availability import clash, leaves_of, within_window
from scheduler.costs import SOFT
from scheduler.engine.pricing import Tier, requirement_tiers
from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import DAY_NAMES, Agent, Scenario
from scheduler.shifts import (
    ShiftType,
    Week,
    break_slots,
    enumerate_shift_types,
    is_night,
    is_weekend_day,
    middle,
    time_of_day,
    weekend_touched,
)


Cover = tuple[tuple[int, int], ...]  # (interval, coverage units)


@dataclass(frozen=True)
class BreakOption:
    """Taking break `slot` of a shift at `offset` minutes takes these units of these intervals."""

    slot: int
    offset: int
    lost: Cover


@dataclass(frozen=True)
class ShiftFacts:
    """Everything the rules ask about one shift type."""

    shift: ShiftType
    cover: Cover  # units of each interval the shift works, before breaks
    paid: int  # minutes
    night: bool
    weekend: bool
    weekend_week: int | None  # the week whose full weekend off it takes away (`shifts.weekend_touched`)
    time_of_day: str
    breaks: tuple[tuple[BreakOption, ...], ...]  # per break slot, its possible offsets

    @property
    def day(self) -> int:
        return self.shift.day

    @property
    def covered(self) -> tuple[int, ...]:
        """The intervals the shift works in (some perhaps only in part)."""
        return tuple(t for t, _ in self.cover)

    def nominal_cover(self) -> Cover:
        """Units an agent of this shift gives each interval with every break mid-window (`shifts.middle`)."""
        lost = Counter()
        for options in self.breaks:
            lost.update(dict(middle(options).lost))
        return tuple((t, units - lost[t]) for t, units in self.cover if units > lost[t])

    def break_lost(self, slot: int, offset: int) -> Cover:
        return next(option.lost for option in self.breaks[slot] if option.offset == offset)

    @property
    def label(self) -> str:
        clock = self.shift.clock_start
        return f"{day_label(self.day)} {clock // 60:02d}:{clock % 60:02d} {self.shift.length / 60:g}h"


def day_label(day: int) -> str:
    """`Tue`, or `Tue (week 2)` past the horizon's first week."""
    week = f" (week {day // 7 + 1})" if day >= 7 else ""
    return f"{DAY_NAMES[day % 7].title()}{week}"


@dataclass(frozen=True)
class PreviousWeek:
    """What the previous roster (one week or several) leaves for an agent's hard rules: when its last
    shift ended, whether that was a night (and its day), which days it worked."""

    last_end: int | None = None
    worked_days: frozenset[int] = frozenset()  # days before the horizon (negative) with a shift start
    night_days: frozenset[int] = frozenset()  # of those, days with a night shift
    last_night_day: int | None = None  # the day of the last shift when it is a night


@dataclass(frozen=True)
class NextWeek:
    """What the roster after the horizon (`Scenario.next_roster`) asks of an agent's last shifts: when its
    first shift starts, and whether that is a night (and its day), which days it works."""

    first_start: int
    worked_days: frozenset[int]  # days after the horizon (from `days` on) with a shift start
    night_days: frozenset[int]  # of those, days with a night shift
    first_night_day: int | None  # the day of the first shift when it is a night


@dataclass(frozen=True)
class Carried:
    """The nights, weekend days and weekends an agent worked in the previous roster: fairness counts them."""

    nights: int = 0
    weekend_days: int = 0
    weekends: int = 0


@dataclass
class RosterData:
    """The scenario turned into the numbers the models use. Shift types are indexed by position `k`."""

    scenario: Scenario
    week: Week
    unit_minutes: int  # the coverage unit: required, short, over and cover count in units of it
    queues: tuple[str, ...]
    shifts: list[ShiftFacts]
    required: dict[tuple[str, int], int]  # (queue, interval) -> units
    tiers: dict[tuple[str, int], tuple[Tier, ...]]  # per missing unit
    fixed_coverage: dict[tuple[str, int], int]  # units of last week's shifts running into this one
    eligible: dict[str, list[tuple[int, str]]]  # agent -> (k, queue) it may work
    previous: dict[str, PreviousWeek]
    following: dict[str, NextWeek]  # agent -> its shifts after the horizon, when they are known
    carried: dict[str, Carried]
    night_agents: frozenset[str]  # among whom nights are shared (`fairness.night_agents`)
    baseline: dict[str, dict[int, tuple[int, str] | None]]  # agent -> day -> baseline (k, queue); None: no such type
    rest_minutes: int
    over_cost: int  # scaled cost of one unit over the requirement

    @property
    def agents(self) -> tuple[Agent, ...]:
        return self.scenario.agents

    @property
    def days(self) -> int:
        return self.scenario.config.days

    @property
    def weeks(self) -> int:
        return self.scenario.config.weeks

    @property
    def units(self) -> int:
        """Units in one agent-interval."""
        return self.week.interval_minutes // self.unit_minutes

    @property
    def unit_hours(self) -> float:
        return self.unit_minutes / 60

    @property
    def required_hours(self) -> float:
        """This week's required agent-hours (next week's first intervals left out)."""
        return sum(needed for (_, t), needed in self.required.items() if t < self.week.count) * self.unit_hours

    @cached_property
    def horizon(self) -> int:
        """Intervals the models cover: the week, and next week's first ones when shifts run into them."""
        return max([self.week.count] + [max(facts.covered) + 1 for facts in self.shifts if facts.covered])

    @classmethod
    def build(cls, scenario: Scenario) -> "RosterData":
        config = scenario.config
        week = Week(config.interval_minutes, scenario.cyclic, spill=not scenario.cyclic, weeks=config.weeks)
        types = enumerate_shift_types(config)
        previous = previous_roster_shifts(scenario)
        unit = unit_minutes(config, types, previous)
        shifts = [shift_facts(scenario, week, shift, unit) for shift in types]
        fixed = previous_coverage(scenario, previous, unit)
        units = config.interval_minutes // unit
        required, tiers = next_monday_like_this_one(
            *requirement_tiers(scenario, week, staffable(scenario, fixed, units), units), week, shifts)
        rest = round(config.rules.min_rest_hours * 60)
        return cls(
            scenario=scenario,
            week=week,
            unit_minutes=unit,
            queues=tuple(config.queues),
            shifts=shifts,
            required=required,
            tiers=tiers,
            fixed_coverage=fixed,
            eligible={agent.agent_id: eligible_shifts(scenario, agent, shifts) for agent in scenario.agents},
            previous=previous_weeks(scenario, previous),
            following=next_weeks(scenario),
            carried=carried_counts(scenario),
            night_agents=frozenset(agent.agent_id for agent in fairness.night_agents(scenario)),
            baseline=baseline_keys(scenario, shifts),
            rest_minutes=rest,
            over_cost=SOFT["over"].scaled(config.weights, {"over_hours": unit / 60}),
        )


Assignment = dict[str, list[tuple[int, str]]]  # agent -> (k, queue) worked
BreakCounts = dict[tuple[int, str, int, int], int]  # (k, queue, slot, offset) -> agents


def staffable(scenario: Scenario, fixed_coverage: dict[tuple[str, int], int], units: int) -> dict[str, int]:
    """Per queue, the most agents that can be on it at once: its skilled agents (each works one
    shift at a time) and last week's shifts running into this week (`fixed_coverage` in units)."""
    return {
        queue: sum(queue in agent.skills for agent in scenario.agents)
        + -(-max((count for (q, _), count in fixed_coverage.items() if q == queue), default=0) // units)
        for queue in scenario.config.queues
    }


def unit_minutes(config, types: list[ShiftType], previous: list[RosterShift]) -> int:
    """The coverage unit: the largest number of minutes dividing the interval and every moment an
    agent may start or stop working (shift starts and ends, break starts and ends, last week's
    work), so that every share of an interval worked is a whole number of units."""
    moments = [config.interval_minutes]
    for shift in types:
        moments += [shift.start, shift.length]
        for slot in break_slots(config, shift.length):
            moments += [*slot.offsets, slot.rule.minutes]
    moments += [moment for shift in previous for activity, start, end in shift.segments for moment in (start, end)]
    return math.gcd(*moments)


def units_of(worked: list[tuple[int, int]], unit: int) -> Cover:
    """(interval, minutes) as (interval, units)."""
    return tuple((t, minutes // unit) for t, minutes in worked)


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


def shift_facts(scenario: Scenario, week: Week, shift: ShiftType, unit: int) -> ShiftFacts:
    config = scenario.config
    cover = units_of(week.worked_minutes(shift.start, shift.end), unit)
    options = []
    for slot_index, slot in enumerate(break_slots(config, shift.length)):
        options.append(tuple(
            BreakOption(slot_index, offset,
                        units_of(week.worked_minutes(shift.start + offset, shift.start + offset + slot.rule.minutes), unit))
            for offset in slot.offsets
        ))
    return ShiftFacts(
        shift=shift,
        cover=cover,
        paid=config.paid_minutes(shift.length),
        night=is_night(shift.start, shift.end, config.rules),
        weekend=is_weekend_day(shift.day, config.rules),
        weekend_week=weekend_touched(shift.start, shift.end, config.rules),
        time_of_day=time_of_day(shift.start, shift.end, config.rules),
        breaks=tuple(options),
    )


def previous_roster_shifts(scenario: Scenario) -> list[RosterShift]:
    if scenario.previous_roster is None:
        return []
    return shifts_from_roster(scenario.previous_roster, scenario, "previous roster")


def previous_coverage(scenario: Scenario, shifts: list[RosterShift], unit: int) -> dict[tuple[str, int], int]:
    """Work of last week's roster that runs into this week covers its first intervals (in units), each
    work segment on its own queue (a shift with queue blocks serves several)."""
    week = Week(scenario.config.interval_minutes, cyclic=False, weeks=scenario.config.weeks)
    coverage: dict[tuple[str, int], int] = defaultdict(int)
    for shift in shifts:
        work = [(start, end) for activity, start, end in shift.segments if activity == "work"]
        for (queue, _), (start, end) in zip(shift.work_queues, work):
            for t, units in units_of(week.worked_minutes(start, end), unit):
                coverage[queue, t] += units
    return dict(coverage)


def shifts_before(shifts: list[RosterShift]) -> dict[str, list[RosterShift]]:
    """Per agent, its shifts starting before the horizon."""
    before: dict[str, list[RosterShift]] = defaultdict(list)
    for shift in shifts:
        if shift.start < 0:
            before[shift.agent_id].append(shift)
    return before


def previous_weeks(scenario: Scenario, shifts: list[RosterShift]) -> dict[str, PreviousWeek]:
    """Per agent, what its shifts before the horizon leave its hard rules (see `PreviousWeek`)."""
    rules = scenario.config.rules
    found = {}
    for agent_id, theirs in shifts_before(shifts).items():
        nights = [shift for shift in theirs if is_night(shift.start, shift.end, rules)]
        last = max(theirs, key=lambda shift: shift.end)
        found[agent_id] = PreviousWeek(
            last_end=last.end,
            worked_days=frozenset(shift.day for shift in theirs),
            night_days=frozenset(shift.day for shift in nights),
            last_night_day=last.day if last in nights else None,
        )
    return found


def next_weeks(scenario: Scenario) -> dict[str, NextWeek]:
    """Per agent, what its shifts after the horizon (`Scenario.next_roster`) ask (see `NextWeek`)."""
    if scenario.next_roster is None:
        return {}
    rules, end = scenario.config.rules, scenario.config.horizon_minutes
    after: dict[str, list[RosterShift]] = defaultdict(list)
    for shift in shifts_from_roster(scenario.next_roster, scenario, "next roster"):
        if shift.start >= end:
            after[shift.agent_id].append(shift)
    found = {}
    for agent_id, theirs in after.items():
        first = min(theirs, key=lambda shift: shift.start)
        nights = frozenset(shift.day for shift in theirs if is_night(shift.start, shift.end, rules))
        found[agent_id] = NextWeek(first.start, frozenset(shift.day for shift in theirs), nights,
                                   first.day if first.day in nights else None)
    return found


def baseline_keys(scenario: Scenario, shifts: list[ShiftFacts]) -> dict[str, dict[int, tuple[int, str] | None]]:
    """Per agent and day, the baseline's shift as a (shift type, queue) the models know (None when the
    templates offer no such shift: whatever is rostered that day, it changes)."""
    index = {(facts.shift.start, facts.shift.length): k for k, facts in enumerate(shifts)}
    keys: dict[str, dict[int, tuple[int, str] | None]] = {}
    for agent_id, days in baseline.baseline_days(scenario).items():
        for day, shift in days.items():
            k = index.get((shift.start, shift.length))
            known = k is not None and shift.queue in shifts[k].shift.queues
            keys.setdefault(agent_id, {})[day] = (k, shift.queue) if known else None
    return keys


def carried_counts(scenario: Scenario) -> dict[str, Carried]:
    """Per agent, the nights, weekend days and weekends worked of its shifts before the horizon
    (`fairness.carried`)."""
    nights, weekend_days = fairness.carried(scenario)
    weekends = fairness.weekends_worked(fairness.previous_shifts(scenario), scenario.config.rules)
    return {agent.agent_id: Carried(nights[agent.agent_id], weekend_days[agent.agent_id], weekends[agent.agent_id])
            for agent in scenario.agents}


def eligible_shifts(scenario: Scenario, agent: Agent, shifts: list[ShiftFacts]) -> list[tuple[int, str]]:
    """(k, queue) the agent may work: skills, daily window, time off and nights."""
    options = []
    leaves = leaves_of(scenario, agent.agent_id)  # once: a 4-week horizon has about 1,500 shifts to test
    nightly = scenario.night_queues.get(agent.agent_id, agent.skills)
    for k, facts in enumerate(shifts):
        if facts.night and not agent.night_ok:
            continue
        queues = [queue for queue in facts.shift.queues if queue in (nightly if facts.night else agent.skills)]
        start, end = facts.shift.start, facts.shift.end
        if queues and within_window(agent, start, end) and clash(leaves, start, end) is None:
            options.extend((k, queue) for queue in queues)
    return options


def agent_day_limit(agent: Agent, rules) -> int:
    """Working days a week at most."""
    limit = 7 - rules.min_days_off
    return min(limit, agent.max_days) if agent.max_days is not None else limit


def assignment_of(data: "RosterData", roster) -> tuple[Assignment, BreakCounts]:
    """A roster of template shifts (each on its first queue) as the models count it: shifts per agent and
    breaks per (shift type, queue, break slot, offset)."""
    index = {(facts.shift.start, facts.shift.length): k for k, facts in enumerate(data.shifts)}
    config = data.scenario.config
    assignment: Assignment = defaultdict(list)
    breaks: BreakCounts = defaultdict(int)
    for shift in shifts_from_roster(roster, data.scenario):
        k = index[shift.start, shift.length]
        assignment[shift.agent_id].append((k, shift.queue))
        slots = list(enumerate(break_slots(config, shift.length)))
        for activity, begin, end in shift.breaks:
            slot = next(i for i, slot in slots if slot.rule.activity == activity
                        and slot.rule.minutes == end - begin and begin - shift.start in slot.offsets)
            slots = [(i, other) for i, other in slots if i != slot]
            breaks[k, shift.queue, slot, begin - shift.start] += 1
    return dict(assignment), dict(breaks)


def shift_counts(assignment: Assignment) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for shifts in assignment.values():
        for key in shifts:
            counts[key] += 1
    return dict(counts)
