"""Read interval history as contact-center ACD systems export it.

CSV format (a header row, then one row per interval and queue):

    interval_start  start of the interval, ISO-8601 local date-time without a time-zone offset:
                    ``2026-10-05 08:30`` or ``2026-10-05T08:30:00``
    queue           optional queue or channel name; without the column every row belongs to
                    one queue named ``default``
    contacts        offered contacts in the interval, a number >= 0
    aht_seconds     average handle time of those contacts in seconds, > 0; may be empty (or 0)
                    where contacts is 0

Column names are matched ignoring case, surrounding spaces and spaces vs underscores; extra
columns are ignored. Comma, semicolon and tab separators are recognised from the header line.
The interval length (15, 30 or 60 minutes) is detected from the spacing of the rows and must be
the same for every queue. Missing intervals are gaps: they stay absent, they are not zeros.

Every input problem raises :class:`tabular.InputError` with the file, the row as a spreadsheet
shows it (header = row 1) and the column; the CSV plumbing (reading a source within the input
limits, matching columns, parsing cells, collecting problems) is the ``tabular`` package's.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
import pandas as pd

from forecasts.intervals import BAND_COLUMNS
from tabular import (
    MAX_PROBLEMS,
    InputError,
    Problem,
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

HISTORY_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds"]
DEFAULT_QUEUE = "default"
SUPPORTED_INTERVALS = (15, 30, 60)

# Beyond these a cell is a typo or a unit mistake, and the Erlang maths would overflow on it.
MAX_CONTACTS_PER_INTERVAL = 1_000_000
MAX_AHT_SECONDS = 24 * 3600

_REQUIRED_COLUMNS = ["interval_start", "contacts", "aht_seconds"]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def read_history(source: Source, name: str | None = None) -> pd.DataFrame:
    """Read and validate an interval history CSV.

    ``source`` is a path, bytes, or a file-like object (binary or text); ``name`` is the file
    name used in messages (default: the path's or object's name). Returns the columns
    ``HISTORY_COLUMNS``: ``interval_start`` datetime64[ns] (naive local time), ``queue`` str,
    ``contacts`` float, ``aht_seconds`` float (NaN where contacts is 0 and no handle time was
    given), sorted by queue then interval_start with a fresh index, and
    ``attrs["interval_minutes"]`` set to the detected interval length.
    """
    name = source_name(source, name, "history")
    raw = read_raw_csv(source, name)
    return _validate(raw, name, raw.index.to_numpy())


def read_forecast(source: Source, name: str | None = None) -> pd.DataFrame:
    """Read and validate a forecast CSV (``wfm forecast``'s output, or any table in the history
    format): the history's columns, plus the prediction intervals ``BAND_COLUMNS`` when the file
    has any of them. Then it must have all four, each a number ≥ 0 with
    ``contacts_lo95 ≤ contacts_lo80 ≤ contacts ≤ contacts_hi80 ≤ contacts_hi95``; staffing to a
    quantile reads them (``staffing.contacts_to_staff``)."""
    name = source_name(source, name, "forecast")
    raw = read_raw_csv(source, name)
    return _validate(raw, name, raw.index.to_numpy(), with_bands=True)


def validate_history(df: pd.DataFrame, name: str = "history") -> pd.DataFrame:
    """Validate an already-loaded history frame (cells as text, numbers or timestamps).

    Used for frames edited in the app: row numbers in messages are the frame's positions as a
    spreadsheet would show them (first data row = row 2). Returns the same as ``read_history``.
    """
    return _validate(df, name, np.arange(len(df)) + 2)


def interval_minutes(df: pd.DataFrame) -> int:
    """Interval length in minutes of a validated history: from ``attrs``, else re-detected.

    Pandas drops ``attrs`` in some operations (e.g. ``concat`` of differing frames), hence the
    fallback. Raises InputError if the spacing of the rows does not give a supported length.
    """
    if df.attrs.get("interval_minutes"):
        return int(df.attrs["interval_minutes"])
    history = df.reset_index(drop=True)
    if "queue" not in history:
        history = history.assign(queue=DEFAULT_QUEUE)
    problems = ProblemList("history")
    minutes = detect_interval(history, np.arange(len(history)) + 2, problems)
    problems.raise_if_any()
    return minutes


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _validate(raw: pd.DataFrame, name: str, rows: np.ndarray, with_bands: bool = False) -> pd.DataFrame:
    """Check and type a raw history frame; ``rows`` holds each frame row's spreadsheet row. With
    ``with_bands`` the prediction intervals are kept (and checked) where the frame has them."""
    problems = ProblemList(name)
    frame = normalize_columns(raw, HISTORY_COLUMNS + BAND_COLUMNS, problems).reset_index(drop=True)
    with_bands = with_bands and any(column in frame for column in BAND_COLUMNS)
    require_columns(frame, _REQUIRED_COLUMNS + (BAND_COLUMNS if with_bands else []), ["queue"], problems)
    problems.raise_if_any()
    if frame.empty:
        raise InputError(
            Problem("has no data rows below the header; add one row per interval and queue", name)
        )

    starts = parse_datetimes(
        as_text(frame["interval_start"]), rows, "interval_start", "2026-10-05 08:30", problems
    )
    queues = _parse_queues(frame, rows, problems)
    contacts = _parse_contacts(as_text(frame["contacts"]), rows, problems)
    aht = _parse_aht(as_text(frame["aht_seconds"]), contacts, rows, problems)
    bands = _parse_bands(frame, contacts, rows, problems) if with_bands else {}
    problems.raise_if_any()

    # Duplicates and spacing are only meaningful once every cell is readable.
    history = pd.DataFrame(
        {"interval_start": starts, "queue": queues, "contacts": contacts, "aht_seconds": aht, **bands}
    )
    _check_duplicates(history, rows, problems)
    problems.raise_if_any()
    minutes = detect_interval(history, rows, problems)
    problems.raise_if_any()

    history = history.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)
    history.attrs["interval_minutes"] = minutes
    return history


def _parse_queues(frame: pd.DataFrame, rows: np.ndarray, problems: ProblemList) -> pd.Series:
    """Queue names; a missing or entirely empty queue column means the single default queue."""
    text = as_text(frame["queue"]) if "queue" in frame else pd.Series("", index=frame.index)
    if (text == "").all():
        return pd.Series(DEFAULT_QUEUE, index=frame.index, dtype=object)
    problems.add_cells(
        "queue",
        rows,
        text == "",
        text,
        lambda _: "is empty; name the queue (or remove the queue column if the file has only one queue)",
    )
    return text


def _parse_contacts(text: pd.Series, rows: np.ndarray, problems: ProblemList) -> pd.Series:
    """Offered contacts; NaN (and a problem) where empty, not a number, or negative."""
    contacts = parse_numbers(text)
    empty = text == ""
    negative = contacts < 0
    problems.add_cells(
        "contacts", rows, empty, text, lambda _: "is empty; enter the offered contacts (0 if there were none)"
    )
    problems.add_cells(
        "contacts",
        rows,
        ~empty & contacts.isna(),
        text,
        lambda value: f"'{value}' is not a number; enter the offered contacts, e.g. 42",
    )
    problems.add_cells(
        "contacts",
        rows,
        negative,
        contacts,
        lambda value: f"{value:g} is negative; offered contacts must be 0 or more",
    )
    implausible = contacts > MAX_CONTACTS_PER_INTERVAL
    problems.add_cells("contacts", rows, implausible, contacts, too_many_contacts)
    return contacts.where(~negative & ~implausible)


def too_many_contacts(value: float) -> str:
    return (f"{value:g} contacts in one interval is implausible (the most accepted is "
            f"{MAX_CONTACTS_PER_INTERVAL:,}); check the number and its unit")


def too_long_handle_time(value: float) -> str:
    return (f"{value:g} seconds is not a plausible average handle time (the most accepted is "
            f"{MAX_AHT_SECONDS:,} s, a day); check the number and its unit")


def _parse_aht(
    text: pd.Series, contacts: pd.Series, rows: np.ndarray, problems: ProblemList
) -> pd.Series:
    """Average handle times; NaN where contacts is 0 and no (or a zero) handle time is given.

    ACD exports often write 0 or nothing as the handle time of an interval without contacts,
    so both are accepted there; anywhere else the handle time must be a positive number.
    """
    aht = parse_numbers(text)
    empty = text == ""
    idle = contacts == 0
    problems.add_cells(
        "aht_seconds",
        rows,
        empty & (contacts > 0),
        contacts,
        lambda count: f"is empty but contacts is {count:g}; enter the average handle time in seconds, e.g. 300",
    )
    problems.add_cells(
        "aht_seconds",
        rows,
        ~empty & aht.isna(),
        text,
        lambda value: f"'{value}' is not a number; enter the average handle time in seconds, e.g. 300 (not 00:05:00)",
    )
    problems.add_cells(
        "aht_seconds",
        rows,
        (aht < 0) | ((aht == 0) & ~idle),
        aht,
        lambda value: f"{value:g} is not a handle time; it must be more than 0 seconds",
    )
    too_long = aht > MAX_AHT_SECONDS
    problems.add_cells("aht_seconds", rows, too_long, aht, too_long_handle_time)
    return aht.where((aht > 0) & ~too_long)


def _parse_bands(frame: pd.DataFrame, contacts: pd.Series, rows: np.ndarray,
                 problems: ProblemList) -> dict[str, pd.Series]:
    """The prediction-interval columns as numbers ≥ 0, each band nested in the next wider one
    around ``contacts`` (lo95 ≤ lo80 ≤ contacts ≤ hi80 ≤ hi95); problems where they are not."""
    bands = {}
    for column in BAND_COLUMNS:
        text = as_text(frame[column])
        values = parse_numbers(text)
        problems.add_cells(column, rows, text == "", text,
                           lambda _, c=column: f"is empty; {c} is a limit of the forecast's prediction interval")
        problems.add_cells(column, rows, (text != "") & values.isna(), text,
                           lambda value: f"'{value}' is not a number; enter a number of contacts, e.g. 42")
        problems.add_cells(column, rows, values < 0, values,
                           lambda value: f"{value:g} is negative; a number of contacts is 0 or more")
        bands[column] = values
    order = ["contacts_lo95", "contacts_lo80", "contacts", "contacts_hi80", "contacts_hi95"]
    values = {**bands, "contacts": contacts}
    for below, above in zip(order, order[1:]):
        column = above if below == "contacts" else below  # the band's limit is at fault, not the forecast
        slack = 1e-9 * np.maximum(1.0, values[above].abs())  # written floats may differ in the last digit
        wrong = values[below] > values[above] + slack
        problems.add_cells(column, rows, wrong, pd.Series(list(zip(values[below], values[above]))),
                           lambda pair, b=below, a=above: f"{b} {pair[0]:g} is above {a} {pair[1]:g}; the "
                           f"prediction intervals must hold the forecast, the 80 % one inside the 95 % one "
                           f"(contacts_lo95 ≤ contacts_lo80 ≤ contacts ≤ contacts_hi80 ≤ contacts_hi95)")
    return bands


def _check_duplicates(history: pd.DataFrame, rows: np.ndarray, problems: ProblemList) -> None:
    """Report every repeat of an (interval_start, queue) pair, naming the row it repeats."""
    keys = ["interval_start", "queue"]
    keyed = history[keys].assign(row=rows)
    repeated = keyed[keyed.duplicated(keys, keep=False)]
    first_row = repeated.groupby(keys)["row"].transform("min")
    later = repeated[repeated["row"] != first_row]
    for row, first, start, queue in islice(
        zip(later["row"], first_row[later.index], later["interval_start"], later["queue"]), MAX_PROBLEMS
    ):
        problems.add(
            f"duplicate interval: row {first} already has {start:%Y-%m-%d %H:%M} for queue '{queue}'; "
            "keep one row per interval and queue (when clocks go back, add the repeated hour's rows together)",
            row,
            "interval_start",
        )


# --------------------------------------------------------------------------------------------
# Interval length
# --------------------------------------------------------------------------------------------


def detect_interval(
    history: pd.DataFrame, rows: np.ndarray, problems: ProblemList, default: int | None = None
) -> int | None:
    """Detect the interval length of a table of ``interval_start, queue`` and check every start lies on
    its grid; None after adding the problems. ``rows`` are the spreadsheet rows of the table's rows.

    ``default`` is the length assumed where no queue has two rows to measure (without one, that is a
    problem)."""
    spacing = _spacing(history, rows)
    minutes = _detect_interval(spacing, problems, default)
    if minutes is not None:
        _check_grid(spacing, minutes, problems)
    return minutes


def check_interval_grid(history: pd.DataFrame, rows: np.ndarray, minutes: int, problems: ProblemList) -> None:
    """Add a problem for each start of a table of ``interval_start, queue`` off the ``minutes`` grid."""
    _check_grid(_spacing(history, rows), minutes, problems)


def _spacing(history: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Rows sorted by queue and start, with the step in minutes from the previous row of the queue."""
    spacing = history[["interval_start", "queue"]].assign(row=rows)
    spacing = spacing.sort_values(["queue", "interval_start"], kind="stable")
    by_queue = spacing.groupby("queue", sort=False)
    spacing["step"] = by_queue["interval_start"].diff().dt.total_seconds() / 60
    spacing["previous_row"] = by_queue["row"].shift()
    return spacing


