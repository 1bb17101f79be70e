"""Coverage, summary and figures of a roster, on hand-built scenarios and rosters."""

import datetime as dt
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecasts import erlang
from forecasts.staffing import QueueTarget, rostered_service_level
from scheduler.evaluate import coverage_table, summary, terminal_summary
from wfm.plots import coverage_figure, requirement_heatmap, roster_gantt
from scheduler.scenario import Agent, Scenario, ScenarioConfig

MONDAY = dt.date(2026, 11, 23)
DAYS = {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
VOICE = QueueTarget(service_level=0.8, answer_seconds=20, shrinkage=0.3)


def at(day: str, clock: str, weeks: int = 0) -> pd.Timestamp:
    """A time of the scenario's week (or `weeks` later/earlier), e.g. at("sun", "22:00")."""
    return pd.Timestamp(MONDAY) + pd.Timedelta(days=DAYS[day] + 7 * weeks) + pd.Timedelta(f"{clock}:00")


def make_scenario(demand=(), agents=("a1",), queues=None, previous=None, **config) -> Scenario:
    """`demand`: (day, clock, queue, required, contacts, aht); `agents`: ids or Agent objects."""
    requirements = pd.DataFrame(
        [(at(day, clock), queue, contacts, aht, required) for day, clock, queue, required, contacts, aht in demand],
        columns=["interval_start", "queue", "contacts", "aht_seconds", "required"],
    )
    return Scenario(
        config=ScenarioConfig(week_start=MONDAY, demand={"requirements": "unused.csv"},
                              queues=queues or {"voice": VOICE}, **config),
        agents=tuple(agent if isinstance(agent, Agent) else make_agent(agent) for agent in agents),
        requirements=requirements,
        previous_roster=previous,
    )


def make_agent(agent_id: str, **fields) -> Agent:
    values = dict(name=agent_id.upper(), skills=("voice",), min_hours=0, max_hours=60) | fields
    return Agent(agent_id=agent_id, **values)


def make_roster(*segments) -> pd.DataFrame:
    """`segments`: (agent_id, activity, start, end[, queue]); the queue defaults to voice."""
    rows = [(agent, agent.upper(), rest[0] if rest else "voice", activity, start, end)
            for agent, activity, start, end, *rest in segments]
    return pd.DataFrame(rows, columns=["agent_id", "name", "queue", "activity", "start", "end"])


def scheduled_at(coverage: pd.DataFrame, day: str, clocks: list[str], queue: str = "voice") -> list[float]:
    rows = coverage[coverage["queue"] == queue].set_index("interval_start")["scheduled"]
    return [pytest.approx(rows[at(day, clock)]) for clock in clocks]


# --------------------------------------------------------------------------------------------
# Scheduled agents per interval
# --------------------------------------------------------------------------------------------


def test_an_agent_counts_by_the_share_of_the_interval_it_works():
    roster = make_roster(("a1", "work", at("tue", "08:10"), at("tue", "10:05")))
    coverage = coverage_table(roster, make_scenario())
    assert scheduled_at(coverage, "tue", ["07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]) == [
        0, 2 / 3, 1, 1, 1, 1 / 6, 0]
    assert coverage["scheduled"].sum() == pytest.approx(115 / 30)


def test_a_15_minute_break_in_a_30_minute_interval_counts_half_an_agent():
    roster = make_roster(
        ("a1", "work", at("tue", "08:00"), at("tue", "09:15")),
        ("a1", "break", at("tue", "09:15"), at("tue", "09:30"), ""),
        ("a1", "work", at("tue", "09:30"), at("tue", "10:30")),
    )
    coverage = coverage_table(roster, make_scenario())
    assert scheduled_at(coverage, "tue", ["08:00", "08:30", "09:00", "09:30", "10:00"]) == [1, 1, 0.5, 1, 1]


def test_touching_work_rows_cover_the_interval_they_share():
    roster = make_roster(
        ("a1", "work", at("tue", "08:00"), at("tue", "08:15")),
        ("a1", "work", at("tue", "08:15"), at("tue", "09:00")),
    )
    assert scheduled_at(coverage_table(roster, make_scenario()), "tue", ["08:00", "08:30"]) == [1, 1]


def test_work_counts_only_in_its_own_queue():
    queues = {"voice": VOICE, "chat": QueueTarget(concurrency=2)}
    roster = make_roster(("a1", "work", at("wed", "12:00"), at("wed", "13:00"), "chat"))
    coverage = coverage_table(roster, make_scenario(queues=queues))
    assert scheduled_at(coverage, "wed", ["12:00", "12:30"], "chat") == [1, 1]
    assert scheduled_at(coverage, "wed", ["12:00", "12:30"], "voice") == [0, 0]


def test_without_previous_roster_a_sunday_night_wraps_to_monday_morning():
    roster = make_roster(("a1", "work", at("sun", "22:00"), at("mon", "02:00", weeks=1)))
    coverage = coverage_table(roster, make_scenario())
    assert scheduled_at(coverage, "sun", ["22:00", "23:30"]) == [1, 1]
    assert scheduled_at(coverage, "mon", ["00:00", "01:30", "02:00"]) == [1, 1, 0]
    assert coverage["scheduled"].sum() == 8


def test_a_shift_ending_past_the_week_mid_interval_wraps_its_share_to_monday():
    roster = make_roster(("a1", "work", at("sun", "23:00"), at("mon", "00:45", weeks=1)))
    coverage = coverage_table(roster, make_scenario())
    assert scheduled_at(coverage, "mon", ["00:00", "00:30", "01:00"]) == [1, 0.5, 0]


def test_previous_roster_carries_in_and_this_weeks_tail_is_dropped():
    previous = make_roster(("a2", "work", at("sun", "22:00", weeks=-1), at("mon", "03:00")))
    roster = make_roster(("a1", "work", at("sun", "22:00"), at("mon", "02:00", weeks=1)))
    coverage = coverage_table(roster, make_scenario(agents=("a1", "a2"), previous=previous))
    assert scheduled_at(coverage, "mon", ["00:00", "02:30", "03:00"]) == [1, 1, 0]
    assert scheduled_at(coverage, "sun", ["22:00", "23:30"]) == [1, 1]
    assert coverage["scheduled"].sum() == 6 + 4


# --------------------------------------------------------------------------------------------
# Short, over and service level
# --------------------------------------------------------------------------------------------


def test_short_and_over_hours_by_hand():
    # required 2, 2, 1 on Tue 08:00–09:30; a1 works 08:00–09:30, a2 08:30–10:00, a3 08:30–09:00.
    demand = [("tue", "08:00", "voice", 2, 0, None), ("tue", "08:30", "voice", 2, 0, None),
              ("tue", "09:00", "voice", 1, 0, None)]
    roster = make_roster(
        ("a1", "work", at("tue", "08:00"), at("tue", "09:30")),
        ("a2", "work", at("tue", "08:30"), at("tue", "10:00")),
        ("a3", "work", at("tue", "08:30"), at("tue", "09:00")),
    )
    scenario = make_scenario(demand, agents=("a1", "a2", "a3"))
    coverage = coverage_table(roster, scenario)
    # scheduled 1, 3, 2 and 1 at 09:30: short 1 at 08:00; over 1 at 08:30, 09:00 and 09:30.
    assert coverage["short"].sum() == 1 and coverage["over"].sum() == 3
    hours = summary(roster, scenario)["hours"]
    expected = {"required": 2.5, "scheduled": 3.5, "short": 0.5, "over": 1.5, "short_on_breaks": 0.0,
                "coverage_pct": 80.0}
    assert {key: hours[key] for key in expected} == expected
    assert hours["by_queue"]["voice"] == expected


def test_short_staffing_while_agents_are_on_a_break_is_told_apart():
    # Tue 08:00–10:30 needs one agent; a1 works 08:00–10:00 with lunch 09:00–09:30, when the queue is short;
    # nobody works 10:00–10:30, short with nobody on a break.
    demand = [("tue", clock, "voice", 1, 0, None) for clock in ("08:00", "08:30", "09:00", "09:30", "10:00")]
    roster = make_roster(("a1", "work", at("tue", "08:00"), at("tue", "09:00")),
                         ("a1", "lunch", at("tue", "09:00"), at("tue", "09:30")),
                         ("a1", "work", at("tue", "09:30"), at("tue", "10:00")))
    scenario = make_scenario(demand)
    coverage = coverage_table(roster, scenario).set_index("interval_start")
    assert list(coverage.loc[[at("tue", "08:30"), at("tue", "09:00"), at("tue", "10:00")], "on_break"]) == [0, 1, 0]
    report = summary(roster, scenario)
    assert report["hours"]["short"] == 1.0 and report["hours"]["short_on_breaks"] == 0.5
    assert "0.5 h of the short staffing falls while agents of the queue are on a break or lunch" in terminal_summary(report)


def seventeen_of_twenty() -> tuple[pd.DataFrame, Scenario]:
    """100 contacts of 180 s in Tue 08:00 need 20 scheduled (14 on the phones); 17 come (11 on the phones)."""
    agents = [f"a{i:02d}" for i in range(17)]
    roster = make_roster(*[(agent, "work", at("tue", "08:00"), at("tue", "08:30")) for agent in agents])
    return roster, make_scenario([("tue", "08:00", "voice", 20, 100.0, 180.0)], agents=agents)


def expected_for(scheduled: float, target: QueueTarget = VOICE) -> float:
    """The expected service level of `scheduled` agents on 10 Erlangs of 180 s contacts in 30 minutes."""
    return rostered_service_level(np.array([10.0]), np.array([scheduled]), np.array([180.0]), target, 1800.0)[0]


def test_service_level_is_erlang_on_the_agents_left_after_shrinkage_not_floored():
    roster, scenario = seventeen_of_twenty()
    row = coverage_table(roster, scenario).set_index("interval_start").loc[at("tue", "08:00")]
    assert row["scheduled"] == 17 and row["short"] == 3
    # 17 × 0.7 = 11.9 on the phones: not floored to 11
    assert row["service_level"] == pytest.approx(expected_for(17))
    assert row["service_level"] > erlang.service_level(10.0, 11, 180.0, 20.0) + 0.05
    assert row["required_service_level"] == pytest.approx(expected_for(20))


def test_erlang_a_for_a_queue_with_patience():
    patient = QueueTarget(shrinkage=0.3, patience_seconds=120)
    roster, scenario = seventeen_of_twenty()
    scenario = make_scenario([("tue", "08:00", "voice", 20, 100.0, 180.0)], agents=scenario.agents,
                             queues={"voice": patient})
    row = coverage_table(roster, scenario).set_index("interval_start").loc[at("tue", "08:00")]
    assert row["service_level"] == pytest.approx(expected_for(17, patient))
    assert row["service_level"] > erlang.erlang_a_service_level(10.0, 11, 180.0, 20.0, 120.0) + 0.05


def test_intervals_without_contacts_read_full_service():
    coverage = coverage_table(make_roster(), make_scenario([("tue", "08:00", "voice", 2, 0, None)]))
    assert (coverage["service_level"] == 1).all()
    assert len(coverage) == 7 * 48


def test_short_staffing_cost_counts_hours_and_lost_contacts():
    roster, scenario = seventeen_of_twenty()
    report = summary(roster, scenario)
    rules = {rule["rule"]: rule for rule in report["rules"]}
    lost = 100 * (expected_for(20) - expected_for(17))
    short = rules["short staffing"]
    assert short["amount"] == 1.5 and short["lost_contacts"] == pytest.approx(lost, abs=1e-4)
    assert short["cost"] == pytest.approx(1000 * 1.5 + 100 * lost, abs=1e-3)
    assert short["service_level_points"] == pytest.approx(lost, abs=1e-4)  # 100 contacts: 1 contact = 1 point
    level = report["service_level"]["voice"]
    assert level["at_requirement"] - level["expected"] == pytest.approx(lost / 100, abs=1e-4)
    assert rules["over staffing"]["cost"] == 0 and rules["over staffing"]["service_level_points"] == 0


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def test_summary_is_json_and_agrees_with_the_coverage_table():
    queues = {"voice": VOICE, "chat": QueueTarget(service_level=0.9, concurrency=2)}
    demand = [("tue", "08:00", "voice", 3, 40.0, 200.0), ("tue", "08:30", "voice", 4, 60.0, 200.0),
              ("tue", "08:00", "chat", 1, 10.0, 600.0), ("tue", "09:00", "chat", 2, 30.0, 600.0)]
    roster = make_roster(
        ("a1", "work", at("tue", "08:00"), at("tue", "10:00")),
        ("a2", "work", at("tue", "08:00"), at("tue", "09:00")),
        ("a3", "work", at("tue", "08:30"), at("tue", "10:00"), "chat"),
    )
    scenario = make_scenario(demand, agents=("a1", "a2", "a3"), queues=queues)
    coverage = coverage_table(roster, scenario)
    report = json.loads(json.dumps(summary(roster, scenario), allow_nan=False))

    for queue, rows in coverage.groupby("queue"):
        hours = report["hours"]["by_queue"][queue]
        assert hours["required"] == rows["required"].sum() / 2
        assert hours["scheduled"] == rows["scheduled"].sum() / 2
        assert hours["short"] == rows["short"].sum() / 2
        expected = (rows["contacts"] * rows["service_level"]).sum() / rows["contacts"].sum()
        assert report["service_level"][queue]["expected"] == pytest.approx(expected, abs=1e-4)
        assert report["service_level"][queue]["target"] == queues[queue].service_level
    assert report["hours"]["short"] == coverage["short"].sum() / 2
    assert report["total_cost"] == pytest.approx(sum(rule["cost"] for rule in report["rules"]))
    assert report["solver"] == {"status": None, "objective": None, "best_bound": None, "wall_seconds": None}


def test_solver_figures_and_the_gap_to_the_short_staffing_bound():
    roster, scenario = seventeen_of_twenty()
    result = SimpleNamespace(status="FEASIBLE", objective=1234.5, best_bound=1000.0, wall_seconds=2.5,
                             lower_bound_short_hours=0.5, bound_kind="shift mix LP", costs={"short": 1600.0, "over": 0.0})
    report = summary(roster, scenario, result)
    assert [rule["solver_cost"] for rule in report["rules"]] == [1600.0, 0.0, None, None, None, None]
    assert report["solver"] == {"status": "FEASIBLE", "objective": 1234.5, "best_bound": 1000.0, "wall_seconds": 2.5}
    # 1.5 h short against a bound of 0.5 h, of 10 required agent-hours.
    assert report["short_bound"] == {"lower_bound_hours": 0.5, "gap_pct": 10.0, "bound_kind": "shift mix LP"}
    text = terminal_summary(report)
    assert "FEASIBLE" in text and "gap 10.00%" in text and "voice" in text and "[" not in text
    assert "proven bound 1,000" in text


def test_a_roster_without_a_proven_bound_says_so():
    roster, scenario = seventeen_of_twenty()
    result = SimpleNamespace(status="FEASIBLE", objective=1234.5, best_bound=None, wall_seconds=2.5,
                             lower_bound_short_hours=None, bound_kind=None, costs={"short": 1600.0, "over": 0.0})
    text = terminal_summary(summary(roster, scenario, result))
    assert "no proven bound" in text and "n/a" not in text


def test_fairness_ranges_and_spread_costs_by_hand():
    agents = (make_agent("a1"), make_agent("a2"), make_agent("a3", night_ok=False, preferred="early"))
    roster = make_roster(
        ("a1", "work", at("fri", "22:00"), at("sat", "06:00")),  # a night starting on Friday
        ("a1", "work", at("sat", "22:00"), at("sun", "06:00")),  # a night, Saturday
        ("a1", "work", at("sun", "10:00"), at("sun", "14:00")),  # Sunday
        ("a2", "work", at("sat", "09:00"), at("sat", "13:00")),  # Saturday
        ("a3", "work", at("mon", "13:00"), at("mon", "17:00")),  # late, but prefers early
    )
    report = summary(roster, make_scenario(agents=agents))
    nights, weekend = report["fairness"]["nights"], report["fairness"]["weekend_days"]
    assert nights == {"min": 0, "max": 2, "spread": 2, "by_agent": {"a1": 2, "a2": 0}}  # a3 may not work nights
    assert weekend == {"min": 0, "max": 2, "spread": 2, "by_agent": {"a1": 2, "a2": 1, "a3": 0}}
    costs = {rule["rule"]: (rule["amount"], rule["cost"]) for rule in report["rules"]}
    assert costs["night spread"] == (2, 120) and costs["weekend spread"] == (2, 120)
    assert costs["preferences"] == (1, 10)
    assert report["shifts_per_agent"] == {"a1": 3, "a2": 1, "a3": 1}


def test_contract_hours_exclude_unpaid_lunch():
    agents = (make_agent("a1", min_hours=10, max_hours=20), make_agent("a2", min_hours=10, max_hours=20),
              make_agent("a3", min_hours=0, max_hours=20))

    def eight_hour_shift(agent, day):  # 8 h with an unpaid 30-minute lunch and a paid break: 7.5 h paid
        return [(agent, "work", at(day, "08:00"), at(day, "10:00")),
                (agent, "break", at(day, "10:00"), at(day, "10:15"), ""),
                (agent, "work", at(day, "10:15"), at(day, "12:00")),
                (agent, "lunch", at(day, "12:00"), at(day, "12:30"), ""),
                (agent, "work", at(day, "12:30"), at(day, "16:00"))]

    roster = make_roster(*eight_hour_shift("a1", "mon"), *eight_hour_shift("a2", "mon"),
                         *eight_hour_shift("a2", "tue"), *eight_hour_shift("a2", "wed"))
    report = summary(roster, make_scenario(agents=agents))
    contracts = {row["agent_id"]: (row["paid_hours"], row["status"]) for row in report["contracts"]}
    assert contracts == {"a1": (7.5, "under"), "a2": (22.5, "over"), "a3": (0.0, "ok")}
    assert report["contract_breaches"] == 2
    assert "2 breaches (1 under, 1 over)" in terminal_summary(report)


def test_a_horizons_contract_hours_are_judged_week_by_week_or_on_its_average_week():
    agents = (make_agent("even", min_hours=16, max_hours=20), make_agent("uneven", min_hours=16, max_hours=20))

    def days(agent, names, weeks, hours=9):  # 9-hour shifts, all paid
        return [(agent, "work", at(day, "08:00", weeks), at(day, "08:00", weeks) + pd.Timedelta(hours=hours))
                for day in names]

    roster = make_roster(*days("even", ["mon", "tue"], 0), *days("even", ["mon", "tue"], 1),
                         *days("uneven", ["mon", "tue", "wed"], 0), *days("uneven", ["mon"], 1))
    by_week = summary(roster, make_scenario(agents=agents, weeks=2))
    rows = {row["agent_id"]: (row["paid_hours"], row["week_hours"], row["status"]) for row in by_week["contracts"]}
    # 18 h a week is within 16–20 (the horizon's 36 h against a week's 20 made it `over`); 27 h then 9 h is not
    assert rows == {"even": (36.0, [18.0, 18.0], "ok"), "uneven": (36.0, [27.0, 9.0], "over")}
    averaged = summary(roster, make_scenario(agents=agents, weeks=2, rules={"contract_hours": "horizon"}))
    assert {row["agent_id"]: row["status"] for row in averaged["contracts"]} == {"even": "ok", "uneven": "ok"}


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def two_queue_week() -> tuple[pd.DataFrame, Scenario]:
    queues = {"voice": VOICE, "chat": QueueTarget()}
    roster = make_roster(
        ("a1", "work", at("tue", "08:00"), at("tue", "10:00")),
        ("a1", "break", at("tue", "10:00"), at("tue", "10:15"), ""),
        ("a1", "work", at("tue", "10:15"), at("tue", "12:00")),
        ("a2", "work", at("sat", "22:00"), at("sun", "04:00"), "chat"),
        ("a3", "work", at("wed", "09:00"), at("wed", "13:00")),
        ("a3", "lunch", at("wed", "13:00"), at("wed", "13:30"), ""),
        ("a3", "work", at("wed", "13:30"), at("wed", "15:00")),
    )
    demand = [("tue", "08:00", "voice", 2, 30.0, 180.0), ("sat", "23:00", "chat", 1, 5.0, 300.0)]
    return roster, make_scenario(demand, agents=("a1", "a2", "a3"), queues=queues)


def test_coverage_figure_has_four_series_per_queue_panel():
    roster, scenario = two_queue_week()
    coverage = coverage_table(roster, scenario)
    assert len(coverage_figure(coverage).data) == 8
    one = coverage_figure(coverage, queue="chat")
    assert [trace.name for trace in one.data] == ["scheduled", "short", "required", "service level"]
    assert len(one.data[0].x) == 7 * 48


def test_roster_gantt_has_a_row_per_agent_and_a_trace_per_queue_and_break_kind():
    roster, scenario = two_queue_week()
    figure = roster_gantt(roster, scenario)
    assert sorted(trace.name for trace in figure.data) == ["break", "chat", "lunch", "voice"]
    assert len({label for trace in figure.data for label in trace.y}) == 3
    assert figure.layout.shapes  # nights and the weekend are shaded
    assert len(roster_gantt(roster).data) == 4  # also without a scenario


def test_roster_gantt_colors_queues_by_the_scenarios_order_whatever_the_roster_uses():
    roster, scenario = two_queue_week()
    chat_only = roster[(roster["queue"] == "chat") | (roster["activity"] != "work")]
    both, alone = roster_gantt(roster, scenario), roster_gantt(chat_only.iloc[::-1], scenario)
    color = {trace.name: trace.marker.color for trace in both.data}
    assert {trace.name: trace.marker.color for trace in alone.data}["chat"] == color["chat"] != color["voice"]
    assert [trace.name for trace in both.data][:2] == list(scenario.config.queues)


def test_requirement_heatmap_is_days_by_times_of_day():
    _, scenario = two_queue_week()
    coverage = coverage_table(make_roster(), scenario)
    heatmap = requirement_heatmap(coverage, "voice").data[0]
    assert heatmap.z.shape == (7, 48)
    assert heatmap.y[0].startswith("2026-11-23") and heatmap.x[0] == "00:00"
    assert heatmap.z[1][16] == 2  # Tuesday 08:00
