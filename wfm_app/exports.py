"""Roster downloads: CSV (the roster format), Excel (segments, shifts, coverage), iCalendar per agent."""

from __future__ import annotations

import io

import pandas as pd

from scheduler.ics import agent_calendar
from scheduler.roster import write_roster
from scheduler.scenario import Scenario
from tabular.spreadsheet import neutralise

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster_csv(roster: pd.DataFrame) -> bytes:
    """The roster file `wfm check` and `read_roster` read back."""
    text = io.StringIO()
    write_roster(roster, text)
    return text.getvalue().encode("utf-8")


def roster_excel(roster: pd.DataFrame, shifts: pd.DataFrame, coverage: pd.DataFrame) -> bytes:
    """A workbook with the shifts (one row each), the segments and the coverage per interval; text that
    Excel would run as a formula is quoted (`tabular.spreadsheet`)."""
    sheets = {"shifts": shifts, "segments": roster.sort_values(["agent_id", "start"]), "coverage": coverage}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as workbook:
        for name, table in sheets.items():
            neutralise(table).to_excel(workbook, sheet_name=name, index=False)
        for sheet in workbook.sheets.values():
            _fit_columns(sheet)
    return buffer.getvalue()


def _fit_columns(sheet) -> None:
    """Columns wide enough for their longest cell, so times are not shown as ####."""
    for cells in sheet.columns:
        width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in cells)
        sheet.column_dimensions[cells[0].column_letter].width = min(max(width + 2, 8), 60)


def agent_ics(roster: pd.DataFrame, agent_id: str, scenario: Scenario) -> bytes:
    return agent_calendar(roster, agent_id, config=scenario.config)


def file_stem(scenario_name: str, week_start) -> str:
    safe = "".join(char if char.isalnum() else "-" for char in scenario_name.lower()).strip("-")
    return f"roster-{safe}-{week_start:%Y-%m-%d}"
