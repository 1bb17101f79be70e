"""Prediction intervals for the contacts forecast, from the backtest's own errors.

On every backtest fold the chosen method forecast a week it had not seen; the ratio
actual / forecast of each observed interval is a sample of how far off a forecast of that time of
day tends to be, Poisson noise and level errors together. The 80 % band of an interval is its
forecast times the 10th and 90th percentiles of those ratios, the 95 % band the 2.5th and 97.5th.

Ratios are pooled per time of day over the folds, the weekdays and the neighbouring slots
(``NEIGHBOUR_SLOTS`` on each side), because a few folds give few samples per slot; a time of day
with fewer than ``MIN_RATIOS`` samples uses the queue's pooled ratios. With no backtest at all the
bands are Poisson quantiles of the forecast (the least the noise of counts can be).
Every week of a multi-week forecast gets the bands measured on one-week-ahead folds.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

BAND_COLUMNS = ["contacts_lo80", "contacts_hi80", "contacts_lo95", "contacts_hi95"]
BAND_QUANTILES = np.array([0.10, 0.90, 0.025, 0.975])  # in the order of BAND_COLUMNS
MIN_RATIOS = 20
NEIGHBOUR_SLOTS = 1


def ratio_quantiles(forecasts: np.ndarray, actuals: np.ndarray) -> np.ndarray | None:
    """``(P, 4)``: per time of day, the ``BAND_QUANTILES`` of actual / forecast over the folds
    ``(F, 7, P)`` (intervals with a positive forecast and an observed actual). None when fewer
    than ``MIN_RATIOS`` intervals can be compared at all."""
    usable = (forecasts > 0) & ~np.isnan(actuals)
    if usable.sum() < MIN_RATIOS:
        return None
    ratios = np.where(usable, actuals / np.where(usable, forecasts, 1.0), np.nan)
    by_slot = ratios.reshape(-1, ratios.shape[-1])  # (F * 7, P)
    pooled = np.concatenate([np.roll(by_slot, shift, axis=1)
                             for shift in range(-NEIGHBOUR_SLOTS, NEIGHBOUR_SLOTS + 1)])
    queue_wide = np.nanquantile(ratios, BAND_QUANTILES)
    counts = (~np.isnan(pooled)).sum(axis=0)
    with warnings.catch_warnings():  # slots without any ratio give an all-NaN quantile
        warnings.simplefilter("ignore", RuntimeWarning)
        per_slot = np.nanquantile(pooled, BAND_QUANTILES, axis=0).T  # (P, 4)
    return np.where((counts >= MIN_RATIOS)[:, None], per_slot, queue_wide)


def bands(contacts: np.ndarray, quantiles: np.ndarray | None) -> np.ndarray:
    """``contacts.shape + (4,)``: the band limits of ``BAND_COLUMNS`` for the forecast ``(h, 7, P)``:
    forecast × ratio quantiles per time of day, or Poisson quantiles without them. A closed slot
    (forecast 0) has a zero band."""
    if quantiles is None:
        return stats.poisson.ppf(BAND_QUANTILES, contacts[..., None]).astype(float)
    return contacts[..., None] * quantiles