def _typical_step(steps: pd.Series) -> float:
    """The most common step; on a tie prefer a supported length, then the longer one.

    The most common step, rather than the smallest or the GCD, is the interval length: gaps are
    rarer multiples of it, and a few stray 15-minute rows in a 30-minute file must show up as
    mixed lengths instead of silently turning the file into 15-minute data. Each stray row
    adds two short steps, hence ties go to the longer length.
    """
    counts = steps.value_counts()
    return max(counts.index, key=lambda step: (counts[step], step in SUPPORTED_INTERVALS, step))


def _detect_interval(spacing: pd.DataFrame, problems: ProblemList, default: int | None) -> int | None:
    """Interval length shared by all queues, or None after reporting why there is none."""
    typical = {
        queue: _typical_step(group["step"].dropna())
        for queue, group in spacing.groupby("queue", sort=False)
        if group["step"].notna().any()
    }
    if not typical and default:
        return default
    if not typical:
        problems.add(
            "cannot tell the interval length: no queue has more than one interval; "
            "include at least two consecutive intervals",
            column="interval_start",
        )
        return None

    for queue, step in typical.items():
        if step not in SUPPORTED_INTERVALS:
            problems.add(
                f"rows of queue '{queue}' are mostly {step:g} minutes apart; "
                "history must be in 15, 30 or 60-minute intervals",
                _first_row_with_step(spacing, queue, step),
                "interval_start",
            )
    if problems:
        return None

    # Compare against the queue with the most rows: the odd one out is the likelier mistake.
    reference = spacing.loc[spacing["queue"].isin(list(typical)), "queue"].value_counts().index[0]
    minutes = int(typical[reference])
    for queue, step in typical.items():
        if step != minutes:
            problems.add(
                f"queue '{queue}' is in {step:g}-minute intervals but queue '{reference}' is in "
                f"{minutes}-minute intervals; export all queues with the same interval length",
                _first_row_with_step(spacing, queue, step),
                "interval_start",
            )
    return None if problems else minutes


