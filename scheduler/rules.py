"""Every hard rule of a roster in one table: what it is called, how the engine keeps it, how the
independent checker tests it, how the diagnosis says it, and which test shows it.

`HARD_RULES`: an agent's rules over its week are constraints of its CP-SAT model
(`adds`, from `engine.hard_rules`; `add_agent_rules` puts them all in); the rules about a single
shift are kept by construction instead (`kept_by`: the engine only ever offers shifts that keep
them). `check` is the `scheduler.check` function that reports the rule's violations under the
same name, `phrases` say each of the rule's constraints (by the name its `adds` gives them) in
the diagnosis' sentences, and `test` names the test in tests/test_model_rules.py that solves a
week where the rule bites. tests/test_rules.py fails when a part is missing.
(The soft rules and their costs are in `scheduler.costs`.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ortools.sat.python import cp_model

from scheduler import check
from scheduler.engine.blocks import add_block_rules
from scheduler.engine.data import RosterData, day_label, eligible_shifts
from scheduler.engine.hard_rules import (
    AgentShifts,
    Guard,
    add_contract_hours,
    add_days_off,
    add_full_weekends_off,
    add_max_consecutive_days,
    add_max_consecutive_nights,
    add_max_days,
    add_max_nights,
    add_min_rest,
    add_one_shift_per_day,
    add_rest_after_nights,
    no_guard,
)
from scheduler.scenario import Agent
from scheduler.shifts import break_slots, enumerate_shift_types

# A phrase says one of a rule's constraints for an agent, on a day (None: the whole week).
Phrase = Callable[[RosterData, Agent, "int | None"], str]


@dataclass(frozen=True)
class HardRule:
    name: str  # the checker's Violation.rule
    check: Callable  # scheduler.check's function for it
    test: str  # the test in tests/test_model_rules.py where it bites
    adds: Callable | None = None  # adds it to one agent's CP-SAT model: add_*(model, data, agent, mine, guard)
    kept_by: Callable | None = None  # or: what offers only shifts that keep it
    phrases: dict[str, Phrase] | None = None  # the constraints `adds` guards, by name, in words


def on(day: int | None) -> str:
    return f" ({day_label(day)})" if day is not None else ""


def in_week(day: int | None) -> str:
    """A per-week constraint's week (its guard's day is the week's first; None in a one-week horizon)."""
    return f" in week {day // 7 + 1}" if day is not None else ""


def relative_to_monday(minutes: int) -> str:
    side = "before" if minutes < 0 else "after"
    return f"{abs(minutes) / 60:g} h {side} Monday 00:00"


def per_week(data: RosterData, day: int | None) -> str:
    """Which week a contract bound holds in, or that it holds for the horizon's average week."""
    if data.scenario.config.rules.contract_hours == "horizon" and data.weeks > 1:
        return " on average over the weeks"
    return in_week(day)


def rest_after_last_week(data: RosterData, agent: Agent, day: int | None) -> str:
    previous = data.previous.get(agent.agent_id)
    ending = f" (ending {relative_to_monday(previous.last_end)})" if previous else ""
    return f"{data.scenario.config.rules.min_rest_hours:g} h rest after last week's final shift{ending}{on(day)}"


