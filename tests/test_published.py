"""Living with a published roster: inputs changed after publishing, and vacation on My shifts."""

from __future__ import annotations

import datetime as dt

from scheduler.roster import shifts_from_roster
from wfm.storage import Store
from wfm_app import published, state
from tests.test_app import open_app, texts, tiny, tiny_roster  # noqa: F401 - tiny and tiny_roster are fixtures


def publish(folder, roster) -> None:
    with Store(folder) as store:
        (week,) = store.list_scenarios()
        store.publish(store.save_roster(week.id, roster, "Sam"), "Sam")


def leave_on_a_worked_day(folder, roster) -> str:
    """Time off for T1 over the first day T1 works; returns that day's name."""
    with Store(folder) as store:
        (week,) = store.list_scenarios()
        scenario = store.to_scenario(week.id)
        shift = next(shift for shift in shifts_from_roster(roster[roster["agent_id"] == "T1"], scenario))
        day = scenario.config.week_start + dt.timedelta(days=shift.day)
        leave = dict(agent_id="T1", start=dt.datetime.combine(day, dt.time()),
                     end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), reason="sick")
        store.replace_time_off(week.id, [*store.load_time_off(week.id), leave])
    return f"{day:%a %d %b}"


def test_nothing_changed_after_publishing_says_nothing(tiny, tiny_roster):
    publish(tiny, tiny_roster)
    with Store(tiny) as store:
        (week,) = store.list_scenarios()
        assert published.drift(store, week.id, store.to_scenario(week.id)) is None
    at = open_app("scheduler", "roster")
    assert "changed after" not in texts(at.warning) + texts(at.info)


def test_time_off_added_after_publishing_lists_the_published_shift_it_breaks(tiny, tiny_roster):
    publish(tiny, tiny_roster)
    day = leave_on_a_worked_day(tiny, tiny_roster)
    with Store(tiny) as store:
        (week,) = store.list_scenarios()
        change = published.drift(store, week.id, store.to_scenario(week.id))
    assert [(v.rule, v.agent_id) for v in change.violations] == [("time_off", "T1")]
    at = open_app("scheduler", "roster")
    assert not at.exception
    assert "changed after version 1 was published" in texts(at.warning)
    table = at.dataframe[0].value
    assert list(table["agent"]) == ["Agent 1 (T1)"] and list(table["day"]) == [day]
    assert "sick" in table["what is wrong"].iloc[0]


def test_a_change_that_breaks_nothing_says_the_shifts_still_keep_every_rule(tiny, tiny_roster):
    publish(tiny, tiny_roster)
    with Store(tiny) as store:
        (week,) = store.list_scenarios()
        store.replace_agents(week.id, store.load_agents(week.id))
    at = open_app("scheduler", "roster")
    assert "still keep every rule" in texts(at.info)


def test_my_shifts_shows_vacation_with_its_reason(tiny, tiny_roster):
    publish(tiny, tiny_roster)
    at = open_app("agent")
    at.selectbox(key=state.MY_AGENT).set_value("T2").run()
    assert not at.exception
    assert "Vacation" in texts(at.info) and "Wed 25 Nov 00:00 to Thu 26 Nov 00:00" in texts(at.info)
    at.selectbox(key=state.MY_AGENT).set_value("T1").run()
    assert "Vacation" not in texts(at.info)
