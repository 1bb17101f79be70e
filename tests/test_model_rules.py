"""One test per hard rule: the smallest week where the rule bites, solved, then checked by the
independent checker (`scheduler.check.check_roster`), never by the model's own variables."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd

from scheduler.check import check_roster
from scheduler.evaluate import summary, terminal_summary
from scheduler.engine import diagnose
from scheduler.engine.data import RosterData
from scheduler.roster import shifts_from_roster
from scheduler.scenario import (
    Agent,
    BreakRule,
    Demand,
    Scenario,
    ScenarioConfig,
    ShiftTemplate,
    TimeOff,
    WorkRules,
)
from scheduler.shifts import is_night
from scheduler.solve import solve_roster

MONDAY = dt.date(2026, 11, 30)
EVERY_DAY = range(7)


def agent(agent_id: str = "a1", **fields) -> Agent:
    defaults = {"name": agent_id.upper(), "skills": ("voice",), "min_hours": 0, "max_hours": 60}
    return Agent(agent_id=agent_id, **(defaults | fields))


def demand(days, start_hour: float, end_hour: float, required: int = 1, queue: str = "voice") -> list[tuple]:
    """Requirement rows: `required` agents in `queue` from start to end (hours, may pass 24) on each day."""
    rows = []
    for day in days:
        start = dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(days=day, hours=start_hour)
        for hour in range(int((end_hour - start_hour))):
            rows.append((start + dt.timedelta(hours=hour), queue, required))
    return rows


def scenario(
    agents: list[Agent],
    rows: list[tuple],
    templates: tuple[ShiftTemplate, ...] | None = None,
    breaks: tuple[BreakRule, ...] = (),
    queues: tuple[str, ...] = ("voice",),
    time_off: tuple[TimeOff, ...] = (),
    previous: pd.DataFrame | None = None,
    weeks: int = 1,
    **rules,
) -> Scenario:
    """A one-hour-interval week (or `weeks` of them); default shifts: 8 h starting on any whole hour."""
    templates = templates or (ShiftTemplate(name="any", earliest_start=dt.time(0), latest_start=dt.time(23),
                                            start_step_minutes=60, lengths_hours=(8,)),)
    config = ScenarioConfig(
        week_start=MONDAY,
        weeks=weeks,
        interval_minutes=60,
        queues={queue: {} for queue in queues},
        demand=Demand(requirements="requirements.csv"),
        shift_templates=templates,
        breaks=breaks,
        rules=WorkRules(**({"min_days_off": 0} | rules)),
        solver={"time_limit_seconds": 10, "workers": 1},
    )
    table = pd.DataFrame(rows, columns=["interval_start", "queue", "required"])
    table = table.groupby(["interval_start", "queue"], as_index=False)["required"].sum()
    table["contacts"] = 0.0
    table["aht_seconds"] = 0.0
    return Scenario(config=config, agents=tuple(agents), requirements=table, time_off=time_off,
                    previous_roster=previous)


def solve(case: Scenario, time_limit: float = 10):
    result = solve_roster(case, time_limit=time_limit, workers=1)
    assert not result.infeasibility, result.infeasibility
    assert check_roster(result.roster, case) == []
    return result, shifts_from_roster(result.roster, case)


def test_one_shift_per_day():
    # Mornings and evenings both need the one agent: two shifts a day would cover more.
    case = scenario([agent()], demand(EVERY_DAY, 6, 14) + demand(EVERY_DAY, 16, 24), min_rest_hours=0)
    _, shifts = solve(case)
    days = [shift.day for shift in shifts]
    assert len(days) == len(set(days)) == 6  # a repeating week needs a day off (max 6 in a row)


def test_min_rest_between_days():
    # Late on Monday and early on Tuesday tempt a 2 h rest.
    case = scenario([agent()], demand([0], 16, 24) + demand([1], 2, 10), min_rest_hours=11)
    _, shifts = solve(case)
    ordered = sorted(shifts, key=lambda shift: shift.start)
    assert all(b.start - a.end >= 11 * 60 for a, b in zip(ordered, ordered[1:]))
    assert len(shifts) == 1


def test_min_rest_across_the_cyclic_week_boundary():
    # Sunday late and Monday early: in a repeating week they are 2 h apart.
    case = scenario([agent()], demand([6], 16, 24) + demand([0], 2, 10), min_rest_hours=11)
    result, shifts = solve(case)
    assert len(shifts) == 1
    assert result.terms["short_hours"] == 8


def test_max_consecutive_days():
    case = scenario([agent()], demand(EVERY_DAY, 8, 16), max_consecutive_days=3)
    _, shifts = solve(case)
    worked = {shift.day for shift in shifts}
    assert len(worked) == 5  # a repeating week of runs of at most 3 needs 2 days off
    for first in range(7):
        assert not all((first + i) % 7 in worked for i in range(4))


def test_min_days_off_and_max_days():
    case = scenario([agent("a1"), agent("a2", max_days=3)], demand(EVERY_DAY, 8, 16, required=2),
                    min_days_off=2)
    _, shifts = solve(case)
    days = {name: {s.day for s in shifts if s.agent_id == name} for name in ("a1", "a2")}
    assert len(days["a1"]) == 5
    assert len(days["a2"]) == 3


def test_contract_hours_cap_and_minimum():
    # a1 may work 16 h although 56 h are wanted; a2 must work 16 h although nothing is wanted of it.
    capped = scenario([agent("a1", max_hours=16)], demand(EVERY_DAY, 8, 16))
    _, shifts = solve(capped)
    assert sum(shift.length for shift in shifts) == 16 * 60
    idle = scenario([agent("a2", min_hours=16)], demand([0], 8, 9))
    _, shifts = solve(idle)
    assert sum(shift.length for shift in shifts) >= 16 * 60


def test_a_horizon_of_weeks_keeps_every_rule_in_each_week_and_across_them():
    # Two weeks wanting someone every day: runs of at most 3 days must carry over the week boundary.
    case = scenario([agent("a1"), agent("a2")], demand(range(14), 8, 16), weeks=2, max_consecutive_days=3,
                    min_days_off=2, max_nights_per_week=1)
    result, shifts = solve(case)
    assert result.terms["short_hours"] == 0
    assert {shift.day for shift in shifts} == set(range(14))
    for name in ("a1", "a2"):
        worked = {shift.day for shift in shifts if shift.agent_id == name}
        assert not any(all((first + i) % 14 in worked for i in range(4)) for first in range(14))


def test_contract_hours_per_week_or_averaged_over_the_horizon():
    # 16 h wanted in week 1 only, of an agent contracted for 8 h a week.
    wanted = demand([0, 1], 8, 16)
    weekly = scenario([agent(min_hours=8, max_hours=8)], wanted, weeks=2)
    result, shifts = solve(weekly)
    assert sorted(shift.day // 7 for shift in shifts) == [0, 1] and result.terms["short_hours"] == 8
    averaged = scenario([agent(min_hours=8, max_hours=8)], wanted, weeks=2, contract_hours="horizon")
    result, shifts = solve(averaged)
    assert sorted(shift.day for shift in shifts) == [0, 1] and result.terms["short_hours"] == 0
    capped = scenario([agent(min_hours=8, max_hours=8)], wanted, weeks=2, contract_hours="horizon",
                      max_week_hours=12)
    result, shifts = solve(capped)
    assert result.terms["short_hours"] == 8


def test_no_nights_for_agents_without_night_ok():
    case = scenario([agent("day", night_ok=False), agent("night")], demand(EVERY_DAY, 22, 30, required=2))
    _, shifts = solve(case)
    rules = case.config.rules
    assert not [s for s in shifts if s.agent_id == "day" and is_night(s.start, s.end, rules)]
    assert [s for s in shifts if s.agent_id == "night" and is_night(s.start, s.end, rules)]


def test_max_nights_per_week():
    case = scenario([agent()], demand(EVERY_DAY, 22, 30), max_nights_per_week=2)
    _, shifts = solve(case)
    assert sum(is_night(s.start, s.end, case.config.rules) for s in shifts) == 2


def test_max_consecutive_nights():
    case = scenario([agent()], demand(EVERY_DAY, 22, 30), max_nights_per_week=7, max_consecutive_nights=3,
                    rest_after_nights_hours=0)
    _, shifts = solve(case)
    nights = {s.day for s in shifts if is_night(s.start, s.end, case.config.rules)}
    assert len(nights) == 5  # a repeating week of runs of at most 3 nights
    assert not any(all((first + i) % 7 in nights for i in range(4)) for first in range(7))


def test_a_block_of_nights_rests_after_its_last_night_only():
    # Four nights in a row, as max_consecutive_nights allows, then 46 h rest: the rest is owed after
    # Thursday's night, not after each night of the block (that made blocks of at most two nights).
    case = scenario([agent()], demand(range(4), 22, 30))
    result, shifts = solve(case)
    assert sorted(s.day for s in shifts if is_night(s.start, s.end, case.config.rules)) == [0, 1, 2, 3]
    assert result.terms["short_hours"] == 0
    # the same across the week's edge (the week repeats): Saturday to Tuesday
    wrapped = scenario([agent()], demand([5, 6, 0, 1], 22, 30))
    result, shifts = solve(wrapped)
    assert sorted(s.day for s in shifts) == [0, 1, 5, 6] and result.terms["short_hours"] == 0
    # and from last week's roster: its Saturday and Sunday nights go on into Monday's and Tuesday's
    previous = pd.DataFrame([{"agent_id": "a1", "name": "A1", "queue": "voice", "activity": "work",
                              "start": pd.Timestamp(MONDAY) + pd.Timedelta(days=day, hours=22),
                              "end": pd.Timestamp(MONDAY) + pd.Timedelta(days=day + 1, hours=6)} for day in (-2, -1)])
    chained = scenario([agent()], demand([0, 1], 22, 30), previous=previous)
    result, shifts = solve(chained)
    assert sorted(s.day for s in shifts) == [0, 1] and result.terms["short_hours"] == 0


def test_rest_after_a_block_of_nights():
    # Monday's night ends Tuesday 06:00; Thursday 06:00 is 48 h later.
    wanted = demand([0], 22, 30) + demand([3], 6, 14)
    result, _ = solve(scenario([agent()], wanted, rest_after_nights_hours=46))
    assert result.terms["short_hours"] == 0
    result, _ = solve(scenario([agent()], wanted, rest_after_nights_hours=50))
    # both in full would break the rest (the checker in `solve` says the roster keeps it); the best
    # is Monday's night and Thursday from 08:00, 2 h short; the polish may stop at moving the night
    # to Tuesday 04:00 (6 h short): it re-plans one day at a time
    assert 2 <= result.terms["short_hours"] <= 8


def test_full_weekends_off():
    # Someone wanted every day of two weeks: the one agent may work only one of the two weekends.
    case = scenario([agent()], demand(range(14), 8, 16), weeks=2, max_consecutive_days=6)
    result, shifts = solve(case)
    weekends = {s.day // 7 for s in shifts if s.day % 7 >= 5}
    assert len(weekends) == 1 and result.terms["short_hours"] == 8 * 3  # a weekend and a day to break 12 in a row
    both = scenario([agent()], demand(range(14), 8, 16), weeks=2, max_consecutive_days=6, min_full_weekends_off=0)
    _, shifts = solve(both)
    assert {s.day // 7 for s in shifts if s.day % 7 >= 5} == {0, 1}


def test_weekends_carried_from_a_previous_roster_of_several_weeks_count_for_fairness():
    def worked(agent_id: str, day: int) -> dict:
        start = pd.Timestamp(MONDAY) + pd.Timedelta(days=day, hours=8)
        return {"agent_id": agent_id, "name": agent_id.upper(), "queue": "voice", "activity": "work",
                "start": start, "end": start + pd.Timedelta(hours=8)}

    # a1 worked three weekend days in the two weeks before; a2 none.
    previous = pd.DataFrame([worked("a1", -9), worked("a1", -8), worked("a1", -2), worked("a2", -7)])
    case = scenario([agent("a1"), agent("a2")], demand([5], 8, 16), previous=previous)
    result, shifts = solve(case)
    assert [(s.agent_id, s.day) for s in shifts] == [("a2", 5)]
    report = summary(result.roster, case, result)
    assert report["fairness"]["agents"]["a1"] == {"weekends_worked": 0, "weekend_days": 0, "nights": 0,
                                                  "carried_weekend_days": 3, "carried_nights": 0}
    assert report["fairness"]["weekend_days"]["by_agent"] == {"a1": 3, "a2": 1}
    assert report["fairness"]["agents"]["a2"]["weekends_worked"] == 1


def test_skills_availability_and_time_off():
    leave = TimeOff(agent_id="a1", start=dt.datetime(2026, 12, 2), end=dt.datetime(2026, 12, 3), reason="dentist")
    case = scenario(
        [agent("a1", earliest_start=dt.time(9), latest_end=dt.time(17))],
        demand(EVERY_DAY, 0, 24) + demand(EVERY_DAY, 0, 24, queue="chat"),
        queues=("voice", "chat"),
        time_off=(leave,),
    )
    _, shifts = solve(case)
    assert {s.queue for s in shifts} == {"voice"}
    assert all(s.start % 1440 == 9 * 60 for s in shifts)
    assert 2 not in {s.day for s in shifts}


def test_previous_roster_covers_monday_and_constrains_rest():
    # Last week's Sunday 22:00–06:00 shift covers Monday 00:00–06:00 and rests the agent until 17:00.
    previous = pd.DataFrame([{
        "agent_id": "a1", "name": "A1", "queue": "voice", "activity": "work",
        "start": pd.Timestamp("2026-11-29 22:00"), "end": pd.Timestamp("2026-11-30 06:00"),
    }])
    case = scenario([agent()], demand([0], 0, 6) + demand([0], 8, 16), previous=previous, min_rest_hours=11)
    result, shifts = solve(case)
    monday = [s for s in shifts if s.day == 0]
    assert all(s.start >= 17 * 60 for s in monday)
    assert result.terms["short_hours"] == 8  # Monday 08–16 only: the night before covered 00–06


def test_a_previous_shift_with_queue_blocks_covers_each_queue_it_served():
    # Last week's Sunday 22:00–02:00 shift took voice until midnight, then chat: chat is covered on Monday
    # 00–02 (the bound and the block pass read this), voice is not.
    previous = pd.DataFrame([
        {"agent_id": "a1", "name": "A1", "queue": queue, "activity": "work", "start": pd.Timestamp(start),
         "end": pd.Timestamp(end)}
        for queue, start, end in (("voice", "2026-11-29 22:00", "2026-11-30 00:00"),
                                  ("chat", "2026-11-30 00:00", "2026-11-30 02:00"))])
    case = scenario([agent(skills=("voice", "chat"))], demand([0], 0, 2, queue="chat"), queues=("voice", "chat"),
                    previous=previous)
    data = RosterData.build(case)
    per_agent = 60 // data.unit_minutes
    assert data.fixed_coverage == {("chat", 0): per_agent, ("chat", 1): per_agent}


def test_with_last_weeks_roster_sunday_night_still_covers_next_monday_morning():
    # No shift starts before 06:00, so next Monday 00:00–06:00 is covered only by this week's
    # Sunday night (next week's previous roster): it is asked for as this Monday is.
    previous = pd.DataFrame([{
        "agent_id": "a1", "name": "A1", "queue": "voice", "activity": "work",
        "start": pd.Timestamp("2026-11-29 22:00"), "end": pd.Timestamp("2026-11-30 06:00"),
    }])
    templates = (ShiftTemplate(name="day", earliest_start=dt.time(6), latest_start=dt.time(16), lengths_hours=(8,)),
                 ShiftTemplate(name="night", earliest_start=dt.time(20), latest_start=dt.time(23), lengths_hours=(8,)))
    case = scenario([agent(max_hours=40)], demand([0], 0, 6), templates=templates, previous=previous)
    result, shifts = solve(case)
    week_end = 7 * 24 * 60
    (sunday,) = shifts
    assert sunday.day == 6 and sunday.start <= week_end and sunday.end >= week_end + 6 * 60
    assert result.required_hours == 6 and result.terms["short_hours"] == 0  # this week's figures only


def test_uncoverable_week_returns_a_roster_and_the_gap():
    case = scenario([agent(max_hours=40)], demand(EVERY_DAY, 8, 16, required=3))
    result, shifts = solve(case)
    assert len(shifts) == 5
    assert result.terms["short_hours"] == 7 * 8 * 3 - 5 * 8
    assert result.lower_bound_short_hours <= result.terms["short_hours"]


def test_contract_beyond_reach_is_explained_before_solving():
    case = scenario([agent("a7", name="Ada", min_hours=40, max_days=2)], demand([0], 8, 16))
    result = solve_roster(case, time_limit=5, workers=1)
    assert result.status == "INFEASIBLE" and result.roster.empty
    assert "Ada (a7)" in result.infeasibility[0]
    assert "max_days 2" in result.infeasibility[0]


def test_contradicting_rules_are_named():
    # 32 h in 8 h shifts needs 4 days; one day in a row in a repeating week allows 3.
    case = scenario([agent("a9", name="Bo", min_hours=32)], demand([0], 8, 16), max_consecutive_days=1)
    result = solve_roster(case, time_limit=5, workers=1)
    assert result.status == "INFEASIBLE"
    sentence = result.infeasibility[0]
    assert "Bo (a9)" in sentence
    assert "at least 32 paid hours" in sentence and "days in a row" in sentence


def test_lunches_are_staggered_when_coverage_needs_it():
    lunch = BreakRule(name="lunch", activity="lunch", minutes=60, paid=False, min_shift_hours=6,
                      earliest_offset_minutes=180, latest_offset_minutes=300)
    template = ShiftTemplate(name="day", earliest_start=dt.time(8), latest_start=dt.time(8),
                             start_step_minutes=60, lengths_hours=(8,))
    case = scenario([agent("a1"), agent("a2")], demand([0], 8, 16, required=1),
                    templates=(template,), breaks=(lunch,))
    result, shifts = solve(case)
    lunches = sorted(seg[1] for s in shifts if s.day == 0 for seg in s.segments if seg[0] == "lunch")
    assert len(lunches) == 2 and lunches[0] != lunches[1]
    assert result.terms["short_hours"] == 0


def test_alike_agents_are_explained_once_in_one_sentence():
    case = scenario([agent(f"a{i}", name=f"Bo{i}", min_hours=32) for i in range(8)], demand([0], 8, 16),
                    max_consecutive_days=1)
    result = solve_roster(case, time_limit=5, workers=1)
    assert result.status == "INFEASIBLE"
    (sentence,) = result.infeasibility
    assert sentence.startswith("Bo0 (a0), Bo1 (a1) and 6 other agents with the same rules (a2, a3, a4, a5, a6, a7)")
    assert "days in a row" in sentence


def test_diagnosis_stops_at_its_deadline():
    case = scenario([agent("a9", name="Bo", min_hours=32)], demand([0], 8, 16), max_consecutive_days=1)
    data = RosterData.build(case)
    began = time.monotonic()
    assert diagnose.explain(data, [case.agents], deadline=began) == []
    assert time.monotonic() - began < 1
    assert "days in a row" in diagnose.explain(data, [case.agents], deadline=began + 30)[0]


def test_hours_no_agent_may_work_are_named_per_queue_and_reach_the_summary():
    # Neither agent works nights: 8-hour shifts covering 00:00–04:00 all have 3 h or more in the night.
    case = scenario([agent("a1", night_ok=False), agent("a2", night_ok=False)], demand(EVERY_DAY, 0, 24))
    result = solve_roster(case, time_limit=5, workers=1)
    (warning,) = result.warnings
    assert warning.startswith("voice: no agent may work Mon 00:00–04:00, Tue 00:00–04:00")
    assert ("Sun 00:00–04:00 (only night shifts cover them and none of the 2 agents skilled for voice works nights)"
            in warning)
    report = summary(result.roster, case, result)
    assert report["warnings"] == [warning]
    assert f"Warning: {warning}" in terminal_summary(report)


def test_hours_outside_every_agents_availability_or_skills_are_named():
    case = scenario([agent("a1", earliest_start=dt.time(8), latest_end=dt.time(20))],
                    demand([2], 6, 9) + demand([2], 10, 12, queue="chat"), queues=("voice", "chat"))
    warnings = diagnose.uncovered_hours(RosterData.build(case))
    assert warnings == [
        "voice: no agent may work Wed 06:00–08:00 (the availability and time off of the agents skilled for voice "
        "leave them out), so those hours stay short whatever the roster.",
        "chat: no agent may work Wed 10:00–12:00 (no agent is skilled for chat), so those hours stay short "
        "whatever the roster.",
    ]


def test_shifts_are_template_shifts_serving_one_queue():
    # Voice only in the mornings, chat only in the evenings: the agents, skilled for both, get
    # each shift from a template that offers its start, length and queue, one queue a shift.
    templates = (ShiftTemplate(name="early", earliest_start=dt.time(6), latest_start=dt.time(6), lengths_hours=(8,),
                               queues=("voice",)),
                 ShiftTemplate(name="late", earliest_start=dt.time(14), latest_start=dt.time(14), lengths_hours=(8,),
                               queues=("chat",)))
    agents = [agent("a1", skills=("voice", "chat")), agent("a2", skills=("voice", "chat"))]
    case = scenario(agents, demand(EVERY_DAY, 6, 14) + demand(EVERY_DAY, 14, 22, queue="chat"),
                    templates=templates, queues=("voice", "chat"), min_rest_hours=0)
    _, shifts = solve(case)
    assert {(s.start % 1440, s.queues) for s in shifts} == {(6 * 60, ("voice",)), (14 * 60, ("chat",))}


def with_email(case: Scenario, arrivals: list[tuple[str, float]], response_hours: float = 8,
               **email) -> Scenario:
    """The case with a deferred `email` queue: (time, contacts) of 10-minute emails, required as they arrive."""
    queues = {**{name: target.model_dump(exclude_unset=True) for name, target in case.config.queues.items()},
              "email": {"kind": "deferred", "response_hours": response_hours, **email}}
    config = ScenarioConfig.model_validate({**case.config.model_dump(exclude_unset=True), "queues": queues})
    rows = pd.DataFrame([{"interval_start": pd.Timestamp(when), "queue": "email", "required": round(count / 6 + 0.49),
                          "contacts": float(count), "aht_seconds": 600.0} for when, count in arrivals])
    requirements = pd.concat([case.requirements, rows], ignore_index=True)
    return Scenario(config=config, agents=case.agents, requirements=requirements, time_off=case.time_off,
                    previous_roster=case.previous_roster)


def test_deferred_work_fills_the_voice_trough_in_queue_blocks():
    # One 08:00–16:00 shift; voice needs the agent 08–10 and 14–16 only; 12 emails (2 h of work) arrive at
    # 08:00. Only working email in the trough keeps voice whole and answers every email in time.
    # The second agent has no email skill: its shift stays on voice.
    only_eight = (ShiftTemplate(name="d", earliest_start=dt.time(8), latest_start=dt.time(8), lengths_hours=(8,)),)
    voice = demand([0], 8, 10, required=2) + demand([0], 14, 16, required=2) + demand([0], 10, 14)
    case = with_email(scenario([agent(skills=("voice", "email")), agent("a2", min_hours=8)], voice,
                               templates=only_eight), [("2026-11-30 08:00", 12)])
    result, shifts = solve(case)
    mine = {shift.agent_id: shift for shift in shifts}
    assert [queue for queue, _, _ in mine["a1"].blocks] == ["voice", "email", "voice"]
    assert mine["a2"].queues == ("voice",)
    report = summary(result.roster, case, result)
    assert report["deferred"]["email"]["on_time"] == 1.0
    assert report["hours"]["by_queue"]["voice"]["short"] == 0
    # nothing costs less than this roster's 0, which the switching master's bound proves
    assert result.terms["short_hours"] == result.terms["lost_contacts"] == 0 and result.objective == 0
    assert result.status == "OPTIMAL" and result.best_bound == 0
    # Blocks at least 3 h long leave no way but to miss voice or email: never a shorter block.
    tight = with_email(scenario(case.agents, voice, templates=only_eight, min_queue_block_minutes=180),
                       [("2026-11-30 08:00", 12)])
    result, shifts = solve(tight)
    assert all(end - start >= 180 for shift in shifts for _, start, end in shift.blocks if len(shift.blocks) > 1)
    # Email opening at noon: its block cannot start before.
    noon = with_email(scenario(case.agents, voice, templates=only_eight), [("2026-11-30 08:00", 12)],
                      open_hours="12:00-24:00")
    _, shifts = solve(noon)
    email = [start for shift in shifts for queue, start, _ in shift.blocks if queue == "email"]
    assert email and min(email) >= 12 * 60


def test_an_unreachable_response_target_is_explained_in_words():
    # Emails arriving at 20:00 with 2 h to answer them, but email is open 08:00–18:00 only.
    case = with_email(scenario([agent(skills=("voice", "email"))], demand([0], 8, 16)),
                      [("2026-11-30 10:00", 6), ("2026-11-30 20:00", 18)], response_hours=2, open_hours="08:00-18:00")
    result = solve_roster(case, time_limit=10, workers=1)
    [sentence] = [s for s in result.warnings if s.startswith("email")]
    assert "18 of its 24 contacts arrive while it is closed" in sentence and "at most 25%" in sentence
    nobody = with_email(scenario([agent()], demand([0], 8, 16)), [("2026-11-30 10:00", 6)])
    assert any("no agent is skilled for it" in s for s in solve_roster(nobody, time_limit=10, workers=1).warnings)


def test_work_beyond_what_the_skilled_agents_can_reach_in_the_open_hours_is_explained():
    # 40 h of email a week, open only 22:00–06:00, and the one agent skilled for it works no nights: the
    # few evening hours its shifts can reach are far too few, whatever its contract allows.
    case = with_email(scenario([agent(skills=("voice", "email"), night_ok=False, max_hours=40)], demand([0], 8, 16)),
                      [("2026-11-30 10:00", 240)], response_hours=24, open_hours="22:00-06:00")
    result = solve_roster(case, time_limit=10, workers=1)
    [sentence] = [s for s in result.warnings if s.startswith("email")]
    assert "its 40.0 h of work are more than the" in sentence and "inside its open hours (22:00-06:00)" in sentence
    report = summary(result.roster, case, result)["deferred"]["email"]
    assert report["on_time"] < 0.5 and report["mean_response_hours"] >= 20  # waits are counted, not shown as 0 h


def test_a_queue_block_pass_out_of_time_keeps_its_starting_roster(monkeypatch):
    # On a busy machine the pass may find nothing in its time: the roster is then its start (idle voice
    # chunks handed to email), which keeps every rule, instead of a traceback.
    from scheduler.engine.run import Run

    solve_stage = Run.solve

    def nothing_for_blocks(self, model, seconds, stage, scale, **options):
        return ("UNKNOWN", None) if stage == "queue blocks" else solve_stage(self, model, seconds, stage, scale, **options)

    monkeypatch.setattr(Run, "solve", nothing_for_blocks)
    only_eight = (ShiftTemplate(name="d", earliest_start=dt.time(8), latest_start=dt.time(8), lengths_hours=(8,)),)
    voice = demand([0], 8, 10, required=2) + demand([0], 14, 16, required=2) + demand([0], 10, 14)
    case = with_email(scenario([agent(skills=("voice", "email")), agent("a2", min_hours=8)], voice,
                               templates=only_eight), [("2026-11-30 08:00", 12)])
    result, shifts = solve(case)
    assert result.status == "FEASIBLE" and any("email" in shift.queues for shift in shifts)
