"""Forecast contacts and AHT per interval from a history: the public entry point.

``forecast_history`` backtests every method on each queue (``forecasts.backtest``), keeps the one
with the lowest WAPE (a single method or a combination of the best ones), refits it on the whole
history and forecasts whole weeks from a Monday, with 80 % and 95 % prediction intervals calibrated
on the chosen method's week-ahead errors over the last weeks of the history (``forecasts.intervals``).
Methods and their treatment of gaps are described in ``forecasts.methods``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.backtest import (
    MIN_TRAIN_WEEKS,
    FoldScore,
    QueueBacktest,
    TimeBudget,
    backtest_queue,
    chosen_methods,
    concat_folds,
    fold_table,
    fold_weeks,
    summarize,
)
from forecasts.history import interval_minutes
from forecasts.intervals import BAND_COLUMNS, CALIBRATION_WEEKS, Calibration, bands, calibrate
from forecasts.methods import (
    COMBINATIONS,
    DAYS_PER_WEEK,
    METHODS,
    Combination,
    Method,
    QueueHistory,
    check_method_names,
    combination,
    forecast_aht,
    make_method,
    monday_of,
    split_queues,
    week_grid_times,
)
from forecasts.special_days import apply_special_days, mask_special_days
from tabular import InputError, Problem

FORECAST_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds", "method", *BAND_COLUMNS]

Progress = Callable[[int, int, str], None]
BACKTEST_SHARE = 0.8  # of a time limit; the rest is for the prediction intervals and the forecast


@dataclass(frozen=True)
class ForecastResult:
    """What ``forecast_history`` returns.

    forecast: ``interval_start, queue, contacts, aht_seconds, method`` — every interval of the
        target weeks (24/7 grid) for every queue. ``contacts`` are expected values (floats, not
        rounded), 0 on closed slots and closed special days. ``aht_seconds`` is never NaN: slots
        without AHT data (closed ones included) carry the weekday's or queue's AHT, so staffing
        can use it as is (0 contacts need no agents whatever the AHT). ``method`` is the method
        chosen for the queue. ``contacts_lo80, contacts_hi80, contacts_lo95, contacts_hi95``: the
        80 % and 95 % prediction intervals of ``contacts`` (see ``forecasts.intervals``).
    backtest: ``queue, method, fold_start, wape, scored_contacts``: one row per method and held-out
        week (see ``forecasts.backtest`` for what is scored).
    accuracy: ``queue, method, wape, folds, chosen``: pooled WAPE over the folds; ``chosen`` marks
        the lowest per queue.
    interval_minutes: 15, 30 or 60.
    notes: things the user should know, e.g. a method that fell back on short history.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    accuracy: pd.DataFrame
    interval_minutes: int
    notes: tuple[str, ...] = ()