HARD_RULES: tuple[HardRule, ...] = (
    HardRule("shift_type", check.shift_type, "test_shifts_are_template_shifts_serving_one_queue",
             kept_by=enumerate_shift_types),
    HardRule("shift_queue", check.shift_queue, "test_shifts_are_template_shifts_serving_one_queue",
             kept_by=enumerate_shift_types),
    HardRule("queue_switches", check.queue_switches, "test_deferred_work_fills_the_voice_trough_in_queue_blocks",
             kept_by=add_block_rules),
    HardRule("queue_block_length", check.queue_block_length,
             "test_deferred_work_fills_the_voice_trough_in_queue_blocks", kept_by=add_block_rules),
    HardRule("unknown_queue", check.unknown_queue, "test_shifts_are_template_shifts_serving_one_queue",
             kept_by=enumerate_shift_types),
    HardRule("skill", check.skill, "test_skills_availability_and_time_off", kept_by=eligible_shifts),
    HardRule("breaks", check.breaks, "test_lunches_are_staggered_when_coverage_needs_it", kept_by=break_slots),
    HardRule("availability", check.availability, "test_skills_availability_and_time_off", kept_by=eligible_shifts),
    HardRule("time_off", check.time_off, "test_skills_availability_and_time_off", kept_by=eligible_shifts),
    HardRule("night_ok", check.night_ok, "test_no_nights_for_agents_without_night_ok", kept_by=eligible_shifts),
    HardRule("one_shift_per_day", check.one_shift_per_day, "test_one_shift_per_day", adds=add_one_shift_per_day,
             phrases={"one_shift_per_day": lambda data, agent, day: f"one shift a day{on(day)}"}),
    HardRule("rest", check.rest, "test_min_rest_between_days", adds=add_min_rest, phrases={
        "rest": lambda data, agent, day: f"{data.scenario.config.rules.min_rest_hours:g} h rest between shifts{on(day)}",
        "rest_after_last_week": rest_after_last_week,
    }),
    HardRule("consecutive_days", check.consecutive_days, "test_max_consecutive_days", adds=add_max_consecutive_days,
             phrases={"consecutive_days": lambda data, agent, day:
                      f"at most {data.scenario.config.rules.max_consecutive_days} days in a row{on(day)}"}),
    HardRule("days_off", check.days_off, "test_min_days_off_and_max_days", adds=add_days_off,
             phrases={"days_off": lambda data, agent, day: f"at least {data.scenario.config.rules.min_days_off} days off{in_week(day)}"}),
    HardRule("max_days", check.max_days, "test_min_days_off_and_max_days", adds=add_max_days,
             phrases={"max_days": lambda data, agent, day: f"at most {agent.max_days} working days (max_days){in_week(day)}"}),
    HardRule("contract_hours", check.contract_hours, "test_contract_hours_cap_and_minimum", adds=add_contract_hours,
             phrases={
                 "min_hours": lambda data, agent, day: f"at least {agent.min_hours:g} paid hours (min_hours){per_week(data, day)}",
                 "max_hours": lambda data, agent, day: f"at most {agent.max_hours:g} paid hours (max_hours){per_week(data, day)}",
                 "max_week_hours": lambda data, agent, day:
                 f"at most {data.scenario.config.rules.max_week_hours:g} paid hours{in_week(day)} (max_week_hours)",
             }),
    HardRule("max_nights", check.max_nights, "test_max_nights_per_week", adds=add_max_nights,
             phrases={"max_nights": lambda data, agent, day:
                      f"at most {data.scenario.config.rules.max_nights_per_week} nights{in_week(day)}",
                      "min_nights": lambda data, agent, day:
                      f"at least {data.scenario.night_floors.get(agent.agent_id, 0)} nights "
                      "(its share of the horizon's)"}),
    HardRule("consecutive_nights", check.consecutive_nights, "test_max_consecutive_nights",
             adds=add_max_consecutive_nights,
             phrases={"consecutive_nights": lambda data, agent, day:
                      f"at most {data.scenario.config.rules.max_consecutive_nights} nights in a row{on(day)}"}),
    HardRule("rest_after_nights", check.rest_after_nights, "test_rest_after_a_block_of_nights",
             adds=add_rest_after_nights,
             phrases={"rest_after_nights": lambda data, agent, day:
                      f"{data.scenario.config.rules.rest_after_nights_hours:g} h rest after a block of nights{on(day)}"}),
    HardRule("full_weekends_off", check.full_weekends_off, "test_full_weekends_off",
             adds=add_full_weekends_off,
             phrases={"full_weekends_off": lambda data, agent, day:
                      f"at least {data.scenario.config.full_weekends_off} full weekends off"}),
)

PHRASES: dict[str, Phrase] = {name: phrase for rule in HARD_RULES for name, phrase in (rule.phrases or {}).items()}


def add_agent_rules(
    model: cp_model.CpModel,
    data: RosterData,
    agent: Agent,
    works: dict[tuple[str, int, str], cp_model.IntVar],
    guard: Guard = no_guard,
) -> None:
    """Every hard rule of one agent that its model states (`guard` adds enforcement literals when diagnosing)."""
    mine = AgentShifts.of(data, works)
    for rule in HARD_RULES:
        if rule.adds is not None:
            rule.adds(model, data, agent, mine, guard)


def rule_phrase(data: RosterData, agent: Agent, constraint: str, day: int | None) -> str:
    """One of the agent's constraints (a name `add_agent_rules` guards) in words."""
    return PHRASES[constraint](data, agent, day)
