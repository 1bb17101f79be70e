"""The independent roster checker: each rule on the smallest roster where it bites.

Scenarios and rosters are built by hand here (never from the CP-SAT model), in the week of
Monday 3 June 2024. Unless a test says otherwise a scenario has no break rules, so a shift is
one work row, and the default templates: day shifts starting 06:00–16:00 of 4, 6, 8 or 10 h and
night shifts starting 20:00–23:00 of 8 or 10 h, every day, on every queue.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from forecasts.staffing import REQUIREMENT_COLUMNS
from scheduler.check import Violation, check_roster, format_violations
from scheduler.roster import ROSTER_COLUMNS, shifts_from_roster
from scheduler.scenario import (
    Agent,
    BreakRule,
    Scenario,
    ScenarioConfig,
    ShiftTemplate,
    TimeOff,
    WorkRules,
    default_breaks,
)
from tabular import InputError

WEEK = dt.date(2024, 6, 3)  # a Monday
NAMES = {"A1": "Anna Berg", "A2": "Ben Cole", "Z9": "Zed Stranger"}
# An 8 h shift under the default break rules: breaks at 1:30 and 6:30 h in, lunch at 4 h in.
EIGHT_HOURS = [("work", 90), ("break", 15), ("work", 135), ("lunch", 30), ("work", 120), ("break", 15), ("work", 75)]


def agent(agent_id: str = "A1", **fields) -> Agent:
    values = dict(name=NAMES[agent_id], skills=("sales",), min_hours=0, max_hours=60) | fields
    return Agent(agent_id=agent_id, **values)


def scenario(
    *agents: Agent,
    breaks=(),
    templates=None,
    time_off=(),
    previous: pd.DataFrame | None = None,
    weeks: int = 1,
    **rules,
) -> Scenario:
    extra = {"shift_templates": templates} if templates else {}
    config = ScenarioConfig(
        week_start=WEEK,
        weeks=weeks,
        demand={"requirements": "unused.csv"},
        queues={"sales": {}, "support": {}},
        breaks=breaks,
        rules=WorkRules(**rules),
        **extra,
    )
    return Scenario(
        config=config,
        agents=agents or (agent(),),
        requirements=pd.DataFrame(columns=REQUIREMENT_COLUMNS),
        time_off=tuple(time_off),
        previous_roster=previous,
    )


def at(day: int, clock: str) -> dt.datetime:
    """Day 0 is Monday 3 June; negative days are last week."""
    return dt.datetime.combine(WEEK, dt.time.fromisoformat(clock)) + dt.timedelta(days=day)


def shift(agent_id: str, day: int, clock: str, pieces, queue: str = "sales") -> list[dict]:
    """Rows of one shift: `pieces` are (activity, minutes) laid end to end from the start,
    or a number of hours for a shift of one work segment."""
    if not isinstance(pieces, list):
        pieces = [("work", round(pieces * 60))]
    rows, cursor = [], at(day, clock)
    for activity, minutes in pieces:
        end = cursor + dt.timedelta(minutes=minutes)
        rows.append(
            dict(agent_id=agent_id, name=NAMES[agent_id], queue=queue, activity=activity, start=cursor, end=end)
        )
        cursor = end
    return rows


def roster(*shifts: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for rows in shifts for row in rows], columns=ROSTER_COLUMNS)


def single(violations: list[Violation], rule: str) -> Violation:
    """The one violation found, which must be of `rule` (so nothing else fired)."""
    assert [v.rule for v in violations] == [rule], format_violations(violations)
    return violations[0]


def assert_mentions(violation: Violation, *words: str) -> None:
    for word in words:
        assert word in violation.message, violation.message


# --------------------------------------------------------------------------------------------
# A clean roster
# --------------------------------------------------------------------------------------------


def test_a_roster_keeping_every_rule_has_no_violation():
    """Breaks anywhere in their window (09:37 is off the half-hour grid), nights across
    midnight, a Sunday night running into next week, contracts met to the minute."""
    anna = agent("A1", min_hours=37.5, max_hours=37.5, night_ok=False, max_days=5)
    nights = dict(earliest_start=dt.time(20), latest_end=dt.time(8))  # a window across midnight
    ben = agent("A2", skills=("sales", "support"), min_hours=15, max_hours=15, **nights)
    off_grid = [("work", 97), ("break", 15), ("work", 128), *EIGHT_HOURS[3:]]
    table = roster(
        shift("A1", 0, "08:00", off_grid),
        *(shift("A1", day, "08:00", EIGHT_HOURS) for day in range(1, 5)),
        shift("A2", 5, "22:00", EIGHT_HOURS, queue="support"),
        shift("A2", 6, "22:00", EIGHT_HOURS, queue="support"),
    )
    leave = TimeOff(agent_id="A1", start=at(5, "00:00"), end=at(7, "00:00"), reason="weekend away")

    assert check_roster(table, scenario(anna, ben, breaks=default_breaks(), time_off=[leave])) == []


# --------------------------------------------------------------------------------------------
# One rule each
# --------------------------------------------------------------------------------------------


def test_unknown_agent():
    found = single(check_roster(roster(shift("Z9", 0, "08:00", 8)), scenario()), "unknown_agent")
    assert (found.agent_id, found.day) == ("Z9", None)
    assert_mentions(found, "Zed Stranger (Z9)", "1 shift")


def test_a_start_no_template_offers():
    found = single(check_roster(roster(shift("A1", 0, "07:10", 8)), scenario()), "shift_type")
    assert (found.agent_id, found.day) == ("A1", WEEK)
    assert_mentions(found, "Anna Berg (A1)", "Mon 07:10–15:10", "8 h")


def test_a_length_no_template_offers():
    found = single(check_roster(roster(shift("A1", 1, "08:00", 7)), scenario()), "shift_type")
    assert found.day == WEEK + dt.timedelta(days=1)
    assert_mentions(found, "Tue 08:00–15:00", "7 h")


def test_a_queue_the_templates_of_that_shift_do_not_serve():
    templates = [
        ShiftTemplate(name="sales days", earliest_start=dt.time(8), latest_start=dt.time(8), queues=("sales",)),
        ShiftTemplate(name="support late", earliest_start=dt.time(14), latest_start=dt.time(14), queues=("support",)),
    ]
    anna = agent(skills=("sales", "support"))
    found = single(
        check_roster(roster(shift("A1", 0, "08:00", 8, queue="support")), scenario(anna, templates=templates)),
        "shift_queue",
    )
    assert_mentions(found, "Anna Berg (A1)", "'support'", "Mon 08:00–16:00", "only sales")


def test_queue_blocks_within_a_shift_are_allowed():
    anna = agent(skills=("sales", "support"))
    table = roster(shift("A1", 0, "08:00", 4), shift("A1", 0, "12:00", 2, queue="support"), shift("A1", 0, "14:00", 2))
    assert check_roster(table, scenario(anna)) == []


def test_too_many_queue_switches_in_a_shift():
    anna = agent(skills=("sales", "support"))
    blocks = [shift("A1", 0, f"{8 + 2 * i:02d}:00", 2, queue=("sales", "support")[i % 2]) for i in range(4)]
    found = single(check_roster(roster(*blocks), scenario(anna)), "queue_switches")
    assert_mentions(found, "Anna Berg (A1)", "3 times", "Mon 08:00–16:00", "at most 2", "support 10:00–12:00")


def test_a_queue_block_shorter_than_the_minimum_counts_breaks_inside_it():
    anna = agent(skills=("sales", "support"))
    # support 12:00–12:30, then a 15-minute break and sales again from 12:45: the block is 45 minutes.
    short = roster(shift("A1", 0, "08:00", 4), shift("A1", 0, "12:00", [("work", 30), ("break", 15)], queue="support"),
                   shift("A1", 0, "12:45", [("work", 195)]))
    breaks = (BreakRule(name="b", minutes=15, min_shift_hours=8, earliest_offset_minutes=240,
                        latest_offset_minutes=300),)
    found = single(check_roster(short, scenario(anna, breaks=breaks)), "queue_block_length")
    assert_mentions(found, "'support' only 12:00–12:45 (45 min)", "at least 60 min")
    assert check_roster(short, scenario(anna, breaks=breaks, min_queue_block_minutes=45)) == []


def test_each_queue_block_needs_the_skill():
    found = single(check_roster(roster(shift("A1", 0, "08:00", 4), shift("A1", 0, "12:00", 4, queue="support")),
                                scenario()), "skill")
    assert_mentions(found, "'support'", "only for sales")


def test_a_queue_the_scenario_does_not_have():
    found = single(check_roster(roster(shift("A1", 0, "08:00", 8, queue="billing")), scenario()), "unknown_queue")
    assert_mentions(found, "Anna Berg (A1)", "'billing'", "Mon 08:00–16:00", "sales and support")


def test_a_queue_outside_the_agents_skills():
    found = single(check_roster(roster(shift("A1", 2, "08:00", 8, queue="support")), scenario()), "skill")
    assert found.day == WEEK + dt.timedelta(days=2)
    assert_mentions(found, "Anna Berg (A1)", "'support'", "Wed 08:00–16:00", "only for sales")


def test_a_missing_break():
    without_afternoon_break = [*EIGHT_HOURS[:5], ("work", 90)]
    table = roster(shift("A1", 0, "08:00", without_afternoon_break))
    found = single(check_roster(table, scenario(breaks=default_breaks())), "breaks")
    assert_mentions(found, "Anna Berg (A1)", "Mon 08:00–16:00", "shifts of 8 h get", "15 min break (afternoon break)")


def test_a_lunch_too_long():
    long_lunch = [*EIGHT_HOURS[:3], ("lunch", 45), ("work", 105), *EIGHT_HOURS[5:]]
    table = roster(shift("A1", 0, "08:00", long_lunch))
    found = single(check_roster(table, scenario(breaks=default_breaks())), "breaks")
    assert_mentions(found, "45 min lunch at 12:00", "30 min lunch (lunch)")


def test_a_lunch_outside_its_window():
    late_lunch = [("work", 90), ("break", 15), ("work", 225), ("lunch", 30), ("work", 30), ("break", 15), ("work", 75)]
    table = roster(shift("A1", 0, "08:00", late_lunch))
    found = single(check_roster(table, scenario(breaks=default_breaks())), "breaks")
    assert_mentions(found, "Anna Berg (A1)", "lunch", "Mon 08:00–16:00", "at 13:30", "between 11:00 and 13:00")


def test_two_shifts_starting_on_one_day():
    table = roster(shift("A1", 0, "06:00", 4), shift("A1", 0, "14:00", 4))
    found = single(check_roster(table, scenario(min_rest_hours=0)), "one_shift_per_day")
    assert found.day == WEEK
    assert_mentions(found, "Anna Berg (A1)", "2 shifts", "Mon 3 Jun", "Mon 06:00–10:00 and Mon 14:00–18:00")


def test_a_missing_work_segment_splits_the_shift():
    """A deleted work segment leaves a gap: two short shifts on one day with no rest between."""
    table = roster(shift("A1", 0, "08:00", 2), shift("A1", 0, "10:15", 5.75))
    rules = {v.rule for v in check_roster(table, scenario())}
    assert {"shift_type", "one_shift_per_day", "rest"} <= rules


def test_too_little_rest_between_two_shifts():
    table = roster(shift("A1", 0, "14:00", 8), shift("A1", 1, "06:00", 8))
    found = single(check_roster(table, scenario()), "rest")
    assert found.day == WEEK + dt.timedelta(days=1)
    assert found.message == (
        "Anna Berg (A1) has 8 h rest between the shift ending Mon 22:00 and the one starting Tue 06:00; "
        "the minimum is 11 h."
    )


def test_more_days_in_a_row_than_allowed():
    table = roster(*(shift("A1", day, "08:00", 4) for day in range(4)))
    found = single(check_roster(table, scenario(max_consecutive_days=3)), "consecutive_days")
    assert found.day == WEEK + dt.timedelta(days=3)  # the first day over the limit
    assert_mentions(found, "Anna Berg (A1)", "4 days in a row", "Mon 3 Jun to Thu 6 Jun", "the most is 3")


def test_fewer_days_off_than_the_minimum():
    table = roster(*(shift("A1", day, "08:00", 4) for day in (0, 2, 4)))
    found = single(check_roster(table, scenario(min_days_off=5)), "days_off")
    assert found.day is None
    assert_mentions(found, "Anna Berg (A1)", "3 days", "Mon, Wed and Fri", "5 days off", "the most is 2")


def test_more_days_than_the_agents_limit():
    table = roster(shift("A1", 0, "08:00", 4), shift("A1", 2, "08:00", 4))
    found = single(check_roster(table, scenario(agent(max_days=1))), "max_days")
    assert_mentions(found, "Anna Berg (A1)", "2 days", "Mon and Wed", "limit is 1 day")


def test_days_over_both_limits_are_one_violation_of_the_tighter():
    six_days = roster(*(shift("A1", day, "08:00", 4) for day in range(6)))
    own = single(check_roster(six_days, scenario(agent(max_days=5), min_days_off=2)), "max_days")
    assert_mentions(own, "6 days", "limit is 5 days")
    rule = single(check_roster(six_days, scenario(agent(max_days=5), min_days_off=3)), "days_off")
    assert_mentions(rule, "6 days", "3 days off", "the most is 4")


def test_paid_hours_below_the_contract():
    found = single(check_roster(roster(shift("A1", 0, "08:00", 8)), scenario(agent(min_hours=16))), "contract_hours")
    assert found.day is None
    assert_mentions(found, "Anna Berg (A1)", "paid 8 h", "16 to 60 h")


def test_an_agent_without_shifts_still_owes_contract_hours():
    found = single(check_roster(roster(), scenario(agent(min_hours=20))), "contract_hours")
    assert_mentions(found, "Anna Berg (A1)", "paid 0 h", "20 to 60 h")


def test_unpaid_lunches_do_not_count_towards_the_contract():
    """Three 8 h shifts are 24 h long but paid 22.5 h: 30 minutes of unpaid lunch each."""
    table = roster(*(shift("A1", day, "08:00", EIGHT_HOURS) for day in range(3)))
    found = single(
        check_roster(table, scenario(agent(min_hours=23, max_hours=24), breaks=default_breaks())), "contract_hours"
    )
    assert_mentions(found, "paid 22.5 h", "23 to 24 h")


def test_paid_hours_above_the_contract():
    table = roster(*(shift("A1", day, "08:00", 8) for day in range(2)))
    found = single(check_roster(table, scenario(agent(max_hours=12))), "contract_hours")
    assert_mentions(found, "paid 16 h", "0 to 12 h")


def test_a_shift_outside_the_agents_availability():
    anna = agent(earliest_start=dt.time(9), latest_end=dt.time(18))
    found = single(check_roster(roster(shift("A1", 0, "08:00", 8)), scenario(anna)), "availability")
    assert_mentions(found, "Anna Berg (A1)", "Mon 08:00–16:00", "09:00 to 18:00")


def test_a_shift_during_time_off():
    leave = TimeOff(agent_id="A1", start=at(1, "00:00"), end=at(2, "00:00"), reason="dentist")
    found = single(check_roster(roster(shift("A1", 1, "08:00", 8)), scenario(time_off=[leave])), "time_off")
    assert found.day == WEEK + dt.timedelta(days=1)
    assert_mentions(found, "Anna Berg (A1)", "Tue 08:00–16:00", "dentist")


def test_a_night_for_an_agent_who_does_not_work_nights():
    found = single(check_roster(roster(shift("A1", 0, "22:00", 8)), scenario(agent(night_ok=False))), "night_ok")
    assert found.day == WEEK
    assert_mentions(found, "Anna Berg (A1)", "Mon 22:00–06:00", "does not work nights")


def test_more_nights_than_allowed():
    table = roster(shift("A1", 0, "22:00", 8), shift("A1", 2, "22:00", 8))
    found = single(check_roster(table, scenario(max_nights_per_week=1, rest_after_nights_hours=0)), "max_nights")
    assert_mentions(found, "Anna Berg (A1)", "2 nights", "Mon 22:00–06:00 and Wed 22:00–06:00", "the most is 1")


@pytest.mark.parametrize(("day", "label"), [(-1, "Sun 2 Jun 22:00"), (7, "Mon 10 Jun 22:00")])
def test_a_shift_starting_in_another_week(day, label):
    found = single(check_roster(roster(shift("A1", day, "22:00", 8)), scenario()), "outside_week")
    assert found.day == WEEK + dt.timedelta(days=day)
    assert_mentions(found, "Anna Berg (A1)", label, "Mon 3 Jun to Sun 9 Jun")


# --------------------------------------------------------------------------------------------
# Across the week boundary: last week's roster, or else the week wraps around
# --------------------------------------------------------------------------------------------

NO_PREVIOUS_SHIFTS = roster()


def test_a_sunday_night_leaves_too_little_rest_before_monday_when_the_week_repeats():
    table = roster(shift("A1", 0, "08:00", 4), shift("A1", 6, "22:00", 8))
    found = single(check_roster(table, scenario()), "rest")
    assert found.day == WEEK
    assert_mentions(
        found, "2 h rest", "ending Mon 06:00 next week", "starting Mon 08:00 next week", "week repeats", "11 h"
    )


def test_with_last_weeks_roster_the_week_does_not_wrap_for_rest():
    table = roster(shift("A1", 0, "08:00", 4), shift("A1", 6, "22:00", 8))
    assert check_roster(table, scenario(previous=NO_PREVIOUS_SHIFTS)) == []


def test_rest_after_last_weeks_sunday_night():
    last_week = roster(shift("A1", -1, "22:00", 8))
    table = roster(shift("A1", 0, "08:00", 4))
    found = single(check_roster(table, scenario(previous=last_week)), "rest")
    assert found.day == WEEK
    assert_mentions(found, "2 h rest", "ending Mon 06:00 and the one starting Mon 08:00;")
    assert check_roster(table, scenario()) == []  # cyclic: this week has no Sunday night


def test_days_in_a_row_over_the_weekend_when_the_week_repeats():
    table = roster(*(shift("A1", day, "08:00", 4) for day in (0, 1, 5, 6)))
    found = single(check_roster(table, scenario(max_consecutive_days=3)), "consecutive_days")
    assert found.day == WEEK + dt.timedelta(days=1)  # Tuesday is the fourth of Sat, Sun, Mon, Tue
    assert_mentions(found, "4 days in a row", "Sat 8 Jun to Tue 11 Jun", "week repeats", "the most is 3")
    assert check_roster(table, scenario(max_consecutive_days=3, previous=NO_PREVIOUS_SHIFTS)) == []


def test_days_in_a_row_counting_last_weeks_roster():
    last_week = roster(*(shift("A1", day, "08:00", 4) for day in (-3, -2, -1)))
    table = roster(shift("A1", 0, "08:00", 4))
    found = single(check_roster(table, scenario(max_consecutive_days=3, previous=last_week)), "consecutive_days")
    assert found.day == WEEK
    assert_mentions(found, "4 days in a row", "Fri 31 May to Mon 3 Jun", "last week's roster", "the most is 3")
    assert check_roster(table, scenario(max_consecutive_days=3)) == []


def test_working_every_day_of_a_repeating_week_never_gives_a_day_off():
    table = roster(*(shift("A1", day, "08:00", 4) for day in range(7)))
    found = single(check_roster(table, scenario(max_consecutive_days=7, min_days_off=0)), "consecutive_days")
    assert found.day is None
    assert_mentions(found, "every day of the week", "7 days in a row")


# --------------------------------------------------------------------------------------------
# A horizon of several weeks: the weekly rules in each week, rest and days in a row across them
# --------------------------------------------------------------------------------------------


def test_days_off_are_counted_in_each_week_of_the_horizon():
    table = roster(*(shift("A1", day, "08:00", 4) for day in (0, 1, 2, 3, 7, 8, 9, 10, 11, 12)))
    found = single(check_roster(table, scenario(weeks=2, max_consecutive_days=7)), "days_off")
    assert found.day == WEEK + dt.timedelta(days=7)
    assert_mentions(found, "6 days in the week of Mon 10 Jun", "the most is 5")


def test_contract_hours_hold_in_every_week_of_the_horizon():
    table = roster(*(shift("A1", day, "08:00", 8) for day in (0, 1, 2, 7)))
    found = single(check_roster(table, scenario(agent(min_hours=16, max_hours=24), weeks=2)), "contract_hours")
    assert found.day == WEEK + dt.timedelta(days=7)
    assert_mentions(found, "paid 8 h in the week of Mon 10 Jun", "16 to 24 h")


def test_contract_hours_over_the_horizon_average_the_weeks_and_cap_each_one():
    uneven = roster(*(shift("A1", day, "08:00", 8) for day in (0, 1, 2, 7)))
    averaged = scenario(agent(min_hours=16, max_hours=16), weeks=2, contract_hours="horizon", max_week_hours=20)
    found = single(check_roster(uneven, averaged), "contract_hours")
    assert found.day == WEEK
    assert_mentions(found, "paid 24 h in the week of Mon 3 Jun", "exceed 20 h (max_week_hours)")
    short = single(check_roster(roster(shift("A1", 0, "08:00", 8)), averaged), "contract_hours")
    assert short.day is None
    assert_mentions(short, "paid 4 h in the average week of the 2 weeks", "16 to 16 h")


def test_days_in_a_row_run_on_from_one_week_into_the_next():
    table = roster(*(shift("A1", day, "08:00", 4) for day in (4, 5, 6, 7)))
    found = single(check_roster(table, scenario(weeks=2, max_consecutive_days=3)), "consecutive_days")
    assert found.day == WEEK + dt.timedelta(days=7)
    assert_mentions(found, "4 days in a row", "Fri 7 Jun to Mon 10 Jun", "the most is 3")
    assert "repeat" not in found.message


def test_rest_across_a_week_boundary_inside_the_horizon_and_around_its_end():
    inside = roster(shift("A1", 6, "22:00", 8), shift("A1", 7, "08:00", 4))
    found = single(check_roster(inside, scenario(weeks=2)), "rest")
    assert_mentions(found, "ending Mon 10 Jun 06:00", "starting Mon 10 Jun 08:00;")
    around = roster(shift("A1", 0, "08:00", 4), shift("A1", 13, "22:00", 8))
    wrapped = single(check_roster(around, scenario(weeks=2)), "rest")
    assert wrapped.day == WEEK
    assert_mentions(wrapped, "the 2 weeks repeat")
    assert check_roster(around, scenario(weeks=2, previous=NO_PREVIOUS_SHIFTS)) == []


def test_nights_are_counted_per_week_and_shifts_past_the_horizon_are_outside_it():
    nights = roster(shift("A1", 0, "22:00", 8), shift("A1", 8, "22:00", 8))
    assert check_roster(nights, scenario(weeks=2, max_nights_per_week=1)) == []
    found = single(check_roster(roster(shift("A1", 14, "08:00", 4)), scenario(weeks=2)), "outside_week")
    assert_mentions(found, "outside the 2 weeks Mon 3 Jun to Sun 16 Jun")


def test_more_nights_in_a_row_than_allowed_counting_last_weeks_roster():
    last_week = roster(shift("A1", -2, "22:00", 8), shift("A1", -1, "22:00", 8))
    table = roster(*(shift("A1", day, "22:00", 8) for day in (0, 1)))
    found = single(check_roster(table, scenario(previous=last_week, max_consecutive_nights=3)), "consecutive_nights")
    assert found.day == WEEK + dt.timedelta(days=1)
    assert_mentions(found, "4 nights in a row", "Sat 1 Jun to Tue 4 Jun", "last week's roster", "the most is 3")
    assert check_roster(table, scenario(max_consecutive_nights=3)) == []


def test_rest_after_a_block_of_nights_but_not_inside_it():
    block = roster(shift("A1", 0, "22:00", 8), shift("A1", 1, "22:00", 8), shift("A1", 3, "14:00", 8))
    found = single(check_roster(block, scenario()), "rest_after_nights")
    assert found.day == WEEK + dt.timedelta(days=3)
    assert_mentions(found, "32 h rest after the night ending Wed 06:00 before the shift starting Thu 14:00",
                    "the minimum is 46 h")
    assert check_roster(block, scenario(rest_after_nights_hours=32)) == []
    around = roster(shift("A1", 0, "08:00", 8), shift("A1", 5, "22:00", 8))  # Sat night, then Mon 08:00 again
    wrapped = single(check_roster(around, scenario()), "rest_after_nights")
    assert_mentions(wrapped, "26 h rest", "(the week repeats)")


def test_full_weekends_off_in_a_horizon():
    friday_night = roster(shift("A1", 4, "22:00", 8), shift("A1", 12, "08:00", 4))
    found = single(check_roster(friday_night, scenario(weeks=3, min_full_weekends_off=2)), "full_weekends_off")
    assert found.day is None
    assert_mentions(found, "1 full weekend off in the 3 weeks", "weekends of Sat 8 Jun and Sat 15 Jun",
                    "the minimum is 2")
    assert check_roster(friday_night, scenario(weeks=3, min_full_weekends_off=1)) == []
    assert check_roster(friday_night, scenario(weeks=4)) == []  # by default 2 of 4


# --------------------------------------------------------------------------------------------
# Shifts from the roster table
# --------------------------------------------------------------------------------------------


def test_segments_joining_end_to_start_make_one_shift_across_midnight():
    table = roster(shift("A2", 6, "22:00", EIGHT_HOURS), shift("A1", 0, "08:00", 4))
    anna, ben = shifts_from_roster(table, scenario(breaks=default_breaks()))
    assert (anna.agent_id, anna.start, anna.end, anna.queue) == ("A1", 480, 720, "sales")
    assert (ben.start, ben.end, ben.day, len(ben.segments)) == (6 * 1440 + 1320, 7 * 1440 + 360, 6, 7)
    assert ben.breaks[1] == ("lunch", ben.start + 240, ben.start + 270)


def test_paid_minutes_leave_out_unpaid_lunch_as_the_scenario_does():
    config = scenario(breaks=default_breaks()).config
    [eight] = shifts_from_roster(roster(shift("A1", 0, "08:00", EIGHT_HOURS)), scenario(breaks=default_breaks()))
    assert eight.paid_minutes(config) == config.paid_minutes(480) == 450


def test_an_invalid_roster_is_an_input_error_not_a_violation():
    table = roster(shift("A1", 0, "08:00", 8)).assign(activity="nap")
    with pytest.raises(InputError, match="row 2, column 'activity'"):
        check_roster(table, scenario())


def test_format_violations_lists_rule_and_sentence():
    violations = check_roster(roster(shift("A1", 0, "07:10", 8)), scenario(agent(min_hours=10)))
    text = format_violations(violations)
    assert text.splitlines()[0] == "2 rule violations:"
    assert "shift_type" in text and "Anna Berg (A1) works Mon 07:10–15:10" in text
    assert format_violations([]) == "No rule violated."
