"""Seeded generator for the bundled sample contact center, so everything runs offline.

The sample is a 24/7 center with two queues:

* ``voice``: about 800 contacts on a midweek day, peaking around 30-40 per 30 minutes in
  the late morning, with a lunch dip, a second afternoon peak and an evening decline; nights
  are 1-3 % of the peak. Monday is the busiest day and volume falls through the week;
  Saturday is ~55 % and Sunday ~40 % of a weekday. AHT around 300 s.
* ``chat``: ~35 % of voice with a later (evening) peak; AHT around 600 s.

With ``deferred=True`` it has two queues of deferred work besides (`kind: deferred`):

* ``email``: ~25 % of voice, sent in office hours (a morning peak, a smaller one after lunch, little
  at night); AHT around 480 s; answered within 24 h.
* ``social``: ~10 % of voice, messages at any hour with an evening peak; AHT around 240 s;
  answered within 2 h.

Volumes grow ~1 % per week, days vary by a few percent, intervals have Poisson noise. AHT is
longer at night and noisier when few contacts are handled (it is an average of fewer calls);
it is empty where an interval has no contacts. The history contains a public holiday at 35 %
of normal volume and a two-hour reporting outage (missing rows: a gap, not zeros).

Run ``python -m forecasts.sample DIRECTORY`` to write the sample files.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .special_days import CLOSED

SAMPLE_END = date(2026, 11, 22)  # a Sunday: the default week to forecast starts Monday 2026-11-23
HOLIDAY = date(2026, 10, 14)  # a Wednesday inside the default 12 weeks of history
HOLIDAY_MULTIPLIER = 0.35
COMPANY_EVENT = date(2026, 11, 26)  # inside the default target week
COMPANY_EVENT_MULTIPLIER = 0.8
CLOSED_DAY = date(2026, 12, 25)
OUTAGE_START = datetime(2026, 9, 17, 10, 0)  # the ACD lost these intervals' statistics
OUTAGE_DURATION = timedelta(hours=2)

# Relative volume for each hour of the day (0-23), peak 1.0; interpolated at interval midpoints.
_VOICE_BY_HOUR = [
    0.030, 0.020, 0.015, 0.012, 0.012, 0.020, 0.080, 0.400,  # night, early-morning ramp
    0.780, 0.950, 1.000, 1.000, 0.880, 0.870, 0.970, 0.980,  # late-morning peak, lunch dip, afternoon peak
    0.930, 0.820, 0.660, 0.520, 0.400, 0.280, 0.160, 0.080,  # evening decline
]
_CHAT_BY_HOUR = [
    0.060, 0.040, 0.030, 0.025, 0.025, 0.030, 0.060, 0.150,
    0.350, 0.550, 0.700, 0.800, 0.780, 0.820, 0.900, 0.950,
    0.970, 0.980, 1.000, 0.970, 0.850, 0.620, 0.350, 0.150,  # peaks in the evening, after work
]
_EMAIL_BY_HOUR = [
    0.050, 0.040, 0.030, 0.030, 0.030, 0.050, 0.150, 0.450,
    0.850, 1.000, 0.950, 0.850, 0.650, 0.800, 0.850, 0.750,  # office hours: sent from desks
    0.600, 0.450, 0.350, 0.300, 0.250, 0.200, 0.120, 0.080,
]
_SOCIAL_BY_HOUR = [
    0.300, 0.200, 0.150, 0.100, 0.100, 0.150, 0.250, 0.400,
    0.550, 0.650, 0.700, 0.700, 0.750, 0.700, 0.700, 0.700,
    0.750, 0.800, 0.900, 1.000, 1.000, 0.900, 0.700, 0.500,  # at any hour, most in the evening
]
# AHT relative to the queue's average by hour: tired agents and harder contacts at night.
_AHT_BY_HOUR = [
    1.20, 1.22, 1.25, 1.25, 1.25, 1.20, 1.10, 1.02,
    1.00, 0.98, 0.97, 0.97, 0.98, 0.99, 0.99, 1.00,
    1.00, 1.01, 1.03, 1.05, 1.08, 1.10, 1.14, 1.18,
]
# Daily volume relative to a Wednesday, Monday first.
_DAY_OF_WEEK = np.array([1.10, 1.04, 1.00, 0.97, 0.92, 0.55, 0.40])

_VOICE_MIDWEEK_CONTACTS = 800.0  # sized for a ~60-agent team; at the start of the history; the trend adds ~1 % per week
_CHAT_SHARE = 0.35
_WEEKLY_GROWTH = 1.01
_DAY_NOISE = 0.04  # standard deviation of the day-to-day level, relative
_HANDLE_TIME_SHAPE = 2.0  # gamma shape of one contact's handle time (coefficient of variation ~0.7)

_QUEUES = {
    # queue: (hourly shape, midweek contacts, average handle time in seconds)
    "voice": (_VOICE_BY_HOUR, _VOICE_MIDWEEK_CONTACTS, 300.0),
    "chat": (_CHAT_BY_HOUR, _VOICE_MIDWEEK_CONTACTS * _CHAT_SHARE, 600.0),
}
_DEFERRED_QUEUES = {  # drawn after the others, so voice and chat stay the same with or without them
    "email": (_EMAIL_BY_HOUR, _VOICE_MIDWEEK_CONTACTS * 0.25, 480.0),
    "social": (_SOCIAL_BY_HOUR, _VOICE_MIDWEEK_CONTACTS * 0.10, 240.0),
}
EMAIL_RESPONSE_HOURS = 24
SOCIAL_RESPONSE_HOURS = 2


def sample_history(
    weeks: int = 12, interval_minutes: int = 30, end: date = SAMPLE_END, seed: int = 7, deferred: bool = False
) -> pd.DataFrame:
    """Interval history of the sample center in the ``read_history`` format.

    Covers ``weeks`` full Monday-Sunday weeks ending on ``end`` (a Sunday), every interval of
    every queue except the outage (``deferred``: email and social too); ``attrs["interval_minutes"]`` is set.
    """
    if end.weekday() != 6:
        raise ValueError(f"end must be a Sunday, got {end:%A %Y-%m-%d}")
    if interval_minutes not in (15, 30, 60):
        raise ValueError(f"interval_minutes must be 15, 30 or 60, got {interval_minutes}")
    rng = np.random.default_rng(seed)
    days = pd.date_range(end=pd.Timestamp(end), periods=weeks * 7, freq="D")
    slots = pd.timedelta_range(start="0min", periods=24 * 60 // interval_minutes, freq=f"{interval_minutes}min")
    starts = (days.to_numpy()[:, None] + slots.to_numpy()[None, :]).ravel()
    hours = (slots.total_seconds().to_numpy() + interval_minutes * 30) / 3600  # interval midpoints

    frames = []
    queues = {**_QUEUES, **(_DEFERRED_QUEUES if deferred else {})}
    for queue, (by_hour, midweek_contacts, aht_seconds) in queues.items():
        expected = np.outer(_daily_contacts(days, midweek_contacts, rng), _intraday_shares(by_hour, hours))
        contacts = rng.poisson(expected)
        mean_aht = aht_seconds * _by_hour(_AHT_BY_HOUR, hours)[None, :]
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "queue": queue,
                    "contacts": contacts.ravel().astype(float),
                    "aht_seconds": _observed_aht(contacts, mean_aht, rng).ravel(),
                }
            )
        )
    history = pd.concat(frames, ignore_index=True)
    in_outage = (history["interval_start"] >= OUTAGE_START) & (history["interval_start"] < OUTAGE_START + OUTAGE_DURATION)
    history = history.loc[~in_outage].sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)
    history.attrs["interval_minutes"] = interval_minutes
    return history


def sample_special_days() -> pd.DataFrame:
    """Special days of the sample in the ``read_special_days`` format.

    The public holiday inside the history, a company event inside the default target week and
    a closed day after it.
    """
    return pd.DataFrame(
        {
            "date": pd.to_datetime([HOLIDAY, COMPANY_EVENT, CLOSED_DAY]),
            "multiplier": [HOLIDAY_MULTIPLIER, COMPANY_EVENT_MULTIPLIER, 0.0],
            "label": ["Public holiday", "Company event", "Christmas Day"],
        }
    )


def sample_staffing_config(deferred: bool = False) -> dict:
    """Per-queue service targets of the sample, as written to ``staffing.yaml``.

    ``{"default": {...}, "queues": {"voice": {...}, "chat": {...}}}``; every entry carries all
    keys: ``service_level`` (share answered within ``answer_seconds``), ``answer_seconds``,
    ``max_occupancy``, ``shrinkage`` (share of paid time not available for contacts),
    ``patience_seconds`` (average time before a customer abandons; None = no abandonment
    modelled), ``concurrency`` (contacts one agent handles at once), ``max_asa_seconds``
    (optional cap on average speed of answer; None = no cap). ``deferred``: email and social too,
    with their response time (`kind: deferred`, ``response_hours``, 90 % answered in time).
    """
    voice = {
        "service_level": 0.8,
        "answer_seconds": 20,
        "max_occupancy": 0.85,
        "shrinkage": 0.30,
        "patience_seconds": None,
        "concurrency": 1,
        "min_agents": 1,  # a 24/7 center keeps someone on every queue, however quiet the night
        "max_asa_seconds": None,
    }
    # Chat customers wait longer and agents work several chats at once.
    chat = {**voice, "answer_seconds": 60, "max_occupancy": 0.9, "patience_seconds": 180, "concurrency": 2}
    # A copy for the default: YAML would write one dict used twice as an anchor and alias.
    queues = {"voice": voice, "chat": chat}
    if deferred:
        queues["email"] = {"kind": "deferred", "response_hours": EMAIL_RESPONSE_HOURS, "service_level": 0.9}
        queues["social"] = {"kind": "deferred", "response_hours": SOCIAL_RESPONSE_HOURS, "service_level": 0.9}
    return {"default": dict(voice), "queues": queues}


def write_sample(directory: str | Path, deferred: bool = False) -> dict[str, Path]:
    """Write ``history.csv``, ``special_days.csv`` and ``staffing.yaml`` into ``directory``.

    Returns their paths keyed ``history``, ``special_days`` and ``staffing``. The files are
    byte-identical on every run (fixed seed, fixed formatting, ``\\n`` line ends).
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "history": folder / "history.csv",
        "special_days": folder / "special_days.csv",
        "staffing": folder / "staffing.yaml",
    }
    _history_csv(sample_history(deferred=deferred)).to_csv(paths["history"], index=False, lineterminator="\n")
    _special_days_csv(sample_special_days()).to_csv(paths["special_days"], index=False, lineterminator="\n")
    targets = yaml.safe_dump(sample_staffing_config(deferred), sort_keys=False)
    paths["staffing"].write_text(targets, encoding="utf-8", newline="\n")
    return paths


