"""forecast_history under a time limit: the backtest stops trying methods when the time is up,
keeps the best one scored, says what it skipped, and still returns a whole forecast."""

import time

import numpy as np
import pandas as pd
import pytest

from forecasts.backtest import SLOW_METHODS, trial_order
from forecasts.forecast import forecast_history
from forecasts import methods
from forecasts.methods import DEFAULT_METHOD, METHOD_NAMES, METHODS, MSTLMethod, SeasonalNaive, SlotMedian
from tabular import InputError
from tests.test_forecast import make_history

FIT_SECONDS = 0.15


class SlowNaive(SeasonalNaive):
    """Seasonal naive that takes ``FIT_SECONDS`` a fit, as MSTL takes seconds on real data."""

    def fit(self, contacts, start=None):
        time.sleep(FIT_SECONDS)
        return super().fit(contacts, start)


class SlowMedian(SlotMedian):
    def fit(self, contacts, start=None):
        time.sleep(FIT_SECONDS)
        return super().fit(contacts, start)


@pytest.fixture
def slow_methods(monkeypatch):
    """Every method but the default one takes ``FIT_SECONDS`` a fit."""
    monkeypatch.setitem(METHODS, "seasonal_naive", SlowNaive)
    for weeks in (4, 6, 8):
        monkeypatch.setitem(METHODS, f"slot_median_{weeks}", lambda weeks=weeks: SlowMedian(weeks))


def timed_forecast(history, **options):
    clock = time.monotonic()
    result = forecast_history(history, "2024-03-25", **options)
    return result, time.monotonic() - clock


def test_the_default_method_is_tried_first_and_the_slow_ones_last():
    order = trial_order(METHOD_NAMES)
    assert order[0] == DEFAULT_METHOD and order[-len(SLOW_METHODS):] == list(SLOW_METHODS)
    assert sorted(order) == sorted(METHODS)  # combinations are not fitted


def test_a_tiny_limit_returns_in_time_with_a_whole_forecast_and_says_what_was_skipped(slow_methods):
    history = make_history(weeks=12, noise=0.1)
    methods = ["seasonal_naive", "weighted_profile", "slot_median_4", "slot_median_6", "slot_median_8",
               "combo_mean"]
    full, full_seconds = timed_forecast(history, methods=methods)
    limited, seconds = timed_forecast(history, methods=methods, time_limit=1.2)

    # 16 slow fits take 2.4 s; the limit stops them, overrunning by a fit in the intervals' refits and
    # the final fit at most (and some slack)
    assert full_seconds > 2.4 and seconds < 1.2 + 2 * FIT_SECONDS + 0.4
    assert not any("time limit" in note for note in full.notes)
    skipped = [note for note in limited.notes if "not tried" in note]
    assert len(skipped) == 1 and "time limit 1.2 s" in skipped[0] and "slot_median_8" in skipped[0]

    accuracy = limited.accuracy.set_index("method")
    tried = accuracy.index[accuracy["folds"] == 4]
    assert {"weighted_profile", "seasonal_naive"} <= set(tried) and accuracy.loc["slot_median_8", "folds"] == 0
    chosen = accuracy.index[accuracy["chosen"]][0]
    assert accuracy.loc[chosen, "wape"] == accuracy["wape"].min()  # the best of those tried
    forecast = limited.forecast
    assert len(forecast) == len(full.forecast) and set(forecast["method"]) == {chosen}
    assert np.isfinite(forecast[["contacts", "contacts_lo80", "contacts_hi95"]].to_numpy()).all()


def test_past_the_limit_the_default_method_is_still_scored_and_the_bands_say_so():
    history = make_history(weeks=12, noise=0.1)
    result, seconds = timed_forecast(history, time_limit=1e-6)
    accuracy = result.accuracy.set_index("method")
    assert accuracy.loc[DEFAULT_METHOD, "folds"] == 4 and accuracy.loc[DEFAULT_METHOD, "chosen"]
    assert (accuracy.drop(DEFAULT_METHOD)["folds"] == 0).all()
    assert any("not tried" in note and "mstl" in note for note in result.notes)
    assert any("prediction intervals calibrated on 4 of 9 weeks" in note for note in result.notes)
    assert (result.forecast["contacts_hi95"] >= result.forecast["contacts"]).all()
    assert seconds < 5  # no MSTL fit (seconds each on real data)


def test_a_slow_method_whose_guessed_folds_would_not_fit_is_not_started(monkeypatch):
    def never(self, contacts, start=None):
        raise AssertionError("mstl was started")

    monkeypatch.setattr(methods, "MSTL_SECONDS_PER_INTERVAL", 0.01)  # 8 weeks × 168 hours: 13 s a fit
    monkeypatch.setattr(MSTLMethod, "fit", never)
    result, _ = timed_forecast(make_history(weeks=12, noise=0.1), methods=["weighted_profile", "mstl"],
                               time_limit=30)
    assert any("not tried: mstl" in note for note in result.notes)


def test_two_queues_share_the_limit(slow_methods):
    history = pd.concat([make_history(weeks=12, noise=0.1), make_history(weeks=12, queue="support", seed=3)],
                        ignore_index=True)
    methods = ["weighted_profile", "seasonal_naive", "slot_median_4", "slot_median_6", "slot_median_8"]
    result, seconds = timed_forecast(history, methods=methods, time_limit=2.4)
    tried = result.accuracy.groupby("queue")["folds"].apply(lambda counts: int((counts == 4).sum()))
    # alone, the first queue would try 4 methods in the 1.9 s of backtest and leave the second 1
    assert (tried >= 2).all()
    assert seconds < 2.4 + 2 * FIT_SECONDS + 0.5


@pytest.mark.parametrize("limit", [0, -1, float("nan"), float("inf"), "10", True])
def test_a_bad_time_limit_is_a_clear_error(limit):
    with pytest.raises(InputError, match="time limit must be a number of seconds above 0"):
        forecast_history(make_history(weeks=6), "2024-02-12", time_limit=limit)
