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

Every input problem raises :class:`forecasts.errors.InputError` with the file, the row as a
spreadsheet shows it (header = row 1) and the column. The CSV plumbing here (reading a source,
matching columns, parsing cells, collecting problems) is shared with ``forecasts.special_days``.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import IO, Any, Union

import numpy as np
import pandas as pd

from .errors import InputError, Problem

HISTORY_COLUMNS = ["interval_start", "queue", "contacts", "aht_seconds"]
DEFAULT_QUEUE = "default"
SUPPORTED_INTERVALS = (15, 30, 60)

# Enough to fix a batch of mistakes in one go without burying the user.
MAX_PROBLEMS = 20

# A path (str or PathLike), raw bytes, or a file-like object (binary or text) such as an upload.
Source = Union[str, os.PathLike, bytes, IO[Any]]

_REQUIRED_COLUMNS = ["interval_start", "contacts", "aht_seconds"]
_TIME_ZONE_OFFSET = r"(?:Z|[+-]\d\d:?\d\d)$"
_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (zip) and legacy .xls


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
    minutes = _interval_length(history, np.arange(len(history)) + 2, problems)
    problems.raise_if_any()
    return minutes


# --------------------------------------------------------------------------------------------
# CSV plumbing shared with special_days
# --------------------------------------------------------------------------------------------


class ProblemList:
    """Collects located problems so that one load reports many mistakes, not just the first."""

    def __init__(self, file: str):
        self.file = file
        self._problems: list[Problem] = []

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self._problems.append(Problem(message, self.file, None if row is None else int(row), column))

    def add_cells(
        self,
        column: str,
        rows: np.ndarray,
        mask: pd.Series,
        values: pd.Series,
        describe: Callable[[Any], str],
    ) -> None:
        """Add one problem per row where ``mask`` holds, at most MAX_PROBLEMS per call.

        ``rows``, ``mask`` and ``values`` are aligned; ``describe(value)`` writes the message.
        """
        flagged = np.asarray(mask, dtype=bool)
        if not flagged.any():
            return
        picked = zip(rows[flagged], values.to_numpy(dtype=object)[flagged])
        for row, value in islice(picked, MAX_PROBLEMS):
            self.add(describe(value), row, column)

    def __bool__(self) -> bool:
        return bool(self._problems)

    def raise_if_any(self) -> None:
        """Raise InputError with the problems in row order (file-level ones first)."""
        if not self._problems:
            return
        ordered = sorted(self._problems, key=lambda p: -1 if p.row is None else p.row)
        shown = ordered[:MAX_PROBLEMS]
        if len(ordered) > MAX_PROBLEMS:
            shown.append(Problem("more problems not shown; fix these and load the file again", self.file))
        raise InputError(shown)


def source_name(source: Source, name: str | None, default: str) -> str:
    """The file name to show in messages: ``name``, else the path's or the object's file name."""
    if name:
        return name
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    given = getattr(source, "name", None)  # open files and Streamlit uploads carry a name
    return Path(given).name if isinstance(given, str) and given else default


def read_raw_csv(source: Source, name: str) -> pd.DataFrame:
    """Read a CSV into a frame of stripped strings ("" when empty), without interpreting cells.

    Columns are the header cells as written; the index holds each row's spreadsheet row number
    (header = row 1); rows with every cell empty are dropped. Raises InputError for a missing,
    empty, binary or unparseable file.
    """
    text = _decode(_read_source(source, name), name)
    if not text.strip():
        raise InputError(Problem("the file is empty; it needs a header row and data rows", name))
    separator = _separator(text)
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so row numbers match the spreadsheet
            engine="c",
        )
    except pd.errors.ParserError as error:
        raise InputError(_parser_problem(error, name, separator)) from None
    cells = cells.fillna("").apply(lambda column: column.str.strip())  # short rows come padded with NaN
    cells.index = np.arange(1, len(cells) + 1)
    data = cells.iloc[1:].copy()
    data.columns = list(cells.iloc[0])
    return data[(data.to_numpy() != "").any(axis=1)]


def normalize_columns(frame: pd.DataFrame, known: list[str], problems: ProblemList) -> pd.DataFrame:
    """Rename columns to their canonical keys (``" Interval Start"`` -> ``interval_start``).

    A repeated column keeps its first occurrence; repeating a ``known`` column is a problem
    because we could not tell which one is meant.
    """
    keys = [_column_key(column) for column in frame.columns]
    first_position: dict[str, int] = {}
    keep = []
    for position, key in enumerate(keys):
        if key not in first_position:
            first_position[key] = position
            keep.append(position)
        elif key in known:
            problems.add(
                f"column '{key}' appears twice (columns {first_position[key] + 1} and {position + 1}); "
                "keep only one of them",
                row=1,
                column=key,
            )
    normalized = frame.iloc[:, keep].copy()
    normalized.columns = [keys[position] for position in keep]
    return normalized


