"""The audit trail: every write leaves one row naming who did what, in the same transaction as the write."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tabular import InputError
from tests.storage_backends import store_url  # noqa: F401  (a fixture: each test runs on SQLite and PostgreSQL)
from tests.test_storage import AGENTS, WEEK, config, requirements, roster, scenario_id, store  # noqa: F401
from wfm.auth import NotAllowed
from wfm.storage import Store

PASSWORD = "correct horse battery"


def newest(store: Store) -> dict:
    return store.audit_log(limit=1).iloc[0].to_dict()


def history() -> pd.DataFrame:
    return pd.DataFrame({"interval_start": pd.date_range("2026-11-02 08:00", periods=2, freq="30min"),
                         "queue": "voice", "contacts": [3.0, 4.0], "aht_seconds": [200.0, 210.0]})


# Each write, as the scheduler "sam" makes it, and the action and object the audit trail must name.
WRITES = {
    "create_scenario": (lambda store, scenario, version: store.create_scenario(config(), name="week 49", center="north"),
                        "scenario"),
    "edit_rules": (lambda store, scenario, version: store.save_scenario_config(scenario, config(interval_minutes=30)),
                   "scenario"),
    "replace_agents": (lambda store, scenario, version: store.replace_agents(scenario, AGENTS[:1]), "scenario"),
    "replace_time_off": (lambda store, scenario, version: store.replace_time_off(
        scenario, [{"agent_id": "a1", "start": "2026-11-24", "end": "2026-11-25"}]), "scenario"),
    "save_history": (lambda store, scenario, version: store.save_history("north", history(), name="nov.csv"), "history"),
    "save_requirements": (lambda store, scenario, version: store.save_requirements(scenario, requirements()),
                          "requirements"),
    "save_forecast": (lambda store, scenario, version: store.save_forecast(
        scenario, history().assign(method="naive")), "forecast"),
    "save_previous_roster": (lambda store, scenario, version: store.save_previous_roster(
        scenario, roster(day=WEEK - dt.timedelta(days=1))), "previous roster"),
    "save_roster": (lambda store, scenario, version: store.save_roster(scenario, roster(), by="sam"), "roster version"),
    "edit_roster": (lambda store, scenario, version: store.save_roster_edit(version, roster("a2"), by="sam"),
                    "roster version"),
    "publish": (lambda store, scenario, version: store.publish(version, by="sam"), "roster version"),
}


@pytest.mark.parametrize("action", WRITES)
def test_each_write_leaves_one_audit_row_naming_the_user(store: Store, scenario_id: int, action: str):
    write, what = WRITES[action]
    version = store.save_roster(scenario_id, roster(), by="planner")
    sam = store.add_user("sam", PASSWORD, role="scheduler", center="north")
    before = len(store.audit_log())
    with store.acting_as(sam):
        write(store, scenario_id, version)
        log = store.audit_log(center="north")
    assert len(log) == before + 1
    row = log.iloc[0]
    assert (row["actor"], row["action"], row["center"]) == ("sam", action, "north")
    assert row["object"].startswith(what)
    assert abs(row["at"] - pd.Timestamp.utcnow().tz_localize(None)) < pd.Timedelta(minutes=1)


def test_without_a_logged_in_user_the_row_names_who_the_caller_says(store: Store, scenario_id: int):
    version = store.save_roster(scenario_id, roster(), by="planner")
    assert (newest(store)["actor"], newest(store)["details"]["rows"]) == ("planner", 3)
    store.publish(version, by="lead")
    assert (newest(store)["actor"], newest(store)["action"]) == ("lead", "publish")
    store.publish(version, by="lead")  # publishing again changes nothing, and records nothing
    assert list(store.audit_log(since=dt.datetime(2000, 1, 1))["action"]) == [
        "publish", "save_roster", "save_requirements", "replace_time_off", "replace_agents", "create_scenario"]


def test_rules_and_agents_rows_say_what_changed(store: Store, scenario_id: int):
    store.save_scenario_config(scenario_id, config(interval_minutes=30))
    assert newest(store)["details"] == {"changed": ["interval_minutes"]}
    store.replace_agents(scenario_id, [AGENTS[0], AGENTS[1].model_copy(update={"agent_id": "a3"})])
    assert newest(store)["details"] == {"agents": 2, "added": ["a3"], "removed": ["a2"]}


def test_user_changes_are_audited_without_the_password(store: Store, scenario_id: int):
    store.add_user("ann", PASSWORD, role="agent", center="north", agent_id="a1")
    store.set_password("ann", "another long secret")
    store.remove_user("ann")
    log = store.audit_log()
    assert list(log["action"][:3]) == ["remove_user", "set_password", "add_user"]
    assert set(log["object"][:3]) == {"user ann"}
    assert log.iloc[2]["details"] == {"role": "agent", "agent_id": "a1"}
    assert PASSWORD not in log.to_string() and "another long secret" not in log.to_string()


def test_a_failed_write_leaves_no_audit_row(store: Store, scenario_id: int):
    before = store.audit_log()
    with pytest.raises(InputError):
        store.replace_agents(scenario_id, [AGENTS[0], AGENTS[0]])
    with pytest.raises(InputError):
        store.add_user("kim", "short", role="manager")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_roster(scenario_id, roster(), by="planner")
            raise RuntimeError("power cut")
    manager = store.add_user("max", PASSWORD, role="manager", center="north")
    with store.acting_as(manager), pytest.raises(NotAllowed):
        store.save_roster(scenario_id, roster(), by="max")
    pd.testing.assert_frame_equal(store.audit_log().iloc[1:].reset_index(drop=True), before)  # but "add_user max"


def test_the_audit_log_filters_by_center_and_time_and_is_for_planners(store: Store, scenario_id: int):
    south = store.create_scenario(config(), name="south week", center="south")
    assert list(store.audit_log(center="south")["object"]) == [f"scenario {south} 'south week'"]
    assert store.audit_log(since=dt.datetime(2999, 1, 1)).empty
    assert list(store.audit_log().columns) == ["at", "actor", "action", "center", "object", "details"]
    assert len(store.audit_log(limit=2)) == 2
