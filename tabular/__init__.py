"""Tabular input: located problems, bounded CSV reading, and column and cell parsing.

The ground floor of the project: imports only pandas, numpy and the standard library, and is
used by `forecasts` (history, special days) and `scheduler` (scenario tables, rosters).
"""

from .cells import as_text, normalize_columns, parse_datetimes, parse_numbers, require_columns
from .limits import MAX_AGENTS, MAX_INPUT_MB, MAX_ROWS, Limit
from .problems import MAX_PROBLEMS, InputError, Problem, ProblemList
from .reading import Source, inside_folder, read_raw_csv, read_text, source_name

__all__ = [
    "MAX_AGENTS", "MAX_INPUT_MB", "MAX_PROBLEMS", "MAX_ROWS", "InputError", "Limit", "Problem", "ProblemList",
    "Source", "as_text", "inside_folder", "normalize_columns", "parse_datetimes", "parse_numbers", "read_raw_csv",
    "read_text", "require_columns", "source_name",
]
