"""Actuals join the center's history, and each week's saved forecast is judged against them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tabular import InputError
from wfm.storage import Store
from wfm_app import actuals, planning, state
from tests.test_app import APP, TIMEOUT, plotly_figures, problems_shown, texts
from tests.test_calendar import FAST, FIRST_WEEK, make_center
from tests.test_centers import history_csv

WEEK_ACTUALS = history_csv(weeks=1, last_day=dt.date(2026, 11, 29))  # the week of 23 Nov as it happened


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    """A center whose first week (23 Nov) has a saved forecast."""
    monkeypatch.setenv("WFM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WFM_DATABASE_URL", raising=False)
    with Store(tmp_path) as store:
        planning.forecast_week(store, make_center(store), "test", FAST)
    return tmp_path


def history_rows(folder) -> int:
    with Store(folder) as store:
        return len(store.load_history("First"))


def test_actuals_join_the_history_and_an_interval_in_both_takes_the_actual(folder):
    before = history_rows(folder)
    changed = history_csv(weeks=1, last_day=dt.date(2026, 11, 22)).replace(b",voice,", b",voice,1000", 1)
    with Store(folder) as store:
        assert actuals.add_actuals(store, "First", WEEK_ACTUALS + changed.split(b"\n", 1)[1], "week.csv", "t") > 0
        history = store.load_history("First")
    assert len(history) == before + WEEK_ACTUALS.count(b"\n") - 1
    first_voice = history[(history["queue"] == "voice") & (history["interval_start"] == "2026-11-16 08:00")]
    assert first_voice["contacts"].iloc[0] >= 1000


def test_the_accuracy_of_a_week_is_its_forecast_against_the_actuals(folder):
    with Store(folder) as store:
        actuals.add_actuals(store, "First", WEEK_ACTUALS, "week.csv", "t")
        table = actuals.accuracy(store, "First")
        (week,) = store.list_scenarios("First")
        forecast, history = store.load_forecast(week.id), store.load_history("First")
    assert set(table["queue"]) == {"voice", "chat"} and set(table["week"].dt.date) == {FIRST_WEEK}
    voice = forecast[forecast["queue"] == "voice"].merge(history, on=["interval_start", "queue"])
    expected = np.abs(voice["contacts_y"] - voice["contacts_x"]).sum() / voice["contacts_y"].sum()
    row = table[table["queue"] == "voice"].iloc[0]
    assert row["wape"] == pytest.approx(expected)
    assert row["bias"] == pytest.approx((voice["contacts_x"].sum() - voice["contacts_y"].sum()) / voice["contacts_y"].sum())


def test_no_actuals_no_accuracy(folder):
    with Store(folder) as store:
        assert actuals.accuracy(store, "First").empty


BAD_ACTUALS = [
    (WEEK_ACTUALS.replace(b",voice,", b",voice,many", 1), 2, "contacts"),
    (b"interval_start,queue,contacts\n", None, None),
    (b"day,contacts\n2026-11-23,4\n", None, "interval_start"),
    (WEEK_ACTUALS.replace(b"2026-11-23 08:00,voice", b"2026-11-23 08:00,voice", 1).replace(b":30,", b":15,"),
     None, None),
]


@pytest.mark.parametrize(("content", "row", "column"), BAD_ACTUALS)
def test_bad_actuals_are_problems_and_the_history_stays(folder, content, row, column):
    before = history_rows(folder)
    with Store(folder) as store, pytest.raises(InputError) as raised:
        actuals.add_actuals(store, "First", content, "week.csv", "t")
    problem = raised.value.problems[0]
    assert problem.file == "week.csv"
    assert row is None or problem.row == row
    assert column is None or problem.column == column
    assert history_rows(folder) == before


def accuracy_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/actuals.py").run()
    assert not at.exception, [error.value for error in at.exception]
    return at


def upload(at: AppTest, content: bytes) -> AppTest:
    at.file_uploader(key=state.UPLOAD_ACTUALS).set_value(("week.csv", content, "text/csv")).run()
    at.button(key=state.ADD_ACTUALS).click().run()
    assert not at.exception, [error.value for error in at.exception]
    return at


@pytest.mark.parametrize(("content", "row", "column"), BAD_ACTUALS)
def test_the_page_shows_bad_actuals_as_rows_and_takes_the_fixed_file(folder, content, row, column):
    before = history_rows(folder)
    at = upload(accuracy_page(), content)
    assert any("week.csv" in where for where in problems_shown(at)["where"])
    assert history_rows(folder) == before
    upload(at, WEEK_ACTUALS)
    assert "joined the history" in texts(at.success)
    assert history_rows(folder) > before


def test_the_page_shows_wape_bias_and_a_plot_of_forecast_and_actual(folder):
    at = accuracy_page()
    assert "No planned week" in texts(at.info)
    upload(at, WEEK_ACTUALS)
    table = at.dataframe[0].value
    assert set(table["queue"]) == {"voice", "chat"}
    assert table["wape"].between(0, 2).all()
    at.selectbox(key=state.ACCURACY_QUEUE).set_value("chat").run()
    (figure,) = plotly_figures(at)
    assert [trace["name"] for trace in figure["data"]] == ["forecast", "actual"]
    assert "chat" in figure["layout"]["title"]["text"]
