"""Forecast methods, backtest and forecast_history on small synthetic histories (60-minute
intervals, a few weeks), where the true pattern is known."""

import warnings

import numpy as np
import pandas as pd
import pytest

from forecasts.backtest import MIN_TRAIN_WEEKS, backtest, backtest_queue, fold_weeks, pooled_wape, wape
from forecasts.forecast import FORECAST_COLUMNS, _chosen_method, forecast_history
from forecasts import methods
from forecasts.methods import (
    METHOD_NAMES,
    METHODS,
    MSTLMethod,
    LEVEL_MEDIAN_WEEKS,
    WeightedProfile,
    cap_outlier_days,
    catch_up_days,
    combination_weights,
    day_totals,
    forecast_aht,
    intraday_profile,
    make_method,
    monday_of,
    split_queues,
)
from forecasts.month_days import SHRINK_DAYS, START_DAYS, day_classes
from tabular import InputError

FIRST_MONDAY = pd.Timestamp("2024-01-01")
OPEN_HOURS = range(8, 20)  # rows exist 08:00-19:00; nights are closed (no rows)
WEEKDAY_LEVEL = np.array([1.2, 1.0, 1.0, 1.0, 0.9, 0.5, 0.3])  # Monday busiest, quiet weekend


def true_pattern(week: float, level: float = 100.0, growth: float = 0.0) -> np.ndarray:
    """Expected contacts ``(7, 24)`` of week number ``week``: weekday level × intraday shape,
    growing by ``growth`` per week; 0 at night."""
    shape = np.zeros(24)
    hours = np.array(OPEN_HOURS)
    shape[hours] = 1.0 + np.sin(np.pi * (hours - 8) / 12)  # a midday peak
    return level * (1 + growth) ** week * WEEKDAY_LEVEL[:, None] * shape / shape.sum() * 10


def make_history(weeks: int = 8, queue: str = "sales", growth: float = 0.0, noise: float = 0.0,
                 seed: int = 0, level: float = 100.0) -> pd.DataFrame:
    """A history in the contract's shape: open hours only, AHT 300 s (+ 60 s on Mondays)."""
    rng = np.random.default_rng(seed)
    rows = []
    for week in range(weeks):
        expected = true_pattern(week, level, growth)
        contacts = expected * (1 + noise * rng.standard_normal(expected.shape)) if noise else expected
        for day in range(7):
            for hour in OPEN_HOURS:
                rows.append((FIRST_MONDAY + pd.Timedelta(days=7 * week + day, hours=hour), queue,
                             max(contacts[day, hour], 0.0), 360.0 if day == 0 else 300.0))
    history = pd.DataFrame(rows, columns=["interval_start", "queue", "contacts", "aht_seconds"])
    history.attrs["interval_minutes"] = 60
    return history


def week_array(history: pd.DataFrame) -> np.ndarray:
    """The (W, 7, 24) contacts array of a one-queue history."""
    last_monday = monday_of(history["interval_start"].max())
    return split_queues(history, [history["queue"].iloc[0]], 60, last_monday)[0].contacts


def drop_day(history: pd.DataFrame, day: str) -> pd.DataFrame:
    """The history without the rows of one calendar day (a gap, e.g. a holiday)."""
    kept = history[history["interval_start"].dt.normalize() != pd.Timestamp(day)].reset_index(drop=True)
    kept.attrs = dict(history.attrs)
    return kept


def as_week(forecast: pd.DataFrame, queue: str = "sales", week: int = 0) -> np.ndarray:
    """One queue's forecast contacts for week ``week`` of the forecast as (7, 24)."""
    values = forecast.loc[forecast["queue"] == queue, "contacts"].to_numpy()
    return values.reshape(-1, 7, 24)[week]


# --- methods -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(METHODS))
def test_each_method_recovers_a_clean_weekly_pattern(name):
    contacts = week_array(make_history(weeks=6))
    predicted = make_method(name).fit(contacts, FIRST_MONDAY).predict(2)
    for week in predicted:
        np.testing.assert_allclose(week, true_pattern(6), rtol=0.02, atol=0.05)
        assert (week[:, :8] == 0).all() and (week[:, 20:] == 0).all()  # closed at night stays closed


