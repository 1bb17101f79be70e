"""Bad input shown as rows (what, where, why), never as a traceback."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from forecasts.staffing import validation_problems
from tabular import InputError, Problem

PROBLEM_COLUMNS = ["what", "where", "why"]


def problem_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """One row per problem: the field, the file and row, and the message."""
    rows = []
    for problem in problems:
        where = ", ".join(part for part in (problem.file, _row(problem.row)) if part)
        rows.append({"what": problem.column or "", "where": where, "why": problem.message})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def _row(row: int | None) -> str:
    return "" if row is None else f"row {row}"


def from_validation(error: ValidationError, file: str) -> list[Problem]:
    """Pydantic's errors as problems; our own validators' messages lose pydantic's 'Value error, '."""
    return [Problem(p.message.removeprefix("Value error, "), p.file, p.row, p.column)
            for p in validation_problems(error, file)]


def show(problems: list[Problem] | InputError, title: str = "Nothing was saved: please fix these") -> None:
    """An error banner and the problems as a table."""
    problems = problems.problems if isinstance(problems, InputError) else problems
    count = len(problems)
    st.error(f"{title} ({count} problem{'s' if count != 1 else ''}).", icon=":material/error:")
    st.dataframe(problem_table(problems), hide_index=True)
