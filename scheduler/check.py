"""The independent checker of every hard rule of a roster.

It reads only the roster table and the scenario, never the CP-SAT model's variables, so the
model's tests can trust it, and it explains each violation in a sentence a planner understands.
Each rule is a small function: per-shift rules take (shift, agent, context), per-agent rules
take (agent, the agent's shifts of the week, context); both yield `Violation`s. Each is an entry
of `scheduler.rules.HARD_RULES` too, beside how the engine keeps the rule.

Conventions:
- the roster spans `weeks` weeks from week_start (the horizon); a shift belongs to the day (and
  the week) it starts on; a shift starting outside the horizon is reported once and left out of
  every other rule; the weekly rules (days off, max_days, nights, contract hours) hold in each
  week, rest and consecutive days across the weeks;
- shifts of an agent id the scenario does not know are reported once per id and not checked
  further; a name differing from agents.csv is ignored (the id is what counts);
- across the horizon's edges, rest and consecutive days look at the previous roster when the
  scenario has one (`scenario.previous_roster`), otherwise the horizon wraps around: the Monday
  after it is its first Monday;
- paid hours are `RosterShift.paid_minutes` (length minus unpaid breaks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from scheduler.availability import time_off_clash, within_window
from scheduler.roster import RosterShift, shifts_from_roster
from scheduler.scenario import DAY_NAMES, MINUTES_PER_DAY, MINUTES_PER_WEEK, Agent, BreakRule, Scenario
from scheduler.shifts import ShiftType, enumerate_shift_types, is_night, weekend_touched


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: the rule's name, the agent, the day it happened (None for the week)."""

    rule: str
    agent_id: str
    day: dt.date | None
    message: str


@dataclass(frozen=True)
class _Context:
    """What the rules share: the scenario and what is derived from it once per check."""

    scenario: Scenario

    @cached_property
    def shift_types(self) -> dict[tuple[int, int], ShiftType]:
        return {(kind.start, kind.length): kind for kind in enumerate_shift_types(self.scenario.config)}

    @cached_property
    def starting_at(self) -> dict[int, list[ShiftType]]:
        found: dict[int, list[ShiftType]] = {}
        for kind in self.shift_types.values():
            found.setdefault(kind.start, []).append(kind)
        return found

    @cached_property
    def absences(self) -> dict[str, list[tuple[int, int]]]:
        """Per agent, its absences (`Scenario.absences`) as (start, end) minutes."""
        found: dict[str, list[tuple[int, int]]] = {}
        for absence in self.scenario.absences:
            span = (self.scenario.minutes(absence.start), self.scenario.minutes(absence.end))
            found.setdefault(absence.agent_id, []).append(span)
        return found

    def template_of(self, shift: RosterShift) -> ShiftType | None:
        """The template shift a roster shift is: the one of its start and length, or, when an absence of
        its agent cut it short, the template shift it began as: one running on into the absence, which
        begins where the shift ends or inside a break that was to follow (the agent leaves at the break)."""
        exact = self.shift_types.get((shift.start, shift.length))
        if exact is not None:
            return exact
        starts = [begin for begin, _ in self.absences.get(shift.agent_id, ()) if begin >= shift.end]
        return next((kind for kind in self.starting_at.get(shift.start, ())
                     if any(begin < kind.end and begin - shift.end <= self.longest_break(kind) for begin in starts)),
                    None)

    def longest_break(self, kind: ShiftType) -> int:
        return max((rule.minutes for rule in self.scenario.config.breaks_for(kind.length)), default=0)

    def absent_weeks(self, agent_id: str) -> set[int]:
        """The weeks of the horizon an absence of the agent touches."""
        week = MINUTES_PER_WEEK
        return {w for begin, end in self.absences.get(agent_id, ()) for w in self.weeks
                if begin < (w + 1) * week and end > w * week}

    @cached_property
    def previous(self) -> dict[str, list[RosterShift]]:
        """Last week's shifts by agent (only those starting before this week)."""
        if self.scenario.previous_roster is None:
            return {}
        shifts = shifts_from_roster(self.scenario.previous_roster, self.scenario, "previous roster")
        return shifts_by_agent(shift for shift in shifts if shift.start < 0)

    @property
    def days(self) -> int:
        return self.scenario.config.days

    @property
    def horizon(self) -> int:
        return self.scenario.config.horizon_minutes

    @property
    def weeks(self) -> range:
        return range(self.scenario.config.weeks)

    def week_day(self, week: int) -> int | None:
        """The day a weekly rule's violation is dated: none in a one-week roster, else the week's Monday."""
        return None if self.scenario.config.weeks == 1 else 7 * week

    def week_name(self, week: int) -> str:
        """`this week`, or `in the week of Mon 3 Mar` in a roster of several weeks."""
        return "this week" if self.scenario.config.weeks == 1 else f"in the week of {_date_label(self.date(7 * week))}"

    def horizon_name(self) -> str:
        weeks = self.scenario.config.weeks
        return "the week" if weeks == 1 else f"the {weeks} weeks"

    def repeats(self) -> str:
        """`the week repeats`, `the 4 weeks repeat`."""
        return f"{self.horizon_name()} repeat{'s' if self.scenario.config.weeks == 1 else ''}"

    def date(self, day: int) -> dt.date:
        return self.scenario.config.week_start + dt.timedelta(days=day)

    def violation(self, rule: str, agent: Agent, day: int | None, message: str) -> Violation:
        return Violation(rule, agent.agent_id, None if day is None else self.date(day), message)