@pytest.mark.parametrize("weeks", [1, 2, 3])
@pytest.mark.parametrize("name", list(METHODS))
def test_each_method_forecasts_from_a_week_or_two(name, weeks):
    contacts = week_array(make_history(weeks=weeks))
    contacts[-1, 4:] = np.nan  # the history ends on a Thursday
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no empty means or divisions by zero either
        predicted = make_method(name).fit(contacts, FIRST_MONDAY).predict(1)[0]
    seen = slice(None) if weeks > 1 else slice(0, 4)  # one week: Friday to Sunday never seen, so closed
    np.testing.assert_allclose(predicted[seen], true_pattern(0)[seen], rtol=0.02, atol=0.05)


@pytest.mark.parametrize("name", list(METHODS))
def test_a_missing_day_does_not_become_a_zero_day(name):
    # The last Wednesday and an earlier Monday are gaps (no rows at all).
    history = drop_day(drop_day(make_history(weeks=6), "2024-02-07"), "2024-01-29")
    predicted = make_method(name).fit(week_array(history), FIRST_MONDAY).predict(1)[0]
    np.testing.assert_allclose(predicted.sum(axis=1), true_pattern(6).sum(axis=1), rtol=0.03)


def test_a_partly_missing_day_is_scaled_to_a_whole_day():
    history = make_history(weeks=3)
    afternoon_lost = (history["interval_start"].dt.normalize() == pd.Timestamp("2024-01-17")) & (
        history["interval_start"].dt.hour >= 15)
    contacts = week_array(history[~afternoon_lost])
    totals = day_totals(contacts, intraday_profile(contacts))
    assert totals[2, 2] == pytest.approx(true_pattern(2).sum(axis=1)[2], rel=0.02)


def test_weighted_profile_carries_the_trend_forward():
    contacts = week_array(make_history(weeks=10, growth=0.03))
    predicted = make_method("weighted_profile").fit(contacts).predict(1)[0].sum()
    last_week, truth = true_pattern(9, growth=0.03).sum(), true_pattern(10, growth=0.03).sum()
    assert predicted > last_week * 1.01  # goes beyond the last week ...
    assert predicted == pytest.approx(truth, rel=0.025)  # ... to near the truth (damped: a bit under)


def test_weighted_profile_without_trend_is_the_4_3_2_1_average():
    contacts = week_array(make_history(weeks=10, growth=0.03))
    predicted = WeightedProfile(trend=False).fit(contacts).predict(2)
    weights = np.array([1.0, 2.0, 3.0, 4.0])  # weeks 6..9, newest weighs most
    expected = sum(w * true_pattern(week, growth=0.03) for w, week in zip(weights, range(6, 10)))
    expected /= weights.sum()
    np.testing.assert_allclose(predicted, np.stack([expected, expected]), rtol=1e-9, atol=1e-9)


def test_mstl_follows_the_level_of_a_growing_series():
    # MSTL's trend (AutoETS on the STL trend) tracks the current level; it does not extrapolate
    # weekly growth much (see MSTLMethod), so it is checked against the level, not the truth.
    growth = 0.03
    contacts = week_array(make_history(weeks=10, growth=growth))
    predicted = make_method("mstl").fit(contacts).predict(1)[0].sum()
    last_week = true_pattern(9, growth=growth).sum()
    history_mean = np.mean([true_pattern(week, growth=growth).sum() for week in range(10)])
    assert abs(predicted - last_week) < 0.25 * abs(predicted - history_mean)


def test_seasonal_naive_has_no_trend():
    contacts = week_array(make_history(weeks=10, growth=0.03))
    predicted = make_method("seasonal_naive").fit(contacts).predict(3)
    np.testing.assert_allclose(predicted, np.broadcast_to(np.nan_to_num(contacts[-1]), predicted.shape))


def test_mstl_falls_back_on_one_week_and_says_so():
    method = MSTLMethod().fit(week_array(make_history(weeks=1)))
    assert "fell back to weighted_profile" in method.note
    np.testing.assert_allclose(method.predict(1)[0], true_pattern(0), rtol=1e-9)