def _by_hour(values_by_hour: list[float], hours: np.ndarray) -> np.ndarray:
    """Hourly values (each taken at the middle of its hour) interpolated at ``hours``, wrapping at midnight."""
    anchors = np.arange(-0.5, 25.0, 1.0)  # hour midpoints, with one on each side for the wrap
    values = [values_by_hour[-1], *values_by_hour, values_by_hour[0]]
    return np.interp(hours, anchors, values)


def _intraday_shares(values_by_hour: list[float], hours: np.ndarray) -> np.ndarray:
    """Share of a day's contacts in each interval (sums to 1)."""
    weights = _by_hour(values_by_hour, hours)
    return weights / weights.sum()


def _daily_contacts(days: pd.DatetimeIndex, midweek_contacts: float, rng: np.random.Generator) -> np.ndarray:
    """Expected contacts per day: weekday pattern, weekly growth, holiday, day-to-day noise."""
    weekday = _DAY_OF_WEEK[days.dayofweek.to_numpy()]
    growth = _WEEKLY_GROWTH ** (np.arange(len(days)) / 7)
    holiday = np.where(days.date == HOLIDAY, HOLIDAY_MULTIPLIER, 1.0)
    noise = np.clip(rng.normal(1.0, _DAY_NOISE, len(days)), 0.8, 1.2)
    return midweek_contacts * weekday * growth * holiday * noise


