"""Text bound for spreadsheets: formulas made inert, and read back as typed."""

from __future__ import annotations

import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from scheduler.roster import read_roster, write_roster
from tabular.spreadsheet import neutralise, neutralise_cell, restore, restore_cell

FORMULA = '=HYPERLINK("http://e.com","Click")'


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1 "), max_size=6))
def test_restore_undoes_neutralise(text):
    assert restore_cell(neutralise_cell(text)) == text


def test_only_text_that_starts_a_formula_is_quoted():
    cells = [FORMULA, "+1", "-x", "@SUM(A1)", "\tx", "\rx", "Anna", "O'Neil", "'=x", 3, -1.5, None]
    assert [neutralise_cell(cell) for cell in cells] == [
        "'" + FORMULA, "'+1", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "Anna", "O'Neil", "''=x", 3, -1.5, None]


def test_numbers_stay_numbers():
    table = pd.DataFrame({"name": ["-Anna", "Bo"], "hours": [-1.5, 2.0], "count": [-1, 2]})
    safe = neutralise(table)
    assert list(safe["name"]) == ["'-Anna", "Bo"]
    assert safe["hours"].tolist() == [-1.5, 2.0] and safe["count"].dtype == table["count"].dtype
    pd.testing.assert_frame_equal(restore(safe), table)


def test_a_roster_file_quotes_formula_names_and_reads_back_as_typed():
    roster = pd.DataFrame({"agent_id": ["@A1"], "name": [FORMULA], "queue": ["voice"], "activity": ["work"],
                           "start": [pd.Timestamp("2026-11-23 08:00")], "end": [pd.Timestamp("2026-11-23 16:00")]})
    text = io.StringIO()
    write_roster(roster, text)
    row = text.getvalue().splitlines()[1]
    assert row.startswith("'@A1,\"'=HYPERLINK(")
    pd.testing.assert_frame_equal(restore(read_roster(text.getvalue().encode(), "roster.csv")), roster)


def test_a_formula_like_name_reads_back_from_a_written_roster(tmp_path):
    roster = pd.DataFrame({"agent_id": ["a1"], "name": ['=HYPERLINK("http://x","Click")'], "queue": ["voice"],
                           "activity": ["work"], "start": [pd.Timestamp("2026-11-23 08:00")],
                           "end": [pd.Timestamp("2026-11-23 16:00")]})
    path = tmp_path / "roster.csv"
    write_roster(roster, path)
    assert "'=HYPERLINK" in path.read_text()
    assert read_roster(path)["name"].tolist() == roster["name"].tolist()
