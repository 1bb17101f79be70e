"""Rolling-origin backtest of the forecasting methods, and the choice of the best one per queue.

For each of the last ``folds`` weeks of a queue's history that have data (and at least
``MIN_TRAIN_WEEKS`` weeks before them), every method is fitted on everything before that week and
forecasts it. The error of a fold is its WAPE over the intervals *scored* in that week: those
observed, but not on the catch-up days after a missing open day (``methods.catch_up_days``). Gaps
are left out, so a holiday or an outage is neither rewarded nor punished, and so are the surges
after it, which no method forecasts (the catch-up is not known ahead): scored, a holiday week's
two or three surging days outweighed the other folds and chose among methods by chance. A method's
accuracy is its **pooled WAPE over the folds**, Σ |error| / Σ contacts over every interval scored
(a fold counts by the contacts it scored, so a week with two scored days counts two fifths of a
full one), and the method with the lowest is chosen; ties go to the method listed first.

Combinations (``combo_mean``, ``combo_weighted``) are scored without refitting anything: on each
fold they average the other methods' forecasts of that week, choosing members and weights from
those methods' WAPEs on the *other* folds (leave one fold out), so a combination never learns from
the week it is scored on. With a single fold they are not scored.

Under a time limit (a ``TimeBudget``) the methods are tried one after the other, cheapest first
(``trial_order``): each on all its folds before the next. When the time is up, or the folds left
would not fit at the method's pace (its guess ``Method.fit_seconds`` before its first fit), the method
and the ones after it are skipped; the first method is always scored, so a choice exists.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasts.history import interval_minutes
from forecasts.methods import (
    COMBINATIONS,
    DAYS_PER_WEEK,
    DEFAULT_METHOD,
    METHODS,
    QueueHistory,
    catch_up_days,
    check_method_names,
    combination_weights,
    combine,
    day_totals,
    make_method,
    median_profile,
    monday_of,
    split_queues,
)
from forecasts.special_days import mask_special_days

MIN_TRAIN_WEEKS = 3
SLOW_METHODS = ("mstl",)  # seconds a fit where the others take milliseconds: tried last
FOLD_COLUMNS = ["queue", "method", "fold_start", "wape", "scored_contacts"]
SUMMARY_COLUMNS = ["queue", "method", "wape", "folds", "chosen"]


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Σ|actual − forecast| / Σ actual over the entries where ``actual`` is known (not NaN).

    NaN when nothing was observed or the observed total is 0 (the ratio means nothing then).
    """
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    seen = ~np.isnan(actual)
    total = actual[seen].sum()
    if total <= 0:
        return float("nan")
    return float(np.abs(actual[seen] - forecast[seen]).sum() / total)


def fold_weeks(contacts: np.ndarray, folds: int) -> list[int]:
    """Indices of the weeks to hold out: the last ``folds`` weeks with any data that have at
    least ``MIN_TRAIN_WEEKS`` weeks before them (fewer folds, or none, on short history)."""
    if folds <= 0:
        return []
    has_data = ~np.isnan(contacts).all(axis=(1, 2))
    candidates = [week for week in np.flatnonzero(has_data) if week >= MIN_TRAIN_WEEKS]
    return [int(week) for week in candidates[-folds:]]


def scored_weeks(contacts: np.ndarray) -> np.ndarray:
    """``contacts`` ``(W, 7, P)`` as the backtest scores them: the catch-up days after a missing open
    day (``methods.catch_up_days``) are NaN, like gaps."""
    profile = median_profile(contacts)
    catch_up = catch_up_days(day_totals(contacts, profile), profile.sum(axis=1) > 0)
    return np.where(catch_up[:, :, None], np.nan, contacts)


@dataclass(frozen=True)
class FoldScore:
    """WAPE of one method on one held-out week over the ``scored`` contacts of that week (NaN WAPE
    and 0 scored when it has none); ``note`` if the method fell back."""

    method: str
    fold_start: pd.Timestamp
    wape: float
    note: str | None
    scored: float


def fold_score(method: str, fold_start: pd.Timestamp, actual: np.ndarray, forecast: np.ndarray,
               note: str | None = None) -> FoldScore:
    """``method``'s score on the week ``actual`` (NaN where not scored)."""
    score = wape(actual, forecast)
    return FoldScore(method, fold_start, score, note, float(np.nansum(actual)) if np.isfinite(score) else 0.0)


