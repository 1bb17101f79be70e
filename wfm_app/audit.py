"""The audit trail as a planner reads it: when, who, what, on which object."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from wfm_app.text import local_moments

SHOWN_ROWS = 1000


def trail_table(log: pd.DataFrame, zone: dt.tzinfo = dt.UTC) -> pd.DataFrame:
    """The store's audit log (newest first) with the page's column names, times on the viewer's clock;
    details as short text."""
    return pd.DataFrame({
        "when": local_moments(log["at"], zone), "who": log["actor"].fillna(""), "what": log["action"], "object": log["object"],
        "center": log["center"].fillna(""), "details": log["details"].map(details_text),
    })


def details_text(details: object) -> str:
    if not details:
        return ""
    return json.dumps(details, default=str, ensure_ascii=False) if not isinstance(details, str) else details


def actions(trail: pd.DataFrame) -> list[str]:
    return sorted(trail["what"].unique())


def with_actions(trail: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """The rows of the chosen actions (all rows when none is chosen)."""
    return trail[trail["what"].isin(chosen)] if chosen else trail
