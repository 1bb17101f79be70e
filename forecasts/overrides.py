"""Demand overrides: a planner's correction of the forecast for a time range of a queue (e.g. +20 % on
Monday 09:00–12:00 for a campaign), kept apart from the forecast so that it can be removed again.

The forecast stays as the methods made it; `apply_overrides` gives the contacts to staff for. Where
two overrides of a queue overlap, both apply (their factors multiply).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from pydantic import Field, model_validator

from forecasts.settings import Settings

MAX_FACTOR = 10.0  # a tenfold campaign is already beyond any forecast; more is a typing error
# The columns an override scales: the forecast and its prediction intervals (handle time stays).
SCALED_COLUMNS = ("contacts", "contacts_lo80", "contacts_hi80", "contacts_lo95", "contacts_hi95")


class DemandOverride(Settings):
    """Contacts of `queue` in [start, end) multiplied by `factor` (1.2 = +20 %, 0 = closed), with why."""

    queue: str = Field(min_length=1)
    start: dt.datetime
    end: dt.datetime
    factor: float = Field(ge=0, le=MAX_FACTOR)
    note: str = Field(min_length=1, max_length=500, description="why: the campaign, the event")

    @model_validator(mode="after")
    def _ordered(self) -> DemandOverride:
        if self.end <= self.start:
            raise ValueError(f"the override ends ({self.end:%d %b %H:%M}) before it starts "
                             f"({self.start:%d %b %H:%M}); choose a later end")
        if not self.note.strip():
            raise ValueError("the note is empty; say why the forecast is changed (e.g. the campaign)")
        return self

    @property
    def percent(self) -> float:
        return 100 * (self.factor - 1)


def apply_overrides(forecast: pd.DataFrame, overrides: Iterable[DemandOverride]) -> pd.DataFrame:
    """The forecast with each override's intervals (those starting in its range) scaled; a copy."""
    adjusted = forecast.copy()
    starts = pd.to_datetime(adjusted["interval_start"])
    columns = [column for column in SCALED_COLUMNS if column in adjusted]
    for override in overrides:
        hit = ((adjusted["queue"].astype(str) == override.queue) & (starts >= pd.Timestamp(override.start))
               & (starts < pd.Timestamp(override.end)))
        adjusted.loc[hit, columns] = adjusted.loc[hit, columns].astype(float) * override.factor
    return adjusted
