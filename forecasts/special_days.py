"""Special days: dates whose volume differs from a normal day (holidays, events, closures).

CSV format (a header row, then one row per date; column names matched as for the history):

    date    the calendar date, ISO-8601: ``2026-12-25``
    effect  a multiplier of the normal volume (``0.6``, ``1.3``; ``0`` means closed)
            or the word ``closed``
    label   optional description, e.g. ``Public holiday``

The whole calendar day is affected (00:00 to 24:00 local time). In a forecast, contacts on a
special day are multiplied by its multiplier; in the history, special days are removed so they
do not distort the normal profiles (they become gaps).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tabular import (
    MAX_PROBLEMS,
    ProblemList,
    Source,
    as_text,
    normalize_columns,
    parse_datetimes,
    parse_numbers,
    read_raw_csv,
    require_columns,
    source_name,
)

SPECIAL_DAY_COLUMNS = ["date", "multiplier", "label"]
CLOSED = "closed"
# A day of more than this many normal days' volume is a typo (and would overflow the Erlang maths).
MAX_MULTIPLIER = 100


def read_special_days(source: Source, name: str | None = None) -> pd.DataFrame:
    """Read and validate a special-days CSV (path, bytes or file-like; ``name`` for messages).

    Returns the columns ``SPECIAL_DAY_COLUMNS``: ``date`` datetime64[ns] at midnight,
    ``multiplier`` float (0.0 for closed), ``label`` str ("" when not given), sorted by date.
    A file with a header and no rows means no special days.
    """
    name = source_name(source, name, "special days")
    raw = read_raw_csv(source, name)
    return _validate(raw, name, raw.index.to_numpy())


def validate_special_days(df: pd.DataFrame, name: str = "special days") -> pd.DataFrame:
    """Validate an already-loaded special-days frame (e.g. edited in the app), rows numbered from 2."""
    return _validate(df, name, np.arange(len(df)) + 2)


def apply_special_days(forecast_df: pd.DataFrame, special_days: pd.DataFrame) -> pd.DataFrame:
    """A copy of the forecast with ``contacts`` (and its prediction intervals, the ``contacts_…``
    columns) multiplied on special days (closed -> 0)."""
    adjusted = forecast_df.copy()
    multipliers = _day_multipliers(adjusted["interval_start"], special_days)
    for column in [name for name in adjusted.columns if name == "contacts" or name.startswith("contacts_")]:
        adjusted[column] = adjusted[column] * multipliers
    return adjusted


def mask_special_days(history_df: pd.DataFrame, special_days: pd.DataFrame) -> pd.DataFrame:
    """The history without rows on special days, so they do not shape the normal profiles."""
    on_special_day = history_df["interval_start"].dt.normalize().isin(special_days["date"])
    kept = history_df.loc[~on_special_day].reset_index(drop=True)
    kept.attrs = dict(history_df.attrs)  # keep interval_minutes whatever pandas does with attrs
    return kept


def _day_multipliers(starts: pd.Series, special_days: pd.DataFrame) -> np.ndarray:
    """The multiplier of each start's calendar day, 1.0 on normal days."""
    by_date = pd.Series(special_days["multiplier"].to_numpy(), index=special_days["date"])
    return starts.dt.normalize().map(by_date).fillna(1.0).to_numpy(dtype=float)


def _validate(raw: pd.DataFrame, name: str, rows: np.ndarray) -> pd.DataFrame:
    """Check and type a raw special-days frame; ``rows`` holds each row's spreadsheet row."""
    problems = ProblemList(name)
    frame = normalize_columns(raw, ["date", "effect", "label"], problems).reset_index(drop=True)
    require_columns(frame, ["date", "effect"], ["label"], problems)
    problems.raise_if_any()

    dates = _parse_dates(as_text(frame["date"]), rows, problems)
    multipliers = _parse_effects(as_text(frame["effect"]), rows, problems)
    labels = as_text(frame["label"]) if "label" in frame else pd.Series("", index=frame.index)
    _check_duplicates(dates, rows, problems)
    problems.raise_if_any()

    special_days = pd.DataFrame({"date": dates, "multiplier": multipliers, "label": labels.astype(object)})
    return special_days.sort_values("date", kind="stable").reset_index(drop=True)


def _parse_dates(text: pd.Series, rows: np.ndarray, problems: ProblemList) -> pd.Series:
    """Calendar dates; a time of day other than midnight is a problem (a date is a whole day)."""
    dates = parse_datetimes(text, rows, "date", "2026-12-25", problems)
    with_time = dates.notna() & (dates != dates.dt.normalize())
    problems.add_cells(
        "date", rows, with_time, text, lambda value: f"'{value}' has a time of day; give just the date, e.g. 2026-12-25"
    )
    return dates


def _parse_effects(text: pd.Series, rows: np.ndarray, problems: ProblemList) -> pd.Series:
    """Multipliers: a number >= 0 or the word closed (0.0)."""
    closed = text.str.lower() == CLOSED
    multipliers = parse_numbers(text.where(~closed, ""))
    empty = text == ""
    problems.add_cells(
        "effect", rows, empty, text, lambda _: "is empty; enter a multiplier such as 0.8 (80 % of normal volume) or the word closed"
    )
    problems.add_cells(
        "effect",
        rows,
        ~empty & ~closed & multipliers.isna(),
        text,
        lambda value: f"'{value}' is not a multiplier; enter a number such as 0.8 or 1.3, or the word closed",
    )
    problems.add_cells(
        "effect",
        rows,
        multipliers < 0,
        multipliers,
        lambda value: f"{value:g} is negative; enter a multiplier such as 0.8 or 1.3, or the word closed",
    )
    problems.add_cells(
        "effect",
        rows,
        multipliers > MAX_MULTIPLIER,
        multipliers,
        lambda value: f"{value:g} times the normal volume is implausible (the most accepted is {MAX_MULTIPLIER}); "
        "enter a multiplier such as 0.8 or 1.3, or the word closed",
    )
    return multipliers.mask(closed, 0.0)


def _check_duplicates(dates: pd.Series, rows: np.ndarray, problems: ProblemList) -> None:
    """Each date may appear once: two effects for one day would be ambiguous."""
    keyed = pd.DataFrame({"date": dates, "row": rows}).dropna(subset=["date"])
    repeated = keyed[keyed.duplicated("date", keep=False)]
    first_row = repeated.groupby("date")["row"].transform("min")
    later = repeated[repeated["row"] != first_row]
    for row, first, date in zip(later["row"][:MAX_PROBLEMS], first_row[later.index], later["date"]):
        problems.add(
            f"duplicate date: row {first} already has {date:%Y-%m-%d}; keep one row per date",
            row,
            "date",
        )
