"""Reading, validating and writing the roster table."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from scheduler.roster import ROSTER_COLUMNS, read_roster, validate_roster, write_roster
from tabular import InputError

HEADER = "agent_id,name,queue,activity,start,end\n"
GOOD = (
    HEADER
    + "A2,Ben Cole,sales,work,2024-06-03T22:00:00,2024-06-04T06:00:00\n"
    + "A1,Anna Berg,sales,work,2024-06-03T10:15:00,2024-06-03T12:00:00\n"
    + "A1,Anna Berg,,break,2024-06-03T10:00:00,2024-06-03T10:15:00\n"
    + "A1,Anna Berg,sales,work,2024-06-03T08:00:00,2024-06-03T10:00:00\n"
)


def problems(text: str) -> list:
    with pytest.raises(InputError) as error:
        read_roster(io.StringIO(text), name="roster.csv")
    return error.value.problems


def located(problem) -> tuple:
    return problem.file, problem.row, problem.column


def test_reads_times_as_datetimes_in_file_order():
    table = read_roster(io.StringIO(GOOD), name="roster.csv")
    assert list(table.columns) == ROSTER_COLUMNS
    assert table["start"].dtype == "datetime64[ns]" and table["end"].dtype == "datetime64[ns]"
    assert list(table["agent_id"]) == ["A2", "A1", "A1", "A1"]
    assert table.loc[0, "end"] == pd.Timestamp("2024-06-04 06:00")


def test_a_missing_column_is_named():
    [problem] = problems("agent_id,name,queue,activity,start\nA1,Anna,sales,work,2024-06-03T08:00\n")
    assert located(problem) == ("roster.csv", 1, "end")


def test_an_unknown_activity():
    [problem] = problems(HEADER + "A1,Anna,sales,nap,2024-06-03T08:00,2024-06-03T09:00\n")
    assert located(problem) == ("roster.csv", 2, "activity")
    assert "'nap'" in problem.message and "work, break, lunch" in problem.message


def test_an_unreadable_time():
    [problem] = problems(HEADER + "A1,Anna,sales,work,Monday 8am,2024-06-03T09:00\n")
    assert located(problem) == ("roster.csv", 2, "start")
    assert "Monday 8am" in problem.message


def test_an_end_not_after_the_start():
    [problem] = problems(HEADER + "A1,Anna,sales,work,2024-06-03T09:00,2024-06-03T09:00\n")
    assert located(problem) == ("roster.csv", 2, "end")


def test_work_needs_a_queue():
    [problem] = problems(HEADER + "A1,Anna,,work,2024-06-03T08:00,2024-06-03T09:00\n")
    assert located(problem) == ("roster.csv", 2, "queue")


def test_overlapping_segments_of_one_agent_name_both_rows():
    text = (
        HEADER
        + "A1,Anna,sales,work,2024-06-03T08:00,2024-06-03T16:00\n"
        + "A2,Ben,sales,work,2024-06-03T09:00,2024-06-03T17:00\n"
        + "A1,Anna,,break,2024-06-03T10:00,2024-06-03T10:15\n"
    )
    [problem] = problems(text)
    assert located(problem) == ("roster.csv", 4, "start")
    assert "row 2" in problem.message


def test_an_empty_file():
    [problem] = problems("")
    assert located(problem) == ("roster.csv", None, None)
    assert "empty" in problem.message


def test_a_header_alone_is_an_empty_roster():
    assert read_roster(io.StringIO(HEADER)).empty


def test_the_file_name_comes_from_the_path(tmp_path):
    path = tmp_path / "week23.csv"
    path.write_text(HEADER + "A1,Anna,sales,lunch,2024-06-03T08:00,2024-06-03T07:00\n")
    with pytest.raises(InputError, match=r"^week23.csv, row 2, column 'end'"):
        read_roster(path)


def test_write_then_read_gives_the_same_roster_sorted_by_agent_then_start(tmp_path):
    table = read_roster(io.StringIO(GOOD))
    path = tmp_path / "roster.csv"
    write_roster(table, path)

    lines = path.read_text().splitlines()
    assert lines[0] == HEADER.strip()
    assert lines[1] == "A1,Anna Berg,sales,work,2024-06-03T08:00:00,2024-06-03T10:00:00"
    expected = table.sort_values(["agent_id", "start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(read_roster(path), expected)


def test_an_edited_frame_is_validated_like_a_file():
    edited = pd.DataFrame(
        [["A1", "Anna", "sales", "Work", pd.Timestamp("2024-06-03 08:00"), "2024-06-03 12:00"]], columns=ROSTER_COLUMNS
    )
    table = validate_roster(edited)
    assert table.loc[0, "activity"] == "work"
    assert table.loc[0, "end"] == pd.Timestamp("2024-06-03 12:00")
    with pytest.raises(InputError, match="row 2, column 'end'"):
        validate_roster(edited.assign(end="2024-06-03 07:00"))
