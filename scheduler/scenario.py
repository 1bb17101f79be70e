"""The roster scenario: the week, queues, demand source, shift templates, breaks, rules, weights.

A scenario lives in a folder:
- `scenario.yaml`: this module's `ScenarioConfig` (unknown keys are errors);
- `agents.csv`: one row per agent (see `Agent`);
- `time_off.csv` (optional): `agent_id, start, end, reason`;
- `previous_roster.csv` (optional): last week's roster in the output format.

Times inside the engine are whole minutes from `week_start` 00:00 (Monday), so a shift
that starts on Sunday at 22:00 starts at minute 6 × 1440 + 1320 and may end past 7 × 1440.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

import pandas as pd

from pydantic import Field, ValidationInfo, field_validator, model_validator

from forecasts.settings import Settings
from forecasts.staffing import QueueTarget, StaffingConfig

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
HOURS_PER_DAY = 24
HOURS_PER_WEEK = 7 * HOURS_PER_DAY
Preference = Literal["early", "day", "late", "night"]


class Strict(Settings):
    """User-facing schema (see `Settings`): unknown keys, NaN, and yes/no or numbers where they mean
    something else are errors; the engine's schemas are frozen."""


def clock_minutes(value: dt.time) -> int:
    """Minutes after midnight of a clock time."""
    return value.hour * 60 + value.minute


class ShiftTemplate(Strict):
    """A family of shifts: every start from `earliest_start` to `latest_start` every `start_step_minutes`,
    with each of `lengths_hours`, on each of `days`. Starts are on the shift's own day; a shift may run past
    midnight (a night shift) and past the end of the week."""

    name: str
    days: tuple[DayName, ...] = DAY_NAMES
    earliest_start: dt.time
    latest_start: dt.time
    start_step_minutes: int = Field(30, gt=0, le=720)
    lengths_hours: tuple[float, ...] = Field((8.0,), min_length=1)
    queues: tuple[str, ...] | None = Field(None, description="queues this template may serve; default all")

    @field_validator("lengths_hours")
    @classmethod
    def _lengths_in_range(cls, lengths: tuple[float, ...]) -> tuple[float, ...]:
        for hours in lengths:
            if not 1 <= hours <= 14:
                raise ValueError(f"shift length {hours} h is outside 1–14 h")
            if (hours * 60) % 15:
                raise ValueError(f"shift length {hours} h is not a whole number of quarter hours")
        return lengths

    @model_validator(mode="after")
    def _start_window(self) -> "ShiftTemplate":
        if self.latest_start < self.earliest_start:
            raise ValueError("latest_start is before earliest_start (use a second template for starts after midnight)")
        return self

    def start_minutes(self) -> list[int]:
        """Start times as minutes after midnight."""
        first, last = clock_minutes(self.earliest_start), clock_minutes(self.latest_start)
        return list(range(first, last + 1, self.start_step_minutes))

    def length_minutes(self) -> list[int]:
        return [round(hours * 60) for hours in self.lengths_hours]


class BreakRule(Strict):
    """A break every shift of at least `min_shift_hours` (and below `max_shift_hours`) gets.

    It starts between `earliest_offset_minutes` and `latest_offset_minutes` after the shift starts.
    Within a shift, the rules apply in the order of their windows, which must not overlap."""

    name: str
    activity: Literal["break", "lunch"] = "break"
    minutes: int = Field(gt=0, le=120)
    paid: bool = True
    min_shift_hours: float = Field(0, ge=0, le=HOURS_PER_DAY)
    max_shift_hours: float | None = Field(None, gt=0, le=HOURS_PER_WEEK)
    earliest_offset_minutes: int = Field(ge=0, le=MINUTES_PER_DAY)
    latest_offset_minutes: int = Field(ge=0, le=MINUTES_PER_DAY)

    @model_validator(mode="after")
    def _window(self) -> "BreakRule":
        if self.latest_offset_minutes < self.earliest_offset_minutes:
            raise ValueError("latest_offset_minutes is before earliest_offset_minutes")
        if self.max_shift_hours is not None and self.max_shift_hours <= self.min_shift_hours:
            raise ValueError("max_shift_hours must be above min_shift_hours")
        return self

    def applies_to(self, length_minutes: int) -> bool:
        hours = length_minutes / 60
        above = hours >= self.min_shift_hours
        below = self.max_shift_hours is None or hours < self.max_shift_hours
        return above and below


