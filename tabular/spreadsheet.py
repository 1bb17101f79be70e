"""Text cells bound for a spreadsheet, made inert, and read back as they were typed.

Excel and LibreOffice run a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula, even from a CSV file: an agent named `=HYPERLINK("http://…","Click")` becomes a live link
(CSV injection). OWASP's remedy is a single quote in front, which spreadsheets show as text.
`neutralise` does that to every text cell of a table written for people to open (roster CSV, Excel
workbook, coverage); `restore` is its exact inverse, for readers of such files. Numbers are never
touched: -1.5 in a numeric column stays a number.

Text that already starts with quotes before a formula character gets one more, so that `restore`
can tell a quote it must strip from one that was typed: restore(neutralise(text)) == text always.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def neutralise_cell(value):
    """The value with a quote in front if a spreadsheet would read it as a formula; other values as they are."""
    return QUOTE + value if isinstance(value, str) and _needs_quote(value) else value


def restore_cell(value):
    """The value as it was before `neutralise_cell`."""
    if isinstance(value, str) and value.startswith(QUOTE) and _needs_quote(value[1:]):
        return value[1:]
    return value


def neutralise(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell made safe to open in a spreadsheet (column names too)."""
    return _map_text(table, neutralise_cell)


def restore(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with the quotes `neutralise` added taken off again."""
    return _map_text(table, restore_cell)


def to_csv(table: pd.DataFrame, path, **options) -> None:
    """`table.to_csv(path, **options)` with its text made safe to open in a spreadsheet."""
    neutralise(table).to_csv(path, **options)


def _map_text(table: pd.DataFrame, cell) -> pd.DataFrame:
    result = table.copy()
    for position in range(result.shape[1]):  # by position: a raw CSV may repeat a column name
        values = result.iloc[:, position]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            # only cells starting with a quote or a formula character can change: a million-row
            # history is read through `restore` too, so the rest are left alone
            changing = values.astype(str).str[:1].isin((QUOTE, *FORMULA_STARTS)) & values.notna()
            if changing.any():
                result.iloc[changing.to_numpy(), position] = values[changing].map(cell)
    result.columns = [cell(column) for column in result.columns]
    return result