ShiftRule = Callable[[RosterShift, Agent, _Context], Iterable[Violation]]
AgentRule = Callable[[Agent, list[RosterShift], _Context], Iterable[Violation]]


def check_roster(roster: pd.DataFrame, scenario: Scenario) -> list[Violation]:
    """Every hard rule the roster breaks, sorted by agent, then day (week-wide ones first).

    Raises InputError when the roster (or last week's) is not a valid roster table."""
    context = _Context(scenario)
    shifts = shifts_by_agent(shifts_from_roster(roster, scenario))
    found = list(unknown_agents(shifts, scenario))
    for agent in scenario.agents:
        theirs = shifts.get(agent.agent_id, [])
        found += [violation for shift in theirs for violation in outside_week(shift, agent, context)]
        in_week = [shift for shift in theirs if _in_horizon(shift, context)]
        found += [v for shift in in_week for rule in SHIFT_RULES for v in rule(shift, agent, context)]
        found += [v for rule in AGENT_RULES for v in rule(agent, in_week, context)]
    return sorted(found, key=lambda v: (v.agent_id, v.day is not None, v.day or dt.date.min))


def format_violations(violations: list[Violation]) -> str:
    """The violations as terminal lines: a count, then the rule and sentence of each."""
    if not violations:
        return "No rule violated."
    width = max(len(violation.rule) for violation in violations)
    count = f"{len(violations)} rule violation{'s' if len(violations) > 1 else ''}:"
    return "\n".join([count] + [f"  {v.rule:<{width}}  {v.message}" for v in violations])


# --------------------------------------------------------------------------------------------
# Rules about the roster as a whole
# --------------------------------------------------------------------------------------------


def unknown_agents(shifts: dict[str, list[RosterShift]], scenario: Scenario) -> Iterator[Violation]:
    known = {agent.agent_id for agent in scenario.agents}
    for agent_id, theirs in shifts.items():
        if agent_id not in known:
            name = f"{theirs[0].name} ({agent_id})" if theirs[0].name else agent_id
            yield Violation(
                "unknown_agent",
                agent_id,
                None,
                f"The roster has {_count(len(theirs), 'shift')} for {name}, who is not among the scenario's agents.",
            )