def test_aht_is_contact_weighted_per_slot_with_fallbacks():
    contacts = np.full((2, 7, 2), np.nan)
    aht = np.full((2, 7, 2), np.nan)
    contacts[:, 0, 0], aht[:, 0, 0] = [10.0, 30.0], [200.0, 400.0]  # Monday slot 0, two weeks
    contacts[1, 1, 0], aht[1, 1, 0] = 5.0, 100.0  # Tuesday slot 0, last week only
    forecast = forecast_aht(contacts, aht)
    # Recency weights 1, 2 times contacts 10, 30: (1*10*200 + 2*30*400) / (1*10 + 2*30)
    assert forecast[0, 0] == pytest.approx(26000 / 70)
    assert forecast[0, 1] == pytest.approx(26000 / 70)  # no data: the weekday's AHT
    assert forecast[1, 1] == pytest.approx(100.0)
    assert forecast[3, 0] == pytest.approx((26000 + 2 * 5 * 100) / 80)  # no data that day: the queue's


# --- backtest ----------------------------------------------------------------------------------


def test_wape_on_a_hand_example():
    actual = np.array([10.0, np.nan, 20.0, 0.0])  # the NaN is a gap: its forecast does not count
    forecast = np.array([12.0, 99.0, 15.0, 1.0])
    assert wape(actual, forecast) == pytest.approx((2 + 5 + 1) / 30)
    assert np.isnan(wape(np.array([np.nan, 0.0]), np.array([1.0, 1.0])))


def test_folds_need_three_weeks_of_training():
    assert fold_weeks(week_array(make_history(weeks=5)), folds=4) == [3, 4]
    assert fold_weeks(week_array(make_history(weeks=3)), folds=4) == []
    assert MIN_TRAIN_WEEKS == 3


def test_backtest_scores_each_method_on_each_fold():
    methods = ["seasonal_naive", "weighted_profile"]
    folds, summary = backtest(make_history(weeks=6, noise=0.1), methods=methods, folds=2)
    assert len(folds) == 4
    assert set(folds["fold_start"]) == {pd.Timestamp("2024-01-29"), pd.Timestamp("2024-02-05")}
    errors = (folds["wape"] * folds["scored_contacts"]).groupby(folds["method"]).sum()
    pooled = errors / folds.groupby("method")["scored_contacts"].sum()
    assert summary.set_index("method")["wape"].to_dict() == pytest.approx(pooled.to_dict())


def test_the_backtest_leaves_the_catch_up_days_after_a_holiday_unscored_and_pools_the_folds():
    history = make_history(weeks=7, noise=0.1)
    surge = history["interval_start"].dt.normalize().isin(pd.to_datetime(["2024-02-13", "2024-02-14"]))
    history.loc[surge, "contacts"] *= 1.5  # the Tuesday and Wednesday after a closed Monday carry its contacts
    history = drop_day(history, "2024-02-12")
    queue = split_queues(history, ["sales"], 60, pd.Timestamp("2024-02-12"))[0]
    result = backtest_queue(queue, ("seasonal_naive", "weighted_profile"), folds=3)
    last = [score for score in result.scores if score.fold_start == pd.Timestamp("2024-02-12")]
    week = queue.contacts[6].copy()
    week[1:3] = np.nan  # Tuesday and Wednesday: catch-up days; Monday: a gap
    for score in last:
        assert score.scored == pytest.approx(np.nansum(week))
        assert score.wape == pytest.approx(wape(week, result.forecasts[score.method, 6]))
    naive = [score for score in result.scores if score.method == "seasonal_naive"]
    assert result.pooled_wapes(["seasonal_naive"])["seasonal_naive"] == pytest.approx(
        sum(score.wape * score.scored for score in naive) / sum(score.scored for score in naive))
    assert last[0].scored < 0.8 * naive[0].scored  # the holiday week counts for less than a full one


