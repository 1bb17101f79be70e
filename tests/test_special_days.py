"""Special days: reading the CSV, scaling a forecast, masking the history."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from forecasts.special_days import (
    SPECIAL_DAY_COLUMNS,
    apply_special_days,
    mask_special_days,
    read_special_days,
    validate_special_days,
)
from tabular import InputError, Problem


def load(text: str) -> pd.DataFrame:
    return read_special_days(io.StringIO(text), "days.csv")


def only_problem(text: str) -> Problem:
    with pytest.raises(InputError) as raised:
        load(text)
    problems = raised.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def assert_located(problem: Problem, row: int, column: str) -> None:
    assert (problem.file, problem.row, problem.column) == ("days.csv", row, column)
    assert f"days.csv, row {row}, column '{column}'" in str(problem)


def special(*entries: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": pd.to_datetime([day for day, _ in entries]), "multiplier": [m for _, m in entries], "label": ""}
    )


def intervals(first: str, periods: int, freq: str = "6h") -> pd.DataFrame:
    return pd.DataFrame({"interval_start": pd.date_range(first, periods=periods, freq=freq), "contacts": 10.0})


def test_reads_multipliers_closed_days_and_labels():
    days = load("Date,Effect,Label\n2026-12-25,Closed,Christmas\n2026-10-14,0.35,\n2026-11-26,1.3,Launch\n")
    assert list(days.columns) == SPECIAL_DAY_COLUMNS
    assert str(days["date"].dtype) == "datetime64[ns]"
    assert list(days["date"].dt.strftime("%Y-%m-%d")) == ["2026-10-14", "2026-11-26", "2026-12-25"]
    assert days["multiplier"].tolist() == [0.35, 1.3, 0.0]
    assert days["label"].tolist() == ["", "Launch", "Christmas"]


def test_label_is_optional_and_no_rows_means_no_special_days():
    assert load("date,effect\n2026-10-14,0.5\n")["label"].tolist() == [""]
    none = load("date,effect,label\n")
    assert none.empty and list(none.columns) == SPECIAL_DAY_COLUMNS


def test_validate_special_days_for_edited_frames():
    edited = pd.DataFrame({"date": [pd.Timestamp("2026-10-14"), "2026-10-15"], "effect": [0.5, "closed"]})
    assert validate_special_days(edited)["multiplier"].tolist() == [0.5, 0.0]


@pytest.mark.parametrize(
    ("cell", "wording"),
    [("14.10.2026", "cannot read '14.10.2026' as a date"), ("2026-10-14 08:00", "has a time of day"), ("", "is empty")],
)
def test_bad_date(cell, wording):
    problem = only_problem(f"date,effect\n2026-10-13,0.5\n{cell},0.5\n")
    assert_located(problem, 3, "date")
    assert wording in problem.message


@pytest.mark.parametrize(
    ("cell", "wording"),
    [("half", "'half' is not a multiplier"), ("-0.5", "-0.5 is negative"), ("80%", "'80%' is not a multiplier"), ("", "is empty"),
     ("1e308", "1e+308 times the normal volume is implausible"), ("inf", "'inf' is not a multiplier")],
)
def test_bad_effect(cell, wording):
    problem = only_problem(f"date,effect\n2026-10-14,{cell}\n")
    assert_located(problem, 2, "effect")
    assert wording in problem.message
    assert "closed" in problem.message  # says what to write instead


def test_duplicate_date_names_both_rows():
    problem = only_problem("date,effect\n2026-10-14,0.5\n2026-10-15,0.7\n2026-10-14,closed\n")
    assert_located(problem, 4, "date")
    assert "row 2 already has 2026-10-14" in problem.message


def test_missing_column():
    problem = only_problem("date,label\n2026-10-14,Holiday\n")
    assert_located(problem, 1, "effect")


def test_apply_scales_only_the_special_calendar_days():
    forecast = intervals("2026-10-13", 12)  # three days at 00:00, 06:00, 12:00, 18:00
    adjusted = apply_special_days(forecast, special(("2026-10-14", 0.5), ("2026-10-15", 0.0)))
    assert adjusted["contacts"].tolist() == [10.0] * 4 + [5.0] * 4 + [0.0] * 4
    assert forecast["contacts"].tolist() == [10.0] * 12  # the input is left alone


def test_apply_without_special_days_changes_nothing():
    forecast = intervals("2026-10-13", 4)
    pd.testing.assert_frame_equal(apply_special_days(forecast, load("date,effect\n")), forecast)


def test_mask_drops_special_days_from_history_and_keeps_attrs():
    history = intervals("2026-10-13", 12)
    history.attrs["interval_minutes"] = 360
    masked = mask_special_days(history, special(("2026-10-14", 0.35)))
    assert list(masked["interval_start"].dt.day.unique()) == [13, 15]
    assert len(masked) == 8 and list(masked.index) == list(range(8))
    assert masked.attrs["interval_minutes"] == 360
