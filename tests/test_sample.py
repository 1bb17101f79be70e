"""The bundled sample center: loadable, deterministic, and shaped like a real center."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import yaml

from forecasts.history import read_history
from forecasts.sample import (
    COMPANY_EVENT,
    HOLIDAY,
    OUTAGE_START,
    sample_history,
    sample_special_days,
    sample_staffing_config,
    write_sample,
)
from forecasts.special_days import read_special_days


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def history(written):
    return read_history(written["history"])


@pytest.fixture(scope="module")
def voice_days(history):
    """Daily voice totals indexed by date."""
    voice = history[history["queue"] == "voice"]
    return voice.groupby(voice["interval_start"].dt.normalize())["contacts"].sum()


def test_written_history_reads_back_as_generated(history):
    pd.testing.assert_frame_equal(history, sample_history())
    assert history.attrs["interval_minutes"] == 30


def test_same_seed_gives_byte_identical_files(written, tmp_path):
    again = write_sample(tmp_path)
    assert set(again) == {"history", "special_days", "staffing"}
    for kind, path in written.items():
        assert path.read_bytes() == again[kind].read_bytes(), kind


def test_other_seed_gives_other_data():
    assert not sample_history(weeks=2, seed=8).equals(sample_history(weeks=2))


def test_covers_full_weeks_of_both_queues_around_the_clock(history):
    starts = history["interval_start"]
    assert starts.min() == pd.Timestamp("2026-08-31 00:00")  # a Monday, 12 weeks back
    assert starts.max() == pd.Timestamp("2026-11-22 23:30")  # the Sunday before the target week
    assert (starts.max() - starts.min()).days + 1 >= 10 * 7
    assert set(history["queue"]) == {"voice", "chat"}
    for _, queue in history.groupby("queue"):
        hours_of_week = set(zip(queue["interval_start"].dt.dayofweek, queue["interval_start"].dt.hour))
        assert len(hours_of_week) == 7 * 24


def test_outage_is_a_gap_and_quiet_nights_keep_their_rows(history):
    assert not (history["interval_start"] == pd.Timestamp(OUTAGE_START)).any()
    idle = history[history["contacts"] == 0]
    assert len(idle) > 0 and idle["aht_seconds"].isna().all()
    assert history.loc[history["contacts"] > 0, "aht_seconds"].notna().all()


def test_nights_are_thin_and_the_peak_is_in_range(history):
    voice = history[history["queue"] == "voice"]
    by_hour = voice.groupby(voice["interval_start"].dt.hour)["contacts"].mean()
    assert by_hour[[2, 3, 4]].mean() < 0.05 * by_hour.max()
    assert 9 <= by_hour.idxmax() <= 12
    weekday_peak = voice[voice["interval_start"].dt.dayofweek < 5].groupby(voice["interval_start"].dt.time)["contacts"].mean()
    assert 25 <= weekday_peak.max() <= 45  # sized for the ~60-agent demo team


def test_chat_is_a_third_of_voice_and_peaks_later(history):
    totals = history.groupby("queue")["contacts"].sum()
    assert 0.25 <= totals["chat"] / totals["voice"] <= 0.45
    peak_hour = {
        queue: rows.groupby(rows["interval_start"].dt.hour)["contacts"].mean().idxmax()
        for queue, rows in history.groupby("queue")
    }
    assert peak_hour["chat"] > peak_hour["voice"] + 3


def test_weekends_are_lower_and_monday_is_busiest(voice_days):
    normal_days = voice_days.drop(pd.Timestamp(HOLIDAY))
    by_weekday = normal_days.groupby(normal_days.index.dayofweek).mean()
    weekday = by_weekday[:5].mean()
    assert 650 <= weekday <= 1100
    assert 0.45 <= by_weekday[5] / weekday <= 0.65
    assert 0.30 <= by_weekday[6] / weekday <= 0.50
    assert by_weekday.idxmax() == 0


def test_volume_trends_upward(voice_days):
    first, last = voice_days.iloc[:28].sum(), voice_days.iloc[-28:].sum()
    assert last / first > 1.04  # ~1 % a week over 8 weeks


def test_holiday_is_visibly_low(voice_days):
    other_wednesdays = voice_days[(voice_days.index.dayofweek == 2) & (voice_days.index != pd.Timestamp(HOLIDAY))]
    assert voice_days[pd.Timestamp(HOLIDAY)] < 0.5 * other_wednesdays.mean()


def test_aht_is_realistic_and_longer_at_night(history):
    for queue, typical in [("voice", 300), ("chat", 600)]:
        rows = history[(history["queue"] == queue) & (history["contacts"] > 0)]
        weighted = (rows["aht_seconds"] * rows["contacts"]).sum() / rows["contacts"].sum()
        assert 0.9 * typical <= weighted <= 1.1 * typical
        by_hour = rows.groupby(rows["interval_start"].dt.hour)["aht_seconds"].median()
        assert by_hour[[2, 3, 4]].mean() > by_hour[[10, 11, 14, 15]].mean()


def test_special_days_file_matches_and_covers_history_and_target_week(written):
    days = read_special_days(written["special_days"])
    pd.testing.assert_frame_equal(days, sample_special_days())
    by_date = dict(zip(days["date"].dt.date, days["multiplier"]))
    assert by_date[HOLIDAY] == pytest.approx(0.35)
    assert by_date[COMPANY_EVENT] == pytest.approx(0.8) and COMPANY_EVENT >= date(2026, 11, 23)
    assert 0.0 in by_date.values()


def test_staffing_config_round_trips(written):
    config = yaml.safe_load(written["staffing"].read_text(encoding="utf-8"))
    assert config == sample_staffing_config()
    keys = {"service_level", "answer_seconds", "max_occupancy", "shrinkage", "patience_seconds", "concurrency", "max_asa_seconds", "min_agents"}
    for entry in [config["default"], *config["queues"].values()]:
        assert set(entry) == keys
    assert config["queues"]["voice"]["answer_seconds"] == 20 and config["queues"]["chat"]["answer_seconds"] == 60
    assert config["queues"]["chat"]["concurrency"] == 2


@pytest.mark.parametrize("minutes", [15, 60])
def test_other_interval_lengths_and_lengths_of_history(minutes):
    history = sample_history(weeks=2, interval_minutes=minutes)
    assert history.attrs["interval_minutes"] == minutes
    assert history["interval_start"].dt.normalize().nunique() == 14


def test_end_must_be_a_sunday():
    with pytest.raises(ValueError, match="Sunday"):
        sample_history(end=date(2026, 11, 23))