def require_columns(
    frame: pd.DataFrame, required: list[str], optional: list[str], problems: ProblemList
) -> None:
    """Report each required column missing from the header (row 1)."""
    expected = ", ".join(required) + (f" (optional: {', '.join(optional)})" if optional else "")
    found = ", ".join(f"'{column}'" for column in list(frame.columns)[:10]) or "none"
    for column in required:
        if column not in frame.columns:
            problems.add(
                f"missing required column '{column}'; the header row must name {expected}. "
                f"Found columns: {found}",
                row=1,
                column=column,
            )


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped strings, "" for empty/NaN/None/NaT (editor frames hold mixed types)."""
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def parse_numbers(text: pd.Series) -> pd.Series:
    """Floats from text cells; NaN where empty, not a number, or not finite (nan, inf)."""
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def parse_datetimes(
    text: pd.Series, rows: np.ndarray, column: str, example: str, problems: ProblemList
) -> pd.Series:
    """Naive datetimes from ISO-8601 text cells; NaT (and a problem) where a cell is unusable."""
    empty = text == ""
    with_offset = text.str.contains(_TIME_ZONE_OFFSET, regex=True)
    parsed = pd.to_datetime(text.where(~empty & ~with_offset), format="ISO8601", errors="coerce")
    unreadable = ~empty & ~with_offset & parsed.isna()
    problems.add_cells(column, rows, empty, text, lambda _: f"is empty; enter a value like {example}")
    problems.add_cells(
        column,
        rows,
        with_offset,
        text,
        lambda value: f"'{value}' has a time-zone offset; write local times without one, e.g. {example}",
    )
    problems.add_cells(
        column,
        rows,
        unreadable,
        text,
        lambda value: f"cannot read '{value}' as a date; write it as ISO-8601 year-month-day, e.g. {example}",
    )
    return parsed.astype("datetime64[ns]")


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _validate(raw: pd.DataFrame, name: str, rows: np.ndarray) -> pd.DataFrame:
    """Check and type a raw history frame; ``rows`` holds each frame row's spreadsheet row."""
    problems = ProblemList(name)
    frame = normalize_columns(raw, HISTORY_COLUMNS, problems).reset_index(drop=True)
    require_columns(frame, _REQUIRED_COLUMNS, ["queue"], problems)
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
    problems.raise_if_any()

    # Duplicates and spacing are only meaningful once every cell is readable.
    history = pd.DataFrame(
        {"interval_start": starts, "queue": queues, "contacts": contacts, "aht_seconds": aht}
    )
    _check_duplicates(history, rows, problems)
    problems.raise_if_any()
    minutes = _interval_length(history, rows, problems)
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
    return contacts.where(~negative)


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
    return aht.where(aht > 0)


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


def _interval_length(history: pd.DataFrame, rows: np.ndarray, problems: ProblemList) -> int | None:
    """Detect the interval length and check every start lies on its grid; None on problems."""
    spacing = _spacing(history, rows)
    minutes = _detect_interval(spacing, problems)
    if minutes is not None:
        _check_grid(spacing, minutes, problems)
    return minutes


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


def _detect_interval(spacing: pd.DataFrame, problems: ProblemList) -> int | None:
    """Interval length shared by all queues, or None after reporting why there is none."""
    typical = {
        queue: _typical_step(group["step"].dropna())
        for queue, group in spacing.groupby("queue", sort=False)
        if group["step"].notna().any()
    }
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


# --------------------------------------------------------------------------------------------
# Reading bytes
# --------------------------------------------------------------------------------------------


def _read_source(source: Source, name: str) -> bytes | str:
    """The raw content of a path, bytes, or file-like object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except FileNotFoundError:
            raise InputError(Problem("file not found; check the path", name)) from None
        except IsADirectoryError:
            raise InputError(Problem("is a folder, not a file; give the path of the CSV file", name)) from None
        except OSError as error:
            raise InputError(Problem(f"cannot be read ({error.strerror}); check the file", name)) from None
    # getvalue() ignores the read position, so an upload read once can be read again.
    if hasattr(source, "getvalue"):
        return source.getvalue()
    if hasattr(source, "read"):
        return source.read()
    raise TypeError(f"expected a path, bytes or a file-like object, got {type(source).__name__}")


def _decode(content: bytes | str, name: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if isinstance(content, str):
        return content
    if content.startswith(_EXCEL_SIGNATURES):
        raise InputError(
            Problem("looks like an Excel workbook, not a CSV file; save it as CSV (comma-separated) and load that", name)
        )
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel "Unicode text"
        return content.decode("utf-16")
    if b"\x00" not in content:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise InputError(
        Problem("is not a CSV text file (it contains binary data); export the data as CSV (comma-separated)", name)
    )


def _separator(text: str) -> str:
    """The separator used most in the header line; comma when the header has none."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count)


def _parser_problem(error: pd.errors.ParserError, name: str, separator: str) -> Problem:
    """A located problem from pandas' tokenizer error (its line numbers are 1-based file lines)."""
    message = str(error)
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, line, seen = (int(number) for number in fields.groups())
        shown = "tab" if separator == "\t" else f"'{separator}'"
        return Problem(
            f"has {seen} fields but the header has {expected}; quote values that contain {shown} "
            "or fix the broken line",
            name,
            line,
        )
    return Problem(f"cannot be read as CSV ({message.strip()}); check that it is a comma-separated text file", name)


def _column_key(column: object) -> str:
    """Canonical column name: trimmed, lower case, runs of spaces or hyphens as one underscore."""
    return re.sub(r"[\s\-]+", "_", str(column).strip().lower())