def outside_week(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    if not _in_horizon(shift, context):
        first, last = context.date(0), context.date(context.days - 1)
        yield context.violation(
            "outside_week",
            agent,
            shift.day,
            f"{_who(agent)} has a shift starting {_date_label(context.date(shift.day))} "
            f"{_clock(shift.start)}, outside {context.horizon_name()} {_date_label(first)} to {_date_label(last)}; "
            "it belongs to another week's roster.",
        )


# --------------------------------------------------------------------------------------------
# Rules about one shift
# --------------------------------------------------------------------------------------------


def shift_type(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    if context.template_of(shift) is None:
        yield context.violation(
            "shift_type",
            agent,
            shift.day,
            f"{_who(agent)} works {_span(shift)}, but no shift template offers {_hours(shift.length)} shifts "
            f"starting at {_clock(shift.start)} on {_weekday(shift.day)}.",
        )


def shift_queue(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    """The queue must be one the templates offering this start and length serve."""
    kind = context.template_of(shift)
    if kind is None:
        return  # shift_type reports it
    for queue in shift.queues:
        if queue in context.scenario.config.queues and queue not in kind.queues:
            yield context.violation(
                "shift_queue",
                agent,
                shift.day,
                f"{_who(agent)} works queue '{queue}' in the {_span(shift)} shift, but the shift templates "
                f"offering that shift serve only {_join(kind.queues)}.",
            )


def queue_switches(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    """A shift changes queue at most `rules.max_queue_switches_per_shift` times."""
    limit = context.scenario.config.rules.max_queue_switches_per_shift
    blocks = shift.blocks
    if len(blocks) - 1 > limit:
        yield context.violation(
            "queue_switches",
            agent,
            shift.day,
            f"{_who(agent)} switches queue {_count(len(blocks) - 1, 'time')} in the {_span(shift)} shift "
            f"({_join_blocks(blocks)}); at most {limit} allowed (max_queue_switches_per_shift).",
        )


def queue_block_length(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    """In a shift that switches queue, every block lasts at least `rules.min_queue_block_minutes`."""
    shortest = context.scenario.config.rules.min_queue_block_minutes
    blocks = shift.blocks
    if len(blocks) < 2:
        return
    for queue, start, end in blocks:
        if end - start < shortest:
            yield context.violation(
                "queue_block_length",
                agent,
                shift.day,
                f"{_who(agent)} works queue '{queue}' only {_clock(start)}–{_clock(end)} ({end - start} min) in the "
                f"{_span(shift)} shift; a block of one queue lasts at least {shortest} min (min_queue_block_minutes).",
            )


def _join_blocks(blocks: tuple[tuple[str, int, int], ...]) -> str:
    return ", ".join(f"{queue} {_clock(start)}–{_clock(end)}" for queue, start, end in blocks)


def unknown_queue(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    known = context.scenario.config.queues
    for queue in shift.queues:
        if queue not in known:
            yield context.violation(
                "unknown_queue",
                agent,
                shift.day,
                f"{_who(agent)} works queue '{queue}' in the {_span(shift)} shift, which is not one of "
                f"the scenario's queues ({_join(known)}).",
            )


def skill(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    for queue in shift.queues:
        if queue in context.scenario.config.queues and queue not in agent.skills:
            yield context.violation(
                "skill",
                agent,
                shift.day,
                f"{_who(agent)} works queue '{queue}' in the {_span(shift)} shift but is skilled only "
                f"for {_join(agent.skills)}.",
            )


def breaks(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    """Exactly the prescribed breaks, in order, each starting anywhere inside its window.

    A missing work segment leaves a gap, which splits the shift in two: the shift_type,
    one_shift_per_day and rest rules report that. A shift an absence cut short owes the breaks of the
    template shift it began as up to the cut: at least those whose window closed before it."""
    kind = context.template_of(shift)
    due = context.scenario.config.breaks_for(kind.length if kind else shift.length)
    taken = shift.breaks
    if kind is not None and kind.length > shift.length:
        closed = sum(1 for rule in due if rule.latest_offset_minutes + rule.minutes <= shift.length)
        due = due[:max(closed, len(taken))]
    if [(rule.activity, rule.minutes) for rule in due] != [(kind, end - start) for kind, start, end in taken]:
        had = _join([f"a {end - start} min {kind} at {_clock(start)}" for kind, start, end in taken]) or "no breaks"
        owed = _join([f"a {rule.minutes} min {rule.activity} ({rule.name})" for rule in due]) or "no breaks"
        yield context.violation(
            "breaks",
            agent,
            shift.day,
            f"{_who(agent)}'s {_span(shift)} shift has {had}; shifts of {_hours(shift.length)} get {owed}.",
        )
        return
    for rule, (_, start, _) in zip(due, taken):
        if not rule.earliest_offset_minutes <= start - shift.start <= rule.latest_offset_minutes:
            yield context.violation(
                "breaks",
                agent,
                shift.day,
                f"{_who(agent)} takes the {rule.name} of the {_span(shift)} shift at {_clock(start)}; "
                f"it must start between {_window(shift, rule)}.",
            )


def availability(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    if not within_window(agent, shift.start, shift.end):
        earliest = agent.earliest_start.strftime("%H:%M") if agent.earliest_start else "00:00"
        latest = agent.latest_end.strftime("%H:%M") if agent.latest_end else "24:00"
        yield context.violation(
            "availability",
            agent,
            shift.day,
            f"{_who(agent)} works {_span(shift)}, outside their availability of {earliest} to {latest}.",
        )


def time_off(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    reason = time_off_clash(context.scenario, agent.agent_id, shift.start, shift.end)
    if reason is not None:
        yield context.violation(
            "time_off", agent, shift.day, f"{_who(agent)} works {_span(shift)} during time off ({reason})."
        )


def night_ok(shift: RosterShift, agent: Agent, context: _Context) -> Iterator[Violation]:
    if not agent.night_ok and is_night(shift.start, shift.end, context.scenario.config.rules):
        yield context.violation(
            "night_ok",
            agent,
            shift.day,
            f"{_who(agent)} works the night shift {_span(shift)} but does not work nights.",
        )


# --------------------------------------------------------------------------------------------
# Rules about an agent's week
# --------------------------------------------------------------------------------------------


def one_shift_per_day(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    for day in sorted({shift.day for shift in shifts}):
        same_day = [shift for shift in shifts if shift.day == day]
        if len(same_day) > 1:
            yield context.violation(
                "one_shift_per_day",
                agent,
                day,
                f"{_who(agent)} has {len(same_day)} shifts starting on {_date_label(context.date(day))} "
                f"({_join([_span(shift) for shift in same_day])}); an agent works at most one shift a day.",
            )


def rest(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    minimum = context.scenario.config.rules.min_rest_hours * 60
    for earlier_end, later_start, later in _consecutive_shifts(agent, shifts, context):
        gap = later_start - earlier_end
        if gap >= minimum:
            continue
        ending, starting = _moment(earlier_end, context), _moment(later_start, context)
        if gap < 0:  # possible only against last week's roster
            what = f"'s shift starting {starting} begins before the shift ending {ending} is over"
        else:
            what = f" has {_hours(gap)} rest between the shift ending {ending} and the one starting {starting}"
        wraps = f" ({context.repeats()})" if later_start >= context.horizon else ""
        yield context.violation(
            "rest", agent, later.day, f"{_who(agent)}{what}{wraps}; the minimum is {_hours(minimum)}."
        )


def consecutive_days(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    limit = context.scenario.config.rules.max_consecutive_days
    before = context.previous.get(agent.agent_id, [])
    yield from _long_runs("consecutive_days", "days", agent, shifts, before, limit, context)


def _long_runs(rule: str, noun: str, agent: Agent, shifts: list[RosterShift], before: list[RosterShift],
               limit: int, context: _Context) -> Iterator[Violation]:
    """Runs of more than `limit` consecutive days with one of the shifts (`noun`: days or nights), around
    the horizon when it repeats, else counting the shifts `before` it."""
    worked = {shift.day for shift in shifts}
    if context.scenario.cyclic and len(worked) == context.days:
        horizon = context.horizon_name()
        never = "a day off" if noun == "days" else "a day without a night"
        yield context.violation(
            rule,
            agent,
            None,
            f"{_who(agent)} works {'every day' if noun == 'days' else 'a night every day'} of {horizon}, and "
            f"{context.repeats()}, so they never have {never}; the most is {_count(limit, noun[:-1])} in a row.",
        )
        return
    if context.scenario.cyclic:
        days, note = _unrolled(worked, context.days), f" ({context.repeats()})"
    else:
        days = worked | {shift.day for shift in before}
        note = " (counting last week's roster)"
    for first, last in _runs(days):
        length = last - first + 1
        if length > limit and last >= 0:
            beyond = note if first < 0 or last >= context.days else ""
            yield context.violation(
                rule,
                agent,
                max(first + limit, 0) % context.days,  # the first day over the limit, as a day of the horizon
                f"{_who(agent)} works {length} {noun} in a row, {_date_label(context.date(first))} to "
                f"{_date_label(context.date(last))}{beyond}; the most is {limit}.",
            )


def consecutive_nights(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    rules = context.scenario.config.rules
    nights = [shift for shift in shifts if is_night(shift.start, shift.end, rules)]
    before = [shift for shift in context.previous.get(agent.agent_id, []) if is_night(shift.start, shift.end, rules)]
    yield from _long_runs("consecutive_nights", "nights", agent, nights, before, rules.max_consecutive_nights, context)


def rest_after_nights(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    """After the last night of a block (the next shift is not a night on the next day), the next shift
    starts `rest_after_nights_hours` after it ends at the earliest."""
    rules = context.scenario.config.rules
    minimum = rules.rest_after_nights_hours * 60
    for earlier, later_start, later in _shift_pairs(agent, shifts, context):
        gap = later_start - earlier.end
        if not is_night(earlier.start, earlier.end, rules) or gap >= minimum or gap < rules.min_rest_hours * 60:
            continue  # (a gap below min_rest_hours is the rest rule's: one gap, one message)
        later_day = later_start // MINUTES_PER_DAY
        if later_day == earlier.day + 1 and is_night(later.start, later.end, rules):
            continue  # the block goes on
        wraps = f" ({context.repeats()})" if later_start >= context.horizon else ""
        yield context.violation(
            "rest_after_nights", agent, later.day,
            f"{_who(agent)} has {_hours(gap)} rest after the night ending "
            f"{_moment(earlier.end, context)} before the shift starting {_moment(later_start, context)}{wraps}; "
            f"after a block of nights the minimum is {_hours(minimum)}.")


def full_weekends_off(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    """At least the scenario's full weekends off: no shift on a weekend day or running into one."""
    wanted = context.scenario.config.full_weekends_off
    worked = sorted({week for shift in shifts
                     if (week := weekend_touched(shift.start, shift.end, context.scenario.config.rules)) is not None})
    free = context.scenario.config.weeks - len(worked)
    if free < wanted:
        weekends = _join([_date_label(context.date(7 * week + 5)) for week in worked])
        yield context.violation(
            "full_weekends_off", agent, None,
            f"{_who(agent)} has {_count(free, 'full weekend')} off in {context.horizon_name()} (works the "
            f"weekend{'s' if len(worked) > 1 else ''} of {weekends}); the minimum is {wanted}.")


def days_off(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    minimum = context.scenario.config.rules.min_days_off
    for week, theirs in _by_week(shifts, context):
        days = sorted({shift.day for shift in theirs})
        if len(days) > 7 - minimum and not _own_day_limit_binds(agent, context):
            yield context.violation(
                "days_off",
                agent,
                context.week_day(week),
                f"{_who(agent)} works {len(days)} days {context.week_name(week)} "
                f"({_join([_weekday(day) for day in days])}); "
                f"with at least {_count(minimum, 'day')} off the most is {7 - minimum}.",
            )


def max_days(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    for week, theirs in _by_week(shifts, context):
        days = sorted({shift.day for shift in theirs})
        if _own_day_limit_binds(agent, context) and len(days) > agent.max_days:
            yield context.violation(
                "max_days",
                agent,
                context.week_day(week),
                f"{_who(agent)} works {len(days)} days {context.week_name(week)} "
                f"({_join([_weekday(day) for day in days])}); their limit is {_count(agent.max_days, 'day')}.",
            )


def _own_day_limit_binds(agent: Agent, context: _Context) -> bool:
    """The agent's max_days is their limit on working days, not the days-off rule: one limit, one message."""
    return agent.max_days is not None and agent.max_days <= 7 - context.scenario.config.rules.min_days_off


def contract_hours(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    """Each week's paid hours within the contract; with `contract_hours: horizon`, the average week's,
    and no week above `max_week_hours`. The minimum does not hold in a week with an absence (nor, averaged,
    in a horizon with one)."""
    config = context.scenario.config
    weekly = paid_minutes_by_week(shifts, config)
    contract = f"the contract asks for {agent.min_hours:g} to {agent.max_hours:g} h."
    for breach in hours_breaches(agent, weekly, config.rules, context.absent_weeks(agent.agent_id)):
        paid = _hours(breach.minutes)
        if breach.week is None:
            yield context.violation("contract_hours", agent, None,
                                    f"{_who(agent)} is paid {paid} in the average week of {context.horizon_name()}; "
                                    f"{contract}")
            continue
        held = f"no week may exceed {breach.high:g} h (max_week_hours)." if breach.week_cap else contract
        yield context.violation("contract_hours", agent, context.week_day(breach.week),
                                f"{_who(agent)} is paid {paid} {context.week_name(breach.week)}; {held}")


def paid_minutes_by_week(shifts: list[RosterShift], config) -> list[float]:
    """One agent's paid minutes in each week of the horizon (shifts starting outside it left out)."""
    weekly = [0.0] * config.weeks
    for shift in shifts:
        if 0 <= shift.day // 7 < config.weeks:
            weekly[shift.day // 7] += shift.paid_minutes(config)
    return weekly


@dataclass(frozen=True)
class HoursBreach:
    """Paid minutes outside the hours range they are held to."""

    week: int | None  # None: the horizon's average week
    minutes: float
    low: float  # hours
    high: float
    week_cap: bool = False  # the range is `max_week_hours`, not the contract's

    @property
    def over(self) -> bool:
        return self.minutes > self.high * 60


def hours_breaches(agent: Agent, weekly: list[float], rules, excused: set[int]) -> list[HoursBreach]:
    """The figures of an agent's paid minutes in each week of the horizon (`weekly`) that break its contract,
    as the rules hold them: each week's; or with `contract_hours: horizon` the average week's, and each week's
    against `max_week_hours`. The contract's minimum does not hold in the `excused` weeks (or, averaged,
    when any is)."""
    if rules.contract_hours == "horizon" and len(weekly) > 1:
        judged = [HoursBreach(None, sum(weekly) / len(weekly), 0 if excused else agent.min_hours, agent.max_hours)]
        judged += [HoursBreach(week, paid, 0, rules.max_week_hours, week_cap=True) for week, paid in enumerate(weekly)]
    else:
        judged = [HoursBreach(week, paid, 0 if week in excused else agent.min_hours, agent.max_hours)
                  for week, paid in enumerate(weekly)]
    return [breach for breach in judged if not _within(breach.minutes, breach.low, breach.high)]


def _within(minutes: float, low_hours: float, high_hours: float) -> bool:
    # Contract hours may be fractional; a tolerance keeps 37.5 h from failing on float noise.
    return low_hours * 60 - 1e-6 <= minutes <= high_hours * 60 + 1e-6


def max_nights(agent: Agent, shifts: list[RosterShift], context: _Context) -> Iterator[Violation]:
    rules = context.scenario.config.rules
    for week, theirs in _by_week(shifts, context):
        nights = [shift for shift in theirs if is_night(shift.start, shift.end, rules)]
        if len(nights) > rules.max_nights_per_week:
            yield context.violation(
                "max_nights",
                agent,
                context.week_day(week),
                f"{_who(agent)} works {len(nights)} nights {context.week_name(week)} "
                f"({_join([_span(shift) for shift in nights])}); the most is {rules.max_nights_per_week}.",
            )


def _by_week(shifts: list[RosterShift], context: _Context) -> list[tuple[int, list[RosterShift]]]:
    """The shifts of each week of the horizon (every week, worked or not)."""
    return [(week, [shift for shift in shifts if shift.day // 7 == week]) for week in context.weeks]


SHIFT_RULES: tuple[ShiftRule, ...] = (
    shift_type,
    shift_queue,
    queue_switches,
    queue_block_length,
    unknown_queue,
    skill,
    breaks,
    availability,
    time_off,
    night_ok,
)
AGENT_RULES: tuple[AgentRule, ...] = (
    one_shift_per_day,
    rest,
    consecutive_days,
    days_off,
    max_days,
    contract_hours,
    max_nights,
    consecutive_nights,
    rest_after_nights,
    full_weekends_off,
)


# --------------------------------------------------------------------------------------------
# Week boundary
# --------------------------------------------------------------------------------------------


def _consecutive_shifts(
    agent: Agent, shifts: list[RosterShift], context: _Context
) -> list[tuple[int, int, RosterShift]]:
    """(end of a shift, start of the agent's next one, that next shift) for every pair of `_shift_pairs`."""
    return [(earlier.end, later_start, later) for earlier, later_start, later in _shift_pairs(agent, shifts, context)]


def _shift_pairs(
    agent: Agent, shifts: list[RosterShift], context: _Context
) -> list[tuple[RosterShift, int, RosterShift]]:
    """(a shift, the start of the agent's next one, that next shift) for every next shift in the
    horizon, and across its edges: the previous roster's final shift before the first one, or, in a
    cyclic horizon, its last shift before the first one a horizon later."""
    ordered = sorted(shifts, key=lambda shift: shift.start)
    pairs = [(a, b.start, b) for a, b in zip(ordered, ordered[1:])]
    if not ordered:
        return pairs
    first = ordered[0]
    if context.scenario.cyclic:
        pairs.append((ordered[-1], first.start + context.horizon, first))
    else:
        before = context.previous.get(agent.agent_id, [])
        if before:
            pairs.insert(0, (max(before, key=lambda shift: shift.end), first.start, first))
    return pairs


def _unrolled(worked: set[int], days: int) -> set[int]:
    """Days of a cyclic horizon of `days` days (not all worked) where a run over its last Sunday goes
    on into the repeat: when that Sunday is worked, the days before the first day off move on by `days`."""
    if days - 1 not in worked:
        return worked
    off = min(day for day in range(days) if day not in worked)
    return {day + days if day < off else day for day in worked}


def _runs(days: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive days as (first, last)."""
    runs: list[tuple[int, int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# --------------------------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------------------------


def shifts_by_agent(shifts: Iterable[RosterShift]) -> dict[str, list[RosterShift]]:
    grouped: dict[str, list[RosterShift]] = {}
    for shift in shifts:
        grouped.setdefault(shift.agent_id, []).append(shift)
    return grouped


def _in_horizon(shift: RosterShift, context: _Context) -> bool:
    return 0 <= shift.start < context.horizon


def _who(agent: Agent) -> str:
    return f"{agent.name} ({agent.agent_id})"


def _weekday(day: int) -> str:
    return DAY_NAMES[day % 7].title()


def _clock(minutes: int) -> str:
    return f"{minutes % MINUTES_PER_DAY // 60:02d}:{minutes % 60:02d}"


def _moment(minutes: int, context: _Context) -> str:
    """`Tue 23:00`, with `last week`/`next week` outside the horizon, and the date inside a horizon of
    several weeks."""
    when = f"{_weekday(minutes // MINUTES_PER_DAY)} {_clock(minutes)}"
    if minutes < 0:
        return f"{when} last week"
    if minutes >= context.horizon:
        return f"{when} next week"
    if context.days > 7:
        return f"{_date_label(context.date(minutes // MINUTES_PER_DAY))} {_clock(minutes)}"
    return when


def _span(shift: RosterShift) -> str:
    """`Mon 22:00–06:00`: the day it starts and its clock times."""
    return f"{_weekday(shift.day)} {_clock(shift.start)}–{_clock(shift.end)}"


def _window(shift: RosterShift, rule: BreakRule) -> str:
    earliest = shift.start + rule.earliest_offset_minutes
    latest = shift.start + rule.latest_offset_minutes
    return f"{_clock(earliest)} and {_clock(latest)}"


def _date_label(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _hours(minutes: float) -> str:
    """`9.5 h` when tenths of an hour say it exactly, else `6 h 50 min`."""
    if minutes % 6 == 0:
        return f"{minutes / 60:g} h"
    whole, rest = divmod(round(minutes), 60)
    return f"{whole} h {rest} min" if whole else f"{rest} min"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _join(items: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = list(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)