# --- forecast_history --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_queue_result():
    history = pd.concat([make_history(weeks=7, noise=0.15, seed=1),
                         make_history(weeks=7, queue="support", noise=0.15, seed=2, level=40.0)],
                        ignore_index=True)
    history.attrs["interval_minutes"] = 60
    steps = []
    result = forecast_history(history, "2024-02-19", weeks=2, folds=3,
                              progress=lambda step, total, message: steps.append((step, total)))
    return result, steps


def test_forecast_covers_every_interval_of_the_target_weeks(two_queue_result):
    result, _ = two_queue_result
    forecast = result.forecast
    assert list(forecast.columns) == FORECAST_COLUMNS and result.interval_minutes == 60
    for _, rows in forecast.groupby("queue"):
        expected = pd.date_range("2024-02-19", periods=2 * 7 * 24, freq="h")
        assert (rows["interval_start"].to_numpy() == expected.to_numpy()).all()
    assert forecast["contacts"].dtype == float and (forecast["contacts"] >= 0).all()
    assert forecast["aht_seconds"].notna().all()  # closed slots carry the fallback AHT
    night = forecast["interval_start"].dt.hour < 8
    assert (forecast.loc[night, "contacts"] == 0).all()
    monday_noon = forecast["interval_start"] == pd.Timestamp("2024-02-19 12:00")
    assert forecast.loc[monday_noon, "aht_seconds"].to_numpy() == pytest.approx([360.0, 360.0])


def test_chosen_method_has_the_lowest_backtest_wape(two_queue_result):
    result, _ = two_queue_result
    for queue, rows in result.accuracy.groupby("queue"):
        chosen = rows[rows["chosen"]]
        assert len(chosen) == 1 and chosen["wape"].iloc[0] == rows["wape"].min()
        assert (rows["folds"] == 3).all()
        methods_used = result.forecast.loc[result.forecast["queue"] == queue, "method"]
        assert set(methods_used) == {chosen["method"].iloc[0]}
    assert len(result.backtest) == 2 * 3 * len(METHOD_NAMES)


def test_progress_counts_every_fit(two_queue_result):
    _, steps = two_queue_result
    # combinations reuse the methods' fold forecasts; the prediction intervals refit the chosen
    # method on the one week with 3 weeks before it that the 3 folds left out
    total = 2 * (3 * len(METHODS) + 1 + 1)
    assert steps == [(step, total) for step in range(total + 1)]


@pytest.mark.parametrize("method", ["seasonal_naive", "weighted_profile"])
def test_special_days_are_left_out_of_history_and_applied_to_the_forecast(method):
    history = make_history(weeks=5)
    spike = history["interval_start"] == pd.Timestamp("2024-01-29 10:00")  # last Monday: a campaign
    history.loc[spike, "contacts"] *= 20
    special_days = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-29", "2024-02-06", "2024-02-08"]),
        "multiplier": [3.0, 0.5, 0.0],
        "label": ["campaign", "half day", "closed"],
    })
    result = forecast_history(history, "2024-02-05", special_days=special_days,
                              methods=[method], folds=0)
    predicted = as_week(result.forecast)
    expected = true_pattern(4)  # the spike does not shape next Monday
    expected[1] *= 0.5
    expected[3] = 0.0
    np.testing.assert_allclose(predicted, expected, rtol=1e-9)


def test_a_gap_between_history_and_start_is_bridged():
    result = forecast_history(make_history(weeks=6), "2024-03-04", methods=["weighted_profile"], folds=0)
    np.testing.assert_allclose(as_week(result.forecast), true_pattern(6), rtol=1e-9)
    assert result.forecast["interval_start"].min() == pd.Timestamp("2024-03-04")


def test_too_short_to_backtest_uses_the_default_method_and_says_so():
    result = forecast_history(make_history(weeks=2), "2024-01-15")
    assert result.backtest.empty
    assert set(result.forecast["method"]) == {"weighted_profile"}
    assert any("too little history to backtest" in note for note in result.notes)


