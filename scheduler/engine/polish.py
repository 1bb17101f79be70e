"""Polishing, after the break pass: with the time left, a large-neighbourhood search
that lowers short staffing without raising any other cost.

Each step draws a short interval (weighted by how short it is) and a day whose shifts may cover it,
and frees a few agents who could: mostly agents working that day, drawn by how much of their shift
sits in over-staffing (at their contract's maximum, moving a shift is what helps, and moving it out
of over-staffing loses nothing), and agents off that day who have the hours and a day left. Half the
steps take a second day of that week instead, where agents off the short day work in over-staffing:
two of them and two working the short day, so that an agent at its maximum days can move a day.
Half of all steps are nudges instead: up to NUDGE_AGENTS agents working that day, drawn by how near
their shift is to the short interval, each choosing among the shifts that start at most two hours
earlier or later and are at most an hour longer or shorter than its own (half of the nudges also on
the day of that week where those agents' shifts sit in the most over-staffing, so that hours move
between an agent's days). Where every agent is at its maximum, the hours are there but in the wrong
places, and moving them takes chains of small moves (one agent later, another earlier to cover for
it) that no few agents can make.
They are solved exactly with every shift they may work on those days
(`whole_team.build_agent_model`: every hard rule over the whole week, their other days held, breaks
placed by the solver), the rest of the roster held as fixed coverage, breaks included. Their nights
and weekend days stay within the team's present range, so neither spread can grow; the step's
objective (short and over staffing, preferences, changes) is then the whole roster's cost less
constants, and a step is kept only when it lowers that cost. The freed agents' present weeks and
breaks are the search's hint, so a step never makes the roster worse.

(Every shift of the week for 8 agents is about 6,000 booleans and 40,000 break counts: in a second
the search did not improve on its start; one day for 5 agents finds gains in under a second.)
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from scheduler.costs import COST_SCALE
from scheduler.engine.data import Assignment, BreakCounts, RosterData
from scheduler.engine.result import fairness_loads, scheduled, total_cost
from scheduler.engine.run import Run, now, work_clock
from scheduler.engine.whole_team import AgentModel, assignment_values, build_agent_model, complete_hint
from scheduler.shifts import ShiftType

NEIGHBOURHOOD_AGENTS = 5  # 10 found nothing in a second; 4 and 6 did alike
STEP_SECONDS = 1.0  # at most, for one step's search
MIN_STEP_SECONDS = 0.5  # a step is not begun with less time left
STALL_DRAWS = 20
SWAP_SHARE = 0.5  # of the steps, on two days: an agent at its maximum days moves a day's shift to the short day
SWAP_AGENTS = 2  # moving that day, and as many working the short day
# of the steps; with 12 % of the sample's agents gone, from the same rosters, 10 s: 63–78 and 89–92 short
# units against 87–92 and 107–112 without nudges (8 or 24 agents, starts within 1 or 3 hours: no better)
NUDGE_SHARE = 0.5
NUDGE_AGENTS = 12
NUDGE_START_MINUTES = 120
NUDGE_LENGTH_MINUTES = 60
# of the nudges; from the same rosters, 12 % gone, four seeds, 9 s: 999 short units against 1,027 with
# one-day nudges only; the 4-week seeds 14 and 15, 30 s: 198–239 against 207–246 (none: 223–272)
NUDGE_TWO_DAY_SHARE = 0.5


@dataclass(frozen=True)
class Step:
    """The agents a step frees on its days; `near`, in a nudge, the shift each of them has now, which
    its choices must stay near (`is_near`); empty: every shift it may work on those days."""

    free: tuple[str, ...]
    days: frozenset[int]
    near: tuple[tuple[str, ShiftType], ...] = ()


def polish_roster(
    data: RosterData, assignment: Assignment, breaks: BreakCounts, run: Run, until: float
) -> tuple[Assignment, BreakCounts]:
    """The roster with its short staffing lowered by neighbourhood steps until `until` (a `now()`
    instant), or until every neighbourhood drawn STALL_DRAWS times in a row was searched to
    optimality since the last gain (a small team); the roster given when no step lowered its cost."""
    draw = random.Random(run.seed)
    helpers = Helpers.of(data)
    best = total_cost(data, assignment, breaks)
    began = time.monotonic()
    exhausted: set[Step] = set()  # solved to optimality since the last gain
    repeats, last_step = 0, MIN_STEP_SECONDS
    # a step is begun only when one as long as the last fits: making its model is not bounded by
    # the search's limit, and on a busy machine took seconds
    while until - now() >= max(MIN_STEP_SECONDS, last_step) and repeats < STALL_DRAWS:
        step = neighbourhood(data, assignment, breaks, helpers, draw)
        if step is None:
            break
        if not step.free or step in exhausted:
            repeats += 1
            continue
        repeats = 0
        seconds, step_began = min(STEP_SECONDS, until - now()), now()
        found, optimal = improved(data, assignment, breaks, step, run, seconds)
        count_whole_step(seconds, step_began)
        last_step = now() - step_began
        if found is not None and (cost := total_cost(data, *found)) < best - 1e-9:
            assignment, breaks, best = found[0], found[1], cost
            exhausted.clear()
        elif optimal:
            exhausted.add(step)
    run.stage_seconds["polish"] = time.monotonic() - began  # its searches' seconds and the models' making
    return assignment, breaks


def count_whole_step(seconds: float, began: float) -> None:
    """In a deterministic solve, a step counts its whole budget on the work clock: making its model
    is no CP-SAT work, and steps ending in a fifth of their budget made the polish's wall time
    ten times its work."""
    clock = work_clock()
    if clock is not None:
        clock.add(max(0.0, seconds - (clock.spent - began)))


@dataclass
class Helpers:
    """Who may cover what: the agents who may work each (shift type, queue), and per (queue, interval)
    and day the shifts that cover it (indexed once: a pass over every agent's eligible shifts)."""

    agents: dict[tuple[int, str], list[str]]
    covering: dict[tuple[str, int], dict[int, list[tuple[int, str]]]]

    @classmethod
    def of(cls, data: RosterData) -> "Helpers":
        agents: dict[tuple[int, str], list[str]] = defaultdict(list)
        for agent_id, options in data.eligible.items():
            for key in options:
                agents[key].append(agent_id)
        covering: dict[tuple[str, int], dict[int, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        for k, queue in sorted(agents):
            for t in data.shifts[k].covered:
                covering[queue, t][data.shifts[k].day].append((k, queue))
        return cls(dict(agents), {key: dict(days) for key, days in covering.items()})

    def on(self, key: tuple[str, int], day: int) -> list[str]:
        """The agents with a shift of `day` they may work that covers `key`."""
        return sorted({agent_id for shift in self.covering[key][day] for agent_id in self.agents[shift]})


def neighbourhood(
    data: RosterData, assignment: Assignment, breaks: BreakCounts, helpers: Helpers, draw: random.Random
) -> Step | None:
    """A short interval of this week (drawn with a weight of how short it is), a day whose shifts may
    cover it, and up to NEIGHBOURHOOD_AGENTS agents who could: mostly agents working that day, drawn by
    the over-staffing their shift sits in (at their contract's maximum, moving a shift is what helps),
    and agents off that day with room for a shift; or, in SWAP_SHARE of the other steps, two days
    (`swap_neighbourhood`); or, in NUDGE_SHARE of all, a nudge (`nudge_neighbourhood`). None when
    nothing is short."""
    cover = scheduled(data, assignment, breaks)
    short = {key: gap for key, needed in data.required.items()
             if key[1] < data.week.count and (gap := needed - cover.get(key, 0)) > 0 and key in helpers.covering}
    if not short:
        return None
    keys = sorted(short)
    key = draw.choices(keys, weights=[short[key] for key in keys])[0]
    day = draw.choice(sorted(helpers.covering[key]))
    if draw.random() < NUDGE_SHARE and (nudge := nudge_neighbourhood(data, assignment, cover, key, day, draw)):
        return nudge
    able = helpers.on(key, day)
    spare = spare_cover(data, assignment, cover, day, able)
    off = [agent_id for agent_id in able if agent_id not in spare and has_room(data, assignment, agent_id, day)]
    if draw.random() < SWAP_SHARE and (swap := swap_neighbourhood(data, assignment, cover, day, able, spare, draw)):
        return swap
    free = most_spare(draw, spare, min(len(spare), NEIGHBOURHOOD_AGENTS - min(len(off), NEIGHBOURHOOD_AGENTS // 3)))
    return Step(tuple(free + draw.sample(off, min(len(off), NEIGHBOURHOOD_AGENTS - len(free)))), frozenset({day}))


def nudge_neighbourhood(
    data: RosterData, assignment: Assignment, cover: dict[tuple[str, int], int], key: tuple[str, int], day: int,
    draw: random.Random,
) -> Step | None:
    """Up to NUDGE_AGENTS agents working `day`, drawn by how near their shift is to the short interval
    `key` (weight 1 / (1 + hours between)), each to keep near its shift; in NUDGE_TWO_DAY_SHARE of the
    nudges also on the day of that week where their shifts sit in the most over-staffing (so that an
    agent at its maximum hours may lengthen one shift by shortening the other). None when nobody works `day`."""
    working = {agent_id: k for agent_id, shifts in assignment.items() for k, _ in shifts if data.shifts[k].day == day}
    if not working:
        return None
    agent_ids = sorted(working)
    hours_away = [min(abs(t - key[1]) for t in data.shifts[working[agent_id]].covered) * data.week.interval_minutes / 60
                  for agent_id in agent_ids]
    free = weighted_sample(draw, agent_ids, [1 / (1 + hours) for hours in hours_away], NUDGE_AGENTS)
    days = {day}
    if draw.random() < NUDGE_TWO_DAY_SHARE:
        other = most_over_staffed_day(data, assignment, cover, day, free)
        days |= set() if other is None else {other}
    near = tuple((agent_id, data.shifts[k].shift) for agent_id in free for k, _ in assignment[agent_id]
                 if data.shifts[k].day in days)
    return Step(tuple(free), frozenset(days), near)


def most_over_staffed_day(
    data: RosterData, assignment: Assignment, cover: dict[tuple[str, int], int], day: int, agent_ids: list[str]
) -> int | None:
    """The other day of `day`'s week where the agents' shifts sit in the most over-staffing; None when
    none of them works in over-staffing that week."""
    spare = {other: sum(spare_cover(data, assignment, cover, other, agent_ids).values()) for other in other_days(day)}
    most = max(sorted(spare), key=lambda other: spare[other])
    return most if spare[most] else None


def other_days(day: int) -> list[int]:
    """The other days of `day`'s week."""
    return [other for other in range(day // 7 * 7, day // 7 * 7 + 7) if other != day]


def is_near(shift: ShiftType, now_worked: ShiftType) -> bool:
    """Whether a nudge may move a shift `now_worked` to `shift`."""
    return (abs(shift.start - now_worked.start) <= NUDGE_START_MINUTES
            and abs(shift.length - now_worked.length) <= NUDGE_LENGTH_MINUTES)


def swap_neighbourhood(
    data: RosterData, assignment: Assignment, cover: dict[tuple[str, int], int], day: int, able: list[str],
    spare: dict[str, int], draw: random.Random,
) -> Step | None:
    """Two days: `day` and another of its week where agents able to cover the short interval but off
    on `day` work in over-staffing; up to SWAP_AGENTS of them (who may move that shift to `day`) and
    as many working `day`. None when no agent off `day` works in over-staffing that week."""
    off = [agent_id for agent_id in able if agent_id not in spare]
    moves = {(agent_id, other): units for other in other_days(day)
             for agent_id, units in spare_cover(data, assignment, cover, other, off).items() if units > 0}
    if not moves:
        return None
    pairs = sorted(moves)
    _, other = draw.choices(pairs, weights=[moves[pair] for pair in pairs])[0]
    movers = [agent_id for agent_id, on_day in pairs if on_day == other]
    free = weighted_sample(draw, movers, [moves[agent_id, other] for agent_id in movers], SWAP_AGENTS)
    return Step(tuple(free + most_spare(draw, spare, SWAP_AGENTS)), frozenset({day, other}))


def most_spare(draw: random.Random, spare: dict[str, int], count: int) -> list[str]:
    """`count` of the agents working the short day, drawn by the over-staffing their shift sits in."""
    on = sorted(spare)
    return weighted_sample(draw, on, [1 + spare[agent_id] for agent_id in on], count)


def spare_cover(
    data: RosterData, assignment: Assignment, cover: dict[tuple[str, int], int], day: int, agent_ids: list[str]
) -> dict[str, int]:
    """Per agent of `agent_ids` working `day`, the over-staffed units its shift of that day sits in:
    moving such a shift loses no cover (with every agent at its maximum hours, gains come from such moves)."""
    spare: dict[str, int] = {}
    for agent_id in agent_ids:
        for k, queue in assignment.get(agent_id, []):
            if data.shifts[k].day == day:
                spare[agent_id] = spare.get(agent_id, 0) + sum(
                    min(units, max(0, cover.get((queue, t), 0) - data.required.get((queue, t), 0)))
                    for t, units in data.shifts[k].cover)
    return spare


def has_room(data: RosterData, assignment: Assignment, agent_id: str, day: int) -> bool:
    """Whether the agent's week holding `day` leaves a day and the hours of its shortest shift that day
    (an agent off at its maximum can only take a shift there by giving up another day, which a step on
    one day cannot do). With `contract_hours: horizon` an agent is taken to have room."""
    if data.scenario.config.rules.contract_hours == "horizon":
        return True
    agent = next(agent for agent in data.agents if agent.agent_id == agent_id)
    week = [k for k, _ in assignment.get(agent_id, []) if data.shifts[k].day // 7 == day // 7]
    shortest = min(data.shifts[k].paid for k, _ in data.eligible[agent_id] if data.shifts[k].day == day)
    days_left = agent.max_days is None or len(week) < agent.max_days
    return days_left and sum(data.shifts[k].paid for k in week) + shortest <= agent.max_hours * 60


def weighted_sample(draw: random.Random, items: list[str], weights: list[float], count: int) -> list[str]:
    """`count` distinct items, each drawn with a chance in proportion to its weight (Efraimidis–Spirakis)."""
    keyed = sorted(zip(items, weights), key=lambda pair: -(draw.random() ** (1 / pair[1])))
    return [item for item, _ in keyed[:count]]


def improved(
    data: RosterData, assignment: Assignment, breaks: BreakCounts, step: Step, run: Run, seconds: float,
) -> tuple[tuple[Assignment, BreakCounts] | None, bool]:
    """The roster with the step's agents re-planned on its days (every shift they may work there, or
    near their own in a nudge; breaks placed), their other days and the other agents held (None when the
    search found nothing in time), and whether the search proved it the best such roster."""
    free, days = list(step.free), step.days
    kept, held, held_breaks, freed_breaks = held_part(data, assignment, breaks, free, days)
    choices = step_choices(data, step)
    options = {agent_id: shifts + sorted(key[1:] for key in kept if key[0] == agent_id)
               for agent_id, shifts in choices.items()}
    # only the intervals of the shifts to choose get coverage rows: the others' cost is a constant
    touched = {(queue, t) for shifts in choices.values() for k, queue in shifts for t in data.shifts[k].covered}
    sub = replace(data, scenario=replace(data.scenario, agents=tuple(a for a in data.agents if a.agent_id in free)),
                  fixed_coverage=dict(scheduled(data, held, held_breaks)),
                  required={key: needed for key, needed in data.required.items() if key in touched})
    agent_model = build_agent_model(sub, options, spreads=False, held=kept)
    keep_spreads(data, assignment, sub, agent_model)
    chosen = {(agent_id, k, queue) for agent_id in free for k, queue in assignment.get(agent_id, [])}
    for key, var in agent_model.works.items():
        agent_model.model.add_hint(var, key in chosen)
    for (k, queue, slot, offset), var in agent_model.coverage.breaks.items():
        if len(data.shifts[k].breaks[slot]) > 1:  # a break of one offset is the shift count itself
            agent_model.model.add_hint(var, freed_breaks.get((k, queue, slot, offset), 0))
    complete_hint(agent_model.model)
    # without presolve: it took 0.5–1.6 s of the step on 8 agents, the search found its first gain in 0.4 s;
    # without probing: at the search's start it took 0.85 s of a 1-s step on a busy machine (0.04 s of work)
    status, solver = run.solve(agent_model.model, seconds, "polish", 1 / COST_SCALE, presolve=False, probing=False)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None, False
    new = assignment_values(solver, agent_model.works)
    placed = Counter(held_breaks)
    for key, var in agent_model.coverage.breaks.items():
        placed[key] += int(solver.value(var))
    roster = held | {agent_id: new.get(agent_id, []) for agent_id in free}, {key: n for key, n in placed.items() if n}
    return roster, status == "OPTIMAL"


def step_choices(data: RosterData, step: Step) -> dict[str, list[tuple[int, str]]]:
    """Per freed agent, the (shift type, queue) it may work on the step's days: every one, or in a
    nudge those near its own shift of that day."""
    near = defaultdict(list)
    for agent_id, shift in step.near:
        near[agent_id].append(shift)

    def allowed(agent_id: str, k: int) -> bool:
        return data.shifts[k].day in step.days and (
            not step.near or any(is_near(data.shifts[k].shift, own) for own in near[agent_id]))

    return {agent_id: sorted({(k, queue) for k, queue in data.eligible[agent_id] if allowed(agent_id, k)})
            for agent_id in step.free}


def held_part(
    data: RosterData, assignment: Assignment, breaks: BreakCounts, free: list[str], days: frozenset[int]
) -> tuple[frozenset[tuple[str, int, str]], Assignment, BreakCounts, BreakCounts]:
    """What a step holds: the freed agents' shifts on other days (kept: their coverage is held, they
    stay for the rules), the roster held with them, its breaks, and the freed agents' breaks (hints)."""
    kept = frozenset((agent_id, k, queue) for agent_id in free for k, queue in assignment.get(agent_id, [])
                     if data.shifts[k].day not in days)
    held = {agent_id: shifts for agent_id, shifts in assignment.items() if agent_id not in free}
    held |= {agent_id: [(k, queue) for a, k, queue in kept if a == agent_id] for agent_id in free}
    held_breaks, freed_breaks = split_breaks(data, assignment, breaks, free)
    kept_breaks = {key: n for key, n in freed_breaks.items() if data.shifts[key[0]].day not in days}
    return kept, held, dict(Counter(held_breaks) + Counter(kept_breaks)), freed_breaks


def split_breaks(
    data: RosterData, assignment: Assignment, breaks: BreakCounts, free: list[str]
) -> tuple[BreakCounts, BreakCounts]:
    """The break counts of the held agents and of the freed ones: each freed agent's shift gives up
    one taker per break, at an offset still taken on its shift type (agents of one shift type are
    interchangeable, so any such offset will do)."""
    held = Counter(breaks)
    freed: Counter = Counter()
    for agent_id in free:
        for k, queue in assignment.get(agent_id, []):
            for options in data.shifts[k].breaks:
                option = next(o for o in options if held[k, queue, o.slot, o.offset] > 0)
                held[k, queue, option.slot, option.offset] -= 1
                freed[k, queue, option.slot, option.offset] += 1
    return {key: n for key, n in held.items() if n}, dict(freed)


def keep_spreads(data: RosterData, assignment: Assignment, sub: RosterData, agent_model: AgentModel) -> None:
    """Hold each freed agent's nights and weekend days within the whole team's present range, so
    that neither spread can grow."""
    for night, counted in ((True, lambda facts: facts.night), (False, lambda facts: facts.weekend)):
        loads = fairness_loads(data, assignment, night=night)
        if not loads:
            continue
        for agent in sub.agents:
            if night and agent.agent_id not in data.night_agents:
                continue
            counted_shifts = [var for (agent_id, k, _), var in agent_model.works.items()
                              if agent_id == agent.agent_id and counted(data.shifts[k])]
            if counted_shifts:
                carried = data.carried[agent.agent_id]
                load = sum(counted_shifts) + (carried.nights if night else carried.weekend_days)
                agent_model.model.add_linear_constraint(load, min(loads), max(loads))