class WorkRules(Strict):
    """Hard rules, with defaults a European contact center would expect."""

    min_rest_hours: float = Field(11, ge=0, le=48)
    max_consecutive_days: int = Field(6, ge=1, le=14)
    min_days_off: int = Field(2, ge=0, le=7)
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)
    night_min_hours: float = Field(3, gt=0, le=HOURS_PER_DAY,
                                   description="hours inside the night window that make a shift a night")
    max_nights_per_week: int = Field(5, ge=0, le=7)
    weekend_days: tuple[DayName, ...] = ("sat", "sun")
    contract_hours: Literal["week", "horizon"] = Field(
        "week", description="each week within the contract's hours, or the horizon's average week")
    max_week_hours: float = Field(48, gt=0, le=HOURS_PER_WEEK,
                                  description="paid hours no single week may exceed when contract_hours is horizon")
    min_full_weekends_off: int | None = Field(
        None, ge=0, le=6, description="full weekends off per agent in the horizon; default one in every two weeks")
    max_consecutive_nights: int = Field(4, ge=1, le=14)
    rest_after_nights_hours: float = Field(46, ge=0, le=96, description="rest after the last night of a block")
    min_queue_block_minutes: int = Field(
        60, ge=0, le=MINUTES_PER_DAY, description="shortest stretch of one queue inside a shift that switches queues")
    max_queue_switches_per_shift: int = Field(2, ge=0, le=20, description="changes of queue inside one shift")
    realtime_queue_blocks: bool = Field(
        False, description="agents of several realtime queues may switch between them inside a shift without "
                           "deferred queues too (the queue-block pass runs after the roster)")


# The objective is priced in whole units of 1/COST_SCALE in 64-bit integers: a million per hour leaves room.
MAX_WEIGHT = 1_000_000


class Weights(Strict):
    """Objective weights: the objective is their weighted sum. At the defaults one short agent-hour
    costs as much as 50 over-staffed ones, and fairness and preferences weigh less still."""

    short_hour: float = Field(1000, ge=0, le=MAX_WEIGHT, description="per agent-hour short of the requirement")
    short_contact: float = Field(100, ge=0, le=MAX_WEIGHT,
                                 description="per contact that misses the answer target because of it")
    over_hour: float = Field(20, ge=0, le=MAX_WEIGHT, description="per agent-hour on work above the requirement")
    late_contact: float = Field(20, ge=0, le=MAX_WEIGHT,
                                description="per deferred contact answered after its response time")
    night_spread: float = Field(60, ge=0, le=MAX_WEIGHT,
                                description="per night between the most and least loaded agent")
    weekend_spread: float = Field(60, ge=0, le=MAX_WEIGHT,
                                  description="per weekend day between the most and least loaded agent")
    preference: float = Field(10, ge=0, le=MAX_WEIGHT, description="per shift outside the agent's preferred time of day")
    change: float = Field(200, ge=0, le=MAX_WEIGHT,
                          description="per shift differing from the baseline roster (a re-plan with --baseline)")


MAX_BACKLOG = 1_000_000  # contacts waiting, as for one interval's contacts


