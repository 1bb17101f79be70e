"""Every table the app shows or edits: missing cells shown empty (Streamlit writes `None`), and
editors whose cells always suit their columns' editors.

Streamlit refuses to edit a column whose data type does not match its configured editor: a text
column holding floats (an empty table's columns are float), a checkbox column of NaN. The table
a page starts from is made to fit its column configuration here, once, for every editor.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

TEXT_EDITORS = {"text", "link", "markdown"}


def editable(frame: pd.DataFrame, column_config: dict) -> pd.DataFrame:
    """The table with each configured column in a data type its editor accepts; missing cells are None."""
    table = frame.copy()
    for column, config in column_config.items():
        if column not in table.columns:
            continue
        kind = (config.get("type_config") or {}).get("type")
        if kind in TEXT_EDITORS:
            table[column] = _cells(table[column], _text)
        elif kind == "number":
            table[column] = pd.to_numeric(table[column], errors="coerce")
        elif kind == "checkbox":
            table[column] = _cells(table[column], lambda value: bool(value))
        elif table[column].isna().all():
            # An all-missing column reads as float: no editor but number's accepts that, all accept None.
            table[column] = _cells(table[column], lambda value: value)
    return table


def _cells(column: pd.Series, convert) -> pd.Series:
    """An object column of `convert(value)`, None where the cell is missing."""
    return pd.Series([None if _missing(value) else convert(value) for value in column], index=column.index,
                     dtype=object)


def _missing(value) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def labels(column_config: dict) -> dict[str, str]:
    """Each configured column's label, by its field name (for messages about a field)."""
    return {column: config["label"] for column, config in column_config.items() if config.get("label")}


def show(frame: pd.DataFrame, **options) -> None:
    """`st.dataframe` without the index, missing cells empty."""
    st.dataframe(frame, hide_index=True, placeholder="", **options)


def data_editor(frame: pd.DataFrame, key: str, column_config: dict, **options) -> pd.DataFrame:
    """`st.data_editor` of `frame` made editable under `column_config`, missing cells empty."""
    return st.data_editor(editable(frame, column_config), key=key, column_config=column_config, placeholder="",
                          **options)
