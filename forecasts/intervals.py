"""Prediction intervals for the contacts forecast, calibrated on the chosen method's own errors.

Calibration: the chosen method forecast each of the last ``CALIBRATION_WEEKS`` weeks of the
history from the weeks before it (the backtest's folds, and older weeks refitted for this), so each
observed interval of those weeks is a sample of how far off a week-ahead forecast falls.

Two kinds of error add up: the noise of counts (Poisson: variance = the mean, which dominates small
counts) and errors of the level (a busy day, a wrong trend: proportional to the forecast, which
dominate large counts). So an error is measured in units of ``spread(f) = sqrt(f + κ f²)``, where κ
is the relative variance beyond Poisson measured on the calibration weeks. The band of an interval
with forecast f is ``f + q · spread(f)`` with q the 10th / 90th (2.5th / 97.5th) percentiles of
those scaled errors (split-conformal), at least as wide as the Poisson quantiles of f, and always
containing f.

The scaled errors are pooled per time of day over the weeks, the weekdays and the neighbouring
slots (``NEIGHBOUR_SLOTS`` on each side); a time of day with fewer than ``MIN_ERRORS`` samples uses
the queue's pooled ones. With no calibration week at all the bands are Poisson quantiles of the
forecast (the least the noise of counts can be). Every week of a multi-week forecast gets the bands
measured on week-ahead forecasts.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

BAND_COLUMNS = ["contacts_lo80", "contacts_hi80", "contacts_lo95", "contacts_hi95"]
BAND_QUANTILES = np.array([0.10, 0.90, 0.025, 0.975])  # in the order of BAND_COLUMNS
CALIBRATION_WEEKS = 16
MIN_ERRORS = 20
NEIGHBOUR_SLOTS = 2


@dataclass(frozen=True)
class Calibration:
    """What the bands are made of: ``kappa``, the relative variance beyond Poisson, and
    ``quantiles`` ``(P, 4)``, the ``BAND_QUANTILES`` of the scaled errors per time of day."""

    kappa: float
    quantiles: np.ndarray

    def spread(self, contacts: np.ndarray) -> np.ndarray:
        """The error scale sqrt(f + κ f²) of forecast contacts f."""
        return np.sqrt(contacts + self.kappa * contacts ** 2)


def calibrate(forecasts: np.ndarray, actuals: np.ndarray) -> Calibration | None:
    """The calibration from week-ahead forecasts ``(F, 7, P)`` and the actual weeks (NaN = not
    observed); intervals with a positive forecast and an observed actual count. None when fewer
    than ``MIN_ERRORS`` intervals can be compared at all."""
    usable = (forecasts > 0) & ~np.isnan(actuals)
    if usable.sum() < MIN_ERRORS:
        return None
    f, a = forecasts[usable], actuals[usable]
    kappa = max(0.0, float((((a - f) ** 2) - f).sum() / (f ** 2).sum()))
    scale = np.sqrt(np.where(usable, forecasts + kappa * forecasts ** 2, 1.0))
    errors = np.where(usable, (np.nan_to_num(actuals) - forecasts) / scale, np.nan)
    by_slot = errors.reshape(-1, errors.shape[-1])  # (F * 7, P)
    pooled = np.concatenate([np.roll(by_slot, shift, axis=1)
                             for shift in range(-NEIGHBOUR_SLOTS, NEIGHBOUR_SLOTS + 1)])
    queue_wide = np.nanquantile(errors, BAND_QUANTILES)
    counts = (~np.isnan(pooled)).sum(axis=0)
    with warnings.catch_warnings():  # slots without any error give an all-NaN quantile
        warnings.simplefilter("ignore", RuntimeWarning)
        per_slot = np.nanquantile(pooled, BAND_QUANTILES, axis=0).T  # (P, 4)
    return Calibration(kappa, np.where((counts >= MIN_ERRORS)[:, None], per_slot, queue_wide))


def bands(contacts: np.ndarray, calibration: Calibration | None) -> np.ndarray:
    """``contacts.shape + (4,)``: the band limits of ``BAND_COLUMNS`` for the forecast ``(h, 7, P)``.
    A closed slot (forecast 0) has a zero band; a lower limit never exceeds the forecast, an upper
    one is never below it."""
    poisson = stats.poisson.ppf(BAND_QUANTILES, contacts[..., None]).astype(float)
    if calibration is None:
        return poisson
    f = contacts[..., None]
    limits = f + calibration.spread(contacts)[..., None] * calibration.quantiles
    lower = BAND_QUANTILES < 0.5
    limits = np.where(lower, np.minimum(np.minimum(limits, poisson), f), np.maximum(np.maximum(limits, poisson), f))
    return np.clip(limits, 0.0, None) * (f > 0)