@pytest.mark.parametrize("start, message", [
    ("2024-02-20", "must be a Monday"),  # a Tuesday
    ("2024-02-19 08:00", "must be a date"),
    ("2024-01-29", "inside the history"),
    ("not a date", "is not a date"),
])
def test_bad_start_is_a_clear_error(start, message):
    with pytest.raises(InputError, match=message):
        forecast_history(make_history(weeks=7), start)


def test_unknown_method_and_bad_weeks_are_errors():
    with pytest.raises(InputError, match="unknown forecast method"):
        forecast_history(make_history(weeks=4), "2024-01-29", methods=["prophet"])
    with pytest.raises(InputError, match="weeks must be"):
        forecast_history(make_history(weeks=4), "2024-01-29", weeks=0)


# --- robust profiles and combinations ----------------------------------------------------------


def test_slot_median_ignores_one_surge_week():
    contacts = week_array(make_history(weeks=6))
    contacts[-1] *= 1.4  # last week: a surge in every slot
    predicted = make_method("slot_median_4").fit(contacts).predict(1)[0]
    np.testing.assert_allclose(predicted, true_pattern(0), rtol=1e-9)  # median of 1, 1, 1, 1.4


def test_level_profile_takes_the_median_day_and_skips_gaps():
    contacts = week_array(drop_day(make_history(weeks=8), "2024-02-19"))  # the last Monday is a gap
    contacts[-2, 1] *= 1.5  # one surge Tuesday
    predicted = make_method("level_profile").fit(contacts).predict(1)[0]
    np.testing.assert_allclose(predicted, true_pattern(0), rtol=1e-9)


TURN_OF_MONTH = {  # Monday-to-Friday open days of Jan-May 2024 and how much busier they are
    1.3: ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"],  # the first open day
    1.2: ["2024-01-02", "2024-02-02", "2024-03-04", "2024-04-02", "2024-05-02"],  # the second
    1.25: ["2024-01-31", "2024-02-29", "2024-03-29", "2024-04-30"],  # the last
}


def month_history(weeks: int = 14, noise: float = 0.0) -> np.ndarray:
    """``make_history`` open Monday to Friday and busier at the turn of the month
    (``TURN_OF_MONTH``), as a week array from FIRST_MONDAY (2024-01-01, a Monday)."""
    history = make_history(weeks=weeks, noise=noise)
    history = history[history["interval_start"].dt.dayofweek < 5].reset_index(drop=True)
    day = history["interval_start"].dt.normalize()
    for factor, dates in TURN_OF_MONTH.items():
        history.loc[day.isin(pd.to_datetime(dates)), "contacts"] *= factor
    history.attrs["interval_minutes"] = 60
    return week_array(history)


def test_days_are_classed_by_their_place_among_the_open_days_of_their_month():
    weekdays = np.array([True] * 5 + [False] * 2)
    classes = day_classes(pd.Timestamp("2024-01-29"), 0, 2, weekdays)  # Mon 29 Jan … Sun 11 Feb
    first, second, third, last, second_last = 1, 2, 3, 1 + START_DAYS, 2 + START_DAYS
    assert classes.tolist() == [[0, second_last, last, first, second, 0, 0], [third, 0, 0, 0, 0, 0, 0]]
    every_day = day_classes(pd.Timestamp("2024-02-26"), 0, 1, np.ones(7, dtype=bool))  # 26 Feb … 3 Mar
    assert every_day.tolist() == [[0, 0, second_last, last, first, second, third]]
    assert not day_classes(None, 0, 2, weekdays).any()  # no calendar, no classes


def test_month_level_learns_the_turn_of_the_month_and_forecasts_it():
    contacts = month_history()  # Jan 1 … Apr 7: 4 first and second open days, 3 last ones
    factors = make_method("month_level").fit(contacts, FIRST_MONDAY)._factors
    shrunk = {days: days / (days + SHRINK_DAYS) for days in (3, 4)}
    np.testing.assert_allclose(factors[[1, 2, 1 + START_DAYS]],
                               [1 + 0.3 * shrunk[4], 1 + 0.2 * shrunk[4], 1 + 0.25 * shrunk[3]], rtol=1e-3)
    predicted = make_method("month_level").fit(contacts[:4], FIRST_MONDAY).predict(2)  # Jan 29 … Feb 11
    totals, ordinary = predicted.sum(axis=2), true_pattern(0).sum(axis=1)
    once = 1 / (1 + SHRINK_DAYS)  # January's turn of the month, seen once
    np.testing.assert_allclose(totals[0, :5] / ordinary[:5], [1, 1, 1, 1 + 0.3 * once, 1 + 0.2 * once], rtol=1e-9)
    np.testing.assert_allclose(totals[1, :5], ordinary[:5], rtol=1e-9)  # mid-month: the ordinary level


