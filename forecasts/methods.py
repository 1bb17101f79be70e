"""Forecasting methods for contacts per interval, on a week × weekday × slot grid.

Every method works on the same picture of one queue's history: a float array
``contacts[week, weekday, slot]`` of shape ``(W, 7, P)`` (P = intervals per day), week 0 starting
on a Monday 00:00, with NaN wherever the history has no row. Following statsforecast, every method
has ``fit(contacts) -> self`` and ``predict(h) -> array (h, 7, P)`` for the ``h`` whole weeks right
after the training weeks, and is known by its ``name``. ``fit`` also takes ``start``, the Monday of
week 0, for methods that follow the calendar (``month_level``, ``month_pooled``); without it they
see no calendar.

How gaps are read (the same rules for every method):

* A missing row is a *gap*: unknown, never zero. A centre closed at night or at weekends simply has
  no rows there, and a holiday or a data outage looks the same.
* A slot (weekday, time of day) is *open* if it was observed at least once in the last
  ``RECENT_WEEKS`` weeks of training; slots that are not open are forecast 0 (closed): they get
  no value in seasonal naive and a zero share in the intraday profile. Looking only at recent
  weeks lets a change of opening hours take effect after a few weeks.
* A gap on an open slot is filled from other weeks of the same weekday, as each method describes.
  A day whose observed slots carry less than ``MIN_DAY_COVERAGE`` of its usual volume does not count
  as observed when daily totals are needed.

AHT is forecast the same way whatever method forecasts the contacts: see ``forecast_aht``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from forecasts.month_days import day_classes, month_factors
from tabular import InputError, Problem

DAYS_PER_WEEK = 7
RECENT_WEEKS = 8  # window for open slots, intraday profiles and AHT
MIN_DAY_COVERAGE = 0.5  # a day seen for less than half its usual volume is treated as a gap
PROFILE_PASSES = 3  # intraday_profile: refinements against estimated whole-day totals
LEVEL_WEEKS = 4  # weighted_profile: same-weekdays averaged, weights 4, 3, 2, 1 (newest first)
TREND_BLOCK_WEEKS = 4  # weighted_profile: trend = last 4 weeks vs the 4 weeks before
TREND_DAMPING = 0.8  # per-week damping of the trend when extrapolating
MSTL_WEEKS = 8  # mstl fits on the last 8 weeks: as accurate as 12–24 on the bank data, and faster
MIN_STATISTICAL_WEEKS = 2  # mstl: the weekly season must be seen at least twice
MEDIAN_WEEKS = (4, 6, 8)  # slot_median_K: the backtest chooses K among these
RECENCY_HALF_LIFE = 4.0  # recency_mean: a week counts half as much as the one 4 weeks newer
SHAPE_WEEKS = 16  # level_profile: the intraday shape is the median share of the last 16 weeks
LEVEL_MEDIAN_WEEKS = 6  # level_profile: day total = median of the last 6 observed same weekdays
POOLED_WEEKS = 4  # month_pooled: the level is the median of every open day of the last 4 weeks
COMBINE_TOP = 3  # combinations average the 3 methods with the lowest backtest WAPE
OUTLIER_MADS = 2.0  # mstl: a day further than 2 robust deviations from its weekday's median is capped
# mstl: a fit's seconds per interval of its window, cautiously (0.4–2 ms on 2 shared cores: 1–6 s for
# 8 weeks of 30-minute intervals)
MSTL_SECONDS_PER_INTERVAL = 1e-3
CATCH_UP_DAYS = 2  # month_*: the open days after a missing one carry its contacts (see catch_up_days)


# --- the week grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueHistory:
    """One queue's history on the week grid: arrays ``(W, 7, P)``, NaN where there is no row."""

    queue: str
    first_monday: pd.Timestamp
    contacts: np.ndarray
    aht: np.ndarray


def monday_of(timestamp: pd.Timestamp) -> pd.Timestamp:
    """Midnight of the Monday starting the week that contains ``timestamp``."""
    day = pd.Timestamp(timestamp).normalize()
    return day - pd.Timedelta(days=day.dayofweek)


