"""A horizon of several weeks planned week by week (`scheduler.engine.weeks`): every rule over all the
weeks and the edges (the independent checker), the weekends off shared out by turns, the bound, and
the rules that look into the roster after the horizon."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pandas as pd

from scheduler.check import check_roster
from scheduler.engine.data import RosterData
from scheduler.engine.mix import build_mix_model, lp_relaxation
from scheduler.engine.run import Run
from scheduler.engine.weeks import (NIGHT_CAP_MARGIN, NIGHT_CAP_ROOM, NIGHT_LEAD, NIGHTS_AHEAD, WEEKEND_OWED,
                                    free_for_the_wrap, night_caps, night_floors, night_queues, nights_behind,
                                    nights_rested, plan_in_turn, plans_in_turn, short_bound_units,
                                    rotations, weekend_turn, weekends_owed, wrap_lead_in)
from scheduler.engine.whole_team import WHOLE_MODEL_AGENTS
from scheduler.evaluate import coverage_table
from scheduler.fairness import nights, weekends_worked
from scheduler.roster import ROSTER_COLUMNS, shifts_from_roster
from scheduler.scenario import MINUTES_PER_DAY, MINUTES_PER_WEEK, ShiftTemplate, TimeOff
from scheduler import solve as solve_module
from scheduler.solve import solve_roster
from tests.test_model_rules import EVERY_DAY, MONDAY, agent, demand, scenario

AGENTS = WHOLE_MODEL_AGENTS + 4


# No shift starts before 06:00: Monday's first hours are the Sunday night's before it.
SIX_TO_TEN = (ShiftTemplate(name="any", earliest_start=dt.time(6), latest_start=dt.time(22), start_step_minutes=60,
                            lengths_hours=(8,)),)


def round_the_clock(weeks: int, **rules):
    """More agents than the whole-team model takes, every hour of every day staffed, nights included."""
    rows = [row for week in range(weeks) for row in demand([7 * week + day for day in EVERY_DAY], 0, 24, required=5)]
    return scenario([agent(f"a{i:02d}", min_hours=16, max_hours=40) for i in range(AGENTS)], rows, SIX_TO_TEN,
                    weeks=weeks, min_days_off=2, **rules)


def test_a_cyclic_horizon_planned_week_by_week_keeps_every_rule_over_its_weeks_and_its_wrap():
    # four weeks: the first is planned after a stand-in for the last Sunday night, which the last week
    # then works (in three, two weekends off of three leave the weekends' nights short, and whether the
    # first Sunday night or the last covers a Monday is a tie)
    case = round_the_clock(4)
    assert plans_in_turn(RosterData.build(case))
    result = solve_roster(case, time_limit=30, workers=1)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert check_roster(result.roster, case) == []  # the last Sunday runs into the first Monday
    shifts = shifts_from_roster(result.roster, case)
    assert {shift.day // 7 for shift in shifts} == {0, 1, 2, 3}
    assert any(shift.end > 4 * MINUTES_PER_WEEK for shift in shifts)  # Sunday nights wrap
    assert 0 <= result.lower_bound_short_hours <= result.terms["short_hours"]


def test_the_stand_in_for_the_last_sunday_night_has_each_queues_agents_as_its_monday_asks():
    rows = [row for week in range(4) for queue, required in (("voice", 2), ("chat", 1))
            for row in demand([7 * week + day for day in EVERY_DAY], 0, 24, required=required, queue=queue)]
    team = ([agent(f"v{i}", min_hours=16, max_hours=20) for i in range(3)]
            + [agent("c0", skills=("chat",), min_hours=16, max_hours=40)]
            + [agent(f"x{i:02d}", min_hours=16, max_hours=40) for i in range(AGENTS)])
    case = scenario(team, rows, SIX_TO_TEN, queues=("voice", "chat"), weeks=4, min_days_off=2)
    lead_in = wrap_lead_in(case)
    # the chat agent, though its contract is the largest, and the two smallest voice ones (counted over
    # both queues, the three smallest contracts, all voice, left the chat queue none)
    assert sorted(set(zip(lead_in["agent_id"], lead_in["queue"]))) == [("c0", "chat"), ("v0", "voice"), ("v1", "voice")]


def test_weekends_rotate_within_a_contracts_agents_of_the_same_skills_and_nights():
    team = [agent("v1", max_hours=40), agent("v2", max_hours=40), agent("c1", skills=("voice", "chat"), max_hours=40),
            agent("d1", max_hours=40, night_ok=False), agent("p1", max_hours=20)]
    case = scenario(team, demand(EVERY_DAY, 0, 24), queues=("voice", "chat"), weeks=4)
    teams = sorted(sorted(team) for team in rotations(case, {"v1", "v2", "c1", "d1", "p1"}))
    assert teams == [["c1"], ["d1"], ["p1"], ["v1", "v2"]]


def test_weekends_off_are_shared_out_so_each_agent_gets_its_own_and_works_its_turn():
    case = round_the_clock(4)  # two full weekends off each in four weeks
    result = solve_roster(case, time_limit=40, workers=1)
    assert check_roster(result.roster, case) == []
    worked = weekends_worked(shifts_from_roster(result.roster, case), case.config.rules)
    loads = [worked[agent.agent_id] for agent in case.agents]
    assert max(loads) <= 2 and max(loads) - min(loads) <= 1
    # the last Sunday's nights cover the first Monday's first hours (planned as a week that repeats,
    # the first week left them to agents who then owed the last weekend off: 30 agent-hours short)
    coverage = coverage_table(result.roster, case)
    wrap = coverage[coverage["interval_start"] < pd.Timestamp(MONDAY) + pd.Timedelta(hours=6)]
    assert len(wrap) == 6 and wrap["short"].sum() == 0
    # and the last weekend's nights: the stand-ins worked the Saturday night too, so the first Monday
    # left rested agents enough for it (with a stand-in for the Sunday night alone, 30 agent-hours short)
    starts = coverage["interval_start"]
    early = [(starts >= day) & (starts < day + pd.Timedelta(hours=6))
             for day in (pd.Timestamp(MONDAY) + pd.Timedelta(days=26), pd.Timestamp(MONDAY) + pd.Timedelta(days=27))]
    assert coverage[early[0] | early[1]]["short"].sum() <= 2


def test_a_cyclic_horizon_plans_its_first_week_after_a_stand_in_for_its_last_sunday_night():
    lead_in = wrap_lead_in(round_the_clock(4))
    sunday_night = pd.Timestamp(MONDAY) - pd.Timedelta(hours=2)
    # 5 asked on Monday 00–06, each on the Saturday night too (a block of two rests as long as one)
    assert sorted(set(lead_in["agent_id"])) == ["a00", "a01", "a02", "a03", "a04"]
    saturday_night = sunday_night - pd.Timedelta(days=1)
    for _, nights_worked in lead_in.groupby("agent_id"):
        assert sorted(nights_worked["start"]) == [saturday_night, sunday_night]
        assert (nights_worked["end"] - nights_worked["start"] == pd.Timedelta(hours=8)).all()
    assert wrap_lead_in(round_the_clock(3)) is None  # two weekends off in three: none for both ends
    # in the last week they go first in the weekend's turn, before it last
    owed = {"a": 1, "b": 2, "c": 0, "d": 0, "e": 2}
    assert weekend_turn(owed, 2, Counter({"c": 3, "d": 1}), set(), frozenset({"d"})) == ["c", "a"]
    assert weekend_turn(owed, 2, Counter({"c": 3, "d": 1}), {"d"}) == ["d", "c"]
    # a team of two of them, each owing two weekends off of three left, keep their one weekend to work
    # for the last, even when the share would give one a turn now
    assert weekend_turn({"a": 2, "b": 2}, 3, Counter(), set(), frozenset({"a", "b"})) == []
    assert weekend_turn({"a": 2, "b": 2}, 3, Counter(), set()) == ["a"]


def test_a_weekend_goes_first_to_those_with_most_weekends_free_then_fewest_carried():
    owed = {"a": 1, "b": 2, "c": 0, "d": 0, "e": 2}  # weeks left: 2; "b" and "e" owe both
    carried = Counter({"c": 3, "d": 1})
    assert weekend_turn(owed, 2, carried, set()) == ["d", "c"]  # 5 weekends free, 2 each: round(5 / 2) = 2
    # a's last shift ran into the week: a goes first, within the share, so the later weekends keep theirs
    assert weekend_turn(owed, 2, carried, {"a"}) == ["a", "d"]
    assert weekend_turn(owed, 2, carried, {"a", "b", "c"}) == ["c", "a"]  # b owes both: never in the turn
    assert sorted(weekend_turn(owed, 2, carried, {"a", "c", "d"})) == ["a", "c", "d"]  # more short weeks than the share


def test_the_weeks_bound_is_valid_and_no_weaker_than_nothing_when_the_team_is_too_small():
    rows = [row for week in range(2) for row in demand([7 * week + day for day in EVERY_DAY], 0, 24, required=12)]
    case = scenario([agent(f"a{i:02d}", min_hours=16, max_hours=40) for i in range(AGENTS)], rows, weeks=2,
                    min_days_off=2)
    data = RosterData.build(case)
    units = short_bound_units(data)
    whole = lp_relaxation(build_mix_model(data).model)[0]
    assert 0 < units <= whole + 1e-6  # the weeks' mixes relax the horizon's, which relaxes every roster
    assert short_bound_units(data, deadline=0.0) == 0  # out of time: no week's mix, still a bound
    result = solve_roster(case, time_limit=20, workers=1)
    assert check_roster(result.roster, case) == []
    assert result.lower_bound_short_hours == units * data.unit_hours <= result.terms["short_hours"]


def test_a_known_next_roster_bounds_rest_runs_and_nights_at_the_horizons_end():
    # Next Monday 06:00 the agent starts a day shift after working Monday to Thursday of next week's
    # start: this week's Sunday may end by 19:00 at the latest, and no night may end within 46 h of it.
    next_monday = pd.Timestamp(MONDAY) + pd.Timedelta(weeks=1)
    following = pd.DataFrame([{"agent_id": "a1", "name": "A1", "queue": "voice", "activity": "work",
                               "start": next_monday + pd.Timedelta(days=day, hours=6),
                               "end": next_monday + pd.Timedelta(days=day, hours=14)} for day in range(4)])
    case = dataclasses.replace(scenario([agent()], demand(EVERY_DAY, 0, 24), min_rest_hours=11,
                                        max_consecutive_days=6, previous=following.iloc[:0]), next_roster=following)
    result = solve_roster(case, time_limit=10, workers=1)
    shifts = shifts_from_roster(result.roster, case)
    first_next = 7 * MINUTES_PER_DAY + 6 * 60
    assert shifts and all(shift.end + 11 * 60 <= first_next for shift in shifts)
    nights = [shift for shift in shifts if shift.end % MINUTES_PER_DAY <= 6 * 60 and shift.end > shift.start]
    assert all(shift.end + 46 * 60 <= first_next for shift in nights)
    days = {shift.day for shift in shifts}
    assert not {4, 5, 6} <= days  # with next Monday to Thursday, three days in a row at the end make seven


def test_a_week_whose_turns_leave_an_agent_no_valid_week_is_planned_again_with_only_the_weekends_owed():
    case = round_the_clock(2)
    asked = []

    def solve_week(sub, run):
        asked.append(sub)
        # the first week, with its turns, as if some agent had no valid week the diagnosis found in time
        status = {1: "UNKNOWN", 2: "UNKNOWN"}.get(len(asked), "FEASIBLE")
        return SimpleNamespace(status=status, infeasibility=[], warnings=[], roster=pd.DataFrame(columns=ROSTER_COLUMNS))

    roster = plan_in_turn(case, Run(30, 1, 0, None), 20, solve_week)
    assert roster is not None and len(asked) == 4  # the first week three times, the second once
    turned, plain = asked[1], asked[2]  # (the second try, with twice the time, has the turns too)
    def weekends_off(sub):
        return {leave.agent_id for leave in sub.time_off
                if leave.reason == WEEKEND_OWED and leave.end - leave.start == dt.timedelta(days=1)}

    assert weekends_off(turned)  # half the team's turn is not yet
    assert not weekends_off(plain)  # nobody owes one yet (their weekend nights are kept free of work only)


def with_contract(case, agent_id: str, min_hours: float):
    return dataclasses.replace(case, agents=tuple(
        a.model_copy(update={"min_hours": min_hours}) if a.agent_id == agent_id else a for a in case.agents))


def test_an_agent_who_would_owe_next_weekend_and_has_leave_next_week_takes_this_weekend_off():
    # two weekends off in four weeks; at 36 h of 8-hour shifts a00 has no room for either weekend night
    # (`test_an_agent_owing_the_next_weekend_keeps_the_weekend_nights_its_contract_leaves_room_for`)
    case = with_contract(round_the_clock(4), "a00", 36)
    saturday = pd.Timestamp(MONDAY) + pd.Timedelta(days=5, hours=8)
    worked = pd.DataFrame([{"agent_id": "a00", "name": "A00", "queue": "voice", "activity": "work",
                            "start": saturday, "end": saturday + pd.Timedelta(hours=8)}])
    shifts = shifts_from_roster(worked, case)
    leave = TimeOff(agent_id="a00", start=dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(days=15),
                    end=dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(days=16))
    with_leave = dataclasses.replace(case, time_off=(leave,))
    # after working the first weekend, a00 owes both of the three left: working the second would leave
    # the third and fourth owed, the third with a day of leave
    off = weekends_owed(with_leave, 1, shifts, Counter(), set(), turns=False)
    assert {(o.start.weekday(), o.end - o.start) for o in off if o.agent_id == "a00"} == {
        (5, dt.timedelta(days=1)), (6, dt.timedelta(days=1))}
    nights_only = weekends_owed(case, 1, shifts, Counter(), set(), turns=False)
    assert [o.start.weekday() for o in nights_only if o.agent_id == "a00"] == [5, 6]
    assert all(o.end - o.start == dt.timedelta(hours=8) for o in nights_only if o.agent_id == "a00")
    # a week already short (a Sunday night's rest, leave): its weekend days stay open, its nights do not
    short = weekends_owed(with_leave, 1, shifts, Counter(), {"a00"}, turns=False)
    assert [o for o in short if o.agent_id == "a00"]
    assert all(o.end - o.start == dt.timedelta(hours=8) for o in short if o.agent_id == "a00")


def test_an_agent_owing_the_next_weekend_keeps_the_weekend_nights_its_contract_leaves_room_for():
    # a00 worked the first weekend and owes both of the three left: it may work the second weekend, but
    # after a night the rest (46 h) and the next weekend off leave it Tuesday to Friday (a Saturday
    # night) or Wednesday to Friday (a Sunday night) of 8-hour shifts: 32 or 24 h
    saturday = pd.Timestamp(MONDAY) + pd.Timedelta(days=5, hours=8)
    worked = pd.DataFrame([{"agent_id": "a00", "name": "A00", "queue": "voice", "activity": "work",
                            "start": saturday, "end": saturday + pd.Timedelta(hours=8)}])
    barred = {}
    for min_hours in (16, 28, 36):
        case = with_contract(round_the_clock(4), "a00", min_hours)
        off = weekends_owed(case, 1, shifts_from_roster(worked, case), Counter(), set(), turns=False)
        barred[min_hours] = [o.start.weekday() for o in off if o.agent_id == "a00"]
    assert barred == {16: [], 28: [6], 36: [5, 6]}


def test_when_a_week_gets_no_plan_the_horizon_is_solved_as_a_whole(monkeypatch):
    case = round_the_clock(2)
    monkeypatch.setattr(solve_module, "plan_in_turn", lambda *arguments: None)
    result = solve_roster(case, time_limit=30, workers=1)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert check_roster(result.roster, case) == []


def test_nights_rest_only_agents_whose_nights_others_behind_them_could_take():
    rows = demand(EVERY_DAY, 0, 24, queue="voice") + demand(EVERY_DAY, 0, 24, queue="chat")
    team = [agent("voice_far", skills=("voice",)), agent("voice_behind", skills=("voice",)),
            agent("both_far", skills=("voice", "chat")), agent("chat_far", skills=("chat",)),
            agent("chat_behind", skills=("chat",))]
    case = scenario(team, rows, queues=("voice", "chat"), weeks=2)
    fewest = 1
    worked = Counter({"voice_behind": fewest, "voice_far": fewest + NIGHT_LEAD, "both_far": fewest + NIGHT_LEAD + 1,
                      "chat_behind": fewest + NIGHT_LEAD, "chat_far": fewest + NIGHT_LEAD + 1})
    rested = {leave.agent_id for leave in nights_rested(case, 1, worked) if leave.reason == NIGHTS_AHEAD}
    # voice_far is NIGHT_LEAD ahead of a voice agent who could take its nights; both_far is ahead of the
    # voice agent behind, but its chat nights only chat_behind could take, and it is not far enough ahead
    # of them; chat_far is not NIGHT_LEAD ahead of chat_behind (whom voice_behind could not relieve)
    assert rested == {"voice_far"}


def test_a_weeks_night_caps_hold_each_night_agent_to_the_running_fair_share():
    case = scenario([agent(name) for name in "abcd"], demand(EVERY_DAY, 22, 30), weeks=4)
    worked = Counter({"a": 0, "b": 1, "c": 2, "d": 4})
    # the first week expects the nights its requirements ask: 7 of one agent, a mean of 1.75, 2 rounded up
    assert night_caps(case, 0, Counter(), 0) == {name: 2 + NIGHT_CAP_ROOM for name in "abcd"}
    # after one week of 4 nights: the mean after the next is (7 + 4) / 4 = 2.75, 3 rounded up, and
    # NIGHT_CAP_ROOM more; at the end (7 + 3 × 4) / 4 = 4.75
    assert night_caps(case, 1, worked, 4) == {"a": 4, "b": 3, "c": 2, "d": 0}
    # the week before the last has no room: the last week's nights are left to those who can work them
    assert night_caps(case, 2, worked, 8) == {"a": 3, "b": 2, "c": 1, "d": 0}
    # with 2 nights a week the mean at the end is (7 + 2 × 2) / 4 = 2.75: no agent may go beyond 3
    assert night_caps(case, 2, worked, 4) == {"a": 3, "b": 2, "c": 1, "d": 0}
    assert night_caps(case, 3, worked, 12) == {"a": 3, "b": 2, "c": 1, "d": 0}  # the last week: no room
    assert night_caps(case, 3, worked, 12, spared=Counter({"d": 2}))["d"] == 2  # the wrap's two nights
    # the caps leave room for NIGHT_CAP_MARGIN times the nights expected: 4 a week with 12 worked gives
    # a mean of exactly 4 after, room for only 4 nights; one more each gives 8
    even = Counter({name: 3 for name in "abcd"})
    caps = night_caps(case, 3, even, 12)
    assert sum(caps.values()) >= NIGHT_CAP_MARGIN * 4 and caps == {name: 2 for name in "abcd"}


def test_a_solve_keeps_each_agent_within_its_night_cap():
    case = scenario([agent("capped"), agent("free")], demand(EVERY_DAY, 22, 30, required=2), max_nights_per_week=5)
    result = solve_roster(dataclasses.replace(case, night_caps={"capped": 2}), time_limit=10, workers=1)
    assert check_roster(result.roster, case) == []
    worked = nights(shifts_from_roster(result.roster, case), case.config.rules)
    assert worked["capped"] == 2 < worked["free"]  # alike but for the cap


def test_the_last_week_lifts_the_night_agents_furthest_behind_to_within_the_spread():
    worked = Counter({"a": 4, "b": 3, "c": 1, "d": 0, "e": 0})
    caps = {"a": 1, "b": 2, "c": 3, "d": 5, "e": 5}
    # the most any may end with is 5 (a, b, c), so each must reach 3: c two more, d three (its cap is
    # higher); e, resting (its weekend off, or leave), none
    assert night_floors(worked, caps, frozenset(), {"e"}) == {"c": 2, "d": 3}
    # a spared agent's cap (its wrap night) does not raise the most
    assert night_floors(Counter({"a": 4, "b": 0}), {"a": 1, "b": 4}, Counter({"a": 1}), set()) == {"b": 2}


def test_night_agents_behind_keep_a_weekend_for_the_last_week_whose_nights_lift_them():
    case = scenario([agent(name) for name in "abcd"], demand(EVERY_DAY, 22, 30), weeks=4)
    assert nights_behind(case, Counter({"a": 4, "b": 3, "c": 2, "d": 1})) == {"d"}  # mean 2.5: d is 1.5 behind
    assert nights_behind(case, Counter({"a": 2, "b": 2, "c": 1, "d": 1})) == set()


def test_a_solve_gives_an_agent_at_least_its_night_floor():
    case = scenario([agent("behind"), agent("even")], demand([0, 2], 22, 30), max_nights_per_week=5)
    fair = nights(shifts_from_roster(solve_roster(case, time_limit=10, workers=1).roster, case), case.config.rules)
    assert fair["behind"] == fair["even"] == 1  # two nights, shared out
    result = solve_roster(dataclasses.replace(case, night_floors={"behind": 2}), time_limit=10, workers=1)
    assert check_roster(result.roster, case) == []
    assert nights(shifts_from_roster(result.roster, case), case.config.rules)["behind"] == 2


def test_the_agents_free_for_the_last_sunday_night_are_those_the_first_week_leaves_rested():
    case = round_the_clock(2)
    monday = pd.Timestamp(MONDAY) + pd.Timedelta(weeks=2)  # the first week, after the last
    follows = pd.DataFrame([
        {"agent_id": agent_id, "name": agent_id, "queue": "voice", "activity": "work",
         "start": monday + pd.Timedelta(hours=hours), "end": monday + pd.Timedelta(hours=hours + 8)}
        for agent_id, hours in (("a00", 8), ("a01", 50), ("a02", 52))], columns=ROSTER_COLUMNS)
    # a Sunday night ends on Monday at 06:00, and 46 h of rest after it end on Wednesday at 04:00
    free = free_for_the_wrap(case, follows)
    assert "a00" not in free and "a01" not in free and {"a02", "a03"} <= free
    assert free_for_the_wrap(case, None) == frozenset()


def night_team(voice_only: int) -> list:
    """Agents who may take nights: `voice_only` voice agents, a chat agent and two of both skills."""
    return ([agent(f"voice{i}", skills=("voice",)) for i in range(voice_only)] + [agent("chat", skills=("chat",))]
            + [agent(f"both{i}", skills=("voice", "chat")) for i in range(2)])


def test_agents_of_several_night_queues_take_nights_where_fewest_agents_can():
    rows = demand(EVERY_DAY, 22, 30, queue="voice") + demand(EVERY_DAY, 22, 30, queue="chat")
    # as many nights asked of each queue: chat's fall on 3 agents, voice's on 5, whose 3 voice agents
    # alone carry as many per head as chat's
    case = scenario(night_team(3), rows, queues=("voice", "chat"), weeks=4)
    assert night_queues(case) == {"both0": frozenset({"chat"}), "both1": frozenset({"chat"})}
    data = RosterData.build(dataclasses.replace(case, night_queues=night_queues(case)))
    on = {(data.shifts[k].night, queue) for k, queue in data.eligible["both0"]}
    assert (True, "voice") not in on and {(True, "chat"), (False, "voice"), (False, "chat")} <= on
    # with 2 voice agents alone, they would carry more per head than chat's 3: both skills stay
    assert night_queues(scenario(night_team(2), rows, queues=("voice", "chat"), weeks=4)) == {}
