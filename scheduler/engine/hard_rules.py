"""One agent's hard rules as CP-SAT constraints over its `works[agent, shift, queue]` booleans,
one function per rule, all alike: `add_*(model, data, agent, mine, guard)`. `scheduler.rules`
ties each to its rule; its `add_agent_rules` puts every one into the whole-team model, the
pricing models of `columns` and the diagnosis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

from ortools.sat.python import cp_model

from scheduler.engine.data import NextWeek, PreviousWeek, RosterData
from scheduler.scenario import MINUTES_PER_DAY, Agent

# A guard returns the enforcement literals of a rule (none outside diagnosis): guard(rule, day).
Guard = Callable[[str, "int | None"], list]


def no_guard(rule: str, day: int | None = None) -> list:
    return []


def new_works(
    model: cp_model.CpModel, data: RosterData, agent: Agent, options: Iterable[tuple[int, str]]
) -> dict[tuple[str, int, str], cp_model.IntVar]:
    """One boolean per candidate (shift type, queue): a shift serves exactly one queue."""
    return {
        (agent.agent_id, k, queue): model.new_bool_var(f"works({agent.agent_id} {data.shifts[k].label} {queue})")
        for k, queue in options
    }


@dataclass(frozen=True)
class AgentShifts:
    """One agent's works variables, (agent, k, queue) -> bool, and the same per day: (k, variable)."""

    works: dict[tuple[str, int, str], cp_model.IntVar]
    by_day: dict[int, list[tuple[int, cp_model.IntVar]]]

    @classmethod
    def of(cls, data: RosterData, works: dict[tuple[str, int, str], cp_model.IntVar]) -> "AgentShifts":
        return cls(works, shifts_by_day(data, works))

    def on(self, day: int):
        """Shifts worked on the day (0 or 1 once one_shift_per_day holds)."""
        return sum(var for _, var in self.by_day[day])

    def nights_on(self, data: RosterData, day: int):
        """Nights worked on the day (0 when the day is outside the horizon)."""
        return sum(var for k, var in self.by_day.get(day, ()) if data.shifts[k].night)


def shifts_by_day(data: RosterData, works: dict) -> dict[int, list[tuple[int, cp_model.IntVar]]]:
    """Per day of the horizon, (k, works variable) of one agent's candidate shifts (one per queue)."""
    by_day: dict[int, list] = {day: [] for day in range(data.days)}
    for (_, k, _), var in sorted(works.items()):
        by_day[data.shifts[k].day].append((k, var))
    return by_day


def week_of(data: RosterData, week: int) -> int | None:
    """How a per-week constraint is named to the guard: None in a one-week horizon, else its first day."""
    return None if data.weeks == 1 else 7 * week


def add_one_shift_per_day(
    model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard
) -> None:
    """Hard: at most one shift starts on each day."""
    for day, shifts in mine.by_day.items():
        if len(shifts) > 1:
            model.add(mine.on(day) <= 1).only_enforce_if(guard("one_shift_per_day", day))


def add_min_rest(model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard) -> None:
    """Hard: `min_rest_hours` between the end of a shift and the start of the next.

    For each start time s of a later day, the earlier day's shifts ending after s − rest and the
    later day's shifts starting by s pairwise clash: at most one of them (a clique). The horizon
    wraps its last Sunday→first Monday when cyclic; last week's final shift rules out early starts, and
    the first shift after the horizon (when known) late ends."""
    rest = data.rest_minutes
    days = data.days
    for day in range(days):
        for gap in range(1, 4):
            later = day + gap
            if later >= days and not data.scenario.cyclic:
                break
            shift_by = data.scenario.config.horizon_minutes if later >= days else 0
            earlier_shifts = [(data.shifts[k].shift.end, var) for k, var in mine.by_day[day]]
            later_shifts = [(data.shifts[k].shift.start + shift_by, var) for k, var in mine.by_day[later % days]]
            for clique in rest_cliques(earlier_shifts, later_shifts, rest):
                model.add(sum(clique) <= 1).only_enforce_if(guard("rest", later % days))
    last_end = data.previous.get(agent.agent_id, PreviousWeek()).last_end
    if last_end is not None:
        for k, var in (item for day in range(days) for item in mine.by_day[day]):
            if data.shifts[k].shift.start < last_end + rest:
                model.add(var == 0).only_enforce_if(guard("rest_after_last_week", data.shifts[k].day))
    following = data.following.get(agent.agent_id)
    if following is not None:
        for k, var in (item for day in range(days) for item in mine.by_day[day]):
            if data.shifts[k].shift.end + rest > following.first_start:
                model.add(var == 0).only_enforce_if(guard("rest", data.shifts[k].day))


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
    model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard
) -> None:
    """Hard: no run of more than `max_consecutive_days` working days (across the horizon's ends)."""
    following = data.following.get(agent.agent_id)
    add_run_limit(model, data, mine.on, data.scenario.config.rules.max_consecutive_days,
                  data.previous.get(agent.agent_id, PreviousWeek()).worked_days
                  | (following.worked_days if following else frozenset()), "consecutive_days", guard)