def slots_per_day(interval_minutes: int) -> int:
    """Number of intervals in a 24-hour day."""
    return 24 * 60 // interval_minutes


def week_grid_times(first_monday: pd.Timestamp, weeks: int, interval_minutes: int) -> pd.DatetimeIndex:
    """Start of every interval of ``weeks`` whole weeks from ``first_monday``, in grid order."""
    periods = weeks * DAYS_PER_WEEK * slots_per_day(interval_minutes)
    return pd.date_range(first_monday, periods=periods, freq=pd.Timedelta(minutes=interval_minutes))


def split_queues(history: pd.DataFrame, queues: list[str], interval_minutes: int,
                 last_monday: pd.Timestamp) -> list[QueueHistory]:
    """Put each queue's rows on its week grid, from its first week to the week of ``last_monday``.

    Each queue starts at its own first week (so a queue opened late has no leading empty weeks);
    all end at the same week, so a queue that stopped reporting ends with empty weeks: gaps, which
    the methods bridge, until it has had no rows for ``RECENT_WEEKS`` weeks and is forecast 0.
    A queue with no rows gets one empty week.
    """
    step = pd.Timedelta(minutes=interval_minutes)
    per_week = DAYS_PER_WEEK * slots_per_day(interval_minutes)
    result = []
    for queue in queues:
        rows = history[history["queue"] == queue]
        first = monday_of(rows["interval_start"].min()) if len(rows) else last_monday
        weeks = (last_monday - first).days // DAYS_PER_WEEK + 1
        position = ((rows["interval_start"] - first) // step).to_numpy()
        arrays = []
        for column in ("contacts", "aht_seconds"):
            values = np.full(weeks * per_week, np.nan)
            values[position] = rows[column].to_numpy(dtype=float)
            arrays.append(values.reshape(weeks, DAYS_PER_WEEK, -1))
        result.append(QueueHistory(queue, first, *arrays))
    return result


# --- shared estimates: recency weights, intraday profile, daily totals, AHT -----------------


def open_slots(contacts: np.ndarray) -> np.ndarray:
    """``(7, P)`` True where the slot was observed at least once in the last ``RECENT_WEEKS`` weeks."""
    return (~np.isnan(contacts[-RECENT_WEEKS:])).any(axis=0)


def last_observed(values: np.ndarray, count: int) -> np.ndarray:
    """The last ``RECENT_WEEKS`` weeks of ``values`` (weeks on axis 0) with only each entry's
    ``count`` newest observed values kept (others NaN), so a gap week does not shorten the sample."""
    window = values[-RECENT_WEEKS:]
    seen = ~np.isnan(window)
    newer_seen = np.cumsum(seen[::-1], axis=0)[::-1]  # observed values in this week or later
    return np.where(seen & (newer_seen <= count), window, np.nan)


def recency_weights(n: int) -> np.ndarray:
    """Linear weights 1..n, oldest first: the newest of n weeks counts n times the oldest."""
    return np.arange(1, n + 1, dtype=float)


def _weighted_nanmean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over axis 0 ignoring NaN; NaN where every value is NaN."""
    w = np.where(np.isnan(values), 0.0, weights.reshape(-1, *([1] * (values.ndim - 1))))
    total = w.sum(axis=0)
    weighted = np.where(w > 0, values, 0.0) * w
    return np.divide(weighted.sum(axis=0), total, out=np.full(total.shape, np.nan), where=total > 0)


def intraday_profile(contacts: np.ndarray) -> np.ndarray:
    """Share of the day's volume in each slot, per weekday: ``(7, P)``, rows summing to 1 (or 0).

    Each observed day of the last ``RECENT_WEEKS`` weeks gives its slot shares; a slot is averaged
    over the days where it was observed (newer weeks weigh more), so a gap is never read as a zero
    share. Rows are then renormalised; a weekday never observed (closed) gets all zeros.

    A partly observed day would overstate the shares of the slots it has, so after a first pass
    the shares are taken against each day's *estimated* whole-day total (``day_totals``), which
    also drops mostly-missing days; ``PROFILE_PASSES`` passes settle it.
    """
    window = contacts[-RECENT_WEEKS:]
    weights = recency_weights(len(window))
    day_sums = np.nansum(window, axis=2)
    for _ in range(PROFILE_PASSES):
        shares = np.divide(window, day_sums[:, :, None], out=np.full(window.shape, np.nan),
                           where=day_sums[:, :, None] > 0)
        shares = np.nan_to_num(_weighted_nanmean(shares, weights))
        row_sums = shares.sum(axis=1, keepdims=True)
        profile = np.divide(shares, row_sums, out=np.zeros_like(shares), where=row_sums > 0)
        day_sums = day_totals(window, profile)
    return profile


def day_totals(contacts: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Total contacts of each day, ``(W, 7)``, NaN for days that are (mostly) gaps.

    A day with some slots missing is scaled up by the share of the day those slots usually carry,
    so a partial day (an outage, or the history ending at noon) is neither a low day nor lost.
    """
    observed = ~np.isnan(contacts)
    coverage = np.where(observed, profile, 0.0).sum(axis=2)
    sums = np.nansum(contacts, axis=2)
    return np.divide(sums, coverage, out=np.full(sums.shape, np.nan), where=coverage >= MIN_DAY_COVERAGE)


def fill_day_totals(totals: np.ndarray) -> np.ndarray:
    """Daily totals with gaps filled per weekday by linear interpolation between the nearest
    observed same weekdays (flat beyond the ends); a weekday never observed gets 0."""
    filled = np.zeros_like(totals)
    weeks = np.arange(len(totals))
    for day in range(DAYS_PER_WEEK):
        seen = ~np.isnan(totals[:, day])
        if seen.any():
            filled[:, day] = np.interp(weeks, weeks[seen], totals[seen, day])
    return filled


def regular_series(contacts: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """The history with no gaps: observed values kept; each gap = the day's estimated total
    (its own scaled total, or interpolated from nearby same weekdays) × the slot's profile share.
    Closed slots have a zero share, so they stay 0."""
    totals = fill_day_totals(day_totals(contacts, profile))
    return np.where(np.isnan(contacts), totals[:, :, None] * profile[None], contacts)


def forecast_aht(contacts: np.ndarray, aht: np.ndarray) -> np.ndarray:
    """AHT per slot, ``(7, P)``: contact-weighted mean over the last ``RECENT_WEEKS`` weeks,
    newer weeks weighing more. A slot without data takes its weekday's AHT, then the queue's
    recent AHT, then the queue's AHT over the whole history (NaN only if the queue never had a
    contact). Closed slots get the fallback too, so downstream staffing never sees NaN."""

    def weighted(c: np.ndarray, a: np.ndarray, weeks_weight: np.ndarray, axes):
        weight = np.where((c > 0) & np.isfinite(a), c, 0.0) * weeks_weight.reshape(-1, 1, 1)
        work = np.where(weight > 0, a * weight, 0.0).sum(axis=axes)
        total = weight.sum(axis=axes)
        return np.divide(work, total, out=np.full(np.shape(total), np.nan), where=total > 0)

    c, a = contacts[-RECENT_WEEKS:], aht[-RECENT_WEEKS:]
    recency = recency_weights(len(c))
    by_slot = weighted(c, a, recency, 0)
    by_day = weighted(c, a, recency, (0, 2))
    queue_recent = weighted(c, a, recency, None)
    queue_all = weighted(contacts, aht, np.ones(len(contacts)), None)
    result = np.where(np.isnan(by_slot), by_day[:, None], by_slot)
    for fallback in (queue_recent, queue_all):
        result = np.where(np.isnan(result), fallback, result)
    return result


# --- methods ---------------------------------------------------------------------------------


class Method:
    """Base of all methods: ``fit(contacts)`` then ``predict(h)``.

    ``note`` says in words when a method could not do what its name says (e.g. fell back to
    another method on short history); it is None otherwise.
    """

    name: str = ""

    def __init__(self) -> None:
        self.note: str | None = None

    def fit_seconds(self, contacts: np.ndarray) -> float:
        """A cautious guess of one fit's seconds on ``contacts``, before any was timed (a time limit
        does not start a method whose folds would not fit); numpy methods take milliseconds: 0."""
        return 0.0

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> Method:
        raise NotImplementedError

    def predict(self, h: int) -> np.ndarray:
        raise NotImplementedError


class SeasonalNaive(Method):
    """Each slot repeats its value of the most recent week in which it was observed.

    Gaps: a slot missing last week falls back to the week before, and so on over the last
    ``RECENT_WEEKS`` weeks; a slot not observed in that window is closed (0). No trend.
    """

    name = "seasonal_naive"

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> SeasonalNaive:
        last_seen = np.zeros(contacts.shape[1:])
        for week in contacts[-RECENT_WEEKS:]:  # oldest first, so newer observations win
            last_seen = np.where(np.isnan(week), last_seen, week)
        self._week = last_seen
        return self

    def predict(self, h: int) -> np.ndarray:
        return np.repeat(self._week[None], h, axis=0)


class WeightedProfile(Method):
    """The classic WFM method: daily total per weekday × intraday profile per weekday.

    Daily total = weighted average of the last ``LEVEL_WEEKS`` *observed* same weekdays within the
    last ``RECENT_WEEKS`` weeks (weights 4, 3, 2, 1, newest first); gaps and special days are
    skipped, so a missing Monday never becomes a zero Monday. With ``trend=True`` the total is
    carried forward by the weekly growth of the last ``TREND_BLOCK_WEEKS`` weeks over the ones
    before, damped by ``TREND_DAMPING`` per week, from the weighted average's centre to the target
    week. Profile: ``intraday_profile``; slots with a zero share (closed) get 0.
    """

    name = "weighted_profile"

    def __init__(self, trend: bool = True) -> None:
        super().__init__()
        self.trend = trend

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> WeightedProfile:
        self._profile = intraday_profile(contacts)
        totals = day_totals(contacts, self._profile)
        self._levels, self._centres = weekday_levels(totals)
        self._growth = weekly_growth(totals) if self.trend else 1.0
        self._weeks = len(contacts)
        return self

    def predict(self, h: int) -> np.ndarray:
        target_weeks = self._weeks + np.arange(h)[:, None]  # (h, 1) against centres (7,)
        steps = damped_steps(target_weeks - self._centres, TREND_DAMPING)
        levels = self._levels * self._growth ** steps  # (h, 7)
        return levels[:, :, None] * self._profile[None]


def weekday_levels(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per weekday: weighted mean of the last ``LEVEL_WEEKS`` observed totals in the recent
    window (weights 1..n oldest first) and the week index those weights centre on.
    A weekday with no observed total has level 0 (closed)."""
    levels = np.zeros(DAYS_PER_WEEK)
    centres = np.full(DAYS_PER_WEEK, len(totals) - 1.0)
    window_start = max(0, len(totals) - RECENT_WEEKS)
    for day in range(DAYS_PER_WEEK):
        weeks = window_start + np.flatnonzero(~np.isnan(totals[window_start:, day]))[-LEVEL_WEEKS:]
        if weeks.size:
            weights = recency_weights(weeks.size)
            levels[day] = np.average(totals[weeks, day], weights=weights)
            centres[day] = np.average(weeks, weights=weights)
    return levels, centres


def weekly_growth(totals: np.ndarray) -> float:
    """Growth factor per week: mean daily totals of the last ``TREND_BLOCK_WEEKS`` weeks over the
    block before, compared weekday by weekday on weekdays seen in both blocks (so a holiday in one
    block does not read as a drop). 1.0 when there are fewer than two blocks of history."""
    block = TREND_BLOCK_WEEKS
    if len(totals) < 2 * block:
        return 1.0
    with warnings.catch_warnings():  # weekdays never observed in a block give an all-NaN mean
        warnings.simplefilter("ignore", RuntimeWarning)
        recent = np.nanmean(totals[-block:], axis=0)
        earlier = np.nanmean(totals[-2 * block:-block], axis=0)
    both = np.isfinite(recent) & np.isfinite(earlier)
    if recent[both].sum() <= 0 or earlier[both].sum() <= 0:
        return 1.0
    return float((recent[both].sum() / earlier[both].sum()) ** (1.0 / block))


def damped_steps(distance: np.ndarray, damping: float) -> np.ndarray:
    """Weeks of growth to apply over ``distance`` weeks when each week counts ``damping`` times the
    one before: φ + φ² + … + φ^d (continuous in d), which levels off at φ / (1 − φ)."""
    return damping * (1.0 - damping ** distance) / (1.0 - damping)


def cap_outlier_days(contacts: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """The history with each outlying day scaled back to the edge of its weekday's normal range.

    A day's total is compared with the median of its weekday's last ``LEVEL_MEDIAN_WEEKS`` observed
    totals; the normal range is ``OUTLIER_MADS`` robust standard deviations (1.4826 × the median
    absolute deviation of those ratios over ``RECENT_WEEKS`` weeks) either side. A surge after a
    holiday then shapes the level no more than an ordinary busy day.
    """
    totals = day_totals(contacts, profile)
    with warnings.catch_warnings():  # weekdays never observed give an all-NaN median
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(last_observed(totals, LEVEL_MEDIAN_WEEKS), axis=0)
        ratios = totals / median
        spread = OUTLIER_MADS * 1.4826 * np.nanmedian(np.abs(last_observed(ratios, RECENT_WEEKS) - 1), axis=0)
    capped = np.clip(ratios, 1 - spread, 1 + spread)
    factor = np.where(np.isfinite(capped) & (totals > 0), capped / np.where(ratios > 0, ratios, 1.0), 1.0)
    return contacts * factor[:, :, None]


class MSTLMethod(Method):
    """statsforecast ``MSTL`` with daily and weekly seasons and an ``AutoETS(model="ZZN")`` trend,
    on the last ``MSTL_WEEKS`` weeks of the 24/7 series made regular by ``regular_series`` (gaps
    on open slots filled with the profile estimate, closed slots 0) after ``cap_outlier_days``
    (a one-day surge would otherwise pull the trend for the weeks after). Predictions are clipped
    at 0 and set to 0 on slots with a zero profile share (closed).

    Growth: the seasons are additive and estimated over the whole window, so on a growing series
    the current weekly swing is larger than the fitted one and the weekend at the end of the window
    pulls the trend's end down. MSTL therefore follows the current level but hardly extrapolates
    weekly growth (a clean +3 %/week series is forecast 1.7 % under its last week);
    ``WeightedProfile``'s trend factor is the method for that.

    With less than ``MIN_STATISTICAL_WEEKS`` weeks of history, or if the library fails, it falls
    back to ``WeightedProfile`` and says so in ``note``.
    """

    name = "mstl"

    def fit_seconds(self, contacts: np.ndarray) -> float:
        return min(len(contacts), MSTL_WEEKS) * contacts[0].size * MSTL_SECONDS_PER_INTERVAL if len(contacts) else 0.0

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> MSTLMethod:
        self._profile = intraday_profile(contacts)
        self._fallback: Method | None = None
        self.note = None
        if len(contacts) < MIN_STATISTICAL_WEEKS:
            return self._fall_back(contacts, f"needs at least {MIN_STATISTICAL_WEEKS} weeks of history, "
                                             f"got {len(contacts)}")
        from statsforecast.models import MSTL, AutoETS  # slow import (numba): only when used

        series = regular_series(cap_outlier_days(contacts, self._profile), self._profile)[-MSTL_WEEKS:]
        per_day = contacts.shape[2]
        model = MSTL(season_length=[per_day, DAYS_PER_WEEK * per_day], trend_forecaster=AutoETS(model="ZZN"))
        try:
            self._model = model.fit(series.ravel())
        except Exception as error:  # library errors vary (ValueError, LinAlgError, numba, ...)
            return self._fall_back(contacts, f"fitting failed: {error}")
        return self

    def _fall_back(self, contacts: np.ndarray, reason: str) -> MSTLMethod:
        self._fallback = WeightedProfile().fit(contacts)
        self.note = f"{self.name} fell back to {WeightedProfile.name}: {reason}"
        return self

    def predict(self, h: int) -> np.ndarray:
        if self._fallback is not None:
            return self._fallback.predict(h)
        per_week = DAYS_PER_WEEK * self._profile.shape[1]
        values = self._model.predict(h * per_week)["mean"].reshape(h, DAYS_PER_WEEK, -1)
        return np.where(self._profile > 0, np.clip(values, 0.0, None), 0.0)


class SlotMedian(Method):
    """Each slot's median over its last ``weeks`` observed values (within the last
    ``RECENT_WEEKS`` weeks): robust to a spike or a post-holiday surge in one week. No trend.
    Gaps are skipped, so the median reaches further back; slots not open are 0."""

    def __init__(self, weeks: int) -> None:
        super().__init__()
        self.weeks = weeks
        self.name = f"slot_median_{weeks}"

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> SlotMedian:
        with warnings.catch_warnings():  # slots never observed give an all-NaN median
            warnings.simplefilter("ignore", RuntimeWarning)
            self._week = np.nan_to_num(np.nanmedian(last_observed(contacts, self.weeks), axis=0))
        return self

    def predict(self, h: int) -> np.ndarray:
        return np.repeat(self._week[None], h, axis=0)


class RecencyMean(Method):
    """Each slot's mean over the last ``RECENT_WEEKS`` weeks, a week weighing half as much as the
    one ``RECENCY_HALF_LIFE`` weeks newer; gaps are skipped, slots not open are 0. No trend."""

    name = "recency_mean"

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> RecencyMean:
        window = contacts[-RECENT_WEEKS:]
        weights = 0.5 ** (np.arange(len(window))[::-1] / RECENCY_HALF_LIFE)
        self._week = np.nan_to_num(_weighted_nanmean(window, weights))
        return self

    def predict(self, h: int) -> np.ndarray:
        return np.repeat(self._week[None], h, axis=0)


class LevelProfile(Method):
    """Robust day total × long-run intraday shape, per weekday.

    Shape: each slot's median share of its day's estimated total over the last ``SHAPE_WEEKS``
    weeks (``median_profile``): a long window averages the noise of single intervals away.
    Level: median of the last ``LEVEL_MEDIAN_WEEKS`` observed totals of the same weekday (within
    ``RECENT_WEEKS`` weeks; partial days scaled up, gaps skipped), so one surge day does not move
    it. No trend.
    """

    name = "level_profile"

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> LevelProfile:
        self._profile = median_profile(contacts)
        totals = last_observed(day_totals(contacts, self._profile), LEVEL_MEDIAN_WEEKS)
        with warnings.catch_warnings():  # weekdays never observed give an all-NaN median
            warnings.simplefilter("ignore", RuntimeWarning)
            self._levels = np.nan_to_num(np.nanmedian(totals, axis=0))
        return self

    def predict(self, h: int) -> np.ndarray:
        week = self._levels[:, None] * self._profile
        return np.repeat(week[None], h, axis=0)


def median_profile(contacts: np.ndarray) -> np.ndarray:
    """Intraday shares ``(7, P)``: per slot the median, over the last ``SHAPE_WEEKS`` weeks, of the
    slot's share of its day's estimated total (``day_totals`` with ``intraday_profile``; mostly
    missing days are left out). Slots not open get 0; rows are renormalised to sum to 1 (or 0)."""
    window = contacts[-SHAPE_WEEKS:]
    totals = day_totals(window, intraday_profile(contacts))[:, :, None]
    shares = np.divide(window, totals, out=np.full(window.shape, np.nan), where=totals > 0)
    with warnings.catch_warnings():  # slots never observed give an all-NaN median
        warnings.simplefilter("ignore", RuntimeWarning)
        shares = np.where(open_slots(contacts), np.nan_to_num(np.nanmedian(shares, axis=0)), 0.0)
    row_sums = shares.sum(axis=1, keepdims=True)
    return np.divide(shares, row_sums, out=np.zeros_like(shares), where=row_sums > 0)


def catch_up_days(totals: np.ndarray, open_weekdays: np.ndarray) -> np.ndarray:
    """``(W, 7)`` True on the ``CATCH_UP_DAYS`` open days after each missing open day (a holiday,
    an outage, a special day left out) between the first and last observed day of ``totals``.

    Contacts that could not come on a closed day come on the next ones: on the bank calls the two
    open days after 2003-05-26 and 2003-07-04 ran 6–26 % above their weekdays, the third no more
    than an ordinary day. Read as ordinary days they raise the level for weeks."""
    flat = totals.reshape(-1)
    marked = np.zeros(flat.shape, dtype=bool)
    seen = np.flatnonzero(np.isfinite(flat))
    if not seen.size:
        return marked.reshape(totals.shape)
    is_open = np.tile(open_weekdays, len(totals))
    left = 0
    for day in range(seen[0], seen[-1] + 1):
        if not is_open[day]:
            continue
        if np.isnan(flat[day]):
            left = CATCH_UP_DAYS
        elif left:
            marked[day], left = True, left - 1
    return marked.reshape(totals.shape)


class MonthLevel(Method):
    """``level_profile`` that knows the turn of the month (``forecasts.month_days``).

    Each day's total is divided by its class's factor (first / last open days of a month are
    busier), the weekday levels are the median of the last ``LEVEL_MEDIAN_WEEKS`` observed of these
    adjusted totals, and each forecast day is that level × its own class's factor × the median
    intraday shape. The ``catch_up_days`` after a missing day are left out of the factors and the
    levels. Without ``start`` it is ``level_profile`` (catch-up days left out).
    """

    name = "month_level"

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> MonthLevel:
        self._profile = median_profile(contacts)
        self._open = self._profile.sum(axis=1) > 0
        self._start, self._weeks = start, len(contacts)
        totals = day_totals(contacts, self._profile)
        totals = np.where(catch_up_days(totals, self._open), np.nan, totals)
        classes = day_classes(start, 0, len(contacts), self._open)
        self._factors = month_factors(totals, classes)
        with warnings.catch_warnings():  # weekdays never observed give an all-NaN median
            warnings.simplefilter("ignore", RuntimeWarning)
            self._levels = np.nan_to_num(self.weekday_levels(totals / self._factors[classes]))
        return self

    def weekday_levels(self, adjusted: np.ndarray) -> np.ndarray:
        """``(7,)`` level of each weekday from the month-adjusted daily totals ``(W, 7)``."""
        return np.nanmedian(last_observed(adjusted, LEVEL_MEDIAN_WEEKS), axis=0)

    def predict(self, h: int) -> np.ndarray:
        factors = self._factors[day_classes(self._start, self._weeks, h, self._open)]
        return (self._levels * factors)[:, :, None] * self._profile[None]


class MonthPooled(MonthLevel):
    """``month_level`` with one level for all weekdays: the median, over every open day of the last
    ``POOLED_WEEKS`` weeks, of its adjusted total divided by its weekday's index (the weekday's
    median adjusted total over ``SHAPE_WEEKS`` weeks, relative to the open weekdays' mean). Five
    days a week inform the level instead of one, so it follows a change of level sooner."""

    name = "month_pooled"

    def weekday_levels(self, adjusted: np.ndarray) -> np.ndarray:
        index = np.nanmedian(adjusted[-SHAPE_WEEKS:], axis=0)
        index = np.where(self._open, index / np.nanmean(index[self._open]), 0.0)
        recent = adjusted[-POOLED_WEEKS:][:, self._open] / index[self._open]
        return np.nanmedian(recent) * index


class Combination(Method):
    """A weighted mean of fitted member methods' forecasts (forecast combination).

    ``combo_mean`` weighs the ``COMBINE_TOP`` methods with the lowest backtest WAPE equally,
    ``combo_weighted`` by 1 / WAPE; ``combination`` picks them from the backtest scores.
    """

    def __init__(self, name: str, members: list[Method], weights: np.ndarray) -> None:
        super().__init__()
        self.name, self.members, self.weights = name, members, np.asarray(weights, dtype=float)

    def fit(self, contacts: np.ndarray, start: pd.Timestamp | None = None) -> Combination:
        for member in self.members:
            member.fit(contacts, start)
        notes = [member.note for member in self.members if member.note]
        self.note = "; ".join(notes) or None
        return self

    def predict(self, h: int) -> np.ndarray:
        return combine([member.predict(h) for member in self.members], self.weights)

    def describe(self) -> str:
        """The members and their weights, e.g. ``level_profile 0.36, mstl 0.33, …``."""
        shares = self.weights / self.weights.sum()
        return ", ".join(f"{member.name} {share:.2f}" for member, share in zip(self.members, shares))


def combine(forecasts: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """The weighted mean of equally shaped forecasts."""
    weights = np.asarray(weights, dtype=float)
    return np.tensordot(weights / weights.sum(), np.stack(forecasts), axes=1)


def combination_weights(name: str, scores: dict[str, float]) -> dict[str, float]:
    """Members and weights of combination ``name`` from backtest WAPEs (method → WAPE; NaN
    = not scored): the ``COMBINE_TOP`` lowest, equal weights (``combo_mean``) or 1 / WAPE
    (``combo_weighted``, a perfect score counts as a tiny WAPE). Empty with fewer than two scored."""
    scored = sorted((wape, method) for method, wape in scores.items() if np.isfinite(wape))[:COMBINE_TOP]
    if len(scored) < 2:
        return {}
    if name == "combo_mean":
        return {method: 1.0 for _, method in scored}
    return {method: 1.0 / max(wape, 1e-6) for wape, method in scored}


def combination(name: str, scores: dict[str, float]) -> Combination | None:
    """An unfitted combination chosen by ``combination_weights``; None if it has no members."""
    weights = combination_weights(name, scores)
    if not weights:
        return None
    return Combination(name, [make_method(method) for method in weights], np.array(list(weights.values())))


METHODS: dict[str, Callable[[], Method]] = {
    SeasonalNaive.name: SeasonalNaive,
    WeightedProfile.name: WeightedProfile,
    MSTLMethod.name: MSTLMethod,
    **{f"slot_median_{weeks}": partial(SlotMedian, weeks) for weeks in MEDIAN_WEEKS},
    RecencyMean.name: RecencyMean,
    LevelProfile.name: LevelProfile,
    MonthLevel.name: MonthLevel,
    MonthPooled.name: MonthPooled,
}
COMBINATIONS = ("combo_mean", "combo_weighted")  # built from the other methods' backtest scores
METHOD_NAMES = (*METHODS, *COMBINATIONS)
DEFAULT_METHOD = WeightedProfile.name  # used when there is too little history to backtest


def check_method_names(names: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The method names to use (all by default), checked against ``METHOD_NAMES``; at least one
    must be a method of its own (a combination only combines the others chosen)."""
    if names is None:
        return METHOD_NAMES
    if isinstance(names, str):
        names = [names]
    unknown = [name for name in names if name not in METHOD_NAMES]
    if unknown or not names:
        what = (f"unknown forecast method(s) {', '.join(map(str, unknown))}" if unknown
                else "no forecast method given")
        raise InputError(Problem(f"{what}; choose from {', '.join(METHOD_NAMES)}"))
    if not any(name in METHODS for name in names):
        raise InputError(Problem(f"{', '.join(names)} only combine other methods; choose at least one "
                                 f"of {', '.join(METHODS)} as well"))
    return tuple(dict.fromkeys(names))


def make_method(name: str) -> Method:
    """A fresh, unfitted method by name (not a combination: see ``combination``)."""
    return METHODS[name]()
