"""Reading interval history: happy paths and one smallest-possible file per input problem."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.history import (
    DEFAULT_QUEUE,
    HISTORY_COLUMNS,
    interval_minutes,
    read_history,
    validate_history,
)
from tabular import MAX_PROBLEMS, InputError, Problem

HEADER = "interval_start,queue,contacts,aht_seconds\n"


def load(text: str, name: str = "h.csv") -> pd.DataFrame:
    return read_history(io.BytesIO(text.encode("utf-8")), name)


def problems_of(text: str | bytes, name: str = "h.csv") -> list[Problem]:
    source = text if isinstance(text, bytes) else text.encode("utf-8")
    with pytest.raises(InputError) as raised:
        read_history(source, name)
    return raised.value.problems


def only_problem(text: str | bytes, name: str = "h.csv") -> Problem:
    problems = problems_of(text, name)
    assert len(problems) == 1, problems
    return problems[0]


def assert_located(problem: Problem, row: int | None, column: str | None, file: str = "h.csv") -> None:
    """The problem and its rendered message name the file, the row and the column."""
    assert (problem.file, problem.row, problem.column) == (file, row, column)
    shown = str(problem)
    assert shown.startswith(file)
    if row is not None:
        assert f"row {row}" in shown
    if column is not None:
        assert f"column '{column}'" in shown


def rows(starts: list[str], queue: str = "voice", contacts: int = 5, aht: int = 300) -> str:
    return "".join(f"{start},{queue},{contacts},{aht}\n" for start in starts)


def day_starts(minutes: int, count: int, first: str = "2026-10-05 08:00") -> list[str]:
    times = pd.date_range(first, periods=count, freq=f"{minutes}min")
    return list(times.strftime("%Y-%m-%d %H:%M"))


# ------------------------------------------------------------------------------------------
# Happy paths
# ------------------------------------------------------------------------------------------


def test_reads_both_date_formats_into_typed_sorted_columns():
    history = load(
        HEADER
        + "2026-10-05T09:00:00,voice,7,280\n"
        + "2026-10-05 08:00,voice,10,300\n"
        + "2026-10-05T08:30:00,voice,0,\n"
        + "2026-10-05 08:00,chat,3,500\n"
        + "2026-10-05 08:30,chat,4,610.5\n"
    )
    assert list(history.columns) == HISTORY_COLUMNS
    assert str(history["interval_start"].dtype) == "datetime64[ns]"
    assert history["contacts"].dtype == float and history["aht_seconds"].dtype == float
    assert list(history["queue"]) == ["chat", "chat", "voice", "voice", "voice"]
    assert list(history["interval_start"].dt.strftime("%H:%M")) == ["08:00", "08:30", "08:00", "08:30", "09:00"]
    assert list(history.index) == [0, 1, 2, 3, 4]
    assert history.attrs["interval_minutes"] == 30
    assert history["aht_seconds"].tolist()[1] == 610.5


def test_aht_may_be_empty_or_zero_where_there_are_no_contacts():
    history = load(HEADER + "2026-10-05 08:00,voice,0,\n2026-10-05 08:30,voice,0,0\n2026-10-05 09:00,voice,2,310\n")
    assert history["aht_seconds"].isna().tolist() == [True, True, False]
    assert history["contacts"].tolist() == [0.0, 0.0, 2.0]


def test_queue_column_is_optional():
    history = load("interval_start,contacts,aht_seconds\n2026-10-05 08:00,5,300\n2026-10-05 08:30,6,310\n")
    assert list(history.columns) == HISTORY_COLUMNS
    assert set(history["queue"]) == {DEFAULT_QUEUE}


def test_extra_columns_ignored_and_header_names_matched_kindly():
    history = load(
        " Interval Start ,QUEUE,Abandoned,Contacts, aht_seconds ,Notes\n"
        "2026-10-05 08:00,voice,1,5,300,quiet\n"
        "2026-10-05 08:30,voice,0,6,310,\n"
    )
    assert list(history.columns) == HISTORY_COLUMNS
    assert history["contacts"].tolist() == [5.0, 6.0]


def test_gaps_stay_absent_and_are_not_zeros():
    starts = day_starts(30, 10)
    kept = starts[:3] + starts[6:]  # 09:30-10:30 missing, e.g. an ACD outage
    history = load(HEADER + rows(kept))
    assert len(history) == len(kept)
    assert list(history["interval_start"].dt.strftime("%Y-%m-%d %H:%M")) == kept
    assert (history["contacts"] == 5).all()
    assert history.attrs["interval_minutes"] == 30


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_detects_interval_length(minutes):
    history = load(HEADER + rows(day_starts(minutes, 8)) + rows(day_starts(minutes, 8), queue="chat"))
    assert history.attrs["interval_minutes"] == minutes
    assert interval_minutes(history) == minutes


def test_interval_minutes_re_detected_when_attrs_are_lost():
    history = load(HEADER + rows(day_starts(15, 6)))
    history.attrs.clear()
    assert interval_minutes(history) == 15


def test_file_like_inputs_and_paths(tmp_path):
    text = HEADER + rows(day_starts(30, 3))
    path = tmp_path / "acd_export.csv"
    path.write_text(text, encoding="utf-8")
    from_path = read_history(path)
    pd.testing.assert_frame_equal(from_path, read_history(str(path)))
    pd.testing.assert_frame_equal(from_path, read_history(io.StringIO(text), "upload.csv"))
    pd.testing.assert_frame_equal(from_path, read_history(text.encode(), "upload.csv"))
    upload = io.BytesIO(text.encode())
    upload.read()  # an upload already read once (Streamlit reruns) must still read in full
    pd.testing.assert_frame_equal(from_path, read_history(upload, "upload.csv"))


def test_file_name_in_messages_comes_from_path_or_upload(tmp_path):
    path = tmp_path / "acd_export.csv"
    path.write_text("interval_start,contacts\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_history(path)
    assert raised.value.problems[0].file == "acd_export.csv"
    upload = io.BytesIO(b"interval_start,contacts\n")
    upload.name = "uploaded.csv"
    with pytest.raises(InputError) as raised:
        read_history(upload)
    assert raised.value.problems[0].file == "uploaded.csv"


def test_semicolons_bom_and_blank_lines_are_tolerated():
    text = "\ufeffinterval_start;queue;contacts;aht_seconds\n2026-10-05 08:00;voice;5;300\n\n2026-10-05 08:30;voice;x;300\n"
    problem = only_problem(text)
    assert_located(problem, 4, "contacts")  # the blank line still counts as row 3


def test_windows_1252_queue_names():
    history = read_history(
        (HEADER + "2026-10-05 08:00,Kundendienst Süd,5,300\n2026-10-05 08:30,Kundendienst Süd,6,300\n").encode("cp1252"),
        "h.csv",
    )
    assert set(history["queue"]) == {"Kundendienst Süd"}


def test_validate_history_accepts_editor_frames_with_mixed_types():
    edited = pd.DataFrame(
        {
            "interval_start": [pd.Timestamp("2026-10-05 08:30"), "2026-10-05 08:00", "2026-10-05T09:00:00"],
            "queue": ["voice", "voice", "voice"],
            "contacts": [4.0, "3", 0],
            "aht_seconds": [280, "300", None],
        }
    )
    history = validate_history(edited, "editor")
    assert history["contacts"].tolist() == [3.0, 4.0, 0.0]
    assert history.attrs["interval_minutes"] == 30
    edited.loc[2, "contacts"] = -1
    with pytest.raises(InputError) as raised:
        validate_history(edited, "editor")
    assert_located(raised.value.problems[0], 4, "contacts", file="editor")


def test_validating_a_read_history_again_gives_the_same_frame():
    history = load(HEADER + rows(day_starts(30, 4)) + rows(day_starts(30, 4), queue="chat"))
    pd.testing.assert_frame_equal(validate_history(history), history)


@settings(max_examples=25, deadline=None)
@given(
    minutes=st.sampled_from([15, 30, 60]),
    dropped=st.sets(st.integers(min_value=0, max_value=47), max_size=12),
)
def test_random_gaps_keep_exactly_the_given_rows(minutes, dropped):
    """Dropping up to a quarter of the intervals leaves them absent and the length detected."""
    starts = [start for i, start in enumerate(day_starts(minutes, 48, "2026-10-05 00:00")) if i not in dropped]
    history = load(HEADER + rows(starts))
    assert history.attrs["interval_minutes"] == minutes
    assert list(history["interval_start"].dt.strftime("%Y-%m-%d %H:%M")) == starts


# ------------------------------------------------------------------------------------------
# Input problems: the smallest file that triggers each, located by file, row and column
# ------------------------------------------------------------------------------------------


def test_missing_column():
    problem = only_problem("interval_start,queue,contacts\n2026-10-05 08:00,voice,5\n")
    assert_located(problem, 1, "aht_seconds")
    assert "missing required column 'aht_seconds'" in problem.message
    assert "'interval_start', 'queue', 'contacts'" in problem.message  # what was found instead


def test_column_given_twice():
    problem = only_problem("interval_start,contacts,Contacts,aht_seconds\n2026-10-05 08:00,5,6,300\n")
    assert_located(problem, 1, "contacts")
    assert "appears twice" in problem.message


@pytest.mark.parametrize(
    ("cell", "wording"),
    [("many", "'many' is not a number"), ("-3", "-3 is negative"), ("", "is empty"), ("inf", "'inf' is not a number"),
     ("1e308", "1e+308 contacts in one interval is implausible"), ("1e12", "implausible")],
)
def test_bad_contacts(cell, wording):
    problem = only_problem(HEADER + f"2026-10-05 08:00,voice,5,300\n2026-10-05 08:30,voice,{cell},300\n")
    assert_located(problem, 3, "contacts")
    assert wording in problem.message


@pytest.mark.parametrize(
    ("cell", "wording"),
    [
        ("00:05:00", "'00:05:00' is not a number"),
        ("0", "0 is not a handle time; it must be more than 0 seconds"),
        ("-300", "-300 is not a handle time"),
        ("", "is empty but contacts is 5"),
        ("86401", "86401 seconds is not a plausible average handle time"),
        ("1e308", "not a plausible average handle time"),
    ],
)
def test_bad_aht(cell, wording):
    problem = only_problem(HEADER + f"2026-10-05 08:00,voice,5,{cell}\n2026-10-05 08:30,voice,5,300\n")
    assert_located(problem, 2, "aht_seconds")
    assert wording in problem.message


@pytest.mark.parametrize(
    ("cell", "wording"),
    [
        ("05/10/2026 08:30", "cannot read '05/10/2026 08:30' as a date"),
        ("2026-10-05 08:30+02:00", "has a time-zone offset"),
        ("", "is empty"),
    ],
)
def test_bad_interval_start(cell, wording):
    problem = only_problem(HEADER + f"2026-10-05 08:00,voice,5,300\n{cell},voice,5,300\n")
    assert_located(problem, 3, "interval_start")
    assert wording in problem.message
    assert "2026-10-05 08:30" in problem.message  # shows the expected format


def test_empty_queue_name_when_others_are_named():
    problem = only_problem(HEADER + "2026-10-05 08:00,voice,5,300\n2026-10-05 08:30,,5,300\n")
    assert_located(problem, 3, "queue")


def test_start_off_the_interval_grid():
    starts = ["2026-10-05 08:00", "2026-10-05 08:17", "2026-10-05 08:30", "2026-10-05 09:00", "2026-10-05 09:30"]
    problem = only_problem(HEADER + rows(starts))
    assert_located(problem, 3, "interval_start")
    assert "08:17 is not on the 30-minute interval grid" in problem.message
    assert ":00 and :30" in problem.message


def test_duplicate_rows_name_both_rows():
    problem = only_problem(HEADER + rows(["2026-10-05 08:00", "2026-10-05 08:30", "2026-10-05T08:00:00"]))
    assert_located(problem, 4, "interval_start")
    assert "row 2 already has 2026-10-05 08:00 for queue 'voice'" in problem.message


def test_same_start_in_two_queues_is_not_a_duplicate():
    history = load(HEADER + rows(day_starts(30, 2)) + rows(day_starts(30, 2), queue="chat"))
    assert len(history) == 4


def test_mixed_interval_lengths_name_the_row_and_the_step():
    starts = day_starts(30, 4) + ["2026-10-05 09:45", "2026-10-05 10:00"]  # a 15-minute step in 30-minute data
    problem = only_problem(HEADER + rows(starts))
    assert_located(problem, 6, "interval_start")
    assert "mixed interval lengths" in problem.message
    assert "15 minutes after row 5" in problem.message
    assert "30-minute intervals" in problem.message


def test_queues_in_different_interval_lengths():
    problem = only_problem(HEADER + rows(day_starts(30, 4)) + rows(day_starts(15, 3), queue="chat"))
    assert_located(problem, 7, "interval_start")
    assert "queue 'chat' is in 15-minute intervals but queue 'voice' is in 30-minute intervals" in problem.message


@pytest.mark.parametrize("minutes", [5, 45, 24 * 60])
def test_unsupported_interval_length(minutes):
    problem = only_problem(HEADER + rows(day_starts(minutes, 3)))
    assert_located(problem, 3, "interval_start")
    assert f"mostly {minutes} minutes apart" in problem.message
    assert "15, 30 or 60" in problem.message


def test_a_single_interval_gives_no_length():
    problem = only_problem(HEADER + rows(["2026-10-05 08:00"]))
    assert_located(problem, None, "interval_start")
    assert "at least two consecutive intervals" in problem.message


@pytest.mark.parametrize(("content", "wording"), [(b"", "the file is empty"), (b"\n \n", "the file is empty"), (HEADER.encode(), "no data rows")])
def test_empty_file(content, wording):
    problem = only_problem(content)
    assert_located(problem, None, None)
    assert wording in problem.message


@pytest.mark.parametrize(
    ("content", "wording"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "looks like an Excel workbook"),
        (bytes(range(256)), "is not a CSV text file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a CSV text file"),
    ],
)
def test_binary_file(content, wording):
    problem = only_problem(content)
    assert_located(problem, None, None)
    assert wording in problem.message


def test_garbled_text_reports_the_missing_columns():
    problems = problems_of("Lorem ipsum dolor sit amet\nconsectetur adipiscing elit\n")
    assert [p.column for p in problems] == ["interval_start", "contacts", "aht_seconds"]
    assert all(p.row == 1 for p in problems)


def test_row_with_too_many_fields():
    problem = only_problem(HEADER + "2026-10-05 08:00,voice,5,300\n2026-10-05 08:30,Sales, North,5,300\n")
    assert_located(problem, 3, None)
    assert "has 5 fields but the header has 4" in problem.message


def test_an_unclosed_quote_is_reported_on_its_own_row():
    problem = only_problem(HEADER + '2026-10-05 08:00,voice,5,300\n2026-10-05 08:30,"voice,5,300\n')
    assert_located(problem, 3, None)
    assert "never closed" in problem.message


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as raised:
        read_history(tmp_path / "nope.csv")
    assert_located(raised.value.problems[0], None, None, file="nope.csv")
    assert "file not found" in raised.value.problems[0].message


def test_collects_many_problems_in_row_order_and_caps_them():
    text = HEADER + "".join(f"2026-10-05 08:00,voice,x{i},y{i}\n" for i in range(30))
    problems = problems_of(text)
    assert len(problems) == MAX_PROBLEMS + 1
    assert [p.row for p in problems[:4]] == [2, 2, 3, 3]
    assert [p.column for p in problems[:2]] == ["contacts", "aht_seconds"]
    assert "more problems not shown" in problems[-1].message


def test_message_of_the_error_lists_every_problem():
    with pytest.raises(InputError) as raised:
        load(HEADER + "2026-10-05 08:00,voice,x,300\n2026-10-05 08:30,voice,5,-1\n")
    assert str(raised.value).splitlines() == [
        "h.csv, row 2, column 'contacts': 'x' is not a number; enter the offered contacts, e.g. 42",
        "h.csv, row 3, column 'aht_seconds': -1 is not a handle time; it must be more than 0 seconds",
    ]


def test_numbers_are_floats_even_when_written_as_integers():
    history = load(HEADER + rows(day_starts(60, 2), contacts=12, aht=250))
    assert np.allclose(history["contacts"], 12.0) and np.allclose(history["aht_seconds"], 250.0)