def add_max_consecutive_nights(
    model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard
) -> None:
    """Hard: no run of more than `max_consecutive_nights` nights on consecutive days (across the
    horizon's ends)."""
    nights: dict[int, list] = {day: [] for day in range(data.days)}
    for (_, k, _), var in mine.works.items():
        if data.shifts[k].night:
            nights[data.shifts[k].day].append(var)
    if not any(nights.values()):
        return
    following = data.following.get(agent.agent_id)
    add_run_limit(model, data, lambda day: sum(nights[day]), data.scenario.config.rules.max_consecutive_nights,
                  data.previous.get(agent.agent_id, PreviousWeek()).night_days
                  | (following.night_days if following else frozenset()), "consecutive_nights", guard)


def add_run_limit(model: cp_model.CpModel, data: RosterData, on: Callable, limit: int, known: frozenset[int],
                  name: str, guard: Guard) -> None:
    """No run of more than `limit` consecutive days with `on(day)`: every window of limit + 1 days has
    at most `limit`, around the horizon when it repeats, else counting the days `known` outside it
    (before it, and after it when the next roster is known)."""
    window = limit + 1
    days = data.days
    if data.scenario.cyclic:
        if window > days:
            model.add(sum(on(d) for d in range(days)) <= days - 1).only_enforce_if(guard(name, None))
            return
        for first in range(days if window < days else 1):
            run = [(first + i) % days for i in range(window)]
            model.add(sum(on(d) for d in run) <= limit).only_enforce_if(guard(name, run[-1]))
        return
    for first in range(1 - window, days):
        run = range(first, first + window)
        planned = [d for d in run if 0 <= d < days]
        allowed = max(0, limit - sum(1 for d in run if d in known))
        if len(planned) > allowed:
            model.add(sum(on(d) for d in planned) <= allowed).only_enforce_if(guard(name, planned[-1]))