def forecast_history(history: pd.DataFrame, start, weeks: int = 1,
                     special_days: pd.DataFrame | None = None, methods: list[str] | None = None,
                     folds: int = 4, progress: Progress | None = None,
                     time_limit: float | None = None) -> ForecastResult:
    """Forecast ``weeks`` whole weeks from ``start`` (a Monday after the end of the history).

    ``history`` follows the history contract (see ``forecasts.history``); rows on special days
    are left out before anything is fitted, and each special day's ``multiplier`` scales the
    forecast contacts of that date (0.0 = closed). ``methods`` limits the candidate methods
    (default: all of ``forecasts.methods.METHODS``); ``folds`` is the number of backtest weeks
    per queue (fewer on short history; with none, ``methods.DEFAULT_METHOD`` is used and a note
    says so). ``progress(step, total, message)`` is called before the first and after each fit.

    ``time_limit`` (seconds): the backtest tries the methods cheapest first and stops when
    ``BACKTEST_SHARE`` of the limit is up (shared out among the queues), keeping the best method
    scored so far; the prediction intervals are then calibrated on the weeks refitted in time. The
    first method tried (``methods.DEFAULT_METHOD``) is always scored, and a fit under way is
    finished, so the limit can be overrun by about one fit. Notes name what was skipped.
    Raises InputError on a bad start, weeks, folds, time limit or method name.
    """
    names = check_method_names(methods)
    minutes = interval_minutes(history)
    _check_counts(weeks, folds)
    budget = TimeBudget(_checked_time_limit(time_limit))
    start = _check_start(start, history)
    queues = sorted(history["queue"].astype(str).unique())
    last_monday = monday_of(history["interval_start"].max())
    skipped_weeks = (start - last_monday).days // DAYS_PER_WEEK - 1  # between history and start
    if special_days is not None:
        history = mask_special_days(history, special_days)  # their rows become gaps
    training = split_queues(history, queues, minutes, last_monday)

    fitted = sum(name in METHODS for name in names)
    fits = sum(len(fold_weeks(queue.contacts, folds)) for queue in training) * fitted
    calibration_fits = sum(len(_calibration_weeks(queue, folds)) - len(fold_weeks(queue.contacts, folds))
                           for queue in training)
    report = _ProgressReport(progress, fits + calibration_fits + len(training))
    backtest_budget = budget.share(BACKTEST_SHARE)
    results = {queue.queue: backtest_queue(queue, names, folds, report,
                                           backtest_budget.share(1 / (len(training) - index)))  # queues left
               for index, queue in enumerate(training)}
    backtest = concat_folds([fold_table(queue, result.scores) for queue, result in results.items()])
    accuracy = summarize(backtest, queues, names)
    chosen = chosen_methods(accuracy)

    frames, notes = [], []
    for queue in training:
        result, name = results[queue.queue], chosen[queue.queue]
        notes += _backtest_notes(queue.queue, result.scores, name)
        notes += _skipped_notes(queue.queue, result, name, budget)
        method = _chosen_method(name, result, names)
        calibration, calibration_note = _calibration(queue, result, name, names, folds, report, budget)
        notes += [calibration_note] if calibration_note else []
        frames.append(_queue_forecast(queue, method, calibration, start, skipped_weeks, weeks, minutes))
        notes += [f"queue '{queue.queue}': {method.note}"] if method.note else []
        if isinstance(method, Combination):
            notes.append(f"queue '{queue.queue}': {name} averages {method.describe()}")
        report(f"forecast {queue.queue}: {name}")
    forecast = pd.concat(frames, ignore_index=True)
    if special_days is not None:
        forecast = apply_special_days(forecast, special_days)
    return ForecastResult(forecast, backtest, accuracy, minutes, tuple(notes))


def _chosen_method(name: str, result: QueueBacktest, names: tuple[str, ...]) -> Method:
    """The chosen method, unfitted; a combination takes its members and weights from the pooled
    backtest WAPEs of all folds."""
    if name in COMBINATIONS:
        return combination(name, result.pooled_wapes(method for method in names if method in METHODS))
    return make_method(name)


def _calibration_weeks(queue: QueueHistory, folds: int) -> list[int]:
    """The weeks the prediction intervals are calibrated on: the backtest's folds and older ones."""
    return fold_weeks(queue.contacts, max(CALIBRATION_WEEKS, folds))


def _calibration(queue: QueueHistory, result: QueueBacktest, name: str, names: tuple[str, ...], folds: int,
                 report: _ProgressReport, budget: TimeBudget) -> tuple[Calibration | None, str | None]:
    """The prediction intervals' calibration on the chosen method's week-ahead forecasts of the
    ``_calibration_weeks``: the backtest's where it made them, the method refitted on the others
    while ``budget`` lasts (newest first); and a note when the time limit cut the weeks short."""
    weeks = _calibration_weeks(queue, folds)
    forecasts = {week: result.forecasts[name, week] for week in weeks if (name, week) in result.forecasts}
    for week in reversed(weeks):
        if week in forecasts:
            continue
        if budget.remaining() <= 0:
            break
        method = _chosen_method(name, result, names).fit(queue.contacts[:week], queue.first_monday)
        forecasts[week] = method.predict(1)[0]
        report(f"prediction intervals {queue.queue}: {name} on the week of "
               f"{queue.first_monday + pd.Timedelta(weeks=week):%Y-%m-%d}")
    used = sorted(forecasts)
    note = None
    if len(used) < len(weeks):
        note = (f"queue '{queue.queue}': prediction intervals calibrated on {len(used)} of {len(weeks)} weeks "
                f"(time limit {budget.seconds:g} s)")
    if not used:
        return None, note
    return calibrate(np.stack([forecasts[week] for week in used]), queue.contacts[used]), note


