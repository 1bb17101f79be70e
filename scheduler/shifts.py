"""Shift types and their geometry: when they run, which intervals they cover, nights, breaks.

Shared by the CP-SAT model, the independent checker and the evaluation, so that all three
agree on what a shift is. Times are whole minutes from the week start (Monday 00:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence, TypeVar

from scheduler.scenario import (
    DAY_NAMES,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    BreakRule,
    ScenarioConfig,
    WorkRules,
    clock_minutes,
)


@dataclass(frozen=True, order=True)
class ShiftType:
    """A shift on a given day: start (minutes from week start) and length; `queues` it may serve."""

    start: int
    length: int
    queues: tuple[str, ...]

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def day(self) -> int:
        return self.start // MINUTES_PER_DAY

    @property
    def clock_start(self) -> int:
        return self.start % MINUTES_PER_DAY


def enumerate_shift_types(config: ScenarioConfig) -> list[ShiftType]:
    """Every (day, start, length) the templates allow on each day of the horizon, with the union of
    queues of the templates allowing it."""
    queues_of: dict[tuple[int, int], set[str]] = {}
    for template in config.shift_templates:
        queues = set(template.queues or config.queues)
        for day in range(config.days):
            if DAY_NAMES[day % 7] not in template.days:
                continue
            for clock in template.start_minutes():
                for length in template.length_minutes():
                    queues_of.setdefault((day * MINUTES_PER_DAY + clock, length), set()).update(queues)
    return sorted(
        ShiftType(start, length, tuple(sorted(queues))) for (start, length), queues in queues_of.items()
    )


def night_minutes(start: int, end: int, rules: WorkRules) -> int:
    """Minutes of [start, end) inside the nightly window (which may wrap midnight)."""
    window_start = clock_minutes(rules.night_start)
    window_end = clock_minutes(rules.night_end)
    if window_end <= window_start:
        window_end += MINUTES_PER_DAY
    total = 0
    for day in range(start // MINUTES_PER_DAY - 1, end // MINUTES_PER_DAY + 1):
        lo = day * MINUTES_PER_DAY + window_start
        hi = day * MINUTES_PER_DAY + window_end
        total += max(0, min(end, hi) - max(start, lo))
    return total


def is_night(start: int, end: int, rules: WorkRules) -> bool:
    return night_minutes(start, end, rules) >= rules.night_min_hours * 60


def time_of_day(start: int, end: int, rules: WorkRules) -> str:
    """`night`, `early` (starts before 08:00), `day` (before 12:00) or `late`: matched against preferences."""
    if is_night(start, end, rules):
        return "night"
    clock = start % MINUTES_PER_DAY
    if clock < 8 * 60:
        return "early"
    if clock < 12 * 60:
        return "day"
    return "late"


def is_weekend_day(day: int, rules: WorkRules) -> bool:
    return DAY_NAMES[day % 7] in rules.weekend_days


def weekend_touched(start: int, end: int, rules: WorkRules) -> int | None:
    """The week (0 = the first) whose weekend a shift takes away: it starts on one of its weekend days
    or runs into the first of them; None for other shifts (and without weekend days)."""
    if not rules.weekend_days:
        return None
    day = start // MINUTES_PER_DAY
    if is_weekend_day(day, rules):
        return day // 7
    first = min(DAY_NAMES.index(name) for name in rules.weekend_days)
    weekend_start = (day // 7 * 7 + first) * MINUTES_PER_DAY
    return day // 7 if start < weekend_start < end else None


T = TypeVar("T")


def middle(options: Sequence[T]) -> T:
    """Where a break goes until the break pass places it (and where a hand edit puts it): the
    middle of its window's offsets."""
    return options[len(options) // 2]


@dataclass(frozen=True)
class BreakSlot:
    """One break of a shift type and the offsets (minutes after shift start) it may start at."""

    rule: BreakRule
    offsets: tuple[int, ...]


def break_slots(config: ScenarioConfig, length: int) -> tuple[BreakSlot, ...]:
    """Breaks of a shift of this length, offsets stepped by the interval so placements align with coverage."""
    step = config.interval_minutes
    slots = []
    for rule in config.breaks_for(length):
        first = -(-rule.earliest_offset_minutes // step) * step
        offsets = tuple(range(first, rule.latest_offset_minutes + 1, step)) or (rule.earliest_offset_minutes,)
        slots.append(BreakSlot(rule, offsets))
    return tuple(slots)


@dataclass(frozen=True)
class Week:
    """The interval grid of the horizon (`weeks` weeks): interval t covers minutes [t·len, (t+1)·len)
    from the week start. "Next week" below is the week after the horizon."""

    interval_minutes: int
    cyclic: bool = True
    spill: bool = False  # not cyclic: keep next week's first intervals, numbered on from `count`
    weeks: int = 1

    @cached_property
    def count(self) -> int:
        return self.weeks * MINUTES_PER_WEEK // self.interval_minutes

    @property
    def per_week(self) -> int:
        """Intervals in one week."""
        return MINUTES_PER_WEEK // self.interval_minutes

    def worked_minutes(self, start: int, end: int) -> list[tuple[int, int]]:
        """(interval, minutes of it inside [start, end)) for every interval the span reaches into: an
        agent counts toward an interval by the share of it worked. Past the horizon's end intervals
        wrap to Monday when it is cyclic; otherwise they belong to next week and are dropped, or kept
        as they are with `spill`. Before the start they are dropped."""
        size = self.interval_minutes
        worked = []
        for t in range(start // size, -(-end // size)):
            minutes = min(end, (t + 1) * size) - max(start, t * size)
            if t < 0 or minutes <= 0:
                continue
            if t >= self.count:
                if not self.cyclic and not self.spill:
                    continue
                if self.cyclic:
                    t -= self.count
            worked.append((t, minutes))
        return worked


def segments(start: int, length: int, breaks: list[tuple[BreakRule, int]]) -> list[tuple[str, int, int]]:
    """The shift as (activity, start, end) segments given each break's chosen offset."""
    pieces = []
    cursor = start
    for rule, offset in sorted(breaks, key=lambda item: item[1]):
        break_start = start + offset
        if break_start > cursor:
            pieces.append(("work", cursor, break_start))
        pieces.append((rule.activity, break_start, break_start + rule.minutes))
        cursor = break_start + rule.minutes
    if cursor < start + length:
        pieces.append(("work", cursor, start + length))
    return pieces