def add_rest_after_nights(
    model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard
) -> None:
    """Hard: `rest_after_nights_hours` after the last night of a block: a night shift and any later shift
    starting sooner clash, unless the block goes on: a night on the next day (whose own rest then holds
    what follows), and only while a block as long could reach the later shift (`block_reaches`). The horizon
    wraps when cyclic; a block ending the previous roster holds back the first days, and the first shift
    after the horizon (when known) the last nights."""
    rest = round(data.scenario.config.rules.rest_after_nights_hours * 60)
    reaches = block_reaches(data)
    days = data.days
    cyclic = data.scenario.cyclic
    horizon = data.scenario.config.horizon_minutes
    for day in range(days):
        nights = [(data.shifts[k].shift.end, var) for k, var in mine.by_day[day] if data.shifts[k].night]
        if not nights:
            continue
        latest = max(end for end, _ in nights) + rest
        goes_on = mine.nights_on(data, (day + 1) % days if cyclic else day + 1)
        for gap in range(1, latest // MINUTES_PER_DAY - day + 1):
            later = day + gap
            if later >= days and not cyclic:
                break
            shift_by = horizon if later >= days else 0
            ending_block = [(data.shifts[k].shift.start + shift_by, var) for k, var in mine.by_day[later % days]
                            if not (gap == 1 and data.shifts[k].night)]
            for clique in rest_cliques(nights, ending_block, rest):
                # the next day's night carries the block on: a later day is then its night's to hold
                model.add(sum(clique) <= (1 + goes_on if reaches(gap) else 1)).only_enforce_if(
                    guard("rest_after_nights", later % days))
    previous = data.previous.get(agent.agent_id, PreviousWeek())
    if previous.last_night_day is not None:
        first = previous.last_night_day + 1
        for k, var in (item for day in range(days) for item in mine.by_day[day]):
            facts = data.shifts[k]
            if facts.shift.start < previous.last_end + rest and not (facts.night and facts.day == first):
                goes_on = mine.nights_on(data, first) if reaches(facts.day - previous.last_night_day) else 0
                model.add(var <= goes_on).only_enforce_if(guard("rest_after_nights", facts.day))
    following = data.following.get(agent.agent_id)
    if following is not None:
        add_rest_before_next_week(model, data, mine, following, rest, reaches, guard)


def block_reaches(data: RosterData) -> Callable[[int], bool]:
    """Whether a night's block may go on to a shift `gap` days after it: through a night on each day between,
    at most `max_consecutive_nights` in all (or the scenario's `night_block`). A longer gap is a clash whatever
    the days between hold, so the constraint stays as tight as the rule allows."""
    scenario = data.scenario
    longest = min(scenario.config.rules.max_consecutive_nights, scenario.night_block or math.inf)
    return lambda gap: 2 <= gap < longest


def add_rest_before_next_week(model: cp_model.CpModel, data: RosterData, mine: AgentShifts, following: NextWeek,
                              rest: int, reaches: Callable[[int], bool], guard: Guard) -> None:
    """A night of the horizon ending less than `rest` before the first shift after it must go on as a
    block: into that shift (a night, on the next day) or into a night of the horizon's next day."""
    for k, var in (item for day in range(data.days) for item in mine.by_day[day]):
        facts = data.shifts[k]
        into_next = following.first_night_day == facts.day + 1  # the block goes on into the next roster's night
        if facts.night and facts.shift.end + rest > following.first_start and not into_next:
            through = following.first_start // MINUTES_PER_DAY - facts.day
            goes_on = mine.nights_on(data, facts.day + 1) if reaches(through) else 0
            model.add(var <= goes_on).only_enforce_if(guard("rest_after_nights", facts.day))


def add_full_weekends_off(
    model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard
) -> None:
    """Hard: at least `min_full_weekends_off` weekends of the horizon without a shift on a weekend day
    or running into one."""
    wanted = data.scenario.config.full_weekends_off
    if wanted == 0:
        return
    touching: dict[int, list] = {week: [] for week in range(data.weeks)}
    for (_, k, _), var in mine.works.items():
        if data.shifts[k].weekend_week is not None:
            touching[data.shifts[k].weekend_week].append(var)
    free = []
    for week, variables in touching.items():
        off = model.new_bool_var(f"weekend off ({agent.agent_id}, week {week + 1})")
        for var in variables:
            model.add_implication(off, var.Not())
        free.append(off)
    model.add(sum(free) >= wanted).only_enforce_if(guard("full_weekends_off", None))


def days_worked(mine: AgentShifts, week: int):
    return sum(mine.on(d) for d in range(7 * week, 7 * week + 7))


def add_days_off(model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard) -> None:
    """Hard: at least `min_days_off` days off in every week."""
    for week in range(data.weeks):
        model.add(days_worked(mine, week) <= 7 - data.scenario.config.rules.min_days_off).only_enforce_if(
            guard("days_off", week_of(data, week)))


def add_max_days(model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard) -> None:
    """Hard: at most the agent's `max_days` working days in every week."""
    if agent.max_days is not None:
        for week in range(data.weeks):
            model.add(days_worked(mine, week) <= agent.max_days).only_enforce_if(
                guard("max_days", week_of(data, week)))


def paid_in_week(data: RosterData, mine: AgentShifts, week: int):
    works = [(k, var) for (_, k, _), var in mine.works.items() if data.shifts[k].day // 7 == week]
    return cp_model.LinearExpr.weighted_sum([var for _, var in works], [data.shifts[k].paid for k, _ in works])


def add_contract_hours(
    model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard
) -> None:
    """Hard: paid hours (length less unpaid breaks) within the contract's [min_hours, max_hours] every
    week; or, with `contract_hours: horizon`, on average over the horizon with no week above
    `max_week_hours`."""
    rules = data.scenario.config.rules
    low, high = round(agent.min_hours * 60), round(agent.max_hours * 60)
    weekly = [paid_in_week(data, mine, week) for week in range(data.weeks)]
    if rules.contract_hours == "horizon":
        model.add(sum(weekly) >= low * data.weeks).only_enforce_if(guard("min_hours", None))
        model.add(sum(weekly) <= high * data.weeks).only_enforce_if(guard("max_hours", None))
        for week, paid in enumerate(weekly):
            model.add(paid <= round(rules.max_week_hours * 60)).only_enforce_if(
                guard("max_week_hours", week_of(data, week)))
        return
    for week, paid in enumerate(weekly):
        model.add(paid >= low).only_enforce_if(guard("min_hours", week_of(data, week)))
        model.add(paid <= high).only_enforce_if(guard("max_hours", week_of(data, week)))


def add_max_nights(model: cp_model.CpModel, data: RosterData, agent: Agent, mine: AgentShifts, guard: Guard) -> None:
    """Hard: at most `max_nights_per_week` nights in every week (agents without night_ok have no night
    shift to take), and at most the agent's `Scenario.night_caps` and at least its `night_floors` in the
    horizon."""
    limit = data.scenario.config.rules.max_nights_per_week
    weeks_nights = [(data.shifts[k].day // 7, var) for (_, k, _), var in mine.works.items() if data.shifts[k].night]
    for week in range(data.weeks):
        in_week = [var for night_week, var in weeks_nights if night_week == week]
        if len(in_week) > limit:
            model.add(sum(in_week) <= limit).only_enforce_if(guard("max_nights", week_of(data, week)))
    nights = [var for _, var in weeks_nights]
    cap = data.scenario.night_caps.get(agent.agent_id)
    if cap is not None and len(nights) > cap:
        model.add(sum(nights) <= cap).only_enforce_if(guard("max_nights", None))
    floor = data.scenario.night_floors.get(agent.agent_id, 0)
    if floor:
        model.add(sum(nights) >= floor).only_enforce_if(guard("min_nights", None))