def pooled_wape(scores: list[FoldScore]) -> float:
    """Σ |error| / Σ contacts over the folds scored: each fold's WAPE weighted by its scored contacts.
    NaN if none was scored."""
    scored = [score for score in scores if score.scored > 0]
    if not scored:
        return float("nan")
    return float(sum(score.wape * score.scored for score in scored) / sum(score.scored for score in scored))


class TimeBudget:
    """What is left of a time limit, in seconds (no limit: never up)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.end = math.inf if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def share(self, fraction: float) -> TimeBudget:
        """A budget ending once ``fraction`` of what is left of this one has passed."""
        part = TimeBudget()
        part.seconds, part.end = self.seconds, time.monotonic() + fraction * self.remaining()
        return part


def trial_order(methods: tuple[str, ...]) -> list[str]:
    """The methods of their own (not combinations) in the order a time limit tries them: the
    default method first (it always gets scored), the ``SLOW_METHODS`` last, else as listed."""
    own = [name for name in methods if name in METHODS]
    return sorted(own, key=lambda name: (name != DEFAULT_METHOD, name in SLOW_METHODS))


@dataclass(frozen=True)
class QueueBacktest:
    """One queue's backtest: the scores, and each method's forecast ``(7, P)`` of each held-out
    week, keyed by ``(method, week index)`` (what the prediction intervals are measured on);
    ``skipped``: the methods a time limit left untried."""

    scores: list[FoldScore]
    forecasts: dict[tuple[str, int], np.ndarray]
    skipped: tuple[str, ...] = ()

    def pooled_wapes(self, methods) -> dict[str, float]:
        """Method → pooled WAPE over its folds, for the methods named (NaN if never scored)."""
        return {name: pooled_wape([s for s in self.scores if s.method == name]) for name in methods}


def backtest_queue(queue: QueueHistory, methods: tuple[str, ...], folds: int,
                   on_fit: Callable[[str], None] | None = None,
                   budget: TimeBudget | None = None) -> QueueBacktest:
    """Rolling-origin backtest of one queue: every method on every fold week (in ``trial_order``,
    until ``budget`` is up), then the combinations named in ``methods`` (leave one fold out, see
    the module's doc) of the methods scored.

    ``on_fit(message)`` is called after each fit, for progress reporting.
    """
    scores, forecasts = [], {}
    weeks = fold_weeks(queue.contacts, folds)
    starts = {week: queue.first_monday + pd.Timedelta(days=DAYS_PER_WEEK * week) for week in weeks}
    scored = scored_weeks(queue.contacts)
    order, skipped = trial_order(methods), ()
    for position, name in enumerate(order):
        method_folds = _method_folds(queue, scored, name, weeks, starts, on_fit, budget if position else None)
        if method_folds is None:
            skipped = tuple(order[position:])
            break
        for week, (score, forecast) in zip(weeks, method_folds):
            scores.append(score)
            forecasts[name, week] = forecast
    return _with_combinations(scored, methods, weeks, starts, scores, forecasts, skipped)


def _method_folds(queue: QueueHistory, scored: np.ndarray, name: str, weeks: list[int],
                  starts: dict[int, pd.Timestamp], on_fit: Callable[[str], None] | None,
                  budget: TimeBudget | None) -> list[tuple[FoldScore, np.ndarray]] | None:
    """One method's score (on the ``scored`` contacts) and forecast on each fold week; None when
    ``budget`` runs out before its last fold (projected from its first fits, or from its guess
    before any), so a method is scored on all folds or not at all."""
    done, begun = [], time.monotonic()
    for count, week in enumerate(weeks):
        method = make_method(name)
        pace = (time.monotonic() - begun) / count if count else method.fit_seconds(queue.contacts[:week])
        if budget is not None and budget.remaining() <= pace * (len(weeks) - count):
            return None
        method.fit(queue.contacts[:week], queue.first_monday)
        forecast = method.predict(1)[0]
        done.append((fold_score(name, starts[week], scored[week], forecast, method.note), forecast))
        if on_fit:
            on_fit(f"backtest {queue.queue}: {name} on the week of {starts[week]:%Y-%m-%d}")
    return done


def _with_combinations(scored: np.ndarray, methods: tuple[str, ...], weeks: list[int],
                       starts: dict[int, pd.Timestamp], scores: list[FoldScore],
                       forecasts: dict[tuple[str, int], np.ndarray], skipped: tuple[str, ...]) -> QueueBacktest:
    """The backtest with the combinations named in ``methods`` scored on each fold (on the ``scored``
    contacts)."""
    for name in (name for name in methods if name in COMBINATIONS):
        for week in weeks:
            others = QueueBacktest([score for score in scores if score.fold_start != starts[week]], {})
            weights = combination_weights(name, others.pooled_wapes(method for method in methods if method in METHODS))
            if weights:
                forecasts[name, week] = combine([forecasts[member, week] for member in weights],
                                                np.array(list(weights.values())))
                scores.append(fold_score(name, starts[week], scored[week], forecasts[name, week]))
    return QueueBacktest(scores, forecasts, skipped)


def fold_table(queue: str, scores: list[FoldScore]) -> pd.DataFrame:
    """The long fold table ``queue, method, fold_start, wape, scored_contacts`` of one queue's scores."""
    return pd.DataFrame({
        "queue": queue,
        "method": [score.method for score in scores],
        "fold_start": [score.fold_start for score in scores],
        "wape": [score.wape for score in scores],
        "scored_contacts": [score.scored for score in scores],
    }, columns=FOLD_COLUMNS).astype({"fold_start": "datetime64[ns]", "wape": float, "scored_contacts": float})


def concat_folds(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Fold tables of several queues as one (queues without folds add nothing)."""
    tables = [table for table in tables if len(table)]
    if not tables:
        return fold_table("", [])
    return pd.concat(tables, ignore_index=True)


def summarize(folds: pd.DataFrame, queues: list[str], methods: tuple[str, ...]) -> pd.DataFrame:
    """One row per queue and method: pooled WAPE over the folds (``pooled_wape``), number of scored
    folds, and ``chosen`` (True for the lowest WAPE of the queue; ``DEFAULT_METHOD`` — or the first
    method of its own (not a combination) if that one is not in use — when no fold could be scored)."""
    grid = pd.MultiIndex.from_product([queues, methods], names=["queue", "method"])
    scored = folds[folds["scored_contacts"] > 0].assign(error=lambda table: table["wape"] * table["scored_contacts"])
    sums = scored.groupby(["queue", "method"])[["error", "scored_contacts"]].sum()
    stats = pd.DataFrame({"wape": sums["error"] / sums["scored_contacts"],
                          "folds": scored.groupby(["queue", "method"]).size()})
    summary = stats.reindex(grid).reset_index()
    summary["folds"] = summary["folds"].fillna(0).astype(int)
    summary["chosen"] = False
    default = DEFAULT_METHOD if DEFAULT_METHOD in methods else next(m for m in methods if m in METHODS)
    for queue, rows in summary.groupby("queue", sort=False):
        scored = rows["wape"].dropna()
        best = scored.idxmin() if len(scored) else rows.index[rows["method"] == default][0]
        summary.loc[best, "chosen"] = True  # idxmin returns the first minimum: ties go to list order
    return summary[SUMMARY_COLUMNS]


def chosen_methods(summary: pd.DataFrame) -> dict[str, str]:
    """Queue → chosen method name, from a ``summarize`` table."""
    chosen = summary[summary["chosen"]]
    return dict(zip(chosen["queue"], chosen["method"]))


def backtest(history: pd.DataFrame, methods: list[str] | None = None, folds: int = 4,
             special_days: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-origin backtest of a history (rows on ``special_days`` are left out as gaps).

    Returns ``(fold_table, summary)``: ``queue, method, fold_start, wape, scored_contacts`` per
    held-out week, and ``queue, method, wape, folds, chosen`` with the pooled WAPE over the folds.
    """
    names = check_method_names(methods)
    interval = interval_minutes(history)
    if special_days is not None:
        history = mask_special_days(history, special_days)
    queues = sorted(history["queue"].astype(str).unique())
    last_monday = monday_of(history["interval_start"].max())
    tables = [fold_table(queue.queue, backtest_queue(queue, names, folds).scores)
              for queue in split_queues(history, queues, interval, last_monday)]
    folds_table = concat_folds(tables)
    return folds_table, summarize(folds_table, queues, names)