def _queue_forecast(queue: QueueHistory, method: Method, calibration: Calibration | None,
                    start: pd.Timestamp, skipped_weeks: int, weeks: int, minutes: int) -> pd.DataFrame:
    """One queue's forecast frame with ``method`` fitted on all its history, and its bands."""
    contacts = method.fit(queue.contacts, queue.first_monday).predict(skipped_weeks + weeks)[skipped_weeks:]
    aht = np.broadcast_to(forecast_aht(queue.contacts, queue.aht), contacts.shape)
    limits = bands(contacts, calibration).reshape(-1, len(BAND_COLUMNS))
    frame = pd.DataFrame({
        "interval_start": week_grid_times(start, weeks, minutes),
        "queue": queue.queue,
        "contacts": contacts.ravel(),
        "aht_seconds": aht.ravel(),
        "method": method.name,
        **dict(zip(BAND_COLUMNS, limits.T)),
    }, columns=FORECAST_COLUMNS)
    return frame


def _backtest_notes(queue: str, scores: list[FoldScore], chosen: str) -> list[str]:
    """Notes on one queue's backtest: no folds at all, or methods that fell back in some folds."""
    if not scores:
        return [f"queue '{queue}': too little history to backtest (a held-out week needs "
                f"{MIN_TRAIN_WEEKS} weeks before it); using {chosen}"]
    notes = []
    for method in dict.fromkeys(score.method for score in scores):
        fell_back = [score.note for score in scores if score.method == method and score.note]
        if fell_back:
            total = sum(score.method == method for score in scores)
            notes.append(f"queue '{queue}': {fell_back[0]} (in {len(fell_back)} of {total} backtest folds)")
    return notes


def _skipped_notes(queue: str, result: QueueBacktest, chosen: str, budget: TimeBudget) -> list[str]:
    """A note naming the methods the time limit left untried, and what was chosen instead."""
    if not result.skipped:
        return []
    return [f"queue '{queue}': time limit {budget.seconds:g} s reached during the backtest; "
            f"not tried: {', '.join(result.skipped)}; {chosen} is the best of the methods tried"]


class _ProgressReport:
    """Counts fits and forwards them to the caller's ``progress(step, total, message)``."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.step = progress, total, 0
        if progress:
            progress(0, total, "starting")

    def __call__(self, message: str) -> None:
        self.step += 1
        self.total = max(self.total, self.step)  # a combination may miss a fold: one more fit
        if self.progress:
            self.progress(self.step, self.total, message)


def _check_counts(weeks: int, folds: int) -> None:
    """``weeks`` ≥ 1 and ``folds`` ≥ 0, both whole numbers."""
    if not isinstance(weeks, (int, np.integer)) or isinstance(weeks, bool) or weeks < 1:
        raise InputError(Problem(f"weeks must be a whole number of at least 1, got {weeks!r}"))
    if not isinstance(folds, (int, np.integer)) or isinstance(folds, bool) or folds < 0:
        raise InputError(Problem(f"folds must be a whole number of at least 0, got {folds!r}"))


def _checked_time_limit(seconds: float | None) -> float | None:
    """``seconds`` if it is a number of seconds above 0 (or None: no limit)."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, np.number)) or not (
            math.isfinite(seconds) and seconds > 0):
        raise InputError(Problem(f"the forecast's time limit must be a number of seconds above 0, got {seconds!r}"))
    return float(seconds)


def _check_start(start, history: pd.DataFrame) -> pd.Timestamp:
    """``start`` as a Timestamp: a date (midnight), a Monday, after the last history interval."""
    try:
        timestamp = pd.Timestamp(start)
    except (TypeError, ValueError) as error:
        raise InputError(Problem(f"start {start!r} is not a date: {error}")) from error
    if timestamp.tzinfo is not None or timestamp != timestamp.normalize():
        raise InputError(Problem(f"start must be a date (a Monday, forecasts begin at 00:00 local "
                                 f"time), got {start!r}"))
    if timestamp.dayofweek != 0:
        raise InputError(Problem(f"start must be a Monday: {timestamp:%Y-%m-%d} is a {timestamp:%A}"))
    if history.empty:
        raise InputError(Problem("the history has no rows"))
    last = history["interval_start"].max()
    if timestamp <= last:
        raise InputError(Problem(f"start {timestamp:%Y-%m-%d} is inside the history, which runs until "
                                 f"{last:%Y-%m-%d %H:%M}; forecasts start on a Monday after the history"))
    return timestamp
