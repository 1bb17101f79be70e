"""Bad input shown as rows (what, where, why), never as a traceback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from forecasts.staffing import validation_problems
from tabular import InputError, Problem
from wfm_app import tables

PROBLEM_COLUMNS = ["what", "where", "why"]


def problem_table(problems: Iterable[Problem], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per problem: the field (by its label on the page, where `labels` has it), the file and row,
    and the message."""
    rows = []
    for problem in (labelled(problem, labels or {}) for problem in problems):
        where = ", ".join(part for part in (problem.file, _row(problem.row)) if part)
        rows.append({"what": problem.column or "", "where": where, "why": problem.message})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def labelled(problem: Problem, labels: dict[str, str]) -> Problem:
    """The problem's field named as the page labels it: `rules.max_consecutive_days` becomes "Most working
    days in a row", `lengths_hours.1` "lengths (h), item 2"."""
    parts = (problem.column or "").split(".")
    for cut in range(len(parts), 0, -1):
        label = labels.get(".".join(parts[:cut]))
        if label is not None:
            rest = [f"item {int(part) + 1}" if part.isdigit() else part for part in parts[cut:]]
            return dataclasses.replace(problem, column=", ".join([label, *rest]))
    return problem


def _row(row: int | None) -> str:
    return "" if row is None else f"row {row}"


def from_validation(error: ValidationError, file: str) -> list[Problem]:
    """Pydantic's errors as problems; our own validators' messages lose pydantic's 'Value error, '."""
    return [Problem(p.message.removeprefix("Value error, "), p.file, p.row, p.column)
            for p in validation_problems(error, file)]


def show(problems: list[Problem] | InputError, title: str = "Nothing was saved: please fix these",
         labels: dict[str, str] | None = None) -> None:
    """An error banner and the problems as a table, fields named by their `labels` on the page."""
    problems = problems.problems if isinstance(problems, InputError) else problems
    count = len(problems)
    st.error(f"{title} ({count} problem{'s' if count != 1 else ''}).", icon=":material/error:")
    tables.show(problem_table(problems, labels))
