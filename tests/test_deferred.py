"""Deferred queues (email, social, back office): their settings, the FIFO backlog arithmetic by hand,
and their requirement as work arrives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from forecasts.backlog import fifo_backlog, just_in_time_agents, open_intervals
from forecasts.sample import sample_history, sample_staffing_config
from forecasts.settings import validation_problems
from forecasts.staffing import StaffingConfig, staffing_requirements
from scheduler.io import load_scenario
from scheduler.evaluate import COVERAGE_COLUMNS, DEFERRED_COLUMNS, coverage_table, summary, terminal_summary
from scheduler.roster import ROSTER_COLUMNS
from scheduler.scenario import ScenarioConfig
from scheduler.simulate import queue_models
from tests.test_model_rules import agent, demand, scenario, with_email
from wfm.demo import write_demo_scenario
from wfm.plots import coverage_figure


def test_fifo_backlog_by_hand():
    # 30-minute intervals, 10-minute emails, 1 h to answer (2 intervals): one agent answers 3 an interval.
    six = fifo_backlog([6, 0, 0, 0], [600] * 4, [1, 1, 0, 0], 30, response_hours=1)
    assert list(six.handled) == [3, 3, 0, 0] and list(six.backlog) == [3, 0, 0, 0]
    assert list(six.oldest_age_hours) == [0.5, 0, 0, 0]
    assert six.on_time == 1.0 and six.mean_response_hours == 0.75 and six.p90_response_hours == 1.0
    # Nobody in the second interval: the last 3 are answered after 1.5 h, late.
    gap = fifo_backlog([6, 0, 0, 0], [600] * 4, [1, 0, 1, 0], 30, response_hours=1)
    assert list(gap.backlog) == [3, 3, 0, 0] and list(gap.oldest_age_hours) == [0.5, 1.0, 0, 0]
    assert gap.missed == 3 and gap.on_time == 0.5 and gap.mean_response_hours == 1.0 and gap.p90_response_hours == 1.5
    assert list(gap.on_time_share) == [0.5, 1, 1, 1]


def test_a_carried_backlog_is_answered_first():
    # 2 waiting at the start are answered before the 2 arriving; the one left is overdue at the end.
    result = fifo_backlog([2, 0], [600, 600], [1, 0], 30, response_hours=1, carried_in=2)
    assert list(result.handled) == [3, 0] and list(result.backlog) == [1, 1]
    assert result.due == 4 and result.missed == 1 and result.on_time == 0.75


def test_contacts_not_yet_due_at_the_end_are_left_out():
    result = fifo_backlog([0, 4], [600, 600], [0, 0], 30, response_hours=24)
    assert result.due == 0 and result.on_time == 1.0 and list(result.backlog) == [0, 4]


def test_a_repeating_week_carries_its_end_into_its_start():
    # 4 arrive every period, 3 are answered (in the second interval): each period leaves 1 late and 1 more.
    result = fifo_backlog([4, 0], [600, 600], [0, 1], 30, response_hours=1, cyclic=True)
    assert result.handled[1] == 3 and result.missed == 2 and result.on_time == 0.5


def test_work_as_it_arrives_is_rounded_over_the_running_total_and_waits_for_the_opening():
    assert list(just_in_time_agents(np.array([0.4, 0.4, 0.4, 0.0]), np.ones(4, bool))) == [1, 0, 1, 0]
    closed_first = np.array([False, False, True, True])
    assert list(just_in_time_agents(np.array([1.0, 0.5, 0.2, 0.0]), closed_first)) == [0, 0, 2, 0]
    assert list(open_intervals(np.array([0, 420, 480, 1200, 1380]), (1320, 480))) == [True, True, False, False, True]


def test_a_deferred_queue_is_staffed_as_its_work_arrives():
    forecast = pd.DataFrame({"interval_start": pd.date_range("2026-11-23 07:00", periods=4, freq="60min"),
                             "queue": "email", "contacts": [6.0, 3.0, 3.0, 0.0], "aht_seconds": 600.0})
    config = StaffingConfig.model_validate({"queues": {"email": {"kind": "deferred", "response_hours": 24,
                                                                 "open_hours": "08:00-20:00"}}})
    table = staffing_requirements(forecast, config, 60)
    assert list(table["required"]) == [0, 2, 0, 0]  # 1 h of work waits for 08:00, 1.5 h by then, 2 h by 09:00
    assert config.queues["email"].service_level == 0.9


@pytest.mark.parametrize("email, backlog, column, words", [
    ({"kind": "deferred"}, {}, "queues.email", "needs response_hours"),
    ({"response_hours": 24}, {}, "queues.email", "applies to deferred queues only"),
    ({"kind": "deferred", "response_hours": 24, "open_hours": "8 to 20"}, {}, "queues.email",
     "write it as 08:00-20:00"),
    ({"kind": "deferred", "response_hours": 24, "concurrency": 2}, {}, "queues.email", "realtime queues"),
    ({"kind": "deferred", "response_hours": 0}, {}, "queues.email.response_hours", "must be more than 0"),
    ({"kind": "email"}, {}, "queues.email.kind", "'realtime' or 'deferred'"),
    ({"kind": "deferred", "response_hours": 24}, {"voice": 10}, None, "'voice', which is not a deferred queue"),
    ({"kind": "deferred", "response_hours": 24}, {"email": -1}, "demand.backlog", "between 0 and 1,000,000"),
])
def test_deferred_settings_are_checked_in_words(email, backlog, column, words):
    with pytest.raises(ValidationError) as caught:
        ScenarioConfig.model_validate({"week_start": "2026-11-23", "queues": {"voice": {}, "email": email},
                                       "demand": {"forecast": "f.csv", "backlog": backlog}})
    [problem] = validation_problems(caught.value, "scenario.yaml")
    assert problem.column == column and words in problem.message, problem


def test_coverage_and_summary_of_a_deferred_queue_are_recomputed_from_the_roster():
    # Emails at 08:00 answered in the voice trough 10:00–14:00 (a hand-made roster): the coverage rows
    # carry the FIFO backlog, the summary the share in time and the response times.
    case = with_email(scenario([agent(skills=("voice", "email"))], demand([0], 8, 16)), [("2026-11-30 08:00", 12)])
    day = pd.Timestamp("2026-11-30")
    roster = pd.DataFrame([("a1", "A1", queue, "work", day + pd.Timedelta(hours=a), day + pd.Timedelta(hours=b))
                           for queue, a, b in (("voice", 8, 10), ("email", 10, 12), ("voice", 12, 16))],
                          columns=ROSTER_COLUMNS)
    coverage = coverage_table(roster, case)
    assert list(coverage.columns) == COVERAGE_COLUMNS + DEFERRED_COLUMNS
    email = coverage[(coverage["queue"] == "email") & (coverage["interval_start"] < day + pd.Timedelta(hours=13))]
    assert list(email["handled"].iloc[8:12]) == [0, 0, 6, 6]
    assert list(email["backlog"].iloc[8:12]) == [12, 12, 6, 0]
    assert list(email["oldest_age_hours"].iloc[8:12]) == [1, 2, 3, 0]
    assert (email[["short", "over"]] == 0).all().all()
    figures = summary(roster, case)["deferred"]["email"]
    assert figures["on_time"] == 1.0 and figures["mean_response_hours"] == 3.5 and figures["p90_response_hours"] == 4
    assert figures["response_hours"] == 8
    from wfm_app.roster_views import deferred_table
    assert deferred_table(summary(roster, case)).to_dict("records") == [
        {"queue": "email", "contacts": 12, "response time h": 8.0, "answered in time %": 100.0, "target %": 90.0,
         "mean response h": 3.5, "90th percentile h": 4.0}]
    lines = terminal_summary(summary(roster, case))
    assert "Deferred email: 100.0% answered within 8 h (target 90%), mean 3.5 h" in lines
    figure = coverage_figure(coverage, queue="email", response_hours={"email": 8})
    assert [trace.name for trace in figure.data] == ["arrivals", "backlog", "oldest waiting (h)", "response time"]
    voice_only = scenario([agent()], demand([0], 8, 16))
    assert list(coverage_table(roster[roster["queue"] == "voice"], voice_only).columns) == COVERAGE_COLUMNS
    assert "deferred" not in summary(roster[roster["queue"] == "voice"], voice_only)


def test_the_sample_with_deferred_queues_keeps_its_voice_and_chat():
    plain, deferred = sample_history(weeks=2), sample_history(weeks=2, deferred=True)
    same = deferred[deferred["queue"].isin(["voice", "chat"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(same, plain.reset_index(drop=True), check_like=True)
    email = deferred[deferred["queue"] == "email"].set_index("interval_start")["contacts"]
    assert email.between_time("09:00", "11:00").mean() > 5 * email.between_time("02:00", "04:00").mean()
    queues = sample_staffing_config(deferred=True)["queues"]
    assert (queues["email"]["response_hours"], queues["social"]["response_hours"]) == (24, 2)


def test_the_demo_center_with_deferred_queues_loads(tmp_path):
    scenario = load_scenario(write_demo_scenario(tmp_path / "demo", deferred=True))
    assert scenario.config.deferred_queues == ("email", "social")
    skills = {skill for agent in scenario.agents for skill in agent.skills}
    assert {"email", "social"} <= skills
    assert scenario.requirements.groupby("queue")["required"].sum()[["email", "social"]].gt(0).all()


def test_deferred_queues_are_not_simulated():
    case = with_email(scenario([agent(skills=("voice", "email"))], demand([0], 8, 16)), [("2026-11-30 08:00", 12)])
    roster = pd.DataFrame([("a1", "A1", "voice", "work", pd.Timestamp("2026-11-30 08:00"),
                            pd.Timestamp("2026-11-30 16:00"))], columns=ROSTER_COLUMNS)
    assert [model.name for model in queue_models(roster, case)] == ["voice"]


def test_wfm_roster_on_a_deferred_queue_reports_progress_and_its_figures(tmp_path):
    from tests.test_cli_roster import run_roster, write_folder

    case = with_email(scenario([agent(skills=("voice", "email"))], demand([0], 8, 16)), [("2026-11-30 08:00", 12)])
    result = run_roster(write_folder(case, tmp_path / "scenario"), tmp_path / "out", exit_code=0)
    assert "Deferred email" in " ".join(result.output.split())


def test_a_progress_event_without_a_bound_reads_in_words():
    from scheduler.engine.run import progress_line

    assert progress_line({"stage": "done", "solutions": 1, "objective": 1234.5, "bound": None}) == \
        "done: solution 1, objective 1,234"
    assert progress_line({"stage": "weeks", "solutions": 3, "objective": 10.0, "bound": 2.0}) == \
        "weeks: solution 3, objective 10, bound 2"


def test_the_app_targets_editor_keeps_every_setting_of_every_queue():
    # A field the editor did not show was lost on save: a deferred center saved from the forecast page
    # became all realtime, and Erlang A's max_abandon vanished.
    from wfm_app.demand import target_rows, targets_from_rows

    config = StaffingConfig.model_validate({"queues": {
        "voice": {"patience_seconds": 120, "max_abandon": 0.05, "min_agents": 1},
        "email": {"kind": "deferred", "response_hours": 24, "open_hours": "08:00-20:00"},
        "social": {"kind": "deferred", "response_hours": 2, "service_level": 0.8}}})
    queues = list(config.queues)
    assert targets_from_rows(target_rows(queues, dict(config.queues))).queues == config.queues


def test_a_deferred_row_of_the_targets_editor_without_its_response_time_is_located():
    from tabular import InputError
    from wfm_app.demand import target_rows, targets_from_rows

    rows = target_rows(["voice", "email"], {})
    rows.loc[1, "kind"] = "deferred"
    with pytest.raises(InputError) as caught:
        targets_from_rows(rows)
    [problem] = caught.value.problems
    assert (problem.file, problem.row) == ("service targets, queue 'email'", 3)
    assert "needs response_hours" in problem.message


def test_contacts_never_answered_count_their_wait_in_the_response_times():
    # Nobody works the queue: every contact is late, and the response times are at least their waits so far
    # (not 0 h, as when only answered contacts counted).
    nobody = fifo_backlog([4, 0, 0, 0, 0, 0], [600] * 6, [0] * 6, 30, response_hours=1)
    assert nobody.on_time == 0.0 and nobody.mean_response_hours == 3.0 and nobody.p90_response_hours == 3.0
    cyclic = fifo_backlog([4, 0, 0, 0], [600] * 4, [0] * 4, 30, response_hours=1, cyclic=True)
    assert cyclic.on_time == 0.0 and cyclic.mean_response_hours >= 2.0