class Demand(Strict):
    """Where the interval requirement comes from: exactly one of the three files (paths relative to the folder)."""

    requirements: str | None = None
    forecast: str | None = None
    history: str | None = None
    special_days: str | None = None
    forecast_time_limit_seconds: float | None = Field(
        None, gt=0, le=3600, description="seconds for forecasting a history (none: no limit)")
    backlog: dict[str, float] = Field(
        default_factory=dict, description="deferred contacts waiting at the start of the horizon, per queue")

    @field_validator("backlog")
    @classmethod
    def _backlog_counts(cls, backlog: dict[str, float]) -> dict[str, float]:
        for queue, contacts in backlog.items():
            if not 0 <= contacts <= MAX_BACKLOG:
                raise ValueError(f"backlog of queue '{queue}' must be between 0 and {MAX_BACKLOG:,} contacts, "
                                 f"not {contacts:g}")
        return backlog

    @model_validator(mode="after")
    def _exactly_one(self) -> "Demand":
        given = [name for name in ("requirements", "forecast", "history") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of requirements, forecast or history")
        if self.special_days and not self.history:
            raise ValueError("special_days applies to a history (it shapes the forecast)")
        if self.forecast_time_limit_seconds is not None and not self.history:
            raise ValueError("forecast_time_limit_seconds applies to a history (it limits its forecast)")
        return self


MAX_TIME_LIMIT = 3600
MAX_WEEKS = 6


class SolverSettings(Strict):
    time_limit_seconds: float = Field(30, gt=0, le=MAX_TIME_LIMIT)
    workers: int = Field(2, ge=1, le=64)
    seed: int = Field(0, ge=-(2**31), le=2**31 - 1)  # CP-SAT's random_seed is a 32-bit integer
    deterministic: bool = False  # the same roster on every run: one worker, deterministic time


def default_templates() -> tuple[ShiftTemplate, ...]:
    return (
        ShiftTemplate(
            name="day",
            earliest_start=dt.time(6, 0),
            latest_start=dt.time(16, 0),
            lengths_hours=(4, 6, 8, 10),
        ),
        ShiftTemplate(
            name="night",
            earliest_start=dt.time(20, 0),
            latest_start=dt.time(23, 0),
            lengths_hours=(8, 10),
        ),
    )


def default_breaks() -> tuple[BreakRule, ...]:
    return (
        BreakRule(name="morning break", minutes=15, min_shift_hours=4,
                  earliest_offset_minutes=60, latest_offset_minutes=150),
        BreakRule(name="lunch", activity="lunch", minutes=30, paid=False, min_shift_hours=6,
                  earliest_offset_minutes=180, latest_offset_minutes=300),
        BreakRule(name="afternoon break", minutes=15, min_shift_hours=8,
                  earliest_offset_minutes=360, latest_offset_minutes=420),
    )


class ScenarioConfig(Strict):
    """`scenario.yaml`."""

    week_start: dt.date
    weeks: int = Field(1, ge=1, le=MAX_WEEKS, description="weeks planned at once from week_start")
    interval_minutes: Literal[15, 30, 60] = 30
    queues: dict[str, QueueTarget] = Field(default_factory=lambda: {"default": QueueTarget()})
    demand: Demand
    shift_templates: tuple[ShiftTemplate, ...] = Field(default_factory=default_templates, min_length=1)
    breaks: tuple[BreakRule, ...] = Field(default_factory=default_breaks)
    rules: WorkRules = WorkRules()
    weights: Weights = Weights()
    solver: SolverSettings = SolverSettings()

    @field_validator("week_start")
    @classmethod
    def _monday(cls, day: dt.date) -> dt.date:
        if day.weekday() != 0:
            raise ValueError(f"{day} is a {day:%A}; the week must start on a Monday")
        return day

    @model_validator(mode="after")
    def _consistent(self) -> "ScenarioConfig":
        if not self.queues:
            raise ValueError("queues: name at least one queue")
        if self.full_weekends_off > self.weeks:
            raise ValueError(f"rules.min_full_weekends_off {self.full_weekends_off} is more than the {self.weeks} "
                             f"weekend{'s' if self.weeks > 1 else ''} the horizon has (weeks: {self.weeks})")
        for queue in self.demand.backlog:
            if queue not in self.queues or not self.queues[queue].deferred:
                raise ValueError(f"demand.backlog names queue '{queue}', which is not a deferred queue of queues "
                                 "(kind: deferred); a backlog is carried only by deferred work")
        for template in self.shift_templates:
            for queue in template.queues or ():
                if queue not in self.queues:
                    raise ValueError(f"shift template '{template.name}' names unknown queue '{queue}'")
        for template in self.shift_templates:
            for length in template.length_minutes():
                check_break_windows(self.breaks_for(length), length)
        return self

    @property
    def days(self) -> int:
        """Days of the horizon (day 0 is week_start)."""
        return 7 * self.weeks

    @property
    def horizon_minutes(self) -> int:
        return self.weeks * MINUTES_PER_WEEK

    @property
    def full_weekends_off(self) -> int:
        """Full weekends each agent has off in the horizon: `rules.min_full_weekends_off`, by default
        one in every two weeks (ceil(weeks / 2)); none in a single week, which repeats (one would be
        every weekend off)."""
        if self.rules.min_full_weekends_off is not None:
            return self.rules.min_full_weekends_off
        return math.ceil(self.weeks / 2) if self.weeks > 1 else 0

    @property
    def deferred_queues(self) -> tuple[str, ...]:
        """Queues of deferred work (email, social, back office), in the order they are declared."""
        return tuple(name for name, target in self.queues.items() if target.deferred)

    def staffing_config(self) -> StaffingConfig:
        return StaffingConfig(queues=dict(self.queues))

    def breaks_for(self, length_minutes: int) -> tuple[BreakRule, ...]:
        """The breaks a shift of this length gets, in the order they are taken."""
        rules = [rule for rule in self.breaks if rule.applies_to(length_minutes)]
        return tuple(sorted(rules, key=lambda rule: rule.earliest_offset_minutes))

    def paid_minutes(self, length_minutes: int) -> int:
        unpaid = sum(rule.minutes for rule in self.breaks_for(length_minutes) if not rule.paid)
        return length_minutes - unpaid


def check_break_windows(rules: tuple[BreakRule, ...], length_minutes: int) -> None:
    """Breaks of one shift must fit inside it and cannot overlap whatever offsets are chosen."""
    previous_end = 0
    previous_name = None
    for rule in rules:
        if rule.earliest_offset_minutes < previous_end:
            raise ValueError(
                f"break '{rule.name}' may start before '{previous_name}' has ended "
                f"in a {length_minutes / 60:g} h shift; make their windows disjoint"
            )
        previous_end = rule.latest_offset_minutes + rule.minutes
        previous_name = rule.name
        if previous_end > length_minutes:
            raise ValueError(
                f"break '{rule.name}' can end after a {length_minutes / 60:g} h shift ends; "
                "lower latest_offset_minutes or raise min_shift_hours"
            )


class Agent(Strict):
    """One row of `agents.csv`."""

    agent_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    skills: tuple[str, ...] = Field(min_length=1)
    min_hours: float = Field(ge=0, le=84)
    max_hours: float = Field(ge=0, le=84)
    max_days: int | None = Field(None, ge=0, le=7)
    night_ok: bool = True
    earliest_start: dt.time | None = None
    latest_end: dt.time | None = None
    preferred: Preference | None = None

    @field_validator("max_hours")
    @classmethod
    def _not_below_min_hours(cls, max_hours: float, info: ValidationInfo) -> float:
        min_hours = info.data.get("min_hours")
        if min_hours is not None and min_hours > max_hours:
            raise ValueError(f"min_hours {min_hours:g} is above max_hours {max_hours:g}")
        return max_hours


class TimeOff(Strict):
    """One row of `time_off.csv` (local date-times; may lie partly outside the week)."""

    agent_id: str
    start: dt.datetime
    end: dt.datetime
    reason: str = ""

    @model_validator(mode="after")
    def _order(self) -> "TimeOff":
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


@dataclass(frozen=True)
class Scenario:
    """Everything the engine needs for one week, loaded and validated."""

    config: ScenarioConfig
    agents: tuple[Agent, ...]
    requirements: pd.DataFrame  # interval_start, queue, contacts, aht_seconds, required (this week)
    time_off: tuple[TimeOff, ...] = ()
    previous_roster: pd.DataFrame | None = None  # the output format of last week's roster
    folder: Path | None = None
    baseline: pd.DataFrame | None = None  # a published roster of the horizon that a re-plan changes little
    # Absences reported after publishing (`scheduler.replan`): time off that may cut a shift short
    # and excuses the contract minimum of the weeks it touches.
    absences: tuple[TimeOff, ...] = ()
    notes: tuple[str, ...] = ()  # what loading wants the planner to know, e.g. the forecast's time limit
    # The roster of the weeks after the horizon, when it is known: the last week of a cyclic horizon
    # planned week by week (`engine.weeks`) is followed by its first; rest, runs and nights look into it.
    next_roster: pd.DataFrame | None = None
    # Per agent, the most nights it may work in the horizon: a week planned in turn (`engine.weeks`)
    # holds each night agent to its share of the horizon's nights.
    night_caps: Mapping[str, int] = field(default_factory=dict)
    # Per agent, the fewest nights it must work in the horizon: the last week planned in turn lifts the
    # night agents furthest behind to within the spread fairness allows.
    night_floors: Mapping[str, int] = field(default_factory=dict)
    # Per agent, the queues it may take nights on (absent: all its skills): a week planned in turn keeps
    # agents skilled for several night queues on the one fewest agents can take.
    night_queues: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # The longest block of nights planned (None: `max_consecutive_nights`): a week planned in turn plans
    # shorter blocks than the rules allow, which the horizon's polish may lengthen.
    night_block: int | None = None

    @property
    def week_start(self) -> dt.datetime:
        return dt.datetime.combine(self.config.week_start, dt.time())

    @property
    def cyclic(self) -> bool:
        """Without last week's roster the week wraps around: Sunday night covers Monday morning."""
        return self.previous_roster is None

    def minutes(self, when: dt.datetime | pd.Timestamp) -> int:
        """Whole minutes from the week start (negative before it)."""
        return int((pd.Timestamp(when) - pd.Timestamp(self.week_start)).total_seconds() // 60)

    def timestamp(self, minutes: int) -> dt.datetime:
        return self.week_start + dt.timedelta(minutes=int(minutes))

    def agent(self, agent_id: str) -> Agent:
        for agent in self.agents:
            if agent.agent_id == agent_id:
                return agent
        raise KeyError(agent_id)