def _first_row_with_step(spacing: pd.DataFrame, queue: str, step: float) -> int:
    match = spacing[(spacing["queue"] == queue) & (spacing["step"] == step)]
    return int(match["row"].iloc[0])


def _check_grid(spacing: pd.DataFrame, minutes: int, problems: ProblemList) -> None:
    """Every start must be a whole number of intervals after midnight.

    A start on the 15-minute grid but off a longer one is a row from a shorter interval length
    (mixed lengths); anything else (08:17, seconds) is simply off the grid.
    """
    starts = spacing["interval_start"]
    seconds = (starts - starts.dt.normalize()).dt.total_seconds()
    off_grid = spacing[seconds % (minutes * 60) != 0]
    on_quarter_hours = seconds[off_grid.index] % (15 * 60) == 0
    allowed = " and ".join(f":{minute:02d}" for minute in range(0, 60, minutes))
    for (_, row), quarter in islice(zip(off_grid.iterrows(), on_quarter_hours), MAX_PROBLEMS):
        time = f"{row['interval_start']:%H:%M:%S}".removesuffix(":00")
        if not quarter:
            message = (
                f"{time} is not on the {minutes}-minute interval grid; "
                f"intervals must start at {allowed} past the hour"
            )
        elif pd.notna(row["previous_row"]):
            message = (
                f"mixed interval lengths: this row starts {row['step']:g} minutes after row "
                f"{int(row['previous_row'])}, but the file is in {minutes}-minute intervals; "
                "export the whole file with one interval length"
            )
        else:
            message = (
                f"mixed interval lengths: {time} does not start a {minutes}-minute interval, "
                f"but the file is in {minutes}-minute intervals; export the whole file with one interval length"
            )
        problems.add(message, row["row"], "interval_start")