def _observed_aht(contacts: np.ndarray, mean_aht: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Average of ``contacts`` gamma-distributed handle times, whole seconds; NaN without contacts.

    The mean of n gamma(k, m/k) handle times is gamma(n*k, m/(n*k)): few contacts, noisy AHT.
    """
    shape = np.maximum(contacts, 1) * _HANDLE_TIME_SHAPE
    aht = np.round(rng.gamma(shape, np.broadcast_to(mean_aht, contacts.shape) / shape))
    return np.where(contacts > 0, np.maximum(aht, 1.0), np.nan)


def _history_csv(history: pd.DataFrame) -> pd.DataFrame:
    """The history as an ACD would export it: minutes-resolution starts, whole numbers, empty AHT."""
    return pd.DataFrame(
        {
            "interval_start": history["interval_start"].dt.strftime("%Y-%m-%d %H:%M"),
            "queue": history["queue"],
            "contacts": history["contacts"].astype(int),
            "aht_seconds": history["aht_seconds"].astype("Int64"),  # nullable: empty where no contacts
        }
    )


def _special_days_csv(special_days: pd.DataFrame) -> pd.DataFrame:
    """Special days as the CSV writes them: closed days as the word, multipliers as numbers."""
    return pd.DataFrame(
        {
            "date": special_days["date"].dt.strftime("%Y-%m-%d"),
            "effect": [f"{m:g}" if m > 0 else CLOSED for m in special_days["multiplier"]],
            "label": special_days["label"],
        }
    )



if __name__ == "__main__":
    for kind, path in write_sample(sys.argv[1] if len(sys.argv) > 1 else "sample").items():
        print(f"{kind}: {path}")
