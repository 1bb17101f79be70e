"""The first start: demo logins for the sample center, each with a one-time password to change."""

from __future__ import annotations

import pytest

from tabular import InputError
from tests.storage_backends import store_url  # noqa: F401  (a fixture: each test runs on SQLite and PostgreSQL)
from tests.test_storage import AGENTS, config
from tests.test_storage_users import everything_in
from wfm.first_run import demo_users
from wfm.storage import Store


@pytest.fixture
def store(store_url: str) -> Store:
    with Store.open(store_url) as opened:
        opened.replace_agents(opened.create_scenario(config(), name="Sample center", center="default"), AGENTS)
        yield opened


def test_demo_users_log_in_once_with_their_one_time_password(store: Store):
    logins = demo_users(store, "default")
    assert [(login.username, login.role, login.agent_id) for login in logins] == [
        ("scheduler", "scheduler", None), ("manager", "manager", None), ("agent", "agent", "a1")]
    assert len({login.password for login in logins}) == 3 and all(len(login.password) >= 16 for login in logins)
    for login in logins:
        user = store.authenticate(login.username, login.password)
        assert user.must_change_password and user.role == login.role
        assert login.password not in everything_in(store)
    assert store.change_password("agent", logins[2].password, "my own long password").must_change_password is False


def test_a_second_start_adds_no_one_and_resets_no_password(store: Store):
    first = demo_users(store, "default")
    assert demo_users(store, "default") == []
    assert store.authenticate("manager", first[1].password).username == "manager"


def test_a_center_without_agents_is_refused_and_nobody_is_added(store: Store):
    with pytest.raises(InputError, match="center 'empty' has no agent yet"):
        demo_users(store, "empty")
    assert store.list_users() == []


def test_the_sample_centers_agent_gets_a_login(tmp_path):
    from wfm.demo import write_demo_scenario

    with Store(tmp_path / "data") as sample:
        scenario_id = sample.import_scenario_folder(write_demo_scenario(tmp_path / "sample"), name="Sample center")
        agent = next(login for login in demo_users(sample, "default") if login.role == "agent")
        assert agent.agent_id == sample.load_agents(scenario_id)[0].agent_id
        assert sample.authenticate("agent", agent.password).agent_id == agent.agent_id
