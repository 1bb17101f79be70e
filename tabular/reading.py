"""Reading a CSV table without interpreting its cells, within the input limits.

A source is a path, raw bytes or a file-like object (an upload). A path must name a regular file
(not a folder, a device such as /dev/zero, or a FIFO), and at most `WFM_MAX_INPUT_MB` of it is
read; the text is UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252; the separator
(`,`, `;` or tab) is the one the header uses most.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from pathlib import Path
from typing import IO, Any, Union

import numpy as np
import pandas as pd

from .limits import MAX_INPUT_MB, MAX_ROWS, Limit, max_input_bytes
from .problems import InputError, Problem
from .spreadsheet import restore

# A path (str or PathLike), raw bytes, or a file-like object (binary or text) such as an upload.
Source = Union[str, os.PathLike, bytes, IO[Any]]

_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (zip) and legacy .xls
# No table of ours has more than a few dozen columns; a header of millions would take the memory of
# millions of columns for every row.
MAX_COLUMNS = 1000


def source_name(source: Source, name: str | None, default: str) -> str:
    """The file name to show in messages: ``name``, else the path's or the object's file name."""
    if name:
        return name
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    given = getattr(source, "name", None)  # open files and Streamlit uploads carry a name
    return Path(given).name if isinstance(given, str) and given else default


def read_raw_csv(source: Source, name: str, max_rows: Limit = MAX_ROWS) -> pd.DataFrame:
    """Read a CSV into a frame of stripped strings ("" when empty), without interpreting cells.

    Columns are the header cells as written; the index holds each row's spreadsheet row number
    (header = row 1); rows with every cell empty are dropped. The quote our exports put before
    formula-like text (`spreadsheet.neutralise`) is taken off, as a spreadsheet hides it. Raises InputError for a missing,
    empty, binary, unparseable or too large file, or one with more rows than ``max_rows``.
    """
    text = _decode(read_bounded(source, name), name)
    if not text.strip():
        raise InputError(Problem("the file is empty; it needs a header row and data rows", name))
    separator = _separator(text)
    if _header(text).count(separator) >= MAX_COLUMNS:
        raise InputError(Problem(f"the header has more than {MAX_COLUMNS:,} columns; is this the right file?", name, 1))
    most = max_rows.value()
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so row numbers match the spreadsheet
            engine="c",
            nrows=most + 2,  # the header, the most rows allowed, and one to tell that there are more
        )
    except pd.errors.ParserError as error:
        raise InputError(_parser_problem(error, name, separator)) from None
    if len(cells) > most + 1:
        raise InputError(Problem(
            f"has more than {max_rows.described()}, the most one load takes; "
            f"split the file or raise {max_rows.variable}", name))
    cells = cells.fillna("").apply(lambda column: column.str.strip())  # short rows come padded with NaN
    cells.index = np.arange(1, len(cells) + 1)
    data = cells.iloc[1:].copy()
    data.columns = list(cells.iloc[0])
    return restore(data[(data.to_numpy() != "").any(axis=1)])


def read_bounded(source: Source, name: str) -> bytes | str:
    """The content of a path, bytes, or file-like object, refused when larger than the input limit.

    A path is checked before it is opened: a device, FIFO or socket could block or never end."""
    limit = max_input_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        content: bytes | str = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        content = _read_path(Path(source), name, limit)
    elif hasattr(source, "getvalue"):  # ignores the read position, so an upload read once reads again
        content = source.getvalue()
    elif hasattr(source, "read"):
        content = source.read(limit + 1)
    else:
        raise TypeError(f"expected a path, bytes or a file-like object, got {type(source).__name__}")
    if len(content) > limit:
        raise InputError(_too_large(name))
    return content


def read_text(path: str | os.PathLike, name: str) -> str:
    """A settings file's text (YAML or TOML), read within the input limits like a table: UTF-8 (with
    or without BOM), UTF-16 with BOM (Notepad's "Unicode") or Windows-1252; an undecodable byte is
    named with its line."""
    content = read_bounded(path, name)
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    if b"\x00" not in content:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError as error:
                undecodable = error
        line = content[: undecodable.start].count(b"\n") + 1
        raise InputError(Problem(
            f"line {line}: byte 0x{content[undecodable.start]:02X} is neither UTF-8 nor Windows-1252 text; "
            "save the file as UTF-8", name))
    raise InputError(Problem("is not a text file (it contains binary data); save the settings as text", name))


def _read_path(path: Path, name: str, limit: int) -> bytes:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise InputError(Problem("is a folder, not a file; give the path of the file", name))
        if not stat.S_ISREG(mode):
            raise InputError(Problem("is not a regular file (a device, pipe or socket); give the path of a file",
                                     name))
        with path.open("rb") as file:
            return file.read(limit + 1)
    except FileNotFoundError:
        raise InputError(Problem("file not found; check the path", name)) from None
    except OSError as error:
        raise InputError(Problem(f"cannot be read ({error.strerror}); check the file", name)) from None


def _too_large(name: str) -> Problem:
    return Problem(f"is larger than {MAX_INPUT_MB.described()}, the most one input file may be; "
                   f"raise {MAX_INPUT_MB.variable} to load it", name)


def _decode(content: bytes | str, name: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if isinstance(content, str):
        return content
    if content.startswith(_EXCEL_SIGNATURES):
        raise InputError(
            Problem("looks like an Excel workbook, not a CSV file; save it as CSV (comma-separated) and load that", name)
        )
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel "Unicode text"
        return content.decode("utf-16")
    if b"\x00" not in content:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise InputError(
        Problem("is not a CSV text file (it contains binary data); export the data as CSV (comma-separated)", name)
    )


def _separator(text: str) -> str:
    """The separator used most in the header line; comma when the header has none."""
    header = _header(text)
    return max([",", ";", "\t"], key=header.count)


def _header(text: str) -> str:
    end = text.find("\n")
    return text if end < 0 else text[:end]


def _parser_problem(error: pd.errors.ParserError, name: str, separator: str) -> Problem:
    """A located problem from pandas' tokenizer error.

    Its "line" is the 1-based record (the spreadsheet row); its "row" of an unclosed quote is 0-based."""
    message = str(error)
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        expected, line, seen = (int(number) for number in fields.groups())
        shown = "tab" if separator == "\t" else f"'{separator}'"
        return Problem(
            f"has {seen} fields but the header has {expected}; quote values that contain {shown} "
            "or fix the broken line",
            name,
            line,
        )
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return Problem('a quote (") opened in this row is never closed; close it or remove it', name,
                       int(quote.group(1)) + 1)
    return Problem(f"cannot be read as CSV ({message.strip()}); check that it is a comma-separated text file", name)


def inside_folder(folder: Path, path: Path) -> bool:
    """Whether a path lies inside a folder once symlinks (and `..`) are resolved, without opening it."""
    return path.resolve().is_relative_to(folder.resolve())