def test_month_methods_beat_the_plain_level_at_the_turn_of_the_month():
    contacts = month_history(weeks=18, noise=0.05)  # Jan 1 … May 5, forecast May 6-12 … from Apr 1
    errors = {name: np.mean([wape(contacts[week], make_method(name).fit(contacts[:week], FIRST_MONDAY).predict(1)[0])
                             for week in (13, 17)])  # the weeks of Apr 1 and Apr 29 (month end + May 1)
              for name in ("level_profile", "month_level", "month_pooled")}
    assert errors["month_level"] < 0.8 * errors["level_profile"]
    assert errors["month_pooled"] < 0.8 * errors["level_profile"]


def test_month_pooled_follows_a_change_of_level_sooner_than_one_weekday_median():
    contacts = week_array(make_history(weeks=10))
    contacts[-3:] *= 1.2  # the last three weeks 20 % busier: a median of 6 same weekdays sees half of it
    pooled = make_method("month_pooled").fit(contacts).predict(1)[0]  # no calendar: levels alone
    per_weekday = make_method("month_level").fit(contacts).predict(1)[0]
    np.testing.assert_allclose(pooled, 1.2 * true_pattern(0), rtol=1e-6)
    np.testing.assert_allclose(per_weekday, 1.1 * true_pattern(0), rtol=1e-6)


def test_the_days_after_a_missing_day_are_its_catch_up_days():
    weekdays = np.array([True] * 5 + [False] * 2)
    totals = np.where(weekdays, 100.0, np.nan)[None].repeat(4, axis=0)
    totals[0, 0] = totals[1, 4] = totals[3, 3:5] = np.nan  # before the first day seen; a Friday; at the end
    marked = catch_up_days(totals, weekdays)
    assert list(zip(*np.nonzero(marked))) == [(2, 0), (2, 1)]  # the Monday and Tuesday after that Friday
    assert not catch_up_days(np.full((2, 7), np.nan), weekdays).any()


@pytest.mark.parametrize("name", ["month_level", "month_pooled"])
def test_a_holidays_catch_up_does_not_raise_the_month_factors_or_the_level(name, monkeypatch):
    contacts = week_array(make_history(weeks=14)).copy()  # Jan 1 … Apr 7, the same every week
    contacts[:, 5:] = np.nan  # open Monday to Friday
    contacts[13, 0] = np.nan  # Monday Apr 1 a holiday: its contacts come on the 2nd and 3rd open days of April
    contacts[13, 1] *= 1.4
    contacts[13, 2] *= 1.2
    expected = np.where(np.arange(7)[:, None] < 5, true_pattern(0), 0.0)
    predicted = make_method(name).fit(contacts, FIRST_MONDAY).predict(4)[3]  # Apr 29 … May 5
    np.testing.assert_allclose(predicted, expected, rtol=1e-6)
    monkeypatch.setattr(methods, "CATCH_UP_DAYS", 0)  # read as ordinary days, they were learnt as the month's
    predicted = make_method(name).fit(contacts, FIRST_MONDAY).predict(4)[3]
    assert predicted[3].sum() > 1.05 * expected[3].sum()  # Thursday May 2, the 2nd open day of May


def test_recency_mean_weighs_a_week_half_as_much_as_four_weeks_newer():
    contacts = np.full((8, 7, 1), 10.0)
    contacts[-5] = 40.0  # four weeks before the last one: weight 1/2 against the last week's 1
    weights = 0.5 ** (np.arange(8)[::-1] / 4)
    expected = (10 * weights.sum() + 30 * weights[-5]) / weights.sum()
    assert make_method("recency_mean").fit(contacts).predict(1)[0, 0, 0] == pytest.approx(expected)


