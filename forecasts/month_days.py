"""The turn of the month: the first and last open days of a month are busier.

Bills, statements and pay days bunch contacts at the start and end of every month: on the public
bank calls the first three business days of a month run 7–14 % above an ordinary day of the same
weekday, the last one 8 % above, so a level estimated from the last few weeks is too low there and
too high in mid-month. This module puts each day in a *class* by its place in its month, counted
in the queue's open weekdays, and measures one multiplier per class from the history:

* class 0: an ordinary day (mid-month), factor 1 by definition;
* classes 1 … ``START_DAYS``: the first, second, … open day of the month;
* the next ``END_DAYS`` classes: the last, second-to-last, … open day of the month.

A class's factor is the mean ratio of its days' totals to the median of the same weekday in the
``NEIGHBOUR_WEEKS`` weeks either side (themselves adjusted by the factors, refined over
``PASSES`` passes), divided by the same mean for ordinary days, and shrunk towards 1 by
n / (n + ``SHRINK_DAYS``) for a class seen on n days: a class seen once moves little. A history
without such an effect gets factors near 1, and the backtest then prefers other methods.

Holidays are not known ahead, so positions count every open weekday: the day after a closed
Monday the 1st is still the second open day of the month.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

DAYS_PER_WEEK = 7
START_DAYS = 3
END_DAYS = 2
CLASS_COUNT = 1 + START_DAYS + END_DAYS
NEIGHBOUR_WEEKS = 3
SHRINK_DAYS = 2.0
PASSES = 2


def day_classes(start: pd.Timestamp | None, first_week: int, weeks: int, open_weekdays: np.ndarray) -> np.ndarray:
    """``(weeks, 7)`` class of each day of the weeks ``first_week`` … ``first_week + weeks − 1``
    counted from the Monday ``start`` (all 0 when ``start`` is None: no calendar known)."""
    classes = np.zeros((weeks, DAYS_PER_WEEK), dtype=int)
    if start is None or weeks <= 0 or not open_weekdays.any():
        return classes
    first = pd.Timestamp(start) + pd.Timedelta(weeks=first_week)
    # whole months around the weeks, so every day's month is complete on both sides
    days = pd.date_range((first - pd.offsets.MonthBegin(1)).normalize(),
                         first + pd.Timedelta(weeks=weeks) + pd.offsets.MonthEnd(1))
    is_open = pd.Series(open_weekdays[days.dayofweek].astype(int), index=days)
    month = days.to_period("M")
    before = is_open.groupby(month).cumsum() - is_open  # open days earlier in the month
    after = is_open[::-1].groupby(month[::-1]).cumsum()[::-1] - is_open  # open days later in it
    wanted = (days >= first) & (days < first + pd.Timedelta(weeks=weeks))
    before, after, opened = before[wanted].to_numpy(), after[wanted].to_numpy(), is_open[wanted].to_numpy() > 0
    flat = np.zeros(len(opened), dtype=int)
    for k in range(END_DAYS):
        flat[opened & (after == k)] = 1 + START_DAYS + k
    for k in range(START_DAYS):  # a short month's day may be both: its place from the start wins
        flat[opened & (before == k)] = 1 + k
    return flat.reshape(weeks, DAYS_PER_WEEK)


def month_factors(totals: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``(CLASS_COUNT,)`` multiplier of each class (class 0 = 1) from the daily totals ``(W, 7)``
    (NaN = not observed) and their classes ``(W, 7)``."""
    factors = np.ones(CLASS_COUNT)
    for _ in range(PASSES):
        usual = neighbour_median(totals / factors[classes])
        ratios = np.divide(totals, usual, out=np.full(totals.shape, np.nan), where=usual > 0)
        means = np.ones(CLASS_COUNT)
        for cls in range(CLASS_COUNT):
            seen = ratios[(classes == cls) & np.isfinite(ratios)]
            if seen.size:
                weight = seen.size / (seen.size + SHRINK_DAYS)
                means[cls] = 1 + weight * (seen.mean() - 1)
        factors = means / means[0]
    return factors


def neighbour_median(totals: np.ndarray) -> np.ndarray:
    """``(W, 7)``: the median of the same weekday in the ``NEIGHBOUR_WEEKS`` weeks before and
    after each week (not the week itself; fewer at the ends of the history)."""
    weeks = len(totals)
    shifted = np.full((2 * NEIGHBOUR_WEEKS, *totals.shape), np.nan)
    for row, shift in enumerate(s for s in range(-NEIGHBOUR_WEEKS, NEIGHBOUR_WEEKS + 1) if s):
        if abs(shift) >= weeks:
            continue
        source = slice(max(0, shift), weeks + min(0, shift))
        target = slice(max(0, -shift), weeks + min(0, -shift))
        shifted[row, target] = totals[source]
    with warnings.catch_warnings():  # a day without neighbours gives an all-NaN median
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(shifted, axis=0)
