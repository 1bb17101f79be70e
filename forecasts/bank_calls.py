"""The public bank call-volume data set (fpp2 ``calls``: 5-minute call counts of a large North
American bank, weekdays 07:00–21:05, 164 days of 2003) read as a history table. The benchmark
``benchmarks/bench_forecast_realdata.py`` and the real-data test use it.

The CSV is ``shared/data/callvolume/calls_fpp2_5min.csv`` beside the repository (its README gives
the source and checksum), or the file ``$WFM_CALLS_CSV`` names. Counts are summed to 30-minute (or
15/60) intervals; the lone 21:00–21:05 interval is **dropped** (about 0.3 % of the calls), because
folding it into 20:30–21:00 would inflate that slot's shape by a sixth with calls that arrive after
the 21:00 close. AHT is not in the data: a constant 300 s is used (it does not affect contacts WAPE).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "callvolume" / "calls_fpp2_5min.csv"
DATA_ENV = "WFM_CALLS_CSV"
WHERE = (f"it ships in the team's shared/data/callvolume folder beside the repository (fpp2 'calls', "
         f"a public data set; see that folder's README), or set {DATA_ENV} to the CSV")
INTERVAL_MINUTES = 30
CLOSING = "21:00"  # 5-minute intervals starting at or after this are dropped
AHT_SECONDS = 300.0
QUEUE = "bank"


def data_path(argument: str | None = None) -> Path:
    """The CSV to read: the argument, else ``$WFM_CALLS_CSV``, else the shared data folder."""
    return Path(argument or os.environ.get(DATA_ENV) or DEFAULT_DATA)


def load_bank_history(path: Path, interval_minutes: int = INTERVAL_MINUTES) -> pd.DataFrame:
    """The 5-minute CSV as a history frame of ``interval_minutes`` (30, or 15/60) intervals
    (history contract, one queue ``bank``).

    Raises FileNotFoundError with a hint when the file is absent.
    """
    if not path.is_file():
        raise FileNotFoundError(f"call volume CSV not found at {path}; {WHERE}")
    raw = pd.read_csv(path, dtype={"interval_start": str})
    raw = raw[raw["interval_start"] < CLOSING]
    starts = pd.to_datetime(raw["date"] + " " + raw["interval_start"]).dt.floor(f"{interval_minutes}min")
    contacts = raw.groupby(starts)["calls"].sum().astype(float)
    history = pd.DataFrame({
        "interval_start": contacts.index.values,
        "queue": QUEUE,
        "contacts": contacts.to_numpy(),
        "aht_seconds": AHT_SECONDS,
    })
    history.attrs["interval_minutes"] = interval_minutes
    return history


def held_out_weeks(history: pd.DataFrame, count: int) -> list[pd.Timestamp]:
    """Mondays of the last ``count`` weeks with data."""
    mondays = history["interval_start"].dt.normalize()
    mondays = mondays - pd.to_timedelta(mondays.dt.dayofweek, unit="D")
    return sorted(mondays.unique())[-count:]


def before(history: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The rows before ``day``, keeping ``attrs`` (interval length)."""
    part = history[history["interval_start"] < day].reset_index(drop=True)
    part.attrs = dict(history.attrs)
    return part
