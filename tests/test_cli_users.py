"""`wfm user add|passwd|remove|list` on the app's store, on SQLite and PostgreSQL (WFM_DATABASE_URL)."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from tests.storage_backends import store_url  # noqa: F401  (a fixture: each test runs on SQLite and PostgreSQL)
from tests.test_storage import AGENTS, config
from tests.test_storage_users import everything_in
from wfm.auth import LoginRefused
from wfm.cli import app
from wfm.storage import Store

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture
def store(store_url: str, monkeypatch) -> Store:
    """The store the commands open through WFM_DATABASE_URL, with a center 'north' of two agents."""
    monkeypatch.setenv("WFM_DATABASE_URL", store_url)
    with Store.open(store_url) as opened:
        opened.replace_agents(opened.create_scenario(config(), name="week 48", center="north"), AGENTS)
        yield opened


def wfm(*args: str, typed: str = "") -> tuple[int, str]:
    result = runner.invoke(app, ["user", *args], input=typed)
    return result.exit_code, " ".join(result.output.split())


def test_add_prompts_twice_and_the_user_logs_in(store: Store, caplog):
    caplog.set_level(logging.DEBUG)
    code, output = wfm("add", "sam", "--role", "scheduler", "--center", "north", typed=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0 and "Added scheduler sam to center north." in output
    assert store.authenticate("sam", PASSWORD).role == "scheduler"
    assert PASSWORD not in output and PASSWORD not in caplog.text and PASSWORD not in everything_in(store)


def test_an_agent_user_from_standard_input(store: Store):
    code, output = wfm("add", "ann", "--role", "agent", "--agent-id", "a1", "--center", "north", "--password-stdin",
                       typed=f"{PASSWORD}\n")
    assert code == 0 and "Added agent ann (agent a1) to center north." in output
    code, output = wfm("list")
    assert code == 0 and "ann" in output and "a1" in output


def test_refusals_exit_2_with_a_message_and_change_nothing(store: Store):
    code, output = wfm("add", "sam", "--role", "scheduler", "--password-stdin", typed="short\n")
    assert code == 2 and "The password is too short: choose at least 10 characters." in output
    code, output = wfm("add", "sam", "--role", "scheduler", typed=f"{PASSWORD}\nsomething else\n")
    assert code != 0 and "do not match" in output
    code, output = wfm("add", "zed", "--role", "agent", "--agent-id", "zz", "--center", "north", "--password-stdin",
                       typed=f"{PASSWORD}\n")
    assert code == 2 and "'zz' is not an agent of center 'north'" in output and "Traceback" not in output
    code, output = wfm("remove", "nobody")
    assert code == 2 and "there is no user 'nobody'" in output
    assert store.list_users() == []


def test_passwd_and_remove(store: Store):
    wfm("add", "sam", "--role", "manager", "--password-stdin", typed=f"{PASSWORD}\n")
    code, output = wfm("passwd", "sam", "--password-stdin", typed="another long secret\n")
    assert code == 0 and "Changed the password of sam." in output
    assert store.authenticate("sam", "another long secret").username == "sam"
    code, output = wfm("remove", "sam")
    assert code == 0 and "Removed sam." in output
    with pytest.raises(LoginRefused):
        store.authenticate("sam", "another long secret")
    assert list(store.audit_log()["action"][:3]) == ["remove_user", "set_password", "add_user"]


def test_the_data_folder_holds_the_users_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    code, _ = wfm("add", "sam", "--role", "scheduler", "--data", str(tmp_path), "--password-stdin", typed=f"{PASSWORD}\n")
    assert code == 0 and (tmp_path / "wfm.db").is_file()
    code, output = wfm("list", "--data", str(tmp_path))
    assert code == 0 and "sam" in output and "scheduler" in output


def test_without_a_center_the_user_joins_the_stores_only_center(store: Store):
    code, output = wfm("add", "sam", "--role", "scheduler", "--password-stdin", typed=f"{PASSWORD}\n")
    assert code == 0 and "Added scheduler sam to center north." in output
    assert store.list_centers() == ["north"]


def test_an_unknown_center_is_refused_not_created(store: Store):
    code, output = wfm("add", "sam", "--role", "scheduler", "--center", "nort", "--password-stdin", typed=f"{PASSWORD}\n")
    assert code == 2 and "there is no center 'nort'; the centers are 'north'" in output
    assert store.list_centers() == ["north"]


def test_with_several_centers_the_center_must_be_named(store: Store):
    store.create_scenario(config(), name="week 48", center="south")
    code, output = wfm("add", "sam", "--role", "scheduler", "--password-stdin", typed=f"{PASSWORD}\n")
    assert code == 2 and "name the user's center: the centers are 'north', 'south'" in output
    assert [user.username for user in store.list_users()] == []
