"""Columns and cells of a raw table: canonical column names, required columns, typed cells.

A raw table holds text cells (from a CSV) or mixed cells (a table edited in the app); every
helper takes the spreadsheet row of each frame row and records problems in a `ProblemList`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .problems import ProblemList

_TIME_ZONE_OFFSET = r"(?:Z|[+-]\d\d:?\d\d)$"


def normalize_columns(frame: pd.DataFrame, known: list[str], problems: ProblemList) -> pd.DataFrame:
    """Rename columns to their canonical keys (``" Interval Start"`` -> ``interval_start``).

    A repeated column keeps its first occurrence; repeating a ``known`` column is a problem
    because we could not tell which one is meant.
    """
    keys = [column_key(column) for column in frame.columns]
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


def column_key(column: object) -> str:
    """Canonical column name: trimmed, lower case, runs of spaces or hyphens as one underscore."""
    return re.sub(r"[\s\-]+", "_", str(column).strip().lower())