def test_combination_weights_take_the_three_best_scored_methods():
    scores = {"a": 0.10, "b": 0.20, "c": float("nan"), "d": 0.40, "e": 0.05}
    assert combination_weights("combo_mean", scores) == {"e": 1.0, "a": 1.0, "b": 1.0}
    assert combination_weights("combo_weighted", scores) == pytest.approx({"e": 20.0, "a": 10.0, "b": 5.0})
    assert combination_weights("combo_mean", {"a": 0.1, "b": float("nan")}) == {}  # one scored: nothing to combine


def test_a_combination_is_scored_on_members_chosen_without_its_fold():
    queue = split_queues(make_history(weeks=7, noise=0.15), ["sales"], 60, pd.Timestamp("2024-02-12"))[0]
    names = ("seasonal_naive", "weighted_profile", "slot_median_4", "combo_weighted")
    result = backtest_queue(queue, names, folds=3)
    scores = {(s.method, s.fold_start): s.wape for s in result.scores}
    first = pd.Timestamp("2024-01-29")  # fold week 4; the other folds are weeks 5 and 6
    others = {name: pooled_wape([score for score in result.scores if score.method == name
                                 and score.fold_start in (pd.Timestamp("2024-02-05"), pd.Timestamp("2024-02-12"))])
              for name in names[:3]}
    weights = {name: 1 / others[name] for name in others}
    expected = sum(weight * result.forecasts[name, 4] for name, weight in weights.items()) / sum(weights.values())
    np.testing.assert_allclose(result.forecasts["combo_weighted", 4], expected)
    assert scores["combo_weighted", first] == pytest.approx(wape(queue.contacts[4], expected))


def test_combinations_alone_are_an_error():
    with pytest.raises(InputError, match="only combine other methods"):
        forecast_history(make_history(weeks=4), "2024-01-29", methods=["combo_mean"])


def test_a_chosen_combination_is_refitted_with_the_best_members_of_all_folds():
    queue = split_queues(make_history(weeks=7, noise=0.15, seed=3), ["sales"], 60, pd.Timestamp("2024-02-12"))[0]
    names = ("seasonal_naive", "slot_median_4", "slot_median_6", "recency_mean", "combo_mean")
    result = backtest_queue(queue, names, folds=3)
    means = result.pooled_wapes(names[:4])
    method = _chosen_method("combo_mean", result, names)
    assert [member.name for member in method.members] == sorted(means, key=means.get)[:3]
    predicted = method.fit(queue.contacts).predict(1)
    members = [make_method(member.name).fit(queue.contacts).predict(1) for member in method.members]
    np.testing.assert_allclose(predicted, np.mean(members, axis=0))


def test_an_outlying_day_is_capped_at_its_weekdays_normal_range():
    contacts = week_array(make_history(weeks=8, noise=0.05, seed=4))
    contacts[-1, 1] *= 1.6  # a post-holiday Tuesday
    profile = intraday_profile(contacts)
    capped = cap_outlier_days(contacts, profile)
    totals, capped_totals = day_totals(contacts, profile), day_totals(capped, profile)
    tuesdays = totals[-LEVEL_MEDIAN_WEEKS:, 1]
    median = np.median(tuesdays)
    spread = 2 * 1.4826 * np.median(np.abs(totals[:, 1] / median - 1))
    assert capped_totals[-1, 1] == pytest.approx(median * (1 + spread))
    ordinary = np.ones(totals.shape, dtype=bool)
    ordinary[-1, 1] = False
    assert np.abs(capped_totals / totals - 1)[ordinary].max() < 0.03  # the ordinary days barely move


def test_mstl_is_not_pulled_up_by_a_surge_day():
    contacts = week_array(make_history(weeks=8, noise=0.05, seed=4))
    contacts[-1, 1] *= 1.6
    predicted = make_method("mstl").fit(contacts).predict(1)[0]
    assert predicted.sum() == pytest.approx(true_pattern(8).sum(), rel=0.03)
