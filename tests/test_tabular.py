"""Reading a table within the input limits: sizes, rows, special files, and rows as Excel shows them."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from tabular import InputError, Problem, read_raw_csv


def only_problem(source, name: str = "t.csv") -> Problem:
    with pytest.raises(InputError) as raised:
        read_raw_csv(source, name)
    (problem,) = raised.value.problems
    return problem


def test_a_file_larger_than_the_limit_is_refused_without_reading_it_all(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WFM_MAX_INPUT_MB", "1")
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 300_000)  # 1.2 MB
    problem = only_problem(path, "big.csv")
    assert problem.file == "big.csv"
    assert "larger than 1 MB (WFM_MAX_INPUT_MB)" in problem.message
    assert "larger than 1 MB" in only_problem(io.BytesIO(path.read_bytes())).message

    monkeypatch.setenv("WFM_MAX_INPUT_MB", "2")
    assert len(read_raw_csv(path, "big.csv")) == 300_000


def test_an_endless_device_is_refused_before_it_is_opened():
    problem = only_problem("/dev/zero", "forecast.csv")
    assert "not a regular file" in problem.message and problem.file == "forecast.csv"


def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(tmp_path: Path):
    fifo = tmp_path / "agents.csv"
    os.mkfifo(fifo)
    result: list = []
    reader = threading.Thread(target=lambda: result.append(only_problem(fifo, "agents.csv")), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert result and "not a regular file" in result[0].message


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setenv("WFM_MAX_ROWS", "100")
    assert len(read_raw_csv(b"a\n" + b"1\n" * 100, "t.csv")) == 100
    problem = only_problem(b"a\n" + b"1\n" * 101)
    assert "more than 100 rows (WFM_MAX_ROWS)" in problem.message


def test_a_limit_that_is_not_a_number_is_named(monkeypatch):
    monkeypatch.setenv("WFM_MAX_ROWS", "lots")
    assert "WFM_MAX_ROWS='lots' is not a positive whole number" in only_problem(b"a\n1\n").message


@pytest.mark.parametrize("text, row", [
    ('a,b\n1,2\n3,"4\n5,6\n', 3),  # the quote opened on the third row of the sheet
    ('a,b\n"1\n",2\n\n3,"4\n', 4),  # a cell with a line break is one row, a blank line is one
])
def test_an_unclosed_quote_is_reported_on_the_row_excel_shows(text: str, row: int):
    problem = only_problem(text.encode())
    assert problem.row == row and "never closed" in problem.message


def test_excel_workbooks_and_binary_files_are_named():
    assert "Excel workbook" in only_problem(b"PK\x03\x04rest").message
    assert "binary data" in only_problem(b"a,b\n\x00\x01").message


def test_a_header_of_more_columns_than_any_table_has_is_refused():
    problem = only_problem(("a," * 1000 + "b\n").encode())
    assert problem.row == 1 and "more than 1,000 columns" in problem.message
    assert len(read_raw_csv(("a," * 998 + "b\n1\n").encode(), "t.csv").columns) == 999
